"""The torch function mode that watches one step: gradient stops, values leaving autograd, NaN/Inf.

Every overridable torch call made while the mode is active reaches
:meth:`StepWatcher.__torch_function__` once (calls torch makes inside it are not seen
again), which runs the call unchanged and looks at what went in and came out. Three
things are visible this way in torch 2.x and are used:

* ``torch._C._set_grad_enabled``, called by ``torch.no_grad()``, ``set_grad_enabled`` and
  the ``@torch.no_grad()`` decorator: the Python frames above it say whether the user's
  code or torch's own (an optimizer step, ``clip_grad_norm_``) turned gradients off, and
  on which line;
* ``Tensor.data.__get__`` (the property is a getset descriptor that torch routes through
  ``__torch_function__``), ``detach``, ``item``, ``numpy``, ``tolist``, ``float()``/``int()``;
* the autograd node each operation creates, on which a hook sees the gradients the node
  produces during ``backward()`` (read only: the hook returns None, so nothing changes).

``torch.inference_mode()`` enters through a C++ guard that is not routed to the mode, so
operations under it are placed at the innermost user frame, with the outer ones in ``via``.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from types import FunctionType
from typing import Any

import torch
from torch.overrides import TorchFunctionMode

from paperlink.runtime.frames import FrameFilter
from paperlink.runtime.result import Location, NonFinite, StopEvent, TensorStats

__all__ = ["StepWatcher", "tensor_stats", "is_finite"]

_LIBRARY = "library"  # a no-grad region torch entered on its own (optimizer step, gradient clipping)
_GRAD_MODE_FILE = "autograd/grad_mode.py"
_CONTEXTLIB_FILE = "utils/_contextlib.py"
_BASE = torch._C.TensorBase.__dict__
_LEAVING = {
    _BASE["item"]: "item",
    _BASE["numpy"]: "numpy",
    _BASE["tolist"]: "tolist",
    _BASE["__float__"]: "float",
    _BASE["__int__"]: "int",
    _BASE["detach"]: "detach",
    _BASE["detach_"]: "detach",
    torch.detach: "detach",
}
_DATA = _BASE["data"]
_BACKWARD = {torch.Tensor.backward, torch.autograd.backward, torch.autograd.grad}
_VIA_DEPTH = 8
# factories of memory torch has not written yet: whatever bits it holds may read as NaN
_UNINITIALISED = frozenset({"empty", "empty_like", "empty_strided", "empty_permuted", "new_empty", "new_empty_strided"})
_METHOD_WRAPPER = type("".__len__)  # how torch passes a property's __get__/__set__


@dataclass
class _Tally:
    """An event being counted: one per (kind, api, place)."""

    count: int = 0
    cut: bool = False
    ops: set[str] = field(default_factory=set)


def api_name(func: Any) -> str:
    """``torch.log``, ``Tensor.detach``, ``torch.nn.functional.linear``: the call as a user writes it."""
    name = getattr(func, "__name__", type(func).__name__)
    qualified = getattr(func, "__qualname__", name)
    owner, _, rest = qualified.partition(".")
    if owner in ("TensorBase", "Tensor") and rest:
        return f"Tensor.{rest}"
    if owner == "_VariableFunctionsClass":
        return f"torch.{name}"
    module = getattr(func, "__module__", None) or ""
    if module == "torch._C._nn":
        return f"torch.nn.functional.{name}"
    return f"{module}.{name}" if module else name


def _tensors(values: Any) -> list[torch.Tensor]:
    """The tensors among call arguments or results, one level into lists and tuples."""
    found = []
    for value in values:
        if isinstance(value, torch.Tensor):
            found.append(value)
        elif isinstance(value, (list, tuple)):
            found.extend(item for item in value if isinstance(item, torch.Tensor))
    return found


def is_finite(tensor: torch.Tensor) -> bool:
    """No NaN or Inf element. One sum decides most cases: any NaN or Inf element makes the
    sum NaN or Inf; only when it is not finite (it may overflow) are elements checked."""
    if not tensor.is_floating_point() or tensor.numel() == 0:
        return True
    if math.isfinite(float(tensor.detach().sum())):
        return True
    return bool(torch.isfinite(tensor).all())


def _has_nan(tensor: torch.Tensor) -> bool:
    return tensor.is_floating_point() and bool(torch.isnan(tensor).any())


def tensor_stats(tensor: torch.Tensor) -> TensorStats:
    """Min, max and mean of the finite elements; whether any is NaN or infinite."""
    with torch.no_grad():
        values = tensor.detach()
        floating = values.is_floating_point()
        has_nan = bool(torch.isnan(values).any()) if floating else False
        has_inf = bool(torch.isinf(values).any()) if floating else False
        finite = values[torch.isfinite(values)] if floating else values.reshape(-1)
        if finite.numel() == 0 or values.is_complex():
            low = high = mean = None
        else:
            wide = finite.double()
            low, high, mean = float(wide.min()), float(wide.max()), float(wide.mean())
    return TensorStats(tuple(values.shape), str(values.dtype).removeprefix("torch."), low, high, mean, has_nan, has_inf)


def _non_finite_value(tensors: list[torch.Tensor]) -> str:
    nan = any(_has_nan(t) for t in tensors)
    inf = any(bool(torch.isinf(t).any()) for t in tensors if t.is_floating_point())
    return "nan+inf" if nan and inf else "nan" if nan else "inf"


class StepWatcher(TorchFunctionMode):
    """Records what one step does to the autograd graph; never changes what a call computes."""

    def __init__(self, frames: FrameFilter) -> None:
        super().__init__()
        self.frames = frames
        self.backward_calls = 0
        self.files: set[str] = set()
        self.forward_origin: NonFinite | None = None
        self.backward_origin: NonFinite | None = None
        self._tallies: dict[tuple[str, str, Location, tuple[Location, ...]], _Tally] = {}
        self._region: Any = None  # (api, Location) of the user's no-grad region, _LIBRARY, or None
        self._saved_regions: list[Any] = []
        self._nodes: set[Any] = set()
        self.closed = False
        self.quiet = False  # set while paperlink's own hooks compute statistics

    # --- the mode ---------------------------------------------------------------------

    def __torch_function__(
        self, func: Any, types: Any, args: tuple[Any, ...] = (), kwargs: dict[str, Any] | None = None
    ) -> Any:
        kwargs = kwargs or {}
        if self.quiet:
            return func(*args, **kwargs)
        if func is torch._C._set_grad_enabled:
            self._grad_mode(bool(args[0]) if args else bool(kwargs.get("mode", True)))
            return func(*args, **kwargs)
        if func in _BACKWARD:
            self.backward_calls += 1
            return func(*args, **kwargs)
        is_property = type(func) is _METHOD_WRAPPER
        kind = self._getter_kind(func) if is_property else _LEAVING.get(func)
        if kind is not None:
            self._leave(kind, func, args)
        result = func(*args, **kwargs)
        if is_property:
            return result  # reading .grad or .shape, setting .data: not an operation
        outputs = _tensors(result if isinstance(result, (list, tuple)) else (result,))
        if self.forward_origin is None and outputs and getattr(func, "__name__", "") not in _UNINITIALISED:
            self._check_forward(func, args, kwargs, [t for t in outputs if not t._is_view()])  # views make no values
        if torch.is_grad_enabled():
            self._hook_nodes(func, outputs)
        elif outputs or getattr(func, "__name__", "") == "__setitem__":
            self._disabled_op(func, args, kwargs)
        return result

    @staticmethod
    def _getter_kind(func: Any) -> str | None:
        return "data" if func.__self__ is _DATA and func.__name__ == "__get__" else None

    def events(self) -> tuple[StopEvent, ...]:
        return tuple(
            sorted(
                StopEvent(location, kind, api, tally.count, tally.cut, tuple(sorted(tally.ops)), via)
                for (kind, api, location, via), tally in self._tallies.items()
            )
        )

    def close(self) -> None:
        """Stop recording: hooks still on autograd nodes return at once from now on."""
        self.closed = True
        self._nodes.clear()

    def _tally(self, kind: str, api: str, location: Location, via: tuple[Location, ...] = ()) -> _Tally:
        self.files.add(location.path)
        return self._tallies.setdefault((kind, api, location, via), _Tally())

    # --- gradient stops ---------------------------------------------------------------

    def _grad_mode(self, enabled: bool) -> None:
        """Follow grad mode: who turned it off, and where (see the module docstring)."""
        frame = sys._getframe(2)  # _grad_mode <- __torch_function__ <- who called torch
        how, api = "call", "torch.set_grad_enabled"
        while frame is not None and self.frames.torch_file(frame.f_code, _GRAD_MODE_FILE):
            if frame.f_code.co_name == "__enter__":
                how, api = "enter", f"torch.{type(frame.f_locals.get('self')).__name__}"
            elif frame.f_code.co_name == "__exit__":
                how = "exit"
            frame = frame.f_back
        if how == "exit":
            self._region = self._saved_regions.pop() if self._saved_regions else (None if enabled else self._region)
            return
        if how == "enter":
            self._saved_regions.append(self._region)
        if enabled:
            self._region = None
        elif torch.is_grad_enabled() or self._region is None:
            self._region = self._origin(frame, api)
            if self._region is not _LIBRARY:
                self._tally("no-grad", *self._region).count += 1

    def _origin(self, frame: Any, api: str) -> Any:
        """(api, Location) when the user's code turned gradients off, else _LIBRARY."""
        if frame is None:
            return _LIBRARY
        if self.frames.torch_file(frame.f_code, _CONTEXTLIB_FILE):
            decorated = frame.f_locals.get("func")  # the function @torch.no_grad() wraps
            if isinstance(decorated, FunctionType) and self.frames.is_user(decorated.__code__):
                return api, self.frames.function_location(decorated)
            return _LIBRARY
        if self.frames.is_user(frame.f_code):
            return api, self.frames.location(frame)
        return _LIBRARY

    def _disabled_op(self, func: Any, args: tuple, kwargs: dict) -> None:
        """An operation run with gradients off: it cuts the graph if an input requires grad."""
        if self._region is _LIBRARY:
            return
        cut = any(t.requires_grad for t in _tensors((*args, *kwargs.values())))
        if self._region is None:  # inference mode, or a region entered before the audit
            if not cut:
                return  # with no region to report, only operations that cut are worth a place
            frames = list(self.frames.user_frames(sys._getframe(2)))[:_VIA_DEPTH]
            if not frames:
                return
            inference = torch.is_inference_mode_enabled()
            kind, api = ("inference-mode", "torch.inference_mode") if inference else ("no-grad", "grad disabled")
            via = tuple(self.frames.location(f) for f in frames[1:])
            tally = self._tally(kind, api, self.frames.location(frames[0]), via)
            tally.count += 1
        else:
            tally = self._tally("no-grad", *self._region)
        if cut:
            tally.cut = True
            tally.ops.add(api_name(func))

    def _leave(self, kind: str, func: Any, args: tuple) -> None:
        """``detach``, ``.data``, ``item``...: reported where the user's own code calls them."""
        frame = sys._getframe(2)
        if not self.frames.is_user(frame.f_code):
            return  # torch converting values for itself (an optimizer reading its step count)
        api = "Tensor.data" if kind == "data" else api_name(func)
        tally = self._tally(kind, api, self.frames.location(frame))
        tally.count += 1
        if args and isinstance(args[0], torch.Tensor) and args[0].requires_grad:
            tally.cut = True

    # --- NaN and Inf ------------------------------------------------------------------

    def _check_forward(self, func: Any, args: tuple, kwargs: dict, outputs: list[torch.Tensor]) -> None:
        """The origin makes NaN from inputs without NaN, or Inf from finite inputs: an
        infinity passed in (attention's ``masked_fill(mask, -inf)``) is not an origin, a
        softmax over a row that is all ``-inf`` (NaN) is."""
        bad = [t for t in outputs if not is_finite(t)]
        if not bad:
            return
        values = (*args, *kwargs.values())
        inputs = _tensors(values)
        if any(_has_nan(t) for t in inputs):
            return
        given_inf = any(isinstance(v, float) and math.isinf(v) for v in values) or not all(is_finite(t) for t in inputs)
        if given_inf and not any(_has_nan(t) for t in bad):
            return
        frame = self.frames.innermost(sys._getframe(2))
        if frame is None:
            return
        self.forward_origin = NonFinite(
            "forward",
            api_name(func),
            self.frames.location(frame),
            _non_finite_value(bad),
            tuple(tensor_stats(t) for t in inputs),
            tuple(tensor_stats(t) for t in bad),
        )

    def _hook_nodes(self, func: Any, outputs: list[torch.Tensor]) -> None:
        """Hook each new autograd node, remembering the user line that created it."""
        new = [t.grad_fn for t in outputs if t.grad_fn is not None and t.grad_fn not in self._nodes]
        if not new:
            return
        frame = self.frames.innermost(sys._getframe(2))
        if frame is None:
            return
        location = self.frames.location(frame)
        self.files.add(location.path)
        api = api_name(func)
        for node in new:
            self._nodes.add(node)
            site = (node.name(), api, location)
            # no handle is kept: removing a hook costs more than a hook that returns at once
            # after close() (the node dies with its graph)
            node.register_hook(lambda produced, incoming, site=site: self._backward(site, produced, incoming))

    def _backward(self, site: tuple[str, str, Location], produced: tuple, incoming: tuple) -> None:
        """A node's hook: the first node that turns finite gradients into NaN/Inf is the origin."""
        if self.backward_origin is not None or self.quiet or self.closed:
            return None
        self.quiet = True
        try:
            made = [g for g in produced if isinstance(g, torch.Tensor)]
            bad = [g for g in made if not is_finite(g)]
            given = [g for g in incoming if isinstance(g, torch.Tensor)]
            if bad and all(is_finite(g) for g in given):
                name, api, location = site
                self.backward_origin = NonFinite(
                    "backward",
                    name,
                    location,
                    _non_finite_value(bad),
                    tuple(tensor_stats(g) for g in given),
                    tuple(tensor_stats(g) for g in made),
                    api,
                )
        finally:
            self.quiet = False
        return None
