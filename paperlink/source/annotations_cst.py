"""Annotations read from libcst's concrete tree, for files this Python's ``ast`` refuses.

Syntax newer than the running interpreter (libcst accepts it) still carries annotations;
the binding rules are those of :mod:`paperlink.source.annotations`, which reads every
other file from the stdlib ``ast`` and the text.
"""

from __future__ import annotations

import ast
import hashlib
import textwrap

import libcst as cst

from paperlink.references import parse_references
from paperlink.source.annotations import (
    _COMMENT, _DIRECTIVE_AFTER, _DOCSTRING_LINE, Annotation, is_citation,
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
        self.implements_names: set[str] = set()  # local names bound to paperlink.implements
        self.paperlink_modules: set[str] = set()  # local names bound to the paperlink module
        self.scope: list[str] = []
        self.names: dict[cst.CSTNode, str] = {}  # definition -> qualified name ("Model.forward")
        self.statements: list[cst.CSTNode] = []  # enclosing statements, innermost last
        self.seen: set[cst.Comment] = set()  # comments bound by the rules above

    # -- imports -------------------------------------------------------------------------

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            name = _dotted(alias.name)
            if name in ("paperlink", "paperlink.markers"):
                local = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else name
                self.paperlink_modules.add(local)
                if name == "paperlink":  # `paperlink.markers.implements` works as well
                    self.paperlink_modules.add(f"{local}.markers")
                elif local == "paperlink.markers":  # `import paperlink.markers` binds `paperlink` too
                    self.paperlink_modules.add("paperlink")

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.module is None or _dotted(node.module) not in ("paperlink", "paperlink.markers"):
            return
        if isinstance(node.names, cst.ImportStar):
            self.implements_names.add("implements")
            return
        for alias in node.names:
            if _dotted(alias.name) == "implements":
                asname = alias.asname.name if alias.asname else None
                self.implements_names.add(asname.value if isinstance(asname, cst.Name) else "implements")
            elif _dotted(alias.name) == "markers":
                asname = alias.asname.name if alias.asname else None
                self.paperlink_modules.add(asname.value if isinstance(asname, cst.Name) else "markers")

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
        match = _COMMENT.match(comment.value)
        if match is None:
            return
        text = _DIRECTIVE_AFTER.split(match.group("text"), maxsplit=1)[0]  # a directive after it is not a reference
        self._add(text.strip(), match.group("paper"), "comment", comment, owner)

    def _decorator(self, decorator: cst.Decorator, owner: cst.FunctionDef | cst.ClassDef) -> None:
        call = decorator.decorator
        if not isinstance(call, cst.Call) or not self._is_implements(call.func):
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

    def _is_implements(self, func: cst.BaseExpression) -> bool:
        if isinstance(func, cst.Name):
            return func.value in self.implements_names
        if isinstance(func, cst.Attribute) and func.attr.value == "implements":
            return _dotted(func.value) in self.paperlink_modules
        return False

    def _add(self, text: str, paper: str | None, form: str, where: cst.CSTNode, owner: cst.CSTNode, problem: str = "") -> None:
        parsed = parse_references(text)
        if form != "decorator" and is_citation(text, parsed):
            return
        name = self.names.get(owner, "")
        span = self.parsed.span(where)
        target = self.parsed.span(owner) if not isinstance(owner, cst.Module) else Span(self.parsed.relative, 1)
        scope = name or ".".join(self.scope)
        print_ = _code_fingerprint(self.parsed.module, owner)
        paper = paper.strip() if paper else None
        self.found.append(Annotation(text, paper, form, span, target, name, problem, scope, print_, *parsed))


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


def _code_fingerprint(module: cst.Module, node: cst.CSTNode) -> str:
    """A digest of what ``node`` does: its code parsed by ``ast``, so that formatting and
    comments (the annotation itself included) do not count as a change."""
    if isinstance(node, cst.Module):
        return ""
    try:
        code = textwrap.dedent(module.code_for_node(node))
        tree = ast.dump(ast.parse(code), annotate_fields=False)
    except (SyntaxError, RecursionError, ValueError):
        return ""
    return hashlib.sha256(tree.encode("utf-8")).hexdigest()[:16]
