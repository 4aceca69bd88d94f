"""Which module-level names a script's own code makes configuration.

Beyond an object of parsed arguments, two idioms of research scripts make module-level names
configuration:

* a *config block*: literals (``n_embd = 384``, ``learning_rate = 6e-4``) that the module
  then overrides at run time with ``exec(open(configurator).read())``, ``globals().update(...)``
  or ``globals()[key] = value`` (nanoGPT's ``train.py``);
* *derived values*: ``img_shape = (opt.channels, opt.img_size, opt.img_size)``,
  ``latent = int(cfg.latent)``, ``data_dir = os.path.join("data", dataset)``,
  ``device = torch.device("cuda" if torch.cuda.is_available() else "cpu")``. Configuration
  flows through module-level assignments, attribute and item reads, tuples, arithmetic,
  comparisons, conditional expressions, f-strings, methods of configuration objects,
  ``functools.partial`` binding settings to a function, and a few pure conversions (``int``,
  ``os.path.join``, ``pathlib.Path``, ``torch.device``...). A call of anything else
  (``Generator(opt.latent_dim)``, ``build_model(cfg)``) makes an object, not configuration;
  what the hardware offers (``torch.cuda.is_available()``) is device configuration in a script.

In a script (a file with a main block), a filesystem location written at the top
(``dir_checkpoint = Path("./checkpoints/")``) is a setting of the run too.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType

from paperlink.source.code import CodeModule

__all__ = ["override_line", "configured_names", "is_location"]

_CONVERSIONS = frozenset(
    {
        "builtins.int",
        "builtins.float",
        "builtins.str",
        "builtins.bool",
        "builtins.tuple",
        "builtins.list",
        "builtins.dict",
        "builtins.len",
        "builtins.round",
        "builtins.abs",
        "builtins.min",
        "builtins.max",
        "builtins.sum",
        "builtins.sorted",
        "builtins.getattr",
        "os.path.join",
        "os.path.expanduser",
        "os.path.expandvars",
        "os.path.abspath",
        "os.path.realpath",
        "os.path.normpath",
        "os.path.dirname",
        "os.path.basename",
        "pathlib.Path",
        "pathlib.PurePath",
        "torch.device",
        "numpy.prod",
    }
)
# what the machine offers decides the device, the precision and the tensor types a script uses
_DEVICE_QUERIES = frozenset(
    {
        "torch.cuda.is_available",
        "torch.cuda.device_count",
        "torch.cuda.is_bf16_supported",
        "torch.backends.mps.is_available",
        "jax.device_count",
        "jax.local_device_count",
    }
)

Bound = tuple[ast.Name, ast.expr | None, bool]  # a name, the value bound to it (None when unpacked), Final


def override_line(code: CodeModule, statements: Iterable[ast.stmt]) -> int | None:
    """The line of the last module-level statement that rebinds the module's globals from
    outside its own code: ``exec(...)``, ``globals().update(...)``, ``globals()[k] = v``."""
    last = None
    for statement in statements:
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
            call = statement.value
            func = call.func
            if code.call_name(call) == "builtins.exec" or (
                isinstance(func, ast.Attribute) and func.attr == "update" and _is_namespace(code, func.value)
            ):
                last = statement.lineno
        elif isinstance(statement, ast.Assign) and any(
            isinstance(t, ast.Subscript) and _is_namespace(code, t.value) for t in statement.targets
        ):
            last = statement.lineno
    return last


def _is_namespace(code: CodeModule, node: ast.expr) -> bool:
    """``globals()``, or ``vars()`` without argument (the same dictionary at module level)."""
    return (
        isinstance(node, ast.Call) and not node.args and code.call_name(node) in ("builtins.globals", "builtins.vars")
    )


def is_location(code: CodeModule, value: ast.expr) -> bool:
    """``Path("./data/imgs/")``: a filesystem location written as a literal. At the top of a
    script it says where the run reads its data and writes its checkpoints: a setting."""
    return (
        isinstance(value, ast.Call)
        and code.call_name(value) in ("pathlib.Path", "pathlib.PurePath")
        and bool(value.args)
        and not value.keywords
        and all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in value.args)
    )


def configured_names(
    code: CodeModule,
    bound: Sequence[Bound],
    override: int | None,
    is_source: Callable[[ast.expr, str | None], bool],
    guards: Mapping[int, tuple[ast.expr, ...]] = MappingProxyType({}),
    *,
    hardware: bool = True,
) -> dict[str, bool]:
    """The names some module-level binding in ``bound`` (in source order) makes configuration,
    each with whether one is a source itself (``is_source(value, name)``: parsed arguments, a
    loaded file...) rather than made so by the script: a literal of the config block above
    ``override``, a literal chosen by configuration (``guards``: the tests of the module-level
    ``if`` statements around each target: ``if opt.dataset == "mnist": nc = 1``), or a value
    derived from configuration. ``hardware``: whether what the machine offers
    (``torch.cuda.is_available()``) configures the run: in a script it does; in a library module
    ``device = torch.device("cuda" if ... else "cpu")`` is a constant of the process."""
    config: dict[str, bool] = {}
    seen: set[str] = set()
    for target, value, final in bound:
        name = target.id
        if final or value is None or config.get(name):
            seen.add(name)
            continue
        if is_source(value, name):
            config[name] = True
        elif name not in config and (
            (override is not None and target.lineno < override and _literal_like(value))
            or (
                _literal_like(value)
                and any(_derives(code, test, config, is_source, hardware) for test in guards.get(id(target), ()))
            )
            # a value computed from module-level objects or loop variables (`raw_model = model.module
            # if ddp else model`, `lossf = loss.item() * accumulation_steps`) is state, not configuration
            or (_derives(code, value, config, is_source, hardware) and not _mentions(value, seen - set(config)))
        ):
            config[name] = False
        seen.add(name)
    return config


def _mentions(node: ast.expr, names: set[str]) -> bool:
    return bool(names) and any(isinstance(n, ast.Name) and n.id in names for n in ast.walk(node))


def _literal_like(node: ast.expr) -> bool:
    """A value a config block writes: a literal, a tuple or list of them, arithmetic on them,
    or a choice between two (``'bfloat16' if torch.cuda.is_bf16_supported() else 'float16'``)."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.UnaryOp):
        return _literal_like(node.operand)
    if isinstance(node, ast.BinOp):
        return _literal_like(node.left) and _literal_like(node.right)
    if isinstance(node, (ast.Tuple, ast.List)):
        return all(_literal_like(e) for e in node.elts)
    if isinstance(node, ast.IfExp):
        return _literal_like(node.body) and _literal_like(node.orelse)
    return False


def _derives(
    code: CodeModule,
    node: ast.expr | None,
    config: Mapping[str, bool] | set[str],
    is_source: Callable[[ast.expr, str | None], bool],
    hardware: bool = True,
) -> bool:
    """Whether the value of ``node`` depends on configuration (``config``: the names known so far)."""
    if node is None:
        return False
    if isinstance(node, ast.Name):
        return node.id in config
    if isinstance(node, ast.Constant):
        return False
    if isinstance(node, (ast.Call, ast.Attribute)) and is_source(node, None):  # `os.environ`, `parse_args()`...
        return True

    def any_of(parts: Iterable[ast.expr | None]) -> bool:
        return any(_derives(code, part, config, is_source, hardware) for part in parts)

    if isinstance(node, ast.Attribute):
        return any_of([node.value])
    if isinstance(node, ast.Subscript):
        return any_of([node.value, node.slice])
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return any_of(node.elts)
    if isinstance(node, ast.Dict):
        return any_of(node.values)
    if isinstance(node, ast.BinOp):
        return any_of([node.left, node.right])
    if isinstance(node, ast.UnaryOp):
        return any_of([node.operand])
    if isinstance(node, ast.BoolOp):
        return any_of(node.values)
    if isinstance(node, ast.Compare):
        return any_of([node.left, *node.comparators])
    if isinstance(node, ast.IfExp):
        return any_of([node.test, node.body, node.orelse])
    if isinstance(node, ast.JoinedStr):
        return any_of([v.value for v in node.values if isinstance(v, ast.FormattedValue)])
    if isinstance(node, ast.Starred):
        return any_of([node.value])
    if isinstance(node, ast.Call):
        return _derived_call(code, node, config, any_of, hardware)
    return False


def _derived_call(
    code: CodeModule,
    call: ast.Call,
    config: Mapping[str, bool] | set[str],
    any_of: Callable[[Iterable[ast.expr | None]], bool],
    hardware: bool,
) -> bool:
    callee = code.call_name(call) or ""
    if callee in _DEVICE_QUERIES:
        return hardware
    arguments = [*call.args, *(k.value for k in call.keywords)]
    if callee in _CONVERSIONS or callee.startswith("math."):
        return any_of(arguments)
    if callee == "functools.partial":  # a function with settings bound: `partial(loader, batch_size=bs)`
        return any_of(arguments[1:])
    func = call.func
    if not isinstance(func, ast.Attribute):
        return False
    # a method of configuration (`cfg.get("lr")`, `os.environ.get("RANK")`,
    # `opt.gpu_ids.split(",")`), or a string formatted with it (`"runs/{}".format(opt.name)`)
    if isinstance(func.value, ast.Constant) and isinstance(func.value.value, str):
        return func.attr == "format" and any_of(arguments)
    return any_of([func.value])
