"""The grammar of references: the text of an annotation that names paper items.

``# paper: Eq. 3, Sec. 4.1``, ``Paper: Alg. 1 lines 4-6`` and
``implements("eq:loss")`` all carry a list of references; this module turns that text
into :class:`Reference` values (and :class:`MalformedReference` values for what it
cannot read). Pure string work: the source layer finds the text, :mod:`paperlink.trace`
resolves the references against a paper.
"""

from __future__ import annotations

import difflib
import enum
import re
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = [
    "ReferenceKind",
    "Reference",
    "MalformedReference",
    "parse_references",
    "format_reference",
    "respell",
]


class ReferenceKind(enum.Enum):
    """What a reference names: a label, or a kind of numbered paper item."""

    LABEL = "label"
    EQUATION = "equation"
    SECTION = "section"
    APPENDIX = "appendix"
    ALGORITHM = "algorithm"
    ALGORITHM_LINE = "algorithm_line"
    TABLE = "table"
    FIGURE = "figure"
    THEOREM = "theorem"
    HYPERPARAMETER = "hyperparameter"


@dataclass(frozen=True)
class Reference:
    """One reference to a paper item, as read from annotation text.

    ``number`` is the printed number without parentheses (``3``, ``3b``, ``A.1``, a
    ``\\tag``'s text); for ``ALGORITHM_LINE`` it is the algorithm's number and ``line``
    the line's. ``start``/``end`` are character offsets into the parsed text.
    """

    kind: ReferenceKind
    text: str  # as written, stripped
    label: str = ""  # LABEL and HYPERPARAMETER only: the key as written
    number: str | None = None
    line: str | None = None  # ALGORITHM_LINE only, a whole number as printed
    theorem_word: str = ""  # THEOREM only, the full word: "Lemma"
    start: int = 0
    end: int = 0


@dataclass(frozen=True)
class MalformedReference:
    """A piece of annotation text that is not a reference, and why."""

    text: str
    start: int
    end: int
    message: str
    suggestion: str = ""  # the one spelling the message proposes for ``text`` ("" when none)


K = ReferenceKind

_THEOREM_WORDS: dict[str, tuple[str, ...]] = {
    "Theorem": ("thm", "thms", "theorem", "theorems"),
    "Lemma": ("lem", "lemma", "lemmas", "lemmata"),
    "Proposition": ("prop", "props", "proposition", "propositions"),
    "Corollary": ("cor", "corollary", "corollaries"),
    "Definition": ("def", "defn", "definition", "definitions"),
    "Assumption": ("assumption", "assumptions"),
    "Remark": ("rem", "remark", "remarks"),
    "Claim": ("claim", "claims"),
    "Conjecture": ("conj", "conjecture", "conjectures"),
    "Example": ("example", "examples"),
}

_KIND_WORDS: dict[ReferenceKind, tuple[str, ...]] = {
    K.EQUATION: ("eq", "eqs", "equation", "equations"),
    K.SECTION: (
        "sec",
        "secs",
        "sect",
        "sects",
        "section",
        "sections",
        "subsec",
        "subsection",
        "subsections",
        "ch",
        "chap",
        "chapter",
        "chapters",
        "§",
        "§§",
    ),
    K.APPENDIX: ("app", "appendix", "appendices"),
    K.ALGORITHM: ("alg", "algs", "algo", "algos", "algorithm", "algorithms"),
    K.TABLE: ("tab", "tabs", "table", "tables"),
    K.FIGURE: ("fig", "figs", "figure", "figures"),
}

# keyword (casefolded, no period) -> (kind, theorem word)
_KEYWORDS: dict[str, tuple[ReferenceKind, str]] = {
    **{word: (kind, "") for kind, words in _KIND_WORDS.items() for word in words},
    **{word: (K.THEOREM, full) for full, words in _THEOREM_WORDS.items() for word in words},
}

# Spellings people write that we refuse (they are not what papers print) but can correct.
_NEAR_MISSES: dict[str, tuple[ReferenceKind, str]] = {
    **dict.fromkeys(("eqn", "eqns", "equ", "formula", "formulas"), (K.EQUATION, "")),
    **dict.fromkeys(("apx", "appx", "apdx", "supp", "supplement"), (K.APPENDIX, "")),
    **dict.fromkeys(("tbl", "tabl"), (K.TABLE, "")),
    **dict.fromkeys(("thrm", "theo"), (K.THEOREM, "Theorem")),
    **dict.fromkeys(("para", "paragraph", "par"), (K.SECTION, "")),
}

_SHORT = {
    K.EQUATION: "Eq.",
    K.SECTION: "Sec.",
    K.APPENDIX: "Appendix",
    K.ALGORITHM: "Alg.",
    K.TABLE: "Table",
    K.FIGURE: "Fig.",
}
_FULL = {K.SECTION: "Section", K.APPENDIX: "Appendix", K.ALGORITHM: "Algorithm", K.TABLE: "Table", K.FIGURE: "Figure"}
_EXAMPLE = {
    K.EQUATION: "3",
    K.SECTION: "3.2",
    K.APPENDIX: "A.1",
    K.ALGORITHM: "1",
    K.TABLE: "2",
    K.FIGURE: "3",
    K.THEOREM: "1",
}

# A printed number: 3, 3b, 2.4, A, A.1, S1, II. ASCII digits only: int() must accept them.
_NUMBER = r"(?:[0-9]+|[A-Z]{1,4}[0-9]*)(?:\.[0-9]+)*[a-z]?"
_ONE = rf"\([^()]*\)|{_NUMBER}"
_ONE_RE = re.compile(_ONE)
_NUMBER_RE = re.compile(_NUMBER)
_RANGE_RE = re.compile(rf"(?P<a>{_ONE})[\s~]*(?:-{{1,3}}|–|—|to)[\s~]*(?P<b>{_ONE})")
_WHOLE_RE = re.compile(r"[0-9]{1,9}")  # longer ranges are refused before int() sees them
_MAX_RANGE = 100

# ", and" counts as one separator (the serial comma); "and" only as a whole word.
_SEPARATOR_RE = re.compile(r"[,;&](?:[\s~]*and(?=[\s~]|$))?|(?:^|(?<=[\s~]))and(?=[\s~]|$)", re.I)
_KEYWORD_RE = re.compile(r"(?P<word>§§?|[^\W\d_]+)(?P<gap>\.?[\s~]*)(?P<rest>.*)", re.S)
_LINE_ITEM_RE = re.compile(r"(?:lines?|ll?)(?=[\s~.0-9(]|$)", re.I)
_LINE_WORD_RE = re.compile(r"(?:lines?|ll?)\.?[\s~]*", re.I)
_ALGORITHM_LINES_RE = re.compile(r"(?P<alg>.*?[^\s~])[\s~]+(?P<lines>(?:lines?|ll?)(?![^\W\d_]).*)", re.I | re.S)
_SPACED_LABEL_RE = re.compile(r"(?P<prefix>[^\W\d_][\w-]*):[\s~]+(?P<key>[^\s~]+)")
_LETTER_RE = re.compile(r"[^\W\d_]")
_SPACE_RE = re.compile(r"[\s~]")


class _Bad(Exception):
    """An item is malformed; carries the message (and the one correction it proposes, if
    any). Never leaves this module."""

    def __init__(self, message: str, suggestion: str = "") -> None:
        super().__init__(message)
        self.suggestion = suggestion


def parse_references(text: str) -> tuple[tuple[Reference, ...], tuple[MalformedReference, ...]]:
    """Read a comma-, semicolon- or "and"-separated list of references; never raises.

    Returns the references in order and one :class:`MalformedReference` per item that
    could not be read. Empty or blank text gives neither.
    """
    references: list[Reference] = []
    errors: list[MalformedReference] = []
    context: Reference | None = None  # the last keyword reference, for "Eqs. 3 and 4"
    poisoned = False  # the last keyword item was malformed: its continuations are noise
    for start, end, empty in _items(text):
        if empty:
            errors.append(MalformedReference(text[start:end], start, end, "empty reference"))
            continue
        try:
            parsed, replaces = _parse_item(text, start, end, context, poisoned)
        except _Bad as bad:
            errors.append(MalformedReference(text[start:end], start, end, str(bad), bad.suggestion))
            context, poisoned = None, True
            continue
        if replaces:
            references.pop()
        references.extend(parsed)
        if parsed:
            last = parsed[-1]
            context = None if last.kind in (K.LABEL, K.HYPERPARAMETER) else last
            poisoned = False
    return tuple(references), tuple(errors)


def format_reference(reference: Reference) -> str:
    """The canonical spelling: ``Eq. (3b)``, ``Section 3.2``, ``Algorithm 1 line 4``, a label."""
    kind = reference.kind
    if kind in (K.LABEL, K.HYPERPARAMETER):
        return reference.label
    if kind is K.EQUATION:
        return f"Eq. ({reference.number})"
    if kind is K.ALGORITHM_LINE:
        return f"Algorithm {reference.number} line {reference.line}"
    if kind is K.THEOREM:
        return f"{reference.theorem_word} {reference.number}"
    return f"{_FULL[kind]} {reference.number}"


def respell(text: str, old: str, new: str) -> str:
    """``text`` with ``old`` (a label or number written once in it, as a whole word)
    replaced by ``new``: "Eq. 3" respelled 3 -> 4 is "Eq. 4". "" when there is nothing to
    replace or ``old`` is not written exactly once ("Alg. 1 line 1")."""
    if not (old and new) or old == new:
        return ""
    written = list(re.finditer(rf"(?<![\w.:-]){re.escape(old)}(?![\w:-]|\.\w)", text))
    if len(written) != 1:
        return ""
    return f"{text[: written[0].start()]}{new}{text[written[0].end() :]}"


def _items(text: str) -> Iterator[tuple[int, int, bool]]:
    """(start, end, empty) of each item; an empty item points at a neighbouring separator."""
    separators = _top_level_separators(text)
    bounds = [0, *(edge for match in separators for edge in match), len(text)]
    reported: tuple[int, int] | None = None
    for index in range(len(separators) + 1):
        start, end = _trim(text, bounds[2 * index], bounds[2 * index + 1])
        if start < end:
            yield start, end, False
        elif separators and separators[min(index, len(separators) - 1)] != reported:
            # "Eq. 3,, 4" and "Eq. 3," point at the separator after the hole, else before it
            reported = separators[min(index, len(separators) - 1)]
            yield (*reported, True)


def _top_level_separators(text: str) -> list[tuple[int, int]]:
    """Separator spans outside parentheses, so a tag like ``(a, b)`` stays whole."""
    depth = [0]
    for char in text:
        step = 1 if char == "(" else -1 if char == ")" else 0
        depth.append(max(0, depth[-1] + step))
    return [match.span() for match in _SEPARATOR_RE.finditer(text) if depth[match.start()] == 0]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start].isspace() or text[start] == "~"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] == "~"):
        end -= 1
    return start, end


def _parse_item(
    text: str, start: int, end: int, context: Reference | None, poisoned: bool
) -> tuple[list[Reference], bool]:
    """The references one item adds, and whether they replace the previous one."""
    item = text[start:end]
    if _looks_numbered(item):
        if poisoned:
            return [], False
        if context is None:
            also = "" if item.startswith("(") else f" or 'Sec. {item}'"
            raise _Bad(f"'{item}' is ambiguous on its own; write e.g. 'Eq. {item}'{also}")
        return _continuation(item, start, end, context), False
    if _LINE_ITEM_RE.match(item):
        if poisoned:
            return [], False
        return _attach_lines(text, start, end, context)
    keyword = _keyword_references(item, start, end)
    if keyword is not None:
        return keyword, False
    return [_label_reference(item, start, end)], False


def _looks_numbered(item: str) -> bool:
    """A bare number or range; letters alone ("DQN") are left to be labels."""
    if not (_ONE_RE.fullmatch(item) or _RANGE_RE.fullmatch(item)):
        return False
    return item[0] == "(" or len(item) == 1 or "." in item or any(c.isdigit() for c in item)


def _continuation(item: str, start: int, end: int, context: Reference) -> list[Reference]:
    """More numbers of the previous keyword: the 4 of "Eqs. 3 and 4"."""
    if context.kind is K.ALGORITHM_LINE:
        lines = _line_numbers(item, f"Alg. {context.number}")
        return [_line(context.number, line, text=item, start=start, end=end) for line in lines]
    kind = K.ALGORITHM if context.kind is K.ALGORITHM else context.kind
    numbers = _numbers(item, kind, _SHORT.get(kind, context.theorem_word))
    return [_numbered(kind, number, context.theorem_word, item, start, end) for number in numbers]


def _attach_lines(text: str, start: int, end: int, context: Reference | None) -> tuple[list[Reference], bool]:
    """ "line 4" after "Alg. 1" turns it into "Alg. 1 line 4"; after a line, adds a line."""
    item = text[start:end]
    if context is None or context.kind not in (K.ALGORITHM, K.ALGORITHM_LINE):
        raise _Bad(f"'{item}' needs an algorithm, e.g. 'Alg. 1 {item}'")
    lines = _line_numbers(item, f"Alg. {context.number}")
    if context.kind is K.ALGORITHM_LINE:
        return [_line(context.number, line, text=item, start=start, end=end) for line in lines], False
    span = text[context.start : end]
    return [_line(context.number, line, text=span, start=context.start, end=end) for line in lines], True


def _keyword_references(item: str, start: int, end: int) -> list[Reference] | None:
    """References of a keyword item ("Eq. 3", "§3.2"); None when the item is not one."""
    match = _KEYWORD_RE.fullmatch(item)
    if match is None:
        return None
    word, gap, rest = match["word"], match["gap"], match["rest"]
    if not (gap or not rest or rest.startswith("(") or word.startswith("§")):
        return None  # "sec:intro", "eq1": a label
    single_token = _SPACE_RE.search(item) is None
    known = _KEYWORDS.get(word.casefold())
    if known is None:
        return _unknown_keyword(item, word, rest, single_token)
    kind, theorem_word = known
    written = word + ("." if gap.startswith(".") else "")
    try:
        return _keyword_item(kind, theorem_word, written, rest, item, start, end)
    except _Bad:
        if single_token and rest:
            return None  # "sec.intro", "fig.overview": a label after all
        raise


def _keyword_item(
    kind: ReferenceKind, theorem_word: str, written: str, rest: str, item: str, start: int, end: int
) -> list[Reference]:
    joiner = "" if written.startswith("§") else " "
    rest = _strip(rest)
    if not rest:
        raise _Bad(f"'{written}' needs a number, e.g. '{written}{joiner}{_EXAMPLE[kind]}'")
    if kind is K.ALGORITHM:
        split = _ALGORITHM_LINES_RE.fullmatch(rest)
        if split is not None:
            number = _single(_numbers(split["alg"], kind, written), split["alg"])
            lines = _line_numbers(split["lines"], f"{written} {number}")
            return [_line(number, line, text=item, start=start, end=end) for line in lines]
    numbers = _numbers(rest, kind, written)
    return [_numbered(kind, number, theorem_word, item, start, end) for number in numbers]


def _unknown_keyword(item: str, word: str, rest: str, single_token: bool) -> list[Reference] | None:
    """An error with a correction for "Eqn 3"; None lets a one-token item be a label."""
    near = _NEAR_MISSES.get(word.casefold())
    if near is None and not single_token:
        close = difflib.get_close_matches(word.casefold(), [w for w in _KEYWORDS if len(w) > 2], n=1, cutoff=0.75)
        near = _KEYWORDS[close[0]] if close else None
    if near is None or (single_token and not _ONE_RE.fullmatch(rest.rstrip("."))):
        if single_token:
            return None
        raise _unknown(item)
    kind, theorem_word = near
    prefix = _SHORT.get(kind, theorem_word)
    suggestion = f"{prefix} {rest.strip()}".strip()
    raise _Bad(f"unknown reference '{item}'; did you mean '{suggestion}'?", suggestion)


def _label_reference(item: str, start: int, end: int) -> Reference:
    """A label item: ``eq:loss``, ``hp:learning_rate``, or a bare key without spaces."""
    if _SPACE_RE.search(item):
        raise _unknown(item)
    label = item[:-1] if item.endswith(".") and len(item) > 1 else item  # end of a sentence
    if not _LETTER_RE.search(label):
        raise _unknown(item)
    kind = K.HYPERPARAMETER if label.casefold().startswith("hp:") and len(label) > 3 else K.LABEL
    return Reference(kind, item, label=label, start=start, end=end)


def _unknown(item: str) -> _Bad:
    spaced = _SPACED_LABEL_RE.fullmatch(item)
    if spaced is not None:
        label = f"{spaced['prefix']}:{spaced['key']}"
        return _Bad(f"unknown reference '{item}'; did you mean '{label}'?", label)
    return _Bad(f"unknown reference '{item}'; write a label such as 'eq:loss' or a number such as 'Eq. 3'")


def _numbers(spec: str, kind: ReferenceKind, written: str) -> list[str]:
    """The numbers a single number or a range of whole numbers names."""
    spec = _strip(spec)
    if kind is K.APPENDIX and spec[:1].islower():
        spec = spec[0].upper() + spec[1:]  # "appendix a.1" prints as A.1
    if _ONE_RE.fullmatch(spec):
        return [_one(spec, kind, written)]
    ranged = _RANGE_RE.fullmatch(spec)
    if ranged is None:
        raise _Bad(_not_a_number(spec, kind, written))
    first, last = _one(ranged["a"], kind, written), _one(ranged["b"], kind, written)
    if not (_WHOLE_RE.fullmatch(first) and _WHOLE_RE.fullmatch(last)):
        raise _Bad(f"cannot expand the range '{spec}': only whole numbers make a range; list each one")
    low, high = int(first), int(last)
    if high < low:
        raise _Bad(f"the range '{spec}' runs backwards")
    if high - low >= _MAX_RANGE:
        raise _Bad(f"the range '{spec}' spans more than {_MAX_RANGE} numbers")
    return [str(number) for number in range(low, high + 1)]


def _one(token: str, kind: ReferenceKind, written: str) -> str:
    """One number, parentheses removed; any tag text is an equation number."""
    if not token.startswith("("):
        return token
    inner = token[1:-1].strip()
    if inner and (kind is K.EQUATION or _NUMBER_RE.fullmatch(inner)):
        return inner
    raise _Bad(_not_a_number(token, kind, written))


def _not_a_number(spec: str, kind: ReferenceKind, written: str) -> str:
    noun = _noun(kind, written)
    article = "an" if noun[:1] in "aeiou" else "a"
    joiner = "" if written.startswith("§") else " "
    if kind is K.EQUATION and re.fullmatch(r"[\w*'+†‡-]+", spec):
        return f"'{spec}' is not an equation number; write a \\tag in parentheses, e.g. '{written} ({spec})'"
    return f"'{spec}' is not {article} {noun} number; write e.g. '{written}{joiner}{_EXAMPLE.get(kind, '1')}'"


def _noun(kind: ReferenceKind, written: str) -> str:
    if kind is K.THEOREM:
        return _KEYWORDS.get(written.rstrip(".").casefold(), (kind, "Theorem"))[1].lower()
    return "line" if kind is K.ALGORITHM_LINE else kind.value


def _line_numbers(spec: str, algorithm: str) -> list[str]:
    """Whole line numbers from "line 4", "lines 4-6", "l. 4" or a bare "4"."""
    word = _LINE_WORD_RE.match(spec)
    rest = _strip(spec[word.end() :] if word else spec)
    if not rest:
        raise _Bad(f"'{spec.strip()}' needs a number, e.g. '{algorithm} line 4'")
    lines = _numbers(rest, K.ALGORITHM_LINE, "line")
    for line in lines:
        if not _WHOLE_RE.fullmatch(line):
            raise _Bad(f"'{line}' is not a line number; write e.g. '{algorithm} line 4'")
    return [str(int(line)) for line in lines]


def _strip(spec: str) -> str:
    """Without surrounding spaces, ``~`` or a sentence's final period."""
    start, end = _trim(spec, 0, len(spec))
    if end > start and spec[end - 1] == ".":
        start, end = _trim(spec, start, end - 1)
    return spec[start:end]


def _single(numbers: list[str], spec: str) -> str:
    if len(numbers) != 1:
        raise _Bad(f"'{spec.strip()}' names several algorithms; give lines for one algorithm at a time")
    return numbers[0]


def _numbered(kind: ReferenceKind, number: str, theorem_word: str, text: str, start: int, end: int) -> Reference:
    return Reference(kind, text, number=number, theorem_word=theorem_word, start=start, end=end)


def _line(algorithm: str | None, line: str, *, text: str, start: int, end: int) -> Reference:
    return Reference(K.ALGORITHM_LINE, text, number=algorithm, line=line, start=start, end=end)
