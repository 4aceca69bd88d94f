"""One coordinate system for every position paperlink reports.

A :class:`Span` names a project-relative POSIX path, a 1-based line and column, and an
exclusive end. libcst (0-based columns), the stdlib ``ast`` (0-based UTF-8 byte columns)
and pylatexenc (character offsets) are converted here and nowhere else.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Span", "LineIndex", "relative_path", "relative_paths", "ast_span", "split_lines", "line_starts"]


def relative_path(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` as POSIX (``../`` steps when it lies elsewhere).

    A symbolic link is named by its own name, never by its target's: only the folders
    above it are resolved. Never raises, and never gives an absolute path, which would
    tell a published report where the project was checked out (docs/security.md).
    """
    return relative_paths([path], root)[0]


def relative_paths(paths: Sequence[Path], root: Path) -> list[str]:
    """:func:`relative_path` of each of ``paths``, resolving ``root`` and each folder once
    (a run names every file of the project two or three times)."""
    try:
        base: Path | None = Path(os.path.realpath(root))
    except (OSError, ValueError):
        base = None
    folders: dict[Path, Path | None] = {}
    named = []
    for path in paths:
        absolute = Path(os.path.abspath(path))
        if not absolute.name:
            named.append(_relative(absolute, base, root))
            continue
        if absolute.parent not in folders:
            try:
                folders[absolute.parent] = Path(os.path.realpath(absolute.parent))
            except (OSError, ValueError):
                folders[absolute.parent] = None
        folder = folders[absolute.parent]
        if folder is None or base is None:  # a folder that cannot be resolved: both sides as written
            named.append(_relative(absolute, None, root))
        else:
            named.append(_relative(folder / absolute.name, base, root))
    return named


def _relative(named: Path, base: Path | None, root: Path) -> str:
    if base is None:
        base = Path(os.path.abspath(root))
    if named.is_relative_to(base):
        return named.relative_to(base).as_posix()
    try:
        return Path(os.path.relpath(named, base)).as_posix()
    except ValueError:  # another drive on Windows
        return named.name


@functools.total_ordering
@dataclass(frozen=True)
class Span:
    """A region of a file: 1-based line and column, end exclusive.

    In a notebook, ``cell`` is the 1-based position of the cell among all the notebook's
    cells (as ruff counts them) and lines count from the cell's first line. Spans order by
    path, cell, then position.
    """

    path: str
    line: int
    column: int = 1
    end_line: int | None = None
    end_column: int | None = None
    cell: int | None = None

    def _order(self) -> tuple:
        return (self.path, self.cell or 0, self.line, self.column, self.end_line or 0, self.end_column or 0)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Span):
            return NotImplemented
        return self._order() < other._order()

    def __str__(self) -> str:
        if self.cell is not None:
            return f"{self.path}:cell {self.cell}:{self.line}:{self.column}"
        return f"{self.path}:{self.line}:{self.column}"

    @property
    def location(self) -> str:
        """``path:line`` (``path:cell N:line`` in a notebook), for prose and tables."""
        if self.cell is not None:
            return f"{self.path}:cell {self.cell}:{self.line}"
        return f"{self.path}:{self.line}"

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {"path": self.path}
        if self.cell is not None:
            data["cell"] = self.cell
        data.update(
            line=self.line,
            column=self.column,
            end_line=self.end_line if self.end_line is not None else self.line,
            end_column=self.end_column if self.end_column is not None else self.column,
        )
        return data


# Python's line breaks: \r\n, \r and \n, as the tokenizer and CPython count a file's lines
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def split_lines(text: str) -> list[str]:
    """The lines of Python source ``text``, each with its break (the last may have none)."""
    return _LINE.findall(text)


def line_starts(text: str) -> list[int]:
    """The offset where each of :func:`split_lines`' lines starts, then the text's length."""
    starts = [0]
    for line in split_lines(text):
        starts.append(starts[-1] + len(line))
    return starts


class LineIndex:
    """Converts character offsets in one text into spans.

    Built once per file; each lookup is a binary search over line starts, so spans are
    computed only for the offsets that end up in the output.
    """

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        starts = [0]
        find = text.find
        pos = find("\n")
        while pos != -1:
            starts.append(pos + 1)
            pos = find("\n", pos + 1)
        self._starts = starts

    def line_column(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset."""
        from bisect import bisect_right

        line = bisect_right(self._starts, max(offset, 0))
        return line, offset - self._starts[line - 1] + 1

    def span(self, start: int, end: int | None = None) -> Span:
        line, column = self.line_column(start)
        if end is None:
            return Span(self.path, line, column)
        end_line, end_column = self.line_column(end)
        return Span(self.path, line, column, end_line, end_column)


def ast_span(path: str, lines: Sequence[str], node: object) -> Span:
    """The span of a stdlib ``ast`` node; ``lines`` are the file's lines without their breaks.

    ``ast`` counts columns in UTF-8 bytes; a Span counts characters, so non-ASCII lines are
    converted (ASCII lines, nearly all, cost nothing).
    """
    line = getattr(node, "lineno", 1)
    end_line = getattr(node, "end_lineno", None) or line
    column = _character_column(lines, line, getattr(node, "col_offset", 0))
    end_column = _character_column(lines, end_line, getattr(node, "end_col_offset", None) or 0)
    return Span(path, line, column, end_line, end_column)


def _character_column(lines: Sequence[str], line: int, byte_offset: int) -> int:
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    if text.isascii():
        return byte_offset + 1
    return len(text.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore")) + 1
