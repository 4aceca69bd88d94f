"""Where a notebook's cells are: in its Python text, and in the ``.ipynb`` file.

Every analysis reads a notebook as one Python text, its cells one after another
(:mod:`paperlink.source.notebook`). :class:`NotebookLayout` maps lines of that text to a
cell and a line within it; :func:`to_cells` converts every span in diagnostics, links and
the analyses' sections at the end of a run, :func:`to_text_lines` converts back (the HTML
code view shows the cells in turn). :func:`locate_source_lines` finds, for formats that can
only address the file itself (SARIF, GitHub annotations), the line of the ``.ipynb`` file
where each source line is written.
"""

from __future__ import annotations

import bisect
import dataclasses
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

from paperlink.spans import Span

__all__ = [
    "Cell",
    "NotebookLayout",
    "to_cells",
    "to_text_lines",
    "locate_source_lines",
    "locate_sources",
    "split_source_lines",
]

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def split_source_lines(source: str) -> list[str]:
    """A cell's lines, without the break after the last one (the tokenizer's breaks)."""
    lines = _LINE_BREAK.split(source)
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()
    return lines


@dataclass(frozen=True)
class Cell:
    """One cell, and where its lines sit in the notebook's Python text and in the file."""

    number: int  # 1-based, among all the notebook's cells
    kind: str  # "code", "markdown" or "raw"
    first_line: int  # of the cell in the Python text
    line_count: int  # lines the cell takes there (at least one)
    file_lines: tuple[int, ...] = ()  # the .ipynb line of each of the cell's lines; () when unknown
    indent: int = 0  # characters of leading indentation IPython strips from the cell's lines

    @property
    def last_line(self) -> int:
        return self.first_line + self.line_count - 1


@dataclass(frozen=True)
class NotebookLayout:
    """Where each cell's lines are in the Python text of a notebook."""

    cells: tuple[Cell, ...]

    @cached_property
    def _starts(self) -> list[int]:
        return [cell.first_line for cell in self.cells]

    def cell_at(self, line: int) -> Cell | None:
        """The cell holding ``line`` of the Python text."""
        index = bisect.bisect_right(self._starts, line) - 1
        if index < 0 or line > self.cells[index].last_line:
            return None
        return self.cells[index]

    def to_cells(self, span: Span) -> Span:
        """``span`` (lines of the Python text) as a cell number and lines within that cell.

        A span that runs into later cells is cut at the end of its first cell.
        """
        if span.cell is not None:
            return span
        cell = self.cell_at(span.line)
        if cell is None:
            return span
        end_line, end_column = span.end_line, span.end_column
        if end_line is not None and end_line > cell.last_line:
            end_line, end_column = cell.last_line, None
        line = span.line - cell.first_line + 1
        end = None if end_line is None else end_line - cell.first_line + 1
        shift = cell.indent
        return Span(
            span.path, line, span.column + shift, end, None if end_column is None else end_column + shift, cell.number
        )

    def to_text_lines(self, span: Span) -> Span:
        """The inverse of :meth:`to_cells`."""
        if span.cell is None or not 0 < span.cell <= len(self.cells):
            return span
        cell = self.cells[span.cell - 1]
        offset, shift = cell.first_line - 1, cell.indent
        end = None if span.end_line is None else span.end_line + offset
        end_column = None if span.end_column is None else span.end_column - shift
        return Span(span.path, span.line + offset, span.column - shift, end, end_column)

    def file_line(self, span: Span) -> int:
        """The line of the ``.ipynb`` file where a cell position is written (1 when unknown)."""
        if span.cell is None or not 0 < span.cell <= len(self.cells):
            return span.line
        lines = self.cells[span.cell - 1].file_lines
        if not lines:
            return 1
        return lines[min(max(span.line, 1), len(lines)) - 1]


def to_cells(value: Any, layouts: Mapping[str, NotebookLayout]) -> Any:
    """``value`` with every notebook position in it given as a cell and a line in the cell.

    Walks spans, the dataclasses that hold them (diagnostics, links) and the JSON-ready
    sections of the analyses, whose spans are dictionaries with ``path`` and ``line``.
    """
    return _convert(value, lambda span: layouts[span.path].to_cells(span) if span.path in layouts else span)


def to_text_lines(value: Any, layouts: Mapping[str, NotebookLayout]) -> Any:
    """The inverse of :func:`to_cells`: notebook positions as lines of the notebook's text
    (all its cells one after another), as the HTML report shows a notebook."""
    return _convert(value, lambda span: layouts[span.path].to_text_lines(span) if span.path in layouts else span)


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _convert(value: Any, convert: Callable[[Span], Span]) -> Any:
    if type(value) in _SCALARS:  # most values of a section: no position in them
        return value
    if isinstance(value, Span):
        return convert(value)
    if isinstance(value, dict):
        if isinstance(value.get("path"), str) and isinstance(value.get("line"), int):
            return _convert_span_dict(value, convert)
        return {key: _convert(item, convert) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_convert(item, convert) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _convert(getattr(value, f.name), convert) for f in dataclasses.fields(value) if f.init}
        return replace(value, **changes)
    return value


def _convert_span_dict(data: dict, convert: Callable[[Span], Span]) -> dict:
    before = Span(
        data["path"],
        data["line"],
        data.get("column", 1),
        data.get("end_line"),
        data.get("end_column"),
        data.get("cell"),
    )
    span = convert(before)
    if span is before:
        return data
    converted: dict = {}
    for key, item in data.items():
        if key == "path":
            converted["path"] = item
            if span.cell is not None:
                converted["cell"] = span.cell
        elif key != "cell":
            converted[key] = _span_field(span, key, item)
    return converted


def _span_field(span: Span, key: str, item: Any) -> Any:
    if key == "line":
        return span.line
    if key == "column":
        return span.column
    if key == "end_line":
        return span.end_line if span.end_line is not None else span.line
    if key == "end_column":
        return span.end_column if span.end_column is not None else item
    return item


_SOURCE_KEY = re.compile(r'"source"\s*:\s*')
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_DECODER = json.JSONDecoder()


def locate_sources(text: str, sources: Sequence[object]) -> list[tuple[int, int] | None]:
    """For each cell (given its ``source`` value as decoded), where that value is written in
    the file's text (its start and end offsets); None for a cell whose source is not found.

    Found from the text, since ``json`` gives no positions: a ``"source"`` key (a key cannot
    occur inside a JSON string, where its quotes are escaped) is a cell's when the value
    written after it decodes to that cell's source. Cells are searched in order, so keys
    of the same name in outputs or metadata are passed over.
    """
    keys = [match.end() for match in _SOURCE_KEY.finditer(text)]
    found: list[tuple[int, int] | None] = []
    next_key = 0
    for source in sources:
        located = None
        for index in range(next_key, len(keys)):
            try:
                value, end = _DECODER.raw_decode(text, keys[index])
            except ValueError:
                continue
            if value == source:
                located, next_key = (keys[index], end), index + 1
                break
        found.append(located)
    return found


def locate_source_lines(text: str, sources: Sequence[str | list[str]]) -> list[tuple[int, ...]]:
    """For each cell (given its ``source`` value as decoded), the line of the file where
    each of its source lines is written; ``()`` for a cell whose source is not found
    (:func:`locate_sources`)."""
    found: list[tuple[int, ...]] = []
    line, counted = 1, 0  # newlines are counted once, front to back: outputs can be megabytes
    for source, located in zip(sources, locate_sources(text, sources)):
        if located is None:
            found.append(())
            continue
        lines: list[int] = []
        position = located[0]
        for part in [source] if isinstance(source, str) else list(source):
            match = _JSON_STRING.search(text, position)
            if match is None:
                break
            line += text.count("\n", counted, match.start())
            counted = match.start()
            lines.extend([line] * len(split_source_lines(part)))
            position = match.end()
        found.append(tuple(lines))
    return found
