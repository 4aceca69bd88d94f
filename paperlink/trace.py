"""Resolving references against papers: which paper item each reference names.

Pure: references and parsed papers in, one :class:`Resolution` per reference out.
Messages follow the house style: they state the fact and cite paper items by printed
number and label, without a trailing period.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from paperlink.paper.model import ItemKind, Paper, PaperItem, display_name
from paperlink.references import Reference, ReferenceKind, format_reference, respell

__all__ = ["Problem", "Resolution", "resolve", "resolve_all"]

Problem = Literal["unknown", "ambiguous", "unknown-paper"]

K = ReferenceKind

# The item kind each numbered reference kind looks in; appendices are sections.
_ITEM_KIND = {
    K.EQUATION: ItemKind.EQUATION,
    K.SECTION: ItemKind.SECTION,
    K.APPENDIX: ItemKind.SECTION,
    K.ALGORITHM: ItemKind.ALGORITHM,
    K.ALGORITHM_LINE: ItemKind.ALGORITHM_LINE,
    K.TABLE: ItemKind.TABLE,
    K.FIGURE: ItemKind.FIGURE,
    K.THEOREM: ItemKind.THEOREM,
}

_PLURAL = {
    K.EQUATION: "numbered equations",
    K.SECTION: "numbered sections",
    K.APPENDIX: "appendix",
    K.ALGORITHM: "numbered algorithms",
    K.ALGORITHM_LINE: "numbered algorithms",
    K.TABLE: "numbered tables",
    K.FIGURE: "numbered figures",
    K.THEOREM: "numbered theorems or theorem-like statements",
}

# Kinds whose number an equation reference may have meant ("Eq. 2" when only Table 2 exists).
# Not sections: every number is some section's, so they would be named on every miss.
_CROSS_KINDS = (ItemKind.ALGORITHM, ItemKind.TABLE, ItemKind.FIGURE, ItemKind.THEOREM)

_WHOLE = re.compile(r"[0-9]{1,9}")
_SEPARATORS = re.compile(r"[\s_.:/-]+")  # eq:loss-fn, eq:loss_fn and eq:LossFn name one label


@dataclass(frozen=True)
class Resolution:
    """What one reference names in a paper, or why it names nothing.

    ``item`` is set when exactly one paper item matches; ``candidates`` holds the
    matches when several do (``problem == "ambiguous"``).
    """

    reference: Reference
    item: PaperItem | None = None
    candidates: tuple[PaperItem, ...] = ()
    problem: Problem | None = None
    message: str = ""  # for problems only
    paper: str | None = None  # name of the paper the reference was resolved against
    # "unknown" only: the reference's text respelled as the one item the message proposes
    # ("" when it proposes none or several), and whether that is a guess (the nearest
    # number) rather than a spelling corrected (a label's typo)
    suggestion: str = ""
    guess: bool = False


def resolve(reference: Reference, paper: Paper) -> Resolution:
    """Find the paper item ``reference`` names in ``paper``."""
    matches = _matches(reference, paper)
    if len(matches) == 1:
        return Resolution(reference, item=matches[0], paper=paper.name)
    if matches:
        places = ", ".join(f"{_key(item)} ({item.span.path}:{item.span.line})" for item in matches)
        message = f"{format_reference(reference)} is ambiguous in paper '{paper.name}': {places}"
        return Resolution(reference, candidates=matches, problem="ambiguous", message=message, paper=paper.name)
    message, suggestion, guess = _unknown_message(reference, paper)
    return Resolution(
        reference, problem="unknown", message=message, paper=paper.name, suggestion=suggestion, guess=guess
    )


def resolve_all(
    references: Iterable[Reference],
    papers: Mapping[str, Paper],
    paper_name: str | None,
    default_paper: str | None,
) -> tuple[Resolution, ...]:
    """Resolve references against the paper they name, else the default, else the only one.

    When that paper is not configured every reference gets the problem ``"unknown-paper"``.
    """
    name = paper_name or default_paper
    if name is None and len(papers) == 1:
        name = next(iter(papers))
    paper = papers.get(name) if name is not None else None
    if paper is None:
        message = _paper_problem(name, papers)
        return tuple(
            Resolution(reference, problem="unknown-paper", message=message, paper=name) for reference in references
        )
    return tuple(resolve(reference, paper) for reference in references)


def _paper_problem(name: str | None, papers: Mapping[str, Paper]) -> str:
    names = sorted(papers)
    listed = ", ".join(names)
    if not names:
        return "no papers are configured" if name is None else f"unknown paper '{name}'; no papers are configured"
    if name is None:
        return f"several papers are configured ({listed}); name one or set default-paper"
    close = difflib.get_close_matches(name, names, n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return f"unknown paper '{name}' (configured: {listed}){hint}"


def _matches(reference: Reference, paper: Paper) -> tuple[PaperItem, ...]:
    """Every paper item the reference could name; one hyperparameter counts once."""
    if reference.kind is K.LABEL:
        return _distinct(_labelled(paper, reference.label))
    if reference.kind is K.HYPERPARAMETER:
        return _distinct(_hyperparameters(paper, reference.label) or _labelled(paper, reference.label))
    wanted = reference.line if reference.kind is K.ALGORITHM_LINE else reference.number
    same = [item for item in _pool(reference, paper) if item.number == wanted]
    if reference.kind is K.THEOREM:
        word = reference.theorem_word.casefold()
        by_word = [item for item in same if item.environment.casefold() == word]
        # shared counters make "Lemma 2" and "Theorem 2" distinct; a lone 2 is accepted anyway
        return tuple(by_word) or (tuple(same) if len(same) == 1 else ())
    return tuple(same)


def _pool(reference: Reference, paper: Paper) -> list[PaperItem]:
    """The items of the kind a numbered reference looks in, whatever their number."""
    kind = _ITEM_KIND[reference.kind]
    items = [item for item in paper.items if item.kind is kind]
    if reference.kind is K.APPENDIX:
        return [item for item in items if item.appendix]
    if reference.kind is K.ALGORITHM_LINE:
        parents = {item.key for item in _algorithms(paper, reference.number)}
        return [item for item in items if item.parent in parents]
    return items


def _algorithms(paper: Paper, number: str | None) -> list[PaperItem]:
    return [item for item in paper.items if item.kind is ItemKind.ALGORITHM and item.number == number]


def _hyperparameters(paper: Paper, key: str) -> list[PaperItem]:
    """Statements of the hyperparameter ``key`` names: by key, else by its name in the paper.

    The reader's keys are canonical (``hp:gamma``) while code often spells out the name the
    paper prints (``hp:discount`` for "Discount"); both are accepted.
    """
    stated = [item for item in paper.items if item.kind is ItemKind.HYPERPARAMETER]
    by_key = [item for item in stated if item.key == key]
    return by_key or [item for item in stated if _name_key(item) == key.casefold()]


def _name_key(item: PaperItem) -> str:
    """``hp:`` and the printed name in snake case: "Replay capacity" -> hp:replay_capacity."""
    name = re.sub(r"[^0-9a-z]+", "_", item.title.casefold()).strip("_")
    return f"hp:{name}" if name else ""


def _labelled(paper: Paper, label: str) -> list[PaperItem]:
    """Items carrying the label; an item's key counts as one of its labels."""
    return [item for item in paper.items if label in item.labels or item.key == label]


def _distinct(items: list[PaperItem]) -> tuple[PaperItem, ...]:
    """Drop repeated statements of one hyperparameter (prose and table): the first stands."""
    seen: set[str] = set()
    kept = []
    for item in items:
        if item.kind is ItemKind.HYPERPARAMETER:
            if item.key in seen:
                continue
            seen.add(item.key)
        kept.append(item)
    return tuple(kept)


def _unknown_message(reference: Reference, paper: Paper) -> tuple[str, str, bool]:
    """The message, the reference respelled as its one suggestion ("" if none) and whether
    that suggestion is a guess."""
    if reference.kind is K.LABEL:
        fact = f"{reference.label} is not a label of paper '{paper.name}'"
        hint, label, guess = _did_you_mean_label(reference.label, _labels(paper))
        return fact + hint, respell(reference.text, reference.label, label), guess
    if reference.kind is K.HYPERPARAMETER:
        fact = f"{reference.label} is not a hyperparameter of paper '{paper.name}'"
        stated = [i for i in paper.items if i.kind is ItemKind.HYPERPARAMETER]
        keys = list(dict.fromkeys(i.key for i in stated))
        names = list(dict.fromkeys(name for name in map(_name_key, stated) if name))
        hint, label, guess = _did_you_mean_label(reference.label, keys, names, _labels(paper))
        return fact + hint, respell(reference.text, reference.label, label), guess
    fact = f"{format_reference(reference)} is not in paper '{paper.name}'"
    if reference.kind is K.ALGORITHM_LINE and _algorithms(paper, reference.number):
        hint, line = _line_hint(reference, paper)
        return fact + hint, respell(reference.text, reference.line or "", line), True
    suggestions = _suggestions(reference, paper)
    if suggestions:
        message = f"{fact}; did you mean {_either([_cite(item, paper) for item in suggestions])}?"
        same_kind = len(suggestions) == 1 and suggestions[0].kind is _ITEM_KIND[reference.kind]
        number = (suggestions[0].number or "") if same_kind else ""
        return message, respell(reference.text, reference.number or "", number), True
    if not _suggestion_pool(reference, paper):
        return f"{fact}, which has no {_PLURAL[reference.kind]}", "", False
    return fact, "", False


def _line_hint(reference: Reference, paper: Paper) -> tuple[str, str]:
    """The hint after the message, and the line number it proposes ("" when none)."""
    lines = _pool(reference, paper)
    near = _nearest(reference.line or "", lines)
    if near is not None:
        return f"; did you mean {_cite(near, paper)}?", near.number or ""
    algorithm = _algorithms(paper, reference.number)[0]
    return f"; {_cite(algorithm, paper)} has no numbered lines", ""


def _suggestions(reference: Reference, paper: Paper) -> list[PaperItem]:
    """The nearest number of the same kind, and for equations the same number elsewhere."""
    near = _nearest(reference.number or "", _suggestion_pool(reference, paper))
    found = [near] if near is not None else []
    if reference.kind is K.EQUATION:
        found += [i for i in paper.items if i.kind in _CROSS_KINDS and i.number == reference.number]
    return found


def _suggestion_pool(reference: Reference, paper: Paper) -> list[PaperItem]:
    """Where a missing number's neighbours live; for a missing algorithm, the algorithms."""
    if reference.kind is K.ALGORITHM_LINE:
        return [item for item in paper.items if item.kind is ItemKind.ALGORITHM]
    pool = _pool(reference, paper)
    if reference.kind is K.THEOREM:
        word = reference.theorem_word.casefold()
        return [item for item in pool if item.environment.casefold() == word] or pool
    return pool


def _nearest(number: str, items: list[PaperItem]) -> PaperItem | None:
    """The item whose number is closest to ``number``, or None when none is close.

    Closest means the longest shared start ("2." of 2.4), then the same shape, then the
    nearest value where they part: 2.3 for 2.4, 3b for 3c, 7 for 99, A for B.
    """
    wanted = _parts(number)
    best: tuple[int, int, float] | None = None
    chosen: PaperItem | None = None
    for item in items:
        if item.number is None:
            continue
        score = _distance(wanted, _parts(item.number))
        if score is not None and (best is None or score < best):
            best, chosen = score, item
    if chosen is None:
        numbers = [item.number for item in items if item.number is not None]
        close = difflib.get_close_matches(number, numbers, n=1, cutoff=0.6)
        chosen = next((item for item in items if close and item.number == close[0]), None)
    return chosen


def _parts(number: str) -> list[str]:
    return re.findall(r"[0-9]+|[A-Za-z]+|[^0-9A-Za-z]+", number)


def _distance(wanted: list[str], found: list[str]) -> tuple[int, int, float] | None:
    """A sort key, smaller is closer; None when the numbers have nothing in common."""
    shared = 0
    while shared < min(len(wanted), len(found)) and wanted[shared] == found[shared]:
        shared += 1
    apart = float("inf")
    if shared < min(len(wanted), len(found)):
        here, there = _rank(wanted[shared]), _rank(found[shared])
        if here is not None and there is not None and (here[0] == there[0]):
            apart = abs(here[1] - there[1])
    if shared == 0 and apart == float("inf"):
        return None
    return (-shared, int(len(wanted) != len(found)), apart)


def _rank(part: str) -> tuple[str, int] | None:
    """A part's place in its sequence: ("digit", 12) or ("letter", 2) for b or B."""
    if _WHOLE.fullmatch(part):
        return ("digit", int(part))
    if len(part) == 1 and part.isascii() and part.isalpha():
        return ("letter", ord(part.lower()) - ord("a") + 1)
    return None


def _labels(paper: Paper) -> list[str]:
    """Every label and key of the paper, in document order, each once."""
    return list(dict.fromkeys(name for item in paper.items for name in (*item.labels, item.key)))


def _did_you_mean_label(label: str, *choice_lists: list[str]) -> tuple[str, str, bool]:
    """The hint after the message, the label it proposes ("" when none) and whether that is
    a guess: only the one label with the same letters and digits (case and separators aside)
    is sure; a close match by difflib is a guess (eq:loss_v1 is not eq:loss_v2)."""
    for choices in choice_lists:
        # LaTeX labels are case-sensitive, and difflib scores eq:MSE against eq:mse too low
        same_letters = [choice for choice in choices if _letters(choice) == _letters(label)]
        if same_letters:
            return f"; did you mean {same_letters[0]}?", same_letters[0], len(same_letters) > 1
        close = difflib.get_close_matches(label, choices, n=1)
        if close:
            return f"; did you mean {close[0]}?", close[0], True
    return "", "", False


def _letters(label: str) -> str:
    """A label's letters and digits, lower case: eq:Loss-Fn and eq:loss_fn are one spelling."""
    return _SEPARATORS.sub("", label.casefold())


def _cite(item: PaperItem, paper: Paper) -> str:
    """How a message names an item: printed number and label, ``Eq. (6) eq:cosine``."""
    if item.kind is ItemKind.HYPERPARAMETER:
        return item.key
    label = item.labels[0] if item.labels else ""
    if item.number is None:
        return label or display_name(item)
    name = display_name(item)
    if item.kind is ItemKind.ALGORITHM_LINE:
        algorithm = next((i for i in paper.items if i.key == item.parent), None)
        if algorithm is not None:
            name = f"{display_name(algorithm)} {name}"
    return f"{name} {label}".rstrip()


def _key(item: PaperItem) -> str:
    return item.labels[0] if item.labels else item.key


def _either(names: list[str]) -> str:
    """ "A", "A or B", "A, B or C"."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
