"""Writing suppression comments: ``paperlink check --add-noqa`` (ruff's ``--add-noqa``).

Each line holding diagnostics gets ``# paperlink: ignore[CODES] TODO: explain`` at its end
(the grammar of :mod:`paperlink.source.suppression_comments`), or its codes added to the
``# paperlink: ignore[...]`` comment already there. The rest of the file is kept byte for
byte: its encoding, byte-order mark and line endings. A line that ends inside a string
(a multi-line string, a backslash continuation) cannot take a comment and is left alone.
Run again, it adds nothing: the diagnostics it covered are suppressed.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from paperlink import boundary
from paperlink.diagnostics import Diagnostic
from paperlink.errors import PaperlinkError
from paperlink.source.tokens import comments_and_strings
from paperlink.spans import split_lines

__all__ = ["PLACEHOLDER", "Added", "add_suppressions", "add_to_files"]

PLACEHOLDER = "TODO: explain"  # the reason, for the next reader to replace
_UNSUPPRESSIBLE = frozenset({"PL112", "PL113"})  # the suppressions' own rules (paperlink.suppressions)
_LIST = re.compile(r"#\s*paperlink\s*:\s*ignore\[(?P<codes>[^\]]*)\]", re.IGNORECASE)


@dataclass(frozen=True)
class Added:
    """What ``--add-noqa`` did: suppressions written, files changed, diagnostics left."""

    suppressions: int
    files: int
    left: tuple[Diagnostic, ...]  # outside Python files, PL112/PL113, or on a line that takes no comment


def add_suppressions(text: str, codes_by_line: Mapping[int, Iterable[str]]) -> tuple[str, list[int]]:
    """``text`` with a suppression for the codes on each line, and the lines that take no comment."""
    lines = split_lines(text)
    blocked, comments = _lines_in_strings_and_comments(text)
    refused = []
    for number, codes in sorted(codes_by_line.items()):
        if not 1 <= number <= len(lines) or number in blocked:
            refused.append(number)
            continue
        line = lines[number - 1]
        body = line.rstrip("\r\n")
        ending = line[len(body) :]
        wanted = sorted(set(codes))
        existing = _LIST.search(body, comments[number]) if number in comments else None
        if existing is not None:
            written = [code.strip() for code in re.split(r"[,\s]+", existing.group("codes")) if code.strip()]
            merged = ", ".join([*written, *(code for code in wanted if code not in written)])
            body = f"{body[: existing.start('codes')]}{merged}{body[existing.end('codes') :]}"
        else:
            stripped = body.rstrip(" \t")
            separator = "  " if stripped else ""
            body = f"{stripped}{separator}# paperlink: ignore[{', '.join(wanted)}] {PLACEHOLDER}"
        lines[number - 1] = body + ending
    return "".join(lines), refused


def _lines_in_strings_and_comments(text: str) -> tuple[set[int], dict[int, int]]:
    """Lines that end inside a string or a backslash continuation, and each comment's column.
    In a file Python cannot read, the lines after the tokenizer stopped are taken as they are."""
    blocked: set[int] = set()
    comments: dict[int, int] = {}
    for found in comments_and_strings(text)[0]:
        (row, column), (end_row, _) = found.start, found.end
        if found.kind == "comment":
            comments[row] = column
        else:
            blocked.update(range(row, end_row))
    for number, line in enumerate(split_lines(text), start=1):
        if line.rstrip("\r\n").endswith("\\"):
            blocked.add(number)
    return blocked, comments


def add_to_files(root: Path, diagnostics: Iterable[Diagnostic]) -> Added:
    """Write suppressions into the Python files under ``root`` for ``diagnostics``.

    A file that cannot be written is a :class:`~paperlink.errors.PaperlinkError`.
    """
    diagnostics = list(diagnostics)
    by_file: dict[str, dict[int, set[str]]] = {}
    left: list[Diagnostic] = []
    for diagnostic in diagnostics:
        span = diagnostic.span
        if diagnostic.code in _UNSUPPRESSIBLE or span.cell is not None or not span.path.endswith(".py"):
            left.append(diagnostic)
        else:
            by_file.setdefault(span.path, {}).setdefault(span.line, set()).add(diagnostic.code)
    written = files = 0
    for path, codes_by_line in sorted(by_file.items()):
        refused = _add_to_file(root / path, root, codes_by_line)
        left.extend(_at(diagnostics, path, refused))
        added = len(codes_by_line) - len(refused)
        written += added
        files += added > 0
    return Added(written, files, tuple(sorted(left)))


def _at(diagnostics: list[Diagnostic], path: str, lines: Iterable[int]) -> list[Diagnostic]:
    wanted = set(lines)
    return [d for d in diagnostics if d.span.path == path and d.span.line in wanted and d.span.cell is None]


def _add_to_file(path: Path, root: Path, codes_by_line: Mapping[int, Iterable[str]]) -> list[int]:
    """Rewrite one file in its own encoding; every line is refused when it cannot be read, or
    when the file is a link (a link leading out is never read, and none is written through)."""
    try:
        if path.is_symlink():
            raise boundary.OutsideBoundary("a symbolic link: not rewritten")
        data = boundary.read_bytes(path, root)
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (OSError, SyntaxError, UnicodeDecodeError, LookupError):
        return sorted(codes_by_line)
    new_text, refused = add_suppressions(text, codes_by_line)
    if new_text != text:
        try:
            path.write_bytes(new_text.encode(encoding))
        except (OSError, UnicodeEncodeError) as error:
            raise PaperlinkError(f"cannot write {path}: {getattr(error, 'strerror', None) or error}") from None
    return refused
