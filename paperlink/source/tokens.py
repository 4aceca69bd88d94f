"""The comments and string literals of Python source, as the tokenizer reads them.

The writers (``--add-noqa``, ``--fix``) edit a file's text only inside comments and strings,
so they ask here where those are, and (``--fix``) whether an edited text still has the same
code around them. The text is split into lines as everything else splits it
(:func:`paperlink.spans.split_lines`: ``\\r\\n``, ``\\r`` and ``\\n``), so the tokenizer's rows are
the lines of spans. An f-string is one string, on every Python (3.12 tokenizes it in parts).
"""

from __future__ import annotations

import tokenize
from dataclasses import dataclass
from typing import Literal

from paperlink.spans import split_lines

__all__ = ["CodeShape", "StringOrComment", "code_shape", "comments_and_strings"]

_FSTRING_START = getattr(tokenize, "FSTRING_START", -1)
_FSTRING_END = getattr(tokenize, "FSTRING_END", -1)
_NOT_CODE = frozenset({tokenize.COMMENT, tokenize.NL})


@dataclass(frozen=True)
class StringOrComment:
    """A comment or a string literal: tokenizer positions (1-based row, 0-based column), end exclusive."""

    kind: Literal["comment", "string"]
    start: tuple[int, int]
    end: tuple[int, int]


@dataclass(frozen=True)
class CodeShape:
    """What of a text is code: its tokens outside comments and strings (each string a
    placeholder, so their number counts too), and how many comments it has."""

    code: tuple[tuple[int, str], ...]
    comments: int


def comments_and_strings(text: str) -> tuple[list[StringOrComment], bool]:
    """The comments and strings of ``text`` in order, and whether all of it could be tokenized
    (when not, those found before the tokenizer stopped)."""
    found: list[StringOrComment] = []
    opened: list[tuple[int, int]] = []
    try:
        for token in tokenize.generate_tokens(iter(split_lines(text)).__next__):
            if token.type == tokenize.COMMENT:
                found.append(StringOrComment("comment", token.start, token.end))
            elif token.type == tokenize.STRING and not opened:
                found.append(StringOrComment("string", token.start, token.end))
            elif token.type == _FSTRING_START:
                opened.append(token.start)
            elif token.type == _FSTRING_END and opened:
                start = opened.pop()
                if not opened:
                    found.append(StringOrComment("string", start, token.end))
    except (tokenize.TokenError, SyntaxError, StopIteration):
        return found, False
    return found, True


def code_shape(text: str) -> CodeShape | None:
    """The :class:`CodeShape` of ``text``; None when it cannot be tokenized."""
    code: list[tuple[int, str]] = []
    comments = 0
    depth = 0  # inside an f-string (3.12): its parts are the string's
    try:
        for token in tokenize.generate_tokens(iter(split_lines(text)).__next__):
            if token.type == _FSTRING_START:
                depth += 1
            elif token.type == _FSTRING_END:
                depth -= 1
                if not depth:
                    code.append((tokenize.STRING, ""))
            elif depth:
                continue
            elif token.type == tokenize.STRING:
                code.append((token.type, ""))
            elif token.type == tokenize.COMMENT:
                comments += 1
            elif token.type not in _NOT_CODE:
                code.append((token.type, token.string))
    except (tokenize.TokenError, SyntaxError, StopIteration):
        return None
    return CodeShape(tuple(code), comments)
