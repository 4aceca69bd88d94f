"""The environment analysis (PL505, PL506) and its ``environment`` section.

``scan`` reads one file: the third-party packages it imports (the top-level name of each
absolute import, less the standard library and paperlink's own markers; a guarded import
is optional, see :func:`_imports`) and its first use of CUDA (``.cuda()``,
``torch.cuda.*``, a ``"cuda"`` device string). ``conclude`` compares them with the
environment files :mod:`paperlink.source.environment` read at the project root
(``Project.environment``): every imported package should be pinned to one version by some
file (a lock file's entry counts), and Python's version, and CUDA's when the code uses it,
should be recorded.
"""

from __future__ import annotations

import ast
import bisect
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from paperlink.analysis.base import Analysis, Conclusion, Project
from paperlink.analysis.environment_verdicts import environment_diagnostics, environment_section
from paperlink.source.code import CodeModule
from paperlink.source.roles import is_test_file
from paperlink.spans import Span

__all__ = ["ENVIRONMENT", "EnvironmentFacts", "ImportedPackage", "scan", "conclude"]

# paperlink's markers are no-ops: its version cannot change a result
_NOT_PACKAGES = frozenset(sys.stdlib_module_names) | {"__future__", "__main__", "paperlink"}
_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})
if sys.version_info >= (3, 11):
    _TRIES = (ast.Try, ast.TryStar)
else:  # try/except* is new in 3.11
    _TRIES = (ast.Try,)
_CUDA_DEVICE = re.compile(r"^cuda(:\d+)?$")
_CUDA_WORD = re.compile(r"cuda")
_IMPORT_WORD = re.compile(r"import")  # on the first line of every import statement; a literal is a fast search


@dataclass(frozen=True)
class ImportedPackage:
    """The first import of one third-party top-level module in a file."""

    module: str  # "torch", "cv2"
    span: Span
    optional: bool  # every import of it in the file is guarded (try/except ImportError, TYPE_CHECKING)


@dataclass(frozen=True)
class EnvironmentFacts:
    path: str
    test: bool = False  # a test file or a packaging script (setup.py): its imports are not the method's
    imports: tuple[ImportedPackage, ...] = ()
    cuda: Span | None = None  # the first use of CUDA in the file
    cuda_use: str = ""  # what it is: ".cuda()", "torch.cuda.is_available", "'cuda'"


def scan(code: CodeModule) -> EnvironmentFacts:
    if is_test_file(code.relative) or code.relative.rsplit("/", 1)[-1] == "setup.py":
        return EnvironmentFacts(code.relative, test=True)
    first: dict[str, ImportedPackage] = {}
    for node, optional in _imports(code.tree.body, False, False, _lines_matching(code.text, _IMPORT_WORD)):
        names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""]
        for name in names:
            top = name.split(".", 1)[0]
            if not top or top in _NOT_PACKAGES:
                continue
            known = first.get(top)
            if known is None or (known.optional and not optional):
                first[top] = ImportedPackage(top, code.span(node), optional)
    cuda, use = _first_cuda_use(code) if "cuda" in code.text else (None, "")  # a substring test skips most files
    return EnvironmentFacts(
        code.relative, False, tuple(sorted(first.values(), key=lambda p: (p.span, p.module))), cuda, use
    )


def _lines_matching(text: str, pattern: re.Pattern[str]) -> list[int]:
    """The 1-based numbers of the lines where ``pattern`` matches, in order."""
    starts = [match.start() for match in pattern.finditer(text)]
    if not starts:
        return []
    lines, line, position = [], 1, 0
    for start in starts:
        line += text.count("\n", position, start)
        position = start
        lines.append(line)
    return lines


def _holds(statement: Any, lines: list[int]) -> bool:
    """Whether one of the sorted ``lines`` lies within the node (a walk skips the others).

    Any node with a position: ast types no common base for them."""
    index = bisect.bisect_left(lines, statement.lineno)
    return index < len(lines) and lines[index] <= (statement.end_lineno or statement.lineno)


def _imports(
    body: list[ast.stmt], optional: bool, in_function: bool, lines: list[int]
) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Absolute imports anywhere in the statements, each with whether it is optional: guarded
    by ``try``/``except ImportError`` (the fallback in the handler too), under ``if
    TYPE_CHECKING:``, or under an ``if`` inside a function (a lazy import for a feature).
    Only statements spanning one of ``lines`` (those holding the word ``import``) are entered."""
    for statement in body:
        if not _holds(statement, lines):
            continue
        if isinstance(statement, ast.Import) or (isinstance(statement, ast.ImportFrom) and statement.level == 0):
            yield statement, optional
        elif isinstance(statement, _TRIES):
            guarded = optional or any(_catches_import_error(handler) for handler in statement.handlers)
            for block in (statement.body, *(handler.body for handler in statement.handlers)):
                yield from _imports(block, guarded, in_function, lines)
            for block in (statement.orelse, statement.finalbody):
                yield from _imports(block, optional, in_function, lines)
        elif isinstance(statement, ast.If):
            checking = isinstance(statement.test, (ast.Name, ast.Attribute)) and ast.unparse(statement.test).endswith(
                "TYPE_CHECKING"
            )
            for block in (statement.body, statement.orelse):
                yield from _imports(block, optional or checking or in_function, in_function, lines)
        else:
            inner = in_function or isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef))
            for name in ("body", "orelse", "finalbody"):
                block = getattr(statement, name, None)
                if isinstance(block, list):
                    yield from _imports(block, optional, inner, lines)
            for case in getattr(statement, "cases", ()):
                yield from _imports(case.body, optional, inner, lines)


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    caught = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(
        isinstance(c, (ast.Name, ast.Attribute)) and ast.unparse(c).rsplit(".", 1)[-1] in _IMPORT_ERRORS for c in caught
    )


def _first_cuda_use(code: CodeModule) -> tuple[Span | None, str]:
    """The earliest ``.cuda()`` call, ``torch.cuda`` name or ``"cuda"``/``"cuda:0"`` string."""
    found: list[tuple[Span, str]] = []
    for node in _walk_lines(code.tree, _lines_matching(code.text, _CUDA_WORD)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "cuda":
            found.append((code.span(node), ".cuda()"))
        elif isinstance(node, ast.Attribute) and node.attr == "cuda" and code.qualified_name(node) == "torch.cuda":
            found.append((code.span(node), "torch.cuda"))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and _CUDA_DEVICE.match(node.value):
            found.append((code.span(node), repr(node.value)))
    return min(found) if found else (None, "")


def _walk_lines(tree: ast.Module, lines: list[int]) -> Iterator[ast.AST]:
    """The nodes of ``tree`` that span one of ``lines``: ``ast.walk`` without the subtrees
    that cannot hold them."""
    stack: list[ast.AST] = list(tree.body)
    while stack:
        node = stack.pop()
        if not hasattr(node, "lineno") or _holds(node, lines):  # arguments, comprehensions: no position
            yield node
            stack.extend(ast.iter_child_nodes(node))


def conclude(facts: Sequence[EnvironmentFacts], project: Project) -> Conclusion:
    files = sorted(facts, key=lambda f: f.path)
    environment = project.environment
    diagnostics = environment_diagnostics(files, environment)
    return Conclusion(tuple(sorted(diagnostics)), environment_section(files, environment))


ENVIRONMENT: Analysis[EnvironmentFacts] = Analysis(
    name="environment",
    facts=EnvironmentFacts,
    scan=scan,
    conclude=conclude,
)
