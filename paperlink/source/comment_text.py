"""Comments found in the text, with the stdlib ``ast`` saying where the strings are.

A ``#`` starts a comment when it lies outside every string literal. The ``ast`` keeps
each literal as a ``Constant`` (``str``/``bytes``) or a ``JoinedStr`` (f-string) whose
span covers the whole literal, implicit concatenation included, so the first ``#`` of a
line outside those spans is the line's comment. A ``#`` between the parts of an implicit
concatenation (``"a"  # note`` followed by ``"b"``) falls inside the span and is not
found; libcst's readers skipped those comments as well.

Only the lines that hold the word searched for are looked at, and the tree is walked for
strings only when such a line exists.
"""

from __future__ import annotations

import ast
import io
import keyword
import tokenize
from bisect import bisect_left
from dataclasses import dataclass

__all__ = ["TextComment", "character_column", "find_comments"]

_STRINGS = (ast.Constant, ast.JoinedStr)


@dataclass(frozen=True)
class TextComment:
    """One comment: its 1-based line, 0-based character column and text from ``#`` on."""

    line: int
    column: int
    text: str


def find_comments(tree: ast.Module, lines: list[str], needle: str) -> list[TextComment]:
    """The comments on lines whose text contains ``needle`` (lower case), in source order.

    ``lines`` are the file's lines without their breaks; the comment's text is taken from
    its line as written, so it never holds a ``\\r``.
    """
    candidates = [number for number, line in enumerate(lines, 1) if "#" in line and needle in line.lower()]
    if not candidates:
        return []
    strings = _string_spans(tree, lines, candidates)
    found = []
    for number in candidates:
        line = lines[number - 1]
        covering = strings.get(number, ())
        start = line.find("#")
        while start != -1 and any(first <= start < last for first, last in covering):
            start = line.find("#", start + 1)
        if start != -1:
            found.append(TextComment(number, start, line[start:]))
    return found


def _string_spans(tree: ast.Module, lines: list[str], candidates: list[int]) -> dict[int, list[tuple[int, int]]]:
    """For each candidate line, the character ranges that string literals cover on it.

    A statement whose lines hold no candidate is not walked (a literal and the
    parentheses around it lie in one statement).
    """
    spans: dict[int, list[tuple[int, int]]] = {}
    stack: list[ast.AST] = [tree]
    node_type = ast.AST
    while stack:
        node = stack.pop()
        if isinstance(node, ast.stmt) and not _holds_candidate(node, candidates):
            continue
        if isinstance(node, _STRINGS) and (isinstance(node, ast.JoinedStr) or isinstance(node.value, (str, bytes))):
            first = (node.lineno, character_column(lines[node.lineno - 1], node.col_offset))
            last_line = node.end_lineno or node.lineno
            last = (last_line, character_column(lines[last_line - 1], node.end_col_offset or 0))
            first, last = _grouping_parentheses(lines, first, last)
            _cover(first, last, lines, candidates, spans)
            continue  # an f-string's parts lie inside it (and 3.11 places some of them oddly)
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, list):
                stack.extend(item for item in value if isinstance(item, node_type))
            elif isinstance(value, node_type):
                stack.append(value)
    return spans


def _holds_candidate(node: ast.stmt, candidates: list[int]) -> bool:
    index = bisect_left(candidates, node.lineno)
    return index < len(candidates) and candidates[index] <= (node.end_lineno or node.lineno)


def _cover(
    first: tuple[int, int],
    last: tuple[int, int],
    lines: list[str],
    candidates: list[int],
    spans: dict[int, list[tuple[int, int]]],
) -> None:
    index = bisect_left(candidates, first[0])
    while index < len(candidates) and candidates[index] <= last[0]:
        number = candidates[index]
        start = first[1] if number == first[0] else 0
        end = last[1] if number == last[0] else len(lines[number - 1])
        spans.setdefault(number, []).append((start, end))
        index += 1


_Position = tuple[int, int]  # 1-based line, 0-based character column


def _grouping_parentheses(lines: list[str], first: _Position, last: _Position) -> tuple[_Position, _Position]:
    """The span of a string literal widened to the parentheses that group it, when it is
    an implicit concatenation (libcst's tree keeps those parentheses on the literal)."""
    start, end = first, last
    while (opening := _opening_before(lines, start)) and (closing := _closing_after(lines, end)):
        if not _groups(lines[opening[0] - 1][: opening[1]]):
            break
        start, end = opening, (closing[0], closing[1] + 1)
    if start == first or not _concatenation(lines, first, last):  # tokenized only when parentheses group it
        return first, last
    return start, end


def _opening_before(lines: list[str], position: _Position) -> _Position | None:
    """A ``(`` just before ``position``, with only spaces, line breaks and comments between."""
    line, column = position
    before = lines[line - 1][:column].rstrip()
    while not before and line > 1:
        line -= 1
        text = lines[line - 1]
        if text.lstrip().startswith("#"):
            continue  # a comment line between the parenthesis and the literal
        before = _code_before_comment(text)
    return (line, len(before) - 1) if before.endswith("(") else None


def _code_before_comment(text: str) -> str:
    """A line that opens a parenthesis at its end: its text up to the comment after it."""
    for index, character in enumerate(text):
        if character == "(":
            rest = text[index + 1 :].lstrip()
            if not rest or rest.startswith("#"):
                return text[: index + 1]
    return text.rstrip()


def _closing_after(lines: list[str], position: _Position) -> _Position | None:
    """A ``)`` just after ``position``, with only spaces, line breaks and comments between."""
    line, column = position
    text = lines[line - 1]
    after = text[column:].lstrip()
    while (not after or after.startswith("#")) and line < len(lines):
        line += 1
        text = lines[line - 1]
        after = text.lstrip()
    return (line, len(text) - len(after)) if after.startswith(")") else None


def _groups(before: str) -> bool:
    """Whether a ``(`` after ``before`` (its line's text) groups, rather than calls."""
    before = before.rstrip()
    if not before or not (before[-1].isalnum() or before[-1] in "_)]'\""):
        return True
    word = before.split()[-1] if before.split() else ""
    return keyword.iskeyword(word) and word.isidentifier()


def _concatenation(lines: list[str], first: _Position, last: _Position) -> bool:
    """Whether the literal is written as several strings (``"a" "b"``)."""
    if first[0] == last[0]:
        segment = lines[first[0] - 1][first[1] : last[1]]
    else:
        middle = lines[first[0] : last[0] - 1]
        segment = "\n".join([lines[first[0] - 1][first[1] :], *middle, lines[last[0] - 1][: last[1]]])
    try:
        tokens = tokenize.generate_tokens(io.StringIO(f"({segment})").readline)
        return sum(token.type == tokenize.STRING for token in tokens) > 1
    except (tokenize.TokenError, SyntaxError):
        return False


def character_column(line: str, byte_offset: int) -> int:
    """``ast`` counts columns in UTF-8 bytes; the text in characters."""
    if line.isascii():
        return byte_offset
    return len(line.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore"))
