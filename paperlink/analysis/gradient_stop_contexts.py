"""The context of one gradient stop: training, target update, evaluation, setup or unknown.

:func:`stop_context` decides where a stop found in a file sits, from the module's flow
(:mod:`~paperlink.analysis.gradient_contexts`): whether its value reaches the loss of a
training function, whether it runs once around the training loop, acts in an environment,
updates a target network in place, freezes parameters, or only feeds monitoring. The rules
are listed, with examples, in docs/gradients.md.
"""

from __future__ import annotations

import ast

from paperlink.analysis.gradient_contexts import (
    Context,
    FunctionFlow,
    ModuleFlow,
    is_eval_name,
    is_metric_name,
    is_setup_name,
    draws_noise,
    keeps_values,
    is_update,
    names_second_weights,
    own_nodes,
    read_names,
    snake_case,
    written_names,
    writes_grad,
    writes_rollout,
)
from paperlink.analysis.gradient_stops import CONVERSIONS, ENABLE_GRAD, FREEZES, TF_VARIABLES, Found
from paperlink.source.code import FUNCTIONS, CodeModule

__all__ = ["apply_sites", "freeze_context", "in_update_rule", "retensorized", "stop_context", "update_context"]


_TENSOR_MAKERS = frozenset(
    {
        "torch.tensor",
        "torch.as_tensor",
        "torch.from_numpy",
        "torch.Tensor",
        "torch.FloatTensor",
        "torch.scalar_tensor",
    }
)


_SCALARS = frozenset({"item", "float"})
_SIZES = frozenset({"nelement", "numel", "size", "shape", "dim", "ndim", "ndimension"})
# stops that read a value (rather than freeze or update): off a training path, inference
_READS = frozenset({"no_grad", "inference_mode", "set_grad_enabled", "detach", "data"})


_INDEX_FUNCTIONS = frozenset(
    "int range arange zeros ones empty full randint randperm split tensor_split view reshape expand repeat narrow "
    "new_zeros new_ones new_empty".split()
)


def _freezes_a_copy(found: Found, code: CodeModule) -> bool:
    """``copy.deepcopy(module).eval().requires_grad_(False)``: what is frozen is a fresh copy, never the
    trained module itself."""
    node: ast.AST | None = found.node
    while isinstance(node, (ast.Call, ast.Attribute)):
        if isinstance(node, ast.Call) and code.call_name(node) in ("copy.deepcopy", "copy.copy"):
            return True
        node = node.func if isinstance(node, ast.Call) else node.value
    return False


def _copy_context(found: Found, code: CodeModule, scope: FunctionFlow, once: str | None) -> str:
    """A frozen copy: made before the loop it is a target network or a teacher (setup); on the training step it
    replaces a target network where its name says so (``target = deepcopy(q).requires_grad_(False)``), else it is
    a snapshot to save, sample from or evaluate."""
    if not scope.training or once is not None:
        return Context.EVALUATION if once == "after" or is_eval_name(scope.short_name) else Context.SETUP
    statement = code.enclosing_statement(found.node)
    targets = statement.targets if isinstance(statement, ast.Assign) else []
    return Context.TARGET_UPDATE if any(names_second_weights(t) for t in targets) else Context.EVALUATION


def freeze_context(scope: FunctionFlow, once: str | None) -> str:
    """Freezing a critic for the actor's step, a discriminator for the generator's: on the training path."""
    if scope.training and once is None:
        return Context.TRAINING
    return Context.EVALUATION if is_eval_name(scope.short_name) else Context.SETUP


def stop_context(
    found: Found, code: CodeModule, flow: ModuleFlow, decorated: set[ast.FunctionDef | ast.AsyncFunctionDef]
) -> str | None:
    """Where ``found`` sits; None when it is no stop at all (a conversion that never reaches a loss)."""
    if found.decorated is not None:
        function = flow.by_node[found.decorated]
        if function.in_optimizer:  # `@torch.no_grad() def step(self)` of a project optimizer (LARS)
            return Context.TARGET_UPDATE if function.short_name == "step" else Context.SETUP
        if function.training or _assigns_targets(function):
            return Context.TRAINING
        if function.name in flow.target_updaters:
            return Context.TARGET_UPDATE
        return Context.SETUP if is_setup_name(function.short_name) or _updates(found.region) else Context.EVALUATION
    if found.kind == "autograd_function":
        return _applied_context(found, code, flow)
    scope = flow.scope_of(found.node)
    if found.phased and not _switched_by_caller(scope):
        return Context.EVALUATION  # `set_grad_enabled(phase == "train")` stops only outside training
    once = scope.runs_once(found.node.lineno) if scope.training else None
    if found.kind in CONVERSIONS:
        if scope.in_optimizer and scope.short_name == "step":
            # `k = self.state["k"].item(); lamb = lr * math.pow(k + 1, 0.5); s.add_(grad, alpha=lamb)`
            return Context.TARGET_UPDATE if found.kind in _SCALARS and _feeds_update(found, code, scope) else None
        if not scope.training or _is_index(found, code) or not _reaches_loss(found, code, scope):
            return None
        # an array or a list cannot enter a tensor loss unless it becomes a tensor again
        if not (found.kind in _SCALARS or retensorized(found, code, scope)):
            return None
        return _once_context(found, code, scope, once)
    if found.kind == "requires_grad" and found.api in FREEZES:
        if _freezes_a_copy(found, code):
            return _copy_context(found, code, scope, once)
        return freeze_context(scope, once)
    if found.api in TF_VARIABLES:
        # a variable declared outside the trained ones: state, built with the graph; an optimizer's own
        # (`m = tf.get_variable(name + "/adam_m", ..., trainable=False)` in `apply_gradients`) is its slot
        # state, as a buffer is a module's: no stop
        return None if scope.in_optimizer else Context.SETUP
    if scope.in_optimizer:
        # an optimizer's `step` updates the parameters and its own running state outside the loss graph;
        # the state it builds on first use (`if len(state) == 0: state["exp_avg"] = torch.zeros_like(p.data)`)
        # and its other methods set it up
        if scope.short_name == "step" and not _initialises_state(found, code):
            return Context.TARGET_UPDATE
        return Context.SETUP
    if _makes_leaf(found, code):
        if scope.training and _reaches_loss(found, code, scope):
            # `real_img.detach().requires_grad_(do_r1)` in D's step: R1's input, whose gradient is the penalty
            return _once_context(found, code, scope, once)
        return Context.SETUP
    if _writes_gradients(found, code, scope):
        return _once_context(found, code, scope, once) if scope.training else Context.TRAINING
    updates = _is_setup_site(found, code) and not _updates_activation(found, code, scope)
    if updates and scope.training and once is None and _constrains(found, code, scope):
        return Context.TRAINING  # WGAN's weight clipping: a projection of the trained weights, part of the step
    if updates and not found.region:
        return update_context(scope, flow, once)
    if not found.region and writes_rollout(code.enclosing_statement(found.node)) and _trains_on_rollouts(flow, scope):
        return Context.TRAINING  # `rollouts.rewards[step] = discr.predict_reward(...)`: GAIL's rewards, for the returns
    if scope.acts_with(_stopped_names(found, code, scope)):
        return Context.EVALUATION  # the action sent to an environment: acting, not the loss
    if scope.training and not scope.in_eval_mode(found.node.lineno) and _reaches_loss(found, code, scope):
        return _once_context(found, code, scope, once)
    if once is None and _trains_on_rollouts(flow, scope) and _stored_for_training(found, code, scope):
        return Context.TRAINING  # `_, v, _ = ac.step(o); buf.finish_path(v)`: a bootstrap value for the returns
    if not updates and _passed_to_training(found, code, scope, flow) and not _evaluates(scope, decorated):
        return _once_context(found, code, scope, once) if scope.training else Context.TRAINING
    if updates:
        if scope.training and scope.reaches_loss(_updated_in(found, code, scope)):
            return _once_context(found, code, scope, once)  # a local mask scaled in place, then used
        return update_context(scope, flow, once)
    copied = _copied_into(found, code, scope)
    if copied is not None:
        # `w = online.weight.data.clone(); target.weight.copy_(w)`: a read feeding an in-place update is that update
        return stop_context(Found(copied, found.kind, found.api, found.what), code, flow, decorated)
    if scope.name in flow.target_updaters or _feeds_priorities(found, code) or _carries_average(found, code, scope):
        return Context.TARGET_UPDATE
    if scope.training or _counts(found, code):
        return Context.EVALUATION  # on a training path, but the value only feeds monitoring
    if scope.node in decorated or scope.calls_eval or is_eval_name(scope.short_name):
        return Context.EVALUATION
    if is_setup_name(scope.short_name) or _in_place_name(scope.short_name):
        return Context.SETUP
    if found.kind == "stop_gradient":
        # JAX and TensorFlow keep no graph unless a gradient is taken: a `stop_gradient` in model code
        # (blockwise attention's running maximum) is there for the differentiated loss that calls it
        return Context.TRAINING
    # off every training path and updating nothing: running a model without gradients is inference
    return Context.EVALUATION if found.kind in _READS else Context.UNKNOWN


# target assignment: matching predictions to ground truth, labelling proposals or anchors, pseudo-labels
_ASSIGNMENT_WORDS = frozenset("match matcher matching assign assigner assignment assignments label labels".split())


def _assigns_targets(function: FunctionFlow) -> bool:
    """``class HungarianMatcher(nn.Module): @torch.no_grad() def forward(self, outputs, targets)``, ``@torch.no_grad()
    def get_assignments(...)``: target assignment runs without gradients and decides what the loss supervises."""
    names = [function.short_name, *([snake_case(function.owner.rsplit(".", 1)[-1])] if function.owner else [])]
    if is_metric_name(function.short_name) or set(function.short_name.lower().split("_")) & _DISPLAYS:
        return False  # `plot_labels`, `log_matches`: labels looked at, not assigned
    return any(set(name.lower().split("_")) & _ASSIGNMENT_WORDS for name in names)


_DISPLAYS = frozenset("plot show draw visualize visualise save print".split())


def _in_place_name(name: str) -> bool:
    """``trunc_normal_(tensor, std)``: torch's convention for a function that fills its argument in place."""
    return name.endswith("_") and not name.endswith("__")


def _feeds_update(found: Found, code: CodeModule, scope: FunctionFlow) -> bool:
    """Whether a converted value flows into an in-place update of the function (``s.add_(grad, alpha=lamb)``)."""
    derived = scope.derived_from(scope.written_by(code.enclosing_statement(found.node)))
    return bool(derived) and any(read & derived for node, _, read in scope.edges if is_update(node))


def _initialises_state(found: Found, code: CodeModule) -> bool:
    """``if len(state) == 0: state["exp_avg"] = torch.zeros_like(p.data).detach()``, ``if "s" not in state:
    ...``: an optimizer's per-parameter state built on its first step, under a test of that state."""
    statement = code.enclosing_statement(found.node)
    if not (isinstance(statement, ast.Assign) and all(isinstance(t, ast.Subscript) for t in statement.targets)):
        return False
    states = {ast.unparse(t.value) for t in statement.targets if isinstance(t, ast.Subscript)}
    for ancestor in code.ancestors(statement):
        if isinstance(ancestor, ast.If) and _tests_emptiness(ancestor.test, states):
            return True
        if isinstance(ancestor, FUNCTIONS):
            break
    return False


def _tests_emptiness(test: ast.expr, states: set[str]) -> bool:
    """``len(state) == 0``, ``not state``, ``"k" not in state``: a test that ``state`` is yet unfilled."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return ast.unparse(test.operand) in states
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return False
    left, right, op = test.left, test.comparators[0], test.ops[0]
    if isinstance(op, ast.NotIn):
        return ast.unparse(right) in states
    return (
        isinstance(op, ast.Eq)
        and isinstance(left, ast.Call)
        and isinstance(left.func, ast.Name)
        and left.func.id == "len"
        and len(left.args) == 1
        and ast.unparse(left.args[0]) in states
        and isinstance(right, ast.Constant)
        and right.value == 0
    )


def in_update_rule(found: Found, code: CodeModule, flow: ModuleFlow) -> bool:
    """A stop in the update rule rather than the loss: an optimizer's ``step``, a write into ``.grad``, a
    constraint projecting the weights after the step (``p.data.clamp_(-c, c)``)."""
    if found.decorated is not None:
        return flow.by_node[found.decorated].in_optimizer
    scope = flow.scope_of(found.node)
    return scope.in_optimizer or _writes_gradients(found, code, scope) or _constrains(found, code, scope)


# in-place projections of a tensor onto a set: a constraint on the weights (WGAN's clipping, a max-norm)
_PROJECTIONS = frozenset({"clamp_", "clip_", "renorm_"})


def _constrains(found: Found, code: CodeModule, scope: FunctionFlow) -> bool:
    """``for p in netD.parameters(): p.data.clamp_(-c, c)``: every update the stop makes projects the trained
    weights in place, reading no other weights (a target update mixes in a second set: ``p_t.copy_(p)``)."""
    statements = (
        [n for s in found.region for n in own_nodes(s)] if found.region else [code.enclosing_statement(found.node)]
    )
    updates = [
        s for s in statements if isinstance(s, ast.stmt) and is_update(s) and not isinstance(s, (ast.For, ast.If))
    ]
    locals_: dict[str, list[ast.expr]] = {}
    # the values local names hold: bound in the block, or anywhere in the function for one statement
    for s in statements if found.region else own_nodes(scope.node):
        if isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], ast.Name):
            locals_.setdefault(s.targets[0].id, []).append(s.value)
    return bool(updates) and all(
        isinstance(s, ast.Expr)
        and isinstance(s.value, ast.Call)
        and isinstance(s.value.func, ast.Attribute)
        and (s.value.func.attr in _PROJECTIONS or _from_itself(code, s.value, locals_))
        for s in updates
    )


def _from_itself(code: CodeModule, update: ast.Call, locals_: dict[str, list[ast.expr]]) -> bool:
    """``w = proto.weight.data.clone(); w = F.normalize(w, dim=1); proto.weight.copy_(w)``: an in-place update
    whose value is computed from the updated tensor alone (a clustering head's centroids renormalised), through local names."""
    target = _weights(update.func)
    target = target.rsplit(".", 1)[0]  # less the method: `proto.weight`
    pending = [*update.args, *(k.value for k in update.keywords)]
    seen: set[str] = set()
    found = False
    while pending:
        for read in _data_reads(code, pending.pop()):
            if isinstance(read, ast.Name):
                if read.id in seen:
                    continue
                if read.id not in locals_:
                    return False  # a value from outside the block: another network's weights, a parameter
                seen.add(read.id)
                pending += locals_[read.id]
            elif not _weights(read).startswith(target):
                return False
            else:
                found = True
    return found


def _data_reads(code: CodeModule, node: ast.AST) -> list[ast.expr]:
    """The names and outermost attribute chains ``node`` reads as data: what it calls is left out
    (``F.normalize(w)`` reads ``w``; ``proto.weight.data.clone()`` reads ``proto.weight.data``)."""
    found: list[ast.expr] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, ast.Call):
            func = current.func
            # a method's receiver is read (`x.clone()`); an imported function is not (`F.normalize(w)`)
            if isinstance(func, ast.Attribute) and code.qualified_name(func) is None:
                stack.append(func.value)
            stack.extend([*current.args, *(k.value for k in current.keywords)])
        elif isinstance(current, (ast.Attribute, ast.Name)):
            found.append(current)
        else:
            stack.extend(ast.iter_child_nodes(current))
    return found


def _weights(node: ast.AST) -> str:
    """``proto.weight.data`` -> ``proto.weight``: the tensor a chain reads, less ``.data``."""
    return ast.unparse(node).split(".data", 1)[0]


def _updates_activation(found: Found, code: CodeModule, scope: FunctionFlow) -> bool:
    """``fake.data = fake.data.mul(0.5).add(0.5)``: ``.data`` written on a name that only ever holds what a
    model or function of the scope returned (``fake = netG(noise)``), a value rather than weights."""
    if found.region:
        return False
    statement = code.enclosing_statement(found.node)
    if not (isinstance(statement, ast.Assign) and len(statement.targets) == 1):
        return False
    target = statement.targets[0]
    if not (isinstance(target, ast.Attribute) and target.attr == "data" and isinstance(target.value, ast.Name)):
        return False
    name = target.value.id
    bindings = [
        n for n in own_nodes(scope.node) if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Store)
    ]
    # an object of a class of this file (`new_obj = Distribution(self); new_obj.data = ...`) is no model's output
    classes = {node.name for node in code.tree.body if isinstance(node, ast.ClassDef)}
    return bool(bindings) and all(_bound_to_a_result(code.parents.get(b), b, scope, classes) for b in bindings)


def _bound_to_a_result(statement: ast.AST | None, target: ast.Name, scope: FunctionFlow, classes: set[str]) -> bool:
    return (
        isinstance(statement, ast.Assign)
        and target in statement.targets
        and isinstance(statement.value, ast.Call)
        and isinstance(statement.value.func, ast.Name)
        and statement.value.func.id in scope.called
        and statement.value.func.id not in classes
    )


def _switched_by_caller(scope: FunctionFlow) -> bool:
    """``with torch.set_grad_enabled(train_G):`` in a module's ``forward``, which steps nothing itself: its
    caller switches the gradient off for one part of a training step (G's output in D's step)."""
    # a loss shared by both phases (`def compute_loss(model, batch, is_train)`) keeps the phase reading
    forward = scope.short_name == "forward" or scope.forward
    return forward and scope.training and not (scope.backward_nodes or scope.steps_optimizer)


def _writes_gradients(found: Found, code: CodeModule, scope: FunctionFlow) -> bool:
    """``param.grad.data += strength * grad`` under ``no_grad``: a regulariser or a clip written into the
    gradients, part of the training step whatever function holds it; so is reading a gradient
    (``p.grad.data.norm(2)``) in a function that writes one."""
    if found.region:
        return any(writes_grad(n) for s in found.region for n in own_nodes(s) if isinstance(n, ast.stmt))
    statement = code.enclosing_statement(found.node)
    if writes_grad(statement):
        return True
    reads = any(isinstance(n, ast.Attribute) and n.attr == "grad" for n in ast.walk(statement))
    return reads and any(writes_grad(n) for n in own_nodes(scope.node) if isinstance(n, ast.stmt))


def _stored_for_training(found: Found, code: CodeModule, scope: FunctionFlow) -> bool:
    """A stopped value handed to a rollout buffer that is not the action sent to the environment:
    ``_, v, _ = ac.step(o); buf.finish_path(v)``, ``next_value = critic(obs).detach();
    rollouts.compute_returns(next_value, gamma)``: the bootstrap value of the returns the loss fits."""
    if not scope.rollout_calls:
        return False
    names = _stopped_names(found, code, scope)
    statement = code.enclosing_statement(found.node)
    if not names and isinstance(statement, ast.Assign):  # `ac.step(o)`: an environment-like boundary for the flow
        names = set().union(*(written_names(t) for t in statement.targets)) - {"_"}
    derived = scope.derived_from(names)
    if not derived or scope.acts_with(names):
        return False
    return any(
        read_names(argument) & derived
        for call in scope.rollout_calls
        for argument in [*call.args, *(k.value for k in call.keywords)]
    )


# what a rollout computes from its data for the loss: the returns and advantages the update fits
_RETURN_WORDS = frozenset("return returns advantage advantages gae".split())


def _passed_to_training(found: Found, code: CodeModule, scope: FunctionFlow, flow: ModuleFlow) -> bool:
    """``self.update_actor(obs.detach(), step)``, ``with torch.no_grad(): next_obs = self.encoder(next_obs)``
    then ``self.update_critic(obs, action, reward, next_obs)``: a stopped value handed to a function of the
    file on a training path (an image encoder's output detached from the actor's loss; the critic's target input)."""
    trained = [call for call, callee in scope.calls if flow.functions[callee].training]
    if not trained:
        return False
    arguments = [(call, [*call.args, *(k.value for k in call.keywords)]) for call in trained]
    around = set(code.ancestors(found.node))
    if any(argument is found.node or argument in around for _, values in arguments for argument in values):
        return True
    names = scope.derived_from(_stopped_names(found, code, scope))
    return bool(names) and any(read_names(argument) & names for _, values in arguments for argument in values)


def _evaluates(scope: FunctionFlow, decorated: set[ast.FunctionDef | ast.AsyncFunctionDef]) -> bool:
    return scope.node in decorated or scope.calls_eval or is_eval_name(scope.short_name)


def _copied_into(found: Found, code: CodeModule, scope: FunctionFlow) -> ast.stmt | None:
    """The in-place update of tensors (``target.weight.copy_(w)``, ``p.data = w``) that the value a read stop
    binds (``w = online.weight.data.clone()``) flows into, in its function; None when there is none."""
    if found.region or found.kind not in ("data", "detach"):
        return None
    statement = code.enclosing_statement(found.node)
    if is_update(statement):
        return None
    names = scope.derived_from(scope.written_by(statement))
    parent = code.parents.get(statement)
    blocks: list[list[ast.stmt]] = [getattr(parent, f, None) or [] for f in ("body", "orelse", "finalbody")]
    block = next((b for b in blocks if statement in b), [])
    if not names or not block:
        return None
    # the statements after it in its own block: `w` bound again in another block is another value
    after = {node for s in block[block.index(statement) + 1 :] for node in own_nodes(s)}
    return next(
        (
            node
            for node, _, read in scope.edges
            if node in after and isinstance(node, ast.stmt) and is_update(node) and read & names
        ),
        None,
    )


def _trains_on_rollouts(flow: ModuleFlow, scope: FunctionFlow) -> bool:
    """A function that trains, calls a training function of the file, or computes the returns of its rollouts."""
    return (
        scope.training or any(flow.functions[callee].training for _, callee in scope.calls) or _computes_returns(scope)
    )


def _computes_returns(scope: FunctionFlow) -> bool:
    """``rollouts.compute_returns(next_value, gamma, ...)``: a loop collecting experience and computing the
    returns an update in another file trains on (``agent.update(rollouts)``), a training loop."""
    return any(
        isinstance(call.func, ast.Attribute) and set(call.func.attr.lower().split("_")) & _RETURN_WORDS
        for call in scope.rollout_calls
    )


def _counts(found: Found, code: CodeModule) -> bool:
    """``p.data.nelement()``: the storage read only for its size (a parameter count for a print)."""
    parent = code.parents.get(found.node)
    return found.kind == "data" and isinstance(parent, ast.Attribute) and parent.attr in _SIZES


def _once_context(found: Found, code: CodeModule, scope: FunctionFlow, once: str | None) -> str:
    """A stop on a training path: before the training loop, a constant computed once is setup
    (the initial value of what the loop updates is not); after it, evaluation."""
    if once is None:
        return Context.TRAINING
    if once == "after":
        return Context.EVALUATION
    return Context.TRAINING if scope.updated_in_steps(_stopped_names(found, code, scope)) else Context.SETUP


def _updated_in(found: Found, code: CodeModule, scope: FunctionFlow) -> set[str]:
    """The names a no_grad block updates in place (``keep_mask.mul_(scale)``)."""
    nodes = set(_region_nodes(found, code)) if found.region else {code.enclosing_statement(found.node)}
    return set().union(*(written for node, written, _ in scope.edges if node in nodes and is_update(node)))


def _carries_average(found: Found, code: CodeModule, scope: FunctionFlow) -> bool:
    """``path_mean = mean_path_length + decay * (path_lengths.mean() - mean_path_length)`` returned as
    ``path_mean.detach()``: a running average of a value passed in (or of the object's state), carried to
    the next step as a constant: a running statistic, updated outside the loss graph."""
    if found.kind != "detach" or not isinstance(found.node, ast.Call) or not isinstance(found.node.func, ast.Attribute):
        return False
    receiver = found.node.func.value
    if not isinstance(scope.node, FUNCTIONS):
        return False
    previous = {a.arg for a in [*scope.node.args.posonlyargs, *scope.node.args.args, *scope.node.args.kwonlyargs]}
    if isinstance(receiver, ast.Name):
        values = [
            node.value
            for node in own_nodes(scope.node)
            if isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == receiver.id for t in node.targets)
        ]
        return len(values) == 1 and _running_average(values[0], previous)
    return _running_average(receiver, previous)


def _running_average(value: ast.AST, previous: set[str]) -> bool:
    """``m + d * (x - m)`` or ``m * d + x * (1 - d)``, ``m`` a value passed in or the object's state."""

    def is_previous(node: ast.AST) -> bool:
        return isinstance(node, ast.Name) and node.id in previous or ast.unparse(node).startswith("self.")

    if not (isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add)):
        return False
    for first, second in ((value.left, value.right), (value.right, value.left)):
        if is_previous(first) and any(
            isinstance(n, ast.BinOp) and isinstance(n.op, ast.Sub) and ast.unparse(n.right) == ast.unparse(first)
            for n in ast.walk(second)
        ):
            return True  # m + d * (x - m)
    products = [o for o in (value.left, value.right) if isinstance(o, ast.BinOp) and isinstance(o.op, ast.Mult)]
    return (
        len(products) == 2
        and any(is_previous(side) for product in products for side in (product.left, product.right))
        and any(
            isinstance(n, ast.BinOp)
            and isinstance(n.op, ast.Sub)
            and isinstance(n.left, ast.Constant)
            and n.left.value in (1, 1.0)
            for n in ast.walk(value)
        )
    )


def _feeds_priorities(found: Found, code: CodeModule) -> bool:
    """``memory.update_priorities(idxs, loss.detach())``, ``self.schedule_sampler.update_with_local_losses(t,
    losses["loss"].detach())``: a replay memory's priorities or a loss-aware sampler's history, state updated
    outside the loss graph from the step's losses (not a metric's ``meter.update(loss.detach())``)."""
    for ancestor in code.ancestors(found.node):
        if isinstance(ancestor, ast.stmt):
            return False
        if isinstance(ancestor, ast.Call) and isinstance(ancestor.func, ast.Attribute):
            method = ancestor.func.attr.lower()
            if "priorit" in method:
                return True
            words = [w for w in method.split("_") if w]
            receiver = ancestor.func.value
            owner = receiver.attr if isinstance(receiver, ast.Attribute) else getattr(receiver, "id", "")
            if "update" in words and len(words) > 1 and not keeps_values(owner) and not is_metric_name(owner):
                return True
    return False


def update_context(scope: FunctionFlow, flow: ModuleFlow, once: str | None) -> str:
    """An in-place update of parameters: a target network, EMA or queue updated on the training
    step, or weights initialised, loaded or copied once."""
    if scope.name in flow.target_updaters:
        return Context.TARGET_UPDATE
    if is_setup_name(scope.short_name):
        return Context.SETUP
    return Context.TARGET_UPDATE if scope.training and once is None else Context.SETUP


def _stopped_names(found: Found, code: CodeModule, scope: FunctionFlow) -> set[str]:
    """The names a stop's value is bound to: what its block assigns, or its statement's targets."""
    if found.region:
        return scope.assigned_in(set(_region_nodes(found, code)))
    return scope.written_by(code.enclosing_statement(found.node))


def _makes_leaf(found: Found, code: CodeModule) -> bool:
    """``x.detach().requires_grad_()``: a new leaf to take gradients at (guidance, input gradients)."""
    if found.kind != "detach":
        return False
    node = found.node
    for _ in range(3):
        parent = code.parents.get(node) if node is not None else None
        if not isinstance(parent, ast.Attribute):
            return False
        if parent.attr == "requires_grad_":
            return True
        node = code.parents.get(parent)
    return False


def _is_index(found: Found, code: CodeModule) -> bool:
    """A conversion that feeds a size or an index (``int(t.item())``, ``x[: n.item()]``) is no gradient path."""
    parent = code.parents.get(found.node)
    if isinstance(parent, ast.Call):
        func = parent.func
        called = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if called in _INDEX_FUNCTIONS:
            return True
    return any(isinstance(a, ast.Slice) for a in code.ancestors(found.node))


def _is_setup_site(found: Found, code: CodeModule) -> bool:
    """Copies and in-place updates of parameters: target networks, EMA teachers, weight init."""
    if found.region:
        return _updates(found.region)
    return is_update(code.enclosing_statement(found.node))


def _updates(region: tuple[ast.stmt, ...]) -> bool:
    statements = [n for s in region for n in own_nodes(s) if isinstance(n, ast.stmt)]
    if any(isinstance(s, ast.Return) for s in statements):
        return False
    updates = [s for s in statements if is_update(s)]
    # `z.normal_(); net(z)`: noise drawn for a model to run on is sampling; `tensor.normal_(std=s)` alone initialises
    runs = any(isinstance(s, (ast.Expr, ast.Assign)) and not is_update(s) and _calls(s) for s in statements)
    return bool(updates) and not (runs and all(draws_noise(s) for s in updates))


def _calls(statement: ast.stmt) -> bool:
    return isinstance(getattr(statement, "value", None), ast.Call)


def _region_nodes(found: Found, code: CodeModule) -> list[ast.AST]:
    """The nodes a no_grad-like stop covers, minus the blocks inside it that re-enable gradients."""
    nodes = [node for statement in found.region for node in own_nodes(statement)]
    enabled = {
        inner
        for node in nodes
        if isinstance(node, (ast.With, ast.AsyncWith)) and any(_enables(code, item.context_expr) for item in node.items)
        for inner in ast.walk(node)
    }
    return [node for node in nodes if node not in enabled]


def _enables(code: CodeModule, expression: ast.AST) -> bool:
    target = expression.func if isinstance(expression, ast.Call) else expression
    return code.qualified_name(target) in ENABLE_GRAD


def _reaches_loss(found: Found, code: CodeModule, scope: FunctionFlow) -> bool:
    """Whether the stopped value flows into the loss of its (training) function."""
    if found.region:
        nodes = _region_nodes(found, code)
        if any(scope.in_sink(node, code) for node in nodes if isinstance(node, ast.Return)):
            return True
        written = scope.assigned_in(set(nodes))
        return scope.reaches_loss(written) and scope.reaches_loss_in_order(found.region[-1], written, code)
    if scope.in_sink(found.node, code):
        return True
    statement = code.enclosing_statement(found.node)
    if isinstance(statement, (ast.If, ast.While, ast.Assert)):  # a test is control flow, not data flow
        return False
    written = scope.written_by(statement)
    if not scope.reaches_loss(written):
        return False
    # `fake = netG(Variable(fixed_noise, volatile=True))` for the image sheet, in a loop whose critic step
    # binds `fake` again before reading it: the name reaches the loss, this value does not
    compound = isinstance(statement, (ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.If, ast.Try))
    return compound or scope.reaches_loss_in_order(statement, written, code)


def _applied_context(found: Found, code: CodeModule, flow: ModuleFlow) -> str:
    """A custom autograd Function is on a training path where ``Name.apply`` is used on one."""
    return (
        Context.TRAINING if any(flow.scope_of(site).training for site in apply_sites(found, code)) else Context.UNKNOWN
    )


def apply_sites(found: Found, code: CodeModule) -> list[ast.AST]:
    name = found.api.split(".", 1)[0]
    return [
        node
        for node in ast.walk(code.tree)
        if isinstance(node, ast.Attribute)
        and node.attr == "apply"
        and isinstance(node.value, ast.Name)
        and node.value.id == name
    ]


def retensorized(found: Found, code: CodeModule, scope: FunctionFlow) -> bool:
    """Whether a converted value becomes a tensor again (``torch.tensor(x.item())``) on its way to the loss."""
    for ancestor in code.ancestors(found.node):
        if isinstance(ancestor, ast.stmt):
            break
        if code.call_name(ancestor) in _TENSOR_MAKERS:
            return True
    written = scope.written_by(code.enclosing_statement(found.node))
    for node in own_nodes(scope.node):
        if isinstance(node, ast.Call) and code.call_name(node) in _TENSOR_MAKERS:
            if any(isinstance(n, ast.Name) and n.id in written for arg in node.args for n in ast.walk(arg)):
                return True
    return False
