"""Characters an output must not carry raw: one escaping function per output family.

A file name may hold any byte the file system allows (Python gives the bytes that are not
UTF-8 as lone surrogates), and a message echoes names and text from the project. Raw, a
carriage return or an ESC rewrites a terminal line, a tab shifts columns, a Unicode bidi
override reorders what a reviewer reads (CVE-2021-42574, "Trojan Source"), and a lone
surrogate cannot be written as UTF-8 at all. So:

* :func:`visible` (text, GitHub, Markdown, plain strings in HTML): every such character as a
  Python-style escape (``\\x09`` for a tab, ``\\x1b``, ``\\u202e``, ``\\udcff`` for the byte 0xff), and
  a backslash doubled only where it would otherwise read as one; :func:`readable` undoes it;
* :func:`json_safe` (JSON, SARIF): a JSON document's bidi, line-separator and surrogate
  characters as ``\\uXXXX`` escapes, which every JSON reader decodes to the same string
  (``json.dumps`` already escapes control characters);
* :func:`markup_visible` (HTML that is already markup, such as the code view): as
  :func:`visible`, but tabs and line breaks stay, since the code is shown as written.
"""

from __future__ import annotations

import re

__all__ = ["UNSAFE", "json_safe", "markup_visible", "readable", "visible"]

# C0 and C1 controls, DEL, the bidi formatting characters (marks, embeddings, overrides,
# isolates), the line and paragraph separators, and lone surrogates.
UNSAFE = "\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff"
_UNSAFE = re.compile(f"[{UNSAFE}]")
_TOKEN = re.compile(rf"\\|[{UNSAFE}]")
_ESCAPE_AHEAD = re.compile(rf"\\|[{UNSAFE}]|x[0-9a-f]{{2}}|u[0-9a-f]{{4}}")
_ESCAPED = re.compile(r"\\(?:(\\)|x([0-9a-f]{2})|u([0-9a-f]{4}))")
_JSON_UNSAFE = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff\x7f-\x9f]")
_MARKUP_UNSAFE = re.compile(
    f"[\x00-\x08\x0b-\x1f{UNSAFE.removeprefix(chr(0) + '-' + chr(0x1F))}]"
)  # tab and line feed kept


def visible(text: str) -> str:
    """``text`` with every unsafe character escaped; unchanged when it has none (the common case)."""
    if "\\" not in text and not _UNSAFE.search(text):
        return text
    return _TOKEN.sub(lambda match: _escape(match, text), text)


def readable(text: str) -> str:
    """The string :func:`visible` made ``text`` from."""
    return _ESCAPED.sub(_unescape, text)


def json_safe(document: str) -> str:
    """A JSON document (as ``json.dumps(ensure_ascii=False)`` writes it) with the characters
    that reorder or break text written as ``\\uXXXX`` escapes: the same JSON value, safe to show."""
    return _JSON_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", document)


def markup_visible(html: str) -> str:
    """:func:`visible` for HTML markup: tabs and line breaks kept."""
    return _MARKUP_UNSAFE.sub(lambda match: _code(match.group()), html)


def _escape(match: re.Match[str], text: str) -> str:
    character = match.group()
    if character != "\\":
        return _code(character)
    # A backslash is doubled only where what follows it would read as an escape.
    return "\\\\" if _ESCAPE_AHEAD.match(text, match.end()) else "\\"


def _code(character: str) -> str:
    point = ord(character)
    return f"\\x{point:02x}" if point < 0x100 else f"\\u{point:04x}"


def _unescape(match: re.Match[str]) -> str:
    backslash, byte, unit = match.groups()
    return "\\" if backslash else chr(int(byte or unit, 16))
