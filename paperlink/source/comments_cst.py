"""Directive comments read from libcst's tree, for files this Python's ``ast`` refuses.

Only the walk is this module's: each comment is made by :mod:`paperlink.source.comments`'s
own function, so both readers agree (``tests/source/test_comment_binding.py``).
"""

from __future__ import annotations

import libcst as cst

from paperlink.source.comments import _LINE_BREAK, Comment, _comment
from paperlink.source.parse import ParsedSource

__all__ = ["collect_comments_cst"]


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


def collect_comments_cst(parsed: ParsedSource, needle: str) -> list[Comment]:
    """The file's comments whose text contains ``needle`` (lower case), in source order."""
    visitor = _Comments(needle)
    parsed.module.visit(visitor)
    if not visitor.found:
        return []
    lines = _LINE_BREAK.split(parsed.text)
    headers = _decorated_headers(parsed, visitor.definitions)
    comments = [_comment(parsed.span(node), node.value, lines, headers) for node in visitor.found]
    return sorted(comments, key=lambda comment: comment.span)


def _decorated_headers(parsed: ParsedSource, definitions: list[cst.FunctionDef | cst.ClassDef]) -> dict[int, int]:
    """Each decorator's first line -> the ``def``/``class`` line it decorates."""
    headers = {}
    for definition in definitions:
        header = parsed.span(definition).line  # a definition's span starts at `def`/`class`
        for decorator in definition.decorators:
            headers[parsed.span(decorator).line] = header
    return headers
