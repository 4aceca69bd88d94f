"""Applying suppressions: the diagnostics they cover go, PL112/PL113 report the suppressions.

Pure: the suppressions were read from comments before
(:mod:`paperlink.source.suppression_comments`, which also states the grammar and what a
suppression covers). PL112 and PL113, which report the suppressions themselves, are never
suppressed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from paperlink.codes import unknown_codes, unknown_hint
from paperlink.diagnostics import Diagnostic, Edit, Fix
from paperlink.rules.suppression import UnknownSuppressionCode, UnusedSuppression
from paperlink.source.suppression_comments import Suppression

__all__ = ["apply_suppressions"]

_UNSUPPRESSIBLE = frozenset({UnusedSuppression.code, UnknownSuppressionCode.code})
_Active = tuple[Suppression, tuple[str, ...]]  # a readable suppression and its known codes


def apply_suppressions(
    diagnostics: Sequence[Diagnostic], suppressions: Sequence[Suppression]
) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """The diagnostics no suppression covers, and PL112/PL113 for the suppressions.

    A diagnostic covered by several suppressions counts as a use of each of them.
    """
    bad: list[Diagnostic] = []
    active: dict[str, list[_Active]] = {}
    for suppression in suppressions:
        if suppression.problem:
            bad.append(_unknown(suppression, suppression.problem))
            continue
        unknown = unknown_codes(suppression.codes)
        bad.extend(_unknown(suppression, _unknown_message(code)) for code in unknown)
        known = tuple(code for code in suppression.codes if code not in unknown)
        if known or not suppression.codes:
            active.setdefault(suppression.span.path, []).append((suppression, known))
    used: dict[Suppression, set[str]] = {}
    kept = [d for d in diagnostics if not _suppress(d, active.get(d.span.path, ()), used)]
    for entries in active.values():
        for suppression, codes in entries:
            unused = [code for code in codes or ("",) if code not in used.get(suppression, ())]
            if unused:
                bad.append(_unused(suppression, [code for code in unused if code]))
    return kept, bad


def _suppress(diagnostic: Diagnostic, entries: Iterable[_Active], used: dict[Suppression, set[str]]) -> bool:
    if diagnostic.code in _UNSUPPRESSIBLE:
        return False
    hit = False
    for suppression, codes in entries:
        if not suppression.covers(diagnostic.span.line):
            continue
        matched = [code for code in codes if diagnostic.code.startswith(code)] if codes else [""]
        if matched:
            used.setdefault(suppression, set()).update(matched)
            hit = True
    return hit


def _unknown_message(code: str) -> str:
    return f"unknown rule code or prefix '{code}' in suppression; {unknown_hint(code)}"


def _unknown(suppression: Suppression, message: str) -> Diagnostic:
    return UnknownSuppressionCode.at(suppression.span, message)


def _unused(suppression: Suppression, codes: list[str]) -> Diagnostic:
    """PL112, with the fix: the unused codes taken out of the list, or the directive deleted."""
    what = f"unused suppression of {', '.join(codes)}" if codes else "unused suppression"
    if suppression.whole_file:
        where = "in this file"
    elif suppression.below is not None:
        first, last = suppression.below
        where = f"on this line or line {first}" if first == last else f"on this line or lines {first}-{last}"
    else:
        where = "on this line"
    return UnusedSuppression.at(suppression.span, f"{what}: nothing reported {where}", fix=_removal(suppression, codes))


def _removal(suppression: Suppression, unused: list[str]) -> Fix | None:
    kept = [code for code in suppression.codes if code not in unused]
    if kept and unused and suppression.codes_at is not None:
        title = f"Remove the unused {', '.join(unused)} from the suppression"
        return Fix(title, (Edit(suppression.codes_at, ", ".join(kept)),))
    if not kept and suppression.removal is not None:
        return Fix("Remove the unused suppression", (Edit(suppression.removal, ""),))
    return None
