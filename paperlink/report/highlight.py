"""Light syntax highlighting of Python source, one line of HTML per source line.

Built on the stdlib ``tokenize`` (no dependency): keywords, strings, comments, numbers and
the names after ``def``/``class`` get a class. Text the tokenizer cannot read (a syntax
error part-way through) is shown plain from there on. Every character of the source is
escaped here, so the result is safe to put in the page as markup.
"""

from __future__ import annotations

import io
import keyword
import re
import token
import tokenize
from html import escape
from typing import Iterator

from markupsafe import Markup

__all__ = ["highlight_python", "plain_lines", "split_lines"]

_CLASSES = {token.STRING: "s", token.COMMENT: "c", token.NUMBER: "m"}
_DEFINERS = frozenset({"def", "class"})
_LINE_END = re.compile(r"\r\n|\r|\n")
Piece = tuple[int, int, str]  # start column, end column, css class


def split_lines(text: str) -> list[str]:
    """Lines as Python and paperlink's spans count them: only ``\\n``, ``\\r\\n`` and ``\\r`` end one."""
    lines = _LINE_END.split(text)
    return lines[:-1] if lines and lines[-1] == "" else lines


def plain_lines(text: str) -> list[Markup]:
    """Each line of ``text`` escaped, without highlighting."""
    return [Markup(escape(line, quote=False)) for line in split_lines(text)]


def highlight_python(text: str) -> list[Markup]:
    """Each line of ``text`` as escaped HTML with ``<span class=..>`` around tokens."""
    lines = split_lines(text)
    pieces: list[list[Piece]] = [[] for _ in lines]
    for (start_row, start_col), (end_row, end_col), css in _classified_tokens(text):
        for row in range(start_row, min(end_row, len(lines)) + 1):
            first = start_col if row == start_row else 0
            last = end_col if row == end_row else len(lines[row - 1])
            if last > first:
                pieces[row - 1].append((first, last, css))
    return [_line_html(line, found) for line, found in zip(lines, pieces)]


def _classified_tokens(text: str) -> Iterator[tuple[tuple[int, int], tuple[int, int], str]]:
    """(start, end, css class) of each token worth colouring, until the tokenizer gives up."""
    previous = ""
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            css = _CLASSES.get(tok.type)
            if tok.type == token.NAME:
                if keyword.iskeyword(tok.string):  # soft keywords (match) are names as often as not
                    css = "k"
                elif previous in _DEFINERS:
                    css = "d"
            if tok.type not in (token.NL, token.NEWLINE, token.INDENT, token.DEDENT, token.COMMENT):
                previous = tok.string
            elif tok.type in (token.NEWLINE, token.NL):
                previous = ""
            if css is not None:
                yield tok.start, tok.end, css
    except (tokenize.TokenError, SyntaxError):  # the rest of the file stays plain
        return


def _line_html(line: str, pieces: list[Piece]) -> Markup:
    parts: list[str] = []
    position = 0
    for start, end, css in sorted(pieces):
        if start < position:
            continue
        parts.append(escape(line[position:start], quote=False))
        parts.append(f'<span class="{css}">{escape(line[start:end], quote=False)}</span>')
        position = end
    parts.append(escape(line[position:], quote=False))
    return Markup("".join(parts))
