"""How deeply YAML, TOML or JSON text nests, found by a flat scan before a parser that
recurses (PyYAML's composer and constructor, libyaml's composer, tomllib, ``json``) sees it.

A file nested past :data:`MAX_NESTING` is then a problem at the place it goes too deep,
never a RecursionError or a blown C stack. No hand-written configuration, manifest or
notebook comes near the bound.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

__all__ = ["MAX_NESTING", "TooDeep", "brackets_too_deep", "yaml_too_deep"]

MAX_NESTING = 100

_YAML_PARSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser: a flat state machine, fast
_YAML_OPEN = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
_YAML_CLOSE = (yaml.SequenceEndEvent, yaml.MappingEndEvent)

# Brackets outside strings and comments. TOML's multi-line strings first, then its one-line
# basic and literal strings (JSON has only the basic kind), then comments.
_TOML_TOKENS = re.compile(
    r'"""(?:[^\\]|\\.)*?"""|\'\'\'.*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|#[^\n]*|(?P<bracket>[\[\]{}])', re.S
)
_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|(?P<bracket>[\[\]{}])', re.S)
_YAML_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\']|\'\')*\'|(?<!\S)#[^\n]*|(?P<bracket>[\[\]{}])', re.S)


@dataclass(frozen=True)
class TooDeep:
    """Where the text first nests deeper than :data:`MAX_NESTING` (1-based line and column)."""

    line: int
    column: int

    @property
    def message(self) -> str:
        return f"nested more than {MAX_NESTING} levels deep"


def yaml_too_deep(text: str) -> TooDeep | None:
    """Where YAML ``text`` nests too deeply, from its parser's events (a flat stream, one
    start and one end per collection); None if it does not, or if it cannot be parsed: the
    reader then reports that."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_YAML_PARSER):
            if isinstance(event, _YAML_OPEN):
                depth += 1
                if depth > MAX_NESTING:
                    mark = event.start_mark
                    return TooDeep(mark.line + 1, mark.column + 1) if mark is not None else TooDeep(1, 1)
            elif isinstance(event, _YAML_CLOSE):
                depth -= 1
    except yaml.YAMLError:  # libyaml may refuse the text before the events reach the depth: the
        # parser reporting it might recurse first (PyYAML's composer), so flow brackets decide
        return _brackets_too_deep(text, _YAML_TOKENS)
    return None


def brackets_too_deep(text: str, *, toml: bool) -> TooDeep | None:
    """Where TOML (``toml=True``) or JSON ``text`` nests its brackets too deeply."""
    return _brackets_too_deep(text, _TOML_TOKENS if toml else _JSON_TOKENS)


def _brackets_too_deep(text: str, tokens: re.Pattern[str]) -> TooDeep | None:
    depth = 0
    for token in tokens.finditer(text):
        bracket = token.group("bracket")
        if bracket is None:
            continue
        if bracket in "[{":
            depth += 1
            if depth > MAX_NESTING:
                start = token.start()
                return TooDeep(text.count("\n", 0, start) + 1, start - text.rfind("\n", 0, start))
        else:
            depth -= 1
    return None
