"""One pass over a file's ``ast`` for the hidden-inputs rules, keeping where each node is.

The globals and reproducibility rules need, for a few kinds of node, the same context:
the function around it, the dotted path of definitions (``Trainer.step``), the chain of
scopes (to ask CPython's ``symtable`` what a name means there), and whether it sits in an
``if __name__ == "__main__":`` block. :func:`walk_code` visits the tree once with an
explicit stack and sorts the nodes the rules read into buckets; :class:`ScopeResolver`
answers "is this name the module's global here?" from the symbol table, matched to the
tree by each scope's name and line.
"""

from __future__ import annotations

import ast
import symtable
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar, cast

from paperlink.source.code import FUNCTIONS, CodeModule, child_nodes

__all__ = ["Site", "CodeWalk", "ScopeResolver", "walk_code", "is_main_guard", "base_name"]

_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_COMPREHENSION_NAMES = {
    ast.ListComp: "listcomp",
    ast.SetComp: "setcomp",
    ast.DictComp: "dictcomp",
    ast.GeneratorExp: "genexpr",
}


_Node = TypeVar("_Node", bound=ast.AST)


@dataclass(frozen=True, slots=True)
class Site(Generic[_Node]):
    """A node and where it is: innermost def, dotted definition path, scope chain, main block."""

    node: _Node
    function: ast.FunctionDef | ast.AsyncFunctionDef | None
    path: str  # the definitions around it, dotted ("" at module level)
    scopes: tuple[ast.AST, ...]  # the module, then each def/lambda/class/comprehension inside it
    main: bool  # inside `if __name__ == "__main__":`

    @property
    def at_import(self) -> bool:
        """Runs when the module is imported: not in a def or lambda body, not in the main block."""
        return not self.main and not any(isinstance(s, (*FUNCTIONS, ast.Lambda)) for s in self.scopes)


@dataclass
class CodeWalk:
    """The nodes the hidden-inputs rules read, each with its :class:`Site`, in source order."""

    names: list[Site[ast.Name]] = field(default_factory=list)  # ast.Name nodes whose id was asked for
    holders: dict[int, ast.Attribute | ast.Subscript] = field(default_factory=dict)  # id(Name) -> `name.attr`/`name[k]`
    calls: list[Site[ast.Call]] = field(default_factory=list)
    subscripts: list[Site[ast.Subscript]] = field(default_factory=list)
    assigns: list[Site[ast.Assign | ast.AugAssign | ast.AnnAssign | ast.Delete]] = field(default_factory=list)
    compares: list[Site[ast.Compare]] = field(default_factory=list)  # comparisons with `in`
    definitions: list[Site[ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef]] = field(
        default_factory=list
    )  # their decorators
    imports: list[ast.Import] = field(default_factory=list)
    global_statements: list[Site[ast.Global]] = field(default_factory=list)
    discarded: set[int] = field(default_factory=set)  # id() of each expression whose value a statement drops
    main_guard: bool = False


def is_main_guard(node: ast.AST) -> bool:
    """``if __name__ == "__main__":`` (either operand order)."""
    if not isinstance(node, ast.If) or not isinstance(node.test, ast.Compare) or len(node.test.ops) != 1:
        return False
    sides = [node.test.left, *node.test.comparators]
    names = [s for s in sides if isinstance(s, ast.Name) and s.id == "__name__"]
    texts = [s for s in sides if isinstance(s, ast.Constant) and s.value == "__main__"]
    return isinstance(node.test.ops[0], ast.Eq) and len(names) == 1 and len(texts) == 1


def base_name(node: ast.AST) -> ast.Name | None:
    """The name at the root of ``a.b[c].d`` (None when the root is not a name)."""
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node if isinstance(node, ast.Name) else None


def walk_code(code: CodeModule, names: frozenset[str]) -> CodeWalk:
    """Visit ``code`` once; ``names`` are the identifiers whose uses the caller needs.

    Nodes come in no particular order (callers sort what they report by position); the
    context of a node is one tuple shared by all nodes of the same scope, and a
    :class:`Site` is built only for the nodes a bucket keeps.
    """
    found = CodeWalk()
    top = (None, "", (code.tree,), False)
    # Any: the loop dispatches on `kind = type(node)`, which the type checker cannot follow
    stack: list[tuple[Any, tuple]] = [(code.tree, top)]
    push, pop = stack.append, stack.pop
    while stack:
        node, context = pop()
        kind = type(node)
        if kind is ast.Name:
            if node.id in names:
                found.names.append(Site(node, *context))
            continue
        if kind is ast.Attribute:
            value = node.value
            if type(value) is ast.Name and value.id in names:
                found.holders[id(value)] = node
        elif kind is ast.Call:
            found.calls.append(Site(node, *context))
        elif kind is ast.Subscript:
            found.subscripts.append(Site(node, *context))
            value = node.value
            if type(value) is ast.Name and value.id in names:
                found.holders[id(value)] = node
        elif kind in _ASSIGNMENTS:
            found.assigns.append(Site(node, *context))
        elif kind is ast.Compare:
            if any(type(op) in (ast.In, ast.NotIn) for op in node.ops):
                found.compares.append(Site(node, *context))
        elif kind is ast.Import:
            found.imports.append(node)
        elif kind is ast.Global:
            found.global_statements.append(Site(node, *context))
        elif kind is ast.Expr:
            found.discarded.add(id(node.value))
        if kind in _SCOPED or (kind is ast.If and context is top and is_main_guard(node)):
            if kind in _DEFINITIONS:
                found.definitions.append(Site(node, *context))
            stack.extend(_scoped_children(node, context, found))
        else:
            for child in child_nodes(node):
                push((child, context))
    return found


_ASSIGNMENTS = frozenset({ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete})
_DEFINITIONS = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef})
_SCOPED = _DEFINITIONS | {ast.Lambda, *_COMPREHENSIONS}
_Scoped = (
    ast.FunctionDef
    | ast.AsyncFunctionDef
    | ast.ClassDef
    | ast.Lambda
    | ast.If
    | ast.ListComp
    | ast.SetComp
    | ast.DictComp
    | ast.GeneratorExp
)


def _scoped_children(node: _Scoped, outer: tuple, found: CodeWalk) -> list[tuple[ast.AST, tuple]]:
    """The children of a def, class, lambda, comprehension or main block, each with its
    context: a new scope for the body; what a definition evaluates when it runs (decorators,
    defaults, bases, a comprehension's first iterable) stays in the outer one."""
    function, path, scopes, main = outer
    if isinstance(node, FUNCTIONS):
        inner = (node, f"{path}.{node.name}" if path else node.name, (*scopes, node), main)
        args = node.args
        before = [*node.decorator_list, *args.defaults, *(d for d in args.kw_defaults if d is not None)]
        return [(c, outer) for c in before] + [(c, inner) for c in node.body]
    if isinstance(node, ast.ClassDef):
        inner = (function, f"{path}.{node.name}" if path else node.name, (*scopes, node), main)
        return [(c, outer) for c in (*node.decorator_list, *node.bases, *node.keywords)] + [
            (c, inner) for c in node.body
        ]
    if isinstance(node, ast.Lambda):
        args = node.args
        before = [*args.defaults, *(d for d in args.kw_defaults if d is not None)]
        return [(c, outer) for c in before] + [(node.body, (function, path, (*scopes, node), main))]
    if isinstance(node, ast.If):  # the main block
        found.main_guard = True
        body = (function, path, scopes, True)
        return [(node.test, outer)] + [(c, body) for c in node.body] + [(c, outer) for c in node.orelse]
    inner = (function, path, (*scopes, node), main)
    first, *others = node.generators
    rest = [first.target, *first.ifs] + [c for g in others for c in (g.target, g.iter, *g.ifs)]
    results = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
    return [(first.iter, outer)] + [(c, inner) for c in rest + results]


class ScopeResolver:
    """What a name means in a scope, from CPython's ``symtable`` of the file."""

    def __init__(self, code: CodeModule) -> None:
        self._top = code.symbols
        self._tables: dict[int, symtable.SymbolTable | None] = {}
        self._children: dict[int, dict[tuple[str, int], list[symtable.SymbolTable]]] = {}

    def is_global(self, name: str, scopes: tuple[ast.AST, ...]) -> bool:
        """Whether ``name`` in the innermost of ``scopes`` is the module's global."""
        table = self._table(scopes)
        if table is None:
            return False
        try:
            return table.lookup(name).is_global()
        except KeyError:
            return False

    def is_declared_global(self, name: str, scopes: tuple[ast.AST, ...]) -> bool:
        table = self._table(scopes)
        try:
            return table is not None and table.lookup(name).is_declared_global()
        except KeyError:
            return False

    def _table(self, scopes: tuple[ast.AST, ...]) -> symtable.SymbolTable | None:
        table = self._top
        for scope in scopes[1:]:
            if table is None:
                return None
            known: symtable.SymbolTable | None | Literal[False] = self._tables.get(id(scope), False)
            if known is False:
                known = self._child(table, scope)
                self._tables[id(scope)] = known
            # Python 3.12 inlines comprehensions: no table of their own, names resolve outside
            table = known if known is not None or not isinstance(scope, _COMPREHENSIONS) else table
        return table

    def _child(self, table: symtable.SymbolTable, scope: ast.AST) -> symtable.SymbolTable | None:
        children = self._children.get(id(table))
        if children is None:
            children = {}
            for child in table.get_children():
                children.setdefault((child.get_name(), child.get_lineno()), []).append(child)
            self._children[id(table)] = children
        if isinstance(scope, (*FUNCTIONS, ast.ClassDef)):
            key = (scope.name, scope.lineno)
        elif isinstance(scope, ast.Lambda):
            key = ("lambda", scope.lineno)
        else:
            key = (_COMPREHENSION_NAMES[type(scope)], cast(ast.expr, scope).lineno)
        candidates = children.get(key)
        return candidates.pop(0) if candidates else None
