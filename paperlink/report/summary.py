"""The summary every human-facing format shows: counts by severity and coverage by kind.

Both the HTML report and the Markdown pull-request comment read these view models, so
they agree on what "implemented" and the percentages mean. Kept free of third-party
imports: the CLI loads it with the formats.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from paperlink.diagnostics import Severity

if TYPE_CHECKING:
    from paperlink.results import CoverageRow, Report

__all__ = ["CoverageRowView", "SeverityCount", "Summary", "summarize", "coverage_row_view"]


@dataclass(frozen=True)
class SeverityCount:
    severity: str
    count: int


@dataclass(frozen=True)
class CoverageRowView:
    """One paper's items of one kind: exempt items need no code, so they leave ``needed``."""

    paper: str
    kind: str
    total: int
    implemented: int
    exempt: int
    missing: int
    needed: int
    percent: float | None  # None when nothing is needed
    percent_text: str  # "88%" or "n/a"


@dataclass(frozen=True)
class Summary:
    files: int
    diagnostics: int
    by_severity: tuple[SeverityCount, ...]  # every severity, in Severity's order
    coverage: tuple[CoverageRowView, ...]


def coverage_row_view(row: CoverageRow) -> CoverageRowView:
    needed = row.total - row.exempt
    percent = 100 * row.implemented / needed if needed else None
    text = f"{percent:.0f}%" if percent is not None else "n/a"
    return CoverageRowView(
        row.paper, row.kind, row.total, row.implemented, row.exempt, row.missing, needed, percent, text
    )


def summarize(report: Report) -> Summary:
    counts = Counter(d.severity for d in report.diagnostics)
    return Summary(
        files=report.files,
        diagnostics=len(report.diagnostics),
        by_severity=tuple(SeverityCount(s.value, counts[s]) for s in Severity),
        coverage=tuple(coverage_row_view(row) for row in report.coverage),
    )
