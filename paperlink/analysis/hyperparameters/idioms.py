"""Hyperparameters written as numeric idioms rather than passed to a known API.

* initialisation scales written as tensor methods: ``w.data.normal_(mean=0.0, std=0.01)``,
  ``bias.data.fill_(0.1)`` (a zero or unit start, ``bias.zero_()``, ``fill_(1.0)``, is the
  standard one and no site, as ``nn.init.zeros_``/``ones_`` are none);
* schedules: every ``torch.optim.lr_scheduler`` class, also those without a number to state
  (``LambdaLR``, ``SequentialLR``), and schedules written by hand: the half cosine
  ``0.5 * (1 + cos(pi * t / T))``, a linear warmup ``lr * step / warmup``, the linear-scaling
  rule ``lr * batch_size / 256``, a step decay ``lr *= 0.1``, a linear anneal
  ``1 - (t - 1) / T``;
* loss averaging (``(d_real + d_fake) / 2``) and a single loss scaled by a literal
  (``v_loss = 0.5 * mse``), which :mod:`.scan`'s loss terms leave out;
* sampling: ``temperature`` / ``top_k`` / ``top_p`` passed or defaulted, an epsilon-greedy
  ``epsilon`` default of an acting function.

Each is recognised by its structure (qualified names, the shape of the arithmetic, the
canonical name of what it multiplies), never by a number alone: ``view(-1, 784)``,
``range(10)`` and the ``1`` of ``1 - m`` stay out.
"""

from __future__ import annotations

import ast
import functools
import re

from paperlink.analysis.hyperparameters.declarations import Resolver, Value, text_of, value_site
from paperlink.analysis.hyperparameters.facts import Site, SiteKind, Source
from paperlink.analysis.hyperparameters.settings import is_choice_name, is_setting
from paperlink.analysis.hyperparameters.vocabulary import api_for, config_name, is_known_setting, optimizer_names
from paperlink.numbers import python_number
from paperlink.source.code import FUNCTIONS, CodeModule

__all__ = [
    "IDIOM_CALLS",
    "overrides_setting",
    "zero_kernel_sites",
    "zero_init_sites",
    "call_sites",
    "keep",
    "named_weight_sites",
    "statement_sites",
    "scaled_loss_sites",
    "signature_sites",
    "wants",
]

_SCHEDULERS = "torch.optim.lr_scheduler."
_INIT_METHODS = frozenset({"normal_", "uniform_", "fill_"})
_INIT_METHOD_NAMES = {
    "mean": "init.mean",
    "std": "init.std",
    "from": "init.low",
    "to": "init.high",
    "value": "init.value",
}
_INIT_ORDER = {"normal_": ("mean", "std"), "uniform_": ("from", "to"), "fill_": ("value",)}
_TIMES = re.compile(r"\d\s*\*\s*[A-Za-z_]")  # `4 * config.n_embd`
_GROUP_KEYS = {"lr": "learning_rate", "weight_decay": "weight_decay", "momentum": "momentum", "eps": "adam.eps"}
_SAMPLING = {"temperature": "temperature", "top_k": "top_k", "top_p": "top_p"}
_DRAWING = ("multinomial", "softmax", "sample", "categorical", "Categorical", "topk", "argmax")
_ACTING = ("act", "greedy", "explor", "select_action", "sample_action")

# Calls :mod:`.scan` collects for this module besides the vocabulary's APIs.
IDIOM_CALLS = frozenset(
    {*_INIT_METHODS, "LambdaLR", "SequentialLR", "ChainedScheduler", "MultiplicativeLR", "generate", "zeros_"}
)


def _last(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
        return node.slice.value  # `group["lr"]`
    return node.id if isinstance(node, ast.Name) else ""


def _canonical(node: ast.AST) -> str | None:
    return config_name(_last(node)) if _last(node) else None


def _site(
    code: CodeModule, name: str, value: Value, node: ast.AST, statement: ast.stmt, kind: SiteKind, label: str = ""
) -> Site:
    return value_site(code, name, value, node, statement, kind, label=label)


def _written(code: CodeModule, node: ast.AST) -> Value:
    """A formula as written: symbolic, in the code, not configurable as a whole."""
    text = text_of(code, node)
    return Value(" ".join(text.split()), None, Source.LITERAL, False)


def _numeric(number: float, text: str) -> Value:
    return Value(text, number, Source.LITERAL, False)


# --- calls -----------------------------------------------------------------------------------


def call_sites(
    code: CodeModule, resolver: Resolver, call: ast.Call, qualified: str | None, scope: ast.AST, statement: ast.stmt
) -> list[Site]:
    """Sites of a call no vocabulary API describes: a scheduler class, an init method, sampling."""
    if qualified is not None and qualified.startswith(_SCHEDULERS):
        shaped = _lambda_definitions(code, resolver, call, scope)
        if shaped:
            return [_site(code, "lr_schedule", _written(code, node), node, node, SiteKind.SCHEDULER) for node in shaped]  # type: ignore[arg-type]
        return [_site(code, "lr_schedule", _written(code, call.func), call.func, statement, SiteKind.SCHEDULER)]
    if qualified is None and isinstance(call.func, ast.Attribute) and call.func.attr in _INIT_METHODS:
        return _init_method_sites(code, resolver, call, scope, statement)
    if api_for(qualified) is None and is_project_optimizer(_last(call.func)):
        return _project_optimizer_sites(code, resolver, call, scope, statement) + _left_defaults(code, call, statement)
    if api_for(qualified) is None and is_project_schedule(_last(call.func)):
        return _project_schedule_sites(code, resolver, call, scope, statement)
    if isinstance(call.func, ast.Attribute) and call.func.attr == "get":
        return _fallback_sites(code, resolver, call, scope, statement)
    if scope is code.tree and configures_by_keyword(statement) or builds_preset(statement, scope):
        return _script_keyword_sites(code, resolver, call, qualified, scope, statement)
    return (
        _sampling_sites(code, resolver, call, scope, statement)
        + _wrapped_augmentation_sites(code, resolver, call, scope, statement)
        + _named_argument_sites(code, resolver, call, scope, statement)
    )


def _fallback_sites(
    code: CodeModule, resolver: Resolver, call: ast.Call, scope: ast.AST, statement: ast.stmt
) -> list[Site]:
    """``config.get("loss", "sigmoid_xent")``, ``cfg.get("warmup_steps", 500)``: the value a run
    has when its configuration leaves the key out, a setting written at the read."""
    if len(call.args) != 2 or call.keywords or not isinstance(call.func, ast.Attribute):
        return []
    key, default = call.args
    if not (isinstance(key, ast.Constant) and isinstance(key.value, str)) or not resolver.is_config(
        call.func.value, scope
    ):
        return []
    name = config_name(key.value)
    if name is None or not (is_known_setting(key.value) or is_choice_name(key.value)):
        return []  # `options.get("se", 0.)`: a block's option, not a setting the vocabulary knows
    if not is_setting(default, key.value, allow_none=False):
        return []
    number = python_number(default)
    value = Value(text_of(code, default), number, Source.CONFIG, True)
    return [_site(code, name, value, default, statement, SiteKind.CONFIG, label=key.value)]


def _lambda_definitions(code: CodeModule, resolver: Resolver, call: ast.Call, scope: ast.AST) -> list[ast.expr]:
    """``LambdaLR(optimizer, lr_lambda=lf)`` with ``lf = one_cycle(1, lrf, epochs)`` or ``def lf(x):
    return (1 - x / epochs) * (1.0 - lrf) + lrf`` in the same scope: the schedule's shape is
    written there, and listed there (as a read setting is listed where it is written)."""
    function = next(
        (k.value for k in call.keywords if k.arg == "lr_lambda"), call.args[1] if len(call.args) > 1 else None
    )
    if not isinstance(function, ast.Name):
        return []
    found: list[ast.expr] = [
        statement.value
        for statement in resolver.scopes.assignments.get(scope, {}).get(function.id, [])
        if statement.value is not None
    ]
    body = scope.body if isinstance(scope, (*FUNCTIONS, ast.Module)) else []
    for statement in _nested_statements(body):
        if isinstance(statement, FUNCTIONS) and statement.name == function.id:
            found += [s.value for s in statement.body if isinstance(s, ast.Return) and s.value is not None]
    return found


def _nested_statements(body: list[ast.stmt]) -> list[ast.stmt]:
    """The statements of a body and of its ``if``/``else`` branches (not of nested functions)."""
    found = []
    for statement in body:
        found.append(statement)
        if isinstance(statement, ast.If):
            found += _nested_statements([*statement.body, *statement.orelse])
    return found


# libraries whose classes a script may build with numbers that are not the method's settings
_LIBRARIES = frozenset(
    "torch numpy jax flax tensorflow keras gym gymnasium sklearn transformers timm torchvision optax pandas PIL"
    " matplotlib argparse logging collections".split()
)


def configures_by_keyword(statement: ast.stmt) -> bool:
    """``model = SelfSupervisedLearner(resnet, projection_size=256, moving_average_decay=0.99)``
    at a script's top level (``if __name__ == "__main__":`` included): a class of the project
    built with numbers by keyword. Cheap: the statement's own value, no walk."""
    value = getattr(statement, "value", None)
    return (
        isinstance(statement, (ast.Assign, ast.Expr))
        and isinstance(value, ast.Call)
        and _last(value.func)[:1].isupper()
        and any(k.arg is not None and _is_number(k.value) for k in value.keywords)
    )


def builds_preset(statement: ast.stmt, scope: ast.AST) -> bool:
    """``def vit_small(**kwargs): model = VisionTransformer(embed_dim=384, depth=12, num_heads=6,
    **kwargs); return model``: a function returning the project's model built with two or more
    numbers by keyword is a named preset of it, whose numbers are settings as a script's are."""
    if not isinstance(scope, FUNCTIONS) or not isinstance(statement, (ast.Assign, ast.Return)):
        return False
    value = statement.value
    if not (
        isinstance(value, ast.Call)
        and _last(value.func)[:1].isupper()
        and sum(k.arg is not None and _is_number(k.value) for k in value.keywords) >= 2
    ):
        return False
    if isinstance(statement, ast.Return):
        return True
    last = scope.body[-1]
    return (
        len(statement.targets) == 1
        and isinstance(statement.targets[0], ast.Name)
        and isinstance(last, ast.Return)
        and isinstance(last.value, ast.Name)
        and last.value.id == statement.targets[0].id
    )


def _is_number(node: ast.expr) -> bool:
    return python_number(node) is not None and not (isinstance(node, ast.Constant) and isinstance(node.value, bool))


def _script_keyword_sites(
    code: CodeModule, resolver: Resolver, call: ast.Call, qualified: str | None, scope: ast.AST, statement: ast.stmt
) -> list[Site]:
    """The numbers a script passes by keyword when it builds the project's model or learner:
    the settings of its run, listed (configurable by editing the script, so never PL401)."""
    if qualified is not None and qualified.split(".", 1)[0] in _LIBRARIES:
        return []
    sites = []
    for keyword in call.keywords:
        name = config_name(keyword.arg) if keyword.arg is not None else None
        if name is None or not _is_number(keyword.value) or not is_setting(keyword.value, keyword.arg or "", False):
            continue  # (`HParams(n_vocab=0, ...)`: a placeholder the data fills)
        value = resolver.value(keyword.value, scope)
        sites.append(_site(code, name, value, keyword.value, statement, SiteKind.CONFIG, label=keyword.arg or ""))
    return sites


def _named_argument_sites(
    code: CodeModule, resolver: Resolver, call: ast.Call, scope: ast.AST, statement: ast.stmt
) -> list[Site]:
    """``build_train(..., grad_norm_clipping=10)``, ``Trainer(max_epochs=100)``: a number passed
    by a keyword the vocabulary knows as a hyperparameter, to a call it has no table for."""
    sites = []
    for keyword in call.keywords:
        if keyword.arg is None or keyword.arg in _SAMPLING or not is_known_setting(keyword.arg):
            continue
        name = config_name(keyword.arg)
        if name is None or python_number(keyword.value) is None or not is_setting(keyword.value, keyword.arg, False):
            continue  # (`HParams(n_vocab=0)`: a placeholder the data fills)
        value = resolver.value(keyword.value, scope)
        sites.append(_site(code, name, value, keyword.value, statement, SiteKind.CONFIG, label=keyword.arg))
    return sites


# `utils.Adam16(params, lr=..., eps=...)`, `MpiAdamOptimizer(comm, learning_rate=..., epsilon=1e-5)`:
# a project's optimizer, defined in another file, named as one
_PROJECT_OPTIMIZER = re.compile(
    r"(?:Adam|AdamW|SGD|RMSprop|RMSProp|LARS|Lars|LAMB|Lamb|Lion|Adagrad)\w*$|\w+Optimizer$"
)
_OPTIMIZER_KEYWORDS = frozenset({"lr", "learning_rate", "betas", "eps", "epsilon", "weight_decay", "momentum"})


@functools.lru_cache(maxsize=4096)  # asked for every called name of a hot line
def is_project_optimizer(name: str) -> bool:
    return bool(_PROJECT_OPTIMIZER.match(name)) and name != "Optimizer"


_PROJECT_SCHEDULE = re.compile(r"\w*Schedule(?:r)?$")


@functools.lru_cache(maxsize=4096)
def is_project_schedule(name: str) -> bool:
    """``LinearSchedule(schedule_timesteps, initial_p=1.0, final_p=0.02)``: a project's schedule
    class (torch's and optax's are in the tables)."""
    return bool(_PROJECT_SCHEDULE.match(name)) and name[:1].isupper() or bool(_SCHEDULE_FUNCTION.match(name))


# `utils.cosine_scheduler(base_lr, final_lr, epochs, niter_per_ep, warmup_epochs=10)`: a function
# of the project building a schedule (an array or a callable) from its settings
_SCHEDULE_FUNCTION = re.compile(r"[a-z]\w*_schedule(?:r)?$")


def _project_schedule_sites(
    code: CodeModule, resolver: Resolver, call: ast.Call, scope: ast.AST, statement: ast.stmt
) -> list[Site]:
    """A schedule built from the project's class is a site (as ``LambdaLR`` is), named after
    what it is assigned to (``exploration``), and so is each number it is given. One built
    from settings only (``FloatSchedule(self.clip_range)``) reads them: their sites are where
    they are set."""
    arguments = [*call.args, *(k.value for k in call.keywords)]
    if all(isinstance(argument, (ast.Name, ast.Attribute)) for argument in arguments):
        return []
    if _last(call.func)[:1].islower() and (len(arguments) < 2 or _in_loop(code, statement)):
        # `lr = lr_schedule(step)`, `epsilon = linear_schedule(start_e, end_e, duration, global_step)`
        # in the training loop: a schedule evaluated, not built
        return []
    target = statement.targets[0] if isinstance(statement, ast.Assign) and len(statement.targets) == 1 else None
    owner = _last(target) if target is not None else ""
    prefix = owner if owner else "schedule"
    name = prefix if "schedule" in prefix.lower() else f"{prefix}.schedule"
    sites = [_site(code, name, _written(code, call.func), call.func, statement, SiteKind.SCHEDULER)]
    for keyword in call.keywords:
        if keyword.arg is not None and python_number(keyword.value) is not None:
            value = resolver.value(keyword.value, scope)
            sites.append(
                _site(code, f"{prefix}.{keyword.arg}", value, keyword.value, statement, SiteKind.SCHEDULER, keyword.arg)
            )
    return sites


def _in_loop(code: CodeModule, statement: ast.stmt) -> bool:
    node: ast.AST | None = code.parents.get(statement)
    while node is not None and not isinstance(node, (*FUNCTIONS, ast.ClassDef, ast.Module)):
        if isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
            return True
        node = code.parents.get(node)
    return False


def _project_optimizer_sites(
    code: CodeModule, resolver: Resolver, call: ast.Call, scope: ast.AST, statement: ast.stmt
) -> list[Site]:
    """The settings passed by keyword to a project's optimizer class, named as the family its
    name says (``Adam16`` and ``MpiAdamOptimizer`` are Adams); only a call that passes a
    learning rate is taken for an optimizer's construction."""
    keywords = {k.arg: k.value for k in call.keywords if k.arg in _OPTIMIZER_KEYWORDS}
    if not keywords.keys() & {"lr", "learning_rate"}:
        return []
    name = _last(call.func)
    family = next((f for f in ("Adam", "SGD", "RMSprop") if f.lower() in name.lower()), name)
    sites = []
    for parameter, node in keywords.items():
        names = optimizer_names(family, "eps" if parameter == "epsilon" else parameter)
        parts = node.elts if len(names) > 1 and isinstance(node, ast.Tuple) and len(node.elts) == len(names) else None
        if len(names) > 1 and parts is None:
            continue
        for canonical, part in zip(names, parts or [node]):
            value = resolver.value(part, scope)
            sites.append(_site(code, canonical, value, part, statement, SiteKind.OPTIMIZER, label=parameter))
    # the project optimizer's own options written as literals (`LARS(..., weight_decay_filter=True,
    # lars_adaptation_filter=True)`, `eta=0.001`): choices of the method as its betas are
    for keyword in call.keywords:
        if keyword.arg is None or keyword.arg in _OPTIMIZER_KEYWORDS or config_name(keyword.arg) is None:
            continue
        constant = keyword.value.value if isinstance(keyword.value, ast.Constant) else None
        if isinstance(constant, bool) or python_number(keyword.value) is not None:
            value = (
                _written(code, keyword.value) if isinstance(constant, bool) else resolver.value(keyword.value, scope)
            )
            canonical = f"{family.lower()}.{keyword.arg}"
            sites.append(_site(code, canonical, value, keyword.value, statement, SiteKind.OPTIMIZER, keyword.arg))
    return sites


def _left_defaults(code: CodeModule, call: ast.Call, statement: ast.stmt) -> list[Site]:
    """``KFACOptimizer(actor_critic)``, ``utils.LARS(params_groups)``, ``LARS(params, lr, weight_decay=wd)``:
    a project's optimizer built with some of its settings left at the defaults of its own
    signature, which the call does not show (one site for them, as a library optimizer's
    implicit defaults are listed). Not a wrapper of another optimizer (``CrossShardOptimizer(optimizer)``),
    nor a class of this file whose every default the call passes."""
    constructed = (
        isinstance(statement, (ast.Assign, ast.Return))
        and statement.value is call
        or any(isinstance(node, ast.keyword) and node.value is call for node in ast.walk(statement))
    )
    if not constructed or any(
        "opt" in _last(argument).lower() for argument in [*call.args, *(k.value for k in call.keywords)]
    ):
        return []
    init = _own_constructor(code, _last(call.func))
    passed = {k.arg for k in call.keywords}
    if init is not None:
        positional = [a.arg for a in (*init.args.posonlyargs, *init.args.args)][1:]
        passed |= set(positional[: len(call.args)])
        pairs = zip(positional[len(positional) - len(init.args.defaults) :], init.args.defaults)
        if {name for name, default in pairs if python_number(default) is not None} <= passed:
            return []  # (`name="AdamWeightDecayOptimizer"` is no setting)
    family = next((f for f in _FAMILY_SETTINGS if f.lower() in _last(call.func).lower()), None)
    if family is not None and all(passed & set(alternatives) for alternatives in _FAMILY_SETTINGS[family]):
        return []  # `utils.Adam16(params, lr=lr, betas=(b1, b2), weight_decay=0, eps=eps)`: nothing left out
    value = Value("implicit", None, Source.DEFAULT, False)
    return [_site(code, "optimizer_defaults", value, call.func, statement, SiteKind.OPTIMIZER)]


# the settings of an optimizer family a project's copy is named after (`Adam16`, `MpiAdamOptimizer`)
_FAMILY_SETTINGS = {
    "Adam": (("lr", "learning_rate"), ("betas", "beta1", "beta_1"), ("eps", "epsilon"), ("weight_decay",)),
    "SGD": (("lr", "learning_rate"), ("momentum",), ("weight_decay",)),
}


def _own_constructor(code: CodeModule, name: str) -> ast.FunctionDef | None:
    """The ``__init__`` of a class the module defines under ``name`` (at its top level)."""
    for node in code.tree.body:
        if isinstance(node, ast.ClassDef) and node.name == name:
            return next((f for f in node.body if isinstance(f, ast.FunctionDef) and f.name == "__init__"), None)
    return None


def _wrapped_augmentation_sites(
    code: CodeModule, resolver: Resolver, call: ast.Call, scope: ast.AST, statement: ast.stmt
) -> list[Site]:
    """``RandomApply(T.ColorJitter(0.8, 0.8, 0.8, 0.2), p=0.3)`` with the project's own
    ``RandomApply``: the probability a wrapper applies a known augmentation with."""
    probability = next((k.value for k in call.keywords if k.arg == "p"), None)
    if probability is None or python_number(probability) is None or not call.args:
        return []
    wrapped = call.args[0].elts if isinstance(call.args[0], (ast.List, ast.Tuple)) else [call.args[0]]
    augmentations = [
        api
        for inner in wrapped
        if isinstance(inner, ast.Call) and (api := api_for(code.call_name(inner))) is not None
        if api.kind == "augmentation"
    ]
    if not augmentations:
        return []
    value = resolver.value(probability, scope)
    return [_site(code, "aug.apply_p", value, probability, statement, SiteKind.AUGMENTATION, label="p")]


def _initialised(receiver: ast.AST) -> bool:
    """``m.weight``, ``self.bias_sigma.data``: a parameter by its name (``data`` skipped)."""
    while isinstance(receiver, ast.Attribute) and receiver.attr == "data":
        receiver = receiver.value
    name = _last(receiver).lower()
    return "weight" in name or "bias" in name


def _init_method_sites(
    code: CodeModule, resolver: Resolver, call: ast.Call, scope: ast.AST, statement: ast.stmt
) -> list[Site]:
    assert isinstance(call.func, ast.Attribute)  # checked by the caller
    method = call.func.attr
    if not _initialised(call.func.value):
        return []
    bound = dict(zip(_INIT_ORDER[method], call.args))
    bound.update({k.arg: k.value for k in call.keywords if k.arg in _INIT_METHOD_NAMES})
    sites = []
    for parameter, node in bound.items():
        name = _INIT_METHOD_NAMES[parameter]
        value = resolver.value(node, scope)
        if name in ("init.mean", "init.value") and value.numeric in (0.0, 1.0):
            continue  # a zero-mean draw, a zero bias, a unit gain: the standard start, not a choice
        named = node.operand if isinstance(node, ast.UnaryOp) else node
        written = _assigned(resolver, named, scope) if isinstance(named, ast.Name) else None
        # `mu_range = 1 / math.sqrt(fan_in)` then `uniform_(-mu_range, mu_range)`: the scale is written above
        sites.append(_site(code, name, value, written or node, statement, SiteKind.INIT, label=parameter))
    return sites


def _sampling_sites(
    code: CodeModule, resolver: Resolver, call: ast.Call, scope: ast.AST, statement: ast.stmt
) -> list[Site]:
    """``model.generate(x, 500, temperature=0.8, top_k=10)``: the sampling settings passed."""
    sites = []
    for keyword in call.keywords:
        name = _SAMPLING.get(keyword.arg or "")
        if name is not None and python_number(keyword.value) is not None:
            value = resolver.value(keyword.value, scope)
            sites.append(_site(code, name, value, keyword.value, statement, SiteKind.SAMPLING, label=keyword.arg or ""))
    return sites


def signature_sites(
    code: CodeModule, resolver: Resolver, function: ast.FunctionDef | ast.AsyncFunctionDef, scope: ast.AST
) -> list[Site]:
    """Sampling defaults of a signature: ``def generate(..., temperature=1.0)``, ``def act(..., epsilon=0.001)``."""
    arguments = function.args
    positional = [*arguments.posonlyargs, *arguments.args]
    pairs = [*zip(positional[len(positional) - len(arguments.defaults) :], arguments.defaults)]
    pairs += [(a, d) for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults) if d is not None]
    acting = any(word in function.name.lower() for word in _ACTING)
    body = "\n".join(code.lines[function.lineno - 1 : function.end_lineno or function.lineno])
    # a temperature that divides logits before a draw; `posemb_sincos(..., temperature=10000)` is a frequency base
    drawing = any(word in body for word in _DRAWING)
    sites = []
    for argument, default in pairs:
        name = (_SAMPLING.get(argument.arg) if drawing else None) or (
            "epsilon_greedy" if acting and argument.arg in ("epsilon", "eps") else None
        )
        number = python_number(default)
        if name is None or number is None:
            continue
        value = Value(ast.unparse(default), number, Source.CONFIG, True)
        sites.append(_site(code, name, value, default, function, SiteKind.SAMPLING, label=argument.arg))
    return (
        sites
        + _init_helper_sites(code, function, dict(pairs))
        + _optimizer_class_sites(code, function, scope, pairs)
        + (_hidden_width_sites(code, function, body) if _RL_NETWORK.search(getattr(scope, "name", "")) else [])
    )


# the networks of a reinforcement-learning agent, whose hidden widths RL papers tabulate
# (TD3's 256-256, DDPG's 400-300); a GAN's or a classifier's layers are its architecture
_RL_NETWORK = re.compile(r"actor|critic|q_?net|qfunction|policy|value|agent|dqn", re.IGNORECASE)


# the layers of a multilayer perceptron (a convolution's channels are the architecture's shape,
# which labellers of GAN code do not count as settings)
_WIDTH_LAYERS = {"Linear": 1}  # the output width's position


def _hidden_width_sites(code: CodeModule, function: ast.AST, body: str) -> list[Site]:
    """In an agent's network, ``nn.Linear(state_dim, 256)`` then ``nn.Linear(256, 256)``: a
    literal width one layer gives and the next takes is a hidden width of the network (the
    output of the last is fixed by the task; a width written once is a shape). flax's
    ``nn.Dense(256)``: every literal width but the last dense layer's. Listed, never PL401."""
    if "Linear(" not in body and "Dense(" not in body:
        return []
    layers = sorted(
        (
            node
            for node in ast.walk(function)
            if isinstance(node, ast.Call) and _last(node.func) in (*_WIDTH_LAYERS, "Dense")
        ),
        key=lambda node: (node.lineno, node.col_offset),
    )
    torch_layers = [c for c in layers if (code.call_name(c) or "").startswith("torch.nn.")]
    # `nn.Linear(400 + action_dim, 300)`: the critic takes the hidden width and the action
    taken = [_taken(c) for c in torch_layers]
    widths: list[tuple[ast.expr, ast.Call]] = []
    for call in torch_layers:
        given = _width(call, _WIDTH_LAYERS.get(_last(call.func), 1))
        if given is not None and any(t is not None and t is not given and _same(t, given) for t in taken):
            widths.append((given, call))
    dense = [c for c in layers if (code.call_name(c) or "").startswith("flax.")]
    widths += [(w, c) for w, c in ((_width(c, 0), c) for c in dense[:-1]) if w is not None]
    sites = []
    for width, call in widths:
        number = python_number(width)
        if number is not None and number >= 2:
            value = _numeric(number, text_of(code, width))
            # annotations bind to the layer's line, not the function's
            sites.append(_site(code, "hidden_size", value, width, call, SiteKind.CONFIG))  # type: ignore[arg-type]
    return sites


def _width(call: ast.Call, position: int) -> ast.expr | None:
    keywords = ("in_features",) if position == 0 else ("out_features", "features")
    node = (
        call.args[position]
        if len(call.args) > position
        else next((k.value for k in call.keywords if k.arg in keywords), None)
    )
    return node if node is not None and _is_number(node) else None


def _taken(call: ast.Call) -> ast.expr | None:
    node = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "in_features"), None)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        node = next((side for side in (node.left, node.right) if _is_number(side)), None)
    return node if node is not None and _is_number(node) else None


def _same(a: ast.expr, b: ast.expr) -> bool:
    return python_number(a) == python_number(b)


_OPTIMIZER_BASES = frozenset({"torch.optim.Optimizer", "torch.optim.optimizer.Optimizer"})


def _optimizer_class_sites(
    code: CodeModule,
    function: ast.FunctionDef | ast.AsyncFunctionDef,
    scope: ast.AST,
    pairs: list[tuple[ast.arg, ast.expr]],
) -> list[Site]:
    """``class LARS(Optimizer): def __init__(self, params, lr=0.1, momentum=0.9, eta=0.001)``: a project's
    optimizer states its defaults in its signature, as torch's do; each numeric one is a site."""
    if function.name != "__init__" or not isinstance(scope, ast.ClassDef):
        return []
    if not any(code.qualified_name(base) in _OPTIMIZER_BASES for base in scope.bases):
        return []
    sites = []
    for argument, default in pairs:
        names = optimizer_names(scope.name, argument.arg)
        if isinstance(default, ast.Tuple) and len(names) == len(default.elts):
            parts = list(zip(names, default.elts))
        elif len(names) == 1:
            parts = [(names[0], default)]
        else:
            continue
        for name, node in parts:
            number = python_number(node)
            if number is None or isinstance(node, ast.Constant) and isinstance(node.value, bool):
                continue  # None (computed later), a flag (`nesterov=False`): no number to state
            value = Value(text_of(code, node), number, Source.CONFIG, True)
            sites.append(_site(code, name, value, node, function, SiteKind.OPTIMIZER, argument.arg))
    return sites


_INIT_TEXT = re.compile(r"\b(?:normal_|trunc_normal_|uniform_|orthogonal_|xavier_\w+_|kaiming_\w+_|constant_)\(")


def _init_helper_sites(
    code: CodeModule, function: ast.FunctionDef | ast.AsyncFunctionDef, defaults: dict[ast.arg, ast.expr]
) -> list[Site]:
    """``def layer_init(layer, std=np.sqrt(2), bias_const=0.0)`` whose body passes ``std`` to
    ``torch.nn.init.orthogonal_``: the default is an initialisation scale, reported at the default."""
    if not defaults:
        return []
    text = "\n".join(code.lines[function.lineno - 1 : function.end_lineno or function.lineno])
    if not _INIT_TEXT.search(text):
        return []
    by_name = {argument.arg: (argument, default) for argument, default in defaults.items()}
    sites = []
    reaching: dict[str, str] = {}  # the helper's parameter -> the scale it sets (`std` -> init.gain)
    for call in ast.walk(function):
        api = api_for(code.call_name(call)) if isinstance(call, ast.Call) else None
        if api is None or api.kind != "init" or not isinstance(call, ast.Call):
            continue
        bound = {**dict(zip(api.parameters, call.args)), **{k.arg: k.value for k in call.keywords if k.arg}}
        for parameter, node in bound.items():
            if not isinstance(node, ast.Name) or node.id not in by_name or parameter not in api.hyperparameters:
                continue
            argument, default = by_name[node.id]
            number = python_number(default)
            value = Value(text_of(code, default), number, Source.CONFIG, True)
            site = _site(code, api.hyperparameters[parameter][0], value, default, function, SiteKind.INIT, argument.arg)
            reaching[argument.arg] = site.name
            if keep("init", site):
                sites.append(site)
    return sites + _init_helper_call_sites(code, function, reaching)


def _init_helper_call_sites(
    code: CodeModule, function: ast.FunctionDef | ast.AsyncFunctionDef, reaching: dict[str, str]
) -> list[Site]:
    """``layer_init(nn.Linear(64, 1), std=1.0)``, ``layer_init(..., std=0.01)`` (CleanRL's heads): a
    scale passed to the helper in this file is the site where it is written. Looked for only in a
    file that defines such a helper."""
    if not reaching:
        return []
    positional = [a.arg for a in (*function.args.posonlyargs, *function.args.args)]
    sites = []
    for call in ast.walk(code.tree):
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == function.name):
            continue
        bound = {**dict(zip(positional, call.args)), **{k.arg: k.value for k in call.keywords if k.arg}}
        for parameter, name in reaching.items():
            node = bound.get(parameter)
            number = python_number(node) if node is not None else None
            if node is None or number is None:
                continue
            site = _site(
                code, name, _numeric(number, text_of(code, node)), node, code.enclosing_statement(call), SiteKind.INIT
            )
            if keep("init", site):
                sites.append(site)
    return sites


# --- statements: schedules written by hand ---------------------------------------------------


def wants(code: CodeModule, statement: ast.stmt, scope: ast.AST | None = None) -> bool:
    """Whether a statement's text can hold a hand-written schedule (a cheap filter before the ``ast``)."""
    text = " ".join(code.lines[statement.lineno - 1 : statement.end_lineno or statement.lineno])
    return (
        isinstance(scope, FUNCTIONS)
        and _SCHEDULE_FUNCTION.match(scope.name) is not None
        or "cos(" in text
        or "exp(" in text
        or "log(" in text
        or _STAGE_TEXT.search(text) is not None
        or "lr" in text
        and ("/" in text or "*" in text)
        or "warmup" in text
        or "*=" in text
        or ("/" in text and ("batch" in text or "1" in text))
        or "params" in text
        or "entropy" in text
        or "*" in text
        and _TIMES.search(text) is not None
        or "progress" in text
        or "frac" in text
        or "{" in text
        and "loss" in text
        or "transforms" in text
        or "Compose(" in text
        or "interp(" in text
        or "0.5 **" in text
        or "accum" in text
        or "noise" in text
        or "*" in text
        and _FEED_FORWARD_TEXT.search(text) is not None
        or "space(" in text
        or "sqrt(" in text
        and "batch" in text
    )


def statement_sites(code: CodeModule, resolver: Resolver, statement: ast.stmt, scope: ast.AST) -> list[Site]:
    """Hand-written schedules in an assignment or a ``return``."""
    if isinstance(statement, ast.If) and overrides_setting(statement):
        return _override_sites(code, resolver, statement, scope)
    if isinstance(statement, (ast.If, ast.While)):
        return [*_margin_sites(code, resolver, statement, scope), *_random_apply_sites(code, statement)]
    value = getattr(statement, "value", None)
    if not isinstance(value, ast.expr):
        return []
    lr = _about_learning_rate(statement, scope)
    sites: list[Site] = []
    for node in ast.walk(value):
        if isinstance(node, ast.BinOp):
            sites.extend(_formula_sites(code, node, statement, lr))
            sites.extend(_stability_sites(code, node, statement))
        elif isinstance(node, ast.Dict):
            sites.extend(_group_sites(code, node, statement))
            sites.extend(_loss_weight_sites(code, node, statement))
        elif isinstance(node, ast.Call):
            sites.extend(_width_sites(code, resolver, node, scope, statement))
            sites.extend(_feed_forward_sites(code, node, statement))
            sites.extend(_exponential_decay(code, node, statement, lr))
            sites.extend(_log_epsilon(code, node, statement))
            if _last(node.func) in _PIPELINES and node.args and isinstance(node.args[0], ast.List):
                sites.extend(_pipeline_sites(code, node.args[0], statement, pipeline=True))
        elif isinstance(node, ast.List):
            sites.extend(_pipeline_sites(code, node, statement, pipeline=False))
    if isinstance(statement, ast.AugAssign) and isinstance(statement.op, ast.Mult):
        sites.extend(_step_decay(code, statement))
    if isinstance(statement, ast.Assign) and _last(statement.targets[0]) == "target_entropy":
        sites.extend(_target_entropy(code, statement))
    if isinstance(statement, ast.Assign) and isinstance(value, ast.Call) and _last(value.func) == "interp":
        sites.extend(_interpolated_warmup(code, statement, value))
    if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
        sites.extend(_assigned_sites(code, resolver, statement, scope))
        sites.extend(_noise_sites(code, statement))
    return sites


_NOISE = re.compile(r"(?:^|_)noise$")
_DRAWS_NORMAL = frozenset({"normal_", "normal", "randn", "randn_like"})


def _noise_sites(code: CodeModule, statement: ast.Assign) -> list[Site]:
    """``noise = self.noise.normal_(0., std=0.1)``, ``noise = noise.clamp(-0.25, 0.25)``,
    ``noise = (torch.randn_like(action) * 0.2).clamp(-0.5, 0.5)``: the scale and the clip of a
    noise added to actions (exploration, TD3's target smoothing). A standard normal (``std=1``)
    is no choice."""
    if not _NOISE.search(_last(statement.targets[0]).lower()):
        return []
    sites = []
    for node in ast.walk(statement.value):
        scale = None
        if isinstance(node, ast.Call) and _last(node.func) in ("normal_", "normal"):
            scale = next((k.value for k in node.keywords if k.arg in ("std", "scale")), None)
            scale = scale or (node.args[1] if len(node.args) > 1 else None)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
            drawn = [side for side in (node.left, node.right) if isinstance(side, ast.Call)]
            if drawn and _last(drawn[0].func) in _DRAWS_NORMAL:
                scale = node.right if drawn[0] is node.left else node.left
        elif isinstance(node, ast.Call) and _last(node.func) in ("clamp", "clip", "clamp_") and len(node.args) >= 2:
            bound = node.args[-1]
            if _is_number(bound) and python_number(bound) not in (0.0, 1.0):
                value = _numeric(abs(python_number(bound) or 0.0), text_of(code, bound))
                sites.append(_site(code, "exploration_noise.clip", value, bound, statement, SiteKind.SAMPLING))
        if scale is not None and _is_number(scale) and python_number(scale) not in (0.0, 1.0):
            value = _numeric(python_number(scale) or 0.0, text_of(code, scale))
            sites.append(_site(code, "exploration_noise.std", value, scale, statement, SiteKind.SAMPLING))
    return sites


def _branch_assignment(body: list[ast.stmt]) -> tuple[str, ast.expr] | None:
    if len(body) == 1 and isinstance(body[0], ast.Assign) and len(body[0].targets) == 1:
        target = body[0].targets[0]
        if isinstance(target, ast.Name):
            return target.id, body[0].value
    return None


def overrides_setting(statement: ast.If) -> bool:
    """``if gen_iterations < 25 or gen_iterations % 500 == 0: Diters = 100 else: Diters = opt.Diters``:
    one branch sets a number, the other the configured setting of the same name (a cheap test
    of the shape, asked for every ``if``)."""
    taken, other = _branch_assignment(statement.body), _branch_assignment(statement.orelse)
    if taken is None or other is None or taken[0] != other[0]:
        return False
    literal, configured = (taken[1], other[1]) if _is_number(taken[1]) else (other[1], taken[1])
    return (
        _is_number(literal)
        and isinstance(configured, ast.Attribute)
        and configured.attr.lower() == taken[0].lower()
        and isinstance(configured.value, ast.Name)
    )


def _override_sites(code: CodeModule, resolver: Resolver, statement: ast.If, scope: ast.AST) -> list[Site]:
    """The number that replaces a configured setting under a condition (WGAN's 100 critic
    iterations early in training), and the threshold of that condition (``gen_iterations < 25``):
    both written in the code, neither configurable."""
    taken, other = _branch_assignment(statement.body), _branch_assignment(statement.orelse)
    assert taken is not None and other is not None  # checked by overrides_setting
    literal, configured = (taken[1], other[1]) if _is_number(taken[1]) else (other[1], taken[1])
    assert isinstance(configured, ast.Attribute)
    if not resolver.is_config(configured.value, scope):
        return []
    name = config_name(taken[0]) or taken[0]
    sites = [
        _site(
            code,
            name,
            _numeric(python_number(literal) or 0.0, text_of(code, literal)),
            literal,
            statement,
            SiteKind.SCHEDULER,
        )
    ]
    for compare in ast.walk(statement.test):
        if (
            isinstance(compare, ast.Compare)
            and len(compare.ops) == 1
            and isinstance(compare.ops[0], (ast.Lt, ast.LtE, ast.Gt, ast.GtE))
            and _is_number(compare.comparators[0])
        ):
            threshold = compare.comparators[0]
            value = _numeric(python_number(threshold) or 0.0, text_of(code, threshold))
            sites.append(_site(code, f"{name}.until", value, threshold, statement, SiteKind.SCHEDULER))
            break
    return sites


_HALF = 0.5
_SPACES = frozenset({"linspace", "geomspace", "logspace"})  # a schedule as an array of values
_WIDTH_NAME = re.compile(r"(?:^|_)(?:hidden_dim|hidden_size|ffn_dim|ff_dim|d_ff|mlp_dim|intermediate_size)$")


def _assigned_sites(code: CodeModule, resolver: Resolver, statement: ast.Assign, scope: ast.AST) -> list[Site]:
    """Shapes named by what they are assigned to:

    * ``*_schedule = np.linspace(...)`` (or built from one): a schedule as an array of values;
    * ``accum = 0.5 ** (32 / (10 * 1000))``: a decay given by its half-life (an EMA's);
    * ``hidden_dim = 4 * dim``, ``hidden_dim = int(2 * hidden_dim / 3)``: a feed-forward width as a
      multiple of the model's (Llama's SwiGLU 2/3 of 4d);
    * ``accumulate = max(round(nbs / batch_size), 1)``: gradient accumulation towards a nominal
      batch size, listed where that size is written (``nbs = 64``).
    """
    target, value = _last(statement.targets[0]), statement.value
    if "schedule" in target.lower() and any(
        isinstance(node, ast.Call) and _last(node.func) in _SPACES for node in ast.walk(value)
    ):
        # `self.teacher_temp_schedule = np.concatenate((np.linspace(warmup_temp, temp, warmup_epochs), ...))`
        return [_site(code, target, _written(code, value), value, statement, SiteKind.SCHEDULER)]
    if (
        isinstance(value, ast.BinOp)
        and isinstance(value.op, ast.Pow)
        and python_number(value.left) == _HALF
        and not isinstance(value.right, ast.Constant)
        # `0.5 ** (batch_size / max(ema_nimg, 1e-8))`: a half-life set elsewhere (`ema_kimg=10`),
        # only converted here; `0.5 ** (32 / (10 * 1000))` writes it
        and any(_is_number(part) and python_number(part) not in (0.0, 1.0) for part in _operands(value.right))
    ):
        return [_site(code, f"{target}.half_life", _written(code, value), value, statement, SiteKind.EMA)]
    horizon = _decay_horizon(code, target, value, statement)
    if horizon:
        return horizon
    stages = _stage_list(code, target, value, statement, scope) or _schedule_constant(
        code, target, value, statement, scope
    )
    if stages:
        return stages
    if _about_learning_rate(statement, scope):
        in_epochs = _in_epochs(code, target, value, statement) or _final_fraction(code, target, value, statement)
        if in_epochs:
            return in_epochs
    if _WIDTH_NAME.search(target.lower()):
        for node in ast.walk(value):
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
                factor = next((side for side in (node.left, node.right) if _is_number(side)), None)
                number = python_number(factor) if factor is not None else None
                if factor is not None and number is not None and number not in (0.0, 1.0):
                    text = text_of(code, factor)
                    return [
                        _site(code, f"{target}.multiplier", _numeric(number, text), factor, statement, SiteKind.LAYER)
                    ]
    if "accum" in target.lower():
        for node in ast.walk(value):
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div) and _canonical(node.right) == "batch_size":
                nominal = resolver.value(node.left, scope)
                if nominal.numeric is not None:
                    site = _site(code, "nominal_batch_size", nominal, node.left, statement, SiteKind.DATA)
                    return [site]
    return []


# a per-stage list of a model's widths or depths (`channel_mult`, `depths`, `dims`, `num_heads`)
_STAGE_NAME = re.compile(r"(?:^|_)(?:mult|mults|multipliers?|dims|widths|depths|heads|layers|channels)$")
_STAGE_TEXT = re.compile(r"(?:mult|mults|multipliers?|dims|widths|depths|heads|layers|channels)\s*=\s*[(\[]\s*\d")


def _stage_list(code: CodeModule, target: str, value: ast.expr, statement: ast.Assign, scope: ast.AST) -> list[Site]:
    """``channel_mult = (1, 2, 3, 4)`` then ``UNetModel(..., channel_mult=channel_mult)``: the
    widths of a model's stages, chosen in the function that builds it (often per resolution)."""
    if not (
        isinstance(scope, FUNCTIONS)
        and _STAGE_NAME.search(target.lower())
        and isinstance(value, (ast.Tuple, ast.List))
        and len(value.elts) >= 2
        and all(isinstance(e, ast.Constant) and type(e.value) is int for e in value.elts)
    ):
        return []
    builds = any(
        isinstance(node, ast.Call)
        and _last(node.func)[:1].isupper()
        and any(k.arg == target and isinstance(k.value, ast.Name) and k.value.id == target for k in node.keywords)
        for node in ast.walk(scope)
    )
    if not builds or config_name(target) is None:
        return []
    return [_site(code, target, _written(code, value), value, statement, SiteKind.LAYER)]


def _schedule_constant(
    code: CodeModule, target: str, value: ast.expr, statement: ast.Assign, scope: ast.AST
) -> list[Site]:
    """``beta_start = scale * 0.0001`` in ``def linear_beta_schedule(timesteps)``: a number a
    schedule-building function fixes is a setting of that schedule."""
    if not (isinstance(scope, FUNCTIONS) and _SCHEDULE_FUNCTION.match(scope.name)) or config_name(target) is None:
        return []
    factors = [value]
    if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Mult):
        factors = [value.left, value.right]
    for factor in factors:
        number = python_number(factor)
        if number is not None and number not in (0.0, 1.0) and not isinstance(factor, ast.BinOp):
            return [_site(code, target, _numeric(number, text_of(code, factor)), factor, statement, SiteKind.SCHEDULER)]
    return []


_DECAY_NAME = re.compile(r"(?:^|_)(?:beta\d?|decay|momentum|ema|polyak|rho)$")


def _decay_horizon(code: CodeModule, target: str, value: ast.expr, statement: ast.Assign) -> list[Site]:
    """``beta2 = 1 - 1. / (hps.train_its * hps.polyak_epochs)``: a decay rate given by the horizon
    it averages over (``1 - 1/T``), the way a half-life gives one."""
    if not (_DECAY_NAME.search(target.lower()) and isinstance(value, ast.BinOp) and isinstance(value.op, ast.Sub)):
        return []
    right = value.right
    if not (
        python_number(value.left) == 1.0
        and isinstance(right, ast.BinOp)
        and isinstance(right.op, ast.Div)
        and python_number(right.left) == 1.0
        and python_number(right.right) is None
    ):
        return []
    return [_site(code, f"{target}.horizon", _written(code, value), value, statement, SiteKind.EMA)]


# a length counted in epochs and converted to steps: `warmup_steps = 10 * len(loader)`
_IN_EPOCHS = {"warmup_steps": "warmup_epochs", "training_steps": "epochs"}


def _in_epochs(code: CodeModule, target: str, value: ast.expr, statement: ast.Assign) -> list[Site]:
    """``warmup_steps = 10 * len(loader)`` in a learning-rate schedule: the warmup is 10 epochs."""
    name = _IN_EPOCHS.get(config_name(target) or "")
    if name is None or not (isinstance(value, ast.BinOp) and isinstance(value.op, ast.Mult)):
        return []
    for factor, other in ((value.left, value.right), (value.right, value.left)):
        number = python_number(factor)
        if number is not None and number > 0 and isinstance(other, ast.Call) and _last(other.func) == "len":
            return [_site(code, name, _numeric(number, text_of(code, factor)), factor, statement, SiteKind.SCHEDULER)]
    return []


_FINAL_RATE = re.compile(r"^(?:end|final|min|last)_?(?:lr|learning_rate)$|^(?:lr|learning_rate)_(?:end|final|min)$")


def _final_fraction(code: CodeModule, target: str, value: ast.expr, statement: ast.Assign) -> list[Site]:
    """``end_lr = base_lr * 0.001``: the rate a schedule ends at, as a fraction of the base rate."""
    if not (_FINAL_RATE.search(target.lower()) and isinstance(value, ast.BinOp) and isinstance(value.op, ast.Mult)):
        return []
    for factor, other in ((value.left, value.right), (value.right, value.left)):
        number = python_number(factor)
        if number is not None and 0 < number < 1 and _LEARNING_RATE.search(_last(other).lower()):
            text = text_of(code, factor)
            return [_site(code, "min_lr.factor", _numeric(number, text), factor, statement, SiteKind.SCHEDULER)]
    return []


def _interpolated_warmup(code: CodeModule, statement: ast.Assign, call: ast.Call) -> list[Site]:
    """``x["lr"] = np.interp(ni, [0, nw], [warmup_bias_lr, initial_lr * lf(epoch)])`` on an
    optimizer's parameter group: a warmup written by hand, ramping a setting between two values."""
    target = statement.targets[0]
    key = target.slice if isinstance(target, ast.Subscript) else None
    if not (isinstance(key, ast.Constant) and isinstance(key.value, str)) or len(call.args) < 3:
        return []
    name = config_name(key.value)
    if name is None or not is_known_setting(key.value):
        return []
    schedule = "lr_schedule" if name == "learning_rate" else f"{name}_schedule"
    points = call.args[2]
    return [_site(code, f"{schedule}.warmup", _written(code, points), points, statement, SiteKind.SCHEDULER)]


_PIPELINES = frozenset({"Compose", "RandomApply", "RandomChoice", "RandomOrder"})


def _pipeline_sites(code: CodeModule, node: ast.List, statement: ast.stmt, pipeline: bool) -> list[Site]:
    """``transforms.Compose([T.RandomResizedCrop(224), utils.GaussianBlur(0.1), utils.Solarization(0.2)])``:
    a project's transform in an augmentation pipeline (a list beside torchvision's transforms, or
    the list a ``Compose``/``RandomApply`` is given) is built with its strength or probability."""
    if not pipeline and not any(
        isinstance(e, ast.Call) and (code.call_name(e) or "").startswith("torchvision.transforms.") for e in node.elts
    ):
        return []
    sites = []
    for element in node.elts:
        if not isinstance(element, ast.Call) or not _last(element.func)[:1].isupper():
            continue
        qualified = code.call_name(element)
        if qualified is not None and qualified.split(".", 1)[0] in _LIBRARIES:
            continue
        if any(isinstance(a, ast.Call) for a in element.args):
            continue  # a wrapper around another transform: its probability is read elsewhere
        stem = "aug." + re.sub(r"(?<!^)(?=[A-Z])", "_", _last(element.func)).lower()
        named = [(stem if i == 0 else f"{stem}.{i}", a) for i, a in enumerate(element.args)]
        named += [(f"{stem}.{k.arg}", k.value) for k in element.keywords if k.arg is not None]
        for name, argument in named:
            number = python_number(argument) if _is_number(argument) else None
            if number is not None or _numbers(argument):
                value = _numeric(number, text_of(code, argument)) if number is not None else _written(code, argument)
                sites.append(_site(code, name, value, argument, statement, SiteKind.AUGMENTATION))
    return sites


def _numbers(node: ast.AST) -> bool:
    """``[.1, 2.]``: a range of numbers (a blur's sigma)."""
    return isinstance(node, (ast.List, ast.Tuple)) and bool(node.elts) and all(_is_number(e) for e in node.elts)


def _margin_sites(code: CodeModule, resolver: Resolver, statement: ast.If | ast.While, scope: ast.AST) -> list[Site]:
    """``if approx_kl > 1.5 * target_kl: break``: a number scaling a hyperparameter in a test is
    a margin of the method (PPO's early stop), named after it (``target_kl.margin``)."""
    sites = []
    for compare in ast.walk(statement.test):
        if not isinstance(compare, ast.Compare):
            continue
        for side in (compare.left, *compare.comparators):
            if not (isinstance(side, ast.BinOp) and isinstance(side.op, ast.Mult)):
                continue
            for factor, other in ((side.left, side.right), (side.right, side.left)):
                name = _last(other)
                if python_number(factor) is None or not name or not is_known_setting(name):
                    continue
                value = resolver.value(factor, scope)
                if value.numeric not in (None, 0.0, 1.0):
                    sites.append(
                        _site(code, f"{config_name(name) or name}.margin", value, factor, statement, SiteKind.LOSS)
                    )
    return sites


_UNIFORM_DRAWS = frozenset({"random", "rand", "uniform"})


def _random_apply_sites(code: CodeModule, statement: ast.If | ast.While) -> list[Site]:
    """``if self.self_condition and random() < 0.5:``, ``if np.random.random() < 0.5: img = flip(img)``:
    a literal probability of doing something, compared with a uniform draw."""
    sites = []
    for compare in ast.walk(statement.test):
        if not (isinstance(compare, ast.Compare) and len(compare.comparators) == 1):
            continue
        left, right = compare.left, compare.comparators[0]
        if isinstance(compare.ops[0], (ast.Gt, ast.GtE)):
            left, right = right, left
        elif not isinstance(compare.ops[0], (ast.Lt, ast.LtE)):
            continue
        number = python_number(right)
        draws = isinstance(left, ast.Call) and not left.args and _last(left.func) in _UNIFORM_DRAWS
        if draws and number is not None and 0 < number < 1:
            value = _numeric(number, text_of(code, right))
            sites.append(_site(code, "random_apply.p", value, right, statement, SiteKind.AUGMENTATION))
    return sites


def _stability_sites(code: CodeModule, node: ast.BinOp, statement: ast.stmt) -> list[Site]:
    """``(adv - adv.mean()) / (adv.std() + 1e-8)``: the epsilon of a standardisation."""
    if not (isinstance(node.op, ast.Div) and isinstance(node.right, ast.BinOp) and isinstance(node.right.op, ast.Add)):
        return []
    for spread, epsilon in ((node.right.left, node.right.right), (node.right.right, node.right.left)):
        number = python_number(epsilon)
        if number is not None and 0 < number < 1e-2 and isinstance(spread, ast.Call) and _last(spread.func) == "std":
            subject = _last(spread.func.value) if isinstance(spread.func, ast.Attribute) else ""
            if not subject or code.qualified_name(spread.func) is not None:  # `torch.std(x)`, `np.std(x)`
                subject = _last(spread.args[0]) if spread.args else ""
            name = f"{subject}_norm.eps" if subject else "norm.eps"
            return [_site(code, name, _numeric(number, text_of(code, epsilon)), epsilon, statement, SiteKind.STABILITY)]
    return []


def _log_epsilon(code: CodeModule, call: ast.Call, statement: ast.stmt) -> list[Site]:
    """``torch.log(self.action_scale * (1 - y_t.pow(2)) + 1e-6)``: the epsilon keeping a log off zero
    (SAC's tanh correction); listed, never flagged, as a standardisation's."""
    if _last(call.func) != "log" or len(call.args) != 1:
        return []
    argument = call.args[0]
    if not (isinstance(argument, ast.BinOp) and isinstance(argument.op, ast.Add)):
        return []
    for epsilon in (argument.right, argument.left):
        number = python_number(epsilon)
        if number is not None and 0 < number < 1e-2:
            return [
                _site(code, "log.eps", _numeric(number, text_of(code, epsilon)), epsilon, statement, SiteKind.STABILITY)
            ]
    return []


def _loss_weight_sites(code: CodeModule, node: ast.Dict, statement: ast.stmt) -> list[Site]:
    """``weight_dict = {"loss_ce": 1, "loss_bbox": 5}`` (DETR's criterion): the weight of each
    loss term by its name; a weight read from the configuration is a read."""
    keys = [k.value if isinstance(k, ast.Constant) and isinstance(k.value, str) else "" for k in node.keys]
    if len(keys) < 2 or not all(key.startswith("loss") for key in keys):
        return []
    sites = []
    for key, value in zip(keys, node.values):
        number = python_number(value)
        if number is not None:
            name = f"loss_weight.{key.removeprefix('loss').strip('_') or 'loss'}"
            sites.append(
                _site(code, name, _numeric(number, text_of(code, value)), value, statement, SiteKind.LOSS_TERM)
            )
    return sites


def _target_entropy(code: CodeModule, statement: ast.Assign) -> list[Site]:
    """``target_entropy = -prod(action_space.shape)``, ``-action_dim / 2``: SAC's entropy target,
    the -dim(A) heuristic (or a fraction of it)."""
    if not any(
        isinstance(n, ast.Call)
        and _last(n.func) == "prod"
        or isinstance(n, ast.UnaryOp)
        and isinstance(n.op, ast.USub)
        and "action" in text_of(code, n.operand)
        for n in ast.walk(statement.value)
    ):
        return []
    return [_site(code, "target_entropy", _written(code, statement.value), statement.value, statement, SiteKind.LOSS)]


def _group_sites(code: CodeModule, node: ast.Dict, statement: ast.stmt) -> list[Site]:
    """``{"params": no_decay, "weight_decay": 0.0}``: an optimizer's parameter group and its settings."""
    keys = [k.value if isinstance(k, ast.Constant) else None for k in node.keys]
    if "params" not in keys:
        return []
    sites = []
    for key, item in zip(keys, node.values):
        number = python_number(item)
        if isinstance(key, str) and key in _GROUP_KEYS and number is not None:
            text = text_of(code, item)
            sites.append(
                _site(code, _GROUP_KEYS[key], _numeric(number, text), item, statement, SiteKind.OPTIMIZER, key)
            )
    return sites


def _width_sites(
    code: CodeModule, resolver: Resolver, call: ast.Call, scope: ast.AST, statement: ast.stmt
) -> list[Site]:
    """``nn.Linear(config.n_embd, 4 * config.n_embd)`` and ``nn.Linear(4 * config.n_embd, ...)``: a
    hidden width, a multiple of a configured one, expanded and projected back. A multiple that one
    layer alone has (``3 * n_embd`` for query, key and value, split afterwards) is a shape."""
    if not _is_layer(code, call):
        return []
    sites = []
    for argument in call.args:
        if not (isinstance(argument, ast.BinOp) and isinstance(argument.op, ast.Mult)):
            continue
        shape = ast.dump(argument)
        if (
            sum(
                ast.dump(a) == shape
                for c in ast.walk(scope)
                if isinstance(c, ast.Call) and _is_layer(code, c)
                for a in c.args
            )
            < 2
        ):
            continue
        for factor, other in ((argument.left, argument.right), (argument.right, argument.left)):
            number = python_number(factor)
            if number is None or number in (0.0, 1.0) or not isinstance(other, ast.Attribute):
                continue
            if resolver.is_config(other.value, scope):
                text = text_of(code, factor)
                value = _numeric(number, text)
                sites.append(_site(code, f"{other.attr}.multiplier", value, factor, statement, SiteKind.LAYER))
    return sites


_FEED_FORWARD = re.compile(r"^(?:mlp|ffn|feed_?forward|positionwise_?feed_?forward)$", re.IGNORECASE)
# the model's width a feed-forward block expands (not `2 * action_dim`: a mean and a scale per action)
_MODEL_WIDTH = re.compile(
    r"^(?:nx|n_?embd|d_?model|dim|embed_dim|emb_dim|hidden_size|hidden_dim|width|n_state|model_dim)$"
)
_FEED_FORWARD_TEXT = re.compile(r"\b(?:mlp|ffn|feed_?forward)\s*\(", re.IGNORECASE)


def _feed_forward_sites(code: CodeModule, call: ast.Call, statement: ast.stmt) -> list[Site]:
    """``m = mlp(norm(x, 'ln_2'), 'mlp', nx * 4, hparams=hparams)`` (GPT-2): the hidden width of a
    transformer's feed-forward block, passed to the project's block as a multiple of the model's."""
    if not _FEED_FORWARD.match(_last(call.func)):
        return []
    sites = []
    for argument in [*call.args, *(k.value for k in call.keywords)]:
        if not (isinstance(argument, ast.BinOp) and isinstance(argument.op, ast.Mult)):
            continue
        for factor, other in ((argument.left, argument.right), (argument.right, argument.left)):
            number = python_number(factor)
            if number is not None and number > 1 and _MODEL_WIDTH.match(_last(other).lower()):
                value = _numeric(number, text_of(code, factor))
                sites.append(_site(code, f"{_last(other)}.multiplier", value, factor, statement, SiteKind.LAYER))
    return sites


def _is_layer(code: CodeModule, call: ast.Call) -> bool:
    qualified = code.call_name(call)
    return qualified is not None and qualified.startswith("torch.nn.") and qualified[9:10].isupper()


def _operands(node: ast.expr) -> list[ast.expr]:
    """The leaves of an arithmetic expression, calls' arguments left out (``max(n, 1e-8)``'s guard)."""
    if isinstance(node, ast.BinOp):
        return [*_operands(node.left), *_operands(node.right)]
    if isinstance(node, ast.UnaryOp):
        return _operands(node.operand)
    return [node]


def _warmup_factor(node: ast.BinOp) -> bool:
    """``init_lr * warmup_percent_done``: a factor named for the warmup's progress times another
    named for the learning rate."""
    names = [_last(side).lower() for side in (node.left, node.right)]
    return any("warmup" in n and "step" not in n for n in names) and any(
        config_name(n) == "learning_rate" or "lr" in n.split("_") for n in names
    )


def _about_learning_rate(statement: ast.stmt, scope: ast.AST) -> bool:
    targets = getattr(statement, "targets", None) or [getattr(statement, "target", None)]
    names = [_last(t) for t in targets if t is not None]
    if isinstance(scope, FUNCTIONS):
        names.append(scope.name)
    # `adjust_learning_rate`, `get_lr`, `lr_at`: a function computing the learning rate
    return any(
        config_name(n) == "learning_rate" or "lr" in n.lower().split("_") or "learning_rate" in n.lower()
        for n in names
        if n
    )


def _formula_sites(code: CodeModule, node: ast.BinOp, statement: ast.stmt, lr: bool) -> list[Site]:
    schedule = "lr_schedule" if lr else "schedule"
    if isinstance(node.op, ast.Add) and _half_cosine(node):
        # the whole formula, `lr = min_lr + (lr - min_lr) * 0.5 * (1. + cos(...))` written over
        # several lines, is the schedule, not only its `1 + cos(...)` term
        whole = _formula(statement, node)
        return [_site(code, f"{schedule}.cosine", _written(code, whole), whole, statement, SiteKind.SCHEDULER)]
    if lr and isinstance(node.op, ast.Sub) and _less_its_share(node):
        # `lr = initial_lr - (initial_lr * (epoch / float(total_num_epochs)))`: a linear decay to zero
        whole = _formula(statement, node)
        return [_site(code, f"{schedule}.linear", _written(code, whole), whole, statement, SiteKind.SCHEDULER)]
    if lr and isinstance(node.op, ast.Div) and _remaining_fraction(node):
        # `lr = start_lr * (end_iter - it) / end_iter`: a linear decay to zero
        whole = _formula(statement, node)
        return [_site(code, f"{schedule}.linear", _written(code, whole), whole, statement, SiteKind.SCHEDULER)]
    if isinstance(node.op, ast.Div):
        denominator = {_last(n).lower() for n in ast.walk(node.right)}
        numerator = {_last(n).lower() for n in ast.walk(node.left)}
        if lr and any("warmup" in name for name in denominator) and not any("warmup" in n for n in numerator):
            return [_site(code, "lr_schedule.warmup", _written(code, node), node, statement, SiteKind.SCHEDULER)]
        scale = python_number(node.right)
        # `args.lr = args.blr * eff_batch_size / 256`, `base_lr = args.batch_size / 256`: what is
        # assigned is the learning rate, so the batch size over a base batch is its scaling rule
        if scale is not None and scale > 1 and (_scales_by_batch(node.left) or lr and _counts_batch(node.left)):
            text = text_of(code, node.right)
            value = _numeric(scale, text)
            return [_site(code, "lr_scaling.base_batch_size", value, node.right, statement, SiteKind.SCHEDULER)]
    if lr and isinstance(node.op, ast.Mult) and _warmup_factor(node):
        # `warmup_learning_rate = init_lr * warmup_percent_done` (BERT): the rate ramped by the
        # warmup's progress, computed on the lines before
        return [_site(code, "lr_schedule.warmup", _written(code, node), node, statement, SiteKind.SCHEDULER)]
    if isinstance(node.op, ast.Mult) and _sqrt_scaling(node):
        # `lr * math.sqrt(batch_size)`: the square-root scaling rule
        return [_site(code, "lr_scaling.sqrt", _written(code, node), node, statement, SiteKind.SCHEDULER)]
    if isinstance(node.op, ast.Div) and _anneal_to_one(node):
        return [_site(code, f"{schedule}.linear", _written(code, node), node, statement, SiteKind.SCHEDULER)]
    if isinstance(node.op, ast.Sub) and python_number(node.left) == 1.0 and _over_training(node.right):
        return [_site(code, f"{schedule}.linear", _written(code, node), node, statement, SiteKind.SCHEDULER)]
    if isinstance(node.op, ast.Sub) and python_number(node.left) == 1.0 and lr and _progress(node.right):
        # `lr = end + (lr - end) * (1.0 - progress)`: a linear decay of the learning rate
        return [_site(code, "lr_schedule.linear", _written(code, node), node, statement, SiteKind.SCHEDULER)]
    return []


def _formula(statement: ast.stmt, node: ast.expr) -> ast.expr:
    """The assigned or returned expression holding ``node`` (``node`` itself elsewhere)."""
    value = getattr(statement, "value", None)
    return value if isinstance(value, ast.BinOp) else node


def _remaining_fraction(node: ast.BinOp) -> bool:
    """``rate * (T - t) / T``: a rate times the share of training left (``T`` named on both sides)."""
    left = node.left
    if not (isinstance(left, ast.BinOp) and isinstance(left.op, ast.Mult)):
        return False
    for rate, rest in ((left.left, left.right), (left.right, left.left)):
        if (
            isinstance(rest, ast.BinOp)
            and isinstance(rest.op, ast.Sub)
            and isinstance(rest.left, _NAMED)
            and ast.dump(rest.left) == ast.dump(node.right)
            and isinstance(rest.right, _NAMED)
            and _LEARNING_RATE.search(_last(rate).lower())
        ):
            return True
    return False


def _less_its_share(node: ast.BinOp) -> bool:
    """``rate - rate * (t / T)``: a learning rate less the share of it training has used."""
    right = node.right
    if not (
        isinstance(node.left, _NAMED)
        and _LEARNING_RATE.search(_last(node.left).lower())
        and isinstance(right, ast.BinOp)
        and isinstance(right.op, ast.Mult)
    ):
        return False
    for rate, share in ((right.left, right.right), (right.right, right.left)):
        if ast.dump(rate) == ast.dump(node.left) and isinstance(share, ast.BinOp) and isinstance(share.op, ast.Div):
            return True
    return False


def _exponential_decay(code: CodeModule, call: ast.Call, statement: ast.stmt, lr: bool) -> list[Site]:
    """``start_lr * math.exp(-0.693 * it / end_iter)``: the learning rate decayed exponentially
    over training (a literal rate in the exponent, divided by the training length)."""
    if not (lr and _last(call.func) == "exp" and len(call.args) == 1):
        return []
    argument = call.args[0]
    divides = any(isinstance(n, ast.BinOp) and isinstance(n.op, ast.Div) for n in ast.walk(argument))
    literal = any(python_number(n) not in (None, 0.0, 1.0, -1.0) for n in ast.walk(argument) if isinstance(n, ast.expr))
    if not (divides and literal):
        return []
    whole = _formula(statement, call)
    return [_site(code, "lr_schedule.exponential", _written(code, whole), whole, statement, SiteKind.SCHEDULER)]


def _progress(node: ast.AST) -> bool:
    """A name for the fraction of training done: ``progress``, ``frac``, ``train_frac``."""
    return any(word in _last(node).lower() for word in ("progress", "frac"))


def _half_cosine(node: ast.BinOp) -> bool:
    """``1 + cos(pi * t / T)`` (either order): the half-cosine annealing shape."""
    for one, other in ((node.left, node.right), (node.right, node.left)):
        if python_number(one) == 1.0 and isinstance(other, ast.Call) and _last(other.func) == "cos" and other.args:
            return any(_last(n) == "pi" for n in ast.walk(other.args[0]))
    return False


def _scales_by_batch(node: ast.AST) -> bool:
    """``lr * batch_size``: a learning rate times the batch size (the linear-scaling rule)."""
    if not (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult)):
        return False
    # `self.base_learning_rate * FLAGS.train_batch_size / 256.`: a learning rate by its last word;
    # `args.lr * (args.batch_size_per_gpu * get_world_size()) / 256.`: the batch size counted over devices
    for rate, batch in ((node.left, node.right), (node.right, node.left)):
        name = _canonical(rate)
        if (
            name
            and _LEARNING_RATE.search(name)
            and any(_canonical(part) == "batch_size" for part in ast.walk(batch) if isinstance(part, _NAMED))
        ):
            return True
    return False


_NAMED = (ast.Name, ast.Attribute)


def _counts_batch(node: ast.AST) -> bool:
    """A batch size (``args.batch_size``, ``eff_batch_size``), alone or times another factor."""
    parts = [node.left, node.right] if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult) else [node]
    return any(
        isinstance(part, _NAMED) and (_canonical(part) == "batch_size" or "batch_size" in _last(part).lower())
        for part in parts
    )


def _sqrt_scaling(node: ast.BinOp) -> bool:
    for rate, root in ((node.left, node.right), (node.right, node.left)):
        name = _canonical(rate)
        if (
            name
            and _LEARNING_RATE.search(name)
            and isinstance(root, ast.Call)
            and _last(root.func) == "sqrt"
            and any(_canonical(part) == "batch_size" for part in ast.walk(root) if isinstance(part, _NAMED))
        ):
            return True
    return False


_LEARNING_RATE = re.compile(r"(?:^|_)(?:lr|learning_rate)$")


def _anneal_to_one(node: ast.BinOp) -> bool:
    """``(1 - args.beta) / (args.T_max - args.learn_start)``: the step that anneals a value to 1
    over the training steps (prioritized replay's importance-sampling exponent)."""
    left, right = node.left, node.right
    if not (isinstance(left, ast.BinOp) and isinstance(left.op, ast.Sub) and python_number(left.left) == 1.0):
        return False
    if python_number(left.right) is not None:
        return False
    if _canonical(right) in ("training_steps", "epochs"):
        return True
    return (
        isinstance(right, ast.BinOp)
        and isinstance(right.op, ast.Sub)
        and all(isinstance(side, (ast.Name, ast.Attribute)) for side in (right.left, right.right))
    )


def _over_training(node: ast.AST) -> bool:
    """``(t - 1) / T`` where ``T`` is the training length: the progress of a linear anneal."""
    if not (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div)):
        return False
    return _canonical(node.right) in ("training_steps", "epochs")


def _step_decay(code: CodeModule, statement: ast.AugAssign) -> list[Site]:
    """``lr *= 0.1`` (or ``0.1 if epoch >= milestone else 1.0``): a step decay of the learning rate."""
    if _canonical(statement.target) != "learning_rate":
        return []
    value = statement.value
    choices = [value.body, value.orelse] if isinstance(value, ast.IfExp) else [value]
    sites = []
    for choice in choices:
        number = python_number(choice)
        if number is not None and number not in (0.0, 1.0):
            text = text_of(code, choice)
            sites.append(_site(code, "lr_decay", _numeric(number, text), choice, statement, SiteKind.SCHEDULER))
    return sites


# --- loss averaging and scaling ----------------------------------------------------------------


def scaled_loss_sites(code: CodeModule, expression: ast.AST, statement: ast.stmt, scope: ast.AST) -> list[Site]:
    """``(d_real + d_fake) / 2`` and ``0.5 * mse``: a loss averaged or scaled by a literal, unless
    the result is only logged (``loss_D = (loss_D_A + loss_D_B) / 2`` read by ``loss_D.item()``)."""
    node = expression.operand if isinstance(expression, ast.UnaryOp) else expression
    if not isinstance(node, ast.BinOp):
        return []
    if isinstance(node.op, ast.Div) and _is_sum(node.left):
        number = python_number(node.right)
        name = "loss_average"
        factor = node.right
    elif isinstance(node.op, ast.Mult):
        pairs = ((node.left, node.right), (node.right, node.left))
        factor, other = next(((f, o) for f, o in pairs if python_number(f) is not None), (node.left, node.right))
        number = python_number(factor) if python_number(other) is None else None
        name = "loss_average" if _is_sum(other) else "loss_scale"
        if number is None:
            # `ce(logits, labels) * (2 * self.T)` (MoCo v3), `r1_penalty * (self.r1_gamma / 2)`: a
            # literal inside the parenthesised factor scales the loss with the setting it multiplies
            factor = next((inner for side in (node.left, node.right) if (inner := _literal_in_factor(side))), factor)
            number = python_number(factor) if factor is not node.left else None
    else:
        return []
    if number is None or number in (0.0, 1.0, -1.0) or _only_logged(code, statement):
        return []
    text = text_of(code, factor)
    return [_site(code, name, _numeric(number, text), factor, statement, SiteKind.LOSS_TERM)]


def _literal_in_factor(node: ast.AST) -> ast.AST | None:
    """The ``2`` of ``(2 * self.T)`` or ``(gamma / 2)``: a product or quotient of a literal and a name."""
    if not (isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Div))):
        return None
    sides = (node.left, node.right) if isinstance(node.op, ast.Mult) else (node.right,)
    for side in sides:
        other = node.right if side is node.left else node.left
        if _is_number(side) and isinstance(other, (ast.Name, ast.Attribute)):
            return side
    return None


_LOGGING = (".item()", "print(", "log", "add_scalar", "write(", "set_postfix", 'f"', "f'")


def _only_logged(code: CodeModule, statement: ast.stmt) -> bool:
    """Whether the value assigned is read after ``statement`` and only on logging lines
    (``loss_D.item()`` in a print): read from the text, as a walk of a whole script costs more."""
    if not isinstance(statement, ast.Assign) or len(statement.targets) != 1:
        return False
    target = statement.targets[0]
    if not isinstance(target, ast.Name):
        return False
    word = re.compile(rf"(?<![\w.]){re.escape(target.id)}\b")
    end = statement.end_lineno or statement.lineno
    reads = [line for line in code.lines[end:] if word.search(line)]
    return bool(reads) and all(any(marker in line for marker in _LOGGING) for line in reads)


_ZEROING = {"torch.nn.init.zeros_": None, "torch.nn.init.constant_": 1}  # where the constant is passed


def zero_init_sites(code: CodeModule, call: ast.Call, qualified: str | None, statement: ast.stmt) -> list[Site]:
    """``nn.init.constant_(block.adaLN_modulation[-1].weight, 0)``, ``nn.init.zeros_(head.weight)``:
    a layer whose output starts at zero (DiT's adaLN-Zero, a zero-initialised last layer) is a
    choice of the method. A zero bias is the standard start and no site, unless the statement
    before zeroes the same layer's weight (the layer is zeroed as a whole)."""
    tensor = _zeroed_tensor(call, qualified)
    if tensor is None:
        return []
    if tensor.attr == "bias" and not _weight_zeroed_before(code, statement, tensor):
        return []
    position = _ZEROING[qualified or ""]
    written = call.args[position] if position is not None and len(call.args) > position else None
    value = _numeric(0.0, text_of(code, written) if written is not None else "0")
    return [_site(code, "init.zero", value, written if written is not None else call, statement, SiteKind.INIT)]


_ZEROS_INITIALIZERS = frozenset(
    {"flax.linen.initializers.zeros", "jax.nn.initializers.zeros", "flax.linen.initializers.zeros_init"}
)


def zero_kernel_sites(code: CodeModule, call: ast.Call, statement: ast.stmt) -> list[Site]:
    """``nn.Dense(num_classes, kernel_init=nn.initializers.zeros)`` (ViT's head): a layer whose
    weights start at zero, as ``nn.init.zeros_(head.weight)``; a zero bias is the standard start."""
    sites = []
    for keyword in call.keywords:
        if keyword.arg not in ("kernel_init", "w_init", "weight_init", "embedding_init"):
            continue
        initializer = keyword.value.func if isinstance(keyword.value, ast.Call) else keyword.value
        if code.qualified_name(initializer) in _ZEROS_INITIALIZERS:
            sites.append(_site(code, "init.zero", _numeric(0.0, "0"), keyword.value, statement, SiteKind.INIT))
    return sites


def _zeroed_tensor(call: ast.Call, qualified: str | None) -> ast.Attribute | None:
    """The ``x.weight`` or ``x.bias`` a call of ``zeros_``/``constant_(..., 0)`` sets to zero."""
    if qualified not in _ZEROING or not call.args or not isinstance(call.args[0], ast.Attribute):
        return None
    position = _ZEROING[qualified]
    if position is not None:
        constant = call.args[position] if len(call.args) > position else None
        constant = constant or next((k.value for k in call.keywords if k.arg == "val"), None)
        if constant is None or python_number(constant) != 0.0:
            return None
    tensor = call.args[0]
    return tensor if tensor.attr in ("weight", "bias") else None


def _weight_zeroed_before(code: CodeModule, statement: ast.stmt, bias: ast.Attribute) -> bool:
    parent = code.parents.get(statement)
    body = (
        next(
            (
                value
                for _, value in ast.iter_fields(parent)
                if isinstance(value, list) and any(part is statement for part in value)
            ),
            [],
        )
        if parent is not None
        else []
    )
    index = next((i for i, part in enumerate(body) if part is statement), 0)
    if index == 0 or not isinstance(body[index - 1], ast.Expr) or not isinstance(body[index - 1].value, ast.Call):
        return False
    before = body[index - 1].value
    weight = _zeroed_tensor(before, code.call_name(before))
    return weight is not None and weight.attr == "weight" and ast.dump(weight.value) == ast.dump(bias.value)


def keep(kind: str, site: Site) -> bool:
    """Whether a site of a vocabulary API is a choice: a Polyak rate of 1 is a hard copy
    (``incremental_update(online, target, 1)``), a zero mean or a zero bias the standard start."""
    if kind == "ema" and site.numeric == 1.0:
        return False
    return not (kind == "init" and site.name in ("init.mean", "init.value") and site.numeric in (0.0, 1.0))


def named_weight_sites(
    code: CodeModule, resolver: Resolver, term: ast.AST, scope: ast.AST, statement: ast.stmt
) -> list[Site]:
    """``lambda_gp * gradient_penalty`` with ``lambda_gp = 10`` assigned once: the weight is
    reported where the literal is written (an annotation there, or at the loss, links it)."""
    if not (isinstance(term, ast.BinOp) and isinstance(term.op, ast.Mult)):
        return []
    for weight, other in ((term.left, term.right), (term.right, term.left)):
        if not isinstance(weight, ast.Name) or python_number(other) is not None:
            continue
        written = _assigned(resolver, weight, scope)
        if written is None or python_number(written) is None or "loss" in weight.id.lower():
            continue
        number = python_number(written)
        if number is None or number in (0.0, 1.0):
            return []
        text = text_of(code, written)
        value = Value(text, number, Source.LITERAL, False, anchor=written.lineno)
        return [_site(code, config_name(weight.id) or weight.id, value, written, statement, SiteKind.LOSS_TERM)]
    return []


def _assigned(resolver: Resolver, name: ast.Name, scope: ast.AST) -> ast.expr | None:
    """The value of the one assignment to ``name``, in ``scope`` or else at module level."""
    for owner in (scope, resolver.code.tree):
        assigned = resolver.scopes.assignments.get(owner, {}).get(name.id, [])
        if assigned:
            return assigned[0].value if len(assigned) == 1 else None
    return None


def _is_sum(node: ast.AST) -> bool:
    if isinstance(node, ast.UnaryOp):
        node = node.operand
    if isinstance(node, ast.Call) and _last(node.func) == "sum":
        return True
    return isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add)
