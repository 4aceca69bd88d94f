"""Comments that almost are annotations or directives, each reported with its correct spelling.

``# papers: eq:x``, ``# paper eq:x``, ``# pape: eq:x`` and ``# paperlink: stopgrad ...``
would otherwise be dropped silently: the code they describe is then reported as unlinked
or undocumented, with no hint that the comment meant to say otherwise.

A comment counts as a near-miss annotation only when what follows the misspelt word reads
entirely as references that cannot be prose: a label with a prefix (``eq:x``, ``hp:lr``)
or a numbered item (``Eq. 3``, ``Sec. 3.2``). So ``# see the paper for details`` or
``# paper reproduced from ...`` are never reported.
"""

from __future__ import annotations

import difflib
import re

from paperlink.diagnostics import Diagnostic, Edit, Fix
from paperlink.references import ReferenceKind, parse_references
from paperlink.rules.suppression import MalformedDirective
from paperlink.rules.traceability import MalformedAnnotation
from paperlink.source.comments import Comment, collect_comments
from paperlink.source.parse import ParsedSource
from paperlink.spans import Span

__all__ = ["DIRECTIVES", "near_misses"]

# Each directive word -> whether a reason must follow it (suppressions: optional).
DIRECTIVES: dict[str, bool] = {
    "ignore": False,
    "ignore-file": False,
    "stop-grad": True,
    "global": True,
    "env": True,
    "import-time": True,
    "seed": True,
    "nondeterministic": True,
    "results": True,
}

_WORD = re.compile(r"^#\s*(?P<word>[A-Za-z][A-Za-z_-]*)(?P<paper>\[[^\]\n]*\])?(?P<colon>\s*:)?\s*(?P<rest>.*)$")
_ANNOTATION_WORD = "paper"
_DIRECTIVE_WORD = "paperlink"
_AFTER_DIRECTIVE = re.compile(r"\s#\s*paperlink\b", re.IGNORECASE)


def near_misses(parsed: ParsedSource) -> list[Diagnostic]:
    """PL102 for near-miss annotations and PL114 for unreadable directives, in source order."""
    found = [d for comment in collect_comments(parsed, "pap") for d in _annotation_near_miss(comment)]
    found += [d for comment in collect_comments(parsed, _DIRECTIVE_WORD) for d in _directive_problem(comment)]
    return sorted(found, key=lambda d: d.span)


def _annotation_near_miss(comment: Comment) -> list[Diagnostic]:
    match = _WORD.match(comment.text)
    if match is None:
        return []
    word, colon = match.group("word"), match.group("colon")
    rest = _AFTER_DIRECTIVE.split(match.group("rest"), maxsplit=1)[0].strip()
    lowered = word.lower()
    if lowered == _DIRECTIVE_WORD or (lowered == _ANNOTATION_WORD and colon):
        return []  # an annotation or a directive: read elsewhere
    if lowered != _ANNOTATION_WORD and not difflib.get_close_matches(lowered, [_ANNOTATION_WORD], n=1, cutoff=0.75):
        return []
    if not _only_references(rest):
        return []
    paper = match.group("paper") or ""
    written = comment.text.split("  #", 1)[0].rstrip()
    fix = f"# paper{paper}: {rest}"
    why = "has no colon" if lowered == _ANNOTATION_WORD else f"is not read ('{word}' is not 'paper')"
    return [
        MalformedAnnotation.at(
            comment.span, f"comment '{written}' {why}; write '{fix}'", fix=_respelled(comment, match)
        )
    ]


def _respelled(comment: Comment, match: re.Match[str]) -> Fix:
    """The fix: ``# papers eq:x`` becomes ``# paper: eq:x`` (the words up to the references)."""
    start, length = comment.span, match.start("rest")
    written = comment.text[:length].rstrip()
    spelled = f"# paper{match.group('paper') or ''}:"
    prefix = Span(start.path, start.line, start.column, start.line, start.column + length)
    return Fix(f"Replace '{written}' with '{spelled}'", (Edit(prefix, f"{spelled} "),))


def _only_references(text: str) -> bool:
    """Whether ``text`` reads entirely as references no prose would be mistaken for."""
    if not text or "://" in text:
        return False
    references, unreadable = parse_references(text)
    if unreadable or not references:
        return False
    return all(ref.kind is not ReferenceKind.LABEL or ":" in ref.label for ref in references)


_DIRECTIVE = re.compile(r"#\s*paperlink(?P<colon>\s*:)?\s*(?P<word>[^\s\[:]*)(?P<rest>[^#]*)", re.IGNORECASE)


def _directive_problem(comment: Comment) -> list[Diagnostic]:
    match = _DIRECTIVE.search(comment.text)
    if match is None:
        return []
    word, rest = match.group("word").lower(), match.group("rest").strip()
    written = match.group(0).strip()
    if not match.group("colon"):
        if word not in DIRECTIVES:
            return []  # prose naming the tool: "# paperlink reads this file"
        message = f"directive '{written}' has no colon; write '{_spelled(word, rest)}'"
    elif word not in DIRECTIVES:
        close = difflib.get_close_matches(word, list(DIRECTIVES), n=1, cutoff=0.6)
        if close:
            message = f"unknown directive '{word}' in '{written}'; write '{_spelled(close[0], rest)}'"
        else:
            message = f"unknown directive '{word}' in '{written}'; the directives are {', '.join(DIRECTIVES)}"
    elif DIRECTIVES[word] and not rest:
        message = f"directive '{written}' has no reason; write '{_spelled(word, rest)}'"
    else:
        return []
    return [MalformedDirective.at(comment.span, message)]


def _spelled(word: str, rest: str) -> str:
    """The directive as it should be written, keeping what followed the misspelt word."""
    if rest.startswith("["):
        return f"# paperlink: {word}{rest}"
    if rest:
        return f"# paperlink: {word} {rest}"
    return f"# paperlink: {word} <reason>" if DIRECTIVES[word] else f"# paperlink: {word}"
