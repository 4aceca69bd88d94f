"""Configuration written as attribute bags and as a script's overridable block.

* **Attribute bags**: ``C = CN(); C.learning_rate = 3e-4`` (yacs ``CfgNode``, minGPT's
  ``CN``), ``cfg = ConfigDict(); cfg.base_lr = 1e-3`` (ml_collections), ``SimpleNamespace(lr=...)``,
  ``EasyDict``; also a value stored into a config-named object (``config.vocab_size = 50257``,
  ``config_args["bias"] = True``).
* **Config classes**: class-level settings of a class named as a config (``class TrainConfig:
  lr = 3e-4``); dataclass fields are declarations (:mod:`.declarations`).
* **Presets**: a table of named model sizes, ``{"gpt2": dict(n_layer=12, n_head=12, n_embd=768),
  ...}[model_type]``: each preset's values.
* **Script-level config blocks**: module-level literals of a script that lets its command
  line or a config file override them (nanoGPT's ``learning_rate = 6e-4`` ... then
  ``exec(open("configurator.py").read())``, or ``globals().update(...)``): the assignments
  before that statement are its configuration.

Each is a configurable site (kind ``config``) named through the vocabulary; settings it
rules out (``seed``, ``out_dir``, ``log_interval``, ``device``) are not listed.
"""

from __future__ import annotations

import ast
import re

from paperlink.analysis.hyperparameters.declarations import CONFIG_BASES, SUBJECT, Scopes, is_run_phase, text_of
from paperlink.analysis.hyperparameters.facts import Site, SiteKind, Source
from paperlink.analysis.hyperparameters.settings import CONFIG_CLASS, Noted, is_setting, number
from paperlink.analysis.hyperparameters.vocabulary import config_name, is_known_setting
from paperlink.numbers import parse_python_number
from paperlink.source.code import CodeModule
from paperlink.spans import Span

__all__ = ["script_settings", "fixed_settings", "module_constants", "bag_sites", "class_constants", "computed_settings"]

_BAGS = frozenset(
    {"CN", "CfgNode", "ConfigDict", "FrozenConfigDict", "SimpleNamespace", "EasyDict", "edict", "AttrDict", "Namespace"}
    | {"HParams"}  # `tf.contrib.training.HParams(n_embd=768, n_layer=12)`
)
_TOO_SHORT = frozenset({"c", "arg", "params"})  # `c`, `params["lr"]`: too common to mean a config by name alone
# `model_config`, `config_args`, `defaults = dict(lr=1e-4, ...)` (then `add_dict_to_argparser(parser, defaults)`)
_CONFIG_SUFFIXES = frozenset({"config", "cfg", "args", "hparams", "hyperparams", "hps", "defaults"})
_DEFAULTS_FUNCTIONS = frozenset({"defaults", "hparams", "hyperparams", "hyperparameters", "hps"})
_SIZE = re.compile(r"^(?:n|num)_|_(?:size|dim|layers|heads|steps|epochs)$|^(?:depth|width)$")
_DECLARES = re.compile(r"(?:^|_)(?:flags|defaults?|config)(?:_|$)")  # `define_flags_with_default`
_FACTORIES = frozenset({"get_default_config", "get_config", "default_config"})
_SESSION_CONFIGS = (".ConfigProto", ".GPUOptions", ".RunOptions")  # TensorFlow's session and device options


def script_settings(code: CodeModule, noted: Noted) -> dict[str, Site]:
    """The module-level settings a script overrides at run time, by name."""
    if noted.override_line is None:
        return {}
    found: dict[str, Site] = {}
    for statement in noted.module_literals:
        target = statement.targets[0]
        if statement.lineno < noted.override_line and isinstance(target, ast.Name):
            site = _setting(code, target.id, statement.value, statement, "script", allow_none=False)
            if site is not None:
                found[target.id] = site
    return found


def module_constants(code: CodeModule, noted: Noted, taken: set[Span]) -> list[Site]:
    """``LOG_STD_MAX = 2`` read in ``Actor.get_action``, ``INITIAL_LOG_LOSS_SCALE = 20.0`` read in
    ``TrainLoop.__init__``: a module constant, spelled as one (upper case), that the file's
    functions read is a number the method fixes. Listed where it is written, not configurable.
    A script whose command line overrides its block lists that block instead (:func:`script_settings`)."""
    if noted.override_line is not None:
        return []
    found = []
    for statement in noted.module_literals:
        target = statement.targets[0]
        value = statement.value
        if (
            not isinstance(target, ast.Name)
            or not target.id.isupper()
            or isinstance(value, ast.Constant)
            and isinstance(value.value, bool)
            or number(value) is None
            or code.span(value) in taken
        ):
            continue
        name = config_name(target.id)
        if name is None or not _read_in_a_function(code, target.id, statement):
            continue
        found.append(_module_setting(code, name, target.id, statement, "constant"))
    return found


def _module_setting(code: CodeModule, name: str, written: str, statement: ast.Assign, api: str) -> Site:
    """A module-level ``written = value`` as a literal setting, not configurable where it stands."""
    value = statement.value
    return Site(
        name,
        text_of(code, value),
        number(value),
        code.span(value),
        Source.LITERAL,
        False,
        SiteKind.CONFIG,
        api=api,
        label=written,
        anchors=(statement.lineno,),
    )


def _read_in_a_function(code: CodeModule, name: str, statement: ast.stmt) -> bool:
    """Whether an indented line other than the assignment's names ``name`` (a function's body)."""
    word = re.compile(rf"\b{re.escape(name)}\b")
    return any(
        line[:1] in (" ", "\t") and word.search(line) is not None
        for number_, line in enumerate(code.lines, 1)
        if number_ != statement.lineno and name in line
    )


def fixed_settings(code: CodeModule, noted: Noted, settings: dict[str, Site]) -> list[Site]:
    """``min_lr = 0.0`` or ``lr_decay_iters = max_iters`` after the override ("fixing some
    hyperparams to sensible defaults"): a hyperparameter the vocabulary knows, set where the
    command line cannot reach it. Listed as written, not configurable (never PL401: a script's
    block, edited like its settings)."""
    if noted.override_line is None:
        return []
    found = []
    for statement in noted.module_literals:
        target = statement.targets[0]
        if statement.lineno <= noted.override_line or not isinstance(target, ast.Name):
            continue
        # a learning-rate setting by its prefix too (`lr_decay_iters`)
        if not (is_known_setting(target.id) or target.id.startswith("lr_")) or target.id in settings:
            continue
        value = statement.value
        if number(value) is not None or isinstance(value, ast.Name) and value.id in settings:
            name = config_name(target.id)
            if name is not None:
                found.append(_module_setting(code, name, target.id, statement, "script"))
    return found


def bag_sites(code: CodeModule, noted: Noted, scopes: Scopes) -> list[Site]:
    """Values stored into attribute bags and config objects, and keywords of a bag's constructor."""
    found = []
    for statement, scope in noted.stores:
        target = statement.targets[0] if isinstance(statement, ast.Assign) else statement.target
        explicit = _bag_root(code, target, scope, scopes)
        if explicit is None:
            continue
        key = _key(target)
        if _debug_override(code, statement, scope):
            continue
        if isinstance(statement.value, ast.Call) and (
            _constructs_bag(code, statement.value)
            # `config.schedule = dict(warmup_steps=10_000, decay_type="cosine")`: a section of the config
            or isinstance(statement.value.func, ast.Name)
            and statement.value.func.id == "dict"
            and not statement.value.args
        ):
            found.extend(_constructor_sites(code, statement.value, statement, {}))  # `C.model = ConfigDict({...})`
        elif key is not None and statement.value is not None:
            # `C.n_layer = None`, `config.total_steps = None`: a number the run must give (or derives
            # unless given); `config.model = None`, `config.pp = None`: an object filled in later
            allow_none = explicit and (is_known_setting(key) or bool(_SIZE.search(key.lower())))
            site = _setting(
                code, key, statement.value, statement, "config", allow_none=allow_none, choice=_dispatched(code, key)
            )
            if site is not None:
                found.append(site)
    for statement in noted.flag_calls:
        # `FLAGS, FLAGS_DEF = mlxu.define_flags_with_default(seed=42, total_steps=10000, lr=3e-4)`:
        # a call that declares flags with their defaults, assigned to a config-named target
        # (or `arg = bvcc.parse_arg(arg, variant="B/16", runlocal=False)`: parsed with these defaults)
        names = [e.id for e in getattr(statement.targets[0], "elts", []) if isinstance(e, ast.Name)]
        call = statement.value
        if not isinstance(call, ast.Call):
            continue
        declares = bool(names) and _config_named(names[0]) and bool(_DECLARES.search(_last(call.func)))
        if declares or _last(call.func) in ("parse_arg", "parse_args"):
            found.extend(_pair_sites(code, [(k.arg, k.value) for k in call.keywords if k.arg], statement, False))
    for table, statement in noted.presets:
        if _switch_table(table):
            continue
        for preset in table.values:
            for key, value in _preset_pairs(preset):
                site = _setting(code, key, value, statement, "preset", allow_none=False)
                found.extend([site] if site is not None else [])
    for by_name in scopes.assignments.values():
        for name, statements in by_name.items():
            for statement in statements:
                value = statement.value
                if isinstance(value, ast.Call) and _constructs_bag(code, value):
                    found.extend(_constructor_sites(code, value, statement, by_name))
                elif value is not None and _dict_pairs(value) and _config_named(name):  # `config = {"lr": 1e-3}`
                    found.extend(_pair_sites(code, _dict_pairs(value), statement, allow_none=False))
    for function, _ in noted.functions:
        for statement in function.body:
            if not isinstance(statement, ast.Return) or statement.value is None:
                continue
            if isinstance(statement.value, ast.Call) and _constructs_bag(code, statement.value):
                # `def default_hparams(): return HParams(n_vocab=0, n_ctx=1024, n_embd=768)`
                found.extend(_constructor_sites(code, statement.value, statement, {}))
            elif _names_defaults(function.name) and _dict_pairs(statement.value):
                # `def model_and_diffusion_defaults(): return dict(image_size=64, num_channels=128, ...)`
                # (not `_cfg(url, **kwargs)`: a model library's pretrained-weight metadata)
                found.extend(_pair_sites(code, _dict_pairs(statement.value), statement, allow_none=False))
    return found


def _names_defaults(function: str) -> bool:
    """``model_and_diffusion_defaults``, ``get_hparams``: a function returning a run's settings."""
    return function.lower().rsplit("_", 1)[-1] in _DEFAULTS_FUNCTIONS


def _preset_pairs(node: ast.expr, depth: int = 0) -> list[tuple[str, ast.expr]]:
    """The settings of one preset, ``dict(n_layer=12)`` or ``ConfigDict({"total_steps": 10_000,
    "pp": ConfigDict({"crop": 384})})``, nested ones included."""
    if isinstance(node, ast.Call):
        found = [(k.arg, k.value) for k in node.keywords if k.arg is not None]
        found += _dict_pairs(node.args[0]) if node.args else []
    elif isinstance(node, ast.Dict):
        found = _dict_pairs(node)
    else:
        return []
    pairs = []
    for key, value in found:
        if depth < 3 and _is_mapping(value):
            pairs += _preset_pairs(value, depth + 1)
        else:
            pairs.append((key, value))
    return pairs


def _switch_table(table: ast.Dict) -> bool:
    """``{"blit": dict(xflip=1, rotate90=1), "geom": dict(scale=1, rotate=1), ...}``: presets that
    only switch parts on (every value 1, or 0 and 1), which the named preset chosen states; their
    numbers are no settings."""
    values = [value for preset in table.values for _, value in _preset_pairs(preset)]
    return (
        bool(values)
        and all(number(value) in (0.0, 1.0) for value in values)
        and any(number(value) == 1.0 for value in values)
    )


def _is_mapping(node: ast.expr) -> bool:
    """``{...}``, ``dict(...)`` or a bag built from a dict (``ConfigDict({...})``)."""
    if isinstance(node, ast.Dict):
        return True
    return isinstance(node, ast.Call) and (
        bool(node.args)
        and isinstance(node.args[0], ast.Dict)
        or isinstance(node.func, ast.Name)
        and node.func.id == "dict"
    )


def _config_named(name: str) -> bool:
    root = name.lower()
    return root in CONFIG_BASES and root not in _TOO_SHORT or root.rsplit("_", 1)[-1] in _CONFIG_SUFFIXES


def _dict_pairs(node: ast.expr) -> list[tuple[str, ast.expr]]:
    """Keys and values of ``{"lr": 1e-3}`` or ``dict(lr=1e-3)``."""
    if isinstance(node, ast.Dict):
        return [
            (key.value, value)
            for key, value in zip(node.keys, node.values)
            if isinstance(key, ast.Constant) and isinstance(key.value, str)
        ]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
        return [(k.arg, k.value) for k in node.keywords if k.arg is not None]
    return []


def class_constants(code: CodeModule, classes: list[ast.ClassDef]) -> list[Site]:
    """Class-level settings of a class named as a config (``class TrainConfig: lr = 3e-4``)."""
    found = []
    for node in classes:
        if not CONFIG_CLASS.search(node.name) or node.decorator_list:
            continue  # a decorated one (a dataclass) declares fields: declarations.py reads it
        for statement in node.body:
            target = statement.target if isinstance(statement, ast.AnnAssign) else None
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
                target = statement.targets[0]
            if isinstance(target, ast.Name) and isinstance(statement, (ast.Assign, ast.AnnAssign)) and statement.value:
                site = _setting(code, target.id, statement.value, statement, "class", allow_none=False)
                found.extend([site] if site is not None else [])
    return found


def computed_settings(noted: Noted) -> frozenset[str]:
    """Settings the code replaces with a computed value: ``args.batch_size = args.num_envs *
    args.num_steps`` makes the declared ``batch_size: int = 0`` a placeholder, not a setting.
    A value computed from the setting itself (``args.batch_size = args.batch_size // ngpus``)
    adjusts it and keeps it one."""
    found = set()
    for statement, _ in noted.stores:
        target = statement.targets[0] if isinstance(statement, ast.Assign) else statement.target
        value = statement.value
        if not isinstance(target, ast.Attribute) or value is None or isinstance(value, ast.Constant):
            continue
        if is_setting(value, target.attr, allow_none=True):
            continue
        base = target.value.id if isinstance(target.value, ast.Name) else ""
        if base.lower() not in CONFIG_BASES:
            continue
        read = {
            n.attr
            for n in ast.walk(value)
            if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == base
        }
        if read and target.attr not in read:  # from the others, not from itself
            found.add(target.attr)
    return frozenset(found)


def _key(target: ast.expr) -> str | None:
    if isinstance(target, ast.Attribute):
        return target.attr
    if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant):
        return target.slice.value if isinstance(target.slice.value, str) else None
    return None


def _bag_root(code: CodeModule, target: ast.expr, scope: ast.AST, scopes: Scopes) -> bool | None:
    """True when the stored-into object was built as a bag in this scope (``C = CN()``), False
    when it is named as a config (``config.x``, ``config_args["x"]``), None otherwise."""
    node = target.value if isinstance(target, (ast.Attribute, ast.Subscript)) else target
    names = []
    while isinstance(node, ast.Attribute):
        names.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    for owner in (scope, code.tree):
        assigned = scopes.assignments.get(owner, {}).get(node.id, [])
        if len(assigned) == 1 and isinstance(assigned[0].value, ast.Call):
            factory = _last(assigned[0].value.func)
            # `res = model_and_diffusion_defaults(); res["large_size"] = 256`: a copy of the defaults
            if _constructs_bag(code, assigned[0].value) or factory in _FACTORIES or _names_defaults(factory):
                return True
            if (code.qualified_name(assigned[0].value.func) or "").endswith(_SESSION_CONFIGS):
                return None  # `config = tf.ConfigProto(); config.gpu_options.allow_growth = True`: the runtime's
        if assigned:
            break
    if code.qualified_name(node) is not None:
        return None  # an imported module's setting (`torch.backends.cudnn.benchmark = True`)
    root = node.id.lower()
    if root in CONFIG_BASES and root not in _TOO_SHORT or root.rsplit("_", 1)[-1] in _CONFIG_SUFFIXES:
        return False
    return None


# `if arg.runlocal:` / `if args.debug:` / `if smoke_test:` around a store: a smaller run for
# trying the code out, not the method's setting
_DEBUG = re.compile(r"(?:^|_)(?:debug|runlocal|run_local|local|smoke|smoke_test|quick|dry_run|tiny)$")


# `if not is_training: config.hidden_dropout_prob = 0.0` (BERT): dropout switched off outside
# training, a property of evaluation, not a setting of the method
_TRAINING_SWITCH = re.compile(r"^(?:is_)?(?:training|train|train_mode)$")


def _debug_override(code: CodeModule, statement: ast.stmt, scope: ast.AST) -> bool:
    if isinstance(scope, ast.Module):
        return False
    child: ast.AST = statement
    node = code.parents.get(statement)
    while node is not None and node is not scope:
        if isinstance(node, ast.If) and (
            any(
                _DEBUG.search(_last(part).lower())
                for part in ast.walk(node.test)
                if isinstance(part, (ast.Name, ast.Attribute))
            )
            or _outside_training(node, child)
        ):
            return True
        child, node = node, code.parents.get(node)
    return False


def _outside_training(test: ast.If, child: ast.AST) -> bool:
    """Whether ``child`` is on the branch of ``test`` taken when not training: the body of
    ``if not is_training:``, the ``else`` of ``if is_training:``."""
    condition, negated = test.test, False
    if isinstance(condition, ast.UnaryOp) and isinstance(condition.op, ast.Not):
        condition, negated = condition.operand, True
    if not (isinstance(condition, (ast.Name, ast.Attribute)) and _TRAINING_SWITCH.match(_last(condition).lower())):
        return False
    return child in (test.body if negated else test.orelse)


def _constructs_bag(code: CodeModule, call: ast.Call) -> bool:
    qualified = code.qualified_name(call.func)
    last = qualified.rsplit(".", 1)[-1] if qualified else _last(call.func)
    return last in _BAGS


def _last(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _constructor_sites(
    code: CodeModule, call: ast.Call, statement: ast.stmt, names: dict[str, list[ast.Assign | ast.AnnAssign]]
) -> list[Site]:
    """``SimpleNamespace(lr=1e-3, ...)``, ``ConfigDict({"lr": 1e-3})``, ``SimpleNamespace(**hp)``
    with ``hp = dict(lr=1e-3)`` in the same scope (``names``): each keyword or key."""
    pairs: list[tuple[str, ast.expr]] = [(k.arg, k.value) for k in call.keywords if k.arg is not None]
    if call.args:
        pairs += _dict_pairs(call.args[0])
    for keyword in call.keywords:
        spread = names.get(keyword.value.id, []) if keyword.arg is None and isinstance(keyword.value, ast.Name) else []
        if len(spread) == 1 and spread[0].value is not None:
            pairs += _dict_pairs(spread[0].value)  # sites where the dict is written
    return _pair_sites(code, pairs, statement, allow_none=True)


def _pair_sites(
    code: CodeModule, pairs: list[tuple[str, ast.expr]], statement: ast.stmt, allow_none: bool
) -> list[Site]:
    """``None`` declares a key of a bag built for configuration; in a dict named ``model_args``
    it is a value the code fills in later."""
    sites = [_setting(code, name, value, statement, "config", allow_none) for name, value in pairs]
    return [site for site in sites if site is not None]


def _dispatched(code: CodeModule, key: str) -> bool:
    """Whether the file branches on the setting's value as a name (``if config.type == 'palm':``):
    a string setting so compared picks a variant of the method, whatever its key."""
    if SUBJECT.search(key.lower()):
        return False  # `if config.env == "atari":`, `if cfg.precision == "bf16":`: not the method
    return re.search(rf"\.{re.escape(key)}\s*[!=]=\s*[rbf]?['\"]", code.text) is not None


def _setting(
    code: CodeModule,
    key: str,
    value: ast.expr,
    statement: ast.stmt,
    api: str,
    allow_none: bool,
    choice: bool = False,
) -> Site | None:
    name = config_name(key)
    if name is None or key.startswith("_"):
        return None
    chosen = (
        choice
        and isinstance(value, ast.Constant)
        and isinstance(value.value, str)
        and bool(value.value)
        and not is_run_phase(value)  # `config.mode = "train"` compared with "eval": what the run does
    )
    if not (is_setting(value, key, allow_none) or chosen):
        return None
    numeric = number(value)
    if numeric is None and isinstance(value, ast.Constant) and isinstance(value.value, str):
        numeric = parse_python_number(value.value)  # `ema_rate="0.9999"`, parsed by the code that reads it
    return Site(
        name,
        text_of(code, value),
        numeric,
        code.span(value),
        Source.CONFIG,
        True,
        SiteKind.CONFIG,
        api=api,
        label=key,
        anchors=(statement.lineno,),
    )
