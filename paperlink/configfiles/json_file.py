"""A JSON config file's leaves with spans.

``json.loads`` validates (its errors carry line and column); a small scanner then walks
the valid text once for the offset of every scalar, which the stdlib decoder does not
report.
"""

from __future__ import annotations

import json
import re
from typing import Callable

from paperlink.configfiles.model import ConfigFile, ConfigValue
from paperlink.spans import LineIndex, Span

__all__ = ["read_json"]

_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")
_WORD = re.compile(r"true|false|null|NaN|-?Infinity")  # json.loads accepts the last three too
_SPACE = re.compile(r"[ \t\n\r]*")
# json's own string reader (escapes, surrogates); typeshed does not declare it
_scanstring: Callable[[str, int], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]


def read_json(path: str, text: str) -> ConfigFile:
    """The file's leaves; raises ``json.JSONDecodeError`` when the text is not JSON."""
    json.loads(text)
    scanner = _Scanner(path, text)
    scanner.value(scanner._skip(0), "")
    return ConfigFile(path, tuple(scanner.values))


class _Scanner:
    """Offsets of the scalars of a text ``json.loads`` accepted."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        self.index = LineIndex(path, text)
        self.values: list[ConfigValue] = []

    def value(self, at: int, key: str) -> int:
        """Read the value at ``at``; return the offset after it."""
        char = self.text[at]
        if char == "{":
            return self._object(at + 1, key)
        if char == "[":
            return self._array(at + 1, key)
        if char == '"':
            text, end = _scanstring(self.text, at + 1)
            self._leaf(key, text, None, at, end)
            return end
        number = _NUMBER.match(self.text, at)
        if number is not None:
            self._leaf(key, number.group(), float(number.group()), at, number.end())
            return number.end()
        word = _WORD.match(self.text, at)
        assert word is not None  # the text is valid JSON
        self._leaf(key, word.group(), None, at, word.end())
        return word.end()

    def _object(self, at: int, prefix: str) -> int:
        at = self._skip(at)
        while self.text[at] != "}":
            name, at = _scanstring(self.text, self._skip(at) + 1)
            at = self._skip(self._skip(at) + 1)  # past the colon
            at = self._skip(self.value(at, f"{prefix}.{name}" if prefix else name))
            if self.text[at] == ",":
                at = self._skip(at + 1)
        return at + 1

    def _array(self, at: int, prefix: str) -> int:
        at = self._skip(at)
        while self.text[at] != "]":
            at = self._skip(self.value(at, ""))  # items have no key a program reads by name
            if self.text[at] == ",":
                at = self._skip(at + 1)
        return at + 1

    def _skip(self, at: int) -> int:
        match = _SPACE.match(self.text, at)
        return match.end() if match else at  # always a match: the pattern also matches no space

    def _leaf(self, key: str, text: str, numeric: float | None, start: int, end: int) -> None:
        if not key:
            return
        line, column = self.index.line_column(start)
        end_line, end_column = self.index.line_column(end)
        self.values.append(ConfigValue(key, text, numeric, Span(self.path, line, column, end_line, end_column)))
