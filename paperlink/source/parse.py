"""Parsing a source file: the stdlib ``ast`` always, libcst only where the ``ast`` fails.

Every file is parsed with Python's own ``ast`` (a fortieth of libcst's parse): it gives
the syntax check (PL001) and the tree the code rules read; annotations and directive
comments are read from it and the text. libcst's concrete tree is built on first use,
which the readers ask for only when this Python cannot parse a file. Positions in the
libcst tree are computed lazily too: libcst's metadata providers cost several times its
parse.

A file this Python cannot parse goes to libcst at once: if libcst refuses it as well, it
is PL001 (at CPython's position); if libcst accepts it (syntax newer than the running
interpreter), the code rules skip it (PL003) and its annotations and directives are read
from its :attr:`ParsedSource.outline`, by the same code as in every other file.
"""

from __future__ import annotations

import ast
import functools
import re
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from paperlink.diagnostics import Diagnostic
from paperlink.rules.source_input import SourceSyntaxError
from paperlink.source.files import SourceText
from paperlink.spans import Span

if TYPE_CHECKING:  # libcst is imported where a file needs it (this Python refuses it): a run of
    # readable files never loads it (0.2 s)
    import libcst as cst
    from libcst.metadata import CodeRange

__all__ = ["ParsedSource", "SourceParseError", "parse_source"]


class SourceParseError(Exception):
    """libcst refused a file that Python's own parser accepted (found when comments are read)."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


@dataclass
class ParsedSource:
    """A parsed module: its ``ast`` (None when this Python cannot parse it, with why), and
    libcst's tree and positions, each computed on first use."""

    relative: str
    text: str
    tree: ast.Module | None = None
    tree_error: SyntaxError | None = None
    _module: cst.Module | None = field(default=None, repr=False)
    _positions: dict[cst.CSTNode, CodeRange] | None = field(default=None, repr=False)
    # comments found by needle (source/comments.py): the suppressions, the directives and the
    # near misses all ask for "paperlink"
    found_comments: dict[str, tuple[Any, ...]] = field(default_factory=dict, repr=False, compare=False)

    @property
    def module(self) -> cst.Module:
        """libcst's tree; :class:`SourceParseError` (PL001) if libcst cannot parse the file."""
        if self._module is None:
            import libcst as cst

            try:
                self._module = cst.parse_module(self.text)
            except cst.ParserSyntaxError as error:
                line, column, message = _libcst_syntax_error(error)
                raise SourceParseError(_cannot_parse(self.relative, line, column, message)) from None
            except (RecursionError, MemoryError) as error:
                raise SourceParseError(_cannot_parse(self.relative, 1, 1, type(error).__name__)) from None
        return self._module

    @functools.cached_property
    def outline(self) -> tuple[str, ast.Module] | None:
        """For a file this Python refuses and libcst accepts: its text with the newer syntax
        blanked, lines and columns kept, and that text's ``ast``, from which annotations and
        directives are read as in any file (:mod:`paperlink.source.newer_syntax`); None when
        the file has an ``ast`` or cannot be outlined."""
        if self.tree is not None:
            return None
        from paperlink.source.newer_syntax import outline

        try:
            return outline(self.text, self.module, self.span)
        except SourceParseError:  # a safeguard: a file without an ``ast`` was parsed by libcst already
            return None
        except (RecursionError, MemoryError):  # libcst's visitors recurse once per level of a long chain
            return None

    def span(self, node: cst.CSTNode) -> Span:
        """Where ``node`` is, 1-based; the first call computes positions for the file."""
        if self._positions is None:
            from libcst.metadata import MetadataWrapper, PositionProvider

            wrapper = MetadataWrapper(self.module, unsafe_skip_copy=True)
            try:
                self._positions = dict(wrapper.resolve(PositionProvider))
            except RecursionError:  # code generation of absurdly nested expressions
                self._positions = {}
        found = self._positions.get(node)
        if found is None:
            return Span(self.relative, 1)
        return Span(self.relative, found.start.line, found.start.column + 1, found.end.line, found.end.column + 1)


def _cannot_parse(relative: str, line: int, column: int, message: str) -> Diagnostic:
    return SourceSyntaxError.at(Span(relative, line, column), f"cannot parse this file: {message}")


# Budgets for what Python's parsers are given. CPython's ``ast`` takes about 85 MB per MB of
# real code (5 MB: 430 MB), the analyses more; a 10 MiB generated file still parses (its
# test), a 20 MB one took 144 s and 2 GB. libcst's native parser recurses
# without a bound (1,500 nested brackets crash the process) and takes cubic time on a chain
# of operators (3,000 ``+``: 8 s, 6,000: 65 s), so a file the ``ast`` refused reaches it only
# within CPython's own bracket limit and with short chains.
MAX_SOURCE_CHARACTERS = 16_000_000
_MAX_BRACKETS = 200  # CPython's parser refuses deeper nesting ("too many nested parentheses")
_MAX_CHAIN = 1_000  # operators, calls and subscripts in one logical line

_PYTHON_TOKENS = re.compile(
    r"""(?P<string>[rRbBuUfFtT]{0,2}(?:\"\"\"(?:[^\\]|\\.)*?(?:\"\"\"|\Z)|'''(?:[^\\]|\\.)*?(?:'''|\Z)"""
    r"""|"(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?))"""
    r"|(?P<comment>#[^\n]*)|(?P<number>\.?\d(?:[eE][-+]|[\w.])*)|(?P<word>[^\W\d]\w*)"
    r"|(?P<open>[(\[{])|(?P<close>[)\]}])|(?P<newline>[\n;])|\\\n|(?P<op>\*\*|//|<<|>>|[<>!=]=|[-+*/%@&|^~<>.])|(?P<other>\S)",
    re.S,
)
_OPERATOR_WORDS = frozenset({"and", "or", "not", "if", "else", "lambda", "await", "in", "is"})


def _too_complex(text: str) -> tuple[int, int, str] | None:
    """Where ``text`` nests brackets or chains operations past what libcst may be given, from
    a flat scan of its tokens (strings and comments skipped), or None. A chain counts the
    operators of one logical line and its calls and subscripts (``a[1][1]...``: 3,000 take
    libcst minutes); commas, colons and ``=`` do not count, so long literals pass."""
    depth = chain = 0
    operand = False  # whether the last token ends an operand, so that a bracket after it is a call
    for token in _PYTHON_TOKENS.finditer(text):
        kind = token.lastgroup
        if kind == "comment" or kind is None:
            continue
        if kind == "open":
            chain += operand
            depth += 1
            if depth > _MAX_BRACKETS:
                return (*_line_column(text, token.start()), f"brackets nested more than {_MAX_BRACKETS} deep")
        elif kind == "close":
            depth = max(depth - 1, 0)
        elif kind == "newline":
            chain = chain if depth else 0
        elif kind == "op" or (kind == "word" and token.group() in _OPERATOR_WORDS):
            chain += 1
        if chain > _MAX_CHAIN:
            return (*_line_column(text, token.start()), f"more than {_MAX_CHAIN} operations in one statement")
        operand = kind in ("close", "string", "number") or (kind == "word" and token.group() not in _OPERATOR_WORDS)
    return None


def _line_column(text: str, offset: int) -> tuple[int, int]:
    return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)


def parse_source(source: SourceText) -> ParsedSource | Diagnostic:
    """The parsed file, or PL001 with the position of the syntax error."""
    assert source.text is not None
    if len(source.text) > MAX_SOURCE_CHARACTERS:
        return _cannot_parse(
            source.relative,
            1,
            1,
            f"{len(source.text):,} characters, over the limit of {MAX_SOURCE_CHARACTERS:,} for one file",
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escapes and the like are not ours to print
            return ParsedSource(source.relative, source.text, ast.parse(source.text, filename=source.relative))
    except SyntaxError as error:
        tree_error = error
    except (ValueError, RecursionError, MemoryError) as error:  # null bytes; absurd nesting
        tree_error = SyntaxError(f"{type(error).__name__}: {error}")
    too_complex = _too_complex(source.text)
    if tree_error.lineno and "too many nested" in tree_error.msg:  # CPython's own limit (f-strings too,
        # whose insides the scan skips): 3,000 brackets in an f-string crashed libcst
        return _cannot_parse(source.relative, tree_error.lineno, tree_error.offset or 1, tree_error.msg)
    if too_complex is not None:  # not for libcst: CPython's error where it has a place, else the budget's
        if tree_error.lineno:
            return _cannot_parse(source.relative, tree_error.lineno, tree_error.offset or 1, tree_error.msg)
        line, column, message = too_complex
        return _cannot_parse(source.relative, line, column, message)
    parsed = ParsedSource(source.relative, source.text, None, tree_error)
    try:
        parsed.module  # noqa: B018 - libcst decides: newer syntax, or a real error
    except SourceParseError as refused:
        where = _python_syntax_error(source.text)
        if where is None:
            return refused.diagnostic
        line, column, message = where
        return _cannot_parse(source.relative, line, column, message)
    return parsed


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
