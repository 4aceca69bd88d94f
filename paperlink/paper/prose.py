"""The prose right around a paper item: the lead-in above it and the text below it.

Read from the raw lines of the item's file, so that conclusions (a paper item that says
"stop-gradient" around its display) never read the paper again.
"""

from __future__ import annotations

import re
from paperlink.spans import Span

__all__ = ["ProseFinder"]

# Where prose around an item ends: a blank line, a display, an environment, a heading.
_BOUNDARY = re.compile(
    r"^\s*(?:$|\\(?:begin|end)\{|\\(?:part|chapter|section|subsection|subsubsection|paragraph)\b|\\\]|\\\[|\$\$)"
)


# At most this many lines on each side: a paragraph of thousands of lines (a hostile or
# generated file) would otherwise cost each of its items the whole paragraph.
_MAX_LINES = 50


class ProseFinder:
    """The prose around spans of one file's text, split into lines and each line tested for
    a boundary once, on first use."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._lines: list[str] | None = None
        self._boundaries: list[bool] = []

    def around(self, span: Span) -> tuple[str, ...]:
        """The lines just above ``span`` (up to a boundary, at most ``_MAX_LINES``) and just
        below it, each run joined by spaces; nothing for an empty file."""
        if self._lines is None:
            self._lines = self.text.splitlines()
            self._boundaries = [bool(_BOUNDARY.match(line)) for line in self._lines]
        lines, boundary = self._lines, self._boundaries
        if not lines:
            return ()
        first = min(span.line - 1, len(lines))
        last = min((span.end_line or span.line) - 1, len(lines))
        start = first
        while start - 1 >= max(first - _MAX_LINES, 0) and not boundary[start - 1]:
            start -= 1
        end = last + 1
        while end < min(last + 1 + _MAX_LINES, len(lines)) and not boundary[end]:
            end += 1
        return " ".join(lines[start:first]), " ".join(lines[last + 1 : end])
