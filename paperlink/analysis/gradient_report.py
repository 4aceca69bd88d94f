"""The gradient analysis's conclusion: PL201-PL206 and the gradient-stop map.

A stop is documented by a justification directive (``# paperlink: stop-grad <reason>``),
by an annotation on its own statement (any paper item: the author tied that line to the
paper), or by an annotation on the function or block around it whose paper item marks a
stop-gradient (a function-level link to an equation without one documents the equation,
not the stop).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from paperlink.analysis.base import Conclusion, Project
from paperlink.analysis.gradient_contexts import Context
from paperlink.analysis.gradient_paper import stop_marking_items
from paperlink.analysis.gradient_stops import CONVERSIONS, VARIABLES, made_without_gradient
from paperlink.diagnostics import Diagnostic
from paperlink.paper import ItemKind, PaperItem, display_name
from paperlink.rules.gradient_flow import (
    DataAttributeStop,
    GradientStopOutsideTraining,
    LossThroughConversion,
    MissingGradientStop,
    UndocumentedFreeze,
    UndocumentedGradientStop,
)
from paperlink.spans import Span

if TYPE_CHECKING:
    from paperlink.analysis.gradients import GradientFacts, GradientStop
    from paperlink.results import Link

__all__ = ["Documentation", "StopVerdict", "conclude_gradients"]

Documentation = Literal["annotation", "justification"]  # what documents a stop

_REGION_KINDS = frozenset({"no_grad", "inference_mode", "set_grad_enabled"})

_CITED = 3  # linked items a message names before it counts the rest


def conclude_gradients(
    facts: Sequence[GradientFacts], project: Project, elsewhere: tuple[GradientStop, ...] = ()
) -> Conclusion:
    """``elsewhere``: calls to helpers of other files, resolved into stops."""
    links_by_span: dict[Span, list[Link]] = defaultdict(list)
    for link in project.links:
        links_by_span[link.span].append(link)
    marking = {name: stop_marking_items(paper) for name, paper in project.papers.items()}
    diagnostics: list[Diagnostic] = []
    verdicts: list[StopVerdict] = []
    for stop in [*(stop for file_facts in facts for stop in file_facts.stops), *elsewhere]:
        own = [l for span in stop.statement_annotations for l in links_by_span.get(span, ())]
        around = [l for span in stop.scope_annotations for l in links_by_span.get(span, ())]
        documented_by = _documented_by(stop, own, around, marking)
        diagnostics.extend(_diagnose(stop, documented_by, around, project))
        items = tuple(sorted({(link.paper, link.item_key) for link in [*own, *around]}))
        verdicts.append(StopVerdict(stop, documented_by, items))
    diagnostics.extend(_missing_stops(facts, project, marking))
    verdicts.sort(key=lambda v: (v.stop.span.path, v.stop.span.line, v.stop.span.column, v.stop.kind))
    return Conclusion(tuple(diagnostics), [verdict.to_dict() for verdict in verdicts])


@dataclass(frozen=True)
class StopVerdict:
    """A gradient stop as concluded: what documents it and the paper items linked to it."""

    stop: GradientStop
    documented_by: Documentation | None  # None: undocumented
    items: tuple[tuple[str, str], ...]  # (paper, item key) linked on its statement or around it, sorted

    def to_dict(self) -> dict[str, Any]:
        """Its entry in the ``gradient_stops`` section."""
        stop = self.stop
        return {
            "span": stop.span.to_dict(),
            "kind": stop.kind,
            "api": stop.api,
            "context": stop.context,
            "function": stop.function,
            "documented_by": self.documented_by,
            "items": [{"paper": paper, "item": key} for paper, key in self.items],
            "justification": stop.justification,
        }


def _documented_by(
    stop: GradientStop, own: list[Link], around: list[Link], marking: dict[str, frozenset[str]]
) -> Documentation | None:
    if own or any(link.item_key in marking.get(link.paper, ()) for link in around):
        return "annotation"
    if stop.justification:
        return "justification"
    if (
        stop.kind == "requires_grad" or stop.freezes
    ) and around:  # freezing is a design choice any linked item may state
        return "annotation"
    return None


def _diagnose(stop: GradientStop, documented_by: str | None, around: list[Link], project: Project) -> list[Diagnostic]:
    where = f" in {stop.function}" if stop.function else " at module level"
    if stop.kind == "data":
        return [DataAttributeStop.at(stop.span, _data_message(stop))]
    if stop.kind in CONVERSIONS and stop.retensorized and documented_by is None:
        message = f"the loss{where} depends on {stop.what}, converted out of autograd and back into a tensor; no gradient flows through it"
        return [LossThroughConversion.at(stop.span, message)]
    if documented_by is not None:
        return []
    if stop.kind == "helper" and not stop.freezes:
        return []  # the helper's own stop is reported where it is written
    if stop.through_calls or stop.update_rule or made_without_gradient(stop.api):
        # a freeze through a flag is diagnosed at its calls; the update rule (an optimizer's step, a
        # regulariser written into `.grad`) is not the loss graph; a value made without gradient cuts nothing
        return []
    if stop.kind == "requires_grad" and stop.api not in VARIABLES or stop.freezes:
        return [
            UndocumentedFreeze.at(
                stop.span, f"{stop.what} freezes parameters{where} with no paper item or justification"
            )
        ]
    if stop.context != Context.TRAINING:
        where = "" if stop.kind in _REGION_KINDS and " on " in stop.what else where
        return [
            GradientStopOutsideTraining.at(
                stop.span, f"{stop.what} is a gradient stop in {stop.context.replace('_', '-')} code{where}"
            )
        ]
    message = f"{stop.what} stops the gradient on a training path{where} with no paper item or justification"
    unmarked = _unmarked_items(around, project)
    if unmarked:
        message += f"; linked there: {unmarked}, none marking a stop-gradient"
    return [UndocumentedGradientStop.at(stop.span, message)]


def _data_message(stop: GradientStop) -> str:
    if stop.update:
        return f"{stop.what} updates a tensor in place behind autograd's back; update it under torch.no_grad() instead"
    return f"{stop.what} reads a tensor outside autograd without a version check; use {stop.what[:-5]}.detach() instead"


def _unmarked_items(links: list[Link], project: Project) -> str:
    """The linked items, cited by label and printed number: "eq:ls_loss (Eq. (3.2))"."""
    cited = []
    for paper_name, key in sorted({(link.paper, link.item_key) for link in links}):
        item = _item(project, paper_name, key)
        if item is not None:
            shown = _cited_name(project, paper_name, item)
            cited.append(f"{key} ({shown})" if shown != key else key)
    if len(cited) > _CITED:
        cited = [*cited[:_CITED], f"{len(cited) - _CITED} more"]
    return " and ".join([", ".join(cited[:-1]), cited[-1]]) if len(cited) > 1 else "".join(cited)


def _cited_name(project: Project, paper_name: str, item: PaperItem) -> str:
    """``Eq. (3)``; an algorithm line with its algorithm: ``Algorithm 1 line 4``."""
    shown = display_name(item)
    if item.kind is ItemKind.ALGORITHM_LINE and item.parent:
        parent = _item(project, paper_name, item.parent)
        if parent is not None:
            return f"{display_name(parent)} {shown}"
    return shown


def _item(project: Project, paper_name: str, key: str) -> PaperItem | None:
    paper = project.papers.get(paper_name)
    return next((item for item in paper.items if item.key == key), None) if paper is not None else None


def _missing_stops(
    facts: Sequence[GradientFacts], project: Project, marking: dict[str, frozenset[str]]
) -> list[Diagnostic]:
    """PL205: a paper item marks a stop-gradient, but none of the code linked to it stops one."""
    stop_lines: dict[str, list[int]] = defaultdict(list)
    for file_facts in facts:
        for span in [*(stop.span for stop in file_facts.stops), *file_facts.stopping_calls]:
            stop_lines[span.path].append(span.line)
    by_item: dict[tuple[str, str], list[Link]] = defaultdict(list)
    for link in project.links:
        if link.item_key in marking.get(link.paper, ()):
            by_item[(link.paper, link.item_key)].append(link)
    found = []
    for (paper_name, key), links in sorted(by_item.items()):
        if any(_holds_stop(link.target, stop_lines) for link in links):
            continue
        item = _item(project, paper_name, key)
        if item is None:
            continue
        first = min(links, key=lambda link: link.span)
        shown = _cited_name(project, paper_name, item)
        cited = f"{shown} {key}" if shown != key else key
        message = f"{cited} marks a stop-gradient, but the code linked to it stops no gradient"
        found.append(MissingGradientStop.at(first.span, message))
    return found


def _holds_stop(target: Span, stop_lines: dict[str, list[int]]) -> bool:
    last = target.end_line if target.end_line is not None else target.line
    return any(target.line <= line <= last for line in stop_lines.get(target.path, ()))
