"""The code side of the page: source files with line numbers, highlighting, links, diagnostics."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from markupsafe import Markup

from paperlink.report.anchors import Anchors
from paperlink.report.highlight import highlight_python, plain_lines
from paperlink.report.views import CodeFileView, FindingView, LineView, Ref
from paperlink.results import Link
from paperlink.source.notebook import Notebook

__all__ = ["code_file_views", "source_lines", "notebook_lines"]


def source_lines(path: str, text: str) -> list[Markup]:
    """The file's lines as markup: highlighted when it is Python."""
    return highlight_python(text) if path.endswith((".py", ".pyi")) else plain_lines(text)


def notebook_lines(notebook: Notebook) -> list[Markup]:
    """A notebook's cells as written, one after another and line for line as in its Python
    text (so positions in that text are lines here): code highlighted, markdown plain."""
    lines: list[Markup] = []
    for cell, source in zip(notebook.layout.cells, notebook.sources):
        shown = highlight_python(source) if cell.kind == "code" else plain_lines(source)
        shown = shown[: cell.line_count]
        lines.extend(shown + [Markup("")] * (cell.line_count - len(shown)))
    return lines


def code_file_views(
    texts: Mapping[str, str | None],
    lines_html: Mapping[str, Sequence[Markup]],
    links: Sequence[Link],
    findings: Sequence[FindingView],
    finding_spans: Mapping[str, tuple[str, int]],  # finding id -> (path, line)
    anchors: Anchors,
) -> tuple[CodeFileView, ...]:
    refs: dict[tuple[str, int], list[Ref]] = defaultdict(list)
    linked: dict[str, set[int]] = defaultdict(set)
    for link in links:
        ref = anchors.item_ref(link.paper, link.item_key)
        if ref not in refs[link.target.path, link.target.line]:
            refs[link.target.path, link.target.line].append(ref)
        end = link.target.end_line or link.target.line
        linked[link.target.path].update(range(link.target.line, end + 1))
    at_line: dict[tuple[str, int], list[FindingView]] = defaultdict(list)
    for finding in findings:
        at_line[finding_spans[finding.id]].append(finding)
    views = []
    for path in texts:  # in the page's order
        views.append(
            _file_view(path, texts[path], lines_html.get(path, ()), refs, linked[path], at_line, finding_spans, anchors)
        )
    return tuple(views)


def _file_view(
    path: str,
    text: str | None,
    lines_html: Sequence[Markup],
    refs: Mapping[tuple[str, int], list[Ref]],
    linked_lines: set[int],
    at_line: Mapping[tuple[str, int], list[FindingView]],
    finding_spans: Mapping[str, tuple[str, int]],
    anchors: Anchors,
) -> CodeFileView:
    layout = anchors.notebooks.get(path)
    shown = anchors.shown_lines.get(path)
    lines = []
    previous = 0  # the last shown line
    for number, html in enumerate(lines_html, start=1):
        if shown is not None and number not in shown:
            continue
        cell = layout.cell_at(number) if layout is not None else None
        lines.append(
            LineView(
                number=number,
                id=anchors.line_id(path, number),
                html=html,
                linked=number in linked_lines,
                refs=tuple(refs.get((path, number), ())),
                findings=tuple(at_line.get((path, number), ())),
                label=number if cell is None else number - cell.first_line + 1,
                # a cell's head on its first line, or on the first shown one when lines before it are left out
                cell=f"cell {cell.number} \u00b7 {cell.kind}"
                if cell is not None and (cell.first_line == number or previous < cell.first_line)
                else "",
                gap_before=number - previous - 1,
            )
        )
        previous = number
    gap_after = len(lines_html) - previous if lines else 0
    in_file = [f for (where, line), found in sorted(at_line.items()) if where == path for f in found]
    outside = tuple(f for f in in_file if not anchors.has_line(path, finding_spans[f.id][1]))
    note = "" if text is not None else "this file could not be read as text, so its lines are not shown"
    link_count = sum(len(found) for (where, _), found in refs.items() if where == path)
    permalink = anchors.forge.permalink(path) if anchors.forge else None
    return CodeFileView(
        anchors.file_ids[path], path, tuple(lines), note, link_count, len(in_file), outside, permalink, gap_after
    )
