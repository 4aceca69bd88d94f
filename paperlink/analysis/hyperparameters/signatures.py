"""Keyword defaults of the project's own functions and classes as configurable sites.

An algorithm's entry point or agent class often holds its hyperparameters in its signature
(``def sac(env_fn, gamma=0.99, polyak=0.995, lr=1e-3)``, ``PPO.__init__(..., clip_range=0.2)``,
``def train_model(model, epochs=5, learning_rate=1e-5, momentum=0.999)``). A parameter's
default is a site when

* its name is a hyperparameter the vocabulary knows (``lr``, ``gamma``, ``batch_size``), or
* it is *used* as one: a site of the file (an optimizer's ``lr=``, a clipping norm, an EMA
  decay, a loss coefficient) reads the parameter, directly or as ``self.x`` set from it in
  ``__init__``; or
* the signature holds hyperparameters: two or more parameters qualify as above, or it is
  the ``__init__`` of a ``torch.nn.Module`` (widths, depths, rates). Then every other default
  of that signature is listed too, unless the vocabulary rules its name out (``seed``,
  ``verbose``, ``device``, ``log_interval``) or its value is not a setting (a path, an
  object, ``None`` without a numeric annotation).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from paperlink.analysis.hyperparameters.declarations import text_of
from paperlink.analysis.hyperparameters.facts import Site, SiteKind, Source
from paperlink.analysis.hyperparameters.idioms import builds_preset
from paperlink.analysis.hyperparameters.settings import CONFIG_CLASS, Noted, annotated_numeric, is_setting, number
from paperlink.analysis.hyperparameters.vocabulary import api_for, config_name, is_known_setting
from paperlink.source.code import FUNCTIONS, CodeModule
from paperlink.spans import Span

__all__ = ["Parameters", "parameters", "signature_sites"]

API = "signature"
# An epsilon in a signature (`dice_coeff(..., epsilon=1e-6)`, `act(state, epsilon=0.001)`) is a
# choice of the method whatever function holds it.
_STABILITY = frozenset({"eps", "epsilon"})
_MODULE_BASES = frozenset({"torch.nn.Module", "torch.nn.modules.module.Module"})
_DECAYS = frozenset({"decay", "beta", "momentum", "rate", "alpha"})
_AVERAGE = re.compile(r"(?:^|[^a-z])ema|moving_?average|polyak|averag")
# (`def cosine_beta_schedule(timesteps, s=0.008)`: any function named as building a schedule)
_SCHEDULE_BUILDER = re.compile(
    r"(?:^|_)(?:lr|learning_rate)_(?:schedule|scheduler|lambda)|^(?:get|make|create)_\w*schedule|_schedule$"
)
_ENTRY = re.compile(r"^(?:train|training_loop|train_loop|learn|fit|run_training|train_model)$")
_CAPACITIES = frozenset({"max_size", "capacity", "size", "maxlen", "max_len", "buffer_size"})
_BUFFER = re.compile(r"buffer|replay|memory")
_DRAWS = re.compile(r"(?:sample|generate)(?:_images?)?$")  # not `sample_batch`: a replay buffer's training batch
_FLAX_MODULES = frozenset({"flax.linen.Module", "flax.linen.module.Module"})


@dataclass(frozen=True)
class _Parameter:
    site: Site  # a setting, listed when its signature holds hyperparameters
    known: bool  # named as a hyperparameter


@dataclass
class Parameters:
    """Every defaulted parameter of the file's functions, and how ``self.x`` reaches them."""

    by_function: dict[int, dict[str, _Parameter]] = field(default_factory=dict)  # id(function) -> name -> parameter
    functions: dict[int, ast.FunctionDef | ast.AsyncFunctionDef] = field(default_factory=dict)
    module_inits: set[int] = field(default_factory=set)  # ids of `nn.Module.__init__`s
    class_of: dict[int, ast.ClassDef] = field(default_factory=dict)  # id(method) -> its class
    self_attributes: dict[int, dict[str, tuple[int, str]]] = field(default_factory=dict)  # id(class) -> attr -> param
    module_settings: dict[str, Site] = field(default_factory=dict)  # a script's overridable block, by name
    # id(function) -> how many of its parameters the vocabulary names but which default to None
    # (`PPO.__init__(..., lr=None, eps=None, max_grad_norm=None, use_clipped_value_loss=True)`)
    unset_known: dict[int, int] = field(default_factory=dict)

    def default_site(self, function: ast.AST, name: str) -> Site | None:
        parameter = self.by_function.get(id(function), {}).get(name)
        return parameter.site if parameter is not None else None

    def attribute(self, method: ast.AST, attribute: str) -> Site | None:
        """The default ``self.<attribute>`` holds in ``method``: ``__init__`` set it from its parameter."""
        owner = self.class_of.get(id(method))
        found = self.self_attributes.get(id(owner), {}).get(attribute) if owner is not None else None
        if found is None:
            return None
        parameter = self.by_function.get(found[0], {}).get(found[1])
        return parameter.site if parameter is not None else None


def parameters(code: CodeModule, noted: Noted) -> Parameters:
    found = Parameters()
    constants = _module_constants(noted)
    for function, owner in noted.functions:
        found.functions[id(function)] = function
        if isinstance(owner, ast.ClassDef):
            found.class_of[id(function)] = owner
            if function.name == "__init__":
                found.self_attributes[id(owner)] = _stored_parameters(function)
                # `class BertConfig: def __init__(self, vocab_size, hidden_size=768, ...)`: a config's
                # constructor holds the run's settings as a module's holds its widths
                # `class AdamWeightDecayOptimizer(tf.train.Optimizer): def __init__(self, learning_rate,
                # weight_decay_rate=0.0, beta_1=0.9, ...)`: an optimizer's constructor holds its settings
                if (
                    any(_is_module(code, base) for base in owner.bases)
                    or CONFIG_CLASS.search(owner.name)
                    or _is_optimizer_class(code, owner)
                ):
                    found.module_inits.add(id(function))
        if (
            _builds_module(code, function)
            or _factory(function)
            or any(builds_preset(statement, function) for statement in function.body)
        ):
            # `def vit_small(patch_size=16, **kwargs): model = VisionTransformer(embed_dim=384, ...)`
            found.module_inits.add(id(function))
        scope = f"{owner.name}.{function.name}" if isinstance(owner, (ast.ClassDef, *FUNCTIONS)) else function.name
        mine = {}
        for argument, default in _defaulted(function):
            written = constants.get(default.id) if isinstance(default, ast.Name) else None
            parameter = _parameter(code, argument, written or default, function, scope)
            if parameter is not None:
                mine[argument.arg] = parameter
            elif isinstance(default, ast.Constant) and default.value is None and is_known_setting(argument.arg):
                found.unset_known[id(function)] = found.unset_known.get(id(function), 0) + 1
        if mine:
            found.by_function[id(function)] = mine
    for node in noted.classes:
        if any(code.qualified_name(base) in _FLAX_MODULES for base in node.bases):
            _flax_fields(code, node, found)
    return found


def _module_constants(noted: Noted) -> dict[str, ast.expr]:
    """Module-level names assigned once, from a number: ``eeta=EETA_DEFAULT`` with
    ``EETA_DEFAULT = 0.001`` is the default 0.001, written (and listed) at the constant."""
    assigned: dict[str, list[ast.expr]] = {}
    for statement in noted.module_literals:
        for target in statement.targets:
            if isinstance(target, ast.Name):
                assigned.setdefault(target.id, []).append(statement.value)
    return {name: values[0] for name, values in assigned.items() if len(values) == 1 and number(values[0]) is not None}


def _flax_fields(code: CodeModule, node: ast.ClassDef, found: Parameters) -> None:
    """A flax module is a dataclass: its annotated fields (``dropout_rate: float = 0.1``) are
    the constructor's parameters, read as ``self.dropout_rate``; they are listed like the
    settings of a torch module's ``__init__``."""
    mine = {}
    for statement in node.body:
        if (
            isinstance(statement, ast.AnnAssign)
            and isinstance(statement.target, ast.Name)
            and statement.value is not None
        ):
            argument = ast.arg(arg=statement.target.id, annotation=statement.annotation)
            argument.lineno = statement.lineno
            parameter = _parameter(code, argument, statement.value, statement, node.name)
            if parameter is not None:
                mine[argument.arg] = parameter
    if mine:
        found.by_function[id(node)] = mine
        found.module_inits.add(id(node))
        found.self_attributes[id(node)] = {name: (id(node), name) for name in mine}


def signature_sites(found: Parameters, used: Iterable[Span | None]) -> list[Site]:
    """The defaults that are sites: known or used ones (``used``: where the file's sites
    were followed to), and all settings of a signature holding hyperparameters."""
    read = set(used)
    sites: list[Site] = []
    for key, mine in found.by_function.items():
        qualified = [p for p in mine.values() if p.known or p.site.span in read]
        algorithm = len(qualified) + found.unset_known.get(key, 0) >= 2
        function = found.functions.get(key)
        # `def create_learning_rate_schedule(total_steps, base, warmup_steps, linear_end=1e-5)`
        schedule = function is not None and bool(_SCHEDULE_BUILDER.search(function.name.lower()))
        # `def training_loop(..., batch_size=4, ema_kimg=10, G_reg_interval=4, total_kimg=25000)`: the
        # training entry point's keyword defaults are the run's settings once one is a known one
        entry = function is not None and bool(_ENTRY.match(function.name)) and any(p.known for p in mine.values())
        holds = algorithm or key in found.module_inits or schedule or entry
        for p in mine.values():
            if p.site.value == "None":
                # `None` says nothing on its own; in a module's signature it mostly means "derived
                # from the others" (`dim_out=None`), in an algorithm's "switched off" (`target_kl=None`)
                listed = algorithm
            else:
                listed = holds or p.known or p.site.span in read
            if listed:
                sites.append(p.site)
    return sites


def _names_optimizer(code: CodeModule, default: ast.expr) -> bool:
    if not isinstance(default, (ast.Name, ast.Attribute)):
        return False
    api = api_for(code.qualified_name(default))
    return api is not None and api.kind == "optimizer"


def _builds_module(code: CodeModule, function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """``def MLP(dim, projection_size, hidden_size=4096): return nn.Sequential(...)``: a function
    that builds a torch module holds its widths and rates as a module's ``__init__`` does."""
    return any(
        isinstance(statement, ast.Return)
        and isinstance(statement.value, ast.Call)
        and _last_name(statement.value.func)[:1].isupper()
        and (code.call_name(statement.value) or "").startswith("torch.nn.")
        for statement in function.body
    )


_FACTORY = re.compile(r"^(?:create|build|make)_")


def _factory(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """``def create_diffusion(timestep_respacing, noise_schedule="linear", learn_sigma=True,
    diffusion_steps=1000): ... return SpacedDiffusion(...)``: a factory of the method's object,
    named as one and returning an instance of a class, holds that object's settings."""
    return bool(_FACTORY.match(function.name)) and any(
        isinstance(statement, ast.Return)
        and isinstance(statement.value, ast.Call)
        and _last_name(statement.value.func)[:1].isupper()
        for statement in function.body
    )


def _last_name(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _is_optimizer_class(code: CodeModule, node: ast.ClassDef) -> bool:
    """A project's optimizer: a class derived from an optimizer base (``torch.optim.Optimizer``,
    ``tf.train.Optimizer``, ``optimizer_v2.OptimizerV2``), named or not as one."""
    return any(
        (code.qualified_name(base) or _last_name(base)).endswith(("Optimizer", "OptimizerV2")) for base in node.bases
    )


def _is_module(code: CodeModule, base: ast.expr) -> bool:
    if code.qualified_name(base) in _MODULE_BASES:
        return True
    return isinstance(base, ast.Attribute) and base.attr == "Module" and getattr(base.value, "id", "") == "nn"


def _stored_parameters(init: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, tuple[int, str]]:
    """``self.m = m`` in ``__init__``'s own statements: attribute -> (id(__init__), parameter)."""
    names = {a.arg for a in (*init.args.posonlyargs, *init.args.args, *init.args.kwonlyargs)}
    stored: dict[str, tuple[int, str]] = {}
    for statement in init.body:
        if (
            isinstance(statement, ast.Assign)
            and len(statement.targets) == 1
            and isinstance(target := statement.targets[0], ast.Attribute)
            and isinstance(target.value, ast.Name)
            and target.value.id == "self"
            and isinstance(statement.value, ast.Name)
            and statement.value.id in names
        ):
            stored[target.attr] = (id(init), statement.value.id)
    return stored


_SAMPLING_PARAMETERS = frozenset({"temperature", "top_k", "top_p"})


def _draws_samples(function: ast.AST) -> bool:
    """A function taking a sampling temperature or top-k/top-p draws samples (GPT-2's ``sample_model``)."""
    arguments = getattr(function, "args", None)
    if not isinstance(arguments, ast.arguments):
        return False
    return any(a.arg in _SAMPLING_PARAMETERS for a in (*arguments.args, *arguments.kwonlyargs))


def _defaulted(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[tuple[ast.arg, ast.expr]]:
    arguments = function.args
    positional = [*arguments.posonlyargs, *arguments.args]
    pairs = list(zip(positional[len(positional) - len(arguments.defaults) :], arguments.defaults))
    pairs += [(a, d) for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults) if d is not None]
    return pairs


def _parameter(
    code: CodeModule, argument: ast.arg, default: ast.expr, function: ast.AST, scope: str
) -> _Parameter | None:
    if argument.arg.startswith("_"):
        return None
    constant = default.value if isinstance(default, ast.Constant) else ...
    numeric = number(default) if not isinstance(constant, (str, bool)) and constant is not None else None
    if numeric is None and not (
        isinstance(constant, bool)
        # `target_kl: float | None = None`, `ent_coef: str | float = "auto"`, `arch="resnet50"`
        or (constant is None or isinstance(constant, str))
        and annotated_numeric(argument.annotation)
        or isinstance(constant, str)
        and is_setting(default, argument.arg, allow_none=False)  # `arch="resnet50"`, `model_name="124M"`
        or _names_optimizer(code, default)  # `optimizer_class=Adam`: the optimizer is a choice of the method
        # `hidden_dims: Sequence[int] = (256, 256)`, `betas=(0.9, 0.999)`: numbers, one per layer or moment
        or isinstance(default, (ast.Tuple, ast.List))
        and bool(default.elts)
        and all(number(e) is not None for e in default.elts)
    ):
        return None  # an expression, an object, a path: what the signature passes on, not a setting
    name = config_name(argument.arg)
    if (
        name is None
        or argument.arg == "batch_size"
        and (_DRAWS.match(scope.rsplit(".", 1)[-1]) or _draws_samples(function))
    ):
        # `def sample(self, batch_size=16)`, `def sample_model(..., batch_size=1, temperature=1)`:
        # how many samples to draw at once, not a training batch
        return None
    anchors = tuple(sorted({getattr(function, "lineno", argument.lineno), argument.lineno}))
    site = Site(
        name,
        text_of(code, default),
        numeric,
        code.span(default),
        Source.CONFIG,
        True,
        SiteKind.CONFIG,
        api=API,
        label=argument.arg,
        anchors=anchors,
        scope=scope if numeric is None else "",
    )
    # `class ema: def __init__(self, source, target, decay=0.9999)`: an average's decay
    averaging = argument.arg.lower() in _DECAYS and bool(_AVERAGE.search(scope.lower()))
    if averaging:
        site = replace(site, name="ema_decay")
    # `class ReplayBuffer: def __init__(self, state_dim, action_dim, max_size=int(1e6))`: its capacity
    buffer = argument.arg.lower() in _CAPACITIES and bool(_BUFFER.search(scope.lower()))
    if buffer:
        site = replace(site, name="buffer_size")
    known = is_known_setting(argument.arg) or argument.arg.lower() in _STABILITY or averaging or buffer
    return _Parameter(site, known=known)
