"""The blueprint: which paper items use which, drawn as an SVG graph at build time.

An item uses another when ``\\ref``, ``\\eqref``, ``\\cref`` (and friends) name it in the
item's LaTeX or its lead-in sentence; an algorithm line's references (as written) are its
algorithm's, the edge's tooltip naming the line. A proof's text is not an item: references
only there are not drawn. Nodes are the
paper's numbered equations, algorithms, theorems, tables, figures and other labelled items,
coloured by their status on the page. networkx layers them (topological generations, the
used item above its users; its drawing layouts need numpy, which paperlink does not
depend on), rows keep paper order, so the picture is the same on every run; the page carries
no graph library, only the SVG.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from paperlink.paper import ItemKind, Paper, PaperItem, display_name
from paperlink.report.anchors import Anchors
from paperlink.report.views import BlueprintEdgeView, BlueprintNodeView, BlueprintView

__all__ = ["blueprint_view", "item_uses"]

_REFERENCE = re.compile(r"\\(?:eqref|ref|cref|Cref|autoref|crefrange|Crefrange|labelcref)\*?\{([^{}]*)\}")
_NODE_KINDS = frozenset(
    {ItemKind.EQUATION, ItemKind.ALGORITHM, ItemKind.THEOREM, ItemKind.TABLE, ItemKind.FIGURE, ItemKind.OTHER}
)
# what each status is called in the nodes' tooltips and the legend: the colour is not alone (each has a border style too)
STATUS_NAMES = {
    "implemented": "implemented",
    "stale": "stale link",
    "missing": "missing",
    "exempt": "exempt",
    "other": "not counted",
}
NODE_WIDTH, NODE_HEIGHT, COLUMN, ROW, MARGIN, PER_ROW = 110, 30, 130, 70, 10, 8


def _nodes(paper: Paper) -> list[PaperItem]:
    return [item for item in paper.items if item.kind in _NODE_KINDS and item.number is not None]


def item_uses(paper: Paper, paper_lines: Mapping[str, Sequence[str]] | None = None) -> list[tuple[str, str, str]]:
    """(user key, used key, where) for every reference between two nodes, in paper order, once each.

    An item's text is its LaTeX and its lead-in sentence (the prose below it leads in to the
    next item); an algorithm line's is the line as written in ``paper_lines`` (path -> lines).
    """
    nodes = {item.key for item in _nodes(paper)}
    by_label = {label: item.key for item in paper.items for label in item.labels}
    items = {item.key: item for item in paper.items}
    edges: dict[tuple[str, str], str] = {}
    for item in paper.items:
        user = item.parent if item.kind is ItemKind.ALGORITHM_LINE else item.key
        if user not in nodes:
            continue
        if item.kind is ItemKind.ALGORITHM_LINE:
            written = (paper_lines or {}).get(item.span.path, ())
            text = " ".join(written[item.span.line - 1 : item.span.end_line or item.span.line])
        else:
            text = " ".join((item.latex, *item.prose[:1]))
        for found in _REFERENCE.finditer(text):
            for label in found.group(1).split(","):
                used = by_label.get(label.strip())
                if used is not None and used in nodes and used != user:
                    where = display_name(items[user])
                    if item.kind is ItemKind.ALGORITHM_LINE:
                        where = f"{where} {display_name(item)}"
                    edges.setdefault((user, used), f"{where} uses {display_name(items[used])}")
    return [(user, used, where) for (user, used), where in edges.items()]


def blueprint_view(
    paper: Paper, anchors: Anchors, status: Mapping[str, str], paper_lines: Mapping[str, Sequence[str]]
) -> BlueprintView | None:
    """The graph of ``paper``'s items; ``status`` gives each shown item's status by element id."""
    import networkx as nx

    nodes = _nodes(paper)
    if not nodes:
        return None
    uses = item_uses(paper, paper_lines)
    graph = nx.DiGraph()
    graph.add_nodes_from(item.key for item in nodes)  # paper order: the order within a layer
    graph.add_edges_from((used, user) for user, used, _ in uses)
    layers = _layers(graph, nx)
    rows: dict[int, list[str]] = {}
    for key in graph.nodes:  # paper order within a layer
        rows.setdefault(layers[key], []).append(key)
    # a layer wider than PER_ROW continues on the next rows, so a long paper grows down, not sideways
    lines = [row[start : start + PER_ROW] for _, row in sorted(rows.items()) for start in range(0, len(row), PER_ROW)]
    width = max(len(line) for line in lines) * COLUMN + 2 * MARGIN
    place = {}
    for number, line in enumerate(lines):
        offset = (width - len(line) * COLUMN) / 2  # each row centred
        for index, key in enumerate(line):
            place[key] = (offset + index * COLUMN + (COLUMN - NODE_WIDTH) / 2, MARGIN + number * ROW)
    items = {item.key: item for item in nodes}
    node_views = []
    for key in graph.nodes:
        ref = anchors.item_ref(paper.name, key)
        x, y = place[key]
        node_status = status.get((ref.href or "#")[1:], "") or "other"
        node_views.append(
            BlueprintNodeView(
                x=_number(x),
                y=_number(y),
                label=ref.text,
                title=f"{ref.text} {items[key].title or ''}".strip()
                + f": {STATUS_NAMES.get(node_status, node_status)}",
                href=ref.href,
                status=node_status,
            )
        )
    edge_views = []
    for user, used, where in uses:
        (ux, uy), (sx, sy) = place[user], place[used]
        edge_views.append(
            BlueprintEdgeView(
                x1=_number(sx + NODE_WIDTH / 2),
                y1=_number(sy + NODE_HEIGHT),
                x2=_number(ux + NODE_WIDTH / 2),
                y2=_number(uy),
                title=where,
            )
        )
    height = MARGIN * 2 + len(lines) * ROW - (ROW - NODE_HEIGHT)
    return BlueprintView(
        str(width), str(height), tuple(node_views), tuple(edge_views), NODE_WIDTH, NODE_HEIGHT, paper.name
    )


def _layers(graph: Any, nx: Any) -> dict[str, int]:
    """Each item one layer below the deepest item it uses (networkx's topological generations of
    the graph with its cycles condensed: items that refer to each other share a layer)."""
    condensed = nx.condensation(graph)
    depth = {
        component: number
        for number, generation in enumerate(nx.topological_generations(condensed))
        for component in generation
    }
    return {key: depth[component] for key, component in condensed.graph["mapping"].items()}


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")
