"""Jupyter notebooks as Python sources.

A notebook (nbformat 4 JSON, read with the standard library) becomes one Python text: its
cells one after another, each starting on a new line, so that every rule reads a notebook
the way it reads a module, with names flowing from cell to cell as they do in a kernel.

* Code cells keep their code. IPython syntax that is not Python is neutralised in place,
  line for line: a line magic or shell escape (``%time``, ``!pip``) becomes ``pass`` at
  its indentation, ``x = !ls`` becomes ``x = None``, help lines (``obj?``) become empty; a
  cell magic (``%%bash``) empties its cell, except those that run the cell as Python
  (``%%time``, ``%%capture``, ...), which lose only their first line.
* Markdown cells keep only their annotation lines (``paper: Eq. 3``, or hidden in an HTML
  comment ``<!-- paper: Eq. 3 -->``), turned into comments; the engine binds them to the
  code cell that follows. Raw cells are empty lines.
* A code cell Python cannot parse is reported (PL001, at its cell and line) and left out;
  the rest of the notebook is still checked.

:class:`NotebookLayout` maps lines of that text back to cells: every position paperlink
reports in a notebook is a cell number and a line within the cell, and, for formats that
can only address the file itself (SARIF, GitHub annotations), the line of the ``.ipynb``
file where that source line is written.
"""

from __future__ import annotations

import ast
import bisect
import dataclasses
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from paperlink.diagnostics import Diagnostic, Severity
from paperlink.source.annotations import Annotation, statements_digest
from paperlink.spans import Span

__all__ = [
    "Cell", "Notebook", "NotebookError", "NotebookLayout", "bind_markdown_annotations", "is_notebook", "read_notebook",
    "to_cells", "to_text_lines",
]

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Cell magics whose body is Python that the kernel runs.
_PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug", "pypy", "python", "python3"})
_MAGIC = re.compile(r"^(?P<indent>[ \t]*)(?:[%!]|\?\?)")
_MAGIC_ASSIGNMENT = re.compile(r"^(?P<target>[ \t]*[\w.\[\], \t]+?=[ \t]*)[%!]")
_HELP = re.compile(r"^[ \t]*(?:\?\??[\w.]+\??|[\w.]+\?\??)[ \t]*$")
# An annotation line in a markdown cell, as written or inside an HTML comment.
MARKDOWN_ANNOTATION = re.compile(
    r"^(?P<lead>[ \t]*(?:<!--[ \t]*)?)(?P<body>paper(?:\[[^\]\n]*\])?[ \t]*:.*?)[ \t]*(?:-->)?[ \t]*$", re.IGNORECASE
)


def is_notebook(path: str) -> bool:
    return path.endswith(".ipynb")


@dataclass(frozen=True)
class Cell:
    """One cell, and where its lines sit in the notebook's Python text and in the file."""

    number: int  # 1-based, among all the notebook's cells
    kind: str  # "code", "markdown" or "raw"
    first_line: int  # of the cell in the Python text
    line_count: int  # lines the cell takes there (at least one)
    file_lines: tuple[int, ...] = ()  # the .ipynb line of each of the cell's lines; () when unknown

    @property
    def last_line(self) -> int:
        return self.first_line + self.line_count - 1


@dataclass(frozen=True)
class NotebookLayout:
    """Where each cell's lines are in the Python text of a notebook."""

    cells: tuple[Cell, ...]

    def cell_at(self, line: int) -> Cell | None:
        """The cell holding ``line`` of the Python text."""
        index = bisect.bisect_right([cell.first_line for cell in self.cells], line) - 1
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
            return replace(span, cell=None)
        end_line, end_column = span.end_line, span.end_column
        if end_line is not None and end_line > cell.last_line:
            end_line, end_column = cell.last_line, None
        line = span.line - cell.first_line + 1
        end = None if end_line is None else end_line - cell.first_line + 1
        return Span(span.path, line, span.column, end, end_column, cell.number)

    def to_text_lines(self, span: Span) -> Span:
        """The inverse of :meth:`to_cells`."""
        if span.cell is None or not 0 < span.cell <= len(self.cells):
            return span
        offset = self.cells[span.cell - 1].first_line - 1
        end = None if span.end_line is None else span.end_line + offset
        return Span(span.path, span.line + offset, span.column, end, span.end_column)

    def file_line(self, span: Span) -> int:
        """The line of the ``.ipynb`` file where a cell position is written (1 when unknown)."""
        if span.cell is None or not 0 < span.cell <= len(self.cells):
            return span.line
        lines = self.cells[span.cell - 1].file_lines
        if not lines:
            return 1
        return lines[min(max(span.line, 1), len(lines)) - 1]


@dataclass(frozen=True)
class Notebook:
    """A notebook read as Python: the text, its layout, and what could not be read."""

    python: str
    layout: NotebookLayout
    sources: tuple[str, ...]  # each cell's text as written, for the report's code view
    problems: tuple[Diagnostic, ...] = ()  # PL001 for code cells Python cannot parse
    language: str = "python"

    def markdown_lines(self, cell: Cell) -> list[str]:
        return _LINE_BREAK.split(self.sources[cell.number - 1])


class NotebookError(ValueError):
    """The file is not a notebook paperlink can read (PL004); ``line`` is in the file."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.line, self.column = line, column


def read_notebook(text: str, relative: str) -> Notebook:
    """The notebook in ``text`` as Python; :class:`NotebookError` when it cannot be read."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise NotebookError(f"not a notebook: invalid JSON ({error.msg})", error.lineno, error.colno) from None
    except RecursionError:
        raise NotebookError("not a notebook: its JSON is nested too deeply") from None
    cells = _cells(data)
    language = _language(data)
    sources = tuple(_source(cell, number) for number, cell in enumerate(cells, start=1))
    kinds = tuple(str(cell.get("cell_type")) for cell in cells)
    file_lines = _file_lines(text, cells)
    blocks = [_python_lines(kind, source) for kind, source in zip(kinds, sources)]
    problems: list[Diagnostic] = []
    if language == "python":
        for index, kind in enumerate(kinds):
            if kind == "code" and (error := _syntax_error("\n".join(blocks[index]))) is not None:
                problems.append(_unparsable(relative, index + 1, error))
                blocks[index] = [""] * len(blocks[index])
    else:
        blocks = [[""] * len(block) for block in blocks]
    layout, python = _assemble(kinds, blocks, file_lines)
    return Notebook(python, layout, sources, tuple(problems), language)


def _cells(data: object) -> list[dict]:
    if not isinstance(data, dict):
        raise NotebookError("not a notebook: the file holds JSON, but not an object")
    major = data.get("nbformat")
    if "worksheets" in data or (isinstance(major, int) and major < 4):
        raise NotebookError(f"nbformat {major} notebooks are not supported: convert with 'jupyter nbconvert --to notebook'")
    cells = data.get("cells")
    if not isinstance(cells, list):
        raise NotebookError("not a notebook: it has no 'cells' list")
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or "cell_type" not in cell or "source" not in cell:
            raise NotebookError(f"not a notebook: cell {number} has no 'cell_type' or 'source'")
    return cells


def _language(data: dict) -> str:
    metadata = data.get("metadata")
    if not isinstance(metadata, dict):
        return "python"
    for key, field in (("language_info", "name"), ("kernelspec", "language")):
        section = metadata.get(key)
        if isinstance(section, dict) and isinstance(section.get(field), str):
            return section[field].lower()
    return "python"


def _source(cell: dict, number: int) -> str:
    source = cell["source"]
    if isinstance(source, str):
        return source
    if isinstance(source, list) and all(isinstance(part, str) for part in source):
        return "".join(source)
    raise NotebookError(f"not a notebook: the source of cell {number} is neither text nor a list of lines")


def _python_lines(kind: str, source: str) -> list[str]:
    """The cell's lines as they stand in the Python text (as many as the cell has)."""
    lines = _LINE_BREAK.split(source)
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()  # the break after the last line
    if kind == "markdown":
        return [_markdown_line(line) for line in lines]
    if kind != "code":
        return [""] * len(lines)
    return _code_lines(lines)


def _markdown_line(line: str) -> str:
    found = MARKDOWN_ANNOTATION.match(line)
    return f"# {found.group('body')}" if found else ""


def _code_lines(lines: list[str]) -> list[str]:
    """A code cell's lines, IPython syntax neutralised; a cell Python parses as it is (a
    line may start with ``%`` inside brackets) is kept unchanged."""
    if not any(_MAGIC.match(line) or _MAGIC_ASSIGNMENT.match(line) or _HELP.match(line) for line in lines):
        return lines
    if _syntax_error("\n".join(lines)) is None:
        return lines
    first = next((line.strip() for line in lines if line.strip()), "")
    if first.startswith("%%"):
        name = first[2:].split(maxsplit=1)[0] if first[2:].strip() else ""
        if name not in _PYTHON_CELL_MAGICS:
            return [""] * len(lines)
        start = next(index for index, line in enumerate(lines) if line.strip())
        lines = [*lines[:start], "", *lines[start + 1 :]]
    out: list[str] = []
    continued = False
    for line in lines:
        if continued:  # a magic or shell command continued with a backslash
            out.append("")
            continued = line.rstrip().endswith("\\")
            continue
        neutral = _neutral(line)
        continued = neutral != line and line.rstrip().endswith("\\")
        out.append(neutral)
    return out


def _neutral(line: str) -> str:
    """``line`` with IPython-only syntax replaced by Python that binds the same names."""
    if (magic := _MAGIC.match(line)) is not None:
        return f"{magic.group('indent')}pass"
    if (assignment := _MAGIC_ASSIGNMENT.match(line)) is not None and not line.lstrip().startswith("#"):
        return f"{assignment.group('target')}None"
    if _HELP.match(line):
        return ""
    return line


def _syntax_error(code: str) -> SyntaxError | None:
    try:
        ast.parse(code)
    except SyntaxError as error:
        return error
    except (ValueError, RecursionError, MemoryError) as error:  # null bytes, absurd nesting
        return SyntaxError(str(error) or type(error).__name__)
    return None


def _unparsable(relative: str, number: int, error: SyntaxError) -> Diagnostic:
    line = error.lineno or 1
    message = f"cannot parse this cell: {error.msg}; the cell is left out"
    return Diagnostic(Span(relative, line, max(error.offset or 1, 1), cell=number), "PL001", message, Severity.ERROR)


def _assemble(kinds, blocks, file_lines) -> tuple[NotebookLayout, str]:
    cells: list[Cell] = []
    text: list[str] = []
    for index, (kind, block) in enumerate(zip(kinds, blocks)):
        block = block or [""]
        cells.append(Cell(index + 1, kind if kind in ("code", "markdown") else "raw", len(text) + 1, len(block), file_lines[index]))
        text.extend(block)
    return NotebookLayout(tuple(cells)), "".join(f"{line}\n" for line in text)


_SOURCE_KEY = re.compile(r'"source"\s*:\s*')
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)


def _file_lines(text: str, cells: list[dict]) -> list[tuple[int, ...]]:
    """For each cell, the line of the file where each of its source lines is written.

    Found from the text, since ``json`` gives no positions: the ``"source"`` keys (a key
    cannot occur inside a JSON string, where its quotes are escaped) are the cells', in
    order, when there is exactly one per cell; else positions stay unknown.
    """
    keys = [match.end() for match in _SOURCE_KEY.finditer(text)]
    if len(keys) != len(cells):
        return [()] * len(cells)
    found = []
    line, counted = 1, 0  # newlines are counted once, front to back: outputs can be megabytes
    for cell, start in zip(cells, keys):
        source = cell["source"]
        parts = [source] if isinstance(source, str) else list(source)
        lines: list[int] = []
        position = start
        for part in parts:
            match = _JSON_STRING.search(text, position)
            if match is None:
                return [()] * len(cells)
            line += text.count("\n", counted, match.start())
            counted = match.start()
            lines.extend([line] * max(len(_LINE_BREAK.split(part.rstrip("\r\n"))), 1))
            position = match.end()
        found.append(tuple(lines))
    return found


def bind_markdown_annotations(annotations: tuple[Annotation, ...], notebook: Notebook) -> tuple[Annotation, ...]:
    """Annotations written in markdown cells bind to the whole code cell that follows.

    In the Python text they are comments, bound like any comment; here they get the
    position they have in the markdown and, as their target, the next code cell's code.
    """
    layout = notebook.layout
    bound = []
    for annotation in annotations:
        cell = layout.cell_at(annotation.span.line)
        if cell is None or cell.kind != "markdown":
            bound.append(annotation)
            continue
        line = notebook.markdown_lines(cell)[annotation.span.line - cell.first_line]
        found = MARKDOWN_ANNOTATION.match(line)
        column = len(found.group("lead")) + 1 if found else 1
        span = Span(annotation.span.path, annotation.span.line, column, annotation.span.line, column + len(found.group("body")) if found else None)
        code = _next_code(notebook, cell, annotation.span.path)
        if code is None:
            problem = "a markdown annotation binds to the code cell after it, and no code cell follows"
            bound.append(replace(annotation, form="markdown", span=span, problem=problem))
            continue
        target, fingerprint = code
        bound.append(replace(annotation, form="markdown", span=span, target=target, target_name="", scope="", fingerprint=fingerprint))
    return tuple(bound)


def _next_code(notebook: Notebook, markdown: Cell, path: str) -> tuple[Span, str] | None:
    """The span of the first code cell after ``markdown`` with code in it, and its fingerprint."""
    lines = notebook.python.split("\n")
    for cell in notebook.layout.cells[markdown.number :]:
        if cell.kind != "code":
            continue
        code = lines[cell.first_line - 1 : cell.last_line]
        try:
            tree = ast.parse("\n".join(code))
        except (SyntaxError, ValueError, RecursionError):
            continue
        if not tree.body:
            continue
        first, last = tree.body[0], tree.body[-1]
        end_line = last.end_lineno or last.lineno
        end_column = len(code[end_line - 1]) + 1
        span = Span(path, cell.first_line + first.lineno - 1, first.col_offset + 1, cell.first_line + end_line - 1, end_column)
        return span, statements_digest(tree.body)
    return None


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


def _convert(value: Any, convert: Callable[[Span], Span]) -> Any:
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
    before = Span(data["path"], data["line"], data.get("column", 1), data.get("end_line"), data.get("end_column"), data.get("cell"))
    span = convert(before)
    if span is before:
        return data
    converted: dict = {}
    for key, item in data.items():
        if key == "path":
            converted["path"] = item
            if span.cell is not None:
                converted["cell"] = span.cell
        elif key == "cell":
            continue
        elif key == "line":
            converted[key] = span.line
        elif key == "end_line":
            converted[key] = span.end_line if span.end_line is not None else span.line
        elif key == "end_column":
            converted[key] = span.end_column if span.end_column is not None else item
        else:
            converted[key] = item
    return converted
