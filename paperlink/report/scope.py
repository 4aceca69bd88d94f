"""What code the page embeds: ``--include-code all|linked|findings``.

``all`` shows every checked file whole. ``linked`` (the default) shows the lines links bind,
the lines with diagnostics, the lines the analyses' tables point at and the paper lines the
paper view shows (its items' LaTeX), each with a few lines around it; ``findings`` only the
lines with diagnostics. A page of a large project then carries what a reader can reach from
the paper and the findings, not the whole tree (issue: 0.66-1.1 MB for small projects).
"""

from __future__ import annotations

from collections import defaultdict

from paperlink.report.panels import section_places
from paperlink.results import Report

__all__ = ["CONTEXT", "INCLUDE_CODE", "wanted_lines", "windows"]

INCLUDE_CODE = ("all", "linked", "findings")
CONTEXT = 3  # lines shown before and after each wanted line


def wanted_lines(report: Report, mode: str) -> dict[str, set[int]]:
    """The lines the page needs, by path; for ``all`` nothing is trimmed and this is unused."""
    found: dict[str, set[int]] = defaultdict(set)

    def add(path: str, line: int, end_line: int | None = None) -> None:
        found[path].update(range(line, max(line, end_line or line) + 1))

    for diagnostic in report.diagnostics:
        add(diagnostic.span.path, diagnostic.span.line)
    if mode == "findings":
        return dict(found)
    for link in report.links:
        add(link.target.path, link.target.line, link.target.end_line)
    for paper in report.papers.values():
        for item in paper.items:
            add(item.span.path, item.span.line, item.span.end_line)
    # a hyperparameter set in code that the paper states no value for (an optimiser's default in every
    # training script) keeps its table row and file:line, not lines of code: on 10,000 lines of cleanrl
    # those rows alone were 2,000 of the 3,400 code lines a page embedded
    stated = [row for row in report.sections.get("hyperparameters") or () if isinstance(row, dict) and row.get("paper")]
    for path, line, end_line in section_places({**report.sections, "hyperparameters": stated}):
        add(path, line, end_line)
    return dict(found)


def windows(wanted: set[int], line_count: int) -> frozenset[int]:
    """The wanted lines with :data:`CONTEXT` lines around each, within the file; a gap of one
    line is filled, at either end of the file too (a marker saying "1 line not shown" would take
    as much room)."""
    shown = {near for line in wanted for near in range(max(1, line - CONTEXT), min(line_count, line + CONTEXT) + 1)}
    shown |= {line for line in range(2, line_count) if line - 1 in shown and line + 1 in shown}
    if 2 in shown:
        shown.add(1)
    if line_count - 1 in shown:
        shown.add(line_count)
    return frozenset(shown)
