"""The paper model: every item code can point at, as LaTeX prints it.

Plain frozen data; readers (LaTeX, YAML manifest) build it and everything else only reads.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from paperlink.diagnostics import Diagnostic
from paperlink.spans import Span

__all__ = [
    "ItemKind",
    "PaperItem",
    "Hyperparameter",
    "Provenance",
    "MacroDefinition",
    "Limitation",
    "Paper",
    "display_name",
]


class ItemKind(enum.Enum):
    """What a paper item is. Sections include chapters, subsections and appendices."""

    SECTION = "section"
    EQUATION = "equation"
    ALGORITHM = "algorithm"
    ALGORITHM_LINE = "algorithm_line"
    TABLE = "table"
    FIGURE = "figure"
    THEOREM = "theorem"
    HYPERPARAMETER = "hyperparameter"
    OTHER = "other"  # a labelled list item, footnote or custom counter


class Provenance(enum.Enum):
    """Whose value a hyperparameter statement gives: only the paper's own are checked."""

    OWN = "own"  # the method the paper proposes
    BASELINE = "baseline"  # a baseline the paper runs itself
    CITED = "cited"  # what cited work used: listed, never checked against code


@dataclass(frozen=True)
class Hyperparameter:
    """The value (or set of values) a paper states for a hyperparameter.

    ``scope`` is where the statement holds: ``""`` for the whole paper, else lowercase words
    naming the section, experiment or table column ("atari", "imagenet linear probe").
    ``members`` holds the values of a set (a sweep, ablation arms), which are never a
    conflict; ``value`` is then ``None``. ``canonical`` is the vocabulary name
    (``learning_rate``) only where the paper's words mean it unqualified.
    """

    name: str  # as written in the paper, e.g. "learning rate"
    value: float | None  # parsed number; None when the value is not numeric or is a set
    raw: str  # the value as written, e.g. "3\\times10^{-4}"
    symbol: str = ""  # the math symbol the paper assigns, e.g. "N", "\\tau", "\\lambda_{\\text{gp}}"
    members: tuple[str, ...] = ()  # each member of a stated set, as written
    scope: str = ""
    provenance: Provenance = Provenance.OWN
    canonical: str | None = None  # vocabulary key without "hp:", e.g. "learning_rate"


@dataclass(frozen=True)
class PaperItem:
    """Something in the paper that code can implement or cite.

    ``number`` is exactly what LaTeX prints (``3``, ``2.1``, ``A.4``, ``3b``, a ``\\tag``'s
    text) and is ``None`` for unnumbered items or where it cannot be known statically
    (then the paper carries a :class:`Limitation`).
    """

    kind: ItemKind
    key: str  # stable identifier: first label, or a synthesized one
    number: str | None
    span: Span
    labels: tuple[str, ...] = ()
    title: str = ""  # section title, caption, theorem name or hyperparameter name
    latex: str = ""  # the item's LaTeX source (equation body, caption, table row)
    parent: str | None = None  # key of the enclosing item (section, algorithm)
    environment: str = ""  # LaTeX environment or command that produced it
    level: int = 0  # sectioning depth: part -1, chapter 0, section 1, subsection 2, ...
    hyperparameter: Hyperparameter | None = None
    appendix: bool = False
    # The prose right around it, as the reader found it in its file (paper/prose.py): the
    # lines just above (the lead-in sentence) and just below, each up to a blank line, a
    # display or a heading, joined by spaces; () when the file was empty. Context, not
    # identity: items compare (and hash) without it
    prose: tuple[str, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class MacroDefinition:
    """A user macro from ``\\newcommand``, ``\\def`` or ``\\DeclareMathOperator``."""

    name: str  # without the backslash
    arguments: int
    body: str
    default: str | None = None  # default for an optional first argument


@dataclass(frozen=True)
class Limitation:
    """Something about the paper paperlink cannot know statically, said out loud."""

    message: str
    span: Span


@dataclass(frozen=True)
class Paper:
    """A parsed paper: its items in document order and what went wrong reading it."""

    name: str
    source: str  # project-relative path of the main .tex or manifest
    title: str = ""
    authors: tuple[str, ...] = ()
    arxiv: str = ""
    document_class: str = ""
    items: tuple[PaperItem, ...] = ()
    macros: tuple[MacroDefinition, ...] = ()
    limitations: tuple[Limitation, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = field(default=())
    files: tuple[str, ...] = ()  # every file read, project-relative, in reading order
    not_implemented: tuple[str, ...] = ()  # labels the paper marks `% paperlink: not-implemented`

    def item(self, key: str) -> PaperItem | None:
        """The item with ``key``, if the paper has one."""
        return next((item for item in self.items if item.key == key), None)

    def label_numbers(self) -> dict[str, str | None]:
        """Each ``\\label`` key mapped to the number LaTeX prints for it."""
        numbers: dict[str, str | None] = {}
        for item in self.items:
            for label in item.labels:
                numbers.setdefault(label, item.number)
        return numbers


_DISPLAY_PREFIX = {
    ItemKind.SECTION: "Section",
    ItemKind.EQUATION: "Eq.",
    ItemKind.ALGORITHM: "Algorithm",
    ItemKind.TABLE: "Table",
    ItemKind.FIGURE: "Figure",
}


def display_name(item: PaperItem) -> str:
    """How a reader would cite the item: ``Eq. (3)``, ``Table 2``, ``Algorithm 1 line 4``."""
    if item.kind is ItemKind.HYPERPARAMETER:
        return item.title or item.key
    if item.number is None:
        return item.title or item.key
    if item.kind is ItemKind.EQUATION:
        return f"Eq. ({item.number})"
    if item.kind is ItemKind.SECTION and item.appendix:
        return f"Appendix {item.number}"
    if item.kind is ItemKind.ALGORITHM_LINE:
        return f"line {item.number}"
    if item.kind is ItemKind.THEOREM:
        return f"{item.environment} {item.number}"
    prefix = _DISPLAY_PREFIX.get(item.kind, item.environment or item.kind.value)
    return f"{prefix} {item.number}"
