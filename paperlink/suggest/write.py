"""Writing accepted suggestions as ``# paper:`` comments: lines inserted, code untouched.

A comment goes on its own line above the target (above its decorators), at the target's
indentation, naming the item by a reference that resolves to exactly that item. Nothing
else in the file changes: the test reads the file back with the inserted lines removed
and compares it byte for byte.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from paperlink import boundary
from paperlink.paper.model import ItemKind, Paper, PaperItem
from paperlink.references import parse_references
from paperlink.suggest.rank import Candidate, Ranking
from paperlink.trace import resolve

__all__ = ["Insertion", "reference", "plan", "apply", "comment"]

_CITED_AS = {
    ItemKind.EQUATION: "Eq. ({number})",
    ItemKind.SECTION: "Sec. {number}",
    ItemKind.ALGORITHM: "Alg. {number}",
    ItemKind.TABLE: "Table {number}",
    ItemKind.FIGURE: "Figure {number}",
}


@dataclass(frozen=True)
class Insertion:
    """One ``# paper:`` line to insert above ``line`` of ``path``."""

    path: str
    line: int  # the comment goes above this line (1-based)
    indent: int
    references: tuple[str, ...]


def reference(item: PaperItem, paper: Paper) -> str | None:
    """How an annotation should name ``item``: the first of its labels, its printed number
    or its key that resolves to exactly this item; None when none does."""
    spellings = list(item.labels)
    if item.number is not None:
        if item.kind is ItemKind.SECTION and item.appendix:
            spellings.append(f"Appendix {item.number}")
        elif item.kind in _CITED_AS:
            spellings.append(_CITED_AS[item.kind].format(number=item.number))
        elif item.kind is ItemKind.ALGORITHM_LINE:
            parent = next((i for i in paper.items if i.key == item.parent), None)
            if parent is not None and parent.number is not None:
                spellings.append(f"Alg. {parent.number} line {item.number}")
    spellings.append(item.key)
    for spelling in spellings:
        references, malformed = parse_references(spelling)
        if len(references) == 1 and not malformed and resolve(references[0], paper).item == item:
            return spelling
    return None


def plan(chosen: Sequence[tuple[Ranking, Candidate]], paper: Paper, texts: dict[str, str]) -> list[Insertion]:
    """The insertions for the chosen suggestions, one line per target (several items
    joined), skipping a target that does not start its line (``if x: y = 1``)."""
    grouped: dict[tuple[str, int, int], list[str]] = defaultdict(list)
    for ranking, candidate in chosen:
        target = candidate.target
        lines = texts.get(target.path, "").splitlines()
        if not 0 < target.annotation_line <= len(lines):
            continue
        first = lines[target.annotation_line - 1]
        if len(first) - len(first.lstrip()) != target.indent:
            continue
        spelled = reference(ranking.item, paper)
        if spelled is not None:
            grouped[(target.path, target.annotation_line, target.indent)].append(spelled)
    return [
        Insertion(path, line, indent, tuple(dict.fromkeys(refs)))
        for (path, line, indent), refs in sorted(grouped.items())
    ]


def apply(insertions: Sequence[Insertion], root: Path, texts: dict[str, str]) -> tuple[list[str], list[str]]:
    """Insert the lines: (paths written, paths left alone because they changed since they
    were read or are not UTF-8), relative to ``root``. Line endings are kept."""
    by_path: dict[str, list[Insertion]] = defaultdict(list)
    for insertion in insertions:
        by_path[insertion.path].append(insertion)
    written, skipped = [], []
    for path, found in sorted(by_path.items()):
        real = boundary.check_inside(root / path, root)  # never written through a link leading outside
        try:
            text = real.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            skipped.append(path)
            continue
        if text.replace("\r\n", "\n") != texts.get(path, "").replace("\r\n", "\n"):
            skipped.append(path)
            continue
        newline = "\r\n" if "\r\n" in text else "\n"
        lines = text.splitlines(keepends=True)
        for insertion in sorted(found, key=lambda i: -i.line):
            lines.insert(insertion.line - 1, comment(insertion, newline))
        real.write_bytes("".join(lines).encode("utf-8"))
        written.append(path)
    return written, skipped


def comment(insertion: Insertion, newline: str = "\n") -> str:
    """The line written for ``insertion`` (by :func:`apply`, and by an editor's code action)."""
    return " " * insertion.indent + "# paper: " + ", ".join(insertion.references) + newline
