"""Code targets: every function, class and statement of the sources, with what it says.

A target is what a ``# paper:`` comment can sit above. Its features (words of its name,
docstring, comments and body; its literals; the operators it calls; its place among its
function's statements) are computed once, from the stdlib ``ast`` and the text.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from paperlink.suggest.words import words

__all__ = ["Target", "Literal", "read_targets", "CALL_OPERATORS"]

# Calls (last dotted part) and the equation operator each implements.
CALL_OPERATORS = {
    "sum": "sum",
    "reduce_sum": "sum",
    "nansum": "sum",
    "cumsum": "sum",
    "logsumexp": "log",
    "mean": "mean",
    "reduce_mean": "mean",
    "average": "mean",
    "mse_loss": "mean",
    "log": "log",
    "log_softmax": "log",
    "log_prob": "log",
    "log1p": "log",
    "exp": "exp",
    "softmax": "softmax",
    "norm": "norm",
    "normalize": "norm",
    "l2_loss": "norm",
    "detach": "sg",
    "stop_gradient": "sg",
    "no_grad": "sg",
    "sqrt": "sqrt",
    "square": "square",
    "pow": "square",
    "grad": "grad",
    "backward": "grad",
    "gradients": "grad",
    "elementwise_grad": "grad",
    "vjp": "grad",
    "jacobian": "grad",
    "value_and_grad": "grad",
    "max": "max",
    "amax": "max",
    "maximum": "max",
    "min": "min",
    "amin": "min",
    "minimum": "min",
}


@dataclass(frozen=True)
class Literal:
    """A number written in the code and the name it is bound to (keyword, target or default)."""

    value: float
    name: str  # "lr" for ``lr=3e-4`` or ``lr = 3e-4``; "" when unnamed


@dataclass(frozen=True)
class Target:
    """A function, class or statement that an annotation can sit above."""

    path: str
    line: int  # the ``def``/``class`` line, or the statement's first line
    end_line: int
    kind: str  # "function", "class" or "statement"
    name: str  # qualified name of a definition ("Model.forward"); "" for a statement
    scope: str  # the definition it sits in ("" at module level)
    code: str  # its first line, stripped
    indent: int  # columns before its first character (where a comment above it goes)
    annotation_line: int  # the first line of it (decorators included): a comment goes above this
    name_words: tuple[str, ...] = ()
    context_words: tuple[str, ...] = ()  # the names of the definitions around it ("EulerSolver" for its methods)
    text_words: tuple[str, ...] = ()  # docstring and comments
    body_words: tuple[str, ...] = ()
    literals: tuple[Literal, ...] = ()  # a definition's: its parameters' defaults only
    operators: frozenset[str] = frozenset()
    calls: tuple[str, ...] = ()  # last parts of the called names, in order
    loops: int = 0
    control: str = ""  # a statement's: "loop", "if" or "return"
    symbols: frozenset[str] = frozenset()  # identifiers as a formula would name them: ``k1``, ``h``, ``alpha``
    position: float = 0.0  # where it sits among its function's statements, 0 (first) to 1 (last)
    statements: tuple[int, ...] = field(default=(), compare=False)  # for a definition: its statements' indexes
    cell: tuple[int, int] | None = None  # in a notebook: the cell's number and the line in the cell


def read_targets(path: str, text: str) -> list[Target]:
    """Every target of one Python file; a file that does not parse has none."""
    tree = _parse(text)
    if tree is None:
        return []
    lines = text.splitlines()
    comments = _comments(text)
    reader = _Reader(path, lines, comments, tuple(words(path.rsplit("/", 1)[-1].removesuffix(".py"))))
    reader.body(tree.body, "")
    return reader.targets


_PRINT = re.compile(r"^([ \t]*|.*:[ \t]*)print\b(?![ \t]*\()(?=[ \t]*\S)", re.MULTILINE)
_BARE_PRINT = re.compile(r"^([ \t]*)print[ \t]*$", re.MULTILINE)
_LONG = re.compile(r"\b(\d+)[lL]\b")
_EXCEPT = re.compile(r"^(\s*except\s+[\w.()\s,]+?)\s*,\s*(\w+)\s*:", re.MULTILINE)


def _parse(text: str) -> ast.Module | None:
    """The file's ``ast``; for Python 2 code (research code often is), after rewriting its
    ``print`` statements and ``except E, e:`` line for line, so positions stay the same."""
    python2 = _BARE_PRINT.sub(r"\1pass", _PRINT.sub(r"\1_ =", text))
    for attempt in (text, _LONG.sub(r"\1 ", _EXCEPT.sub(r"\1 as \2:", python2))):
        try:
            return ast.parse(attempt)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
    return None


_ANNOTATION = re.compile(r"paper(?:link)?\s*(?:\[[^\]]*\])?\s*:", re.IGNORECASE)


def _comments(text: str) -> dict[int, str]:
    """Comments by line. Cheap, not exact: a ``#`` after a quote on the line is taken as
    inside a string; the words of a comment are evidence, never an annotation."""
    found: dict[int, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        at = line.find("#")
        if at < 0 or "'" in line[:at] or '"' in line[:at]:
            continue
        comment = line[at + 1 :].strip()
        if not _ANNOTATION.match(comment):  # what links say is the neighbours' evidence, not words
            found[number] = comment
    return found


class _Reader:
    def __init__(self, path: str, lines: list[str], comments: dict[int, str], module: tuple[str, ...]) -> None:
        self.path = path
        self.module = module  # the file's name, in words: what the file is about
        self.lines = lines
        self.comments = comments
        self.targets: list[Target] = []

    def body(self, statements: list[ast.stmt], scope: str) -> list[int]:
        """Read a block; the indexes of the statements read (nested ones included)."""
        indexes: list[int] = []
        for statement in statements:
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.definition(statement, scope)
                continue
            if _is_docstring(statement):
                continue
            indexes.append(len(self.targets))
            self.targets.append(self.statement(statement, scope))
            for block in _blocks(statement):
                indexes.extend(self.body(block, scope))
        return indexes

    def definition(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef, scope: str) -> None:
        name = f"{scope}.{node.name}" if scope else node.name
        here = len(self.targets)
        self.targets.append(self.statement(node, scope))  # placeholder, replaced below
        inner = self.body(node.body, name)
        for order, index in enumerate(inner):  # a statement's place in its function, for algorithm line order
            self.targets[index] = _with_position(self.targets[index], order / max(len(inner) - 1, 1))
        doc = ast.get_docstring(node) or ""
        comment_words = [w for line in range(node.lineno, _end(node) + 1) for w in words(self.comments.get(line, ""))]
        body_words: list[str] = []
        operators: set[str] = set()
        calls: list[str] = []
        literals: list[Literal] = []
        loops = 0
        for index in inner:
            target = self.targets[index]
            body_words.extend(target.body_words)
            operators |= target.operators
            calls.extend(target.calls)
            loops += target.loops
        if not isinstance(node, ast.ClassDef):
            literals.extend(_defaults(node))
        first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        self.targets[here] = Target(
            path=self.path,
            line=node.lineno,
            end_line=_end(node),
            kind="class" if isinstance(node, ast.ClassDef) else "function",
            name=name,
            scope=scope,
            code=self.lines[node.lineno - 1].strip() if node.lineno <= len(self.lines) else "",
            indent=node.col_offset,
            annotation_line=first,
            name_words=tuple(words(node.name)),
            context_words=self.module + tuple(words(scope.replace(".", " "))),
            text_words=tuple(words(doc[:2000]) + comment_words),
            body_words=tuple(body_words),
            literals=tuple(literals),
            operators=frozenset(operators),
            calls=tuple(calls),
            loops=loops,
            statements=tuple(inner),
        )

    def statement(self, node: ast.stmt, scope: str) -> Target:
        header = _header(node)
        names: list[str] = []
        calls: list[str] = []
        literals: list[Literal] = []
        symbols: set[str] = set()
        operators: set[str] = set()
        loops = 1 if isinstance(node, (ast.For, ast.AsyncFor, ast.While)) else 0
        for part in header:
            for child in ast.walk(part):
                _collect(child, names, calls, literals)
                if isinstance(child, ast.Name):
                    symbols |= _symbols(child.id)
                elif isinstance(child, ast.Attribute):
                    symbols |= _symbols(child.attr)
                elif isinstance(child, ast.BinOp) and isinstance(child.op, ast.Pow):
                    operators.add("square")
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            literals.extend(_assigned(node))
        end = _header_end(node)
        comment_words = [w for line in range(node.lineno, end + 1) for w in words(self.comments.get(line, ""))]
        if (
            node.lineno > 1
            and node.lineno - 1 in self.comments
            and self.lines[node.lineno - 2].lstrip().startswith("#")
        ):
            comment_words.extend(words(self.comments[node.lineno - 1]))
        operators |= {CALL_OPERATORS[c] for c in calls if c in CALL_OPERATORS}
        return Target(
            path=self.path,
            line=node.lineno,
            end_line=_end(node),
            kind="statement",
            symbols=frozenset(symbols),
            name="",
            scope=scope,
            code=self.lines[node.lineno - 1].strip() if node.lineno <= len(self.lines) else "",
            indent=node.col_offset,
            annotation_line=node.lineno,
            name_words=(),
            context_words=self.module + tuple(words(scope.replace(".", " "))),
            text_words=tuple(comment_words),
            body_words=tuple(w for name in names for w in words(name)),
            literals=tuple(literals),
            operators=frozenset(operators),
            calls=tuple(calls),
            loops=loops,
            control=_control(node),
        )


def _control(node: ast.stmt) -> str:
    if isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
        return "loop"
    if isinstance(node, ast.If):
        return "if"
    return "return" if isinstance(node, ast.Return) else ""


def _symbols(identifier: str) -> set[str]:
    lowered = identifier.lower()
    first = lowered.split("_")[0]
    return {lowered.replace("_", ""), first} if first else {lowered.replace("_", "")}


def _with_position(target: Target, position: float) -> Target:
    from dataclasses import replace

    return replace(target, position=position)


def _is_docstring(node: ast.stmt) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)


def _blocks(node: ast.stmt) -> Iterable[list[ast.stmt]]:
    for name in ("body", "orelse", "finalbody"):
        block = getattr(node, name, None)
        if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
            yield block
    for handler in getattr(node, "handlers", ()):
        yield handler.body
    for case in getattr(node, "cases", ()):
        yield case.body


def _header(node: ast.stmt) -> list[ast.AST]:
    """The parts of a statement that are its own (a compound statement's body is not)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return []
    if isinstance(node, (ast.For, ast.AsyncFor)):
        return [node.target, node.iter]
    if isinstance(node, (ast.While, ast.If)):
        return [node.test]
    if isinstance(node, (ast.With, ast.AsyncWith)):
        return list(node.items)
    if isinstance(node, ast.Try):
        return []
    return [node]


def _header_end(node: ast.stmt) -> int:
    parts = _header(node)
    if not parts or parts[0] is node:
        return _end(node)
    return max([node.lineno, *(getattr(p, "end_lineno", None) or node.lineno for p in parts)])


def _end(node: ast.AST) -> int:
    end = getattr(node, "end_lineno", None) or getattr(node, "lineno", None)
    return end if isinstance(end, int) else 1


def _collect(node: ast.AST, names: list[str], calls: list[str], literals: list[Literal]) -> None:
    if isinstance(node, ast.Name):
        names.append(node.id)
    elif isinstance(node, ast.Attribute):
        names.append(node.attr)
    elif isinstance(node, ast.keyword) and node.arg:
        names.append(node.arg)
        value = _number(node.value) if node.arg != "default" else None  # the option's (ast.Call below)
        if value is not None:
            literals.append(Literal(value, node.arg))
    elif isinstance(node, ast.Call):
        called = _last_name(node.func)
        if called:
            calls.append(called)
        option = _option_name(node)
        for keyword in node.keywords:  # add_argument("--lr", default=0.05) sets lr
            value = _number(keyword.value) if option and keyword.arg == "default" else None
            if value is not None:
                literals.append(Literal(value, option))
        for argument in node.args:
            value = _number(argument)
            if value is not None:
                literals.append(Literal(value, _option_name(node)))
        if option:
            names.append(option)
    elif isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) <= 60:
        names.append(node.value)


def _option_name(call: ast.Call) -> str:
    """``--lr`` for ``parser.add_argument("--lr", ...)``; "" for other calls."""
    if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
        if call.args[0].value.startswith("-"):
            return call.args[0].value.lstrip("-")
    return ""


def _last_name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _number(node: ast.AST) -> float | None:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _number(node.operand)
        return -inner if inner is not None else None
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return float(node.value)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):  # 10 ** -3
        base, exponent = _number(node.left), _number(node.right)
        if base is not None and exponent is not None and abs(exponent) < 40:
            try:
                return float(base**exponent)
            except (OverflowError, ZeroDivisionError):
                return None
    return None


def _assigned(node: ast.Assign | ast.AnnAssign | ast.AugAssign) -> list[Literal]:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    found = []
    for target in targets:
        name = _last_name(target) if isinstance(target, (ast.Name, ast.Attribute)) else ""
        if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
            for element, value in zip(target.elts, node.value.elts):
                number = _number(value)
                if number is not None and isinstance(element, (ast.Name, ast.Attribute)):
                    found.append(Literal(number, _last_name(element)))
            continue
        number = _number(node.value) if node.value is not None else None
        if number is not None and name:
            found.append(Literal(number, name))
    return found


def _defaults(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[Literal]:
    arguments = node.args
    positional = [*arguments.posonlyargs, *arguments.args]
    pairs = list(zip(positional[len(positional) - len(arguments.defaults) :], arguments.defaults))
    pairs += [(a, d) for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults) if d is not None]
    found = []
    for argument, default in pairs:
        number = _number(default)
        if number is not None:
            found.append(Literal(number, argument.arg))
    return found
