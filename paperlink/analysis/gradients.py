"""The gradient-stop analysis (PL201-PL206): every stop in the code, its context, its documentation.

``scan`` finds the stops of one file (:mod:`~paperlink.analysis.gradient_stops`), decides
their context (:mod:`~paperlink.analysis.gradient_stop_contexts`, over the module's flow in
:mod:`~paperlink.analysis.gradient_contexts`), the calls to the project's own helpers that stop
(:mod:`~paperlink.analysis.gradient_helpers`) and records what documents them:
a justification directive on the statement, or the annotations bound to the statement and
to the definitions around it. ``conclude`` resolves those annotations to paper items
through the project's links, reports the undocumented stops, the reverse direction (a
paper item with a stop-gradient whose code has none, :mod:`~paperlink.analysis.gradient_paper`)
and builds the gradient-stop map of the JSON output.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from paperlink.analysis.base import Analysis, Conclusion, Project
from paperlink.analysis.gradient_contexts import (
    Context,
    ModuleFlow,
    is_setup_name,
    names_second_weights,
)
from paperlink.analysis.gradient_calls import applied_functions, helper_targets, is_library
from paperlink.analysis.gradient_helpers import (
    Helper,
    HelperCall,
    call_context,
    find_helpers,
    flag_sites,
    grad_switches,
    literal_flags,
)
from paperlink.analysis.gradient_report import conclude_gradients
from paperlink.analysis.gradient_stop_contexts import (
    apply_sites,
    freeze_context,
    in_update_rule,
    retensorized,
    stop_context,
    update_context,
)
from paperlink.analysis.gradient_stops import CONVERSIONS, Found, decorator_target, find_stops, grad_decorators
from paperlink.analysis.module_graph import ImportGraph
from paperlink.source.code import FUNCTIONS, CodeModule, module_name
from paperlink.spans import Span

__all__ = ["GradientStop", "GradientFacts", "GRADIENTS", "scan_gradients"]

_TRIGGERS = (
    "detach",
    "grad",
    ".data",
    "item(",
    "numpy(",
    "tolist(",
    "float(",
    "Function",
    "stop_gradient",
    "volatile",
    "back_prop",
)
_JUSTIFICATION = "stop-grad"


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
    update_rule: bool = False  # in an optimizer's step or a write into `.grad`: training, but not the loss graph
    through_calls: bool = False  # `p.requires_grad = on` in `toggle_grad(m, on)`: a stop where it is called with False


@dataclass(frozen=True)
class GradDecorator:
    """A function that applies a grad mode to the function it decorates (``smart_inference_mode``)."""

    name: str
    kind: str  # no_grad or inference_mode
    span: Span


@dataclass(frozen=True)
class GradientFacts:
    """A file's gradient stops, its calls to functions of the same file that stop gradients, its
    helpers (functions whose body as a whole stops) and its calls that may reach another file's."""

    stops: tuple[GradientStop, ...] = ()
    stopping_calls: tuple[Span, ...] = ()
    helpers: tuple[Helper, ...] = ()
    helper_calls: tuple[HelperCall, ...] = ()
    grad_decorators: tuple[GradDecorator, ...] = ()  # its functions that decorate with a grad mode
    # functions decorated by another file's function, as the stops they are if it applies a grad mode
    decorated_elsewhere: tuple[GradientStop, ...] = ()


def scan_gradients(code: CodeModule) -> GradientFacts:
    """The gradient stops of one file, sorted by position."""
    found = []
    if any(trigger in code.text for trigger in _TRIGGERS):
        found = _one_data_per_statement(code, list(find_stops(code)))
    targets = helper_targets(code)
    modes = tuple(GradDecorator(name, kind, code.span(node)) for name, (kind, node) in grad_decorators(code).items())
    if not found and not targets and not flag_sites(code) and not grad_switches(code):
        return GradientFacts(grad_decorators=modes)
    decorated = {f.decorated for f in found if f.decorated is not None}
    flow = ModuleFlow(code, without_grad=decorated, in_no_grad_block=_in_no_grad_block(code, found))
    contexts = [stop_context(candidate, code, flow, decorated) for candidate in found]
    stops = [_stop(c, code, flow, context) for c, context in zip(found, contexts) if context is not None]
    helpers = find_helpers(code, flow, found, contexts)
    local, elsewhere = _helper_calls(code, flow, decorated, helpers, targets)
    stops += local
    stops.sort(key=lambda stop: (stop.span, stop.kind))
    return GradientFacts(
        tuple(stops),
        _stopping_calls(code, flow, stops),
        tuple(helpers),
        tuple(elsewhere),
        modes,
        tuple(_decorated_elsewhere(code, flow, decorated)) if targets else (),
    )


def _in_no_grad_block(code: CodeModule, found: list[Found]) -> set[ast.AST]:
    """Functions whose work is one ``no_grad`` block, besides local names, guards returning early
    and the return of a name (``def reduce_loss_dict(d): n = world_size(); if n < 2: return d;
    with torch.no_grad(): ...; return reduced``)."""
    blocks = {
        code.parents.get(f.region[0])
        for f in found
        if f.region and f.decorated is None and not f.phased and f.kind in ("no_grad", "inference_mode")
    }
    functions: set[ast.AST] = set()
    for block in blocks:
        function = code.parents.get(block) if isinstance(block, (ast.With, ast.AsyncWith)) else None
        if isinstance(function, FUNCTIONS) and all(s is block or _guard(s) for s in function.body):
            functions.add(function)
    return functions


def _guard(statement: ast.stmt) -> bool:
    """A docstring, a local name, ``if n < 2: return d``, ``return reduced``: no work of its own."""
    if isinstance(statement, ast.Expr):
        return isinstance(statement.value, ast.Constant)
    if isinstance(statement, ast.Assign):
        return all(isinstance(t, ast.Name) for t in statement.targets)
    if isinstance(statement, ast.If):
        return not statement.orelse and all(isinstance(s, ast.Return) for s in statement.body)
    return isinstance(statement, ast.Return) and (statement.value is None or isinstance(statement.value, ast.Name))


def _decorated_elsewhere(
    code: CodeModule, flow: ModuleFlow, decorated: set[ast.FunctionDef | ast.AsyncFunctionDef]
) -> Iterator[GradientStop]:
    """``@smart_inference_mode() def run(...)`` with the decorator imported from the project: the stop
    it is if that decorator applies a grad mode, which the conclusion finds out."""
    for node in flow.by_node:
        if not isinstance(node, FUNCTIONS) or node in decorated:
            continue
        for decorator in node.decorator_list:
            name = code.qualified_name(decorator_target(decorator))
            if name and not is_library(name):
                what = f"@{ast.unparse(decorator)[:40]} on {node.name}"
                found = Found(decorator, "no_grad", name, what, tuple(node.body), node)
                yield _stop(found, code, flow, stop_context(found, code, flow, decorated) or Context.UNKNOWN)


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
    calls += _constructions(code, by_name)
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


def _constructions(code: CodeModule, helpers: dict[str, Helper]) -> list[tuple[ast.Call, str]]:
    """``ema = ModelEMA(model)`` with a class of this file whose ``__init__`` is a helper (it freezes what it builds)."""
    classes = {
        name.removesuffix(".__init__") for name in helpers if name.endswith(".__init__") and name.count(".") == 1
    }
    if not classes:
        return []
    return [
        (node, f"{node.func.id}.__init__")
        for node in code.parents
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in classes
    ]


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
    found = Found(call, "helper", targets[0], _call_text(call), _with_block(code, call))
    point = stop_context(found, code, flow, decorated) or Context.UNKNOWN
    once = scope.runs_once(call.lineno) if scope.training else None
    flags = literal_flags(call)
    documented = _documentation(call, code) if any(value is False for _, value in flags) else (None, (), ())
    return HelperCall(
        span=code.span(call),
        targets=targets,
        function=scope.name,
        what=found.what,
        point=point,
        freeze=freeze_context(scope, once),
        update=_update_at(call, update_context(scope, flow, once)),
        setup_scope=is_setup_name(scope.short_name),
        grad_write=Context.TRAINING if scope.training and once != "after" else freeze_context(scope, once),
        before_loop=once == "before",
        flags=flags,
        justification=documented[0],
        statement_annotations=documented[1],
        scope_annotations=documented[2],
    )


def _with_block(code: CodeModule, call: ast.Call) -> tuple[ast.stmt, ...]:
    """``with conv2d_gradfix.no_weight_gradients(): grads = torch.autograd.grad(...)``: the block a context
    manager's call covers, as a ``no_grad`` block's; () for a call that is no ``with`` item."""
    item = code.parents.get(call)
    statement = code.parents.get(item) if isinstance(item, ast.withitem) and item.context_expr is call else None
    return tuple(statement.body) if isinstance(statement, (ast.With, ast.AsyncWith)) else ()


def _update_at(call: ast.Call, context: str) -> str:
    """An update helper called on the training step updates a target network or an average when the call names
    one (``accumulate(g_ema, g, decay)``); else it writes the trained weights back, part of the step
    (``master_params_to_model_params(self.model_params, self.master_params)`` after an fp16 step)."""
    if context == Context.TARGET_UPDATE and not names_second_weights(call):
        return Context.TRAINING
    return context


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


def _function(found: Found, code: CodeModule, flow: ModuleFlow) -> str:
    """The scope a stop acts in: the decorated function, the function applying a custom Function."""
    if found.decorated is not None:
        return code.scope_name(found.decorated)
    if found.kind == "autograd_function":
        scopes = sorted(
            {flow.scope_of(site).name for site in apply_sites(found, code)},
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
        retensorized=found.kind in CONVERSIONS and retensorized(found, code, flow.scope_of(found.node)),
        update=found.kind == "data" and _is_data_update(found, code),
        update_rule=context == Context.TRAINING and in_update_rule(found, code, flow),
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
    """The conclusion, with the calls to other files' helpers resolved into stops, the flag sites of
    the helpers that freeze through a flag as stops in the context of their calls, and the stops of
    update helpers called on the training step as target updates."""
    decorated = list(decorated_stops(facts))
    # a function decorated to run without gradients is a helper, whichever file's decorator it is
    elsewhere = list(cross_file_stops(facts, [Helper(stop.function, stop.span, stop.context) for stop in decorated]))
    local = [
        (stop, helper)
        for file_facts in facts
        for helper in file_facts.helpers
        if helper.flag_sites or helper.updates
        for stop in file_facts.stops
        if stop.kind == "helper" and stop.api == helper.name
    ]
    calls = [*local, *elsewhere]
    flagged = flag_stops(calls)
    resolved = (*(stop for stop, _ in elsewhere), *flagged, *decorated)
    updaters = [
        (stop, helper)
        for file_facts in facts
        for helper in file_facts.helpers
        if helper.context == Context.TARGET_UPDATE
        for stop in file_facts.stops
        if stop.kind == "helper" and stop.api == helper.name
    ]
    facts = _copying_helpers(facts, [*updaters, *elsewhere])
    return conclude_gradients(_averaging_helpers(facts, calls), project, resolved)


def decorated_stops(facts: Sequence[GradientFacts]) -> Iterator[GradientStop]:
    """Functions decorated by another file's decorator that applies a grad mode, as that stop."""
    modes: dict[str, dict[str, str]] = {}
    for file_facts in facts:
        for decorator in file_facts.grad_decorators:
            modes.setdefault(module_name(decorator.span.path), {})[decorator.name] = decorator.kind
    uses = [use for file_facts in facts for use in file_facts.decorated_elsewhere]
    if not uses or not modes:
        return
    graph = ImportGraph({module: () for module in modes})
    for use in uses:
        split = graph.split(use.api, module_name(use.span.path))
        kind = modes[split[0]].get(split[1]) if split else None
        if kind is not None:
            yield replace(use, kind=kind)


def _copying_helpers(
    facts: Sequence[GradientFacts], calls: Sequence[tuple[GradientStop, Helper]]
) -> Sequence[GradientFacts]:
    """``def hard_update(target, source): for t, s in zip(...): t.data.copy_(s.data)``, called only to build a
    target network (``hard_update(self.critic_target, self.critic)`` in ``__init__``): a target-update helper
    whose every call is set-up copies once; its own stops are set-up too."""
    contexts: dict[Span, set[str]] = {}
    for stop, helper in calls:
        if helper.context == Context.TARGET_UPDATE:
            contexts.setdefault(helper.span, set()).add(stop.context)
    copying = {span for span, found in contexts.items() if found == {Context.SETUP}}
    if not copying:
        return facts
    return [
        replace(
            file_facts,
            stops=tuple(_within(stop, copying, Context.TARGET_UPDATE, Context.SETUP) for stop in file_facts.stops),
        )
        if file_facts.stops and any(span.path == file_facts.stops[0].span.path for span in copying)
        else file_facts
        for file_facts in facts
    ]


def _within(stop: GradientStop, spans: set[Span], before: str, after: str) -> GradientStop:
    """``stop`` in context ``after`` where it lies in one of ``spans`` with context ``before``."""
    inside = any(
        span.path == stop.span.path and span.line <= stop.span.line <= (span.end_line or span.line) for span in spans
    )
    return replace(stop, context=after) if inside and stop.context == before and stop.kind != "helper" else stop


def _averaging_helpers(
    facts: Sequence[GradientFacts], calls: Sequence[tuple[GradientStop, Helper]]
) -> Sequence[GradientFacts]:
    """``def accumulate(ema, model, decay): ... p_ema.data.mul_(decay).add_(p.data, alpha=1 - decay)``,
    called on the training step: the copy it makes is a target update, not an initialisation."""
    averaging = {helper.span for stop, helper in calls if helper.updates and stop.context == Context.TARGET_UPDATE}
    if not averaging:
        return facts
    return [
        replace(file_facts, stops=tuple(_as_target_update(stop, averaging) for stop in file_facts.stops))
        if file_facts.stops and any(span.path == file_facts.stops[0].span.path for span in averaging)
        else file_facts
        for file_facts in facts
    ]


def _as_target_update(stop: GradientStop, averaging: set[Span]) -> GradientStop:
    inside = any(
        span.path == stop.span.path and span.line <= stop.span.line <= (span.end_line or span.line)
        for span in averaging
    )
    return replace(stop, context=Context.TARGET_UPDATE) if inside and stop.context == Context.SETUP else stop


def cross_file_stops(
    facts: Sequence[GradientFacts], more: Sequence[Helper] = ()
) -> Iterator[tuple[GradientStop, Helper]]:
    """Calls that reach a helper of another file of the project (``more``: helpers known only when
    concluding), as stops at the call, with the helper."""
    helpers: dict[str, dict[str, Helper]] = {}
    for helper in [*(h for file_facts in facts for h in file_facts.helpers), *more]:
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
                        yield helper_stop(call, helper, context), helper
                    break


_CORE_FIRST = (Context.TRAINING, Context.TARGET_UPDATE, Context.EVALUATION, Context.SETUP)


def flag_stops(calls: Sequence[tuple[GradientStop, Helper]]) -> list[GradientStop]:
    """``p.requires_grad = on`` in ``toggle_grad(model, on)``, once it is called with False: a stop in
    the most consequential context of those calls (a discriminator frozen in the training loop)."""
    contexts: dict[Helper, set[str]] = {}
    for stop, helper in calls:
        if helper.flag_sites:
            contexts.setdefault(helper, set()).add(stop.context)
    stops = []
    for helper, found in contexts.items():
        context = next((c for c in _CORE_FIRST if c in found), Context.SETUP)
        for span in helper.flag_sites:
            stops.append(
                GradientStop(
                    span=span,
                    kind="requires_grad",
                    api=f".requires_grad = {helper.flag_name}",
                    what=f"requires_grad set to {helper.flag_name} in {helper.name}",
                    context=context,
                    function=helper.name,
                    through_calls=True,
                )
            )
    return stops


GRADIENTS: Analysis[GradientFacts] = Analysis(
    name="gradient_stops",
    facts=GradientFacts,
    scan=scan_gradients,
    conclude=conclude,
)
