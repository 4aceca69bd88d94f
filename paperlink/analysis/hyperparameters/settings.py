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

__all__ = ["CONFIG_CLASS", "Noted", "note", "number", "is_choice_name", "annotated_numeric", "is_setting"]

# String values that are choices of the method (an architecture, an optimizer, where the
# weights start from); other strings (paths, devices, dataset names) are not hyperparameters.
_CHOICE = re.compile(
    r"(?:^|_)(?:arch|architecture|model_type|backbone|optimizer|scheduler|activation|act|init_from"
    # the schedule, the nonlinearity, the normalisation, the initialisation, the weight
    # parameterisation, the head and the position embedding a method chooses by name
    r"|decay_type|lr_schedule|nl|nonlinearity|norm_style|norm_type|init|init_type|param|classifier"
    r"|position_embedding"
    # the loss, the pooling and a model size chosen by name (`config.loss = "sigmoid_xent"`,
    # `pool_type="tok"`, `variant="B/16"`), an optimizer named by its library (`optax_name`)
    r"|loss|loss_fn|loss_type|criterion|pool_type|pooling|variant|optax_name|optimizer_name|opt_name"
    # a diffusion model's noise (beta) schedule by name (`noise_schedule="cosine"`)
    r"|noise_schedule|beta_schedule"
    # what a model is trained to predict (`objective="pred_v"`: noise, the clean image or v)
    r"|objective"
    # a model chosen by its size (`model_size="base"`)
    r"|model_size)$"
)
_CASTS = frozenset({"int", "float"})
# a class named as a config (`TrainConfig`, `BertConfig`, `GPTHParams`): its settings are the run's
CONFIG_CLASS = re.compile(r"(?:Config|Cfg|HParams|Hparams|Hyperparameters|Hyperparams|Settings|Args)$")
# a file or a folder, not a name (`model="checkpoints/last.pt"`, `init_from="./out"`)
_FILE = re.compile(r"\.(?:pt|pth|ckpt|bin|h5|pkl|npz|safetensors|json|ya?ml|onnx)$|^(?:\.{0,2}/|~)")
# a released model named by its parameter count (GPT-2's `model_name='124M'`, `"1.5B"`, `"7b"`)
_PARAMETER_COUNT = re.compile(r"^\d+(?:\.\d+)?[kKmMbB]$")
_VOCAB = re.compile(r"^(?:n_|num_)?vocab(?:_size)?$")
_COUNT = re.compile(r"^(?:n|num|max)_|(?:^|_)(?:size|batch|microbatch|steps|iters|epochs|heads|layers|length)$")
# numbers written as text for the code to parse: `ema_rate="0.9999"`, `attention_resolutions="16,8"`
_NUMBERS_TEXT = re.compile(r"^\s*-?\d+(?:\.\d*)?(?:[eE]-?\d+)?(?:\s*,\s*-?\d+(?:\.\d*)?(?:[eE]-?\d+)?)*\s*$")


@dataclass
class Noted:
    """Statements the configuration sites are read from, in source order."""

    functions: list[tuple[ast.FunctionDef | ast.AsyncFunctionDef, ast.AST]] = field(default_factory=list)
    classes: list[ast.ClassDef] = field(default_factory=list)
    stores: list[tuple[ast.Assign | ast.AnnAssign, ast.AST]] = field(default_factory=list)  # `x.a = v`, `x["a"] = v`
    module_literals: list[ast.Assign] = field(default_factory=list)  # `lr = 6e-4` at module level
    presets: list[tuple[ast.Dict, ast.stmt]] = field(default_factory=list)  # `{"gpt2": dict(n_layer=12, ...)}`
    # `FLAGS, FLAGS_DEF = mlxu.define_flags_with_default(seed=42, lr=3e-4)` at module level
    flag_calls: list[ast.Assign] = field(default_factory=list)
    override_line: int | None = None  # the first `exec(...)` / `globals().update(...)` at module level


def note(noted: Noted, node: ast.stmt, scope: ast.AST, module: ast.Module) -> None:
    """Called by the scan's walk for every statement (``scope``: the enclosing function,
    class or module)."""
    if isinstance(node, FUNCTIONS):
        noted.functions.append((node, scope))
        return
    if isinstance(node, ast.ClassDef):
        noted.classes.append(node)
        return
    if isinstance(node, (ast.Assign, ast.Expr, ast.Return)) and isinstance(
        node.value, (ast.Call, ast.Subscript, ast.Dict)
    ):
        table = _preset_table(node.value)
        if table is not None:
            noted.presets.append((table, node))
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if len(targets) != 1 or node.value is None:
            return
        if isinstance(targets[0], (ast.Attribute, ast.Subscript)):
            noted.stores.append((node, scope))
        elif scope is module and isinstance(targets[0], ast.Name) and isinstance(node, ast.Assign):
            noted.module_literals.append(node)
        elif scope is module and isinstance(node, ast.Assign) and isinstance(targets[0], ast.Tuple):
            noted.flag_calls.append(node)
        elif isinstance(node, ast.Assign) and _parses_with_defaults(node.value):
            noted.flag_calls.append(node)  # `arg = bvcc.parse_arg(arg, variant="B/16", runlocal=False)`
    elif scope is module and isinstance(node, ast.Expr) and noted.override_line is None and _overrides(node.value):
        noted.override_line = node.lineno


def _parses_with_defaults(node: ast.expr) -> bool:
    """``parse_arg(arg, variant="B/16")``: a config's arguments parsed with their defaults by keyword."""
    if not (isinstance(node, ast.Call) and node.keywords):
        return False
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    return name in ("parse_arg", "parse_args")


def _preset_table(node: ast.AST | None) -> ast.Dict | None:
    """A table of named presets, ``{"gpt2": dict(n_layer=12, n_head=12), ...}[name]``: the
    statement's value, its subscript or a call's first argument, looked at without a walk."""
    for _ in range(3):
        if isinstance(node, ast.Call) and node.args:
            node = node.args[0]
        elif isinstance(node, ast.Subscript):
            node = node.value
    if (
        isinstance(node, ast.Dict)
        and len(node.values) >= 2
        and all(_is_preset(value) for value in node.values)
        and all(isinstance(key, ast.Constant) and isinstance(key.value, str) for key in node.keys)
    ):
        return node
    return None


# what a preset may be built with besides `dict(...)`: `ml_collections.ConfigDict({"total_steps": 10_000})`
_PRESET_BAGS = frozenset({"ConfigDict", "FrozenConfigDict", "EasyDict", "edict", "AttrDict", "CfgNode"})


def _is_preset(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
    if name in _PRESET_BAGS:
        return (
            len(node.args) == 1
            and not node.keywords
            and isinstance(node.args[0], ast.Dict)
            and all(isinstance(key, ast.Constant) and isinstance(key.value, str) for key in node.args[0].keys)
        )
    return (
        name == "dict"
        and isinstance(node.func, ast.Name)
        and not node.args
        and bool(node.keywords)
        and all(keyword.arg is not None for keyword in node.keywords)
    )


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
    return any(isinstance(n, ast.Name) and n.id in ("int", "float") for n in _alternatives(annotation))


def _alternatives(annotation: ast.AST) -> list[ast.AST]:
    """The members of a union (``a | b``, ``Optional[a]``, ``Union[a, b]``), not what a
    container holds: ``tuple[int, ...] | None`` admits no number."""
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        return [*_alternatives(annotation.left), *_alternatives(annotation.right)]
    if isinstance(annotation, ast.Subscript) and getattr(
        annotation.value, "id", getattr(annotation.value, "attr", "")
    ) in (
        "Optional",
        "Union",
    ):
        inner = annotation.slice
        return [
            alternative
            for part in (inner.elts if isinstance(inner, ast.Tuple) else [inner])
            for alternative in _alternatives(part)
        ]
    return [annotation]


def is_setting(node: ast.AST, key: str, allow_none: bool) -> bool:
    """Whether a value written for ``key`` is a setting: a number (or numbers), a boolean, a
    string naming a choice of the method, or ``None`` where the declaration says a number may go."""
    found = number(node)
    if found is not None:
        # `microbatch=-1` ("disables microbatches"), `num_heads_upsample=-1` ("same as num_heads"),
        # `max_steps=-1`: a count of -1 is a sentinel for "not set", never the count
        # (`n_vocab=0`, `vocab_size=0`: the vocabulary's size, filled in from the tokenizer)
        return not (found == -1 and _COUNT.search(key.lower()) is not None or found == 0 and _VOCAB.search(key.lower()))
    if isinstance(node, ast.Constant):
        value = node.value
        return (
            isinstance(value, bool)
            or isinstance(value, str)
            and (
                is_choice_name(key)
                and not _FILE.search(value)
                or _NUMBERS_TEXT.match(value) is not None
                or _PARAMETER_COUNT.match(value) is not None
            )
            or value is None
            and allow_none
            and not _VOCAB.search(key.lower())  # `C.vocab_size = None`: given by the data
        )
    return isinstance(node, (ast.Tuple, ast.List)) and bool(node.elts) and all(number(e) is not None for e in node.elts)
