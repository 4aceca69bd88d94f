"""A TOML config file's leaves with spans.

``tomllib`` reads the values; their positions come from the lines: a ``[table]`` header
sets the prefix and ``key = value`` the leaf, which covers the plain settings a config
file holds (inline tables and multi-line values get the line of their key).
"""

from __future__ import annotations

import re
import sys
from typing import Any

from paperlink.configfiles.comments import comment_start, read_comments
from paperlink.configfiles.model import ConfigFile, ConfigValue
from paperlink.numbers import as_float
from paperlink.spans import Span

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

__all__ = ["read_toml"]

_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_ASSIGNMENT = re.compile(
    r"^\s*((?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*'))*)\s*=\s*"
)


def read_toml(path: str, text: str) -> ConfigFile:
    """The file's leaves; raises ``tomllib.TOMLDecodeError`` when the text is not TOML."""
    data = tomllib.loads(text)
    lines = text.splitlines()
    positions = _positions(path, lines)
    values = []
    for key, value in _leaves(data, ""):
        span, written = positions.get(key, (Span(path, 1), str(value)))
        numeric = as_float(value)
        values.append(ConfigValue(key, written, numeric, span))
    keys = {span.line: (key, span, written) for key, (span, written) in positions.items()}
    annotations, suppressions = read_comments(path, lines, keys)
    return ConfigFile(path, tuple(values), annotations=annotations, suppressions=suppressions)


def _dotted(written: str) -> str:
    return ".".join(
        part.strip().strip("\"'") for part in re.split(r"\.(?=(?:[^\"']*[\"'][^\"']*[\"'])*[^\"']*$)", written)
    )


def _positions(path: str, lines: list[str]) -> dict[str, tuple[Span, str]]:
    """Each ``key = value`` line's full key and the span and text of its value."""
    found: dict[str, tuple[Span, str]] = {}
    prefix = ""
    for number, line in enumerate(lines, 1):
        header = _HEADER.match(line)
        if header is not None:
            prefix = _dotted(header.group(1))
            continue
        assignment = _ASSIGNMENT.match(line)
        if assignment is None:
            continue
        key = _dotted(assignment.group(1))
        comment = comment_start(line)
        value = line[assignment.end() : comment].rstrip() if comment is not None else line[assignment.end() :].rstrip()
        start = assignment.end() + 1
        full = f"{prefix}.{key}" if prefix else key
        found.setdefault(full, (Span(path, number, start, number, start + len(value)), value))
    return found


def _leaves(data: dict[str, Any], prefix: str) -> list[tuple[str, Any]]:
    found = []
    for key, value in data.items():
        full = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            found.extend(_leaves(value, full))
        elif not isinstance(value, list):
            found.append((full, value))
    return found
