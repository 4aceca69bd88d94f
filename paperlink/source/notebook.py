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
import json
import re
import warnings
from dataclasses import dataclass, replace
from typing import Sequence

from paperlink.diagnostics import Diagnostic
from paperlink.rules.source_input import SourceSyntaxError
from paperlink.source.annotations import Annotation, statements_digest
from paperlink.source.notebook_layout import Cell, NotebookLayout, locate_source_lines, split_source_lines
from paperlink.spans import Span

__all__ = ["Notebook", "NotebookError", "bind_markdown_annotations", "is_notebook", "read_notebook"]

# Cell magics whose body is Python that the kernel runs.
_PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug", "pypy", "python", "python3"})
_MAGIC = re.compile(r"^(?P<indent>[ \t]*)(?:[%!]|\?\?)")
_MAGIC_ASSIGNMENT = re.compile(r"^(?P<target>[ \t]*[\w.\[\], \t]+?=[ \t]*)[%!]")
_HELP = re.compile(r"^[ \t]*(?:\?\??[\w.]+\??|[\w.]+\?\??)[ \t]*$")
_LEADING_INDENT = re.compile(r"^[ \t]+")
_SURROGATE = re.compile("[\ud800-\udfff]")
# An annotation line in a markdown cell, as written or inside an HTML comment.
MARKDOWN_ANNOTATION = re.compile(
    r"^(?P<lead>[ \t]*(?:<!--[ \t]*)?)(?P<body>paper(?:\[[^\]\n]*\])?[ \t]*:.*?)[ \t]*(?:-->)?[ \t]*$", re.IGNORECASE
)


def is_notebook(path: str) -> bool:
    return path.endswith(".ipynb")


@dataclass(frozen=True)
class Notebook:
    """A notebook read as Python: the text, its layout, and what could not be read."""

    python: str
    layout: NotebookLayout
    sources: tuple[str, ...]  # each cell's text as written, for the report's code view
    problems: tuple[Diagnostic, ...] = ()  # PL001 for code cells Python cannot parse
    language: str = "python"

    def markdown_lines(self, cell: Cell) -> list[str]:
        return split_source_lines(self.sources[cell.number - 1])


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
    except ValueError as error:  # an integer past Python's 4300-digit conversion limit
        raise NotebookError(f"not a notebook: {str(error).split(';')[0]}") from None
    cells = _cells(data)
    language = _language(data)
    sources = tuple(_source(cell, number) for number, cell in enumerate(cells, start=1))
    kinds = tuple(str(cell.get("cell_type")) for cell in cells)
    file_lines = locate_source_lines(text, [cell["source"] for cell in cells])
    blocks, indents = zip(*(_python_lines(kind, source) for kind, source in zip(kinds, sources))) if cells else ((), ())
    blocks = list(blocks)
    problems: list[Diagnostic] = []
    if language == "python":
        for index, kind in enumerate(kinds):
            if kind == "code" and (error := _syntax_error("\n".join(blocks[index]))) is not None:
                problems.append(_unparsable(relative, index + 1, error))
                blocks[index] = [""] * len(blocks[index])
    else:
        blocks = [[""] * len(block) for block in blocks]
    layout, python = _assemble(kinds, blocks, file_lines, indents)
    return Notebook(python, layout, sources, tuple(problems), language)


def _cells(data: object) -> list[dict]:
    if not isinstance(data, dict):
        raise NotebookError("not a notebook: the file holds JSON, but not an object")
    major = data.get("nbformat")
    if "worksheets" in data or (isinstance(major, int) and major < 4):
        raise NotebookError(
            f"nbformat {major} notebooks are not supported: convert with 'jupyter nbconvert --to notebook'"
        )
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
    if isinstance(source, list) and all(isinstance(part, str) for part in source):
        source = "".join(source)
    if isinstance(source, str):
        # a lone surrogate (JSON allows "\\ud800") cannot be written out: one character for one
        return source.encode("utf-8", "replace").decode("utf-8") if _SURROGATE.search(source) else source
    raise NotebookError(f"not a notebook: the source of cell {number} is neither text nor a list of lines")


def _python_lines(kind: str, source: str) -> tuple[list[str], int]:
    """The cell's lines as they stand in the Python text (as many as the cell has), and the
    indentation IPython strips from them."""
    lines = split_source_lines(source)
    if kind == "markdown":
        return [_markdown_line(line) for line in lines], 0
    if kind != "code":
        return [""] * len(lines), 0
    indent = _LEADING_INDENT.match(lines[0])
    if indent is None:
        return _code_lines(lines), 0
    # IPython runs a cell whose first line is indented without that indentation
    prefix = indent.group()
    return _code_lines([line[len(prefix) :] if line.startswith(prefix) else line for line in lines]), len(prefix)


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
    in_string = ""  # the delimiter of a triple-quoted string open at the start of the line
    for line in lines:
        if continued:  # a magic or shell command continued with a backslash
            out.append("")
            continued = line.rstrip().endswith("\\")
            continue
        neutral = _neutral(line) if not in_string else line
        continued = neutral != line and line.rstrip().endswith("\\")
        out.append(neutral)
        in_string = _open_string(neutral, in_string)
    return out


def _open_string(line: str, open_at_start: str) -> str:
    """The triple-quoted string still open after ``line`` ("" if none): lines inside one are
    text, not magics. Single-quoted strings and comments are skipped; enough for IPython
    lines, which never continue a single-quoted string."""
    position, delimiter = 0, open_at_start
    while position < len(line):
        if delimiter:
            end = line.find(delimiter, position)
            while end > 0 and line[end - 1] == "\\" and (end - len(line[:end].rstrip("\\"))) % 2:
                end = line.find(delimiter, end + 1)
            if end < 0:
                return delimiter
            position, delimiter = end + 3, ""
            continue
        char = line[position]
        if char == "#":
            return ""
        if line.startswith(('"""', "'''"), position):
            delimiter, position = line[position : position + 3], position + 3
        elif char in "\"'":
            position = _string_end(line, position)
        else:
            position += 1
    return delimiter


def _string_end(line: str, start: int) -> int:
    quote, position = line[start], start + 1
    while position < len(line) and line[position] != quote:
        position += 2 if line[position] == "\\" else 1
    return position + 1


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
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarnings of the user's cells are not ours to print
            ast.parse(code)
    except SyntaxError as error:
        return error
    except (ValueError, RecursionError, MemoryError) as error:  # null bytes, absurd nesting
        return SyntaxError(str(error) or type(error).__name__)
    return None


def _unparsable(relative: str, number: int, error: SyntaxError) -> Diagnostic:
    line = error.lineno or 1
    message = f"cannot parse this cell: {error.msg}; the cell is left out"
    return SourceSyntaxError.at(Span(relative, line, max(error.offset or 1, 1), cell=number), message)


def _assemble(
    kinds: Sequence[str],
    blocks: Sequence[list[str]],
    file_lines: Sequence[tuple[int, ...]],
    indents: Sequence[int],
) -> tuple[NotebookLayout, str]:
    cells: list[Cell] = []
    text: list[str] = []
    for index, (kind, block) in enumerate(zip(kinds, blocks)):
        block = block or [""]
        kind = kind if kind in ("code", "markdown") else "raw"
        cells.append(Cell(index + 1, kind, len(text) + 1, len(block), file_lines[index], indents[index]))
        text.extend(block)
    return NotebookLayout(tuple(cells)), "".join(f"{line}\n" for line in text)


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
        span = _as_written(annotation.span, notebook.markdown_lines(cell)[annotation.span.line - cell.first_line])
        annotation = replace(annotation, text_spans=())  # read through a rewriting: no fix knows its columns
        code = _next_code(notebook, cell, annotation.span.path)
        if code is None:
            problem = "a markdown annotation binds to the code cell after it, and no code cell follows"
            bound.append(replace(annotation, form="markdown", span=span, problem=problem))
            continue
        target, fingerprint = code
        bound.append(
            replace(
                annotation, form="markdown", span=span, target=target, target_name="", scope="", fingerprint=fingerprint
            )
        )
    return tuple(bound)


def _as_written(span: Span, line: str) -> Span:
    """Where a markdown annotation is in its cell's line (the Python text has it as a comment)."""
    found = MARKDOWN_ANNOTATION.match(line)
    if found is None:
        return span
    column = len(found.group("lead")) + 1
    return Span(span.path, span.line, column, span.line, column + len(found.group("body")))


def _next_code(notebook: Notebook, markdown: Cell, path: str) -> tuple[Span, str] | None:
    """The span of the first code cell after ``markdown`` with code in it, and its fingerprint."""
    lines = notebook.python.split("\n")
    for cell in notebook.layout.cells[markdown.number :]:
        if cell.kind != "code":
            continue
        code = lines[cell.first_line - 1 : cell.last_line]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                tree = ast.parse("\n".join(code))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        if not tree.body:
            continue
        first, last = tree.body[0], tree.body[-1]
        end_line = last.end_lineno or last.lineno
        end_column = len(code[end_line - 1]) + 1
        span = Span(
            path, cell.first_line + first.lineno - 1, first.col_offset + 1, cell.first_line + end_line - 1, end_column
        )
        return span, statements_digest(tree.body)
    return None
