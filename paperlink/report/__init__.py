"""``paperlink report``: the paper↔code correspondence page, one self-contained HTML file.

View models first (:mod:`~paperlink.report.views`, built by :mod:`~paperlink.report.page`
and its helpers), then jinja2 templates from the top-level ``templates/`` folder
(:mod:`~paperlink.report.render`). Importing this package loads nothing heavy: the
Markdown format shares :mod:`~paperlink.report.summary` with the page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from paperlink.report.page import PageOptions
    from paperlink.results import Report

__all__ = ["render_html"]


def render_html(report: Report, options: PageOptions | None = None) -> str:
    """The report as one self-contained HTML page."""
    from paperlink.report.page import PageOptions, build_page
    from paperlink.report.render import render_page

    return render_page(build_page(report, options or PageOptions()))
