"""Comments as written: a ``#`` inside a string is never one (the ``ast`` says where strings are).

For directives that are not annotations: suppressions (``# paperlink: ignore[...]``) today,
justifications (``# paperlink: stop-grad ...``) for the gradient rules. Each comment knows
whether it stands alone on its line and, if so, which lines of the code below it begin:
the next line that holds code, through the ``def``/``class`` line when that is a decorator.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from paperlink.source.comment_text import find_comments
from paperlink.source.layout import decorator_start
from paperlink.source.parse import ParsedSource
from paperlink.spans import Span

__all__ = ["Comment", "collect_comments"]

_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # the tokenizer's line breaks; str.splitlines has more


@dataclass(frozen=True)
class Comment:
    """One comment: where it is, its text from ``#`` on, and what stands around it."""

    span: Span
    text: str
    own_line: bool  # nothing but whitespace before it on its line
    below: tuple[int, int] | None = None  # own-line comments: the first and last line of the code's header below
    gap: int = field(
        default=0, compare=False
    )  # blanks between the code before it and its ``#`` (what deleting it deletes too)


def collect_comments(parsed: ParsedSource, needle: str) -> list[Comment]:
    """The file's comments whose text contains ``needle`` (lower case), in source order.

    Files without the needle cost a substring search; the tree is walked for strings only
    on the lines that hold it.
    """
    if needle not in parsed.text.lower():
        return []
    known = parsed.found_comments.get(needle)
    if known is None:
        known = parsed.found_comments[needle] = tuple(_collect(parsed, needle))
    return list(known)


def _collect(parsed: ParsedSource, needle: str) -> list[Comment]:
    if parsed.tree is not None:
        text, tree = parsed.text, parsed.tree
    elif parsed.outline is not None:  # syntax newer than this Python, blanked
        text, tree = parsed.outline
    else:
        return []
    lines = _LINE_BREAK.split(text)
    found = [c for c in find_comments(tree, lines, needle) if needle in c.text.lower()]
    if not found:
        return []
    headers = _decorated_headers(tree, lines)
    below = _next_code_lines(lines)
    return [
        _comment(
            Span(parsed.relative, c.line, c.column + 1, c.line, c.column + 1 + len(c.text)),
            c.text,
            lines,
            headers,
            below,
        )
        for c in found
    ]


def _comment(span: Span, text: str, lines: list[str], headers: dict[int, int], next_code: list[int | None]) -> Comment:
    """The comment at ``span`` and what stands around it.

    ``headers``: each decorator's first line -> the ``def``/``class`` line it decorates;
    ``next_code``: each line -> the code line below it (:func:`_next_code_lines`).
    """
    before = lines[span.line - 1][: span.column - 1]
    own_line = not before.strip()
    below = None
    if own_line and (first := next_code[span.line]) is not None:
        below = (first, headers.get(first, first))
    return Comment(span, text, own_line, below, len(before) - len(before.rstrip(" \t")))


def _decorated_headers(tree: ast.Module, lines: list[str]) -> dict[int, int]:
    """Each decorator's first line (its ``@``) -> the ``def``/``class`` line it decorates."""
    headers = {}
    for node in _definitions(tree.body):
        for decorator in node.decorator_list:
            headers[decorator_start(lines, decorator)[0]] = node.lineno
    return headers


def _next_code_lines(lines: list[str]) -> list[int | None]:
    """For each line number, the first line below it that is neither blank nor a comment (below
    a comment line, outside any string, that line starts a token: the first line of a
    statement, or the next line inside brackets). Found in one pass from the end, so a run of
    thousands of comment lines costs each of them nothing more."""
    below: list[int | None] = [None] * (len(lines) + 1)
    following = None
    for number in range(len(lines), 0, -1):
        below[number] = following
        stripped = lines[number - 1].strip()
        if stripped and not stripped.startswith("#"):
            following = number
    return below


def _definitions(body: list[ast.stmt]) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef]:
    """Every decorated definition, at any depth (definitions are statements: no expression walk)."""
    stack = list(body)
    while stack:
        statement = stack.pop()
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and statement.decorator_list:
            yield statement
        for name in ("body", "orelse", "finalbody"):
            block = getattr(statement, name, None)
            if isinstance(block, list):
                stack.extend(block)
        for holder in (*getattr(statement, "handlers", ()), *getattr(statement, "cases", ())):
            stack.extend(holder.body)
