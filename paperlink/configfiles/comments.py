"""Annotations and suppressions written as comments in YAML and TOML config files.

The grammar is the one code uses: ``lr: 0.05  # paper: hp:learning_rate`` binds the
annotation to the key on its line; a comment alone on its line binds to the key on the next
line that holds one. ``# paperlink: ignore[PL402] reason`` suppresses like it does in code.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

from paperlink.references import parse_references
from paperlink.source.annotations import Annotation, comment_references, is_citation
from paperlink.source.comments import Comment
from paperlink.source.suppression_comments import Suppression, parse_suppression
from paperlink.spans import Span

__all__ = ["KeyAt", "comment_start", "read_comments"]

KeyAt = Mapping[int, tuple[str, Span, str]]  # line -> (key path, span of its value, value text)


def comment_start(line: str) -> int | None:
    """The column (0-based) of the ``#`` opening a comment on ``line``, outside quotes."""
    quote = ""
    index = 0
    while index < len(line):
        char = line[index]
        if quote:
            if char == "\\" and quote == '"':
                index += 1
            elif char == quote:
                quote = ""
        elif char in "\"'" and (index == 0 or not line[index - 1].isalnum()):
            quote = char
        elif char == "#" and (index == 0 or line[index - 1].isspace()):
            return index
        index += 1
    return None


def read_comments(
    path: str, lines: Sequence[str], keys: KeyAt, skip: frozenset[int] = frozenset()
) -> tuple[tuple[Annotation, ...], tuple[Suppression, ...]]:
    """The annotations and suppressions among the comments of a config file's ``lines``.

    ``keys`` says which key each line holds; lines in ``skip`` are inside multi-line
    scalars, where a ``#`` is text.
    """
    annotations: list[Annotation] = []
    suppressions: list[Suppression] = []
    for number, line in enumerate(lines, 1):
        if "paper" not in line.lower() or number in skip:
            continue
        column = comment_start(line)
        if column is None:
            continue
        text = line[column:].rstrip()
        own_line = not line[:column].strip()
        bound = _next_key(number, lines, keys) if own_line else number
        span = Span(path, number, column + 1, number, column + 1 + len(text))
        below = (bound, bound) if own_line and bound is not None else None
        suppression = parse_suppression(Comment(span, text, own_line, below))
        if suppression is not None:
            suppressions.append(suppression)
        references = comment_references(text)
        if references is None:
            continue
        parsed = parse_references(references[0])
        if is_citation(references[0], parsed):
            continue
        key, target, value = keys.get(bound, ("", Span(path, bound), "")) if bound is not None else ("", span, "")
        fingerprint = hashlib.sha256(f"{key}={value}".encode()).hexdigest()[:16] if key else ""
        paper = references[1].strip() if references[1] else None
        annotations.append(Annotation(references[0], paper, "config", span, target, key, "", "", fingerprint, *parsed))
    return tuple(annotations), tuple(suppressions)


def _next_key(number: int, lines: Sequence[str], keys: KeyAt) -> int | None:
    """The line of the first key below an own-line comment (comments and blank lines skipped)."""
    for below in range(number + 1, len(lines) + 1):
        stripped = lines[below - 1].strip()
        if not stripped or stripped.startswith("#"):
            continue
        return below if below in keys else None
    return None
