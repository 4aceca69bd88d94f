"""Finding gradient stops in one file's ``ast``: what stops, where, and what it covers.

Module-level APIs (``torch.no_grad``, ``jax.lax.stop_gradient``) are recognised by
qualified name, so aliases work. Tensor methods (``.detach()``, ``.data``, ``.item()``)
cannot be: their receiver is a local variable, so they are recognised by their shape.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from paperlink.source.code import FUNCTIONS, CodeModule

__all__ = [
    "Found",
    "decorator_target",
    "find_stops",
    "grad_decorators",
    "made_without_gradient",
    "CONVERSIONS",
    "ENABLE_GRAD",
    "FREEZES",
    "TF_VARIABLES",
    "VARIABLES",
]

_GRAD_MODES = {
    "no_grad": "no_grad",
    "inference_mode": "inference_mode",
    "set_grad_enabled": "set_grad_enabled",
}
_GRAD_MODE_MODULES = ("torch", "torch.autograd", "torch.autograd.grad_mode")
ENABLE_GRAD = frozenset(f"{module}.enable_grad" for module in _GRAD_MODE_MODULES)
_STOP_FUNCTIONS = {
    "tensorflow.stop_gradient": "stop_gradient",
    "tensorflow.raw_ops.StopGradient": "stop_gradient",
    "jax.lax.stop_gradient": "stop_gradient",
}
_PARAMETERS = frozenset({"torch.nn.Parameter", "torch.nn.parameter.Parameter"})
# the legacy wrapper: `Variable(t, requires_grad=False)` is a tensor cut from the graph (a GAN's target labels)
VARIABLES = frozenset({"torch.autograd.Variable", "torch.autograd.variable.Variable"})
FREEZES = frozenset(
    {".requires_grad = False", ".requires_grad_(False)", ".trainable = False"}
)  # the apis that freeze what they touch
# a TensorFlow variable made with `trainable=False` is left out of every gradient (a counter, a noise scale)
TF_VARIABLES = frozenset({"tensorflow.Variable", "tensorflow.get_variable"})
# TensorFlow's functional loops, which take `back_prop=False` to keep no gradient through the loop
_TF_LOOPS = frozenset(
    {"tensorflow.while_loop", "tensorflow.map_fn", "tensorflow.scan", "tensorflow.foldl", "tensorflow.foldr"}
)
# `import tensorflow.compat.v2 as tf`: the compatibility modules re-export TensorFlow's own functions
_TF_COMPAT = re.compile(r"^tensorflow\.compat\.v[12]\.")
# `set_grad_enabled(phase == "train")`: a stop in the phases that are not training
_PHASE_WORDS = re.compile(r"train|phase|mode")
_FUNCTION_BASES = frozenset({"torch.autograd.Function", "torch.autograd.function.Function"})
_FACTORIES = frozenset(
    "rand randn rand_like randn_like randint bernoulli empty empty_like zeros zeros_like ones ones_like arange "
    "linspace full full_like eye tensor as_tensor".split()
)
CONVERSIONS = frozenset({"item", "numpy", "tolist", "float"})
_ZERO_MAKERS = frozenset({"zeros_like", "zeros", "new_zeros"})
# `.data` is also a dataset's or a batch's field: count it only where it looks like a tensor's
_TENSOR_RECEIVER = re.compile(
    r"(^|_)(p|w|b|q|k|v|param|params|parameter|weight|weights|bias|grad|tensor)s?(\d*|_\w+)$|param|weight"
)
# the names scripts give their parsed arguments and configuration objects
_CONFIG_ROOTS = frozenset("args opt opts cfg config conf hparams hyp flags options settings".split())
_TENSOR_ATTRIBUTES = frozenset({"weight", "bias", "grad", "running_mean", "running_var"})
_TENSOR_METHODS = frozenset(
    "clone cpu cuda numpy item tolist detach float half double to view reshape size norm abs sum mean t type dim "
    "numel max min squeeze unsqueeze".split()
)


@dataclass(frozen=True)
class Found:
    """One gradient stop as written, before its context is known."""

    node: ast.expr | ast.stmt  # where it is reported: the call, the attribute, the decorator, the backward
    kind: str
    api: str
    what: str  # how messages name it: "z2.detach()", "torch.no_grad() block"
    region: tuple[ast.stmt, ...] = ()  # for no_grad-like stops: the statements they cover
    decorated: ast.FunctionDef | ast.AsyncFunctionDef | None = None  # for decorators: the function they wrap
    receiver: str = ""  # the tensor a method applies to, as written
    phased: bool = False  # `set_grad_enabled(<training phase test>)`: stops only outside training


# the node types `find_stops` looks at
_STOP_KINDS = frozenset({ast.With, ast.AsyncWith, *FUNCTIONS, ast.Call, ast.Attribute, ast.Assign, ast.ClassDef})


def find_stops(code: CodeModule) -> Iterator[Found]:
    """Every gradient stop in the file, in one pass over its nodes.

    The nodes come from the code model's parent map, which the rules share and which every
    stop needs anyway: iterating its keys is several times cheaper than walking the tree.
    """
    # on first need: whether the file defines a class of its own with a `data` field, then the
    # names it binds to the output of a module or a tensor function
    own_data: list[Any] = []
    local_modes: list[dict[str, Any]] = []  # on first need: the file's own grad-mode decorators
    aliases = _stop_aliases(code) if "stop_gradient" in code.text else None  # None: no stop function named
    for node in code.parents:
        if type(node) not in _STOP_KINDS:  # most nodes: names, constants, operators
            continue
        if isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                kind = _grad_mode(code, item.context_expr)
                if kind:
                    yield Found(
                        item.context_expr,
                        kind,
                        _api(code, item.context_expr),
                        f"{_text(item.context_expr)} block",
                        tuple(node.body),
                        phased=_phased(item.context_expr),
                    )
        elif isinstance(node, FUNCTIONS):
            for decorator in node.decorator_list:
                kind = _grad_mode(code, decorator)
                target = decorator_target(decorator)
                if not kind and isinstance(target, ast.Name):
                    if not local_modes:
                        local_modes.append(grad_decorators(code))
                    kind = local_modes[0].get(target.id, (None,))[0]
                if kind:
                    what = f"@{_text(decorator)} on {node.name}"
                    yield Found(decorator, kind, _api(code, decorator), what, tuple(node.body), node)
        elif isinstance(node, ast.Call):
            yield from _call_stop(code, node, aliases)
        elif isinstance(node, ast.Attribute) and node.attr == "data" and _is_tensor_data(code, node, own_data):
            receiver = _text(node.value)
            yield Found(node, "data", ".data", f"{receiver}.data", receiver=receiver)
        elif isinstance(node, ast.Assign):
            yield from _frozen_by_assignment(node)
        elif isinstance(node, ast.ClassDef):
            yield from _autograd_function(code, node)


def grad_decorators(code: CodeModule) -> dict[str, tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    """The file's functions that apply a grad mode to what they decorate (name -> kind, definition): ``def
    smart_inference_mode(): def decorate(fn): return (torch.inference_mode if new else torch.no_grad)()(fn)``."""
    text = code.text
    if ")(" not in text or "no_grad" not in text and "inference_mode" not in text:
        return {}
    found = {}
    for node in code.tree.body:
        if isinstance(node, FUNCTIONS):
            kinds = sorted(
                kind
                for inner in ast.walk(node)
                if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Call) and inner.args
                for option in _alternatives(inner.func.func)
                if (kind := _grad_mode(code, option))
            )
            if kinds:
                found[node.name] = (kinds[0], node)  # `inference_mode` before `no_grad`: the mode on current torch
    return found


def _alternatives(expression: ast.expr) -> list[ast.expr]:
    """``torch.inference_mode if new else torch.no_grad``: each mode it may be."""
    if isinstance(expression, ast.IfExp):
        return [*_alternatives(expression.body), *_alternatives(expression.orelse)]
    if isinstance(expression, ast.BoolOp):
        return [option for value in expression.values for option in _alternatives(value)]
    return [expression]


def decorator_target(decorator: ast.expr) -> ast.expr:
    """What a decorator names: ``smart_inference_mode`` in ``@smart_inference_mode()``."""
    return decorator.func if isinstance(decorator, ast.Call) else decorator


def _grad_mode(code: CodeModule, expression: ast.AST) -> str | None:
    """The kind of a ``no_grad``-like context manager or decorator that disables gradients."""
    call = expression if isinstance(expression, ast.Call) else None
    name = code.qualified_name(call.func if call else expression) or ""
    module, _, function = name.rpartition(".")
    if module not in _GRAD_MODE_MODULES or function not in _GRAD_MODES:
        return None
    first = call.args[0] if call and call.args else next((k.value for k in call.keywords), None) if call else None
    if function == "set_grad_enabled":
        if isinstance(first, ast.Constant):
            return function if first.value is False else None
        return function if first is not None and _PHASE_WORDS.search(ast.unparse(first).lower()) else None
    if function == "inference_mode" and first is not None:
        return function if isinstance(first, ast.Constant) and first.value is True else None
    return function


def _phased(expression: ast.AST) -> bool:
    """``set_grad_enabled(phase == "train")``: gradients off in the phases other than training."""
    first = expression.args[0] if isinstance(expression, ast.Call) and expression.args else None
    return first is not None and not isinstance(first, ast.Constant)


def _stop_aliases(code: CodeModule) -> dict[str, str]:
    """``SG = jax.lax.stop_gradient`` at module level: the names a file gives a stop function."""
    found = {}
    for node in code.tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name = _TF_COMPAT.sub("tensorflow.", code.qualified_name(node.value) or "")
            if name in _STOP_FUNCTIONS:
                found[node.targets[0].id] = name
    return found


def _stop_function(code: CodeModule, node: ast.AST, aliases: dict[str, str]) -> str:
    """The stop function ``node`` names (``jax.lax.stop_gradient``, an alias of it), or ""."""
    if isinstance(node, ast.Name) and node.id in aliases:
        return aliases[node.id]
    name = _TF_COMPAT.sub("tensorflow.", code.qualified_name(node) or "")
    return name if name in _STOP_FUNCTIONS else ""


def _call_stop(code: CodeModule, call: ast.Call, aliases: dict[str, str] | None) -> Iterator[Found]:
    func = call.func
    name = _TF_COMPAT.sub("tensorflow.", code.call_name(call) or "")
    if aliases is not None and isinstance(func, ast.Name) and func.id in aliases:
        name = aliases[func.id]  # `SG = jax.lax.stop_gradient; SG(x)`
    mapped = ""
    if aliases is not None and name not in _STOP_FUNCTIONS:
        mapped = next((n for a in call.args if (n := _stop_function(code, a, aliases))), "")
    if name in _STOP_FUNCTIONS:
        yield Found(call, "stop_gradient", name, f"{_text(func)}(...)")
    elif mapped:
        # `jax.tree_util.tree_map(jax.lax.stop_gradient, target_params)`: every leaf of a tree stopped
        yield Found(call, "stop_gradient", mapped, f"{_text(func)}({_text(call.args[0])}, ...)")
    elif name in _PARAMETERS | VARIABLES and any(
        k.arg == "requires_grad" and _is_false(k.value) for k in call.keywords
    ):
        yield Found(call, "requires_grad", name, f"{_text(func)}(..., requires_grad=False)")
    elif name in _PARAMETERS and any(k.arg == "requires_grad" and _may_be_false(k.value) for k in call.keywords):
        # `nn.Parameter(torch.randn(d), requires_grad=not is_random)`: frozen in one configuration
        flag = next(_text(k.value) for k in call.keywords if k.arg == "requires_grad")
        yield Found(call, "requires_grad", name, f"{_text(func)}(..., requires_grad={flag})")
    elif name in VARIABLES and any(k.arg == "volatile" and _is_true(k.value) for k in call.keywords):
        # PyTorch < 0.4: `noisev = Variable(noise, volatile=True)  # totally freeze netG`: nothing computed from
        # it keeps a graph, the spelling `torch.no_grad()` replaced
        yield Found(call, "no_grad", name, f"{_text(func)}(..., volatile=True)")
    elif name.endswith(".set_grad_enabled") and _grad_mode(code, call) and not _phased(call):
        block = _rest_of_block(code, call)
        if block is not None:  # `torch.set_grad_enabled(False)` as a statement: off for the rest of the block
            yield Found(call, "set_grad_enabled", name, f"{_text(call)} switch", block)
    elif name.removeprefix("torch.") in _FACTORIES and any(
        k.arg == "requires_grad" and _is_false(k.value) for k in call.keywords
    ):
        yield Found(call, "requires_grad", name, f"{_text(func)}(..., requires_grad=False)")
    elif name in TF_VARIABLES and any(k.arg == "trainable" and _is_false(k.value) for k in call.keywords):
        yield Found(call, "requires_grad", name, f"{_text(func)}(..., trainable=False)")
    elif name in _TF_LOOPS and any(k.arg == "back_prop" and _is_false(k.value) for k in call.keywords):
        # TensorFlow 1: `tf.while_loop(cond, body, loop_vars, back_prop=False)`: no gradient through the loop
        yield Found(call, "no_grad", name, f"{_text(func)}(..., back_prop=False)")
    elif name == "builtins.float" and len(call.args) == 1 and _tensor_valued(call.args[0]):
        yield Found(call, "float", name, f"float({_text(call.args[0])})")
    elif isinstance(func, ast.Attribute) and not name:  # a method of a local value
        yield from _method_stop(code, call, func)


def _rest_of_block(code: CodeModule, call: ast.Call) -> tuple[ast.stmt, ...] | None:
    """The statements after ``call`` written as a statement of its own, in its block; None for a call inside an
    expression or a ``with`` item (``with torch.set_grad_enabled(False):`` is found as a block)."""
    statement = code.parents.get(call)
    if not isinstance(statement, ast.Expr):
        return None
    owner = code.parents.get(statement)
    for field in ("body", "orelse", "finalbody"):
        block = getattr(owner, field, None)
        if isinstance(block, list) and statement in block:
            return tuple(block[block.index(statement) + 1 :])
    return None


def made_without_gradient(api: str) -> bool:
    """``torch.zeros(n, requires_grad=False)``, ``tf.Variable(0, trainable=False)``: a value made outside
    autograd by saying so, which cuts nothing from a graph (listed in the map, never diagnosed)."""
    return api in TF_VARIABLES or api.startswith("torch.") and api.removeprefix("torch.") in _FACTORIES


def _tensor_valued(argument: ast.AST) -> bool:
    """``float(loss.mean())`` converts a tensor; ``float(h * w)`` or ``float(n)`` most likely a number."""
    if isinstance(argument, ast.Subscript):
        key = argument.slice
        return not (isinstance(key, ast.Constant) and isinstance(key.value, str))  # `config["num_steps"]`
    return isinstance(argument, ast.Call) and isinstance(argument.func, ast.Attribute)


def _method_stop(code: CodeModule, call: ast.Call, func: ast.Attribute) -> Iterator[Found]:
    receiver = _text(func.value)
    if func.attr in ("detach", "detach_") and not call.args and not _made_fresh(code, func.value):
        yield Found(call, func.attr, f".{func.attr}()", f"{receiver}.{func.attr}()", receiver=receiver)
    elif func.attr in ("item", "numpy", "tolist") and not call.args and not call.keywords:
        yield Found(call, func.attr, f".{func.attr}()", f"{receiver}.{func.attr}()", receiver=receiver)
    elif func.attr == "requires_grad_":
        flag = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "requires_grad"), None)
        if flag is not None and _is_false(flag):
            yield Found(
                call, "requires_grad", ".requires_grad_(False)", f"{receiver}.requires_grad_(False)", receiver=receiver
            )


def _made_fresh(code: CodeModule, value: ast.AST) -> bool:
    """``torch.rand(n).ge_(p).detach()``: a tensor made by a factory has no gradient to stop."""
    while isinstance(value, (ast.Call, ast.Attribute, ast.Subscript)):
        if isinstance(value, ast.Call) and (code.call_name(value) or "").removeprefix("torch.") in _FACTORIES:
            return True
        value = value.func if isinstance(value, ast.Call) else value.value
    return False


def _frozen_by_assignment(node: ast.Assign) -> Iterator[Found]:
    if not _is_false(node.value):
        return
    for target in node.targets:
        if isinstance(target, ast.Attribute) and target.attr == "trainable":  # Keras: `base_model.trainable = False`
            receiver = _text(target.value)
            yield Found(
                target, "requires_grad", ".trainable = False", f"{receiver}.trainable = False", receiver=receiver
            )
        if isinstance(target, ast.Attribute) and target.attr == "requires_grad":
            receiver = _text(target.value)
            yield Found(
                target,
                "requires_grad",
                ".requires_grad = False",
                f"{receiver}.requires_grad = False",
                receiver=receiver,
            )


def _autograd_function(code: CodeModule, node: ast.ClassDef) -> Iterator[Found]:
    """A custom ``torch.autograd.Function`` whose backward passes no gradient: only None or zeros."""
    if not any(code.qualified_name(base) in _FUNCTION_BASES for base in node.bases):
        return
    backward = next((s for s in node.body if isinstance(s, FUNCTIONS) and s.name == "backward"), None)
    if backward is None:
        return
    returns = [n.value for n in ast.walk(backward) if isinstance(n, ast.Return)]
    if all(_passes_nothing(value) for value in returns):
        yield Found(
            backward,
            "autograd_function",
            f"{node.name}.backward",
            f"{node.name}.apply (its backward passes no gradient)",
        )


def _passes_nothing(value: ast.AST | None) -> bool:
    if value is None or isinstance(value, ast.Constant) and value.value is None:
        return True
    if isinstance(value, ast.Tuple):
        return all(_passes_nothing(element) for element in value.elts)
    if isinstance(value, ast.Call):
        func = value.func
        called = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        return called in _ZERO_MAKERS
    return False


def _is_tensor_data(code: CodeModule, node: ast.Attribute, own_data: list[Any]) -> bool:
    """Whether ``x.data`` reads a tensor's storage (not a dataset's field or ``torch.utils.data``)."""
    if code.qualified_name(node) is not None or isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
        return False  # torch.utils.data; an object's own `data` field
    if _config_root(node.value):
        return False  # `opt.data = check_file(opt.data)`, `config.evals.val.data.split = ...`: a run's settings
    parent = code.parents.get(node)
    if isinstance(parent, ast.Attribute) and (parent.attr.endswith("_") or parent.attr in _TENSOR_METHODS):
        return True
    receiver = node.value
    if isinstance(receiver, ast.Call) or isinstance(receiver, ast.Attribute) and receiver.attr in _TENSOR_ATTRIBUTES:
        return True
    if not own_data:
        own_data.append(any(isinstance(n, ast.ClassDef) and _has_own_data(code, n) for n in code.parents))
    if own_data[0]:
        return False  # `v.data += ...` may be the file's own class (a scalar autograd engine, a record)
    if isinstance(node.ctx, ast.Store):
        return _tensor_like_value(code, node)
    name = (
        receiver.id if isinstance(receiver, ast.Name) else receiver.attr if isinstance(receiver, ast.Attribute) else ""
    )
    if name and _TENSOR_RECEIVER.search(name.lower()):
        return True
    if isinstance(receiver, ast.Subscript) and _beside_tensor_data(code, node):
        return True  # `t[k].data.copy_(t[k].data * d + s[k].data * (1 - d))`: one tensor's storage, then all
    if isinstance(receiver, ast.Name):
        if len(own_data) == 1:
            own_data.append(_module_outputs(code))
        return receiver.id in own_data[1]
    return False


def _config_root(receiver: ast.expr) -> bool:
    """Whether an attribute chain starts at a run's configuration (``args``, ``opt``, ``cfg``, ``FLAGS``)."""
    while isinstance(receiver, (ast.Attribute, ast.Subscript)):
        receiver = receiver.value
    return isinstance(receiver, ast.Name) and receiver.id.lower() in _CONFIG_ROOTS


def _beside_tensor_data(code: CodeModule, node: ast.Attribute) -> bool:
    """Whether the statement holding ``node`` updates a ``.data`` in place (``x.data.copy_(...)``)."""
    statement = code.enclosing_statement(node)
    return any(
        isinstance(n, ast.Attribute)
        and n.attr == "data"
        and isinstance(parent := code.parents.get(n), ast.Attribute)
        and parent.attr.endswith("_")
        and not parent.attr.endswith("__")
        for n in ast.walk(statement)
    )


def _module_outputs(code: CodeModule) -> frozenset[str]:
    """Names bound to what a module instance returns (``generator = Generator()``, ``fake = generator(z)``)
    or to a tensor function's result (``torch.*``, ``Variable(...)``): tensors, whose ``.data`` is storage."""
    assignments = [
        node
        for node in code.parents
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and len(node.targets) == 1
    ]
    instances = {
        target.id
        for node in assignments
        for target in node.targets
        if isinstance(target, ast.Name) and _class_name(node.value.func)  # type: ignore[attr-defined]
    }
    outputs = set()
    for node in assignments:
        call = node.value
        func = call.func  # type: ignore[attr-defined]
        name = code.call_name(call) or ""
        if isinstance(func, ast.Name) and func.id in instances or name.startswith("torch.") or name in VARIABLES:
            outputs |= {n.id for n in ast.walk(node.targets[0]) if isinstance(n, ast.Name)}
    return frozenset(outputs)


def _class_name(func: ast.AST) -> bool:
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
    return name[:1].isupper() and not name.isupper()


def _tensor_like_value(code: CodeModule, target: ast.Attribute) -> bool:
    """``p.data = m * p.data + ...`` writes a tensor; ``cfg.data = Dataset.get_default_config()`` a field."""
    statement = code.parents.get(target)
    value = getattr(statement, "value", None)
    if value is None:
        return True
    if _TENSOR_RECEIVER.search(ast.unparse(target.value).lower()):
        return True
    return any(
        isinstance(n, ast.BinOp)
        or isinstance(n, ast.Attribute)
        and (n.attr == "data" or n.attr in _TENSOR_METHODS or n.attr.endswith("_"))
        or isinstance(n, ast.Call)
        and (code.call_name(n) or "").startswith("torch.")
        for n in ast.walk(value)
    )


def _has_own_data(code: CodeModule, node: ast.ClassDef) -> bool:
    """A class that is not torch's (no torch base) and sets ``self.data`` in a method."""
    if any((code.qualified_name(base) or "").startswith("torch.") for base in node.bases):
        return False
    return any(
        isinstance(target, ast.Attribute)
        and target.attr == "data"
        and isinstance(target.value, ast.Name)
        and target.value.id == "self"
        for method in node.body
        if isinstance(method, FUNCTIONS)
        for statement in ast.walk(method)
        if isinstance(statement, (ast.Assign, ast.AnnAssign))
        for target in (statement.targets if isinstance(statement, ast.Assign) else [statement.target])
    )


def _is_false(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value is False


def _may_be_false(node: ast.AST) -> bool:
    """``not is_random``, ``learnable``, ``cfg.train_pos``: a flag, not a constant (``requires_grad=True``)."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return True
    return isinstance(node, (ast.Name, ast.Attribute))


def _is_true(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def _api(code: CodeModule, expression: ast.AST) -> str:
    return code.qualified_name(expression.func if isinstance(expression, ast.Call) else expression) or _text(expression)


def _text(node: ast.AST) -> str:
    text = ast.unparse(node)
    return text if len(text) <= 40 else text[:37] + "..."
