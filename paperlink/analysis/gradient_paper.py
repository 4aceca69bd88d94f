"""Which paper items mark a stop-gradient: ``\\operatorname{sg}``, ``\\sg``, "stop-gradient".

An item marks one when its LaTeX uses a stop-gradient operator (``\\operatorname{sg}``,
``\\mathrm{sg}``, ``\\text{stopgrad}``, or a macro such as ``\\sg`` whose definition is one),
or when the prose right around it (the lead-in sentence above the display and the text
below it, up to a blank line, a display or a heading) says "stop-gradient" or "stop
gradient", unless negated ("no stop-gradient", "without a stop-gradient").
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from paperlink.paper import Paper, PaperItem

__all__ = ["stop_marking_items", "marks_stop"]

_OPERATOR = r"(?:sg|SG|stopgrad|stopgradient|stop[-_ ]?grad(?:ient)?)"
_IN_LATEX = re.compile(
    r"\\(?:operatorname\*?|mathrm|text|textrm|texttt|mathsf|mathtt|mathit|textsf)\s*\{\s*" + _OPERATOR + r"\s*\}"
    r"|\\(?:sg|SG|stopgrad|stopgradient)(?![A-Za-z])"
)
_PHRASE = re.compile(r"stop[- ]?gradients?", re.IGNORECASE)
_NEGATED = re.compile(r"\b(?:no|without|not|never)\s+(?:a\s+|the\s+|any\s+|use\s+)?$", re.IGNORECASE)
_BOUNDARY = re.compile(r"^\s*(?:$|\\(?:begin|end)\{|\\(?:part|chapter|section|subsection|subsubsection|paragraph)\b|\\\]|\\\[|\$\$)")


def stop_marking_items(paper: Paper, root: Path) -> frozenset[str]:
    """The keys of the items of ``paper`` that mark a stop-gradient."""
    macros = [m.name for m in paper.macros if _IN_LATEX.search(m.body) or re.fullmatch(_OPERATOR, m.body.strip())]
    in_latex = _IN_LATEX
    if macros:
        in_latex = re.compile(_IN_LATEX.pattern + "|" + "|".join(rf"\\{re.escape(n)}(?![A-Za-z])" for n in macros))
    return frozenset(item.key for item in paper.items if marks_stop(item, in_latex, root))


def marks_stop(item: PaperItem, in_latex: re.Pattern[str], root: Path) -> bool:
    if in_latex.search(item.latex):
        return True
    return any(_says_stop(text) for text in _prose_around(item, root))


def _says_stop(text: str) -> bool:
    return any(not _NEGATED.search(text[: match.start()][-40:]) for match in _PHRASE.finditer(text))


def _prose_around(item: PaperItem, root: Path) -> list[str]:
    """The lines just above the item (up to a boundary) and just below it."""
    lines = _lines(str(root / item.span.path))
    if not lines:
        return []
    first, last = item.span.line - 1, (item.span.end_line or item.span.line) - 1
    above: list[str] = []
    index = first - 1
    while index >= 0 and not _BOUNDARY.match(lines[index]):
        above.insert(0, lines[index])
        index -= 1
    below, index = [], last + 1
    while index < len(lines) and not _BOUNDARY.match(lines[index]):
        below.append(lines[index])
        index += 1
    return [" ".join(above), " ".join(below)]


@lru_cache(maxsize=64)
def _lines(path: str) -> tuple[str, ...]:
    try:
        return tuple(Path(path).read_text(encoding="utf-8", errors="replace").splitlines())
    except OSError:
        return ()
