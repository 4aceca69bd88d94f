"""Annotations read from libcst's concrete tree, for files this Python's ``ast`` refuses.

Syntax newer than the running interpreter (libcst accepts it) still carries annotations;
the binding rules are those of :mod:`paperlink.source.annotations`, which reads every
other file from the stdlib ``ast`` and the text. Only the walk of the tree is this
module's: the forms' grammar, which imports make ``implements``, the making of an
:class:`Annotation` (its references parsed, citations left out) and the fingerprint's
digest are the ``ast`` reader's own functions, and ``tests/source/test_comment_binding.py``
runs every case through both readers and demands the same annotations.
"""

from __future__ import annotations

import ast
import textwrap

import libcst as cst

from paperlink.source.annotations import (
    _DOCSTRING_LINE, Annotation, _annotation, _ImplementsNames, comment_references, statements_digest,
)
from paperlink.source.parse import ParsedSource
from paperlink.spans import Span

__all__ = ["collect_annotations_cst"]

_COMPOUND = (
    cst.FunctionDef, cst.ClassDef, cst.If, cst.For, cst.While, cst.With, cst.Try, cst.TryStar, cst.Match,
)
# Clauses own a block too: comments on and after `else:`, `except ...:`, `finally:`, `case ...:` bind to them.
_CLAUSES = (cst.Else, cst.ExceptHandler, cst.ExceptStarHandler, cst.Finally, cst.MatchCase)


def collect_annotations_cst(parsed: ParsedSource) -> list[Annotation]:
    """Every annotation in the file, from libcst's tree (unsorted)."""
    collector = _Collector(parsed)
    parsed.module.visit(collector)
    return collector.found


class _Collector(cst.CSTVisitor):
    def __init__(self, parsed: ParsedSource) -> None:
        self.parsed = parsed
        self.found: list[Annotation] = []
        self.implements = _ImplementsNames()
        self.scope: list[str] = []
        self.names: dict[cst.CSTNode, str] = {}  # definition -> qualified name ("Model.forward")
        self.statements: list[cst.CSTNode] = []  # enclosing statements, innermost last
        self.seen: set[cst.Comment] = set()  # comments bound by the rules above

    # -- imports -------------------------------------------------------------------------

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            self.implements.imported(_dotted(alias.name), _asname(alias))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.module is None:  # `from . import x`: the dots of a relative import are not looked at
            return
        module = _dotted(node.module)
        if isinstance(node.names, cst.ImportStar):
            self.implements.imported_from(module, "*", None)
            return
        for alias in node.names:
            self.implements.imported_from(module, _dotted(alias.name), _asname(alias))

    # -- statements ------------------------------------------------------------------------

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self._leading(node.leading_lines, node)
        self._comment(node.trailing_whitespace.comment, node)

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> bool:
        # Implicit concatenation nests one level per part; generated files (pydoc's topics)
        # have thousands of parts. A comment between the parts is the price of not recursing.
        return False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._definition(node)
        self.scope.append(node.name.value)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.scope.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._definition(node)
        self.scope.append(node.name.value)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.scope.pop()

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, (*_COMPOUND, *_CLAUSES)) and not isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            self._leading(node.leading_lines, node)
            if not isinstance(node, cst.Match):  # a match has cases, not a body; visit_Comment binds the rest
                self._block(node, node.body)
        if isinstance(node, (cst.BaseStatement, *_CLAUSES)):
            self.statements.append(node)
        return super().on_visit(node)

    def on_leave(self, original_node: cst.CSTNode) -> None:
        if isinstance(original_node, (cst.BaseStatement, *_CLAUSES)):
            self.statements.pop()
        super().on_leave(original_node)

    def visit_Comment(self, node: cst.Comment) -> None:
        # The rest: comments inside brackets or between decorators bind to their statement.
        if node not in self.seen:
            self._comment(node, self.statements[-1] if self.statements else self.parsed.module)

    def visit_Module(self, node: cst.Module) -> None:
        for line in (*node.header, *node.footer):
            self._comment(line.comment, node)
        self._docstring(node, node)

    def _definition(self, node: cst.FunctionDef | cst.ClassDef) -> None:
        self.names[node] = ".".join([*self.scope, node.name.value])
        self._leading(node.leading_lines, node)
        self._leading(node.lines_after_decorators, node)
        self._block(node, node.body)
        for decorator in node.decorators:
            self._decorator(decorator, node)
        self._docstring(node, node)

    def _block(self, owner: cst.CSTNode, body: cst.BaseSuite) -> None:
        if isinstance(body, cst.IndentedBlock):
            self._comment(body.header.comment, owner)
            for line in body.footer:
                self._comment(line.comment, owner)
        elif isinstance(body, cst.SimpleStatementSuite):
            self._comment(body.trailing_whitespace.comment, owner)

    def _leading(self, lines, owner: cst.CSTNode) -> None:
        for line in lines:
            self._comment(line.comment, owner)

    # -- the three forms -------------------------------------------------------------------

    def _comment(self, comment: cst.Comment | None, owner: cst.CSTNode) -> None:
        if comment is None:
            return
        self.seen.add(comment)
        found = comment_references(comment.value)
        if found is not None:
            self._add(found[0], found[1], "comment", comment, owner)

    def _decorator(self, decorator: cst.Decorator, owner: cst.FunctionDef | cst.ClassDef) -> None:
        call = decorator.decorator
        if not isinstance(call, cst.Call) or not self.implements.called(_dotted(call.func)):
            return
        references: list[str] = []
        paper = None
        problem = ""
        for argument in call.args:
            value = _literal(argument.value)
            if value is None:
                problem = "the arguments of implements(...) must be string literals"
            elif argument.keyword is not None and argument.keyword.value == "paper":
                paper = value
            elif argument.keyword is None:
                references.append(value)
        self._add(", ".join(references), paper, "decorator", decorator, owner, problem)

    def _docstring(self, node: cst.Module | cst.FunctionDef | cst.ClassDef, owner: cst.CSTNode) -> None:
        docstring = node.get_docstring(clean=False)
        if not docstring:
            return
        body = node.body if isinstance(node, cst.Module) else node.body.body
        expression = body[0].body[0] if body and isinstance(body[0], cst.SimpleStatementLine) else None
        for match in _DOCSTRING_LINE.finditer(docstring):
            self._add(match.group("text").strip(), match.group("paper"), "docstring", expression or owner, owner)

    def _add(self, text: str, paper: str | None, form: str, where: cst.CSTNode, owner: cst.CSTNode, problem: str = "") -> None:
        name = self.names.get(owner, "")
        span = self.parsed.span(where)
        target = self.parsed.span(owner) if not isinstance(owner, cst.Module) else Span(self.parsed.relative, 1)
        scope = name or ".".join(self.scope)
        annotation = _annotation(
            text, paper, form, span, target, name, problem, scope, lambda: _code_fingerprint(self.parsed.module, owner),
        )
        if annotation is not None:
            self.found.append(annotation)


def _dotted(node: cst.BaseExpression | cst.Attribute | cst.Name) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr.value}" if base else ""
    return ""


def _literal(node: cst.BaseExpression) -> str | None:
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _asname(alias: cst.ImportAlias) -> str | None:
    name = alias.asname.name if alias.asname else None
    return name.value if isinstance(name, cst.Name) else None


def _code_fingerprint(module: cst.Module, node: cst.CSTNode) -> str:
    """The ``ast`` reader's digest of ``node``'s code (formatting and comments aside); "" where
    this Python cannot parse the node's own code (the newer syntax sits in it)."""
    if isinstance(node, cst.Module):
        return ""
    try:
        return statements_digest(ast.parse(textwrap.dedent(module.code_for_node(node))).body)
    except (SyntaxError, RecursionError, ValueError):
        return ""
