"""Where a gradient stop sits: training, evaluation, setup, or unknown.

The decision is made per file, from the stdlib ``ast``, with two small analyses:

* an intra-module call graph: a function is on a *training path* when it calls
  ``.backward()`` or ``optimizer.step()``, is named as a loss (``td_loss``,
  ``compute_loss``, ``training_step``), is a module's ``forward``, or its result flows into
  the loss of a function already on a training path (``loss = td_loss(...)``);
* a name-level data flow inside one function: which names flow into the loss (the
  receiver of ``.backward()``, else what the function returns). A stop on a training path
  whose value never reaches the loss (a logged copy, an attention map kept for plots) is
  monitoring, reported as ``evaluation``.

Both are heuristics, documented as such in docs/gradients.md: names are tracked, objects are
not (``agent.get_value(x)`` is followed only when one class of the file alone defines
``get_value``); ``self.encoder(x)`` (a submodule) is not followed; calls into other files are not
followed. Values crossing an environment or replay-buffer boundary (``env.step``,
``buffer.sample``) are data, so the flow does not pass through those calls.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from paperlink.analysis.gradient_reach import reaches_in_order
from paperlink.source.code import FUNCTIONS, CodeModule, child_nodes

__all__ = [
    "Context",
    "FunctionFlow",
    "ModuleFlow",
    "is_eval_name",
    "is_metric_name",
    "is_setup_name",
    "is_target_update_name",
    "is_update",
    "draws_noise",
    "names_second_weights",
    "writes_grad",
    "keeps_values",
    "snake_case",
    "writes_rollout",
    "writes_state",
    "own_nodes",
    "read_names",
    "written_names",
]


class Context:
    """The contexts, as they appear in the gradient-stop map."""

    TRAINING = "training"
    TARGET_UPDATE = "target_update"  # target networks, EMA teachers, momentum encoders, queues: outside the loss graph
    EVALUATION = "evaluation"
    SETUP = "setup"
    UNKNOWN = "unknown"


_LOSS_NAME = re.compile(r"loss|objective|criterion|(^|_)(training|train)_step($|_)")
_EVAL_WORDS = frozenset(
    "eval evaluate evaluation validate validation val valid test testing infer inference predict prediction "
    "metric metrics log logging accuracy acc sample sampling generate visualize visualise plot summary score "
    "benchmark monitor act".split()
)
_MONITORS = _EVAL_WORDS | {"logger", "meter", "tracker", "history"}  # classes keeping values to look at
_METRIC_WORDS = frozenset(
    "eval evaluate evaluation validate validation val valid test testing metric metrics log logging accuracy acc "
    "score summary benchmark monitor".split()
)
_SETUP_WORDS = frozenset(
    "init initialize initialise reset copy sync load freeze unfreeze build create "
    "make setup prepare convert remap checkpoint save fuse merge reparameterize reparam deploy".split()
)
# updates of a second set of weights or a queue on each training step, outside the loss graph
_TARGET_UPDATE_WORDS = frozenset("ema momentum polyak enqueue dequeue queue swa".split())
_TARGET_UPDATE_PAIRS = frozenset({"soft_update", "hard_update", "moving_average"})
_TARGET_UPDATE_OBJECTS = frozenset("target targets teacher average shadow".split())
# an EMA class's methods that swap its weights in for evaluation and back (`store`, `restore`, `apply_shadow`)
_SWAPS = frozenset("store restore swap apply state".split())
_BOUNDARY_METHODS = frozenset({"step", "reset", "sample", "render"})  # environments and replay buffers
# besides in-place tensor methods (`add_`); `losses.update(self.get_loss(...))` fills a loss dict
_MUTATORS = frozenset({"append", "extend", "insert", "update"})
_UPDATE_METHODS = frozenset({"load_state_dict", "update_parameters"})
_NOT_UPDATES = frozenset({"detach_", "requires_grad_"})  # in place, but a stop rather than an update
# `z.normal_()` on a local name draws fresh noise (sampling); `m.weight.normal_()` initialises weights
_RANDOM_FILLS = frozenset("normal_ uniform_ random_ bernoulli_ exponential_ geometric_ cauchy_ log_normal_".split())
_OPTIMIZER = re.compile(r"optim|(^|[._])opt$|scaler")
_MINIMIZERS = frozenset({"minimize", "compute_gradients"})
_GRAD_TRANSFORMS = frozenset({"jax.grad", "jax.value_and_grad"})
# methods of Python's own containers: a call of one on an unknown object is no call of this file's class
_BUILTIN_METHODS = frozenset(
    name for kind in (dict, list, set, str, bytes) for name in dir(kind) if not name.startswith("_")
)
_RECEIVER_METHODS = _MINIMIZERS | {"gradient", "step", "apply_gradients"}  # whose receiver decides what they are
_SCOPE_BARRIERS = (*FUNCTIONS, ast.ClassDef, ast.Lambda)
_READ = (ast.Call, ast.stmt, ast.withitem)  # the nodes `ModuleFlow._read_node` reads


def own_nodes(scope: ast.AST) -> Iterator[ast.AST]:
    """Every node in ``scope``'s own body: nested functions, classes and lambdas excluded (and
    operators and load/store contexts, which no caller reads)."""
    stack: list[ast.AST] = list(reversed(scope.body)) if isinstance(scope, (*FUNCTIONS, ast.Module)) else [scope]
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, _SCOPE_BARRIERS):
            stack.extend(reversed(child_nodes(node)))


def read_names(node: ast.AST | None) -> set[str]:
    """The names an expression reads; ``self.x`` counts as the name ``self.x``, ``self`` alone not."""
    found: set[str] = set()
    bound: set[str] = set()  # the variables of comprehensions, local to them
    if node is None:
        return found
    # what is called by name (`model(x)`, `self.encoder(x)`) is a function or a module, not data:
    # its parameters are not the value, so what built or loaded it does not flow into the result.
    # The walk is preorder, so a call is seen before what it calls.
    callees: set[ast.AST] = set()
    stack = [node]
    while stack:
        child = stack.pop()
        stack.extend(child_nodes(child))
        if child in callees:
            continue
        if isinstance(child, ast.Call) and (isinstance(child.func, ast.Name) or _is_self_attribute(child.func)):
            callees.add(child.func)
        elif _is_self_attribute(child):
            found.add(f"self.{child.attr}")  # type: ignore[attr-defined]
        elif isinstance(child, ast.Name) and child.id != "self":
            found.add(child.id)
        elif isinstance(child, ast.comprehension):
            bound |= written_names(child.target)
    return found - bound - {"_"}


def _is_self_attribute(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self"


def written_names(target: ast.AST) -> set[str]:
    """The names an assignment target binds or mutates (``values[i] = v`` writes ``values``)."""
    if isinstance(target, ast.Name):
        return {target.id}
    if isinstance(target, (ast.Tuple, ast.List)):
        return set().union(*(written_names(element) for element in target.elts))
    if isinstance(target, ast.Starred):
        return written_names(target.value)
    if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self":
        return {f"self.{target.attr}"}
    if isinstance(target, (ast.Attribute, ast.Subscript)):
        return written_names(target.value)
    return set()


def _edge(node: ast.AST) -> tuple[set[str], set[str]] | None:
    """(names written, names read) of an assignment-like statement; None for anything else."""
    if isinstance(node, ast.Assign):
        if _crosses_boundary(node.value):
            return None
        return set().union(*(written_names(t) for t in node.targets)), read_names(node.value)
    if isinstance(node, (ast.AugAssign, ast.AnnAssign)) and node.value is not None:
        written = written_names(node.target)
        return written, read_names(node.value) | (written if isinstance(node, ast.AugAssign) else set())
    if isinstance(node, (ast.For, ast.AsyncFor)):
        return written_names(node.target), read_names(node.iter)
    if isinstance(node, ast.withitem) and node.optional_vars is not None:
        return written_names(node.optional_vars), read_names(node.context_expr)
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        func = node.value.func
        if isinstance(func, ast.Attribute) and func.attr == "update" and not _fills_dict(node.value):
            return None  # `meter.update(loss.item(), n)`, `logger.update(loss=value)`: monitoring
        if isinstance(func, ast.Attribute) and (func.attr in _MUTATORS or _in_place(func.attr)):
            args = [*node.value.args, *(k.value for k in node.value.keywords)]
            return written_names(func.value), set().union(*(read_names(a) for a in args)) if args else set()
    return None


def _fills_dict(call: ast.Call) -> bool:
    """``losses.update(self.get_loss(...))``: one mapping merged into a dict."""
    return len(call.args) == 1 and not call.keywords and not isinstance(call.args[0], ast.Starred)


def _keep_dict_updates(flow: FunctionFlow) -> None:
    """``x.update(...)`` carries data only into a dict the function made (``losses = {}``): an object's
    ``update`` (``obs_rms.update(batch)``, a running normaliser) is no assignment."""
    updates = [edge for edge in flow.edges if _is_update_call(edge[0])]
    if not updates:
        return
    dicts = set().union(
        *(written for node, written, _ in flow.edges if isinstance(node, ast.Assign) and _makes_dict(node.value))
    )
    flow.edges = [edge for edge in flow.edges if not _is_update_call(edge[0]) or edge[1] <= dicts]


def _is_update_call(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Attribute)
        and node.value.func.attr == "update"
    )


def _makes_dict(value: ast.AST) -> bool:
    return isinstance(value, (ast.Dict, ast.DictComp)) or (
        isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "dict"
    )


# objects holding a rollout's data until the loss reads it back (`buf.get()` in the update), not logs
_ROLLOUT_STORES = re.compile(r"(^|_)(buf|buffer|rollouts?|storage|trajectory|trajectories)(_|$)")
_LOGGERS = re.compile(r"log|writer|meter|tracker|history|stats")


def _is_rollout(receiver: ast.AST) -> bool:
    owner = receiver.attr if isinstance(receiver, ast.Attribute) else getattr(receiver, "id", "")
    owner = owner.lower()
    return bool(_ROLLOUT_STORES.search(owner)) and not _LOGGERS.search(owner)


def writes_rollout(statement: ast.AST) -> bool:
    """``rollouts.rewards[step] = reward``: an assignment into a rollout store's data, which the loss reads back."""
    if not isinstance(statement, ast.Assign):
        return False
    for target in statement.targets:
        root = target
        while isinstance(root, (ast.Subscript, ast.Attribute)) and not (
            isinstance(root, ast.Attribute) and isinstance(root.value, ast.Name) and root.value.id == "self"
        ):
            root = root.value
        if root is not target and _is_rollout(root):
            return True
    return False


def _in_place(method: str) -> bool:
    return method.endswith("_") and not method.endswith("__")


def _crosses_boundary(value: ast.AST) -> bool:
    return (
        isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr in _BOUNDARY_METHODS
    )


def _name_words(name: str) -> tuple[set[str], set[str]]:
    words = [w for w in name.lower().split("_") if w]
    return set(words), {f"{a}_{b}" for a, b in zip(words, words[1:])}


def is_eval_name(name: str) -> bool:
    return bool(_name_words(name)[0] & _EVAL_WORDS)


def is_metric_name(name: str) -> bool:
    """``accuracy``, ``compute_metrics``, ``validate``: a value computed to be looked at, never trained on
    (unlike ``sample`` or ``predict``, whose result may be a target)."""
    return bool(_name_words(name)[0] & _METRIC_WORDS)


def is_setup_name(name: str) -> bool:
    return bool(_name_words(name)[0] & _SETUP_WORDS)


def keeps_values(class_name: str) -> bool:
    """``LossLogger``, ``AverageMeter``, ``MetricTracker``: a class keeping values to look at."""
    return bool(set(snake_case(class_name).split("_")) & _MONITORS)


def is_target_update_class(name: str) -> bool:
    """``ema``, ``EMA``, ``ModelEmaV2``, ``ExponentialMovingAverage``, ``MomentumTeacher``: a class whose
    methods update a second set of weights (its ``update`` is a target update)."""
    return is_target_update_name(snake_case(name))


def snake_case(name: str) -> str:
    """``ModelEMAv2`` -> ``model_ema_v2``: a class name's words."""
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", words).lower()


def is_target_update_name(name: str) -> bool:
    """``soft_update``, ``_momentum_update_key_encoder``, ``sync_target``, ``_dequeue_and_enqueue``."""
    words, pairs = _name_words(name)
    return bool(
        words & _TARGET_UPDATE_WORDS
        or pairs & _TARGET_UPDATE_PAIRS
        or words & {"update", "sync", "copy"}
        and words & _TARGET_UPDATE_OBJECTS
    )


def draws_noise(statement: ast.AST) -> bool:
    """``z.normal_()``: a local name filled with fresh noise in place (sampling, when a model runs on it)."""
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Call)
        and isinstance(statement.value.func, ast.Attribute)
        and statement.value.func.attr in _RANDOM_FILLS
        and isinstance(statement.value.func.value, ast.Name)
    )


def is_update(statement: ast.AST) -> bool:
    """Whether a statement updates tensors in place: ``p.copy_(q)``, ``p.data = ...``, ``p.grad = g``, or a loop
    or branch made only of such updates (the shape of target-network copies and EMA updates)."""
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
        func = statement.value.func
        return (
            isinstance(func, ast.Attribute)
            and func.attr not in _NOT_UPDATES
            and (_in_place(func.attr) or func.attr in _UPDATE_METHODS)
        )
    if isinstance(statement, (ast.Assign, ast.AugAssign)):
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        return all(isinstance(t, ast.Attribute) and t.attr in ("data", "grad") for t in targets)
    if isinstance(statement, (ast.For, ast.If)):
        body = [s for s in [*statement.body, *statement.orelse] if not _is_bookkeeping(s)]
        return bool(body) and all(is_update(s) for s in body)
    return False


def writes_grad(statement: ast.stmt) -> bool:
    """``p.grad = g``, ``p.grad.data += s * g``, ``p.grad.zero_()``: a statement writing a parameter's gradient."""
    if isinstance(statement, (ast.Assign, ast.AugAssign)):
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
    elif isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call) and is_update(statement):
        targets = [statement.value.func]
    else:
        return False
    return any(isinstance(n, ast.Attribute) and n.attr == "grad" for t in targets for n in ast.walk(t))


# the words naming a second set of weights, which an update on the training step keeps outside the loss graph
_SECOND_WEIGHTS = _TARGET_UPDATE_WORDS | _TARGET_UPDATE_OBJECTS | {"avg"}


def names_second_weights(node: ast.AST) -> bool:
    """Whether an expression names a target network, an average or a teacher (``accumulate(g_ema, g)``,
    ``copy_params(self.critic_target, self.critic)``), not the trained weights (``master_params_to_model_params(
    self.model_params, self.master_params)``)."""
    names = [
        n.id if isinstance(n, ast.Name) else n.attr for n in ast.walk(node) if isinstance(n, (ast.Name, ast.Attribute))
    ]
    return any(_name_words(snake_case(name))[0] & _SECOND_WEIGHTS for name in names)


def _is_bookkeeping(statement: ast.AST) -> bool:
    """Statements an update block may hold besides updates: local names, ``pass``, asserts."""
    if isinstance(statement, ast.Assign):
        return all(isinstance(t, (ast.Name, ast.Tuple)) for t in statement.targets)
    return isinstance(statement, (ast.Pass, ast.Assert, ast.Continue))


@dataclass
class FunctionFlow:
    """What one function (or the module body, ``name == ""``) does with gradients."""

    node: ast.AST
    name: str  # scope name: "Model.forward"; "" for the module body
    edges: list[tuple[ast.AST, set[str], set[str]]] = field(default_factory=list)
    backward_reads: set[str] = field(default_factory=set)
    backward_nodes: list[ast.AST] = field(default_factory=list)
    grad_nodes: list[ast.Call] = field(default_factory=list)  # torch.autograd.grad calls
    returns: list[ast.AST] = field(default_factory=list)
    owner: str = ""  # the class a method belongs to, as a scope name
    calls: list[tuple[ast.Call, Any]] = field(default_factory=list)  # calls to functions of this module, by scope name
    steps_optimizer: bool = False
    step_lines: list[int] = field(default_factory=list)  # lines of .backward() and optimizer.step()
    mode_switches: list[tuple[int, str]] = field(
        default_factory=list
    )  # (line, "eval" or "train") of model.eval()/.train()
    env_steps: list[ast.Call] = field(default_factory=list)  # `env.step(action)`: acting in an environment
    # `buf.finish_path(v)`, `rollouts.compute_returns(next_value, ...)`: data handed to a rollout the loss reads back
    rollout_calls: list[ast.Call] = field(default_factory=list)
    loops: list[tuple[int, int]] = field(default_factory=list)  # the line ranges of its loops
    training: bool = False
    in_optimizer: bool = False  # a method of an optimizer class: the update rule, not a loss
    forward: bool = False  # a module's forward: `forward`, a Keras layer's `call`, a Flax or Haiku `__call__`
    sinks: set[str] = field(default_factory=set)  # names whose value reaches the loss
    called: set[str] = field(default_factory=set)  # names (and `self.x`) it calls: models and functions, not data
    saved: set[str] = field(default_factory=set)  # names it saves: `torch.save(ckpt, path)`
    records: list[ast.Assign] = field(default_factory=list)  # its dicts assigned to one name: `ckpt = {...}`

    @property
    def short_name(self) -> str:
        return self.name.rsplit(".", 1)[-1]

    @property
    def is_root(self) -> bool:
        """On a training path by itself: it steps, backpropagates, is a loss or a forward."""
        if self.in_optimizer:
            return False
        if self.backward_nodes or self.steps_optimizer:
            return True
        if is_eval_name(self.short_name):
            return False
        return self.named_loss or self.short_name == "forward" or self.forward

    @property
    def named_loss(self) -> bool:
        """Named as a loss (``td_loss``), or the ``__call__`` of a class named as one (``ComputeLoss``)."""
        if self.short_name == "__call__" and self.owner and self.name == f"{self.owner}.__call__":
            owner = snake_case(self.owner.rsplit(".", 1)[-1])
            return bool(_LOSS_NAME.search(owner)) and not keeps_values(owner)  # not a `LossLogger`
        return bool(_LOSS_NAME.search(self.short_name.lower()))

    @property
    def loss_returns(self) -> list[ast.AST]:
        """What the function returns into the loss: for a loss function returning a tuple, the
        first element (``return loss, (kl, logs)``: the rest is auxiliary output)."""
        if not self.named_loss:
            return self.returns
        return [r.elts[0] if isinstance(r, ast.Tuple) and r.elts else r for r in self.returns]

    @property
    def calls_eval(self) -> bool:
        return any(mode == "eval" for _, mode in self.mode_switches)

    def in_eval_mode(self, line: int) -> bool:
        """Whether the last ``.eval()``/``.train()`` switch above ``line`` in the source is ``.eval()``."""
        before = [switch for switch in self.mode_switches if switch[0] < line]
        if not before or max(before)[1] != "eval":
            return False
        start = max(before)[0]
        end = min([at for at, mode in self.mode_switches if mode == "train" and at > start], default=10**9)
        # a teacher put in eval mode while a student trains below it: still training
        return not any(start < at < end for at in self.step_lines)

    @cached_property
    def step_loops(self) -> list[tuple[int, int]]:
        """The line ranges of the loops that hold a training step (``.backward()``, ``optimizer.step()``)."""
        return [(start, end) for start, end in self.loops if any(start <= line <= end for line in self.step_lines)]

    def runs_once(self, line: int) -> str | None:
        """``"before"`` or ``"after"`` when the training steps of this function run in loops and ``line``
        is in none of them (set up once before the training loop, or after it); else None. A function
        with a step outside every loop is one training step (a GAN's step: D's steps in a loop, then
        G's), called once per iteration: nothing in it runs once."""
        if not self.step_loops or any(start <= line <= end for start, end in self.step_loops):
            return None
        if any(not any(start <= at <= end for start, end in self.loops) for at in self.step_lines):
            return None
        return "before" if line < min(start for start, _ in self.step_loops) else "after"

    def derived_from(self, names: set[str]) -> set[str]:
        """``names`` and every name whose value is computed from them, by a fixed point over the assignments."""
        derived = set(names)
        changed = bool(derived)
        while changed:
            changed = False
            for _, written, read in self.edges:
                if read & derived and not written <= derived:
                    derived |= written
                    changed = True
        return derived

    def updated_in_steps(self, names: set[str]) -> bool:
        """Whether one of ``names`` is assigned inside a loop that holds a training step."""
        return any(
            written & names and any(start <= node.lineno <= end for start, end in self.step_loops)
            for node, written, _ in self.edges
            if hasattr(node, "lineno")
        )

    def acts_with(self, names: set[str]) -> bool:
        """Whether a value computed from ``names`` is the action sent to an environment (``env.step(action)``)."""
        if not self.env_steps or not names:
            return False
        derived = self.derived_from(names)
        return any(read_names(argument) & derived for call in self.env_steps for argument in call.args)

    def written_by(self, statement: ast.AST) -> set[str]:
        return next((w for node, w, _ in self.edges if node is statement), set())

    def assigned_in(self, nodes: set[ast.AST]) -> set[str]:
        """Names the statements among ``nodes`` bind by assignment (in-place updates left out)."""
        return set().union(*(w for node, w, _ in self.edges if node in nodes and not is_update(node)))

    def reaches_loss(self, names: set[str]) -> bool:
        return bool(names & self.sinks)

    @property
    def loss_roots(self) -> list[ast.AST]:
        """The expressions that are the loss: ``.backward()`` calls and gradients taken; without a
        ``.backward()``, also what a function named as a loss returns (R1's penalty, computed from
        ``torch.autograd.grad``); else what the function returns."""
        if self.backward_nodes:
            return [*self.backward_nodes, *self.grad_nodes]
        if self.grad_nodes:
            return [*self.grad_nodes, *(self.loss_returns if self.named_loss else [])]
        return self.loss_returns

    def reaches_loss_in_order(self, start: ast.stmt, names: set[str], code: CodeModule) -> bool:
        """Whether the value ``start`` binds to ``names`` still reaches the loss where the function binds those
        names again (a name reused for the critic's fakes and the image sheet's); narrows :meth:`reaches_loss`."""
        if not isinstance(self.node, (*FUNCTIONS, ast.Module)) or not names:
            return True
        roots = self.loss_roots
        handed: dict[ast.stmt, set[str]] = {}
        for root in roots:
            handed.setdefault(code.enclosing_statement(root), set()).update(read_names(root))
        edges = {node: (written - self.called, read) for node, written, read in self.edges}
        saved = {node for node in self.records if written_names(node.targets[0]) <= self.saved}
        return reaches_in_order(
            self.node.body,
            start,
            names - self.called,
            lambda statement: handed.get(statement, set()),
            edges.get,
            lambda node: not is_update(node) and node not in saved,
        )

    def in_sink(self, node: ast.AST, code: CodeModule) -> bool:
        """Whether ``node`` is part of an expression that is the loss itself."""
        roots = self.loss_roots
        return any(ancestor in roots for ancestor in (node, *code.ancestors(node)))


# the method that is a module's forward in frameworks other than torch: Keras `call`, Flax and Haiku `__call__`
_FORWARDS = {"tensorflow": "call", "keras": "call", "tf_keras": "call", "flax": "__call__", "haiku": "__call__"}


def _is_module_class(code: CodeModule, node: ast.ClassDef) -> bool:
    return any((code.qualified_name(base) or "").split(".", 1)[0] in _FORWARDS for base in node.bases)


def _is_optimizer_class(code: CodeModule, node: ast.ClassDef) -> bool:
    names = [code.qualified_name(base) or ast.unparse(base) for base in node.bases]
    return any(name.endswith("Optimizer") for name in names)


class ModuleFlow:
    """The functions of one file, their training roles and their data flow."""

    def __init__(
        self, code: CodeModule, without_grad: Collection[ast.AST] = (), in_no_grad_block: Collection[ast.AST] = ()
    ) -> None:
        """``without_grad``: definitions decorated to run without gradients (``@no_grad``);
        ``in_no_grad_block``: definitions whose work is one ``no_grad`` block, after guards."""
        self.code = code
        self.without_grad = without_grad
        self.in_no_grad_block = in_no_grad_block
        self.functions: dict[str, FunctionFlow] = {"": FunctionFlow(code.tree, "")}
        # every definition's node: a name defined twice (a notebook cell run again, an
        # if/else pair) is one flow read from both bodies
        self.by_node: dict[ast.AST, FunctionFlow] = {code.tree: self.functions[""]}
        # In a notebook each cell's top-level code is a scope of its own: a cell that calls
        # .backward() trains, the cell after it that samples or evaluates does not, and a
        # name reused from cell to cell does not carry data flow between them.
        self.cell_flows = [FunctionFlow(code.tree, "") for _ in code.cells]
        self.functions.update((f"cell {index}", cell) for index, cell in enumerate(self.cell_flows, start=1))
        self._differentiated: list[tuple[FunctionFlow, ast.Name]] = []
        self._module_classes: set[str] = set()  # classes of Keras, Flax or Haiku modules, by scope name
        self._built: dict[tuple[str, str], str] = {}  # (scope, name) -> what was called to make it
        self._read_all()
        for flow in self.functions.values():
            flow.forward = (
                flow.owner in self._module_classes
                and flow.name == f"{flow.owner}.{flow.short_name}"
                and flow.short_name in ("call", "__call__")
            )
        for flow in self.functions.values():
            flow.calls = [(call, callee) for call, func in flow.calls if (callee := self.resolve(flow, func))]
            _keep_dict_updates(flow)
        self._mark_training()

    def scope_of(self, node: ast.AST) -> FunctionFlow:
        function = self.code.enclosing_function(node)
        if function is None:
            return self._top_level(node)
        return self.by_node.get(function, self.functions[""])

    def _top_level(self, node: ast.AST) -> FunctionFlow:
        """The scope of module-level code: the module, or in a notebook the node's cell."""
        if not self.cell_flows or not hasattr(node, "lineno"):
            return self.functions[""]
        return self.cell_flows[self.code.cell_of(node.lineno)]

    def _read_all(self) -> None:
        """One pass over the tree: each node read into the function it belongs to."""
        # each entry: a node and its context (flow, prefix, owner, optimizer), one tuple per scope
        stack: list[tuple[ast.AST, tuple[FunctionFlow | None, str, str, bool]]] = [
            (child, (self._top_level(child), "", "", False)) for child in reversed(self.code.tree.body)
        ]
        while stack:
            node, context = stack.pop()
            if isinstance(node, FUNCTIONS):
                _, prefix, owner, optimizer = context
                name = f"{prefix}.{node.name}" if prefix else node.name
                inner = self.functions.setdefault(name, FunctionFlow(node, name, owner=owner, in_optimizer=optimizer))
                self.by_node[node] = inner
                inner_context = (inner, name, owner, optimizer)
                stack.extend([(child, inner_context) for child in reversed(node.body)])
                continue
            if isinstance(node, ast.ClassDef):
                _, prefix, owner, optimizer = context
                name = f"{prefix}.{node.name}" if prefix else node.name
                class_context = (None, name, name, optimizer or _is_optimizer_class(self.code, node))
                if _is_module_class(self.code, node):
                    self._module_classes.add(name)
                stack.extend([(child, class_context) for child in reversed(node.body)])
                continue
            if isinstance(node, ast.Lambda):
                continue
            flow = context[0]
            if flow is not None and isinstance(node, _READ):
                self._read_node(flow, node)
            # the order nodes are read in does not matter: every fact is a set or sorted later
            stack.extend([(child, context) for child in child_nodes(node)])

    def _read_node(self, flow: FunctionFlow, node: ast.AST) -> None:
        if isinstance(node, ast.Call):
            self._read_call(flow, node)
        elif isinstance(node, (ast.stmt, ast.withitem)):
            if isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
                flow.loops.append((node.lineno, node.end_lineno or node.lineno))
            edge = _edge(node)
            if edge is not None:
                flow.edges.append((node, *edge))
                if isinstance(node, ast.Assign) and len(node.targets) == 1 and _makes_dict(node.value):
                    flow.records.append(node)
                if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                    self._note_built(flow, node.targets, node.value.func)
            elif isinstance(node, ast.Return) and node.value is not None:
                flow.returns.append(node.value)

    def _read_call(self, flow: FunctionFlow, call: ast.Call) -> None:
        func = call.func
        method = func.attr if isinstance(func, ast.Attribute) else ""
        name = self.code.call_name(call) or "" if method in ("backward", "grad", "value_and_grad") else ""
        receiver = ast.unparse(func.value).lower() if method in _RECEIVER_METHODS else ""  # type: ignore[attr-defined]
        if method in ("backward", "manual_backward"):
            flow.backward_nodes.append(call)
            flow.backward_reads |= read_names(call)
            flow.step_lines.append(call.lineno)
        elif call.args and (
            method in _MINIMIZERS and _OPTIMIZER.search(receiver) or method == "gradient" and "tape" in receiver
        ):
            # TensorFlow: `optimizer.minimize(loss, var_list=...)`, `tape.gradient(loss, variables)`: the
            # first argument is the loss
            flow.backward_nodes.append(call)
            flow.backward_reads |= read_names(call.args[0])
            flow.step_lines.append(call.lineno)
        elif name in _GRAD_TRANSFORMS and call.args and isinstance(call.args[0], ast.Name):
            self._differentiated.append((flow, call.args[0]))  # `jax.value_and_grad(loss_fn)`: loss_fn is a loss
        elif name == "torch.autograd.grad":  # a gradient taken, not necessarily a training step (guidance, penalties)
            flow.grad_nodes.append(call)
        elif method in ("step", "apply_gradients") and _OPTIMIZER.search(receiver):
            flow.steps_optimizer = True
            flow.step_lines.append(call.lineno)
        elif method == "step" and call.args and "env" in ast.unparse(func.value).lower():  # type: ignore[attr-defined]
            flow.env_steps.append(call)
        elif method in ("eval", "train") and not call.args:
            flow.mode_switches.append((call.lineno, method))
        elif method and (call.args or call.keywords) and _is_rollout(func.value):  # type: ignore[attr-defined]
            flow.rollout_calls.append(call)
        if isinstance(func, ast.Name) or isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            flow.calls.append((call, func))  # resolved once every function is known
        if isinstance(func, ast.Name) or _is_self_attribute(func):
            flow.called.add(func.id if isinstance(func, ast.Name) else f"self.{func.attr}")  # type: ignore[attr-defined]
        called = func.id if isinstance(func, ast.Name) else method
        if (
            call.args
            and isinstance(call.args[0], ast.Name)
            and ("save" in called.lower() or called in ("dump", "dumps"))
        ):
            flow.saved.add(call.args[0].id)  # `torch.save(ckpt, path)`, `save_checkpoint(state)`

    def resolve(self, flow: FunctionFlow, func: ast.AST) -> str | None:
        """The scope name of the function of this module that ``func`` calls, if known."""
        if isinstance(func, ast.Name):
            parts = flow.name.split(".") if flow.name else []
            for depth in range(len(parts), -1, -1):
                # a class body is no enclosing scope: `update_moving_average(...)` inside the method
                # `BYOL.update_moving_average` calls the module's function, not the method itself
                if depth and ".".join(parts[:depth]) not in self.functions:
                    continue
                candidate = ".".join([*parts[:depth], func.id])
                if candidate in self.functions:
                    return candidate
            return None
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in ("self", "cls"):
            return self._method_of(flow.owner, func.attr) if flow.owner else None
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            built = self._built.get((flow.name, func.value.id)) or self._built.get(("", func.value.id))
            if built in self._classes:  # `averager = ema(G, G_ema); averager.update()`
                candidate = f"{built}.{func.attr}"
                return candidate if candidate in self.functions else None
            if func.attr in _BUILTIN_METHODS:
                return None  # `record.update(kwargs)` is a dict's, whatever class here has an `update`
            return self._methods.get(func.attr)  # `agent.get_value(x)`: a method name only one class here defines
        return None

    def _method_of(self, owner: str, method: str) -> str | None:
        """``self.label_and_sample_proposals(...)`` in a subclass: the method of the class or of a base class of
        this file that defines it, nearest first."""
        seen: set[str] = set()
        pending = [owner]
        while pending:
            current = pending.pop(0)
            if current in seen:
                continue
            seen.add(current)
            if f"{current}.{method}" in self.functions:
                return f"{current}.{method}"
            pending += self._bases.get(current, [])
        return None

    @cached_property
    def _bases(self) -> dict[str, list[str]]:
        """Module-level class -> its bases that are classes of this file, by name."""
        classes = {node.name: node for node in self.code.tree.body if isinstance(node, ast.ClassDef)}
        return {
            name: [b.id for b in node.bases if isinstance(b, ast.Name) and b.id in classes]
            for name, node in classes.items()
        }

    def _note_built(self, flow: FunctionFlow, targets: list[ast.expr], func: ast.expr) -> None:
        """``name = Class(...)``: the object ``name`` holds in this scope, for resolving its method calls."""
        if len(targets) == 1 and isinstance(targets[0], ast.Name) and isinstance(func, ast.Name):
            self._built[(flow.name, targets[0].id)] = func.id

    @cached_property
    def _classes(self) -> frozenset[str]:
        """The classes of this file, by scope name: the owners of its methods."""
        return frozenset(flow.owner for flow in self.functions.values() if flow.owner)

    @cached_property
    def _methods(self) -> dict[str, str]:
        """Method name -> its scope name, for the names exactly one class of this file defines."""
        by_name: dict[str, list[str]] = {}
        for name, flow in self.functions.items():
            if flow.owner and name == f"{flow.owner}.{flow.short_name}":
                by_name.setdefault(flow.short_name, []).append(name)
        return {
            method: names[0] for method, names in by_name.items() if len(names) == 1 and not method.startswith("__")
        }

    def _mark_training(self) -> None:
        # a function that runs wholly without gradients is no loss by its name alone
        # (`@no_grad def split_loss`): only a caller on a training path can put it on one
        pending = [flow for flow in self.functions.values() if flow.is_root and not self._named_root_without_grad(flow)]
        pending += [
            self.functions[callee] for flow, name in self._differentiated if (callee := self.resolve(flow, name))
        ]
        for flow in pending:
            flow.training = True
        while pending:
            while pending:
                flow = pending.pop()
                self._close_sinks(flow)
                for call, callee in flow.calls:
                    target = self.functions[callee]
                    if not target.training and not self._metric(target) and self._feeds_loss(flow, call):
                        target.training = True
                        pending.append(target)
            pending = self._handed_to_training()
            for flow in pending:
                flow.training = True

    def _handed_to_training(self) -> list[FunctionFlow]:
        """``wanted = soft_td_target(policy, slow_a, slow_b, batch); critic.fit(wanted, batch)`` in a
        loop that does not train itself: a function whose result its caller hands to a training function of
        the file computes what that loss is fitted to."""
        found = []
        for flow in self.functions.values():
            trained = [call for call, callee in flow.calls if self.functions[callee].training]
            if not trained:
                continue
            handed = set().union(
                *(read_names(a) for call in trained for a in [*call.args, *(k.value for k in call.keywords)])
            )
            for call, callee in flow.calls:
                target = self.functions[callee]
                if target.training or self._metric(target) or is_eval_name(target.short_name) or target in found:
                    continue
                written = flow.written_by(self.code.enclosing_statement(call))
                if written and flow.derived_from(written) & handed:
                    found.append(target)
        return found

    @cached_property
    def target_updaters(self) -> frozenset[str]:
        """Functions that update target networks, EMA weights or queues: named so (``soft_update``,
        ``_momentum_update_key_encoder``), or run without gradients from a training function and
        writing tensors or the object's state in place."""
        from_training = {callee for flow in self.functions.values() if flow.training for _, callee in flow.calls}
        return frozenset(
            name
            for name, flow in self.functions.items()
            if name
            and not flow.training
            and not flow.in_optimizer
            and (
                is_target_update_name(flow.short_name)
                or self._updates_average(flow)
                or flow.node in self.without_grad
                and name in from_training
                and writes_state(flow.node)
            )
        )

    def _updates_average(self, flow: FunctionFlow) -> bool:
        """A method of an EMA or target-network class (``ema.update``) that is not its set-up or copying."""
        if not flow.owner or flow.name != f"{flow.owner}.{flow.short_name}" or flow.short_name.startswith("__"):
            return False
        words = _name_words(flow.short_name)[0]
        return (
            is_target_update_class(flow.owner.rsplit(".", 1)[-1])
            and not is_setup_name(flow.short_name)
            and not words & _SWAPS
        )

    def _metric(self, flow: FunctionFlow) -> bool:
        """``@torch.no_grad() def accuracy(...)``: a metric stays one when its value is kept beside the losses."""
        return flow.node in self.without_grad and is_metric_name(flow.short_name)

    def _named_root_without_grad(self, flow: FunctionFlow) -> bool:
        """``@torch.no_grad() def split_loss``, ``def reduce_loss_dict(d): if world < 2: return d; with
        torch.no_grad(): ...``: a function running wholly without gradients is no loss by its name."""
        wholly = flow.node in self.without_grad or flow.node in self.in_no_grad_block
        return wholly and not (flow.backward_nodes or flow.steps_optimizer)

    def _close_sinks(self, flow: FunctionFlow) -> None:
        """Every name whose value flows into the loss, by a fixed point over the assignments."""
        if flow.backward_nodes or flow.grad_nodes:
            # a gradient's outputs and the weights it is taken with (`grad_outputs=`) are both the loss
            sinks = flow.backward_reads | set().union(*(read_names(g) for g in flow.grad_nodes))
            if not flow.backward_nodes and flow.named_loss:  # `def d_r1_loss(...)`: returns the penalty
                sinks |= set().union(*(read_names(r) for r in flow.loss_returns))
        else:
            sinks = set().union(*(read_names(r) for r in flow.loss_returns))
        # a name the function calls (`model(X, Y)`) holds a model or a function, not data: what built or
        # loaded it (`model = Transformer(ModelArgs(**checkpoint["model_args"]))`) is not the loss
        called = flow.called
        # `ckpt = {"best_fitness": best_fitness, ...}; torch.save(ckpt, last)`: a checkpoint written out is no
        # input of the loss, even where the same name held the checkpoint loaded to resume from
        saved = {node for node in flow.records if written_names(node.targets[0]) <= flow.saved}
        changed = True
        while changed:
            changed = False
            for node, written, read in flow.edges:
                # what is copied into parameters in place (weight normalisation, EMA) is not the loss
                if written & sinks - called and not read <= sinks and not is_update(node) and node not in saved:
                    sinks |= read
                    changed = True
        flow.sinks = sinks

    def _feeds_loss(self, flow: FunctionFlow, call: ast.Call) -> bool:
        if flow.in_sink(call, self.code):
            return True
        statement = self.code.enclosing_statement(call)
        return flow.reaches_loss(flow.written_by(statement))


def writes_state(function: ast.AST) -> bool:
    """Whether a function updates tensors in place or writes into its object's state (``self.queue[:, i] = k``)."""
    for node in own_nodes(function):
        if is_update(node):
            return True
        if isinstance(node, (ast.Assign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Subscript) and _is_self_attribute(t.value) for t in targets):
                return True
            # `self.center = self.center * m + batch_center * (1 - m)`: a running statistic
            if any(_is_self_attribute(t) and f"self.{t.attr}" in read_names(node.value) for t in targets):  # type: ignore[attr-defined]
                return True
    return False
