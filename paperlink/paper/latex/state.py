"""The reader's working data: items being built, the current label, the file being read.

Also the closing step that turns the working items into frozen :class:`PaperItem` s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from paperlink.diagnostics import Diagnostic
from paperlink.paper.model import Hyperparameter, ItemKind, PaperItem, Provenance
from paperlink.paper.numbering import Counters
from paperlink.paper.texscan import Definition
from paperlink.rules.paper_input import ConflictingHyperparameter
from paperlink.spans import LineIndex, Span

_MAX_INCLUDE_DEPTH = 32
_MAX_NESTING = 150
_MAX_SYNTAX_DIAGNOSTICS = 20

_SECTION_LEVELS = {
    "part": -1,
    "chapter": 0,
    "section": 1,
    "subsection": 2,
    "subsubsection": 3,
    "paragraph": 4,
    "subparagraph": 5,
}
_SECTION_PARENTS = {
    "subsection": "section",
    "subsubsection": "subsection",
    "paragraph": "subsubsection",
    "subparagraph": "paragraph",
}
_SINGLE_NUMBER = frozenset({"equation", "multline"})
_ROW_NUMBERS = frozenset({"align", "gather", "flalign", "alignat", "xalignat", "xxalignat", "eqnarray"})
_UNNUMBERED_MATH = frozenset(
    {
        "equation*",
        "multline*",
        "align*",
        "gather*",
        "flalign*",
        "alignat*",
        "xalignat*",
        "eqnarray*",
        "displaymath",
        "math",
        "split",
        "dmath*",
    }
)
_FLOATS = {
    "figure": "figure",
    "figure*": "figure",
    "wrapfigure": "figure",
    "SCfigure": "figure",
    "sidewaysfigure": "figure",
    "sidewaysfigure*": "figure",
    "floatingfigure": "figure",
    "table": "table",
    "table*": "table",
    "wraptable": "table",
    "SCtable": "table",
    "sidewaystable": "table",
    "sidewaystable*": "table",
    "floatingtable": "table",
    "algorithm2e": "algorithm",
    "algorithm": "algorithm",
    "algorithm*": "algorithm",
    "subfigure": "subfigure",
    "subtable": "subtable",
}
_FLOAT_KINDS = {
    "figure": ItemKind.FIGURE,
    "subfigure": ItemKind.FIGURE,
    "table": ItemKind.TABLE,
    "subtable": ItemKind.TABLE,
    "algorithm": ItemKind.ALGORITHM,
    "algocf": ItemKind.ALGORITHM,
}
_TABULARS = frozenset({"tabular", "tabular*", "tabularx", "tabulary", "longtable", "supertabular"})
_LIST_COUNTERS = ("enumi", "enumii", "enumiii", "enumiv")
_LISTS = frozenset({"enumerate", "enumerate*", "itemize", "itemize*", "description", "description*"})
_SKIPPED_ENVIRONMENTS = frozenset({"thebibliography", "tikzpicture", "pgfpicture", "filecontents"})
# Lines of algorithmic (upper case) and algpseudocode (algorithmicx) that get a number.
_ALGORITHMIC_LINES = frozenset(
    {
        "STATE",
        "IF",
        "ELSIF",
        "ELSE",
        "ENDIF",
        "FOR",
        "FORALL",
        "ENDFOR",
        "WHILE",
        "ENDWHILE",
        "REPEAT",
        "UNTIL",
        "LOOP",
        "ENDLOOP",
        "RETURN",
        "PRINT",
        "ENDFUNCTION",
        "FUNCTION",
        "PROCEDURE",
        "ENDPROCEDURE",
    }
)
_ALGORITHMIC_ENDS = frozenset({"ENDIF", "ENDFOR", "ENDWHILE", "ENDLOOP", "ENDFUNCTION", "ENDPROCEDURE"})
_ALGPSEUDOCODE_LINES = frozenset(
    {
        "State",
        "If",
        "ElsIf",
        "Else",
        "EndIf",
        "For",
        "ForAll",
        "EndFor",
        "While",
        "EndWhile",
        "Repeat",
        "Until",
        "Loop",
        "EndLoop",
        "Function",
        "EndFunction",
        "Procedure",
        "EndProcedure",
    }
)
_ALGPSEUDOCODE_ENDS = frozenset({"EndIf", "EndFor", "EndWhile", "EndLoop", "EndFunction", "EndProcedure"})
_KNOWN_CLASSES = frozenset(
    {
        "article",
        "report",
        "book",
        "amsart",
        "amsbook",
        "amsproc",
        "scrartcl",
        "scrreprt",
        "scrbook",
        "extarticle",
        "extreport",
        "extbook",
        "memoir",
        "llncs",
        "elsarticle",
        "acmart",
        "IEEEtran",
        "revtex4",
        "revtex4-1",
        "revtex4-2",
        "subfiles",
        "standalone",
    }
)
_CHAPTER_CLASSES = frozenset({"report", "book", "amsbook", "scrreprt", "scrbook", "extreport", "extbook", "memoir"})


@dataclass
class _Item:
    """A paper item while it is being read; frozen into :class:`PaperItem` at the end."""

    kind: ItemKind
    number: str | None
    span: Span
    environment: str = ""
    title: str = ""
    latex: str = ""
    parent: _Item | None = None
    level: int = 0
    labels: list[str] = field(default_factory=list)
    appendix: bool = False
    hyperparameter: Hyperparameter | None = None
    keep: bool = True  # list items and footnotes are kept only when labelled
    key: str = ""


@dataclass(frozen=True)
class _Anchor:
    """LaTeX's ``\\@currentlabel``: what a ``\\label`` here would print, and its item.

    ``number`` is None where LaTeX writes no usable number (a label before a caption
    under the caption package).
    """

    number: str | None
    item: _Item | None


@dataclass
class _File:
    """The file being walked: where its positions point and how it resolves includes."""

    path: Path
    relative: str
    text: str
    index: LineIndex
    definitions: tuple[Definition, ...]
    base: Path  # directory \input paths are relative to

    def span(self, offset: int) -> Span:
        return self.index.span(offset)


@dataclass
class _Float:
    counter: str
    items: list[_Item] = field(default_factory=list)
    rows: list[tuple[list[str], Span]] = field(default_factory=list)
    lines: list[_Item] = field(default_factory=list)
    stepped_ahead: bool = False  # a sub-caption stepped its counter for the caption that follows (or never comes)
    captioned_above: bool = False  # its last caption stepped the counter itself: sub-captions below share the number
    continued: bool = False  # \ContinuedFloat: the number and the sub-float letters go on from the last float


def _integer(text: str, counters: Counters) -> int | None:
    text = text.strip()
    value_of = re.fullmatch(r"\\value\s*\{\s*([A-Za-z@*]+)\s*\}", text)
    if value_of:
        return counters.value(value_of.group(1))
    try:
        return int(text)
    except ValueError:
        return None


_KEY_PREFIX = {
    ItemKind.SECTION: "section",
    ItemKind.EQUATION: "equation",
    ItemKind.ALGORITHM: "algorithm",
    ItemKind.TABLE: "table",
    ItemKind.FIGURE: "figure",
    ItemKind.THEOREM: "theorem",
    ItemKind.OTHER: "other",
}


def _assign_keys(items: list[_Item]) -> None:
    """Give each item a stable key: its first label, else kind and number (made unique)."""
    used: set[str] = set()
    tried: dict[str, int] = {}  # per key, the suffixes below this one are taken: linear for many repeats
    for item in items:
        if item.labels:
            key = item.labels[0]
        elif item.key:
            key = item.key
        elif item.kind is ItemKind.ALGORITHM_LINE:
            owner = (
                item.parent.key if item.parent is not None and item.parent.kind is ItemKind.ALGORITHM else "algorithm"
            )
            key = f"{owner}:line:{item.number}"
        elif item.number is not None:
            key = f"{_KEY_PREFIX[item.kind]}:{item.number}"
        else:
            key = f"{_KEY_PREFIX[item.kind]}:*:{_slug(item.title) or item.span.line}"
        if item.kind is ItemKind.HYPERPARAMETER and key in used:
            item.key = key  # a repeated statement of the same hyperparameter; kept for conflicts
            continue
        unique = key
        suffix = tried.get(key, 2)
        while unique in used:
            unique = f"{key}#{suffix}"
            suffix += 1
        tried[key] = suffix
        used.add(unique)
        item.key = unique


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40]


def _freeze(item: _Item, prose: tuple[str, ...] = ()) -> PaperItem:
    return PaperItem(
        kind=item.kind,
        key=item.key,
        number=item.number,
        span=item.span,
        labels=tuple(item.labels),
        title=item.title,
        latex=item.latex,
        parent=item.parent.key if item.parent is not None else None,
        environment=item.environment,
        level=item.level,
        hyperparameter=item.hyperparameter,
        appendix=item.appendix,
        prose=prose,
    )


def _conflicting_hyperparameters(items: tuple[PaperItem, ...]) -> list[Diagnostic]:
    """PL017 where the paper states one hyperparameter of its own with two different single
    values in the same scope and the same part of the paper (sets, other scopes, other work's
    values are no conflict), where the paper names the setting (a canonical name, a symbol, a
    table row or the author's directive: two counts keyed by their noun, "30000 sequences" and
    "16000 sequences", may count two things). Two sibling sections ("Training recipe" and "Teacher feature
    caching", the introduction and an ablation) describe two stages or experiments, and two
    values of one name on one line are the arms a sentence compares ("a 4-layer encoder adds
    ..., a 6-layer encoder ..."): neither is a conflict."""
    by_key = {item.key: item for item in items if item.kind is not ItemKind.HYPERPARAMETER}
    earlier: dict[tuple[str, str], list[PaperItem]] = {}
    found = []
    for item in items:
        stated = item.hyperparameter
        if stated is None or stated.value is None or stated.members or stated.provenance is not Provenance.OWN:
            continue
        if not (stated.canonical or stated.symbol or item.environment in _STATED_OUTRIGHT):
            continue  # a count or phrase keyed by its words ("30000 sequences"): two may count two things
        before = earlier.setdefault((item.key, stated.scope), [])
        other = next((o for o in before if _same_part(by_key, o, item)), None)
        before.append(item)
        if other is None or other.hyperparameter is None or other.span.line == item.span.line:
            continue
        a, b = other.hyperparameter.value, stated.value
        if a is not None and abs(a - b) > 1e-12 * max(abs(a), abs(b), 1e-300):
            found.append(
                ConflictingHyperparameter.at(
                    item.span,
                    f"{item.key} is stated as {stated.raw} here and as {other.hyperparameter.raw} at {other.span}",
                )
            )
    return found


# Where a statement names its setting outright (besides a canonical name or a symbol).
_STATED_OUTRIGHT = frozenset({"table", "directive", "config", "manifest"})


def _sections(by_key: dict[str, PaperItem], item: PaperItem) -> list[str]:
    """The keys of the sections around an item, innermost first."""
    chain: list[str] = []
    key = item.parent
    while key and key in by_key and key not in chain:
        if by_key[key].kind is ItemKind.SECTION:
            chain.append(key)
        key = by_key[key].parent
    return chain


def _same_part(by_key: dict[str, PaperItem], a: PaperItem, b: PaperItem) -> bool:
    """Whether one statement's section holds the other's (or either is in no section)."""
    first, second = _sections(by_key, a), _sections(by_key, b)
    return not first or not second or first[0] in second or second[0] in first
