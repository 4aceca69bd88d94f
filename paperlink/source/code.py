"""The code model the rules read: the stdlib ``ast`` of a file with qualified names.

Annotations and directive comments are read from the text and this same ``ast``
(paperlink.source.annotations, .comments). The rules need expressions, calls, scopes and
positions, for every file, on every run. libcst's visitors cost about half a parse per
pass and its metadata providers several parses, so the rules read the stdlib ``ast``: a
fortieth of libcst's parse, positions included, and walks ten times faster. What is
computed beyond the tree (parents, the symbol table, directive comments) is computed on
first use, so a rule that does not need it does not pay for it.

Qualified names come from the file's imports (``import torch as T``, ``from torch import
no_grad as ng``, imports inside functions too): ``T.no_grad`` and ``ng`` are both
``torch.no_grad``. A local variable that shadows an imported name is not tracked; that is
the known limit of resolving names without a data-flow analysis.
"""

from __future__ import annotations

import ast
import bisect
import builtins
import re
import symtable
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property

from paperlink.source.annotations import Annotation
from paperlink.source.comments import Comment, collect_comments
from paperlink.source.layout import statements
from paperlink.source.parse import ParsedSource
from paperlink.spans import Span, ast_span

__all__ = ["CodeModule", "FUNCTIONS", "child_nodes", "read_code", "module_name"]

FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_BUILTINS = frozenset(dir(builtins))


# Fields that never hold a node with children: names and flags (strings, numbers), a
# constant's value, and the operators and load/store contexts, which nothing here reads.
_LEAF_FIELDS = frozenset(
    "id attr arg name module level kind type_comment conversion is_async simple ctx op ops".split()
)
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def _child_fields(kind: type) -> tuple[str, ...]:
    fields = _CHILD_FIELDS.get(kind)
    if fields is None:
        fields = tuple(f for f in kind._fields if f not in _LEAF_FIELDS and (kind, f) != (ast.Constant, "value"))  # type: ignore[attr-defined]
        _CHILD_FIELDS[kind] = fields
    return fields


def child_nodes(node: ast.AST) -> list[ast.AST]:
    """``ast.iter_child_nodes`` as a list, in its order, less operators and load/store contexts,
    read from the fields that can hold one (the walks that visit every node of a file spent most
    of their time in ``iter_child_nodes`` and its generators)."""
    children: list[ast.AST] = []
    for name in _child_fields(type(node)):
        value = getattr(node, name, None)
        if isinstance(value, list):
            children.extend([item for item in value if isinstance(item, ast.AST)])
        elif isinstance(value, ast.AST):
            children.append(value)
    return children


def module_name(relative: str) -> str:
    """The dotted module a project-relative path would be imported as (``pkg/mod.py`` -> ``pkg.mod``)."""
    parts = relative.removesuffix(".py").split("/")
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(part for part in parts if part)


@dataclass
class CodeModule:
    """One file as the rules see it: its ``ast``, imports, positions and annotations."""

    relative: str
    text: str
    tree: ast.Module
    annotations: tuple[Annotation, ...] = ()
    parsed: ParsedSource | None = field(default=None, repr=False)  # for comments; None in tests of pure ast
    cells: tuple[int, ...] = ()  # in a notebook: the first line of each cell in the text; () in a .py file

    def cell_of(self, line: int) -> int:
        """The 0-based index of the notebook cell holding ``line`` (0 outside notebooks)."""
        return max(bisect.bisect_right(self.cells, line) - 1, 0)

    # -- positions -----------------------------------------------------------------------

    @cached_property
    def lines(self) -> list[str]:
        return _LINE_BREAK.split(self.text)

    def span(self, node: ast.AST) -> Span:
        """Where ``node`` is, as a :class:`Span` (1-based, end exclusive)."""
        return ast_span(self.relative, self.lines, node)

    # -- names ---------------------------------------------------------------------------

    @cached_property
    def imports(self) -> dict[str, str]:
        """Local name -> the qualified name it was imported as, for every import in the file."""
        package = module_name(self.relative).split(".")
        if not self.relative.endswith("__init__.py"):
            package = package[:-1]
        found: dict[str, str] = {}
        for node in statements(self.tree.body):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        found[alias.asname] = alias.name
                    else:  # `import torch.nn` binds `torch`
                        head = alias.name.split(".", 1)[0]
                        found[head] = head
            elif isinstance(node, ast.ImportFrom):
                base = _absolute_module(node, package)
                for alias in node.names:
                    if alias.name != "*":
                        found[alias.asname or alias.name] = f"{base}.{alias.name}" if base else alias.name
        return found

    @cached_property
    def module_level_names(self) -> frozenset[str]:
        """Names bound at module level other than by imports (they shadow builtins)."""
        names = set()
        for statement in self.tree.body:
            if isinstance(statement, _DEFINITIONS):
                names.add(statement.name)
            elif isinstance(statement, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
                names.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
        return frozenset(names)

    def qualified_name(self, node: ast.AST) -> str | None:
        """``torch.no_grad`` for ``T.no_grad``, ``ng`` (imported) or ``torch.no_grad`` itself.

        Builtins are ``builtins.float``; a name neither imported nor builtin is None, and so
        is anything whose head is not a name (``f().detach`` has no qualified name).
        """
        if isinstance(node, ast.Name):
            if node.id in self.imports:
                return self.imports[node.id]
            if node.id in _BUILTINS and node.id not in self.module_level_names:
                return f"builtins.{node.id}"
            return None
        if isinstance(node, ast.Attribute):
            head = self.qualified_name(node.value)
            return f"{head}.{node.attr}" if head else None
        return None

    def call_name(self, node: ast.AST) -> str | None:
        """The qualified name of what a call calls (None for anything else)."""
        return self.qualified_name(node.func) if isinstance(node, ast.Call) else None

    # -- structure -----------------------------------------------------------------------

    @cached_property
    def parents(self) -> dict[ast.AST, ast.AST]:
        """Every node's parent (computed on first use: one walk of the tree, reading each
        node's fields directly, which costs half of ``ast.walk`` plus ``iter_child_nodes``)."""
        found: dict[ast.AST, ast.AST] = {}
        node_type = ast.AST
        stack: list[ast.AST] = [self.tree]
        while stack:
            node = stack.pop()
            for name in node._fields:
                value = getattr(node, name, None)
                if isinstance(value, list):
                    for item in value:
                        if isinstance(item, node_type):
                            found[item] = node
                            stack.append(item)
                elif isinstance(value, node_type):
                    found[value] = node
                    stack.append(value)
        return found

    def ancestors(self, node: ast.AST) -> Iterator[ast.AST]:
        """The nodes around ``node``, innermost first."""
        parents = self.parents
        current = parents.get(node)
        while current is not None:
            yield current
            current = parents.get(current)

    def enclosing_function(self, node: ast.AST) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        return next((a for a in self.ancestors(node) if isinstance(a, FUNCTIONS)), None)

    def enclosing_statement(self, node: ast.AST) -> ast.stmt:
        """The innermost statement holding ``node`` (``node`` itself when it is one)."""
        if isinstance(node, ast.stmt):
            return node
        return next(a for a in self.ancestors(node) if isinstance(a, ast.stmt))

    def scope_name(self, node: ast.AST) -> str:
        """The definitions around ``node`` as a dotted name (``Model.forward``; "" at module level)."""
        names = [a.name for a in self.ancestors(node) if isinstance(a, _DEFINITIONS)]
        if isinstance(node, _DEFINITIONS):
            names.insert(0, node.name)
        return ".".join(reversed(names))

    @cached_property
    def symbols(self) -> symtable.SymbolTable | None:
        """CPython's own scope analysis of the file (None if it refuses the file)."""
        try:
            return symtable.symtable(self.text, self.relative, "exec")
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None

    # -- what the author wrote about the code --------------------------------------------

    @cached_property
    def directives(self) -> tuple[Comment, ...]:
        """``# paperlink: ...`` comments (suppressions, justifications), in source order."""
        if self.parsed is None or "paperlink" not in self.text:
            return ()
        return tuple(collect_comments(self.parsed, "paperlink"))

    def directives_for(self, node: ast.AST) -> list[str]:
        """The text after ``paperlink:`` of each directive that applies to ``node``'s statement.

        A directive applies when it ends a line of the statement, or stands alone on the
        lines just above its first line.
        """
        statement = self.enclosing_statement(node)
        first, last = statement.lineno, _header_end(statement)
        texts = []
        for comment in self.directives:
            on_line = not comment.own_line and first <= comment.span.line <= last
            above = comment.own_line and comment.below is not None and comment.below[0] <= first <= comment.below[1]
            if on_line or above:
                texts.append(comment.text.split(":", 1)[1].strip() if ":" in comment.text else "")
        return texts

    def annotations_for(self, node: ast.AST) -> list[Annotation]:
        """The annotations bound to ``node``'s statement or to a definition around it."""
        statement = self.enclosing_statement(node)
        lines = {statement.lineno}
        lines.update(a.lineno for a in self.ancestors(node) if isinstance(a, (*_DEFINITIONS, ast.stmt)))
        return [a for a in self.annotations if a.target.line in lines or _covers_cell(a, statement.lineno)]


def _covers_cell(annotation: Annotation, line: int) -> bool:
    """A markdown cell's annotation binds to the whole code cell after it."""
    return annotation.form == "markdown" and annotation.target.line <= line <= (annotation.target.end_line or 0)


def _header_end(statement: ast.stmt) -> int:
    """The last line of a statement's own text: its header for a compound statement."""
    body = getattr(statement, "body", None)
    if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
        return max(statement.lineno, body[0].lineno - 1)
    return statement.end_lineno or statement.lineno


def _absolute_module(node: ast.ImportFrom, package: list[str]) -> str:
    """``from ..a import b`` inside ``pkg/sub/m.py`` imports from ``pkg.a``."""
    module = node.module or ""
    if not node.level:
        return module
    base = package[: len(package) - (node.level - 1)] if node.level - 1 <= len(package) else []
    return ".".join([*base, module] if module else base)


def read_code(parsed: ParsedSource, annotations: tuple[Annotation, ...] = ()) -> CodeModule | SyntaxError:
    """The file's code model, or the SyntaxError of this Python's ``ast`` (libcst may accept
    syntax newer than the running interpreter's)."""
    if parsed.tree is None:
        return parsed.tree_error or SyntaxError("this Python cannot parse the file")
    return CodeModule(parsed.relative, parsed.text, parsed.tree, annotations, parsed)
