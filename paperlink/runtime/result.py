"""What one audited step found, as plain frozen data with a versioned, deterministic JSON form.

Nothing here imports torch: ``paperlink check --audit audit.json`` reads these files on
machines without it. Floats are rounded to six significant digits and non-finite values
are written as the strings ``"nan"``, ``"inf"`` and ``"-inf"`` (JSON has no NaN).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from paperlink.errors import AuditError

__all__ = [
    "AUDIT_VERSION",
    "Location",
    "StopEvent",
    "TensorStats",
    "NonFinite",
    "ParameterGradient",
    "GroupNorm",
    "AuditResult",
    "rounded",
    "audit_to_json",
    "audit_from_json",
]

AUDIT_VERSION = 1


def rounded(value: float | None) -> float | str | None:
    """Six significant digits; NaN and infinities as strings, so the JSON stays valid."""
    if value is None:
        return None
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return float(f"{value:.6g}")


def _number(value: Any) -> float | None:
    if value is None:
        return None
    return float(value)  # float("nan") and float("-inf") read the strings back


@dataclass(frozen=True, order=True)
class Location:
    """A place in the user's code: a path relative to where the audit ran, 1-based lines."""

    path: str
    line: int
    end_line: int
    function: str = ""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True, order=True)
class StopEvent:
    """A place where, at runtime, a value left the autograd graph (or could have).

    ``cut`` is true when a tensor that required grad was involved: a gradient really
    stopped here. ``ops`` names the operations that consumed such tensors in a no-grad
    region; ``via`` holds the outer user frames when the region's own line is unknown
    (inference mode, or a region entered before the audit began).
    """

    location: Location
    kind: (
        str  # the graph cut: no-grad, inference-mode, detach, data; a value leaving it: item, numpy, tolist, float, int
    )
    api: str
    count: int
    cut: bool
    ops: tuple[str, ...] = ()
    via: tuple[Location, ...] = ()


@dataclass(frozen=True)
class TensorStats:
    """Summary of one tensor: min, max and mean over its finite elements."""

    shape: tuple[int, ...]
    dtype: str
    minimum: float | None
    maximum: float | None
    mean: float | None
    has_nan: bool
    has_inf: bool


@dataclass(frozen=True)
class NonFinite:
    """The first operation whose output held NaN or Inf while its inputs were finite.

    In the forward phase ``op`` is the torch API called and ``inputs`` its tensor
    arguments; in the backward phase ``op`` is the autograd node (``LogBackward0``),
    ``forward_op`` the call that created it, ``inputs`` the incoming gradients and
    ``outputs`` the gradients it produced.
    """

    phase: str  # forward | backward
    op: str
    location: Location
    value: str  # nan | inf | nan+inf
    inputs: tuple[TensorStats, ...]
    outputs: tuple[TensorStats, ...] = ()
    forward_op: str = ""


@dataclass(frozen=True)
class ParameterGradient:
    """One parameter after the step: ok, frozen, no-gradient, zero-gradient or non-finite."""

    name: str
    group: str
    shape: tuple[int, ...]
    status: str
    norm: float | None
    location: Location | None = None  # where its module was first called (or defined)


@dataclass(frozen=True)
class GroupNorm:
    """The L2 norm of the step's gradient over a group of parameters (a module prefix)."""

    name: str
    parameters: int
    with_gradient: int
    norm: float | None


@dataclass(frozen=True)
class AuditResult:
    """Everything one audited step recorded."""

    events: tuple[StopEvent, ...]
    parameters: tuple[ParameterGradient, ...]
    groups: tuple[GroupNorm, ...]
    non_finite: tuple[NonFinite, ...]
    files: tuple[str, ...]  # user files whose code ran torch operations
    backward_calls: int
    loss: float | None = None
    entry: str | None = None
    seed: int | None = None


def _location_dict(location: Location) -> dict[str, Any]:
    return {"path": location.path, "line": location.line, "end_line": location.end_line, "function": location.function}


def _stats_dict(stats: TensorStats) -> dict[str, Any]:
    return {
        "shape": list(stats.shape),
        "dtype": stats.dtype,
        "min": rounded(stats.minimum),
        "max": rounded(stats.maximum),
        "mean": rounded(stats.mean),
        "has_nan": stats.has_nan,
        "has_inf": stats.has_inf,
    }


def audit_to_dict(result: AuditResult, diagnostics: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The JSON-ready form, version :data:`AUDIT_VERSION`."""
    return {
        "version": AUDIT_VERSION,
        "entry": result.entry,
        "seed": result.seed,
        "loss": rounded(result.loss),
        "backward_calls": result.backward_calls,
        "files": sorted(result.files),
        "events": [
            {
                "location": _location_dict(e.location),
                "kind": e.kind,
                "api": e.api,
                "count": e.count,
                "cut": e.cut,
                "ops": list(e.ops),
                "via": [_location_dict(v) for v in e.via],
            }
            for e in sorted(result.events)
        ],
        "parameters": [
            {
                "name": p.name,
                "group": p.group,
                "shape": list(p.shape),
                "status": p.status,
                "norm": rounded(p.norm),
                "location": _location_dict(p.location) if p.location else None,
            }
            for p in result.parameters
        ],
        "groups": [
            {"name": g.name, "parameters": g.parameters, "with_gradient": g.with_gradient, "norm": rounded(g.norm)}
            for g in result.groups
        ],
        "non_finite": [
            {
                "phase": n.phase,
                "op": n.op,
                "forward_op": n.forward_op,
                "location": _location_dict(n.location),
                "value": n.value,
                "inputs": [_stats_dict(s) for s in n.inputs],
                "outputs": [_stats_dict(s) for s in n.outputs],
            }
            for n in result.non_finite
        ],
        "diagnostics": diagnostics or [],
    }


def audit_to_json(result: AuditResult, diagnostics: list[dict[str, Any]] | None = None) -> str:
    return json.dumps(audit_to_dict(result, diagnostics), indent=2, sort_keys=True) + "\n"


def _location(data: dict[str, Any]) -> Location:
    return Location(
        str(data["path"]), int(data["line"]), int(data.get("end_line") or data["line"]), str(data.get("function", ""))
    )


def _stats(data: dict[str, Any]) -> TensorStats:
    return TensorStats(
        tuple(data["shape"]),
        data["dtype"],
        _number(data["min"]),
        _number(data["max"]),
        _number(data["mean"]),
        bool(data["has_nan"]),
        bool(data["has_inf"]),
    )


def audit_from_dict(data: dict[str, Any]) -> AuditResult:
    """Read :func:`audit_to_dict`'s form back; an unknown version or shape is an :class:`AuditError`."""
    if not isinstance(data, dict) or data.get("version") != AUDIT_VERSION:
        found = data.get("version") if isinstance(data, dict) else type(data).__name__
        raise AuditError(f"not a paperlink audit of version {AUDIT_VERSION} (found version {found!r})")
    try:
        return AuditResult(
            events=tuple(
                StopEvent(
                    _location(e["location"]),
                    e["kind"],
                    e["api"],
                    int(e["count"]),
                    bool(e["cut"]),
                    tuple(e.get("ops", ())),
                    tuple(_location(v) for v in e.get("via", ())),
                )
                for e in data["events"]
            ),
            parameters=tuple(
                ParameterGradient(
                    p["name"],
                    p["group"],
                    tuple(p["shape"]),
                    p["status"],
                    _number(p["norm"]),
                    _location(p["location"]) if p.get("location") else None,
                )
                for p in data["parameters"]
            ),
            groups=tuple(
                GroupNorm(g["name"], int(g["parameters"]), int(g["with_gradient"]), _number(g["norm"]))
                for g in data["groups"]
            ),
            non_finite=tuple(
                NonFinite(
                    n["phase"],
                    n["op"],
                    _location(n["location"]),
                    n["value"],
                    tuple(_stats(s) for s in n["inputs"]),
                    tuple(_stats(s) for s in n.get("outputs", ())),
                    n.get("forward_op", ""),
                )
                for n in data["non_finite"]
            ),
            files=tuple(data["files"]),
            backward_calls=int(data["backward_calls"]),
            loss=_number(data.get("loss")),
            entry=data.get("entry"),
            seed=data.get("seed"),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise AuditError(f"malformed paperlink audit: {type(error).__name__}: {error}") from None


def audit_from_json(text: str) -> AuditResult:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise AuditError(f"the audit file is not JSON: {error}") from None
    return audit_from_dict(data)
