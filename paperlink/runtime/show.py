"""The audit as text for people (the JSON form is in :mod:`paperlink.runtime.result`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from paperlink.diagnostics import Diagnostic
from paperlink.runtime.result import AuditResult, StopEvent

__all__ = ["audit_to_text"]

_STATUSES = ("ok", "frozen", "no-gradient", "zero-gradient", "non-finite")


def _norm(value: float | None) -> str:
    return "-" if value is None else f"{value:.4g}"


def _event_line(event: StopEvent) -> str:
    if event.cut and event.ops:
        effect = "cuts " + ", ".join(event.ops)
    elif event.cut:
        effect = "cuts a tensor that requires grad"
    else:
        effect = "nothing there required grad"
    via = f" (via {', '.join(str(place) for place in event.via)})" if event.via else ""
    return f"  {event.location}  {event.kind}  {event.api}  x{event.count}  {effect}{via}"


def _table(rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]


def audit_to_text(result: AuditResult, diagnostics: Sequence[Diagnostic]) -> str:
    """Stops, parameter and group summaries, NaN/Inf origins, then the diagnostics."""
    passes = f"{result.backward_calls} backward pass{'es' if result.backward_calls != 1 else ''}"
    seed = f"seed {result.seed}, " if result.seed is not None else ""
    loss = f", loss {_norm(result.loss)}" if result.loss is not None else ""
    lines = [f"audit of {result.entry or 'a step'} ({seed}{passes}){loss}", ""]
    lines.append(f"gradient stops and values leaving autograd: {len(result.events)}")
    lines += [_event_line(event) for event in sorted(result.events)]
    counts = Counter(parameter.status for parameter in result.parameters)
    lines += ["", "parameters: " + ", ".join(f"{counts[status]} {status}" for status in _STATUSES)]
    if result.groups:
        rows = [("group", "parameters", "with gradient", "gradient norm")]
        rows += [(g.name, str(g.parameters), str(g.with_gradient), _norm(g.norm)) for g in result.groups]
        lines += _table(rows)
    lines += ["", f"first NaN/Inf: {'none' if not result.non_finite else ''}".rstrip()]
    for origin in result.non_finite:
        made_by = f" (backward of {origin.forward_op})" if origin.forward_op else ""
        lines.append(f"  {origin.phase}: {origin.location}  {origin.op}{made_by} produced {origin.value}")
    if diagnostics:
        lines += ["", "diagnostics:"] + [f"  {diagnostic}" for diagnostic in diagnostics]
    return "\n".join(lines) + "\n"
