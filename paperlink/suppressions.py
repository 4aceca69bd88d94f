"""Suppression comments: ``# paperlink: ignore[PL101]`` and ``# paperlink: ignore-file[PL1]``.

Grammar (the keyword is case-insensitive, codes are not)::

    # paperlink: ignore                        every code, on the lines it covers
    # paperlink: ignore[PL101, PL2] reason     those codes and prefixes, with an optional reason
    # paperlink: ignore-file[PL1] reason       those codes anywhere in the file

The directive may follow another comment on the same line
(``# paper: eq:loss  # paperlink: ignore[PL101]``). A line suppression covers the line it
is written on; written alone on its line, it also covers the first line of the statement
below it (the next line that holds code; for a decorated definition, its decorators
through the ``def``/``class`` line). Directives are read from comments in the
syntax tree, never from strings; ``# paperlink: stop-grad ...`` is a justification, not a
suppression. PL112 and PL113, which report the suppressions themselves, are never
suppressed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from paperlink.diagnostics import Diagnostic
from paperlink.rules.suppression import UnknownSuppressionCode, UnusedSuppression
from paperlink.selection import unknown_codes, unknown_hint
from paperlink.source.comments import Comment, collect_comments
from paperlink.source.parse import ParsedSource
from paperlink.spans import Span

__all__ = ["Suppression", "parse_suppression", "collect_suppressions", "apply_suppressions"]

_DIRECTIVE = re.compile(r"(?:^|(?<=\s))#\s*paperlink\s*:\s*ignore(?P<file>-file)?\b(?P<rest>.*)$", re.IGNORECASE | re.DOTALL)
_SEPARATOR = re.compile(r"[,\s]+")
_UNSUPPRESSIBLE = frozenset({UnusedSuppression.code, UnknownSuppressionCode.code})
_EXAMPLE = "write '# paperlink: ignore[PL101]'"


@dataclass(frozen=True)
class Suppression:
    """One suppression directive as written, and what it covers."""

    span: Span  # where the directive is written, from its '#'
    codes: tuple[str, ...]  # codes or prefixes as written; () suppresses every code
    whole_file: bool
    reason: str  # the text after the codes ("" when none is given)
    below: tuple[int, int] | None = None  # written alone on its line: the lines below it also covered
    problem: str = ""  # why the directive cannot be read; such a directive suppresses nothing

    def covers(self, line: int) -> bool:
        """Whether a diagnostic reported at ``line`` of this file is within reach."""
        if self.whole_file or line == self.span.line:
            return True
        return self.below is not None and self.below[0] <= line <= self.below[1]


def parse_suppression(comment: Comment) -> Suppression | None:
    """The suppression in ``comment``, or None when it holds no ``paperlink: ignore``."""
    match = _DIRECTIVE.search(comment.text)
    if match is None:
        return None
    start = comment.span
    span = Span(start.path, start.line, start.column + match.start(), start.end_line, start.end_column)
    codes, reason, problem = _codes_and_reason(match.group("rest"), match.group(0))
    return Suppression(span, codes, match.group("file") is not None, reason, comment.below, problem)


def _codes_and_reason(rest: str, written: str) -> tuple[tuple[str, ...], str, str]:
    if not rest or rest[0].isspace():
        if not rest.lstrip().startswith("["):
            return (), rest.strip(), ""  # every code
        rest = rest.lstrip()
    elif not rest.startswith("["):  # "ignore:PL101", "ignore-files"
        return (), "", f"cannot read suppression '{written.strip()}'; {_EXAMPLE}"
    close = rest.find("]")
    if close == -1:
        return (), "", f"suppression has '[' without ']'; {_EXAMPLE}"
    codes = tuple(dict.fromkeys(code for code in _SEPARATOR.split(rest[1:close]) if code))
    if not codes:
        return (), "", "suppression lists no codes between '[' and ']'; name codes such as PL101 or drop the brackets"
    return codes, rest[close + 1 :].strip(), ""


def collect_suppressions(parsed: ParsedSource) -> list[Suppression]:
    """Every suppression directive in the file's comments, in source order."""
    found = (parse_suppression(comment) for comment in collect_comments(parsed, "paperlink"))
    return [suppression for suppression in found if suppression is not None]


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
    what = f"unused suppression of {', '.join(codes)}" if codes else "unused suppression"
    if suppression.whole_file:
        where = "in this file"
    elif suppression.below is not None:
        first, last = suppression.below
        where = f"on this line or line {first}" if first == last else f"on this line or lines {first}-{last}"
    else:
        where = "on this line"
    return UnusedSuppression.at(suppression.span, f"{what}: nothing reported {where}")
