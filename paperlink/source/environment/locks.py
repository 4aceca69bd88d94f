"""Lock files: every package they list is pinned exactly.

TOML lock files (``uv.lock``, ``poetry.lock``, ``pdm.lock``) are read line by line rather
than parsed: each ``[[package]]`` block starts with its ``name`` and ``version``, and a
full TOML parse of a large lock file costs more than the rest of the environment reading.
``Pipfile.lock`` is JSON.
"""

from __future__ import annotations

import json
import re

from paperlink.nesting import brackets_too_deep
from paperlink.source.environment.model import Parsed, Pin, Version, point
from paperlink.source.environment.names import distribution_name
from paperlink.source.environment.versions import is_fixed, pin_versions

__all__ = ["parse_toml_lock", "parse_pipfile_lock", "parse_python_version"]

_ENTRY = re.compile(r'^(name|version)\s*=\s*"([^"]*)"')
_REQUIRES_PYTHON = re.compile(r'^requires-python\s*=\s*"([^"]*)"')


def parse_toml_lock(text: str, path: str) -> Parsed:
    pins, versions = [], []
    name: tuple[int, str] | None = None
    in_package = False
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("["):
            in_package, name = line.strip() == "[[package]]", None
            continue
        if not in_package:
            if (python := _REQUIRES_PYTHON.match(line)) is not None:
                spec = python.group(1)
                versions.append(Version("python", spec, is_fixed(spec), point(path, number, 1), line.strip()))
            continue
        match = _ENTRY.match(line)
        if match is None:
            continue
        if match.group(1) == "name":
            name = (number, match.group(2))
        elif name is not None:
            span = point(path, name[0], 1)
            pins.append(Pin(distribution_name(name[1]), name[1], f"=={match.group(2)}", True, span))
            name = None
    versions += [version for pin in pins for version in pin_versions(pin)]
    return Parsed(tuple(pins), tuple(versions))


def parse_pipfile_lock(text: str, path: str) -> Parsed:
    deep = brackets_too_deep(text, toml=False)
    if deep is not None:
        return Parsed(problems=((deep.line, deep.column, f"invalid JSON: {deep.message}"),))
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        return Parsed(problems=((error.lineno, error.colno, f"invalid JSON: {error.msg}"),))
    except (ValueError, RecursionError) as error:  # an integer past the 4300-digit limit, absurd nesting
        return Parsed(problems=((1, 1, f"invalid JSON: {str(error).split(';')[0] or type(error).__name__}"),))
    if not isinstance(data, dict):
        return Parsed(problems=((1, 1, "expected a JSON object"),))
    lines = text.splitlines()
    pins = []
    for section in ("default", "develop"):
        for name, entry in (data.get(section) or {}).items() if isinstance(data.get(section), dict) else ():
            version = entry.get("version", "") if isinstance(entry, dict) else ""
            version = version if isinstance(version, str) else ""  # a lock file edited by hand
            line = next((i for i, text_line in enumerate(lines, start=1) if f'"{name}"' in text_line), 1)
            pins.append(Pin(distribution_name(name), name, version, bool(version), point(path, line, 1)))
    meta = data.get("_meta", {}).get("requires", {}) if isinstance(data.get("_meta"), dict) else {}
    meta = meta if isinstance(meta, dict) else {}
    key = "python_full_version" if isinstance(meta.get("python_full_version"), str) else "python_version"
    versions = (
        [Version("python", meta[key], is_fixed(meta[key]), point(path, 1), f"{key}: {meta[key]}")]
        if isinstance(meta.get(key), str)
        else []
    )
    return Parsed(tuple(pins), tuple(versions + [v for p in pins for v in pin_versions(p)]))


def parse_python_version(text: str, path: str) -> Parsed:
    """``.python-version`` (``3.10.12``) or ``runtime.txt`` (``python-3.10.12``)."""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            version = stripped.removeprefix("python-")
            return Parsed(versions=(Version("python", version, is_fixed(version), point(path, number, 1), stripped),))
    return Parsed()
