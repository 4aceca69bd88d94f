"""The per-file step: every hyperparameter site in one file, from one walk of its ``ast``.

Sites are found only where an argument is a hyperparameter by construction: a known API's
parameter (by qualified name and position or keyword), a configuration declaration, a
coefficient of a term added to a loss, or the decay of a moving-average update. Numbers
anywhere else (shapes, indices, ``dim=1``, ``range(10)``, print intervals) are never
looked at, which is what keeps magic numbers out.
"""

from __future__ import annotations

import ast
import dataclasses
import re
from dataclasses import dataclass, field

from paperlink.analysis.hyperparameters import idioms
from paperlink.analysis.hyperparameters.declarations import (
    ABSL_DEFINES,
    text_of,
    Resolver,
    Scopes,
    Value,
    declarations,
    declared_as,
    value_site,
)
from paperlink.analysis.hyperparameters.annotated import annotated_sites
from paperlink.analysis.hyperparameters.facts import HyperparameterFacts, Site, SiteKind, Source
from paperlink.analysis.hyperparameters.attribute_bags import (
    bag_sites,
    class_constants,
    computed_settings,
    fixed_settings,
    module_constants,
    script_settings,
)
from paperlink.analysis.hyperparameters.evaluation import evaluation_only
from paperlink.analysis.hyperparameters.hydra_mains import hydra_mains
from paperlink.analysis.hyperparameters.settings import Noted, note
from paperlink.analysis.hyperparameters.signatures import API as SIGNATURE_API
from paperlink.analysis.hyperparameters.signatures import parameters, signature_sites
from paperlink.analysis.hyperparameters.vocabulary import (
    Api,
    api_for,
    api_names,
    config_name,
    is_known_setting,
)
from paperlink.numbers import format_number, python_number
from paperlink.source.code import FUNCTIONS, CodeModule
from paperlink.spans import Span

__all__ = ["scan"]

# A file with none of these words sets no hyperparameter paperlink can see.
_TRIGGER = re.compile(
    r"torch|optim|add_argument|dataclass|loss|click|timm|ema|OmegaConf|lerp|optax|keras|tensorflow"
    r"|exec|Namespace|ConfigDict|CfgNode|CN\(|flax|DEFINE_"
)
_EXTRA_CALLS = (
    frozenset({"add_argument", "set_defaults", "option", "create", "add_", "lerp_", "lerp", "partial"})
    | idioms.IDIOM_CALLS
    | ABSL_DEFINES
)
_KINDS = {kind.value: kind for kind in SiteKind}
_OVERRIDDEN_BY = {"batch_size": "batch_sampler"}  # a default that does not apply when this is passed


@dataclass
class _Walk:
    """What one walk of the tree collects for the steps after it."""

    calls: list[tuple[ast.Call, ast.AST, ast.stmt]] = field(default_factory=list)
    in_signatures: set[int] = field(default_factory=set)  # ids of calls in parameter defaults and fallbacks
    averages: list[tuple[ast.BinOp, ast.AST, ast.stmt]] = field(default_factory=list)
    loss_terms: list[tuple[ast.Assign | ast.AnnAssign | ast.AugAssign | ast.Return, ast.AST]] = field(
        default_factory=list
    )
    scopes: Scopes = field(default_factory=Scopes)
    star_modules: list[str] = field(default_factory=list)
    idiom_statements: list[tuple[ast.stmt, ast.AST]] = field(default_factory=list)  # idioms.statement_sites
    noted: Noted = field(default_factory=Noted)  # for signatures.py and attribute_bags.py


def scan(code: CodeModule) -> HyperparameterFacts:
    """Every hyperparameter site in ``code``, in source order."""
    hydra = hydra_mains(code)
    if not _TRIGGER.search(code.text):
        return HyperparameterFacts(tuple(annotated_sites(code, ())), hydra)
    walk = _walk(code)
    declared = declarations(code, [(call, statement.lineno) for call, _, statement in walk.calls], walk.scopes)
    computed = computed_settings(walk.noted)
    declared = [site for site in declared if site.label not in computed]
    defaults = parameters(code, walk.noted)
    defaults.module_settings = script_settings(code, walk.noted)
    # `config.lr` reads follow to them like to a flag
    bags = [*bag_sites(code, walk.noted, walk.scopes), *class_constants(code, walk.scopes.classes)]
    bags = [site for site in bags if site.label not in computed]
    resolver = Resolver(code, walk.scopes, [*declared, *bags], defaults)
    sites = list(declared)
    for call, scope, statement in walk.calls:
        if evaluation_only(code, call, statement):
            continue
        found = _call_sites(code, resolver, call, scope, statement, walk.star_modules)
        found += idioms.zero_kernel_sites(code, call, statement)
        if id(call) in walk.in_signatures:  # `norm_layer=partial(nn.LayerNorm, eps=1e-6)`: callers can replace it
            found = [dataclasses.replace(site, configurable=True) for site in found]
        sites.extend(found)
    for expression, scope, statement in walk.averages:
        sites.extend(_average_sites(code, resolver, expression, scope, statement))
    for statement, scope in walk.loss_terms:
        sites.extend(_loss_term_sites(code, resolver, statement, scope))
    for statement, scope in walk.idiom_statements:
        if isinstance(statement, FUNCTIONS):
            sites.extend(idioms.signature_sites(code, resolver, statement, scope))
        else:
            sites.extend(idioms.statement_sites(code, resolver, statement, scope))
    sites.extend(signature_sites(defaults, [site.origin for site in sites]))
    sites.extend(defaults.module_settings.values())
    sites.extend(fixed_settings(code, walk.noted, defaults.module_settings))
    sites.extend(bags)
    sites.extend(module_constants(code, walk.noted, {site.span for site in sites}))
    # a default an idiom names more precisely (`def act(q, epsilon=0.05)`: epsilon_greedy) is not
    # listed a second time as a plain signature setting
    specific = {site.span for site in sites if site.api != SIGNATURE_API}
    # `betas=(0.9, 0.999)` of a project optimizer: its parts are named (`lars.beta1`), not the tuple
    parts = {(span.path, span.line) for span in specific}
    sites = [
        site
        for site in sites
        if site.api != SIGNATURE_API
        or site.span not in specific
        and not (site.numeric is None and site.value[:1] in ("(", "[") and _holds_part(site.span, specific, parts))
    ]
    unique = {(site.span, site.name): site for site in [*sites, *annotated_sites(code, sites)]}
    return HyperparameterFacts(tuple(sorted(unique.values(), key=lambda s: (s.span, s.name))), hydra)


def _holds_part(span: Span, specific: set[Span], lines: set[tuple[str, int]]) -> bool:
    if (span.path, span.line) not in lines:
        return False
    return any(
        other.path == span.path
        and other.line == span.line
        and other.column >= span.column
        and (span.end_column is None or (other.end_column or 0) <= span.end_column)
        for other in specific
    )


def _walk(code: CodeModule) -> _Walk:
    """Statements are all visited (assignments, classes, loss statements); expressions only
    on lines where the text calls a known API or subtracts from 1, which is most of the
    cost saved: the expressions of a model file are mostly shapes and arithmetic."""
    found = _Walk()
    hot = _hot_lines(code)
    bodies: list[tuple[list[ast.stmt], ast.AST]] = [(code.tree.body, code.tree)]
    while bodies:
        statements, scope = bodies.pop()
        for statement in statements:
            _note_statement(code, found, statement, scope)
            note(found.noted, statement, scope, code.tree)
            if scope is code.tree and idioms.configures_by_keyword(statement) or idioms.builds_preset(statement, scope):
                found.calls.append((statement.value, scope, statement))  # type: ignore[attr-defined]
            inner = statement if isinstance(statement, (*FUNCTIONS, ast.ClassDef)) else scope
            for name, value in ast.iter_fields(statement):
                if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
                    bodies.append((value, inner))
                    continue
                for part in value if isinstance(value, list) else [value]:
                    if isinstance(part, (ast.ExceptHandler, ast.match_case)):
                        bodies.append((part.body, inner))
                    for expression in _expressions(part):
                        _scan_expression(found, hot, expression, scope, statement, signature=name == "args")
    return found


def _expressions(part: object) -> list[ast.expr]:
    """The expressions directly in a statement's field (a default, a with-item, a guard...)."""
    if isinstance(part, ast.expr):
        return [part]
    if isinstance(part, ast.arguments):
        return [*part.defaults, *(d for d in part.kw_defaults if d is not None)]
    if isinstance(part, ast.keyword):
        return [part.value]
    if isinstance(part, ast.withitem):
        return [part.context_expr]
    if isinstance(part, ast.ExceptHandler):
        return [part.type] if part.type is not None else []
    if isinstance(part, ast.match_case):
        return [part.guard] if part.guard is not None else []
    return []


def _scan_expression(
    found: _Walk, hot: set[int], node: ast.expr, scope: ast.AST, statement: ast.stmt, signature: bool
) -> None:
    if not any(line in hot for line in range(node.lineno, (node.end_lineno or node.lineno) + 1)):
        return
    wanted = api_names() | _EXTRA_CALLS
    fallback = _fallback(node)
    for inner in ast.walk(node):
        if isinstance(inner, ast.Call) and (
            _last_name(inner.func) in wanted
            or idioms.is_project_optimizer(_last_name(inner.func))
            or idioms.is_project_schedule(_last_name(inner.func))
            or any(k.arg is not None and (is_known_setting(k.arg) or k.arg == "kernel_init") for k in inner.keywords)
            or _last_name(inner.func) == "get"  # `config.get("loss", "sigmoid_xent")`: hot by _CONFIG_GET
        ):
            found.calls.append((inner, scope, statement))
            if signature or inner in fallback:
                found.in_signatures.add(id(inner))
        elif isinstance(inner, ast.BinOp) and isinstance(inner.op, ast.Add) and isinstance(inner.left, ast.BinOp):
            found.averages.append((inner, scope, statement))


def _fallback(node: ast.expr) -> set[ast.AST]:
    """Calls in the fallback of ``norm_layer or partial(nn.LayerNorm, eps=1e-6)``: a default
    for a parameter, which callers can replace like a parameter default."""
    if (
        isinstance(node, ast.BoolOp)
        and isinstance(node.op, ast.Or)
        and isinstance(node.values[0], (ast.Name, ast.Attribute))
    ):
        return {inner for value in node.values[1:] for inner in ast.walk(value) if isinstance(inner, ast.Call)}
    return set()


_CALLED = re.compile(r"([A-Za-z_]\w*)\s*\(")
_CONFIG_GET = re.compile(r"(?:cfg|config|conf|hparams|args)\.get\(")  # a fallback of a config read
_ONE_MINUS = re.compile(r"(?<![\w.])1(?:\.0*)?\s*-")  # the `1 - d` of a moving average


def _hot_lines(code: CodeModule) -> set[int]:
    """Lines whose text calls a known API (by its last name) or has a ``1 -``."""
    wanted = api_names() | _EXTRA_CALLS
    hot = set()
    for number, line in enumerate(code.lines, 1):
        called = _CALLED.findall(line) if "(" in line else []
        if (
            not wanted.isdisjoint(called)
            or "get" in called
            and _CONFIG_GET.search(line) is not None
            or any(idioms.is_project_optimizer(name) or idioms.is_project_schedule(name) for name in called)
            or "1" in line
            and _ONE_MINUS.search(line)
            or "kernel_init=" in line  # `nn.Dense(..., kernel_init=nn.initializers.zeros)`
        ):
            hot.add(number)
    return hot


def _note_statement(code: CodeModule, found: _Walk, node: ast.stmt, scope: ast.AST) -> None:
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        found.scopes.add(scope, node)
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if len(targets) == 1 and "loss" in _last_name(targets[0]).lower():
            found.loss_terms.append((node, scope))
    elif isinstance(node, ast.AugAssign) and ("loss" in _last_name(node.target).lower() or _is_gradient(node.target)):
        found.loss_terms.append((node, scope))
    elif isinstance(node, ast.Return) and isinstance(scope, FUNCTIONS) and "loss" in scope.name.lower():
        found.loss_terms.append((node, scope))
    elif isinstance(node, ast.ClassDef):
        found.scopes.classes.append(node)
    elif isinstance(node, ast.ImportFrom) and node.module and any(alias.name == "*" for alias in node.names):
        found.star_modules.append(node.module)
    if (
        isinstance(node, FUNCTIONS)
        or isinstance(node, (ast.Assign, ast.AugAssign, ast.Return))
        and idioms.wants(code, node, scope)
        # a test's own lines, not its body: `if approx_kl > 1.5 * target_kl:`
        or isinstance(node, (ast.If, ast.While))
        and ("*" in code.lines[node.test.lineno - 1] or "rand" in code.lines[node.test.lineno - 1])
        or isinstance(node, ast.If)
        and idioms.overrides_setting(node)
    ):
        found.idiom_statements.append((node, scope))


def _is_gradient(target: ast.AST) -> bool:
    """``param.grad`` or ``param.grad.data``: what a regulariser written by hand adds to."""
    while isinstance(target, ast.Attribute) and target.attr == "data":
        target = target.value
    return isinstance(target, ast.Attribute) and target.attr == "grad"


def _last_name(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


# --- calls of known APIs ---------------------------------------------------------------------


def _call_sites(
    code: CodeModule, resolver: Resolver, call: ast.Call, scope: ast.AST, statement: ast.stmt, star: list[str]
) -> list[Site]:
    qualified = code.call_name(call)
    if qualified is None and isinstance(call.func, ast.Name):
        # `from torch.optim import *`: a bare name is the module's when the module has it
        qualified = next((f"{m}.{call.func.id}" for m in star if api_for(f"{m}.{call.func.id}")), None)
    arguments = call.args
    if qualified == "functools.partial" and call.args:
        # `partial(nn.LayerNorm, eps=1e-6)` sets what it binds; the rest is passed later
        qualified, arguments = code.qualified_name(call.args[0]), call.args[1:]
    api = api_for(qualified) or _init_copy(qualified, call)
    if api is None:
        moving = _update_method_sites(code, resolver, call, scope, statement)
        zeroed = idioms.zero_init_sites(code, call, qualified, statement)  # `nn.init.zeros_(head.weight)`
        return moving or zeroed or idioms.call_sites(code, resolver, call, qualified, scope, statement)
    bound, complete = _bind(api, arguments, _spread_keywords(resolver, call.keywords, scope))
    complete = complete and arguments is call.args
    sites: list[Site] = []
    for parameter, names in api.hyperparameters.items():
        if parameter in bound:
            sites.extend(_explicit(code, resolver, api, parameter, names, bound[parameter], scope, statement))
        elif (
            complete and parameter in api.defaults and _OVERRIDDEN_BY.get(parameter) not in bound and api.kind != "init"
        ):
            sites.extend(_implicit(code, api, parameter, names, call, statement))
    if api.kind == "optimizer":
        sites.extend(_nesterov(code, call, statement))
    kept = [site for site in sites if idioms.keep(api.kind, site)]
    if api.kind == "scheduler" and all(site.read for site in kept):
        # `optax.warmup_cosine_decay_schedule(init_value=config.init_lr, peak_value=config.lr, ...)`:
        # every number is a setting read, but the schedule's shape is chosen here, as `LambdaLR`'s is
        kept.append(_schedule_shape(code, api, call, statement))
    return kept + idioms.zero_init_sites(code, call, qualified, statement) if api.kind == "init" else kept


def _schedule_shape(code: CodeModule, api: Api, call: ast.Call, statement: ast.stmt) -> Site:
    return Site(
        "lr_schedule",
        text_of(code, call.func),
        None,
        code.span(call.func),
        Source.LITERAL,
        False,
        SiteKind.SCHEDULER,
        api=api.qualified,
        anchors=(statement.lineno,),
    )


def _init_copy(qualified: str | None, call: ast.Call) -> Api | None:
    """``trunc_normal_(self.pos_embed, std=.02)`` imported from the project or timm (which copy
    torch's initialisers, often from before torch had them): read with torch's signature. A
    tensor's own method (``w.data.normal_(0, 0.02)``) is read elsewhere."""
    name = _last_name(call.func)
    if not name.endswith("_") or (qualified or "").startswith("torch.") or not call.args:
        return None
    if qualified is None and not isinstance(call.func, ast.Name):
        return None
    api = api_for(f"torch.nn.init.{name}")
    return api if api is not None and api.kind == "init" else None


# an optimizer's switches to a variant of its method, a choice a paper states: Nesterov's momentum
# instead of the heavy ball, a centered RMSProp (DQN's), AMSGrad's maximum of second moments
_VARIANTS = {"nesterov": "sgd.nesterov", "centered": "rmsprop.centered", "amsgrad": "adam.amsgrad"}


def _nesterov(code: CodeModule, call: ast.Call, statement: ast.stmt) -> list[Site]:
    """``SGD(..., nesterov=True)``, ``optax.rmsprop(..., centered=True)``: a variant switched on;
    the default False is no site (it has no number, and it is the plain method)."""
    return [
        Site(
            _VARIANTS[keyword.arg],
            "True",
            None,
            code.span(keyword.value),
            Source.LITERAL,
            False,
            SiteKind.OPTIMIZER,
            label=keyword.arg,
            anchors=(statement.lineno,),
        )
        for keyword in call.keywords
        if keyword.arg in _VARIANTS and isinstance(keyword.value, ast.Constant) and keyword.value.value is True
    ]


def _spread_keywords(resolver: Resolver, keywords: list[ast.keyword], scope: ast.AST) -> list[ast.keyword]:
    """``**extra`` with ``extra = dict(fused=True) if cuda else dict()`` assigned once in the
    scope: the keywords it may pass, so the others are still left at their defaults."""
    spread = []
    for keyword in keywords:
        assigned = (
            resolver.scopes.assignments.get(scope, {}).get(keyword.value.id, [])
            if keyword.arg is None and isinstance(keyword.value, ast.Name)
            else []
        )
        options = _dict_options(assigned[0].value) if len(assigned) == 1 and assigned[0].value is not None else None
        if options is None:
            spread.append(keyword)
            continue
        spread += [ast.keyword(arg=key, value=value) for key, value in options]
    return spread


def _dict_options(node: ast.expr) -> list[tuple[str, ast.expr]] | None:
    """The keys (and values) a dict expression may hold: ``dict(a=1)``, ``{"a": 1}``, either
    branch of a conditional; None where a key is not known."""
    if isinstance(node, ast.IfExp):
        body, orelse = _dict_options(node.body), _dict_options(node.orelse)
        return None if body is None or orelse is None else body + orelse
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict" and not node.args:
        if any(k.arg is None for k in node.keywords):
            return None
        return [(k.arg, k.value) for k in node.keywords if k.arg is not None]
    if isinstance(node, ast.Dict):
        pairs = [
            (k.value, v)
            for k, v in zip(node.keys, node.values)
            if isinstance(k, ast.Constant) and isinstance(k.value, str)
        ]
        return pairs if len(pairs) == len(node.keys) else None
    return None


def _bind(api: Api, arguments: list[ast.expr], keywords: list[ast.keyword]) -> tuple[dict[str, ast.AST], bool]:
    """Arguments by parameter, and whether every argument is known (no ``*args``/``**kwargs``)."""
    bound: dict[str, ast.AST] = {}
    complete = True
    for index, argument in enumerate(arguments):
        if isinstance(argument, ast.Starred):
            complete = False
            break
        if index < len(api.parameters):
            bound[api.parameters[index]] = argument
    for keyword in keywords:
        if keyword.arg is None:
            complete = False
        else:
            bound[keyword.arg] = keyword.value
    return bound, complete


def _explicit(
    code: CodeModule,
    resolver: Resolver,
    api: Api,
    parameter: str,
    names: tuple[str, ...],
    node: ast.AST,
    scope: ast.AST,
    statement: ast.stmt,
) -> list[Site]:
    if isinstance(node, ast.Constant) and not isinstance(node.value, (int, float)) or _is_bool(node):
        return []  # None, a string, a flag: not a number to compare
    parts = node.elts if len(names) > 1 and isinstance(node, ast.Tuple) and len(node.elts) == len(names) else None
    defaults = _defaults(api, parameter, len(names))
    if len(names) > 1 and parts is None:
        value = resolver.value(node, scope)
        return [
            _site(code, name, value, node, api, parameter, statement, default=d) for name, d in zip(names, defaults)
        ]
    targets = parts if parts is not None else [node]
    if parts is None and isinstance(node, ast.Tuple) and api.kind != "init":
        ranged = _range_read(code, resolver, api, parameter, names[0], node, scope, statement)
        if ranged is not None:
            return ranged
    return [
        _site(
            code,
            name,
            resolver.value(part, scope),
            _scale_written(resolver, part, scope) if api.kind == "init" else part,
            api,
            parameter,
            statement,
            default=d,
        )
        for name, part, d in zip(names, targets, defaults)
    ]


def _scale_written(resolver: Resolver, node: ast.AST, scope: ast.AST) -> ast.AST:
    """``val = math.sqrt(6. / fan)`` then ``nn.init.uniform_(w, -val, val)``: the scale is written
    at the assignment, where the site is."""
    named = node.operand if isinstance(node, ast.UnaryOp) else node
    if not isinstance(named, ast.Name):
        return node
    line = named.lineno
    # the nearest assignment above (`val` is computed anew before each initialiser)
    above = [a for a in resolver.scopes.assignments.get(scope, {}).get(named.id, []) if a.lineno <= line]
    return above[-1].value if above and above[-1].value is not None else node


def _range_read(
    code: CodeModule,
    resolver: Resolver,
    api: Api,
    parameter: str,
    name: str,
    node: ast.Tuple,
    scope: ast.AST,
    statement: ast.stmt,
) -> list[Site] | None:
    """``RandomResizedCrop(224, scale=(args.crop_min, 1.))``: a range whose one end is a setting and
    whose other is the library's own (``(0.08, 1.0)``) reads that setting; its site is the flag."""
    default = api.defaults.get(parameter)
    if not isinstance(default, list) or len(default) != len(node.elts):
        return None
    read = None
    for element, library in zip(node.elts, default):
        value = resolver.value(element, scope)
        if value.origin is not None and read is None:
            read = (element, value)
        elif value.numeric is None or value.numeric != library:
            return None
    if read is None:
        return None
    return [_site(code, name, read[1], read[0], api, parameter, statement)]


def _defaults(api: Api, parameter: str, count: int) -> list[float | None]:
    """The library's default for each name a parameter carries (two for betas), where numeric."""
    default = api.defaults.get(parameter)
    values = default if isinstance(default, list) else [default]
    numbers = [float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None for v in values]
    return numbers if len(numbers) == count else [None] * count


def _is_bool(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, bool)


def _site(
    code: CodeModule,
    name: str,
    value: Value,
    node: ast.AST,
    api: Api | None,
    label: str,
    statement: ast.stmt,
    kind: SiteKind | None = None,
    default: float | None = None,
) -> Site:
    origin = value.origin
    # A parameter read as is (`Adam(..., lr=lr)` in `Agent.__init__`): Hydra's `_target_` may supply it.
    scope = code.scope_name(statement) if value.numeric is None and isinstance(node, ast.Name) else ""
    return value_site(
        code,
        name,
        value,
        node,
        statement,
        kind or _KINDS.get(api.kind if api else "", SiteKind.LAYER),
        api=api.qualified if api else None,
        label=label,
        origin_label=declared_as(origin) if origin else "",
        default=default,
        scope=scope,
    )


def _implicit(
    code: CodeModule, api: Api, parameter: str, names: tuple[str, ...], call: ast.Call, statement: ast.stmt
) -> list[Site]:
    default = api.defaults[parameter]
    values = default if isinstance(default, list) and len(default) == len(names) > 1 else [default]
    if len(values) != len(names):
        return []
    sites = []
    for name, value in zip(names, values):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue  # None (computed at run time), strings and objects have no number to state
        sites.append(
            Site(
                name,
                format_number(float(value)),
                float(value),
                code.span(call.func),
                Source.DEFAULT,
                False,
                _KINDS.get(api.kind, SiteKind.LAYER),
                api=api.qualified,
                label=parameter,
                anchors=(statement.lineno,),
            )
        )
    return sites


# --- moving averages -------------------------------------------------------------------------


def _one_minus(node: ast.AST) -> ast.AST | None:
    """``X`` when ``node`` is ``1 - X`` (or ``1.0 - X``)."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub) and python_number(node.left) == 1.0:
        return node.right
    return None


def _average_name(code: CodeModule, decay: ast.AST) -> str:
    if isinstance(decay, ast.Attribute):
        return config_name(decay.attr) or "ema_decay"
    return "ema_decay"


def _destinations(node: ast.BinOp, statement: ast.stmt) -> set[str]:
    """What the expression is stored into: the assignment's target, or ``x`` of ``x.copy_(node)``."""
    if isinstance(statement, ast.Assign) and statement.value is node:
        return {ast.unparse(target) for target in statement.targets}  # unparsed: a target's ctx is Store
    return {
        ast.unparse(call.func.value)
        for call in ast.walk(statement)
        if isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and call.func.attr == "copy_"
        and call.args
        and call.args[0] is node
    }


def _average_sites(
    code: CodeModule, resolver: Resolver, node: ast.BinOp, scope: ast.AST, statement: ast.stmt
) -> list[Site]:
    """``x = d * x + (1 - d) * y`` (or ``x.copy_(...)``), in any order: a moving average of ``x``
    with decay ``d``. A mix not stored back into one of its terms (label smoothing's
    ``(1 - eps) * nll + eps * uniform``) is not an average."""
    terms = [node.left, node.right]
    if not all(isinstance(t, ast.BinOp) and isinstance(t.op, ast.Mult) for t in terms):
        return []
    factors = [[t.left, t.right] for t in terms if isinstance(t, ast.BinOp)]  # both, checked above
    destinations = _destinations(node, statement)
    if not destinations.intersection(ast.unparse(f) for pair in factors for f in pair):
        return []
    for mine, other in ((factors[0], factors[1]), (factors[1], factors[0])):
        for factor in mine:
            decay = _one_minus(factor)
            if decay is not None and any(ast.dump(decay) == ast.dump(f) for f in other):
                value = resolver.value(decay, scope)
                return [_site(code, _average_name(code, decay), value, decay, None, "", statement, SiteKind.EMA)]
    return []


def _update_method_sites(
    code: CodeModule, resolver: Resolver, call: ast.Call, scope: ast.AST, statement: ast.stmt
) -> list[Site]:
    """``p.mul_(d).add_(q, alpha=1 - d)`` and ``p.lerp_(q, 1 - d)``: in-place moving averages."""
    method = _last_name(call.func)
    weight = None
    if method == "add_":
        weight = next((k.value for k in call.keywords if k.arg == "alpha"), None)
    elif method in ("lerp_", "lerp"):
        weight = call.args[-1] if call.args else next((k.value for k in call.keywords if k.arg == "weight"), None)
    decay = _one_minus(weight) if weight is not None else None
    if decay is None:
        return []
    value = resolver.value(decay, scope)
    return [_site(code, _average_name(code, decay), value, decay, None, "", statement, SiteKind.EMA)]


# --- loss terms ------------------------------------------------------------------------------


def _terms(node: ast.AST) -> list[ast.AST]:
    """The terms of a sum: ``a + 0.5 * b - c`` -> ``[a, 0.5 * b, c]``."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
        return [*_terms(node.left), *_terms(node.right)]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return _terms(node.operand)
    return [node]


def _loss_term_sites(
    code: CodeModule,
    resolver: Resolver,
    statement: ast.Assign | ast.AnnAssign | ast.AugAssign | ast.Return,
    scope: ast.AST,
) -> list[Site]:
    """Coefficients of the terms a loss adds up (``loss = a + 0.5 * b``; ``loss += c * d``)."""
    if statement.value is None:
        return []
    terms = _terms(statement.value)
    if len(terms) < 2 and not isinstance(statement, ast.AugAssign):
        return idioms.scaled_loss_sites(code, statement.value, statement, scope)  # `0.5 * mse`, `(real + fake) / 2`
    if isinstance(statement, ast.AugAssign) and _is_gradient(statement.target):
        return _gradient_term_sites(code, resolver, statement, scope)
    sites = []
    for term in terms:
        named = idioms.named_weight_sites(code, resolver, term, scope, statement)  # `lambda_gp * penalty`
        if named:
            sites.extend(named)
            continue
        split = _coefficient(resolver, term, scope)
        if split is None:
            continue
        coefficient, other = split
        value = resolver.value(coefficient, scope)
        if value.numeric is not None and abs(value.numeric) in (0.0, 1.0):
            continue  # 0 and 1 are identities, not weights
        name = config_name(coefficient.attr) if isinstance(coefficient, ast.Attribute) else None
        sites.append(
            _site(
                code,
                name or f"loss_weight.{_term_name(code, other)}",
                value,
                coefficient,
                None,
                "",
                statement,
                SiteKind.LOSS_TERM,
            )
        )
    return sites


def _gradient_term_sites(code: CodeModule, resolver: Resolver, statement: ast.AugAssign, scope: ast.AST) -> list[Site]:
    """``param.grad.data += strength * grad``: a regulariser added to the gradient by hand (BigGAN's
    orthogonal regularisation); its strength is a loss weight, named as the code names it."""
    term = statement.value
    if not (isinstance(term, ast.BinOp) and isinstance(term.op, ast.Mult)):
        return []
    for coefficient in (term.left, term.right):
        value = resolver.value(coefficient, scope)
        named = _last_name(coefficient)
        if value.numeric is None or abs(value.numeric) in (0.0, 1.0):
            continue  # a tensor (`mask * grad`), an identity
        if python_number(coefficient) is not None or named and config_name(named) is not None:
            name = config_name(named) if named else "loss_weight.gradient"
            return [
                _site(code, name or "loss_weight.gradient", value, coefficient, None, "", statement, SiteKind.LOSS_TERM)
            ]
    return []


def _coefficient(resolver: Resolver, term: ast.AST, scope: ast.AST) -> tuple[ast.AST, ast.AST] | None:
    """(coefficient, the term it weights) of a product, or None where neither side is one."""
    if not (isinstance(term, ast.BinOp) and isinstance(term.op, ast.Mult)):
        return None
    left, right = term.left, term.right
    for coefficient, other in ((left, right), (right, left)):
        if python_number(coefficient) is not None and python_number(other) is None:
            return coefficient, other
    for coefficient, other in ((left, right), (right, left)):
        if isinstance(coefficient, ast.Attribute) and resolver.is_config(coefficient.value, scope):
            return coefficient, other
    if (
        isinstance(left, ast.Name)
        and isinstance(right, ast.Name)
        and ("loss" in left.id.lower()) != ("loss" in right.id.lower())
    ):
        return (right, left) if "loss" in left.id.lower() else (left, right)
    return None


def _term_name(code: CodeModule, node: ast.AST) -> str:
    """A short name for a loss term: its variable, or the function that computes it."""
    while True:
        if isinstance(node, ast.Call):
            inner = node.func
            if isinstance(inner, ast.Attribute) and isinstance(inner.value, (ast.Call, ast.Subscript, ast.BinOp)):
                node = inner.value  # `f(x).pow(2).mean()` is named by f
                continue
            if (
                isinstance(inner, ast.Attribute)
                and isinstance(inner.value, ast.Name)
                and code.qualified_name(inner) is None
            ):
                return inner.value.id  # `logits.pow(2)` is named by logits; `torch.logsumexp(...)` by logsumexp
            return _last_name(inner) or "term"
        if isinstance(node, ast.Attribute) and isinstance(node.value, (ast.Call, ast.Subscript)):
            node = node.value
            continue
        if isinstance(node, ast.Subscript):
            node = node.value
            continue
        if isinstance(node, ast.BinOp):
            node = node.left
            continue
        return _last_name(node) or "term"
