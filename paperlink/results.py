"""What ``paperlink check`` results in: :class:`Link`, :class:`CoverageRow` and the :class:`Report`.

The engine makes them; the code analyses (which read links), the output formats and the
HTML report read them. Kept apart from :mod:`paperlink.engine` so that none of those
imports the pipeline (and, through it, libcst and every reader). Also here: what counts as
covered (:func:`covered_keys`, :func:`is_exempt`), which the coverage rows and the HTML
report must agree on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from paperlink.diagnostics import Diagnostic, Severity
from paperlink.paper.model import ItemKind, Paper, PaperItem
from paperlink.references import Reference
from paperlink.source.notebook_layout import NotebookLayout
from paperlink.spans import Span

__all__ = ["Link", "CoverageRow", "Report", "covered_keys", "is_exempt"]

_GROUP_KINDS = frozenset({ItemKind.EQUATION, ItemKind.ALGORITHM})


@dataclass(frozen=True)
class Link:
    """A resolved annotation: code at ``span`` implements ``item_key`` of ``paper``."""

    paper: str
    item_key: str
    reference: str  # as written in the annotation
    form: str  # comment, decorator or docstring
    span: Span  # where the annotation is written
    target: Span  # the code it binds to
    target_name: str = ""
    scope: str = ""  # the definition the code sits in: part of the link's identity in paperlink.lock
    code_fingerprint: str = ""
    cited: Reference | None = None  # the reference parsed (a printed number is locked with its item)
    written: Span | None = None  # where the reference's text is written, when known (to rewrite it)


@dataclass(frozen=True)
class CoverageRow:
    """How many items of one kind in one paper have implementing code."""

    paper: str
    kind: str
    total: int
    implemented: int
    exempt: int

    @property
    def missing(self) -> int:
        return self.total - self.implemented - self.exempt


@dataclass(frozen=True)
class Report:
    """Everything ``check`` found, sorted and ready for any output format."""

    root: Path
    diagnostics: tuple[Diagnostic, ...]
    links: tuple[Link, ...]
    coverage: tuple[CoverageRow, ...]
    files: int
    locked: tuple = ()  # LockEntry for each link, as `paperlink lock` would write them
    checked_paths: tuple[str, ...] = ()  # project-relative paths of the files read
    sections: dict[str, Any] = field(default_factory=dict)  # each analysis's output section, by name
    papers: dict[str, Paper] = field(default_factory=dict)  # the papers read, by name (for the HTML report)
    exempt: frozenset[str] = frozenset()  # labels and keys exempt from coverage (config and paper)
    notebooks: dict[str, NotebookLayout] = field(default_factory=dict)  # the notebooks read, by path
    warnings: tuple[str, ...] = ()  # said once on stderr, never in the output: a discarded cache

    @property
    def failing(self) -> bool:
        return any(d.severity is not Severity.INFO for d in self.diagnostics)

    def coverage_percent(self) -> float | None:
        """Implemented or exempt items as a share of all checked items; None without coverage."""
        total = sum(row.total for row in self.coverage)
        if not total:
            return None
        return 100 * sum(row.implemented + row.exempt for row in self.coverage) / total


def covered_keys(paper: Paper, linked: set[str]) -> set[str]:
    """Keys of the items that count as implemented, given the keys linked directly."""
    by_key = {item.key: item for item in paper.items}
    covered = set(linked)
    for item in paper.items:
        group = by_key.get(item.parent) if item.parent else None
        if group is None or group.kind not in _GROUP_KINDS:
            continue  # a section does not implement its equations
        if item.key in linked:
            covered.add(group.key)  # a row covers its subequations block, a line its algorithm
        if group.key in linked:
            covered.add(item.key)
    return covered


def is_exempt(item: PaperItem, exempt: frozenset[str]) -> bool:
    return item.key in exempt or any(label in exempt for label in item.labels)
