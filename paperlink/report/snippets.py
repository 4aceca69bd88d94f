"""The code beside the paper: each link's lines, trimmed to what its annotation binds.

A snippet is the bound span (a statement, or the first lines of a function or class) with
:data:`CONTEXT` lines around it, its ``file:line`` and the forge permalink. The page prints
every item's snippets after it, so a reader without JavaScript sees them in place; the
script only moves the selected item's snippets into the pane beside the paper.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from paperlink.report.anchors import Anchors
from paperlink.report.views import SnippetLineView, SnippetView
from paperlink.results import Link

__all__ = ["CONTEXT", "BOUND_LINES", "Place", "link_places", "snippets_by_item"]

CONTEXT = 2  # lines shown before and after the bound span (blank ones at either edge left out)
BOUND_LINES = 12  # at most this many lines of the bound span: a 100-line function shows its head


@dataclass(frozen=True)
class Place:
    """Code shown for a paper item: a link's target, or a code site the hyperparameter analysis paired."""

    paper: str
    key: str
    path: str
    line: int
    end_line: int | None
    detail: str  # the function a link binds, or what a site sets ("32, match")


def link_places(links: Iterable[Link]) -> list[Place]:
    return [
        Place(link.paper, link.item_key, link.target.path, link.target.line, link.target.end_line, link.target_name)
        for link in links
    ]


def snippets_by_item(
    places: Iterable[Place], lines_html: Mapping[str, Sequence[Markup]], anchors: Anchors
) -> dict[tuple[str, str], tuple[SnippetView, ...]]:
    """(paper, item key) -> the snippets of its places, in order, each span once.

    Only files the page embeds (``lines_html``) give snippets: with ``--include-code findings``
    an item linked to a file without diagnostics keeps its plain ``file:line``.
    """
    found: dict[tuple[str, str], dict[tuple[str, int, int], SnippetView]] = defaultdict(dict)
    for place in places:
        lines = lines_html.get(place.path)
        if not lines or not 1 <= place.line <= len(lines):
            continue
        start = place.line
        end = min(max(start, place.end_line or start), len(lines))
        if (place.path, start, end) not in found[place.paper, place.key]:
            found[place.paper, place.key][place.path, start, end] = _snippet(place, lines, start, end, anchors)
    return {key: tuple(snippets.values()) for key, snippets in found.items()}


def _snippet(place: Place, lines: Sequence[Markup], start: int, end: int, anchors: Anchors) -> SnippetView:
    last_bound = min(end, start + BOUND_LINES - 1)
    cut = end - last_bound  # bound lines left out: the rest of a long function
    first = max(1, start - CONTEXT)
    last = last_bound if cut else min(len(lines), end + CONTEXT)
    while first < start and not lines[first - 1].strip():  # blank context says nothing
        first += 1
    while last > end and not lines[last - 1].strip():
        last -= 1
    shown = tuple(
        SnippetLineView(number, lines[number - 1], start <= number <= end) for number in range(first, last + 1)
    )
    where = anchors.code_ref(place.path, start, place.detail)
    span = f"lines {start}\u2013{end}" if end > start else f"line {start}"
    return SnippetView(where=where, span=span, lines=shown, cut=cut)
