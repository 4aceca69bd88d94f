"""``audit(model)``: watch one forward and backward step and say where gradients stopped.

    with paperlink.runtime.audit(model) as run:
        loss = criterion(model(x), y)
        loss.backward()
    run.result  # an AuditResult: stops, parameter gradients, group norms, first NaN/Inf
    run.diagnostics  # PL902 (parameters without gradient) and PL903 (first NaN/Inf)

The audit reads and never writes: it installs a torch function mode, a global module
forward pre-hook (to learn which modules ran and from which line) and read-only hooks on
parameters and autograd nodes, all removed on exit. The step's loss and gradients are
bitwise those of the same step without the audit (tests/runtime check it with
``torch.equal``). torch is imported when an audit starts, never when paperlink is imported.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from paperlink.errors import AuditError, TorchMissingError
from paperlink.runtime.result import AuditResult, GroupNorm, Location, ParameterGradient

__all__ = ["audit", "GradientAudit", "require_torch"]


def require_torch() -> Any:
    """The torch module, or :class:`TorchMissingError` with the install hint."""
    try:
        import torch
    except ImportError as error:
        raise TorchMissingError(str(error)) from None
    return torch


@dataclass
class _Parameter:
    tensor: Any
    grad: Any = None  # this step's gradient, summed over backward passes


class GradientAudit:
    """The context manager :func:`audit` returns; ``result`` is set when the block ends."""

    def __init__(self, models: Any = None, *, group_depth: int = 1, root: Path | None = None) -> None:
        self.result: AuditResult | None = None
        self._explicit = _named_roots(models)
        self._group_depth = group_depth
        self._root = root or Path.cwd()
        self._parameters: dict[int, _Parameter] = {}
        self._roots: list[Any] = []  # modules whose parameters are watched, in the order met
        self._inside: set[int] = set()  # ids of every module under a watched root
        self._call_sites: dict[int, Location] = {}
        self._layouts: dict[int, list[tuple[str, Any, Any]]] = {}
        self._handles: list[Any] = []

    def __enter__(self) -> GradientAudit:
        if self._roots or self.result is not None:
            raise AuditError("an audit watches one block; call audit() again for the next step")
        torch = require_torch()
        from paperlink.runtime.frames import FrameFilter
        from paperlink.runtime.watch import StepWatcher

        self._frames = FrameFilter(torch.__file__, self._root)
        self._frames.boundary = sys._getframe(1)
        self._watcher = StepWatcher(self._frames)
        for _, module in self._explicit:
            self._watch_module(module)
        hooks = torch.nn.modules.module
        self._handles.append(hooks.register_module_forward_pre_hook(self._module_called))
        self._watcher.__enter__()
        return self

    def __exit__(self, *exc_info: Any) -> Literal[False]:
        self._watcher.__exit__(*exc_info)
        self._watcher.close()
        for handle in self._handles:
            handle.remove()
        self._handles.clear()
        self.result = self._result()
        return False

    @property
    def diagnostics(self) -> list[Any]:
        """PL902 and PL903 for the finished step (empty while it runs)."""
        from paperlink.runtime.diagnostics import audit_diagnostics

        return audit_diagnostics(self.result) if self.result is not None else []

    @property
    def backward_calls(self) -> int:
        """How many times ``backward()`` (or ``torch.autograd.grad``) ran inside the block so far."""
        return self._watcher.backward_calls

    # --- what ran -----------------------------------------------------------------------

    def _module_called(self, module: Any, _inputs: Any) -> None:
        if id(module) not in self._call_sites:
            frame = self._frames.innermost(sys._getframe(1))
            if frame is not None:
                self._call_sites[id(module)] = self._frames.location(frame)
        if not self._explicit and id(module) not in self._inside and _layout(module):
            self._watch_module(module)

    def _watch_module(self, module: Any) -> None:
        layout = _layout(module)
        self._roots.append(module)
        self._layouts[id(module)] = layout
        self._inside.update(id(m) for m in module.modules())
        for _, _, tensor in layout:
            if id(tensor) in self._parameters:
                continue
            state = self._parameters[id(tensor)] = _Parameter(tensor)
            if tensor.requires_grad:
                self._handles.append(tensor.register_hook(lambda grad, state=state: self._gradient(state, grad)))

    def _gradient(self, state: _Parameter, grad: Any) -> None:
        """A parameter's hook: keep a copy of what arrived (the real gradient is untouched)."""
        self._watcher.quiet = True
        try:
            state.grad = grad.detach().clone() if state.grad is None else state.grad + grad
        finally:
            self._watcher.quiet = False
        return None

    # --- the result -----------------------------------------------------------------------

    def _result(self) -> AuditResult:
        parameters = self._parameter_results()
        origins = (self._watcher.forward_origin, self._watcher.backward_origin)
        return AuditResult(
            events=self._watcher.events(),
            parameters=tuple(parameters),
            groups=_group_norms(parameters),
            non_finite=tuple(origin for origin in origins if origin is not None),
            files=tuple(sorted(self._watcher.files | set(self._call_site_paths()))),
            backward_calls=self._watcher.backward_calls,
        )

    def _call_site_paths(self) -> list[str]:
        return [location.path for location in self._call_sites.values()]

    def _parameter_results(self) -> list[ParameterGradient]:
        names = self._explicit or _discovered_names(self._final_roots())
        results, done = [], set()
        for prefix, root in names:
            for name, module, tensor in self._layouts.get(id(root)) or _layout(root):
                if id(tensor) in done or id(tensor) not in self._parameters:
                    continue
                done.add(id(tensor))
                module_path = name.rpartition(".")[0]
                group = ".".join(part for part in (prefix, *module_path.split(".")[: self._group_depth]) if part)
                place = self._call_sites.get(id(module)) or self._call_sites.get(id(root)) or self._definition(root)
                full = f"{prefix}.{name}" if prefix else name
                results.append(_parameter_result(full, group or "(top level)", self._parameters[id(tensor)], place))
        return results

    def _definition(self, module: Any) -> Location | None:
        """Where the module's class is defined: the place of a model that never ran."""
        import inspect

        try:
            filename = inspect.getsourcefile(type(module))
            _, line = inspect.getsourcelines(type(module))
        except (OSError, TypeError):
            return None
        if filename is None or not self._frames.is_user(type(module).forward.__code__):
            return None
        return Location(self._frames.path(filename), line, line, type(module).__qualname__)

    def _final_roots(self) -> list[Any]:
        """Watched roots that are not inside another watched root (a child called first)."""
        final = []
        for module in self._roots:
            if not any(other is not module and any(m is module for m in other.modules()) for other in self._roots):
                final.append(module)
        return final


def _layout(module: Any) -> list[tuple[str, Any, Any]]:
    """(parameter name, the module that owns it, the parameter) in registration order, from
    one walk of the modules (``named_parameters`` would walk them once per call)."""
    found = []
    for path, owner in module.named_modules():
        for name, tensor in owner._parameters.items():  # the owner's own parameters, as nn.Module keeps them
            if tensor is not None:
                found.append((f"{path}.{name}" if path else name, owner, tensor))
    return found


def _parameter_result(name: str, group: str, state: _Parameter, place: Location | None) -> ParameterGradient:
    import torch

    shape = tuple(state.tensor.shape)
    if not state.tensor.requires_grad:
        return ParameterGradient(name, group, shape, "frozen", None, place)
    if state.grad is None:
        return ParameterGradient(name, group, shape, "no-gradient", None, place)
    norm = float(torch.linalg.vector_norm(state.grad))
    if norm == 0.0 or not math.isfinite(norm):
        # squares of float32 values can underflow or overflow; in float64 they cannot, so
        # there the norm is 0 exactly when every element is, and NaN/Inf when one is
        norm = float(torch.linalg.vector_norm(state.grad, dtype=torch.float64))
    status = "non-finite" if not math.isfinite(norm) else "zero-gradient" if norm == 0.0 else "ok"
    return ParameterGradient(name, group, shape, status, norm, place)


def _group_norms(parameters: list[ParameterGradient]) -> tuple[GroupNorm, ...]:
    groups: dict[str, list[ParameterGradient]] = {}
    for parameter in parameters:
        groups.setdefault(parameter.group, []).append(parameter)
    norms = []
    for name, members in groups.items():
        with_gradient = [p for p in members if p.norm is not None]
        norm = math.sqrt(sum(p.norm**2 for p in with_gradient if p.norm is not None)) if with_gradient else None
        norms.append(GroupNorm(name, len(members), len(with_gradient), norm))
    return tuple(norms)


def _named_roots(models: Any) -> list[tuple[str, Any]]:
    """``model``, ``[a, b]`` or ``{"online": a, "target": b}`` as (prefix, module) pairs."""
    if models is None:
        return []
    if isinstance(models, Mapping):
        return [(str(name), module) for name, module in models.items()]
    if isinstance(models, Iterable) and not hasattr(models, "named_parameters"):
        return _discovered_names(list(models))
    return [("", models)]


def _discovered_names(modules: list[Any]) -> list[tuple[str, Any]]:
    """One module needs no prefix; several are named by class, numbered when classes repeat."""
    if len(modules) == 1:
        return [("", modules[0])]
    named: list[tuple[str, Any]] = []
    seen: dict[str, int] = {}
    for module in modules:
        cls = type(module).__name__
        seen[cls] = seen.get(cls, 0) + 1
        named.append((cls if seen[cls] == 1 else f"{cls}[{seen[cls]}]", module))
    return named


def audit(models: Any = None, *, group_depth: int = 1, root: Path | None = None) -> GradientAudit:
    """Watch the step run inside the ``with`` block.

    ``models`` is a module, a list of modules or a name → module mapping whose parameters
    are checked for gradients; left out, every module that runs in the block is found
    through torch's global forward pre-hook. Gradient norms are grouped by the first
    ``group_depth`` parts of each parameter's module path. Paths are reported relative
    to ``root`` (the current folder by default).
    """
    return GradientAudit(models, group_depth=group_depth, root=root)
