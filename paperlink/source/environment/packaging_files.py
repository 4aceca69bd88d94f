"""Python packaging metadata: ``pyproject.toml`` (PEP 621 and poetry), ``setup.py``,
``setup.cfg`` and ``Pipfile``.

TOML is read with ``tomllib``, which keeps no positions: each dependency's line is found
by searching the text for the string as written, from its table's header on. ``setup.py``
is read with ``ast`` and never run: only literal lists are understood.
"""

from __future__ import annotations

import ast
import re
import sys
import warnings
from collections.abc import Iterable
from typing import Any

from paperlink.nesting import brackets_too_deep
from paperlink.source.environment.model import Parsed, Pin, Version, point
from paperlink.source.environment.names import distribution_name
from paperlink.source.environment.requirements import requirement_pin
from paperlink.source.environment.versions import is_fixed, pin_versions
from paperlink.spans import Span

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

__all__ = ["parse_pyproject", "parse_setup_py", "parse_setup_cfg", "parse_pipfile", "toml_problem"]

_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")
_POETRY_EXACT = re.compile(r"^=?=?\s*\d[\w.+!-]*$")


class _Locator:
    """Finds where a value is written: the first line at or after a table's header holding it."""

    def __init__(self, text: str, path: str) -> None:
        self.lines, self.path = text.splitlines(), path

    def header(self, table: str) -> int:
        pattern = re.compile(rf"^\s*\[{re.escape(table)}\]\s*(#.*)?$")
        return next((i for i, line in enumerate(self.lines) if pattern.match(line)), 0)

    def span(self, needle: str, start: int = 0) -> Span:
        """The string ``needle`` as a quoted TOML string (``"torch"``, not the ``torch`` in
        ``"pytorch"``), else as a key (``torch = "2.1.0"``), else the table's header."""
        quoted = re.compile(rf"""(?<=["'])(){re.escape(needle)}(?=["'])""")
        key = re.compile(rf"""^\s*["']?(){re.escape(needle)}["']?\s*=""")
        for pattern in (quoted, key):
            for index in range(start, len(self.lines)):
                if match := pattern.search(self.lines[index]):
                    column = match.start(1) + 1
                    return Span(self.path, index + 1, column, index + 1, column + len(needle))
        return point(self.path, start + 1)


def toml_problem(error: Exception, text: str) -> tuple[int, int, str]:
    """(line, column, message) from a ``TOMLDecodeError`` (its position is in its message)."""
    message = str(error).split(";")[0]  # past the 4300-digit limit, Python adds advice for programmers
    match = _TOML_POSITION.search(message)
    if match:
        line, column = int(match.group(1)), int(match.group(2))
    elif "(at end of document)" in message:
        lines = text.splitlines() or [""]
        line, column = len(lines), len(lines[-1]) + 1
    else:
        line, column = 1, 1
    message = _TOML_POSITION.sub("", message).replace("(at end of document)", "at the end of the file").strip()
    return line, column, f"invalid TOML: {message}"


def _load_toml(text: str) -> tuple[dict[str, Any] | None, tuple[tuple[int, int, str], ...]]:
    deep = brackets_too_deep(text, toml=True)
    if deep is not None:
        return None, ((deep.line, deep.column, f"invalid TOML: {deep.message}"),)
    try:
        return tomllib.loads(text), ()
    except ValueError as error:  # TOMLDecodeError, or an integer past the 4300-digit limit
        return None, (toml_problem(error, text),)


def _pins_from_strings(
    values: Iterable[Any], locator: _Locator, start: int
) -> tuple[list[Pin], list[tuple[int, int, str]]]:
    pins, problems = [], []
    for value in values:
        if not isinstance(value, str):
            continue
        span = locator.span(value, start)
        pin, problem = requirement_pin(value, span)
        if pin is not None:
            pins.append(pin)
        elif problem is not None:
            problems.append((span.line, span.column + 1 + problem[0], problem[1]))
    return pins, problems


def _finish(pins: list[Pin], versions: list[Version], problems: list[tuple[int, int, str]]) -> Parsed:
    versions = versions + [version for pin in pins for version in pin_versions(pin)]
    return Parsed(tuple(p for p in pins if p.package != "python"), tuple(versions), tuple(problems))


def parse_pyproject(text: str, path: str) -> Parsed:
    """``[project]`` dependencies, optional dependencies and requires-python; poetry's tables."""
    data, problems = _load_toml(text)
    if data is None:
        return Parsed(problems=problems)
    locator = _Locator(text, path)
    pins: list[Pin] = []
    found: list[tuple[int, int, str]] = []
    versions: list[Version] = []
    project: dict[str, Any] = data["project"] if isinstance(data.get("project"), dict) else {}
    start = locator.header("project")
    if isinstance(project.get("dependencies"), list):
        more, bad = _pins_from_strings(project["dependencies"], locator, start)
        pins, found = pins + more, found + bad
    optional = project.get("optional-dependencies")
    for values in optional.values() if isinstance(optional, dict) else ():
        more, bad = _pins_from_strings(
            values if isinstance(values, list) else (), locator, locator.header("project.optional-dependencies")
        )
        pins, found = pins + more, found + bad
    if isinstance(project.get("requires-python"), str):
        spec = project["requires-python"]
        versions.append(
            Version(
                "python", spec, is_fixed(spec), locator.span("requires-python", start), f'requires-python = "{spec}"'
            )
        )
    poetry = data.get("tool", {}).get("poetry") if isinstance(data.get("tool"), dict) else None
    if isinstance(poetry, dict):
        for table in ("dependencies", "dev-dependencies"):
            if isinstance(poetry.get(table), dict):
                pins += _poetry_pins(poetry[table], locator, locator.header(f"tool.poetry.{table}"))
    return _finish(pins, versions, found)


def _poetry_pins(table: dict[str, Any], locator: _Locator, start: int) -> list[Pin]:
    """Poetry's ``name = "2.1.0"`` (exact), ``"^2.1"``, ``"*"``, ``{version = ...}``."""
    pins = []
    for name, value in table.items():
        spec = value.get("version", "") if isinstance(value, dict) else value
        spec = spec if isinstance(spec, str) else ""
        exact = bool(_POETRY_EXACT.match(spec.strip())) or (
            isinstance(value, dict) and "rev" in value and len(str(value["rev"])) >= 7
        )
        pins.append(
            Pin(
                distribution_name(name),
                name,
                spec if spec != "*" else "",
                exact and spec != "*",
                locator.span(name, start),
            )
        )
    return pins


def parse_setup_py(text: str, path: str) -> Parsed:
    """``install_requires``, ``extras_require`` and ``python_requires`` given as literals to ``setup()``."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarnings of the user's file are not ours to print
            tree = ast.parse(text)
    except SyntaxError as error:
        return Parsed(problems=((error.lineno or 1, error.offset or 1, f"invalid Python: {error.msg}"),))
    except ValueError as error:  # null bytes
        return Parsed(problems=((1, 1, f"invalid Python: {error}"),))
    except (RecursionError, MemoryError):  # CPython's parser on absurd nesting
        return Parsed(problems=((1, 1, "invalid Python: nested too deeply"),))
    lists = {
        target.id: statement.value
        for statement in tree.body
        if isinstance(statement, ast.Assign)
        for target in statement.targets
        if isinstance(target, ast.Name)
    }
    pins: list[Pin] = []
    versions: list[Version] = []
    problems: list[tuple[int, int, str]] = []
    for call in (node for node in ast.walk(tree) if isinstance(node, ast.Call) and _is_setup(node.func)):
        for keyword in call.keywords:
            value = lists.get(keyword.value.id, keyword.value) if isinstance(keyword.value, ast.Name) else keyword.value
            if keyword.arg == "install_requires":
                _literal_pins(value, path, pins, problems)
            elif keyword.arg == "extras_require" and isinstance(value, ast.Dict):
                for extra in value.values:
                    _literal_pins(extra, path, pins, problems)
            elif keyword.arg == "python_requires" and isinstance(value, ast.Constant) and isinstance(value.value, str):
                span = point(path, value.lineno, value.col_offset + 1)
                versions.append(
                    Version("python", value.value, is_fixed(value.value), span, f"python_requires={value.value!r}")
                )
    return _finish(pins, versions, problems)


def _is_setup(func: ast.expr) -> bool:
    return (isinstance(func, ast.Name) and func.id == "setup") or (
        isinstance(func, ast.Attribute) and func.attr == "setup"
    )


def _literal_pins(value: ast.expr, path: str, pins: list[Pin], problems: list[tuple[int, int, str]]) -> None:
    if not isinstance(value, (ast.List, ast.Tuple)):
        return  # computed (read from a requirements file, which is read on its own)
    for element in value.elts:
        if isinstance(element, ast.Constant) and isinstance(element.value, str):
            span = point(path, element.lineno, element.col_offset + 1)
            pin, problem = requirement_pin(element.value, span)
            if pin is not None:
                pins.append(pin)
            elif problem is not None:
                problems.append((span.line, span.column + 1 + problem[0], problem[1]))


def parse_setup_cfg(text: str, path: str) -> Parsed:
    """``[options] install_requires`` and ``python_requires``, ``[options.extras_require]``."""
    pins: list[Pin] = []
    versions: list[Version] = []
    problems: list[tuple[int, int, str]] = []
    section, key = "", ""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", ";")):
            continue
        if stripped.startswith("[") and stripped.endswith("]"):
            section, key = stripped[1:-1].strip(), ""
            continue
        column = len(line) - len(line.lstrip()) + 1
        if line[:1] not in " \t":
            key, _, value = (
                (part.strip() for part in stripped.partition("=")) if "=" in stripped else (stripped, "", "")
            )
            if section == "options" and key == "python_requires" and value:
                versions.append(
                    Version("python", value, is_fixed(value), point(path, number, column), f"python_requires = {value}")
                )
                continue
        else:
            value = stripped
        wanted = (
            section == "options" and key in ("install_requires", "setup_requires")
        ) or section == "options.extras_require"
        if wanted and value:
            pin, problem = requirement_pin(value, point(path, number, column))
            if pin is not None:
                pins.append(pin)
            elif problem is not None:
                problems.append((number, column + problem[0], problem[1]))
    return _finish(pins, versions, problems)


def parse_pipfile(text: str, path: str) -> Parsed:
    """``[packages]`` and ``[dev-packages]`` (``"==1.0"``, ``"*"``, ``{version = ...}``) and
    ``[requires] python_version``."""
    data, problems = _load_toml(text)
    if data is None:
        return Parsed(problems=problems)
    locator = _Locator(text, path)
    pins, versions = [], []
    for table in ("packages", "dev-packages"):
        start = locator.header(table)
        for name, value in (data.get(table) or {}).items() if isinstance(data.get(table), dict) else ():
            spec = value.get("version", "") if isinstance(value, dict) else value
            spec = "" if not isinstance(spec, str) or spec == "*" else spec
            pins.append(
                Pin(
                    distribution_name(name),
                    name,
                    spec,
                    spec.startswith("==") and "*" not in spec,
                    locator.span(name, start),
                )
            )
    requires: dict[str, Any] = data["requires"] if isinstance(data.get("requires"), dict) else {}
    for key in ("python_full_version", "python_version"):
        if isinstance(requires.get(key), str):
            span = locator.span(key, locator.header("requires"))
            versions.append(
                Version("python", requires[key], is_fixed(requires[key]), span, f'{key} = "{requires[key]}"')
            )
            break
    return _finish(pins, versions, [])
