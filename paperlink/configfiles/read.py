"""Reading one config file from disk: never raises, a problem is a diagnostic (PL002, PL005)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import yaml

from paperlink import boundary
from paperlink.nesting import brackets_too_deep, yaml_too_deep
from paperlink.configfiles.json_file import read_json
from paperlink.configfiles.model import ConfigFile
from paperlink.configfiles.toml_file import read_toml
from paperlink.configfiles.yaml_file import read_yaml
from paperlink.errors import yaml_problem
from paperlink.rules.base import Rule
from paperlink.rules.source_input import SourceNotDecodable, UnreadableConfigFile
from paperlink.spans import Span, relative_path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

__all__ = ["CONFIG_SUFFIXES", "read_config_file", "parse_config_text"]

CONFIG_SUFFIXES = (".yaml", ".yml", ".json", ".toml")
_TOML_WHERE = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


def read_config_file(path: Path, root: Path) -> ConfigFile:
    """``path`` read as YAML, JSON or TOML by its suffix."""
    relative = relative_path(path, root)
    try:
        data = boundary.read_bytes(path, root)
    except OSError as error:
        return _unreadable(
            relative, 1, 1, SourceNotDecodable, f"cannot read this file: {error.strerror or type(error).__name__}"
        )
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        return _unreadable(
            relative,
            line,
            1,
            SourceNotDecodable,
            f"cannot decode this file: byte 0x{data[error.start]:02x} is not utf-8",
        )
    return parse_config_text(relative, text)


def parse_config_text(relative: str, text: str) -> ConfigFile:
    """The leaves of ``text``, read as the format ``relative``'s suffix names."""
    if relative.endswith(".json") or relative.endswith(".toml"):
        deep = brackets_too_deep(text, toml=relative.endswith(".toml"))
    else:
        deep = yaml_too_deep(text)
    if deep is not None:
        return _unreadable(
            relative, deep.line, deep.column, UnreadableConfigFile, f"cannot read config file: {deep.message}"
        )
    try:
        if relative.endswith(".json"):
            return read_json(relative, text)
        if relative.endswith(".toml"):
            return read_toml(relative, text)
        return read_yaml(relative, text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        return _unreadable(
            relative,
            line,
            column,
            UnreadableConfigFile,
            f"cannot read config file: invalid YAML: {yaml_problem(error)}",
        )
    except json.JSONDecodeError as error:
        return _unreadable(
            relative,
            error.lineno,
            error.colno,
            UnreadableConfigFile,
            f"cannot read config file: invalid JSON: {error.msg}",
        )
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        where = _TOML_WHERE.search(message)
        line, column = (int(where.group(1)), int(where.group(2))) if where else (1, 1)
        return _unreadable(
            relative,
            line,
            column,
            UnreadableConfigFile,
            f"cannot read config file: invalid TOML: {_TOML_WHERE.sub('', message)}",
        )
    except RecursionError:
        return _unreadable(relative, 1, 1, UnreadableConfigFile, "cannot read config file: it is nested too deeply")
    except ValueError as error:  # an integer past Python's 4300-digit conversion limit
        return _unreadable(relative, 1, 1, UnreadableConfigFile, f"cannot read config file: {str(error).split(';')[0]}")


def _unreadable(relative: str, line: int, column: int, rule: type[Rule], message: str) -> ConfigFile:
    return ConfigFile(relative, problem=rule.at(Span(relative, line, column), message))
