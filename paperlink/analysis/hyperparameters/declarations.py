"""Configuration in one file, and what a value in code stands for.

Declarations: argparse ``add_argument`` and click ``option`` defaults (under their flag's
destination), dataclass-like config fields and ``OmegaConf.create({...})`` keys.
Resolution follows, within the file, a name to its single assignment or to the default
of the parameter it is, and ``args.x`` / ``cfg.x`` to the declaration of ``x``. What
cannot be followed stays symbolic: its text is kept and its number is None, never guessed.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from paperlink.analysis.hyperparameters.facts import Site, SiteKind, Source
from paperlink.analysis.hyperparameters.settings import annotated_numeric, is_setting
from paperlink.analysis.hyperparameters.settings import number as settings_number
from paperlink.analysis.hyperparameters.vocabulary import config_name
from paperlink.numbers import parse_python_number, python_number
from paperlink.source.code import FUNCTIONS, CodeModule

if TYPE_CHECKING:
    from paperlink.analysis.hyperparameters.signatures import Parameters

__all__ = [
    "ABSL_DEFINES",
    "CONFIG_BASES",
    "SUBJECT",
    "is_run_phase",
    "Value",
    "Scopes",
    "Resolver",
    "declarations",
    "declared_as",
]

CONFIG_BASES = frozenset(  # names a config object goes by: `cfg.lr` reads a setting
    "args arg cfg config conf opt opts option options hparams hparam hp hps params flags settings c".split()
)
_DATACLASS_DECORATORS = frozenset(
    {"dataclass", "dataclasses.dataclass", "attr.s", "attr.define", "attrs.define", "define", "frozen"}
)
_CONFIG_BASE_CLASSES = frozenset({"BaseModel", "BaseSettings", "NamedTuple", "Tap"})
_MAX_TEXT = 60
_SWITCHES = {"store_true": "False", "store_false": "True"}  # a switch's action -> its default
_MAX_DEPTH = 4


@dataclass(frozen=True)
class Value:
    """What an expression in code stands for, as far as the file says."""

    text: str
    numeric: float | None
    source: Source
    configurable: bool
    origin: Site | None = None  # the declaration or constant the value was followed to
    anchor: int | None = None  # the line of the statement that wrote the value, when followed
    written: ast.AST | None = None  # the literal a name was followed to (`LR = 3e-4`): the site is there


def value_site(
    code: CodeModule,
    name: str,
    value: Value,
    node: ast.AST,
    statement: ast.stmt,
    kind: SiteKind,
    *,
    api: str | None = None,
    label: str = "",
    origin_label: str = "",
    default: float | None = None,
    scope: str = "",
) -> Site:
    """The site of ``value`` written at ``node``: annotations bind to the statement, and to the
    one that wrote the value when it was followed there."""
    anchors = (statement.lineno,) if value.anchor is None else (statement.lineno, value.anchor)
    origin = value.origin.span if value.origin else None
    # a flag, a field, a parameter read by name: configured elsewhere, not written here
    read = value.source is Source.CONFIG and (
        origin is not None or isinstance(node, (ast.Name, ast.Attribute)) and python_number(node) is None
    )
    return Site(
        name,
        value.text,
        value.numeric,
        code.span(value.written if value.written is not None else node),
        value.source,
        value.configurable,
        kind,
        api=api,
        label=label,
        anchors=anchors,
        origin=origin,
        origin_label=origin_label,
        default=default,
        scope=scope,
        read=read,
    )


@dataclass
class Scopes:
    """Assignments by scope (a function or the module), filled by the scan's walk."""

    assignments: dict[ast.AST, dict[str, list[ast.Assign | ast.AnnAssign]]] = field(default_factory=dict)
    classes: list[ast.ClassDef] = field(default_factory=list)

    def add(self, scope: ast.AST, statement: ast.Assign | ast.AnnAssign) -> None:
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        if len(targets) == 1 and isinstance(targets[0], ast.Name) and statement.value is not None:
            self.assignments.setdefault(scope, {}).setdefault(targets[0].id, []).append(statement)


def text_of(code: CodeModule, node: ast.AST) -> str:
    """The node's source text on one line, shortened.

    Sliced from the module's lines: ``ast.get_source_segment`` splits the whole file on
    every call, which cost more than the rest of the scan.
    """
    line, end = getattr(node, "lineno", None), getattr(node, "end_lineno", None)
    if line is not None and end == line and line <= len(code.lines):
        encoded = code.lines[line - 1].encode("utf-8")  # ast columns count UTF-8 bytes
        # a node with a line has columns; ast types no common base for such nodes
        text = encoded[node.col_offset : node.end_col_offset].decode("utf-8", "replace")  # type: ignore[attr-defined]
    else:
        text = ast.unparse(node)
    text = " ".join(text.split())
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 3] + "..."


def literal(code: CodeModule, node: ast.AST) -> Value | None:
    """The value of a numeric constant expression (``3e-4``, ``1/256``, ``-1``), else None."""
    number = python_number(node)
    if number is None:
        return None
    return Value(text_of(code, node), number, Source.LITERAL, False)


# --- declarations --------------------------------------------------------------------------


def declarations(code: CodeModule, calls: list[tuple[ast.Call, int]], scopes: Scopes) -> list[Site]:
    """Every configuration default the file declares, as sites of kind CONFIG.

    ``calls`` are the file's calls with the line of the statement each is in.
    """
    found: list[Site] = []
    for call, line in calls:
        found.extend(_flag(code, call, line))
    found = _set_defaults(code, calls, found)
    for node in scopes.classes:
        if _is_config_class(code, node):
            found.extend(_fields(code, node))
    return found


def _flag(code: CodeModule, call: ast.Call, line: int) -> list[Site]:
    """An argparse argument or click option with a numeric default."""
    func = call.func
    method = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    if method == "add_argument":
        api = "argparse"
    elif method == "option" and (code.qualified_name(func) or "").startswith(("click.", "typer.")):
        api = "click"
    elif method == "create" and code.call_name(call) == "omegaconf.OmegaConf.create":
        return _omegaconf(code, call, line)
    elif method.startswith("DEFINE_"):
        return _absl_flag(code, call, line)
    else:
        return []
    default = next((k.value for k in call.keywords if k.arg == "default"), None)
    action = next((k.value for k in call.keywords if k.arg == "action"), None)
    destination = _destination(call, api)
    if default is None and isinstance(action, ast.Constant) and action.value in _SWITCHES:
        default = action  # `action="store_true"`: off unless given, a switch of the method (`--cos`, `--mlp`)
    if default is None or destination is None:
        return []
    help_text = next((k.value for k in call.keywords if k.arg == "help"), None)
    if (
        _sentinel(default, help_text)
        or _PERIOD_HELP.search(_string(help_text))
        or _DATA_HELP.search(_string(help_text))
    ):
        return []
    site = _declared(code, default, destination, api, line, choice=_chooses_variant(call, destination, help_text))
    return [site] if site is not None else []


# `help="algorithm to use: a2c | ppo | acktr"`: the alternatives a string flag picks between
_ALTERNATIVES = re.compile(r"\w\s+\|\s+\w")
# what is trained on, not how (`--game`, `--env-name` with their `choices=`): the run's subject;
# how results are written or numbers stored (`--output-format`, `--precision`, `--log-level`)
SUBJECT = re.compile(
    r"^(?:env|env_id|env_name|environment|game|task|task_name|domain|data|benchmark)$|(?:^|_)(?:format|precision|level)$"
)


def _chooses_variant(call: ast.Call, destination: str, help_text: ast.AST | None) -> bool:
    """Whether a flag picks one of named variants of the method: ``choices=[...]``
    (``--model choices=list(DiT_models)``, ``--optimizer choices=["SGD", "Adam"]``) or a help
    listing them (``"Policy Type: Gaussian | Deterministic"``)."""
    choices = next((k.value for k in call.keywords if k.arg == "choices"), None)
    default = next((k.value for k in call.keywords if k.arg == "default"), None)
    if SUBJECT.search(destination.lower()) or _steps_of_a_run(choices) or is_run_phase(default):
        return False  # (`--mode choices=["train", "test"]`: what the run does)
    return choices is not None or bool(_ALTERNATIVES.search(_string(help_text)))


# what a run does, for a string flag's choices (`--weights choices=("finetune", "freeze")` is how a
# backbone is evaluated, a choice of the protocol)
_STEPS_OF_A_RUN = frozenset("train eval evaluate test predict export".split())


def _steps_of_a_run(choices: ast.AST | None) -> bool:
    return isinstance(choices, (ast.List, ast.Tuple)) and any(
        isinstance(e, ast.Constant) and e.value in _STEPS_OF_A_RUN for e in choices.elts
    )


def is_run_phase(node: ast.AST | None) -> bool:
    """``"train"``, ``"eval"``: a string naming what a run does."""
    return isinstance(node, ast.Constant) and node.value in _STEPS_OF_A_RUN


def _set_defaults(code: CodeModule, calls: list[tuple[ast.Call, int]], flags: list[Site]) -> list[Site]:
    """``parser.set_defaults(norm_pix_loss=False)`` gives an argparse flag its default: the
    setting is written there, not at the ``add_argument`` (a switch's implied default)."""
    by_destination = {site.label: index for index, site in enumerate(flags) if site.api == "argparse"}
    found = list(flags)
    for call, line in calls:
        if not (isinstance(call.func, ast.Attribute) and call.func.attr == "set_defaults"):
            continue
        for keyword in call.keywords:
            index = by_destination.get(keyword.arg or "")
            if index is None:
                continue  # `set_defaults(func=train)`: a subcommand's handler, not a declared flag
            site = _declared(code, keyword.value, keyword.arg or "", "argparse", line)
            if site is not None:
                found[index] = site
    return found


# absl's typed flag definitions, `flags.DEFINE_float("learning_rate", 0.3, "help")`: the name
# first, the default second; lists of numbers and multi-flags hold settings as argparse's do
ABSL_DEFINES = frozenset(
    "DEFINE_float DEFINE_integer DEFINE_boolean DEFINE_bool DEFINE_string DEFINE_enum DEFINE_list "
    "DEFINE_multi_float DEFINE_multi_integer DEFINE_spaceseplist".split()
)
_ABSL_MODULES = (
    "absl.flags.",
    "tensorflow.compat.v1.flags.",
    "tensorflow.flags.",
    "tensorflow.compat.v1.app.flags.",
    "tensorflow.app.flags.",
)


def _absl_flag(code: CodeModule, call: ast.Call, line: int) -> list[Site]:
    qualified = code.call_name(call) or _through_module_alias(code, call.func) or ""
    method = qualified.rsplit(".", 1)[-1]
    if method not in ABSL_DEFINES or not qualified.startswith(_ABSL_MODULES):
        return []
    keywords = {k.arg: k.value for k in call.keywords if k.arg}
    name = call.args[0] if call.args else keywords.get("name")
    default = call.args[1] if len(call.args) > 1 else keywords.get("default")
    if not (isinstance(name, ast.Constant) and isinstance(name.value, str)) or default is None:
        return []
    enum = method == "DEFINE_enum"
    choices = call.args[2] if enum and len(call.args) > 2 else keywords.get("enum_values")
    if enum and _run_phases(choices):
        return []
    help_text = call.args[3 if enum else 2] if len(call.args) > (3 if enum else 2) else keywords.get("help")
    if _sentinel(default, help_text):
        return []
    site = _declared(code, default, name.value, "absl", line, choice=enum)
    return [site] if site is not None else []


def _through_module_alias(code: CodeModule, func: ast.AST) -> str | None:
    """``flags.DEFINE_integer`` after ``flags = tf.flags`` at module level (TF1 scripts name the
    flags module so): the qualified name through that one assignment, which imports do not record."""
    if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)):
        return None
    alias = func.value.id
    if alias in code.imports:
        return None
    bound = [
        statement.value
        for statement in code.tree.body
        if isinstance(statement, ast.Assign)
        and any(isinstance(target, ast.Name) and target.id == alias for target in statement.targets)
    ]
    module = code.qualified_name(bound[0]) if len(bound) == 1 and isinstance(bound[0], ast.Attribute) else None
    return f"{module}.{func.attr}" if module else None


# what a run does, not how the method works: `DEFINE_enum("mode", "train", ["train", "eval"])`
_RUN_PHASES = frozenset("train eval evaluate test predict export pretrain finetune train_then_eval".split())


def _run_phases(choices: ast.AST | None) -> bool:
    return isinstance(choices, (ast.List, ast.Tuple)) and any(
        isinstance(e, ast.Constant) and e.value in _RUN_PHASES for e in choices.elts
    )


# a zero its help calls optional (`0, "Number of steps. If provided, overrides train_epochs"`):
# the setting is another one, this is a switch to override it
# ("0 means no warmup" is a setting: no warmup is a choice of the method)
# ("mixup alpha, mixup enabled if > 0" is the setting itself, zero switching it off)
_OPTIONAL = re.compile(r"\b(?:overrides?|if (?:provided|given|specified|not provided|not given))\b", re.IGNORECASE)


# a period of something other than training, said by the help (`"Epochs between full scale sample"`,
# `"interval between saving image samples"`): when to sample, save, log or evaluate
_PERIOD_HELP = re.compile(
    r"\b(?:epochs?|steps?|iterations?|iters?|batches|interval)\s+between\s+(?:\w+\s+){0,2}?"
    r"(?:valid\w*|eval\w*|sampl\w*|sav\w*|log\w*|checkpoint\w*|image\w*|progress)",
    re.IGNORECASE,
)


# a property of the data or the machine, said by the help (`--nc`, "input image channels";
# `--ngpu`, "number of GPUs to use"): not a choice of the method
_DATA_HELP = re.compile(r"\b(?:input|image)\s+(?:image\s+)?channels\b|\bnumber of gpus\b", re.IGNORECASE)


def _sentinel(default: ast.AST, help_text: ast.AST | None) -> bool:
    if not (isinstance(default, ast.Constant) and default.value == 0 and not isinstance(default.value, bool)):
        return False
    text = _string(help_text)
    return bool(text and _OPTIONAL.search(text))


def _string(node: ast.AST | None) -> str:
    """A string literal, also one written as adjacent pieces or joined with ``+``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _string(node.left) + _string(node.right)
    return ""


def declared_as(site: Site) -> str:
    """How the code names a site's setting: ``--weight-decay`` for a flag, else the field or parameter."""
    if site.api in ("argparse", "click", "absl") and site.label:
        return f"--{site.label.replace('_', '-')}"
    return site.label


def _destination(call: ast.Call, api: str) -> str | None:
    """The attribute a flag is stored under: ``dest=``, click's name, else the first long flag."""
    for keyword in call.keywords:
        if keyword.arg == "dest" and isinstance(keyword.value, ast.Constant) and isinstance(keyword.value.value, str):
            return keyword.value.value
    names = [a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    if api == "click":
        plain = [name for name in names if not name.startswith("-")]
        if plain:
            return plain[0]
    long = [name for name in names if name.startswith("--")]
    chosen = long[0] if long else names[0] if names else None
    return chosen.lstrip("-").replace("-", "_") if chosen else None


def _declared(
    code: CodeModule, default: ast.AST, label: str, api: str, line: int, allow_none: bool = False, choice: bool = False
) -> Site | None:
    """A declaration's site when its default is a number (or a string argparse converts)."""
    name = config_name(label)
    if name is None:
        return None
    if isinstance(default, ast.Constant) and default.value in _SWITCHES:  # the action of a switch
        text = _SWITCHES[default.value]
    elif is_setting(default, label, allow_none) or choice and isinstance(default, ast.Constant) and default.value:
        # an enumerated flag (`DEFINE_enum("optimizer", "lars", ["momentum", "adam", "lars"])`) chooses
        # between named variants of the method whatever its name
        text = text_of(code, default)
    else:
        text = ""
    number = settings_number(default)
    if number is None and isinstance(default, ast.Constant) and isinstance(default.value, str):
        number = parse_python_number(default.value)
        text = text_of(code, default) if number is not None else text
    if not text:
        return None
    return Site(
        name,
        text,
        number,
        code.span(default),
        Source.CONFIG,
        True,
        SiteKind.CONFIG,
        api=api,
        label=label,
        anchors=(line,),
    )


def _omegaconf(code: CodeModule, call: ast.Call, line: int) -> list[Site]:
    if not call.args or not isinstance(call.args[0], ast.Dict):
        return []
    found = []
    for key, value in zip(call.args[0].keys, call.args[0].values):
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            site = _declared(code, value, key.value, "omegaconf", line)
            if site is not None:
                found.append(site)
    return found


def _is_config_class(code: CodeModule, node: ast.ClassDef) -> bool:
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = code.qualified_name(target) or (target.id if isinstance(target, ast.Name) else "")
        if name in _DATACLASS_DECORATORS or name.endswith(".dataclass"):
            return True
    return any(
        (base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "")) in _CONFIG_BASE_CLASSES
        for base in node.bases
    )


def _fields(code: CodeModule, node: ast.ClassDef) -> list[Site]:
    found = []
    for statement in node.body:
        if (
            isinstance(statement, ast.AnnAssign)
            and isinstance(statement.target, ast.Name)
            and statement.value is not None
        ):
            value = statement.value
            if isinstance(value, ast.Call) and getattr(value.func, "id", getattr(value.func, "attr", "")) == "field":
                value = next((k.value for k in value.keywords if k.arg == "default"), None)
            if value is not None:
                # `target_kl: float = None`: a number may go there, off by default
                numeric = annotated_numeric(statement.annotation)
                site = _declared(code, value, statement.target.id, "dataclass", statement.lineno, numeric)
                if site is not None:
                    found.append(site)
    return found


def config_classes(code: CodeModule, scopes: Scopes) -> frozenset[str]:
    return frozenset(node.name for node in scopes.classes if _is_config_class(code, node))


# --- resolution ----------------------------------------------------------------------------


class Resolver:
    """What expressions in one file stand for, following names and config attributes."""

    def __init__(
        self, code: CodeModule, scopes: Scopes, declared: list[Site], parameters: Parameters | None = None
    ) -> None:
        self.code = code
        self.scopes = scopes
        self.parameters = parameters
        self.by_label: dict[str, list[Site]] = {}
        for site in declared:
            self.by_label.setdefault(site.label, []).append(site)
        self.classes = config_classes(code, scopes)

    def value(self, node: ast.AST, scope: ast.AST, depth: int = 0) -> Value:
        found = literal(self.code, node)
        if found is not None:
            return found
        if depth < _MAX_DEPTH and isinstance(node, ast.Name):
            return self._name(node, scope, depth)
        if depth < _MAX_DEPTH and isinstance(node, ast.Attribute) and self.is_config(node.value, scope):
            return self._config(node)
        if depth < _MAX_DEPTH and isinstance(node, ast.BinOp) and _per_device(node):
            # `args.batch_size // args.world_size`: the setting divided over the devices reads it
            shared = self.value(node.left, scope, depth + 1)
            if shared.origin is not None:
                return shared
        if depth < _MAX_DEPTH and _cast(node):
            # `int(args.global_batch_size // dist.get_world_size())`: a conversion reads what it converts
            converted = self.value(node.args[0], scope, depth + 1)  # type: ignore[attr-defined]
            if converted.origin is not None:
                return converted
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
            # `self.m` set from `__init__`'s parameter `m`: the parameter's default
            site = self.parameters.attribute(scope, node.attr) if self.parameters is not None else None
            if site is not None:
                return Value(site.value, site.numeric, Source.CONFIG, True, origin=site, anchor=site.anchors[0])
        return self.symbolic(node)

    def symbolic(self, node: ast.AST) -> Value:
        return Value(text_of(self.code, node), None, Source.CONFIG, True)

    def _name(self, node: ast.Name, scope: ast.AST, depth: int) -> Value:
        for owner in (scope, self.code.tree) if scope is not self.code.tree else (scope,):
            assigned = self.scopes.assignments.get(owner, {}).get(node.id, [])
            setting = self.parameters.module_settings.get(node.id) if self.parameters is not None else None
            if owner is self.code.tree and setting is not None:  # a script's block, overridden at run time
                return Value(
                    setting.value, setting.numeric, Source.CONFIG, True, origin=setting, anchor=setting.anchors[0]
                )
            if len(assigned) == 1 and assigned[0].value is not None:  # Scopes.add keeps only assignments with a value
                followed = self.value(assigned[0].value, owner, depth + 1)
                if followed.anchor is None:
                    # `LR = 3e-4` then `lr=LR`: the number is written at the assignment
                    written = assigned[0].value if followed.source is Source.LITERAL else None
                    followed = Value(
                        followed.text,
                        followed.numeric,
                        followed.source,
                        followed.configurable,
                        followed.origin,
                        assigned[0].lineno,
                        written,
                    )
                return followed
            if assigned:
                return self.symbolic(node)
            if isinstance(owner, FUNCTIONS):
                parameter = _parameter_default(owner, node.id)
                if parameter is not None:
                    default = literal(self.code, parameter[1]) if parameter[1] is not None else None
                    if default is None:
                        return self.symbolic(node)
                    # the signature's default: the table shows where it is written
                    site = self.parameters.default_site(owner, node.id) if self.parameters is not None else None
                    anchor = site.anchors[0] if site is not None else None
                    return Value(default.text, default.numeric, Source.CONFIG, True, origin=site, anchor=anchor)
        return self.symbolic(node)

    def is_config(self, base: ast.AST, scope: ast.AST) -> bool:
        name = base.attr if isinstance(base, ast.Attribute) else base.id if isinstance(base, ast.Name) else None
        if name is None:
            return False
        if name.lower() in CONFIG_BASES:
            return True
        if not self.classes or not isinstance(base, ast.Name):
            return False
        if isinstance(scope, FUNCTIONS):
            for argument in [*scope.args.posonlyargs, *scope.args.args, *scope.args.kwonlyargs]:
                if argument.arg == name and isinstance(argument.annotation, ast.Name):
                    return argument.annotation.id in self.classes
        assigned = self.scopes.assignments.get(self.code.tree, {}).get(name, [])
        return (
            len(assigned) == 1
            and isinstance(assigned[0].value, ast.Call)
            and getattr(assigned[0].value.func, "id", None) in self.classes
        )

    def _config(self, node: ast.Attribute) -> Value:
        declared = self.by_label.get(node.attr, [])
        numbers = {site.numeric for site in declared}
        if not declared or len(numbers) != 1:
            return self.symbolic(node)
        site = declared[0]
        return Value(site.value, site.numeric, Source.CONFIG, True, origin=site, anchor=site.anchors[0])


_DEVICES = re.compile(
    r"^(?:world_size|ngpus|n_gpus?|num_gpus|ngpus_per_node|nprocs|num_devices|device_count|get_world_size)$"
)


def _cast(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("int", "float", "round")
        and len(node.args) == 1
        and not node.keywords
    )


def _per_device(node: ast.BinOp) -> bool:
    """``x // args.world_size``, ``x / torch.cuda.device_count()``: a share of each device."""
    if not isinstance(node.op, (ast.Div, ast.FloorDiv)):
        return False
    right = node.right.func if isinstance(node.right, ast.Call) else node.right
    name = right.attr if isinstance(right, ast.Attribute) else right.id if isinstance(right, ast.Name) else ""
    return bool(_DEVICES.match(name))


def _parameter_default(
    function: ast.FunctionDef | ast.AsyncFunctionDef, name: str
) -> tuple[str, ast.AST | None] | None:
    """(name, default or None) when ``name`` is a parameter of ``function``."""
    arguments = function.args
    positional = [*arguments.posonlyargs, *arguments.args]
    defaults: list[ast.AST | None] = [None] * (len(positional) - len(arguments.defaults)) + list(arguments.defaults)
    for argument, default in zip(positional, defaults):
        if argument.arg == name:
            return name, default
    for argument, default in zip(arguments.kwonlyargs, arguments.kw_defaults):
        if argument.arg == name:
            return name, default
    for argument in (arguments.vararg, arguments.kwarg):
        if argument is not None and argument.arg == name:
            return name, None
    return None
