"""The gradient-stop analysis (PL201-PL206): every stop in the code, its context, its documentation.

``scan`` finds the stops of one file (:mod:`~paperlink.analysis.gradient_stops`), decides
their context (:mod:`~paperlink.analysis.gradient_contexts`) and records what documents them:
a justification directive on the statement, or the annotations bound to the statement and
to the definitions around it. ``conclude`` resolves those annotations to paper items
through the project's links, reports the undocumented stops, the reverse direction (a
paper item with a stop-gradient whose code has none, :mod:`~paperlink.analysis.gradient_paper`)
and builds the gradient-stop map of the JSON output.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from paperlink.analysis.base import Analysis, Conclusion, Project
from paperlink.analysis.gradient_contexts import (
    Context,
    FunctionFlow,
    ModuleFlow,
    is_eval_name,
    is_setup_name,
    is_update,
    own_nodes,
)
from paperlink.analysis.gradient_helpers import (
    Helper,
    HelperCall,
    applied_functions,
    call_context,
    find_helpers,
    flag_sites,
    helper_targets,
    literal_flags,
)
from paperlink.analysis.gradient_report import conclude_gradients
from paperlink.analysis.gradient_stops import CONVERSIONS, ENABLE_GRAD, FREEZES, Found, find_stops
from paperlink.analysis.module_graph import ImportGraph
from paperlink.source.code import CodeModule, module_name
from paperlink.spans import Span

__all__ = ["GradientStop", "GradientFacts", "GRADIENTS", "scan_gradients"]

_TRIGGERS = ("detach", "grad", ".data", "item(", "numpy(", "tolist(", "float(", "Function", "stop_gradient")
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
_JUSTIFICATION = "stop-grad"
_SCALARS = frozenset({"item", "float"})
_INDEX_FUNCTIONS = frozenset(
    "int range arange zeros ones empty full randint randperm split tensor_split view reshape expand repeat narrow "
    "new_zeros new_ones new_empty".split()
)


@dataclass(frozen=True)
class GradientStop:
    """One gradient stop with its context and what documents it (annotations still unresolved)."""

    span: Span
    kind: str  # detach, detach_, data, no_grad, inference_mode, set_grad_enabled, requires_grad, item, ...
    api: str  # the qualified name, or ".detach()" for tensor methods
    what: str  # how messages name it: "z2.detach()", "torch.no_grad() block"
    context: str  # training, target_update, evaluation, setup, unknown
    function: str  # the scope it sits in: "Model.forward"; "" at module level
    justification: str | None = None  # the reason of a `# paperlink: stop-grad <reason>` directive
    statement_annotations: tuple[Span, ...] = ()  # annotations bound to the statement itself
    scope_annotations: tuple[Span, ...] = ()  # annotations bound to a definition or block around it
    retensorized: bool = False  # a conversion turned back into a tensor before the loss
    update: bool = False  # `.data` written or updated in place (rather than read)
    freezes: bool = False  # a helper call that freezes parameters (`toggle_grad(D, False)`)


@dataclass(frozen=True)
class GradientFacts:
    """A file's gradient stops, its calls to functions of the same file that stop gradients, its
    helpers (functions whose body as a whole stops) and its calls that may reach another file's."""

    stops: tuple[GradientStop, ...] = ()
    stopping_calls: tuple[Span, ...] = ()
    helpers: tuple[Helper, ...] = ()
    helper_calls: tuple[HelperCall, ...] = ()


def scan_gradients(code: CodeModule) -> GradientFacts:
    """The gradient stops of one file, sorted by position."""
    found = []
    if any(trigger in code.text for trigger in _TRIGGERS):
        found = _one_data_per_statement(code, list(find_stops(code)))
    targets = helper_targets(code)
    if not found and not targets and not flag_sites(code):
        return GradientFacts()
    decorated = {f.decorated for f in found if f.decorated is not None}
    flow = ModuleFlow(code, without_grad=decorated)
    contexts = [_context(candidate, code, flow, decorated) for candidate in found]
    stops = [_stop(c, code, flow, context) for c, context in zip(found, contexts) if context is not None]
    helpers = find_helpers(code, flow, found, contexts)
    local, elsewhere = _helper_calls(code, flow, decorated, helpers, targets)
    stops += local
    stops.sort(key=lambda stop: (stop.span, stop.kind))
    return GradientFacts(tuple(stops), _stopping_calls(code, flow, stops), tuple(helpers), tuple(elsewhere))


def _helper_calls(
    code: CodeModule,
    flow: ModuleFlow,
    decorated: set[ast.FunctionDef | ast.AsyncFunctionDef],
    helpers: list[Helper],
    targets: dict[ast.Call, tuple[str, ...]],
) -> tuple[list[GradientStop], list[HelperCall]]:
    """Calls to this file's helpers, as stops; calls that may reach another file's, for the conclusion."""
    by_name = {helper.name: helper for helper in helpers}
    calls = [(call, callee) for function in flow.functions.values() for call, callee in function.calls]
    calls += [(c, callee) for c, name in applied_functions(code) if (callee := flow.resolve(flow.scope_of(c), name))]
    local, seen = [], set()
    for call, callee in calls:
        helper = by_name.get(callee)
        if helper is None or call in seen or code.enclosing_function(call) is helper_node(flow, helper):
            continue
        seen.add(call)
        site = _site(call, code, flow, decorated, (helper.name,))
        context = call_context(helper, site)
        if context is not None:
            local.append(helper_stop(site, helper, context, *_documentation(call, code)))
    elsewhere = [_site(call, code, flow, decorated, names) for call, names in targets.items() if call not in seen]
    return local, elsewhere


def helper_node(flow: ModuleFlow, helper: Helper) -> ast.AST:
    return flow.functions[helper.name].node


def _site(
    call: ast.Call,
    code: CodeModule,
    flow: ModuleFlow,
    decorated: set[ast.FunctionDef | ast.AsyncFunctionDef],
    targets: tuple[str, ...],
) -> HelperCall:
    """A call as a possible helper stop: its contexts as a stop of its own and as a freeze."""
    scope = flow.scope_of(call)
    found = Found(call, "helper", targets[0], _call_text(call))
    point = _context(found, code, flow, decorated) or Context.UNKNOWN
    once = scope.runs_once(call.lineno) if scope.training else None
    flags = literal_flags(call)
    documented = _documentation(call, code) if any(value is False for _, value in flags) else (None, (), ())
    return HelperCall(
        span=code.span(call),
        targets=targets,
        function=scope.name,
        what=found.what,
        point=point,
        freeze=_freeze_context(scope, once),
        update=_update_context(scope, flow, once),
        setup_scope=is_setup_name(scope.short_name),
        flags=flags,
        justification=documented[0],
        statement_annotations=documented[1],
        scope_annotations=documented[2],
    )


def helper_stop(
    site: HelperCall,
    helper: Helper,
    context: str,
    justification: str | None = None,
    statement_annotations: tuple[Span, ...] = (),
    scope_annotations: tuple[Span, ...] = (),
) -> GradientStop:
    """A call to a helper, as a stop at the call naming the helper."""
    return GradientStop(
        span=site.span,
        kind="helper",
        api=helper.name if site.targets == (helper.name,) else _matching(site.targets, helper.name),
        what=site.what,
        context=context,
        function=site.function,
        justification=justification if justification is not None else site.justification,
        statement_annotations=statement_annotations or site.statement_annotations,
        scope_annotations=scope_annotations or site.scope_annotations,
        freezes=helper.flag >= 0,  # a freeze that only the call makes: its diagnostic is there
    )


def _matching(targets: tuple[str, ...], name: str) -> str:
    return next((t for t in targets if t.endswith(f".{name}")), targets[0])


def _call_text(call: ast.Call) -> str:
    func = call.args[0] if _is_apply(call) else call.func
    text = ast.unparse(func)
    text = text if len(text) <= 40 else text[:37] + "..."
    return f"{ast.unparse(call.func)}({text})" if _is_apply(call) and len(text) < 40 else f"{text}(...)"


def _is_apply(call: ast.Call) -> bool:
    return isinstance(call.func, ast.Attribute) and call.func.attr == "apply" and len(call.args) == 1


def _documentation(call: ast.Call, code: CodeModule) -> tuple[str | None, tuple[Span, ...], tuple[Span, ...]]:
    found = Found(call, "helper", "", "")
    return (_justification(found, code), *_annotations(found, code))


def _freeze_context(scope: FunctionFlow, once: str | None) -> str:
    """Freezing a critic for the actor's step, a discriminator for the generator's: on the training path."""
    if scope.training and once is None:
        return Context.TRAINING
    return Context.EVALUATION if is_eval_name(scope.short_name) else Context.SETUP


def _one_data_per_statement(code: CodeModule, found: list[Found]) -> list[Found]:
    """``p.data = m * p.data + ...`` is one use of ``.data`` per line of its statement: keep the
    first in source order, the update when the line has one."""
    kept: dict[tuple[ast.AST, int], Found] = {}
    others = []
    for candidate in found:
        if candidate.kind != "data":
            others.append(candidate)
            continue
        key = (code.enclosing_statement(candidate.node), candidate.node.lineno)
        current = kept.get(key)
        if current is None or _data_rank(code, candidate) < _data_rank(code, current):
            kept[key] = candidate
    return [*others, *kept.values()]


def _data_rank(code: CodeModule, found: Found) -> tuple[bool, int, int]:
    return (not _is_data_update(found, code), found.node.lineno, found.node.col_offset)


def _context(
    found: Found, code: CodeModule, flow: ModuleFlow, decorated: set[ast.FunctionDef | ast.AsyncFunctionDef]
) -> str | None:
    """Where ``found`` sits; None when it is no stop at all (a conversion that never reaches a loss)."""
    if found.decorated is not None:
        function = flow.by_node[found.decorated]
        if function.training:
            return Context.TRAINING
        if function.name in flow.target_updaters:
            return Context.TARGET_UPDATE
        return Context.SETUP if is_setup_name(function.short_name) or _updates(found.region) else Context.EVALUATION
    if found.kind == "autograd_function":
        return _applied_context(found, code, flow)
    if found.phased:
        return Context.EVALUATION  # `set_grad_enabled(phase == "train")` stops only outside training
    scope = flow.scope_of(found.node)
    once = scope.runs_once(found.node.lineno) if scope.training else None
    if found.kind in CONVERSIONS:
        if not scope.training or _is_index(found, code) or not _reaches_loss(found, code, scope):
            return None
        # an array or a list cannot enter a tensor loss unless it becomes a tensor again
        if not (found.kind in _SCALARS or _retensorized(found, code, scope)):
            return None
        return _once_context(found, code, scope, once)
    if found.kind == "requires_grad" and found.api in FREEZES:
        return _freeze_context(scope, once)
    if scope.in_optimizer or _makes_leaf(found, code):
        return Context.SETUP
    if _is_setup_site(found, code) and not found.region:
        return _update_context(scope, flow, once)
    if scope.acts_with(_stopped_names(found, code, scope)):
        return Context.EVALUATION  # the action sent to an environment: acting, not the loss
    if scope.training and not scope.in_eval_mode(found.node.lineno) and _reaches_loss(found, code, scope):
        return _once_context(found, code, scope, once)
    if _is_setup_site(found, code):
        if scope.training and scope.reaches_loss(_updated_in(found, code, scope)):
            return _once_context(found, code, scope, once)  # a local mask scaled in place, then used
        return _update_context(scope, flow, once)
    if scope.name in flow.target_updaters or _feeds_priorities(found, code):
        return Context.TARGET_UPDATE
    if scope.training:
        return Context.EVALUATION  # on a training path, but the value only feeds monitoring
    if scope.node in decorated or scope.calls_eval or is_eval_name(scope.short_name):
        return Context.EVALUATION
    return Context.SETUP if is_setup_name(scope.short_name) else Context.UNKNOWN


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


def _feeds_priorities(found: Found, code: CodeModule) -> bool:
    """``memory.update_priorities(idxs, loss.detach())``: prioritised replay, updated outside the loss graph."""
    for ancestor in code.ancestors(found.node):
        if isinstance(ancestor, ast.stmt):
            return False
        if isinstance(ancestor, ast.Call) and isinstance(ancestor.func, ast.Attribute):
            if "priorit" in ancestor.func.attr.lower():
                return True
    return False


def _update_context(scope: FunctionFlow, flow: ModuleFlow, once: str | None) -> str:
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
    return any(is_update(s) for s in statements)


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
        written = scope.assigned_in(set(nodes))
        return scope.reaches_loss(written) or any(
            scope.in_sink(node, code) for node in nodes if isinstance(node, ast.Return)
        )
    if scope.in_sink(found.node, code):
        return True
    statement = code.enclosing_statement(found.node)
    if isinstance(statement, (ast.If, ast.While, ast.Assert)):  # a test is control flow, not data flow
        return False
    return scope.reaches_loss(scope.written_by(statement))


def _applied_context(found: Found, code: CodeModule, flow: ModuleFlow) -> str:
    """A custom autograd Function is on a training path where ``Name.apply`` is used on one."""
    return (
        Context.TRAINING if any(flow.scope_of(site).training for site in _apply_sites(found, code)) else Context.UNKNOWN
    )


def _apply_sites(found: Found, code: CodeModule) -> list[ast.AST]:
    name = found.api.split(".", 1)[0]
    return [
        node
        for node in ast.walk(code.tree)
        if isinstance(node, ast.Attribute)
        and node.attr == "apply"
        and isinstance(node.value, ast.Name)
        and node.value.id == name
    ]


def _function(found: Found, code: CodeModule, flow: ModuleFlow) -> str:
    """The scope a stop acts in: the decorated function, the function applying a custom Function."""
    if found.decorated is not None:
        return code.scope_name(found.decorated)
    if found.kind == "autograd_function":
        scopes = sorted(
            {flow.scope_of(site).name for site in _apply_sites(found, code)},
            key=lambda n: (not flow.functions[n].training, n),
        )
        return scopes[0] if scopes else code.scope_name(found.node)
    return flow.scope_of(found.node).name


def _stop(found: Found, code: CodeModule, flow: ModuleFlow, context: str) -> GradientStop:
    statement_annotations, scope_annotations = _annotations(found, code)
    return GradientStop(
        span=code.span(found.node),
        kind=found.kind,
        api=found.api,
        what=found.what,
        context=context,
        function=_function(found, code, flow),
        justification=_justification(found, code),
        statement_annotations=statement_annotations,
        scope_annotations=scope_annotations,
        retensorized=found.kind in CONVERSIONS and _retensorized(found, code, flow.scope_of(found.node)),
        update=found.kind == "data" and _is_data_update(found, code),
    )


def _annotations(found: Found, code: CodeModule) -> tuple[tuple[Span, ...], tuple[Span, ...]]:
    """Annotation spans bound to the stop's own statement, then those bound to what encloses it."""
    statement = found.decorated if found.decorated is not None else code.enclosing_statement(found.node)
    own = _definition_lines(statement) if found.decorated is not None else {statement.lineno}
    bound = code.annotations_for(statement)
    if found.decorated is not None:
        bound += [a for a in code.annotations if a.target.line in own and a not in bound]
    mine = tuple(sorted(a.span for a in bound if a.target.line in own))
    around = tuple(sorted(a.span for a in bound if a.target.line not in own))
    return mine, around


def _definition_lines(definition: ast.stmt) -> set[int]:
    """The lines a definition's header occupies, decorators included."""
    first = min([definition.lineno, *(d.lineno for d in getattr(definition, "decorator_list", []))])
    return set(range(first, definition.lineno + 1))


def _justification(found: Found, code: CodeModule) -> str | None:
    texts = list(code.directives_for(found.node))
    if found.decorated is not None:
        texts += [c.text.split(":", 1)[-1].strip() for c in code.directives if c.span.line == found.node.lineno]
    for text in texts:
        if text.startswith(_JUSTIFICATION):
            reason = text[len(_JUSTIFICATION) :].strip(" :-")
            if reason:
                return reason
    return None


def _retensorized(found: Found, code: CodeModule, scope: FunctionFlow) -> bool:
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


def _is_data_update(found: Found, code: CodeModule) -> bool:
    node = found.node
    if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
        return True
    parent = code.parents.get(node)
    return isinstance(parent, ast.Attribute) and parent.attr.endswith("_") and not parent.attr.endswith("__")


def _stopping_calls(code: CodeModule, flow: ModuleFlow, stops: list[GradientStop]) -> tuple[Span, ...]:
    """Calls to functions of this file that stop gradients themselves or through their callees."""
    stopping = {stop.function for stop in stops if stop.function}
    changed = True
    while changed:
        changed = False
        for function in flow.functions.values():
            if function.name and function.name not in stopping and any(c in stopping for _, c in function.calls):
                stopping.add(function.name)
                changed = True
    calls = [
        code.span(call) for function in flow.functions.values() for call, callee in function.calls if callee in stopping
    ]
    return tuple(sorted(set(calls)))


def conclude(facts: Sequence[GradientFacts], project: Project) -> Conclusion:
    """The conclusion, with the calls to other files' helpers resolved into stops."""
    return conclude_gradients(facts, project, tuple(cross_file_stops(facts)))


def cross_file_stops(facts: Sequence[GradientFacts]) -> Iterator[GradientStop]:
    """Calls that reach a helper of another file of the project, as stops at the call."""
    helpers: dict[str, dict[str, Helper]] = {}
    for file_facts in facts:
        for helper in file_facts.helpers:
            helpers.setdefault(module_name(helper.span.path), {})[helper.name] = helper
    if not helpers:
        return
    graph = ImportGraph({module: () for module in helpers})
    for file_facts in facts:
        for call in file_facts.helper_calls:
            importer = module_name(call.span.path)
            for target in call.targets:
                split = graph.split(target, importer)
                helper = helpers[split[0]].get(split[1]) if split else None
                if helper is not None and split and split[0] != importer:
                    context = call_context(helper, call)
                    if context is not None:
                        yield helper_stop(call, helper, context)
                    break


GRADIENTS: Analysis[GradientFacts] = Analysis(
    name="gradient_stops",
    facts=GradientFacts,
    scan=scan_gradients,
    conclude=conclude,
)
