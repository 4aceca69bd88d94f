"""Which paper items mark a stop-gradient: ``\\operatorname{sg}``, ``\\sg``, "stop-gradient".

An item marks one when its LaTeX uses a stop-gradient operator (``\\operatorname{sg}``,
``\\mathrm{sg}``, ``\\text{stopgrad}``, or a macro such as ``\\sg`` whose definition is one),
or when the prose right around it (the lead-in sentence above the display and the text
below it, up to a blank line, a display or a heading) says "stop-gradient" or "stop
gradient", unless negated ("no stop-gradient", "without a stop-gradient"). That prose comes
with the item (``PaperItem.prose``, found by the paper's reader): nothing here reads a file.
"""

from __future__ import annotations

import re

from paperlink.paper import Paper, PaperItem

__all__ = ["stop_marking_items", "marks_stop"]

_OPERATOR = r"(?:sg|SG|stopgrad|stopgradient|stop[-_ ]?grad(?:ient)?)"
_IN_LATEX = re.compile(
    r"\\(?:operatorname\*?|mathrm|text|textrm|texttt|mathsf|mathtt|mathit|textsf)\s*\{\s*" + _OPERATOR + r"\s*\}"
    r"|\\(?:sg|SG|stopgrad|stopgradient)(?![A-Za-z])"
)
_PHRASE = re.compile(r"stop[- ]?gradients?", re.IGNORECASE)
_NEGATED = re.compile(r"\b(?:no|without|not|never)\s+(?:a\s+|the\s+|any\s+|use\s+)?$", re.IGNORECASE)


def stop_marking_items(paper: Paper) -> frozenset[str]:
    """The keys of the items of ``paper`` that mark a stop-gradient."""
    macros = [m.name for m in paper.macros if _IN_LATEX.search(m.body) or re.fullmatch(_OPERATOR, m.body.strip())]
    in_latex = _IN_LATEX
    if macros:
        in_latex = re.compile(_IN_LATEX.pattern + "|" + "|".join(rf"\\{re.escape(n)}(?![A-Za-z])" for n in macros))
    return frozenset(item.key for item in paper.items if marks_stop(item, in_latex))


def marks_stop(item: PaperItem, in_latex: re.Pattern[str]) -> bool:
    if in_latex.search(item.latex):
        return True
    return any(_says_stop(text) for text in item.prose)


def _says_stop(text: str) -> bool:
    return any(not _NEGATED.search(text[: match.start()][-40:]) for match in _PHRASE.finditer(text))
