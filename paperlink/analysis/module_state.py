"""What a module binds at module level, and which of those bindings are hidden inputs.

A module-level name matters to the globals rules when it holds configuration (parsed
arguments, a loaded YAML/JSON/TOML file, ``os.environ``, a ``*Config`` instance, a dict
literal named as configuration) or something mutable (a container, a tensor, an object).
Constants (immutable literals), ``typing.Final`` names, dunder names such as ``__all__``,
loggers and imports are not. The classification reads values, not how functions use them.
"""

from __future__ import annotations

import ast
import re
from typing import Iterator
from dataclasses import dataclass

from paperlink.analysis.code_walk import is_main_guard
from paperlink.analysis.script_config import configured_names, is_location, override_line
from paperlink.source.code import CodeModule

__all__ = [
    "Binding",
    "MUTATORS",
    "STATE_METHODS",
    "OBJECT_KINDS",
    "builds_config",
    "config_named",
    "flag_registries",
    "is_flag_registry",
    "is_config_value",
    "module_bindings",
]

_CONFIG_CALLS = frozenset(
    {
        "yaml.safe_load",
        "yaml.load",
        "yaml.full_load",
        "yaml.unsafe_load",
        "json.load",
        "json.loads",
        "toml.load",
        "toml.loads",
        "tomllib.load",
        "tomllib.loads",
        "tomli.load",
        "tomli.loads",
        "omegaconf.OmegaConf.load",
        "omegaconf.OmegaConf.create",
        "omegaconf.OmegaConf.from_cli",
        "omegaconf.OmegaConf.merge",
        "hydra.compose",
        "tyro.cli",
        "easydict.EasyDict",
        "types.SimpleNamespace",
        "argparse.Namespace",
        "ml_collections.ConfigDict",
        "ml_collections.config_dict.ConfigDict",
        "configparser.ConfigParser",
        "os.environ.copy",
        "os.getenv",
        # the parser is the command line's definition: a function reading it parses the run's settings
        "argparse.ArgumentParser",
    }
)
_CONFIG_OBJECTS = frozenset(
    {
        "os.environ",
        "sys.argv",
        "absl.flags.FLAGS",
        "tensorflow.app.flags.FLAGS",
        "tensorflow.flags.FLAGS",
        "tensorflow.compat.v1.flags.FLAGS",
        "tensorflow.compat.v1.app.flags.FLAGS",
    }
)
# absl flag and ml_collections config definitions return holders whose `.value` is the setting
_CONFIG_DEFINITIONS = ("absl.flags.DEFINE_", "ml_collections.config_flags.DEFINE_config_")
# methods that return configuration whatever their receiver (an ArgumentParser, mmcv's Config...)
_CONFIG_METHODS = frozenset(
    {
        "parse_args",
        "parse_known_args",
        "parse_args_into_dataclasses",
        "fromfile",
        "from_file",
        "from_yaml",
        "from_json",
        "from_toml",
    }
)
# functions named for what they return (`args = get_args()`, `cfg = utils.load_config(path)`,
# `opt = parse_opt()`), imported or not
_CONFIG_FUNCTION = re.compile(
    r"^_?(get|parse|load|read|make|build|setup|create)_?"
    r"(args|arguments|config|configs|cfg|conf|opt|opts|options|hparams|hyperparameters|flags)$"
)
# wrappers defining command-line flags and returning their holders (`FLAGS, FLAGS_DEF =
# mlxu.define_flags_with_default(lr=3e-4, ...)`): each name they bind is configuration
_FLAG_DEFINITIONS = re.compile(r"^_?define_(flags|config|configs|args|arguments|hparams)(_|$)")
_CONFIG_CLASS_ENDINGS = (
    "Config",
    "Configuration",
    "Args",
    "Arguments",
    "Options",
    "Settings",
    "HParams",
    "Hparams",
    "Params",
    "CfgNode",  # yacs and minGPT's configuration trees
)
# names that make a dict literal configuration; generic words (flags, params, options) name
# lookup tables as often as settings, so they do not
_CONFIG_NAMES = frozenset(
    {"config", "configs", "cfg", "conf", "args", "hparams", "settings", "hyperparams", "hyperparameters"}
)
_WRAPPERS = frozenset({"builtins.vars", "builtins.dict", "copy.deepcopy", "copy.copy"})
_CONTAINERS = frozenset(
    {
        "builtins.dict",
        "builtins.list",
        "builtins.set",
        "builtins.bytearray",
        "collections.defaultdict",
        "collections.OrderedDict",
        "collections.Counter",
        "collections.deque",
        "collections.ChainMap",
    }
)
_ARRAY_MODULES = ("torch.", "numpy.")
_ARRAY_FACTORIES = frozenset(
    {
        "zeros",
        "ones",
        "empty",
        "full",
        "tensor",
        "as_tensor",
        "from_numpy",
        "arange",
        "linspace",
        "eye",
        "zeros_like",
        "ones_like",
        "empty_like",
        "full_like",
        "rand",
        "randn",
        "randint",
        "array",
        "asarray",
    }
)
# callees whose results are not state a function would mutate (loggers, type constructs, paths)
_NOT_STATE = (
    "logging.",
    "loguru.",
    "typing.",
    "typing_extensions.",
    "enum.",
    "pathlib.",
    "re.",
    "dataclasses.",
    "warnings.",
    "tqdm.",  # progress bars: display state, not research state
)
MUTATORS = frozenset(
    {
        "append",
        "extend",
        "insert",
        "pop",
        "remove",
        "clear",
        "sort",
        "reverse",
        "update",
        "setdefault",
        "popitem",
        "add",
        "discard",
        "difference_update",
        "intersection_update",
        "symmetric_difference_update",
        "appendleft",
        "extendleft",
        "popleft",
        "rotate",
    }
)
# methods that change a model, optimizer, scheduler, environment or meter built at module level
STATE_METHODS = frozenset(
    {
        "train",
        "eval",
        "step",
        "zero_grad",
        "load_state_dict",
        "load_weights",
        "set_weights",
        "add_param_group",
        "reset",
        "reset_parameters",
        "set_epoch",
        "fit",
        "partial_fit",
        "train_on_batch",
        "register_buffer",
        "register_parameter",
        "register_forward_hook",
        "register_forward_pre_hook",
        "register_full_backward_hook",
        "add_module",
        "apply_gradients",  # Keras and TensorFlow optimizers
        "update_state",  # Keras metrics
        "reset_state",
        "reset_states",
        "assign",  # tf.Variable
        "assign_add",
        "assign_sub",
    }
)
OBJECT_KINDS = frozenset({"instance", "object"})  # models, optimizers, environments: their reads are not listed


@dataclass(frozen=True)
class Binding:
    """A module-level name that may be a hidden input: its first binding and what it holds."""

    name: str
    target: ast.Name  # the first module-level binding
    kind: str  # "config" | "container" | "array" | "instance" | "object" | "other"
    constant_text: str | None = None  # for names bound once to an int/str/float literal (seeds)
    derived: bool = False  # configuration by what the script does with it (a config block, a derivation)
    presets: bool = False  # a dict of literal settings by key (`MIXUP_DEF = {"light": dict(p=0.2), ...}`)

    @property
    def hidden(self) -> bool:
        return self.kind != "other"


def module_bindings(code: CodeModule) -> dict[str, Binding]:
    """Every name bound by assignment at module level (main block included), first binding first.

    A name is configuration when any of its module-level bindings makes it so
    (:func:`~paperlink.analysis.script_config.configured_names`): ``batch_size = 64`` later
    rebound to ``args.batch_size``, or overridden by a configurator, is configuration.
    """
    statements, bound = [], []
    guards: dict[int, tuple[ast.expr, ...]] = {}  # id(target) -> the tests of the `if` statements around it
    for statement, tests in _module_statements(code.tree.body):
        statements.append(statement)
        for item in _bound(statement):
            bound.append(item)
            if tests:
                guards[id(item[0])] = tests
    called = {v.func.id for _, v, _ in bound if isinstance(v, ast.Call) and isinstance(v.func, ast.Name)}
    producers = _config_producers(code, called) if called else frozenset()

    script = any(is_main_guard(statement) for statement in code.tree.body)
    aliases = _module_aliases(code, bound)

    def is_source(value: ast.expr, name: str | None) -> bool:
        if name is not None and (
            (isinstance(value, ast.Dict) and config_named(name)) or (script and is_location(code, value))
        ):
            return True
        return is_config_value(code, value, producers) or _aliased_config(value, aliases)

    # a file that runs the training itself: a main block, a loop at module level, or the run's
    # settings parsed or loaded at module level (a flat script)
    runs = (
        script
        or any(isinstance(statement, (ast.For, ast.While)) for statement in code.tree.body)
        or any(value is not None and is_config_value(code, value, producers) for _, value, _ in bound)
    )
    configured = configured_names(code, bound, override_line(code, statements), is_source, guards, hardware=runs)
    found: dict[str, Binding] = {}
    counts: dict[str, int] = {}
    for target, value, final in bound:
        counts[target.id] = counts.get(target.id, 0) + 1
        if target.id in found:
            continue
        if final or _exempt(target.id):
            kind = "other"
        else:
            kind = "config" if target.id in configured else _kind(code, value)
        derived = configured.get(target.id) is False
        found[target.id] = Binding(target.id, target, kind, _constant(value), derived, _presets(value))
    # a seed written once as a literal is hard-coded; one a configurator may override is not
    return {
        name: b if counts[name] == 1 and b.kind != "config" else Binding(name, b.target, b.kind, None, b.derived)
        for name, b in found.items()
    }


def _presets(value: ast.expr | None) -> bool:
    """``{"light1": dict(p=0.0, fold_in=None), "medium1": dict(p=0.2, ...)}``, ``{"none": "", "light1":
    "randaug(2,0)"}``: a table of settings by name, every value a literal."""
    return isinstance(value, ast.Dict) and bool(value.values) and all(_literal(v) for v in value.values)


def _literal(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.UnaryOp):
        return _literal(node.operand)
    if isinstance(node, (ast.Tuple, ast.List)):
        return all(_literal(e) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(_literal(v) for v in node.values)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict" and not node.args:
        return all(_literal(k.value) for k in node.keywords)
    return False


def builds_config(function: str) -> bool:
    """``get_config``, ``make_args``: a function named for the configuration it returns."""
    return bool(_CONFIG_FUNCTION.match(function.rsplit(".", 1)[-1]))


def flag_registries(code: CodeModule) -> dict[str, ast.stmt]:
    """Module-level names through which functions read the process's flag registry (``flags.FLAGS`` after
    ``from absl import flags`` or ``flags = tf.app.flags``, ``absl.flags.FLAGS`` after ``import absl.flags``),
    each with the statement binding it."""
    found: dict[str, ast.stmt] = {}
    for statement, _ in _module_statements(code.tree.body):
        if isinstance(statement, (ast.Import, ast.ImportFrom)):
            names = [alias.asname or alias.name.split(".", 1)[0] for alias in statement.names]
            found.update((name, statement) for name in names if _registry(code.imports.get(name)))
        elif isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Attribute):
            if _registry(code.qualified_name(statement.value)):
                found.update((t.id, statement) for t in statement.targets if isinstance(t, ast.Name))
    return found


def _registry(name: str | None) -> bool:
    return name is not None and any(o.startswith(f"{name}.") and o.endswith(".FLAGS") for o in _CONFIG_OBJECTS)


def is_flag_registry(code: CodeModule, node: ast.AST) -> bool:
    """``flags.FLAGS``, ``absl.flags.FLAGS``, ``tf.app.flags.FLAGS``: the process's flag registry itself."""
    return isinstance(node, ast.Attribute) and node.attr == "FLAGS" and code.qualified_name(node) in _CONFIG_OBJECTS


def _module_aliases(code: CodeModule, bound: list[tuple[ast.Name, ast.expr | None, bool]]) -> dict[str, str]:
    """``flags = tf.flags``, ``flags = tf.app.flags``: a module-level name bound to a part of an imported
    module, by the qualified name it stands for."""
    return {
        target.id: name
        for target, value, _ in bound
        if isinstance(value, ast.Attribute) and (name := code.qualified_name(value))
    }


def _aliased_config(value: ast.expr, aliases: dict[str, str]) -> bool:
    """``FLAGS = flags.FLAGS`` after ``flags = tf.flags``: the flag registry through a module-level alias."""
    if not (isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name) and value.value.id in aliases):
        return False
    return f"{aliases[value.value.id]}.{value.attr}" in _CONFIG_OBJECTS


def _module_statements(
    body: list[ast.stmt], tests: tuple[ast.expr, ...] = ()
) -> Iterator[tuple[ast.stmt, tuple[ast.expr, ...]]]:
    """Statements run at module level: through if/try/with/for blocks, not into defs or classes;
    each with the tests of the module-level ``if`` statements around it."""
    for statement in body:
        yield statement, tests
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        inner = (*tests, statement.test) if isinstance(statement, ast.If) else tests
        for name in ("body", "orelse", "finalbody"):
            yield from _module_statements(getattr(statement, name, None) or [], inner)
        for handler in getattr(statement, "handlers", None) or []:
            yield from _module_statements(handler.body, tests)
        for case in getattr(statement, "cases", None) or []:
            yield from _module_statements(case.body, tests)


def _bound(statement: ast.stmt) -> list[tuple[ast.Name, ast.expr | None, bool]]:
    """(name, value, is Final) for each name ``statement`` binds; unpacked values are None,
    except the first element of ``args, rest = parser.parse_known_args()``."""
    if isinstance(statement, ast.Assign):
        pairs: list[tuple[ast.Name, ast.expr | None, bool]] = []
        for target in statement.targets:
            if isinstance(target, ast.Name):
                pairs.append((target, statement.value, False))
            elif isinstance(target, (ast.Tuple, ast.List)):
                names = [e for e in target.elts if isinstance(e, ast.Name)]
                first = target.elts[0] if target.elts else None
                every = _defines_flags(statement.value)
                pairs += [
                    (n, statement.value if every or n is first and _is_known_pair(statement.value) else None, False)
                    for n in names
                ]
        return pairs
    if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
        return [(statement.target, statement.value, _is_final(statement.annotation))]
    if isinstance(statement, (ast.AugAssign, ast.For, ast.AsyncFor)):
        target = statement.target
        return [(n, None, False) for n in ast.walk(target) if isinstance(n, ast.Name)]
    return []


def _defines_flags(value: ast.expr) -> bool:
    """``mlxu.define_flags_with_default(...)``: a call defining flags, named so, returning their holders."""
    if not isinstance(value, ast.Call):
        return False
    func = value.func
    last = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return bool(_FLAG_DEFINITIONS.match(last))


def _is_final(annotation: ast.expr) -> bool:
    """``Final``, ``Final[int]``, ``typing.Final[...]`` (by spelling: annotations are often strings)."""
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        return re.match(r"^\s*(typing\.|typing_extensions\.)?Final\b", annotation.value) is not None
    head = annotation.value if isinstance(annotation, ast.Subscript) else annotation
    return (isinstance(head, ast.Name) and head.id == "Final") or (
        isinstance(head, ast.Attribute) and head.attr == "Final"
    )


def _is_known_pair(value: ast.expr) -> bool:
    return (
        isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr == "parse_known_args"
    )


def _exempt(name: str) -> bool:
    return name.startswith("__") and name.endswith("__")


def _constant(value: ast.expr | None) -> str | None:
    if (
        isinstance(value, ast.Constant)
        and isinstance(value.value, (int, float, str))
        and not isinstance(value.value, bool)
    ):
        return ast.unparse(value)
    return None


def _kind(code: CodeModule, value: ast.expr | None) -> str:
    """What a value that is not configuration holds."""
    if value is None:
        return "other"
    if isinstance(value, (ast.Dict, ast.List, ast.Set, ast.ListComp, ast.SetComp, ast.DictComp)):
        return "container"
    if not isinstance(value, ast.Call):
        return "other"
    callee = code.call_name(value) or ""
    if callee in _CONTAINERS:
        return "container"
    if callee.startswith(_ARRAY_MODULES) and callee.rsplit(".", 1)[-1] in _ARRAY_FACTORIES:
        return "array"
    if callee.startswith(_NOT_STATE) or callee.startswith("builtins."):
        return "other"
    last = value.func.attr if isinstance(value.func, ast.Attribute) else getattr(value.func, "id", "")
    if last[:1].isupper() and not last.isupper():
        return "instance"
    # what a function or method returns (`torch.compile(model)`, `model.configure_optimizers(...)`,
    # `gym.make(...)`): an object whose state methods may change it
    return "object"


def config_named(name: str) -> bool:
    lowered = name.lower().strip("_")
    return lowered in _CONFIG_NAMES or lowered.endswith(("_config", "_cfg", "config", "cfg"))


def is_config_value(code: CodeModule, value: ast.expr, producers: frozenset[str] = frozenset()) -> bool:
    """Whether ``value`` produces configuration: parsed arguments, a loaded config file,
    ``os.environ``, an instance of a ``*Config`` class, or a call of a function returning one."""
    if code.qualified_name(value) in _CONFIG_OBJECTS:
        return True
    if not isinstance(value, ast.Call):
        return False
    callee = code.call_name(value)
    if callee in _WRAPPERS and value.args:
        return is_config_value(code, value.args[0], producers)
    if callee in _CONFIG_CALLS or (callee or "").startswith(_CONFIG_DEFINITIONS):
        return True
    func = value.func
    if isinstance(func, ast.Attribute) and func.attr in _CONFIG_METHODS:
        return True
    last = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if (isinstance(func, ast.Name) and last in producers) or _CONFIG_FUNCTION.match(last) or _defines_flags(value):
        return True
    if (callee or "").startswith(_NOT_STATE):
        return False
    # the class's own name as written, or as imported (`from yacs.config import CfgNode as CN`)
    return any(
        name.endswith(_CONFIG_CLASS_ENDINGS) and name[:1].isupper()
        for name in (last, (callee or "").rsplit(".", 1)[-1])
    )


def _config_producers(code: CodeModule, called: set[str]) -> frozenset[str]:
    """Which of the module-level functions ``called`` return configuration
    (``def get_args(): return parser.parse_args()``)."""
    found = set()
    for statement in code.tree.body:
        if not isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) or statement.name not in called:
            continue
        assigned = {
            t.id
            for node in ast.walk(statement)
            if isinstance(node, ast.Assign) and is_config_value(code, node.value)
            for t in node.targets
            if isinstance(t, ast.Name)
        }
        for node in ast.walk(statement):
            if isinstance(node, ast.Return) and node.value is not None:
                if is_config_value(code, node.value) or (
                    isinstance(node.value, ast.Name) and node.value.id in assigned
                ):
                    found.add(statement.name)
    return frozenset(found)
