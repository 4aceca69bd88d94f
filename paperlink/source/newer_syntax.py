"""Syntax newer than the running Python, blanked so that its ``ast`` reads the rest.

A file this Python refuses but libcst accepts uses syntax from a later Python: type
parameters and ``type`` aliases (3.12), f-strings with nested quotes, backslashes or line
breaks in their fields (3.12), t-strings and ``except A, B:`` (3.14), ``except*`` and
unpacking in subscripts and ``*args`` annotations (3.11). Annotations and
directive comments in such a file are read by the same code as in every other file
(:mod:`paperlink.source.annotations`, :mod:`paperlink.source.comments`), from the ``ast``
of an *outline*: the text with each of those constructs blanked character for character,
so every line, column and comment stays where it was:

* ``def f[T](x)`` -> ``def f   (x)``; ``type V[T] = list[T]`` -> ``type=V   = list[T]``
  (a chained assignment, one statement over the same span);
* a newer f-string or a t-string keeps its prefix and quotes with blanks inside
  (``t`` becomes ``f``); a line break inside a one-quote string gets a ``\\``;
* ``except*`` -> ``except ``; ``except A, B:`` -> ``except A   :``; ``tuple[*Ts]`` and
  ``*args: *Ts`` lose their ``*``.

The code rules never read an outline (PL003): what was blanked is code they would need.
The fingerprint of a bound statement is that of its outline.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Callable

import libcst as cst

from paperlink.spans import Span

__all__ = ["outline"]

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)?")


def outline(text: str, module: cst.Module, span: Callable[[cst.CSTNode], Span]) -> tuple[str, ast.Module] | None:
    """The text with its newer syntax blanked and that text's ``ast``; None when this Python
    still refuses it (a construct not modelled here)."""
    finder = _Newer(module)
    module.visit(finder)
    lines = [line for line in _LINE.findall(text) if line]
    for node, kind in finder.found:
        where = span(node)
        if kind == "tuple":  # from the end of the first exception
            assert isinstance(node, cst.Tuple)
            first = span(node.elements[0].value)
            where = Span(where.path, first.end_line or 0, first.end_column or 0, where.end_line, where.end_column)
            kind = "blank"
        if where.end_line is None or not _blank(lines, where, kind, node):
            return None
    masked = "".join(lines)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return masked, ast.parse(masked)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


class _Newer(cst.CSTVisitor):
    """The constructs to blank, outermost first."""

    def __init__(self, module: cst.Module) -> None:
        self.module = module
        self.found: list[tuple[cst.CSTNode, str]] = []

    def visit_TypeParameters(self, node: cst.TypeParameters) -> bool:
        self.found.append((node, "blank"))
        return False

    def visit_TypeAlias(self, node: cst.TypeAlias) -> None:
        self.found.append((node, "alias"))

    def visit_ExceptStarHandler(self, node: cst.ExceptStarHandler) -> None:
        self.found.append((node, "except_star"))
        self._bare_tuple(node.type)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        self._bare_tuple(node.type)

    def _bare_tuple(self, caught: cst.BaseExpression | None) -> None:
        # `except A, B:` (3.14): all but the first exception blanked
        if isinstance(caught, cst.Tuple) and not caught.lpar and len(caught.elements) > 1:
            self.found.append((caught, "tuple"))

    def visit_Index(self, node: cst.Index) -> None:
        if node.star:  # `tuple[*Ts]` (3.11) -> `tuple[ Ts]`
            self.found.append((node, "star"))

    def visit_Param(self, node: cst.Param) -> None:
        if node.annotation is not None and isinstance(node.annotation.annotation, cst.StarredElement):
            self.found.append((node.annotation.annotation, "star"))  # `*args: *Ts` (3.11)

    def visit_TemplatedString(self, node: cst.TemplatedString) -> bool:
        self.found.append((node, "template"))
        return False

    def visit_FormattedString(self, node: cst.FormattedString) -> bool:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ast.parse(f"({self.module.code_for_node(node)})", mode="eval")
        except SyntaxError:
            self.found.append((node, "string"))
            return False
        except (ValueError, RecursionError, MemoryError):
            return True
        return True

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> bool:
        # A generated file can nest thousands of parts; walking them is not worth it unless
        # this Python refuses the whole concatenation.
        code = self.module.code_for_node(node)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ast.parse(f"({code})", mode="eval")
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return True
        return False


def _blank(lines: list[str], where: Span, kind: str, node: cst.CSTNode) -> bool:
    """Blank one construct in ``lines`` (kept the same length); False where it cannot be."""
    first, column = where.line - 1, where.column - 1
    if kind == "alias":  # `type X` -> `type=X`: the soft keyword becomes a name being assigned
        line = lines[first]
        if line[column : column + 4] != "type" or line[column + 4 : column + 5] not in (" ", "\t"):
            return False
        lines[first] = f"{line[: column + 4]}={line[column + 5 :]}"
        return True
    if kind in ("star", "except_star"):  # `except* E` -> `except  E`; `*Ts` -> ` Ts`
        line = lines[first]
        after = column + len("except") if kind == "except_star" else column
        star = line.find("*", after)
        if star == -1 or line[after:star].strip():
            return False
        lines[first] = f"{line[:star]} {line[star + 1 :]}"
        return True
    if where.end_line is None or where.end_column is None:  # libcst gives every node an end
        return False
    start, end = (where.line, where.column), (where.end_line, where.end_column)
    if kind in ("string", "template"):
        assert isinstance(node, (cst.FormattedString, cst.TemplatedString))
        opening, closing = len(node.start), len(node.end)  # `start` holds the prefix: 'f"'.
        start, end = (start[0], start[1] + opening), (end[0], end[1] - closing)
        if kind == "template":
            line = lines[first]
            prefix = line[column : column + len(node.prefix)]
            lines[first] = line[:column] + prefix.replace("t", "f").replace("T", "F") + line[column + len(prefix) :]
        one_quote = len(node.end) == 1
    else:
        one_quote = False
    return _spaces(lines, start, end, continued=kind == "blank" or one_quote)


def _spaces(lines: list[str], start: tuple[int, int], end: tuple[int, int], *, continued: bool) -> bool:
    """Spaces over ``start``..``end`` (1-based lines, 1-based columns, end exclusive), line
    breaks kept; ``continued``: a ``\\`` before each break inside, where the code needs one."""
    for number in range(start[0], end[0] + 1):
        line = lines[number - 1]
        body = line.rstrip("\r\n")
        left = start[1] - 1 if number == start[0] else 0
        right = end[1] - 1 if number == end[0] else len(body)
        blanked = body[:left] + " " * (right - left) + body[right:]
        if continued and number < end[0]:
            if right == left:
                return False  # nothing to turn into the backslash
            blanked = blanked[: right - 1] + "\\" + blanked[right:]
        lines[number - 1] = blanked + line[len(body) :]
    return True
