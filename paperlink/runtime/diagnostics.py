"""The audit's diagnostics: PL902/PL903 from the audit alone, PL901/PL904 beside the static map.

Pure functions of data, without torch: ``paperlink check --audit audit.json`` uses them on
machines where torch is not installed.

A static stop (an entry of the ``gradient_stops`` section of ``paperlink check``) and a
runtime event are the same place when they are in the same file and the static span's
lines overlap the event's lines (or those of one of its outer frames in ``via``). Files
are the same when one path ends with the other at a folder boundary: the audit writes
paths relative to where it ran, ``check`` relative to the project root.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from paperlink.diagnostics import Diagnostic
from paperlink.rules.runtime import (
    NonFiniteOrigin,
    ParameterWithoutGradient,
    RuntimeStopNotStatic,
    StaticStopNotExecuted,
)
from paperlink.runtime.result import AuditResult, Location, NonFinite, StopEvent, TensorStats, audit_from_dict
from paperlink.spans import Span

__all__ = ["audit_diagnostics", "merge_runtime", "same_file"]

_NO_GRADIENT = {
    "no-gradient": "received no gradient in the audited step",
    "zero-gradient": "received an all-zero gradient in the audited step",
}


def same_file(first: str, second: str) -> bool:
    """Equal paths, or one ends with the other at a folder boundary."""
    if first == second:
        return True
    shorter, longer = sorted((first, second), key=len)
    return longer.endswith("/" + shorter)


def _span(location: Location) -> Span:
    return Span(location.path, location.line)


def _short(value: float | None) -> str:
    return "none" if value is None else f"{value:.4g}"


def _stats_text(stats: TensorStats) -> str:
    shape = "x".join(str(size) for size in stats.shape) or "scalar"
    text = f"{shape} min {_short(stats.minimum)} max {_short(stats.maximum)} mean {_short(stats.mean)}"
    flags = [name for name, on in (("nan", stats.has_nan), ("inf", stats.has_inf)) if on]
    return text + (f" with {'+'.join(flags)}" if flags else "")


def _non_finite_message(origin: NonFinite) -> str:
    inputs = "; ".join(_stats_text(stats) for stats in origin.inputs) or "no tensor inputs"
    if origin.phase == "forward":
        source = "inputs without NaN" if any(stats.has_inf for stats in origin.inputs) else "finite inputs"
        return f"first NaN/Inf of the step: {origin.op} produced {origin.value} from {source} ({inputs})"
    return (
        f"first NaN/Inf gradient of the step: {origin.op}, the backward of {origin.forward_op}, "
        f"produced {origin.value} from finite incoming gradients ({inputs})"
    )


def audit_diagnostics(result: AuditResult) -> list[Diagnostic]:
    """PL902 for each trainable parameter left without a gradient, PL903 for each NaN/Inf origin."""
    fallback = Location(result.files[0] if result.files else "<audit>", 1, 1)
    found = []
    for parameter in result.parameters:
        if parameter.status in _NO_GRADIENT:
            message = f"parameter {parameter.name} {_NO_GRADIENT[parameter.status]}"
            found.append(ParameterWithoutGradient.at(_span(parameter.location or fallback), message))
    for origin in result.non_finite:
        found.append(NonFiniteOrigin.at(_span(origin.location), _non_finite_message(origin)))
    return sorted(found)


def _event_lines(event: StopEvent) -> Iterable[Location]:
    yield event.location
    yield from event.via


def _matches(event: StopEvent, path: str, first: int, last: int) -> bool:
    return any(
        same_file(place.path, path) and place.line <= last and place.end_line >= first for place in _event_lines(event)
    )


def _unseen_message(event: StopEvent) -> str:
    if event.kind in ("no-grad", "inference-mode"):
        ops = ", ".join(event.ops)
        return f"gradient stops here at runtime ({event.api} around {ops} on tensors that require grad) but the static map has no stop here"
    if event.kind in ("detach", "data"):
        return f"gradient stops here at runtime ({event.api} of a tensor that requires grad) but the static map has no stop here"
    return (
        f"a tensor that requires grad leaves autograd here at runtime ({event.api}) but the static map has no stop here"
    )


def merge_runtime(
    static_stops: Sequence[dict[str, Any]], audit: AuditResult | dict[str, Any]
) -> tuple[list[Diagnostic], list[dict[str, Any]]]:
    """PL901/PL904 and the static stops annotated with ``"runtime"``.

    ``"runtime"`` is ``"seen"`` when an event of the audit lies in the stop's span,
    ``"not-seen"`` when the audit ran code of that file but not this stop (PL904), and
    None when the audit never ran that file (nothing is known). Each event that cut a
    gradient and lies in no static stop is PL901.
    """
    result = audit if isinstance(audit, AuditResult) else audit_from_dict(audit)
    diagnostics: list[Diagnostic] = []
    annotated: list[dict[str, Any]] = []
    matched: set[int] = set()
    for stop in static_stops:
        span = stop["span"]
        path, first = span["path"], span["line"]
        last = span.get("end_line") or first
        hits = {index for index, event in enumerate(result.events) if _matches(event, path, first, last)}
        matched |= hits
        if hits:
            runtime: str | None = "seen"
        elif any(same_file(path, ran) for ran in result.files):
            runtime = "not-seen"
            where = Span(path, first, span.get("column", 1), last, span.get("end_column"))
            message = f"static gradient stop {stop.get('api') or stop.get('kind') or ''} never ran in the audited step"
            diagnostics.append(StaticStopNotExecuted.at(where, " ".join(message.split())))
        else:
            runtime = None
        annotated.append({**stop, "runtime": runtime})
    for index, event in enumerate(result.events):
        if event.cut and index not in matched:
            diagnostics.append(RuntimeStopNotStatic.at(_span(event.location), _unseen_message(event)))
    return sorted(diagnostics), annotated
