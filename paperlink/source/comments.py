"""Comments as written, read from the syntax tree: a ``#`` inside a string is never one.

For directives that are not annotations: suppressions (``# paperlink: ignore[...]``) today,
justifications (``# paperlink: stop-grad ...``) for the gradient rules. Each comment knows
whether it stands alone on its line and, if so, which lines of the code below it begin:
the next line that holds code, through the ``def``/``class`` line when that is a decorator.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst

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


class _Comments(cst.CSTVisitor):
    def __init__(self, needle: str) -> None:
        self.needle = needle
        self.found: list[cst.Comment] = []
        self.definitions: list[cst.FunctionDef | cst.ClassDef] = []  # decorated ones

    def visit_Comment(self, node: cst.Comment) -> None:
        if self.needle in node.value.lower():
            self.found.append(node)

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> bool:
        # Implicit concatenation nests one level per part; generated files (pydoc's topics)
        # have thousands of parts. A comment between the parts is the price of not recursing.
        return False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if node.decorators:
            self.definitions.append(node)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        if node.decorators:
            self.definitions.append(node)


def collect_comments(parsed: ParsedSource, needle: str) -> list[Comment]:
    """The file's comments whose text contains ``needle`` (lower case), in source order.

    Positions are computed only when such a comment exists, so files without one cost a
    substring search.
    """
    if needle not in parsed.text.lower():
        return []
    visitor = _Comments(needle)
    parsed.module.visit(visitor)
    if not visitor.found:
        return []
    lines = _LINE_BREAK.split(parsed.text)
    headers = _decorated_headers(parsed, visitor.definitions)
    comments = []
    for node in visitor.found:
        span = parsed.span(node)
        own_line = not lines[span.line - 1][: span.column - 1].strip()
        below = None
        if own_line and (first := _next_code_line(lines, span.line)) is not None:
            below = (first, headers.get(first, first))
        comments.append(Comment(span, node.value, own_line, below))
    return sorted(comments, key=lambda comment: comment.span)


def _decorated_headers(parsed: ParsedSource, definitions: list[cst.FunctionDef | cst.ClassDef]) -> dict[int, int]:
    """Each decorator's first line -> the ``def``/``class`` line it decorates."""
    headers = {}
    for definition in definitions:
        header = parsed.span(definition).line  # a definition's span starts at `def`/`class`
        for decorator in definition.decorators:
            headers[parsed.span(decorator).line] = header
    return headers


def _next_code_line(lines: list[str], line: int) -> int | None:
    # Below a comment line (outside any string), the next line that is neither blank nor a
    # comment starts a token: the first line of a statement, or the next line inside brackets.
    for number in range(line + 1, len(lines) + 1):
        stripped = lines[number - 1].strip()
        if stripped and not stripped.startswith("#"):
            return number
    return None
