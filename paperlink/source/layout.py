"""Where a comment belongs, from the stdlib ``ast`` and the text: the statements of a file
grouped as libcst's concrete tree groups them, so binding needs no libcst tree.

A file is a module block of *elements*: statement lines (simple statements joined by
``;``) and compound statements. A compound is a sequence of *parts*, each a header and a
block: ``if``/``elif``/``else``, ``try``/``except``/``else``/``finally``, ``match`` and its
``case``s, a definition from its first decorator. A comment line belongs to

* the element or part whose header or statement line holds it (in brackets, between
  decorators, at the end of a header);
* between two elements or parts, to the blocks that just ended, innermost first, each
  taking the lines up to the last one indented at its level (libcst's block footers),
  and otherwise to what comes next (its leading lines);
* before the first statement of the file, or after the last beyond any footer, to the
  module.

A block on the header's line (``if x: y``) has no footer; its comments go to its owner.
"""

from __future__ import annotations

import ast
import re
import sys
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field

from paperlink.source.comment_text import character_column

__all__ = ["Layout", "Owner", "decorator_start", "statements"]

_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
if sys.version_info >= (3, 11):
    _TRIES = (ast.Try, ast.TryStar)
else:  # try/except* is new in 3.11
    _TRIES = (ast.Try,)
_COMPOUND = (
    *_DEFINITIONS,
    ast.If,
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.With,
    ast.AsyncWith,
    *_TRIES,
    ast.Match,
)
_CASE = re.compile(r"case\b")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass
class Owner:
    """What a comment binds to: a statement line, a compound statement, a clause or the module."""

    first: tuple[int, int]  # 1-based line, 0-based character column
    last: tuple[int, int]
    name: str = ""  # the qualified name of a definition ("Model.forward")
    scope: str = ""  # the definition the code sits in (its own name for a definition)
    statements: tuple[ast.stmt, ...] = ()  # the code, for its fingerprint; () for clauses
    elif_: bool = False  # an `elif` (its code reads as an `if`)
    module: bool = False


@dataclass
class _Block:
    owner: Owner
    elements: list[_Element]
    indent: str | None  # the absolute indentation of its lines; None for a block on the header's line
    starts: list[int] = field(default_factory=list)

    @property
    def last_line(self) -> int:
        return self.elements[-1].last_line


@dataclass
class _Part:
    owner: Owner
    first_line: int
    header_end: int = 0  # the header's last line (the block's last line for a one-line block)
    block: _Block | None = None  # None for a match's header
    indent: str = ""  # a case's indentation: a match's own footer takes lines indented so


@dataclass
class _Element:
    owner: Owner
    first_line: int
    first_column: int
    last_line: int
    parts: list[_Part] = field(default_factory=list)  # empty for a statement line

    def footers(self) -> list[tuple[str, Owner]]:
        """The blocks that end with this element and take footer lines, innermost first."""
        if not self.parts:
            return []
        last = self.parts[-1]
        found = _block_footers(last.block) if last.block is not None else []
        if isinstance(self.owner.statements[0], ast.Match):
            found.append((last.indent, self.owner))
        return found


def _block_footers(block: _Block) -> list[tuple[str, Owner]]:
    if block.indent is None:
        return []
    return [*block.elements[-1].footers(), (block.indent, block.owner)]


def decorator_start(lines: list[str], decorator: ast.expr) -> tuple[int, int]:
    """Where a decorator's ``@`` is (1-based line, character column): the ``ast`` places a
    decorator at its expression."""
    line = decorator.lineno
    at = lines[line - 1].rfind("@", 0, character_column(lines[line - 1], decorator.col_offset))
    while at == -1 and line > 1:
        line -= 1
        at = lines[line - 1].rfind("@")
    return line, max(at, 0)


class Layout:
    """The file's statements as libcst groups them; :meth:`owner_at` binds a comment line."""

    def __init__(self, tree: ast.Module, lines: list[str], text: str) -> None:
        self.lines = lines
        self.real_lines = len(lines) - 1 if text.endswith(("\n", "\r")) else len(lines)
        self.text = text
        self.module = Owner((1, 0), (1, 0), module=True)
        self._definitions: dict[ast.AST, tuple[Owner, _Part]] = {}
        self._offsets: list[int] | None = None
        self.root = self._block(tree.body, self.module, []) if tree.body else _Block(self.module, [], "")

    # -- binding -------------------------------------------------------------------------

    def owner_at(self, line: int) -> Owner:
        """What a comment on ``line`` binds to."""
        return self._in_block(self.root, line) if self.root.elements else self.module

    def _in_block(self, block: _Block, line: int) -> Owner:
        index = bisect_right(block.starts, line) - 1
        if index < 0:  # the module's header; the leading lines of a block's first statement
            return self.module if block is self.root else block.elements[0].owner
        element = block.elements[index]
        if line <= element.last_line:
            return self._in_element(element, line)
        if index + 1 < len(block.elements):
            following = block.elements[index + 1]
            end, owner = following.first_line - 1, following.owner
        else:  # after the file's last statement (the callers keep inner blocks from here)
            end, owner = self.real_lines, self.module
        return self._in_gap(element.footers(), element.last_line + 1, end, line, owner)

    def _in_element(self, element: _Element, line: int) -> Owner:
        previous: _Part | None = None
        for part in element.parts:
            if line < part.first_line and previous is not None:
                footers = _block_footers(previous.block) if previous.block is not None else []
                after = previous.block.last_line if previous.block is not None else previous.header_end
                return self._in_gap(footers, after + 1, part.first_line - 1, line, part.owner)
            if line <= part.header_end:
                return part.owner
            if part.block is not None and line <= part.block.last_line:
                return self._in_block(part.block, line)
            previous = part
        return element.owner

    def _in_gap(self, footers: list[tuple[str, Owner]], start: int, end: int, line: int, following: Owner) -> Owner:
        """Blank and comment lines ``start``..``end`` after blocks that ended: footers first."""
        for indent, owner in footers:
            last = next((n for n in range(end, start - 1, -1) if self.lines[n - 1].startswith(indent)), None)
            if last is not None:
                if line <= last:
                    return owner
                start = last + 1
        return following

    def definition(self, node: ast.AST) -> Owner:
        """The owner standing for a ``def``/``class`` statement."""
        return self._definitions[node][0]

    def on_header_line(self, node: ast.AST) -> bool:
        """Whether a definition's body sits on its header's line (``def f(): ...``)."""
        block = self._definitions[node][1].block
        return block is not None and block.indent is None

    def source_lines(self, owner: Owner) -> str:
        """The whole lines an owner's code is written on, decorators included, as in the text."""
        if self._offsets is None:
            self._offsets = [0, *(match.end() for match in _LINE_BREAK.finditer(self.text))]
        first = owner.first[0]
        statement = owner.statements[0] if owner.statements else None
        if isinstance(statement, _DEFINITIONS) and statement.decorator_list:
            first = self._decorator_start(statement.decorator_list[0])[0]
        last = owner.last[0]
        end = self._offsets[last] if last < len(self._offsets) else len(self.text)
        return self.text[self._offsets[first - 1] : end]

    # -- building ------------------------------------------------------------------------

    def _block(self, body: list[ast.stmt], owner: Owner, scope: list[str]) -> _Block:
        elements: list[_Element] = []
        index = 0
        while index < len(body):
            statement = body[index]
            if isinstance(statement, _COMPOUND):
                elements.append(self._compound(statement, scope))
                index += 1
                continue
            group = [statement]
            while index + len(group) < len(body):
                following = body[index + len(group)]
                if isinstance(following, _COMPOUND) or following.lineno != group[-1].end_lineno:
                    break
                group.append(following)
            first, last = self._start(group[0]), self._end(group[-1])
            line_owner = Owner(first, last, scope=".".join(scope), statements=tuple(group))
            elements.append(_Element(line_owner, first[0], first[1], last[0]))
            index += len(group)
        first = elements[0]
        prefix = self.lines[first.first_line - 1][: first.first_column]
        indent = None if prefix.strip() else prefix  # code before the first statement: the header's line
        return _Block(owner, elements, indent, [element.first_line for element in elements])

    def _compound(self, node: ast.stmt, scope: list[str]) -> _Element:
        start = self._start(node)
        if isinstance(node, _DEFINITIONS):
            name = ".".join([*scope, node.name])
            owner = Owner(start, start, name, name, (node,))
            first = self._decorator_start(node.decorator_list[0]) if node.decorator_list else start
            parts = [self._part(owner, first[0], node.body, [*scope, node.name])]
            self._definitions[node] = (owner, parts[0])
        else:
            owner = Owner(start, start, scope=".".join(scope), statements=(node,))
            first = start
            parts = self._parts(node, owner, scope)
        element = _Element(owner, first[0], first[1], 0, parts)
        element.last_line = self._finish(parts)
        return element

    def _parts(self, node: ast.stmt, owner: Owner, scope: list[str]) -> list[_Part]:
        if isinstance(node, ast.Match):
            return self._match(node, owner, scope)
        # every other kind in _COMPOUND has a body; ast types no common base for them
        parts = [self._part(owner, owner.first[0], node.body, scope)]  # type: ignore[attr-defined]
        if isinstance(node, _TRIES):
            for handler in node.handlers:
                clause = Owner(self._start(handler), (0, 0), scope=".".join(scope))
                parts.append(self._part(clause, clause.first[0], handler.body, scope))
            parts += self._clause(parts[-1], node.orelse, "else", scope)
            parts += self._clause(parts[-1], node.finalbody, "finally", scope)
            return parts
        orelse = getattr(node, "orelse", [])
        while (
            isinstance(node, ast.If) and len(orelse) == 1 and isinstance(orelse[0], ast.If) and self._is_elif(orelse[0])
        ):
            node = orelse[0]
            elif_owner = Owner(self._start(node), (0, 0), scope=".".join(scope), statements=(node,), elif_=True)
            parts.append(self._part(elif_owner, elif_owner.first[0], node.body, scope))
            orelse = node.orelse
        return parts + self._clause(parts[-1], orelse, "else", scope)

    def _match(self, node: ast.Match, owner: Owner, scope: list[str]) -> list[_Part]:
        parts = [_Part(owner, owner.first[0])]
        for case in node.cases:
            line = case.pattern.lineno
            while line > 1 and not _CASE.match(self.lines[line - 1].lstrip()):
                line -= 1
            text = self.lines[line - 1]
            clause = Owner((line, len(text) - len(text.lstrip())), (0, 0), scope=".".join(scope))
            part = self._part(clause, line, case.body, scope)
            part.indent = text[: clause.first[1]]
            parts.append(part)
        parts[0].header_end = self._header_end(parts[0].first_line, parts[1].first_line)
        return parts

    def _clause(self, previous: _Part, body: list[ast.stmt], keyword: str, scope: list[str]) -> list[_Part]:
        if not body:
            return []
        line = previous.block.last_line + 1 if previous.block is not None else previous.header_end + 1
        while line < body[0].lineno and (
            not self.lines[line - 1].strip() or self.lines[line - 1].lstrip().startswith("#")
        ):
            line += 1
        text = self.lines[line - 1]
        clause = Owner((line, len(text) - len(text.lstrip())), (0, 0), scope=".".join(scope))
        return [self._part(clause, line, body, scope)]

    def _part(self, owner: Owner, first_line: int, body: list[ast.stmt], scope: list[str]) -> _Part:
        block = self._block(body, owner, scope)
        if block.indent is None:
            header_end = block.last_line
        else:
            header_end = self._header_end(first_line, block.elements[0].first_line)
        return _Part(owner, first_line, header_end, block)

    def _header_end(self, first_line: int, body_line: int) -> int:
        """The header's last line: the last line above the body that holds code."""
        line = body_line - 1
        while line > first_line:
            stripped = self.lines[line - 1].strip()
            if stripped and not stripped.startswith("#"):
                break
            line -= 1
        return line

    def _finish(self, parts: list[_Part]) -> int:
        """Set where each owner of the compound ends (its last part's end); the last line."""
        last_part = parts[-1]
        assert last_part.block is not None
        end = last_part.block.elements[-1].owner.last
        for index, part in enumerate(parts):
            if part.owner.statements or index == 0:
                part.owner.last = end  # the statement and each `elif` run to the end
            elif part.block is not None:
                part.owner.last = part.block.elements[-1].owner.last  # a clause ends with its block
        return end[0]

    def _is_elif(self, node: ast.If) -> bool:
        line, column = self._start(node)
        return self.lines[line - 1].startswith("elif", column)

    # -- positions -----------------------------------------------------------------------

    def _start(self, node: ast.AST) -> tuple[int, int]:
        return node.lineno, self._character(node.lineno, node.col_offset)  # type: ignore[attr-defined]

    def _end(self, node: ast.AST) -> tuple[int, int]:
        line = node.end_lineno or node.lineno  # type: ignore[attr-defined]
        return line, self._character(line, node.end_col_offset or 0)  # type: ignore[attr-defined]

    def _character(self, line: int, byte_offset: int) -> int:
        return character_column(self.lines[line - 1] if 0 < line <= len(self.lines) else "", byte_offset)

    def _decorator_start(self, decorator: ast.expr) -> tuple[int, int]:
        return decorator_start(self.lines, decorator)

    def decorator_span(self, decorator: ast.expr) -> tuple[tuple[int, int], tuple[int, int]]:
        """From ``@`` to the end of the expression, closing parentheses around it included."""
        first = self._decorator_start(decorator)
        line, column = self._end(decorator)
        opened = (
            self.lines[first[0] - 1][first[1] + 1 : self._start(decorator)[1]].count("(")
            if first[0] == decorator.lineno
            else 0
        )
        text = self.lines[line - 1]
        end = column
        while opened and column < len(text) and (text[column] == ")" or text[column].isspace()):
            if text[column] == ")":
                opened -= 1
                end = column + 1
            column += 1
        return first, (line, end)

    def span_of(self, node: ast.AST) -> tuple[tuple[int, int], tuple[int, int]]:
        return self._start(node), self._end(node)


def statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Every statement, in source order (a definition before its body)."""
    stack = list(reversed(body))
    while stack:
        statement = stack.pop()
        yield statement
        blocks = [getattr(statement, "body", None)]
        blocks += [handler.body for handler in getattr(statement, "handlers", ())]
        blocks += [getattr(statement, "orelse", None), getattr(statement, "finalbody", None)]
        blocks += [case.body for case in getattr(statement, "cases", ())]
        for block in reversed(blocks):
            if isinstance(block, list):
                stack.extend(reversed(block))
