"""What the scan's one walk notes for the configuration sites of :mod:`.signatures` and
:mod:`.attribute_bags`: function definitions with their owner, attribute and subscript
assignments, and the module-level block a script lets its command line override.

Shared words: a *setting name* is one the vocabulary does not rule out (``config_name``);
a *listable value* is a number, a boolean, or a string naming a choice of the method
(``arch="resnet50"``, ``model_type="gpt"``), never a path, a device or a dataset.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from paperlink.numbers import python_number
from paperlink.source.code import FUNCTIONS

__all__ = ["Noted", "note", "number", "is_choice_name", "annotated_numeric"]

# String values that are choices of the method (an architecture, an optimizer, where the
# weights start from); other strings (paths, devices, dataset names) are not hyperparameters.
_CHOICE = re.compile(r"(?:^|_)(?:arch|architecture|model_type|backbone|optimizer|scheduler|activation|init_from)$")
_CASTS = frozenset({"int", "float"})


@dataclass
class Noted:
    """Statements the configuration sites are read from, in source order."""

    functions: list[tuple[ast.FunctionDef | ast.AsyncFunctionDef, ast.AST]] = field(default_factory=list)
    stores: list[tuple[ast.Assign | ast.AnnAssign, ast.AST]] = field(default_factory=list)  # `x.a = v`, `x["a"] = v`
    module_literals: list[ast.Assign] = field(default_factory=list)  # `lr = 6e-4` at module level
    override_line: int | None = None  # the first `exec(...)` / `globals().update(...)` at module level


def note(noted: Noted, node: ast.stmt, scope: ast.AST, module: ast.Module) -> None:
    """Called by the scan's walk for every statement (``scope``: the enclosing function,
    class or module)."""
    if isinstance(node, FUNCTIONS):
        noted.functions.append((node, scope))
    elif isinstance(node, (ast.Assign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if len(targets) != 1 or node.value is None:
            return
        if isinstance(targets[0], (ast.Attribute, ast.Subscript)):
            noted.stores.append((node, scope))
        elif scope is module and isinstance(targets[0], ast.Name) and isinstance(node, ast.Assign):
            noted.module_literals.append(node)
    elif scope is module and isinstance(node, ast.Expr) and noted.override_line is None and _overrides(node.value):
        noted.override_line = node.lineno


def _overrides(node: ast.expr) -> bool:
    """``exec(open(f).read())`` or ``exec(...)`` of a configurator, ``globals().update(...)``."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if isinstance(func, ast.Name):
        return func.id == "exec"
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "update"
        and isinstance(func.value, ast.Call)
        and isinstance(func.value.func, ast.Name)
        and func.value.func.id == "globals"
    )


def number(node: ast.AST) -> float | None:
    """A constant number, also through ``int(1e6)`` / ``float("1e-4")``."""
    found = python_number(node)
    if found is not None:
        return found
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in _CASTS
        and len(node.args) == 1
        and not node.keywords
    ):
        inner = node.args[0]
        if isinstance(inner, ast.Constant) and isinstance(inner.value, str):
            try:
                return float(inner.value)
            except ValueError:
                return None
        return python_number(inner)
    return None


def is_choice_name(identifier: str) -> bool:
    return bool(_CHOICE.search(identifier.lower()))


def annotated_numeric(annotation: ast.AST | None) -> bool:
    """Whether an annotation admits a number (``float | None``, ``Optional[int]``, ``str | float``)."""
    if annotation is None:
        return False
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        return bool(re.search(r"\b(?:int|float)\b", annotation.value))
    return any(isinstance(n, ast.Name) and n.id in ("int", "float") for n in ast.walk(annotation))
