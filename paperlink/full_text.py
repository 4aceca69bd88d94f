"""The text format's ``full`` view: each diagnostic with its severity, source line and caret.

``concise`` is :func:`paperlink.formats.report_to_text` (one line per diagnostic); ``full``
is ruff's ``full`` output format, with the severity after the code::

    src/model.py:12:9: PL201 [error] .detach() stops the gradient with no stop-grad reason
       |
    12 |         z = z.detach()
       |             ^^^^^^^^^^ PL201
       |

The source lines come from ``read_line(path, line)``: :func:`line_reader` reads them from
the project's files, each file once; a diagnostic whose line cannot be read (a notebook
cell, a file gone since) is shown without it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from paperlink import boundary
from paperlink.diagnostics import Diagnostic
from paperlink.escaping import visible

if TYPE_CHECKING:
    from paperlink.results import Report

__all__ = ["report_to_full_text", "snippet", "line_reader"]

_TAB = "    "  # tabs are shown as four spaces, and the caret moves with them (as ruff's)
_LARGEST = 64 * 2**20  # a source file larger than this shows no line: the header says enough


def report_to_full_text(
    report: Report,
    read_line: Callable[[str, int], str | None],
    style: Callable[[str, str], str] | None = None,
    path: Callable[[str], str] | None = None,
) -> str:
    """Every diagnostic as a header line (with its severity) and the source it points at.

    ``style`` and ``path`` are :func:`paperlink.formats.report_to_text`'s.
    """
    paint = style or (lambda text, role: text)
    where = path or (lambda text: text)
    blocks = []
    for d in report.diagnostics:
        location = str(d.span)
        if location.startswith(d.span.path):
            location = where(d.span.path) + location[len(d.span.path) :]
        header = f"{paint(location, 'location')}: {paint(d.code, d.severity.value)} [{d.severity.value}] {d.message}\n"
        line = None if d.span.cell is not None else read_line(d.span.path, d.span.line)
        blocks.append(header + (snippet(d, line) if line is not None else ""))
    return "\n".join(blocks)


def snippet(diagnostic: Diagnostic, line: str) -> str:
    """The gutter, the source line and a caret under the span (to the line's end at most)."""
    span = diagnostic.span
    text = line.rstrip("\r\n")
    start = min(max(span.column, 1), len(text) + 1) - 1
    if span.end_line in (None, span.line) and span.end_column is not None and span.end_column > span.column:
        stop = min(span.end_column - 1, len(text))
    else:
        stop = start + 1
    # control and bidi characters escaped (a bidi override must not reorder what is read), and
    # the caret measured on the escaped text so that it still stands under the span
    shown = visible(text.replace("\t", _TAB))
    before = len(visible(text[:start].replace("\t", _TAB)))
    width = max(len(visible(text[:stop].replace("\t", _TAB))) - before, 1)
    number = str(span.line)
    gutter = " " * len(number)
    return (
        f"{gutter} |\n"
        f"{number} |{' ' + shown if shown else ''}\n"
        f"{gutter} | {' ' * before}{'^' * width} {diagnostic.code}\n"
        f"{gutter} |\n"
    )


def line_reader(root: Path, buffers: Mapping[str, bytes] | None = None) -> Callable[[str, int], str | None]:
    """``read_line(path, line)`` over the files under ``root`` (project-relative paths), each read
    once; ``buffers`` are read in place of their files (``check --stdin-filename``)."""
    files: dict[str, list[str] | None] = {}

    def read_line(path: str, line: int) -> str | None:
        if path not in files:
            try:
                data = buffers[path] if buffers and path in buffers else _read_inside(root, path)
                text = data.decode("utf-8", errors="replace").removeprefix("\ufeff")
                files[path] = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")  # as Python counts lines
            except OSError:
                files[path] = None
        lines = files[path]
        return lines[line - 1] if lines is not None and 1 <= line <= len(lines) else None

    return read_line


def _read_inside(root: Path, path: str) -> bytes:
    """A project file through the boundary (a link leading out is never read, even for a line);
    a file outside the project (a paper beside it, ``../paper.tex``) within its own folder."""
    file = root / path
    return boundary.read_bytes(file, root if not path.startswith("../") else file.parent, limit=_LARGEST)
