"""Parsing a source file once with libcst, and positions only where something is reported.

libcst's generic metadata providers cost several times the parse; paperlink computes
positions lazily, for a file only when one of its nodes is reported, so the files with
nothing to say cost the parse and one walk.
"""

from __future__ import annotations

import ast
import warnings
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from paperlink.diagnostics import Diagnostic, Severity
from paperlink.source.files import SourceText
from paperlink.spans import Span

__all__ = ["ParsedSource", "parse_source"]


@dataclass
class ParsedSource:
    """A parsed module with lazily computed node positions."""

    relative: str
    text: str
    module: cst.Module
    _positions: dict[cst.CSTNode, CodeRange] | None = field(default=None, repr=False)

    def span(self, node: cst.CSTNode) -> Span:
        """Where ``node`` is, 1-based; the first call computes positions for the file."""
        if self._positions is None:
            wrapper = MetadataWrapper(self.module, unsafe_skip_copy=True)
            try:
                self._positions = dict(wrapper.resolve(PositionProvider))
            except RecursionError:  # code generation of absurdly nested expressions
                self._positions = {}
        found = self._positions.get(node)
        if found is None:
            return Span(self.relative, 1)
        return Span(self.relative, found.start.line, found.start.column + 1, found.end.line, found.end.column + 1)


def parse_source(source: SourceText) -> ParsedSource | Diagnostic:
    """The parsed file, or PL001 with the position of the syntax error."""
    assert source.text is not None
    try:
        module = cst.parse_module(source.text)
    except cst.ParserSyntaxError as error:
        line, column, message = _python_syntax_error(source.text) or _libcst_syntax_error(error)
        span = Span(source.relative, line, column)
        return Diagnostic(span, "PL001", f"cannot parse this file: {message}", Severity.ERROR)
    except (RecursionError, MemoryError) as error:
        return Diagnostic(Span(source.relative, 1), "PL001", f"cannot parse this file: {type(error).__name__}", Severity.ERROR)
    return ParsedSource(source.relative, source.text, module)


def _python_syntax_error(text: str) -> tuple[int, int, str] | None:
    """Where CPython places the error: libcst's native parser puts tokenizer errors at 1:1."""
    null = text.find("\0")
    if null != -1:  # CPython reports null bytes without a position
        return text.count("\n", 0, null) + 1, null - text.rfind("\n", 0, null), "null byte in the source"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarnings are not ours to print
            ast.parse(text)
    except SyntaxError as error:
        if error.lineno:
            return error.lineno, error.offset or 1, error.msg
    except (ValueError, RecursionError, MemoryError):
        pass
    return None


def _libcst_syntax_error(error: cst.ParserSyntaxError) -> tuple[int, int, str]:
    message = str(error.message).replace("parser error: ", "").replace("tokenizer error: ", "")
    return max(error.raw_line, 1), error.raw_column + 1, message.split("\n", 1)[0].strip()
