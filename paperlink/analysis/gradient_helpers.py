"""Gradient stops through the project's own helpers: a call to a function whose body, as a whole, stops.

``toggle_grad(D, False)``, ``freeze(encoder)``, ``polyak_update(online, target, tau)``,
``self._momentum_update_key_encoder()``, ``agent.act(state)`` (``act`` under
``@torch.no_grad()``), ``model.apply(weights_init)``: each call is a stop where it is written,
and names the helper. A helper is *direct*: it is decorated to run without gradients, its
body is one ``no_grad`` block, it only freezes parameters (``p.requires_grad = False``, or a
flag it is passed: ``toggle_grad(model, on)``) or initialises them through ``.data``, it
only returns a stopped value (``def sg(x): return x.detach()``), it writes gradients
(``clip_gradients``), or, off every training path, it runs a model under ``no_grad`` among other
work (``sample_sheet``, ``validate``). Thin wrappers of helpers are helpers. A function on a
training path that merely holds a stop among other work (a training step with a ``no_grad``
target) is not one: its stop is reported where it is written.

Calls within a file are resolved by the module's flow; calls that may reach other files of the
project (:mod:`~paperlink.analysis.gradient_calls`) are recorded as :class:`HelperCall` and
resolved when concluding.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass, replace

from paperlink.analysis.gradient_contexts import (
    Context,
    FunctionFlow,
    ModuleFlow,
    is_eval_name,
    is_metric_name,
    is_setup_name,
    is_update,
    keeps_values,
    writes_grad,
    writes_state,
)
from paperlink.analysis.gradient_stops import FREEZES, Found, made_without_gradient
from paperlink.source.code import FUNCTIONS, CodeModule
from paperlink.spans import Span

__all__ = [
    "Helper",
    "HelperCall",
    "call_context",
    "find_helpers",
    "flag_sites",
    "literal_flags",
]

_BOOKKEEPING_CALLS = frozenset({"eval", "train"})
_THIN = 3  # the statements a wrapper of helpers may have besides asserts: make a copy, freeze it, return it


@dataclass(frozen=True)
class Helper:
    """A function of a file whose body, as a whole, stops gradients."""

    name: str  # its scope name: "polyak_update", "Agent.act"
    span: Span  # its definition
    context: str  # the context of its own stop
    freeze: bool = False  # it freezes parameters
    updates: bool = False  # it updates parameters in place (a copy, an initialisation)
    flag: int = -1  # it freezes through its parameter at this position (`toggle_grad(model, on)`); -1: none
    flag_name: str = ""
    flag_sites: tuple[Span, ...] = ()  # where it sets `requires_grad` to its flag: stops when called with False
    grads: bool = False  # it writes parameters' gradients (a regulariser added to `.grad`): part of the step
    # a method run without gradients that updates its object's running state (`AdaptiveAugment.tune`):
    # a target update where it is called on the training step
    statistic: bool = False


@dataclass(frozen=True)
class HelperCall:
    """A call that may reach a helper of another file of the project, with what its context would be."""

    span: Span
    targets: tuple[str, ...]  # the qualified names it may call: "stable_baselines3.common.utils.polyak_update"
    function: str  # the scope the call sits in
    what: str  # "polyak_update(...)"
    point: str  # its context as a stop of its own at this place
    freeze: str  # its context as a freeze at this place
    update: str  # its context as an in-place update of parameters at this place
    setup_scope: bool  # it sits in a function named for initialisation, loading, ...
    # its context as a write into parameters' gradients (zeroing, clipping, a regulariser): part of any
    # training step, before its loop too (gradients zeroed before the micro-batches); "": as a freeze
    grad_write: str = ""
    # it runs once before the training loop of its function (`update_ema(ema, model, decay=0)`: the first copy)
    before_loop: bool = False
    flags: tuple[tuple[str, bool], ...] = ()  # literal booleans passed: ("1", False) by position, ("on", True)
    # what documents it, read only where it passes a literal False (a freeze through a flag)
    justification: str | None = None
    statement_annotations: tuple[Span, ...] = ()
    scope_annotations: tuple[Span, ...] = ()


def call_context(helper: Helper, call: HelperCall) -> str | None:
    """The context of a call to ``helper``; None when the call stops nothing (``toggle_grad(D, True)``)."""
    if helper.flag >= 0:
        passed = dict(call.flags)
        value = passed.get(str(helper.flag), passed.get(helper.flag_name))
        return call.freeze if value is False else None
    if helper.grads:
        return call.grad_write or call.freeze  # on a training step it is training, as a freeze there is
    if helper.context == Context.TARGET_UPDATE:
        return Context.SETUP if call.setup_scope or call.before_loop else Context.TARGET_UPDATE
    if helper.statistic and call.point in (Context.TRAINING, Context.TARGET_UPDATE):
        # its state feeds the next steps' loss (an adaptive probability); acting stays acting
        return Context.TARGET_UPDATE
    if helper.freeze:
        return call.freeze
    if helper.updates:
        return call.update  # a copy into a target network in the training loop, an initialisation before it
    if helper.context == Context.SETUP:
        return Context.SETUP
    if helper.context == Context.EVALUATION and is_metric_name(helper.name.rsplit(".", 1)[-1]):
        return Context.EVALUATION  # `accuracy(...)` stored beside the losses is still a metric
    if call.point in (Context.TRAINING, Context.TARGET_UPDATE) or helper.context != Context.EVALUATION:
        return call.point
    return Context.EVALUATION


def find_helpers(
    code: CodeModule, flow: ModuleFlow, found: Sequence[Found], contexts: Sequence[str | None]
) -> list[Helper]:
    """The direct helpers among the file's functions, from the stops found in it and their contexts."""
    by_function: dict[ast.AST, list[tuple[Found, str]]] = {}
    for candidate, context in zip(found, contexts):
        if context is None:
            continue
        owner = candidate.decorated or code.enclosing_function(candidate.node)
        if owner is not None:
            by_function.setdefault(owner, []).append((candidate, context))
    helpers = []
    for function in flow.functions.values():
        node = function.node
        if isinstance(node, FUNCTIONS):
            helper = _helper(code, function, node, by_function.get(node, []))
            if helper is None and function.name in flow.target_updaters and by_function.get(node):
                # `ModelEMA.update`: v *= d; v += (1 - d) * msd[k].detach(): calling it updates the average
                helper = Helper(function.name, code.span(node), Context.TARGET_UPDATE)
            if helper is not None and helper.context == Context.EVALUATION and _running_statistic(flow, function):
                helper = replace(helper, statistic=True)
            if helper is not None:
                helpers.append(helper)
    flagged = {
        flow.by_node[function].name: flow.by_node[function]
        for node in flag_sites(code)
        if (function := code.enclosing_function(node)) in flow.by_node
    }
    flag_helpers = [h for h in (_flag_helper(code, f) for f in flagged.values()) if h is not None]
    known = {h.name for h in helpers}
    helpers += [h for h in flag_helpers if h.name not in known]
    known |= {h.name for h in flag_helpers}
    helpers += [
        Helper(name, code.span(node), Context.TRAINING)
        for node in grad_switches(code)
        if (name := flow.by_node[node].name) not in known
    ]
    return helpers + _wrappers(code, flow, {h.name: h for h in helpers})


def grad_switches(code: CodeModule) -> list[ast.FunctionDef]:
    """``@contextlib.contextmanager def no_weight_gradients(): global disabled; old = disabled; disabled = True;
    yield; disabled = old``, where the ``backward`` of a custom autograd Function of the file tests ``disabled``
    before computing a gradient: a context manager switching a gradient off for its block (StyleGAN's fused ops)."""
    if "contextmanager" not in code.text or "backward" not in code.text:
        return []
    tested = _tested_in_backward(code)
    found = []
    for node in code.tree.body:
        if not isinstance(node, ast.FunctionDef) or not any(
            code.qualified_name(d) == "contextlib.contextmanager" for d in node.decorator_list
        ):
            continue
        declared = {name for s in node.body if isinstance(s, ast.Global) for name in s.names}
        yields = [i for i, s in enumerate(node.body) if isinstance(s, ast.Expr) and isinstance(s.value, ast.Yield)]
        before = node.body[: yields[0]] if yields else []
        switched = {
            t.id
            for s in before
            if isinstance(s, ast.Assign) and isinstance(s.value, ast.Constant) and isinstance(s.value.value, bool)
            for t in s.targets
            if isinstance(t, ast.Name)
        }
        if switched & declared & tested:
            found.append(node)
    return found


def _tested_in_backward(code: CodeModule) -> set[str]:
    """The module-level names tested in ``if`` conditions of the ``backward`` of the file's custom autograd
    Functions (``if ctx.needs_input_grad[1] and not weight_gradients_disabled:``), nested ones included."""
    names: set[str] = set()
    for node in ast.walk(code.tree):
        if isinstance(node, ast.ClassDef) and any(code.qualified_name(b) in _FUNCTION_BASES for b in node.bases):
            for method in node.body:
                if isinstance(method, FUNCTIONS) and method.name == "backward":
                    names |= {
                        n.id
                        for test in ast.walk(method)
                        if isinstance(test, ast.If)
                        for n in ast.walk(test.test)
                        if isinstance(n, ast.Name)
                    }
    return names


_FUNCTION_BASES = frozenset({"torch.autograd.Function", "torch.autograd.function.Function"})


def _running_statistic(flow: ModuleFlow, function: FunctionFlow) -> bool:
    """``@torch.no_grad() def tune(self, real_pred): self.buf += ...; self.p = min(1, self.p + step)``: a method
    run without gradients that updates its object's state (a running statistic, an adaptive probability);
    not a metric's, an evaluation's nor a set-up's."""
    return (
        function.node in flow.without_grad
        and bool(function.owner)
        and function.name == f"{function.owner}.{function.short_name}"
        and not function.short_name.startswith("__")
        and not is_eval_name(function.short_name)
        and not is_setup_name(function.short_name)
        and not keeps_values(function.owner.rsplit(".", 1)[-1])
        and writes_state(function.node)
    )


def _wrappers(code: CodeModule, flow: ModuleFlow, helpers: dict[str, Helper]) -> list[Helper]:
    """Thin wrappers of helpers, to a fixed point: ``def update_moving_average(self): assert ...;
    update_moving_average(self.ema, self.target, self.online)`` is a target update wherever it is called."""
    found: list[Helper] = []
    changed = True
    while changed:
        changed = False
        for function in flow.functions.values():
            node = function.node
            if isinstance(node, FUNCTIONS) and function.name not in helpers:
                wrapper = _wrapper(code, function, node, helpers)
                if wrapper is not None:
                    helpers[wrapper.name] = wrapper
                    found.append(wrapper)
                    changed = True
    return found


def _wrapper(
    code: CodeModule, function: FunctionFlow, node: ast.FunctionDef | ast.AsyncFunctionDef, helpers: dict[str, Helper]
) -> Helper | None:
    """A function whose work is only calls that stop through helpers, among bookkeeping and returning a name."""
    called = {call: helpers[callee] for call, callee in function.calls if callee in helpers}
    if not called:
        return None
    body = [s for s in _body(node) if not isinstance(s, ast.Assert)]
    if len(body) > _THIN:
        return None  # a function doing its own work (a `main` building a model, then evaluating it)
    inner: list[tuple[ast.Call, Helper]] = []
    returned: set[str] = set()
    for statement in body:
        value = statement.value if isinstance(statement, (ast.Expr, ast.Assign, ast.Return)) else None
        if isinstance(value, ast.Call) and value in called:
            inner.append((value, called[value]))
        elif isinstance(statement, ast.For) and not statement.orelse and _calls_only(statement.body, called):
            # `for rate, params in zip(self.ema_rate, self.ema_params): update_ema(params, src, rate=rate)`
            inner += [(s.value, called[s.value]) for s in statement.body]  # type: ignore[attr-defined]
        elif isinstance(statement, ast.Return) and isinstance(value, ast.Name):
            returned.add(value.id)
        elif not _bookkeeping(statement):
            return None
    stopping = [(call, helper) for call, helper in inner if helper.flag < 0 or _passes_false(call, helper)]
    if not stopping or len(stopping) < len(inner):
        return None
    call, helper = stopping[0]
    span = code.span(node)
    if helper.flag >= 0:
        frozen = call.args[0] if call.args else None
        if isinstance(frozen, ast.Name) and frozen.id in returned:
            return Helper(function.name, span, Context.SETUP)  # it builds and returns a frozen copy
        return Helper(function.name, span, Context.SETUP, freeze=True)
    return replace(helper, name=function.name, span=span, flag_sites=())


def _calls_only(body: list[ast.stmt], called: dict[ast.Call, Helper]) -> bool:
    return bool(body) and all(isinstance(s, ast.Expr) and s.value in called for s in body)


def _passes_false(call: ast.Call, helper: Helper) -> bool:
    passed = dict(literal_flags(call))
    return passed.get(str(helper.flag), passed.get(helper.flag_name)) is False


def _helper(
    code: CodeModule, function: FunctionFlow, node: ast.FunctionDef | ast.AsyncFunctionDef, own: list[tuple[Found, str]]
) -> Helper | None:
    if not own or function.in_optimizer:
        return None  # `optimizer.step()` of a project optimizer (LARS) applies the update: no stop to call
    span = code.span(node)
    for candidate, context in own:
        if candidate.decorated is node:
            return Helper(function.name, span, context)
    body = _body(node)
    regions = {candidate.region: context for candidate, context in own if candidate.region}
    if body and all(isinstance(s, (ast.With, ast.AsyncWith)) and tuple(s.body) in regions for s in body):
        updates = all(is_update(n) or _bookkeeping(n) for s in body for n in s.body)  # type: ignore[attr-defined]
        context = regions[tuple(body[0].body)]  # type: ignore[attr-defined]
        grads = context == Context.TRAINING and not function.training  # a step's gradient written outside a loss
        return Helper(function.name, span, context, updates=updates and not grads, grads=grads)
    freezes = [(c, context) for c, context in own if c.api in FREEZES]
    if freezes and body and all(_freezes(s) for s in body):
        return Helper(function.name, span, freezes[0][1], freeze=True)
    if freezes and function.name == f"{function.owner}.__init__" and _freezes_given(node, body):
        # `ema = ModelEMA(model)`: `self.ema = deepcopy(model).eval(); for p in self.ema.parameters():
        # p.requires_grad_(False)`: building the object freezes the model it is given, or its copy
        return Helper(function.name, span, Context.SETUP)
    # `p.data.normal_(0, 0.02)`, `p.detach().zero_()`: parameters written in place, outside autograd;
    # `def zero_module(module): for p in module.parameters(): p.detach().zero_(); return module`
    data = [context for c, context in own if c.kind == "data" or c.kind == "detach" and _updates_in_place(code, c)]
    work = body[:-1] if body and isinstance(body[-1], ast.Return) and isinstance(body[-1].value, ast.Name) else body
    if data and work and all(is_update(s) or _bookkeeping(s) for s in work) and any(is_update(s) for s in work):
        if all(_writes_grads(s) for s in work if is_update(s)):
            # `master[0].grad = flatten([p.grad.data.detach().float() for p in model_params])`: a step's gradient
            return Helper(function.name, span, Context.TRAINING, grads=True)
        return Helper(function.name, span, data[0], updates=True)
    returned = _returned_chains(body)
    if returned:
        # `def sg(x): return x.detach()`, `def to_np(t): if t is None: return None; return t.cpu().detach().numpy()`;
        # a method returning a detached part among others is no helper
        for candidate, context in own:
            if candidate.node in returned and not made_without_gradient(candidate.api):
                return Helper(function.name, span, context)  # a fresh `torch.randint(...)` cuts nothing
    return None if function.training else _off_training_path(code, function, span, own)


def _returned_chains(body: list[ast.stmt]) -> set[ast.AST]:
    """What a function made only of returns (under guards: ``if t is None: return None``) returns, with the
    method chains they end (``t.cpu().detach().numpy()`` holds ``t.cpu().detach()``); empty for any other."""
    values: list[ast.expr] = []

    def collect(statements: list[ast.stmt]) -> bool:
        for statement in statements:
            if isinstance(statement, ast.Return) and statement.value is not None:
                values.append(statement.value)
            elif isinstance(statement, ast.If):
                if not (collect(statement.body) and collect(statement.orelse)):
                    return False
            else:
                return False
        return True

    if not body or not collect(body):
        return set()
    return set().union(*(_chain(value) for value in values))


def _chain(value: ast.AST) -> list[ast.AST]:
    """An expression and the method chain it ends: ``t.cpu().detach().numpy()[0]`` holds ``t.cpu().detach()``."""
    chain = []
    node = value
    while True:
        chain.append(node)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            node = node.func.value
        elif isinstance(node, (ast.Attribute, ast.Subscript)):
            node = node.value
        else:
            return chain


def _off_training_path(
    code: CodeModule, function: FunctionFlow, span: Span, own: list[tuple[Found, str]]
) -> Helper | None:
    """A helper among a function's other work, where the function is on no training path."""
    if all(_on_grad(code, c) for c, _ in own) and (
        any(_writes_grad(code, c) for c, _ in own) or any(_writes_grads(s) for s in _body(function.node))  # type: ignore[arg-type]
    ):
        # `def clip_gradients(model, clip): ... p.grad.data.mul_(clip_coef)`, `def zero_grad(params): for p in
        # params: p.grad.detach_(); p.grad.zero_()`: part of the step where it is called
        return Helper(function.name, span, Context.TRAINING, grads=True)
    name = function.short_name
    if name.endswith("_") and not name.endswith("__") and any(c.region and ctx == Context.SETUP for c, ctx in own):
        # `def _no_grad_trunc_normal_(tensor, mean, std, a, b): ...checks...; with torch.no_grad():
        # tensor.uniform_(...)`: named as torch names an in-place initialiser, filling its argument
        return Helper(function.name, span, Context.SETUP)
    if (
        function.short_name != "main"  # a script's entry point is no helper
        and any(c.region and context == Context.EVALUATION for c, context in own)
    ):
        # sampling, metrics, standing statistics: a function off the training path that runs a model under
        # `no_grad` among other work (saving images, resetting statistics) is inference wherever it is called
        return Helper(function.name, span, Context.EVALUATION)
    return None


def _updates_in_place(code: CodeModule, found: Found) -> bool:
    """``p.detach().zero_()``: an in-place update of the tensor behind the detached view."""
    parent = code.parents.get(found.node)
    return isinstance(parent, ast.Attribute) and parent.attr.endswith("_") and not parent.attr.endswith("__")


def _writes_grad(code: CodeModule, found: Found) -> bool:
    """``p.grad.data.mul_(c)``, ``p.grad.data += g``: a stop whose statement writes a gradient."""
    statement = code.enclosing_statement(found.node)
    return (is_update(statement) or isinstance(statement, ast.AugAssign)) and _on_grad(code, found)


def _writes_grads(statement: ast.stmt) -> bool:
    """A statement, or a loop or branch of them, that writes parameters' gradients and only them."""
    if isinstance(statement, (ast.For, ast.If)):
        body = [s for s in [*statement.body, *statement.orelse] if not _bookkeeping(s)]
        return (
            bool(body)
            and all(_writes_grads(s) or _only_reads_grad(s) for s in body)
            and any(_writes_grads(s) for s in body)
        )
    return writes_grad(statement)


def _only_reads_grad(statement: ast.stmt) -> bool:
    """``p.grad.detach_()`` beside ``p.grad.zero_()``: an in-place stop on a gradient, no work of its own."""
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Call)
        and isinstance(statement.value.func, ast.Attribute)
        and any(isinstance(n, ast.Attribute) and n.attr == "grad" for n in ast.walk(statement.value.func.value))
        and statement.value.func.attr in ("detach_", "requires_grad_")
    )


def _on_grad(code: CodeModule, found: Found) -> bool:
    """A stop outside a block whose statement reads or writes a gradient (``p.grad.data.norm(2)``)."""
    statement = code.enclosing_statement(found.node)
    return not found.region and any(isinstance(n, ast.Attribute) and n.attr == "grad" for n in ast.walk(statement))


def _body(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.stmt]:
    """The statements that do the work: the docstring, ``pass`` and a bare ``return`` left out."""
    body = list(node.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    return [s for s in body if not isinstance(s, ast.Pass) and not (isinstance(s, ast.Return) and s.value is None)]


def _bookkeeping(statement: ast.stmt) -> bool:
    if isinstance(statement, ast.Assign):
        return all(isinstance(t, (ast.Name, ast.Tuple)) for t in statement.targets)
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
        func = statement.value.func
        return isinstance(func, ast.Attribute) and func.attr in _BOOKKEEPING_CALLS
    return isinstance(statement, (ast.Assert, ast.Continue))


def _freezes(statement: ast.stmt, flag: str | None = None) -> bool:
    """Whether a statement only sets ``requires_grad`` (to False, or to ``flag``), in loops and branches."""
    if isinstance(statement, (ast.For, ast.If)):
        body = [s for s in [*statement.body, *statement.orelse] if not _bookkeeping(s)]
        return bool(body) and all(_freezes(s, flag) for s in body)
    value = _requires_grad_value(statement)
    if value is None:
        return _bookkeeping(statement)
    if flag is None:
        return isinstance(value, ast.Constant) and value.value is False
    return isinstance(value, ast.Name) and value.id == flag


def _requires_grad_value(statement: ast.stmt) -> ast.expr | None:
    """What ``p.requires_grad = v`` or ``p.requires_grad_(v)`` sets; None for anything else."""
    if isinstance(statement, ast.Assign) and any(
        isinstance(t, ast.Attribute) and t.attr == "requires_grad" for t in statement.targets
    ):
        return statement.value
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
        call = statement.value
        if isinstance(call.func, ast.Attribute) and call.func.attr == "requires_grad_":
            return call.args[0] if call.args else next((k.value for k in call.keywords), None)
    return None


def flag_sites(code: CodeModule) -> list[ast.stmt]:
    """``p.requires_grad = on`` or ``p.requires_grad_(on)`` with a variable: a helper freezing through a flag."""
    if "requires_grad" not in code.text:
        return []
    return [
        node
        for node in code.parents
        if isinstance(node, (ast.Assign, ast.Expr)) and isinstance(_requires_grad_value(node), ast.Name)
    ]


def _flag_helper(code: CodeModule, function: FunctionFlow) -> Helper | None:
    """``def toggle_grad(model, on): for p in model.parameters(): p.requires_grad = on``."""
    node = function.node
    if not isinstance(node, FUNCTIONS):
        return None
    parameters = [a.arg for a in [*node.args.posonlyargs, *node.args.args]]
    if parameters[:1] in (["self"], ["cls"]):
        parameters = parameters[1:]
    body = _body(node)
    for index, parameter in enumerate(parameters):
        if body and all(_freezes(s, parameter) for s in body) and any(_sets_requires_grad(s) for s in body):
            sites = tuple(
                code.span(s.targets[0] if isinstance(s, ast.Assign) else s)
                for statement in body
                for s in ast.walk(statement)
                if isinstance(s, (ast.Assign, ast.Expr)) and _requires_grad_value(s) is not None
            )
            return Helper(
                function.name,
                code.span(node),
                Context.SETUP,
                freeze=True,
                flag=index,
                flag_name=parameter,
                flag_sites=sites,
            )
    return None


def _freezes_given(node: ast.FunctionDef | ast.AsyncFunctionDef, body: list[ast.stmt]) -> bool:
    """A constructor freezing every parameter of the module it is given or of a copy of it
    (``self.ema = deepcopy(model).eval()``, ``self.detr = detr`` then ``self.parameters()``); not one
    parameter (``self.head.weight_g.requires_grad = False``) nor a network it builds itself
    (``self.target_net = DQN(args)``: the object's own state, reported where it is frozen)."""
    given = {a.arg for a in [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs][1:]}
    copies = set(given)
    for statement in body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            names = {n.id for n in ast.walk(statement.value) if isinstance(n, ast.Name)}
            builds = any(isinstance(n, ast.Call) and _constructs(n.func) for n in ast.walk(statement.value))
            if names & given and not builds:
                copies.add(ast.unparse(statement.targets[0]))
    return any(_freezes_module(s, copies, len(copies) > len(given)) for s in body)


def _constructs(func: ast.expr) -> bool:
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
    return name[:1].isupper()


def _freezes_module(statement: ast.stmt, modules: set[str], holds_given: bool) -> bool:
    """``for p in self.ema.parameters(): p.requires_grad_(False)`` over one of ``modules`` (under a branch, or
    by name), or over ``self.parameters()`` once the object holds a given module."""
    if isinstance(statement, ast.If):
        return any(_freezes_module(s, modules, holds_given) for s in statement.body)
    if not (
        isinstance(statement, ast.For)
        and isinstance(statement.iter, ast.Call)
        and isinstance(statement.iter.func, ast.Attribute)
        and statement.iter.func.attr in ("parameters", "named_parameters")
        and _freezes(statement)
    ):
        return False
    owner = ast.unparse(statement.iter.func.value)
    return owner in modules or owner == "self" and holds_given


def _sets_requires_grad(statement: ast.stmt) -> bool:
    return any(isinstance(s, ast.stmt) and _requires_grad_value(s) is not None for s in ast.walk(statement))


def literal_flags(call: ast.Call) -> tuple[tuple[str, bool], ...]:
    """The literal booleans a call passes, by position (as a string) and by keyword."""
    flags = [
        (str(i), a.value) for i, a in enumerate(call.args) if isinstance(a, ast.Constant) and isinstance(a.value, bool)
    ]
    flags += [
        (k.arg, k.value.value)
        for k in call.keywords
        if k.arg and isinstance(k.value, ast.Constant) and isinstance(k.value.value, bool)
    ]
    return tuple(flags)
