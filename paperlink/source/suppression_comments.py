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
suppression. Configuration and environment files use the same grammar in their comments.
What the suppressions then do to the diagnostics is :mod:`paperlink.suppressions`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from paperlink.source.comments import Comment, collect_comments
from paperlink.source.parse import ParsedSource
from paperlink.spans import Span

__all__ = ["Suppression", "parse_suppression", "collect_suppressions"]

_DIRECTIVE = re.compile(
    r"(?:^|(?<=\s))#\s*paperlink\s*:\s*ignore(?P<file>-file)?\b(?P<rest>.*)$", re.IGNORECASE | re.DOTALL
)
_SEPARATOR = re.compile(r"[,\s]+")
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
    removal: Span | None = field(
        default=None, compare=False
    )  # what deleting the directive deletes: its line when alone there
    codes_at: Span | None = field(default=None, compare=False)  # the codes between the brackets, as written

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
    removal, codes_at = _places(comment, match)
    return Suppression(span, codes, match.group("file") is not None, reason, comment.below, problem, removal, codes_at)


def _places(comment: Comment, match: re.Match[str]) -> tuple[Span | None, Span | None]:
    """What deleting the directive deletes (with the blanks before it; the whole line when
    the directive is alone on it), and where its codes are written; None in a comment of
    several lines."""
    start = comment.span
    if start.end_line != start.line or start.end_column is None:
        return None, None
    line = start.line
    if match.start() == 0 and comment.own_line:
        removal = Span(start.path, line, 1, line + 1, 1)
    else:
        before = comment.text[: match.start()]
        gap = len(before) - len(before.rstrip(" \t")) if before else comment.gap
        removal = Span(start.path, line, start.column + match.start() - gap, line, start.end_column)
    rest = match.start("rest")
    opened, closed = comment.text.find("[", rest), comment.text.find("]", rest)
    if opened == -1 or closed < opened or comment.text[rest:opened].strip():
        return removal, None
    return removal, Span(start.path, line, start.column + opened + 1, line, start.column + closed)


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
