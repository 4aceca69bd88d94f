"""The code beside the paper: each link's lines, trimmed to what its annotation binds.

A snippet is the bound span (a statement, or the first lines of a function or class) with
:data:`CONTEXT` lines around it, its ``file:line`` and the forge permalink. The page prints
every item's snippets after it, so a reader without JavaScript sees them in place; the
script only moves the selected item's snippets into the pane beside the paper.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from markupsafe import Markup

from paperlink.report.anchors import Anchors
from paperlink.report.views import SnippetLineView, SnippetView
from paperlink.results import Link

__all__ = ["CONTEXT", "BOUND_LINES", "snippets_by_item"]

CONTEXT = 2  # lines shown before and after the bound span
BOUND_LINES = 12  # at most this many lines of the bound span: a 100-line function shows its head


def snippets_by_item(
    links: Sequence[Link], lines_html: Mapping[str, Sequence[Markup]], anchors: Anchors
) -> dict[tuple[str, str], tuple[SnippetView, ...]]:
    """(paper, item key) -> the snippets of its links, in link order, each span once.

    Only files the page embeds (``lines_html``) give snippets: with ``--include-code findings``
    an item linked to a file without diagnostics keeps its plain ``file:line``.
    """
    found: dict[tuple[str, str], dict[tuple[str, int, int], SnippetView]] = defaultdict(dict)
    for link in links:
        lines = lines_html.get(link.target.path)
        if not lines or not 1 <= link.target.line <= len(lines):
            continue
        start = link.target.line
        end = min(max(start, link.target.end_line or start), len(lines))
        place = (link.target.path, start, end)
        if place not in found[link.paper, link.item_key]:
            found[link.paper, link.item_key][place] = _snippet(link, lines, start, end, anchors)
    return {key: tuple(snippets.values()) for key, snippets in found.items()}


def _snippet(link: Link, lines: Sequence[Markup], start: int, end: int, anchors: Anchors) -> SnippetView:
    last_bound = min(end, start + BOUND_LINES - 1)
    cut = end - last_bound  # bound lines left out: the rest of a long function
    first = max(1, start - CONTEXT)
    last = last_bound if cut else min(len(lines), end + CONTEXT)
    shown = tuple(
        SnippetLineView(number, lines[number - 1], start <= number <= end) for number in range(first, last + 1)
    )
    where = anchors.code_ref(link.target.path, start, link.target_name)
    span = f"lines {start}\u2013{end}" if end > start else f"line {start}"
    return SnippetView(where=where, span=span, lines=shown, cut=cut)
