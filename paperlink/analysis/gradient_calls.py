"""Which functions of the project a call may reach: the targets of calls into other files.

A call is recorded with the qualified names it may call where the scan can know them
cheaply: an imported function (``from pkg.utils import polyak_update``), a function of a module
imported whole (``import utils; utils.toggle_grad(G, False)``), a method of an object built from
an imported class (``agent = Agent(args)``, ``ema = ModelEMA(model) if rank == 0 else None``, or
from a parameter whose default is one: ``def ppo(env_fn, actor_critic=core.MLPActorCritic)``), a method
of an object passed in and named as a class of a module the file imports whole (``import utils``;
``ema.update()`` may call ``utils.ema.update``), a name from ``from utils import *``, and a function
handed to ``model.apply``. The conclusion
resolves them against the helpers of the other files (:mod:`~paperlink.analysis.gradient_helpers`).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator

from paperlink.source.code import FUNCTIONS, CodeModule

__all__ = ["applied_functions", "helper_targets", "is_library"]

# top-level packages that are never the project's own: calls into them are not recorded
_LIBRARIES = frozenset(sys.stdlib_module_names) | frozenset(
    "builtins torch torchvision numpy jax jaxlib flax optax haiku tensorflow keras gym gymnasium scipy sklearn "
    "pandas matplotlib seaborn transformers datasets timm einops wandb tqdm tensorboardX absl yaml hydra omegaconf "
    "PIL cv2 accelerate lightning pytorch_lightning".split()
)


def applied_functions(code: CodeModule) -> Iterator[tuple[ast.Call, ast.Name]]:
    """``model.apply(weights_init)``: a function handed to ``Module.apply`` runs on every submodule."""
    if "apply" not in code.text:
        return
    for node in code.parents:
        if isinstance(node, ast.Call) and _is_applied(node):
            yield node, node.args[0]  # type: ignore[misc]


def _is_applied(node: ast.Call) -> bool:
    return (
        isinstance(node.func, ast.Attribute)
        and node.func.attr == "apply"
        and len(node.args) == 1
        and not node.keywords
        and isinstance(node.args[0], ast.Name)
    )


def helper_targets(code: CodeModule) -> dict[ast.Call, tuple[str, ...]]:
    """Calls that may reach a function of another file of the project, with the qualified names they may call."""
    stars = _star_modules(code)
    if not stars and all(is_library(name) for name in code.imports.values()):
        return {}
    calls = [node for node in code.parents if isinstance(node, ast.Call)]
    instances = _instances(code, stars, calls)
    modules = (*_whole_modules(code), *stars)
    found: dict[ast.Call, tuple[str, ...]] = {}
    for call in calls:
        targets = _targets(code, call.args[0] if _is_applied(call) else call.func, stars, instances, modules)
        if targets:
            found[call] = targets
    return found


def _targets(
    code: CodeModule,
    func: ast.AST,
    stars: tuple[str, ...],
    instances: dict[str, tuple[str, ...]],
    modules: tuple[str, ...] = (),
) -> tuple[str, ...]:
    name = code.qualified_name(func)
    if name:
        if is_library(name):
            return ()
        # a class is constructed: its `__init__` runs (`ModelEMA(model)` freezes the average it builds)
        return (f"{name}.__init__",) if name.rpartition(".")[2][:1].isupper() else (name,)
    if isinstance(func, ast.Name):
        if func.id in code.module_level_names or not stars or func.id[:1].isupper():
            return ()
        return tuple(f"{module}.{func.id}" for module in stars)
    if isinstance(func, ast.Attribute):
        owner = ast.unparse(func.value)
        if owner in instances:
            return tuple(f"{cls}.{func.attr}" for cls in instances[owner])
        if (
            modules
            and isinstance(func.value, ast.Name)
            and func.value.id not in ("self", "cls")
            and _passed_in(code, func.value)
        ):
            # `def train_fn(G, D, ema): ... ema.update(itr)` with `import utils` defining `class ema`: an object
            # named as a class of a project module the file imports, passed in from elsewhere
            return tuple(f"{module}.{cls}.{func.attr}" for module in modules for cls in _class_names(func.value.id))
    return ()


def _passed_in(code: CodeModule, name: ast.Name) -> bool:
    """Whether ``name`` is a parameter of a function around it (a closure's too)."""
    for ancestor in code.ancestors(name):
        if isinstance(ancestor, FUNCTIONS):
            arguments = ancestor.args
            if any(a.arg == name.id for a in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]):
                return True
    return False


def _class_names(name: str) -> tuple[str, ...]:
    """The spellings of a class an object named ``name`` is named after: ``ema``, ``Ema``, ``EMA``;
    ``model_ema``: ``ModelEma``."""
    pascal = "".join(part[:1].upper() + part[1:] for part in name.split("_") if part)
    return tuple(dict.fromkeys((name, pascal, name.upper())))


def _whole_modules(code: CodeModule) -> tuple[str, ...]:
    """The project's modules the file imports whole (``import utils``, ``import pkg.train_utils as tu``)."""
    return tuple(
        alias.name
        for node in code.tree.body
        if isinstance(node, ast.Import)
        for alias in node.names
        if not is_library(alias.name)
    )


def is_library(name: str) -> bool:
    return name.split(".", 1)[0] in _LIBRARIES


def _star_modules(code: CodeModule) -> tuple[str, ...]:
    """The modules of ``from utils import *`` (relative ones made absolute), the project's own only."""
    modules = []
    for node in code.tree.body:
        if isinstance(node, ast.ImportFrom) and any(alias.name == "*" for alias in node.names):
            module = node.module or ""
            if node.level:
                package = code.relative.rsplit("/", 1)[0].replace("/", ".") if "/" in code.relative else ""
                module = ".".join(p for p in (package, module) if p)
            if module and not is_library(module):
                modules.append(module)
    return tuple(modules)


def _instances(code: CodeModule, stars: tuple[str, ...], calls: list[ast.Call]) -> dict[str, tuple[str, ...]]:
    """``agent = Agent(args)`` or ``self.buffer = ReplayBuffer()`` with an imported class: the object's
    text -> the qualified names of its possible classes."""
    found: dict[str, tuple[str, ...]] = {}
    for call in calls:
        func = call.func
        cls = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        node = code.parents.get(call)
        if isinstance(node, ast.IfExp) and node.body is call:
            node = code.parents.get(node)  # `ema = ModelEMA(model) if rank == 0 else None`
        if not (cls and isinstance(node, ast.Assign) and len(node.targets) == 1):
            continue
        default = None if cls[:1].isupper() else _class_default(code, call)
        if not cls[:1].isupper() and default is None:
            continue
        target = node.targets[0]
        if isinstance(target, ast.Name) or isinstance(target, ast.Attribute) and ast.unparse(target.value) == "self":
            targets = _classes(code, default if default is not None else func, stars)
            if targets:
                found[ast.unparse(target)] = targets
    return found


def _class_default(code: CodeModule, call: ast.Call) -> ast.expr | None:
    """``def ppo(env_fn, actor_critic=core.MLPActorCritic): ac = actor_critic(...)``: the class a parameter
    called as a constructor holds by default."""
    func = call.func
    function = code.enclosing_function(call) if isinstance(func, ast.Name) else None
    if not isinstance(function, FUNCTIONS):
        return None
    arguments = function.args
    positional = [*arguments.posonlyargs, *arguments.args]
    pairs = [
        *zip(positional[len(positional) - len(arguments.defaults) :], arguments.defaults),
        *((a, d) for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults) if d is not None),
    ]
    default = next((d for a, d in pairs if a.arg == func.id), None)  # type: ignore[attr-defined]
    name = code.qualified_name(default) if default is not None else None
    return default if name and name.rpartition(".")[2][:1].isupper() else None


def _classes(code: CodeModule, func: ast.AST, stars: tuple[str, ...]) -> tuple[str, ...]:
    """The qualified names an imported (or star-imported) class called as ``func`` may have."""
    name = code.qualified_name(func)
    if name:
        return () if is_library(name) else (name,)
    if isinstance(func, ast.Name) and func.id not in code.module_level_names:
        return tuple(f"{module}.{func.id}" for module in stars)
    return ()
