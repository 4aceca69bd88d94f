"""conda's environment files (``environment.yml``) and conda-lock files.

Read with PyYAML's composer, which keeps each node's position, so every dependency has
its line. A conda dependency is ``name``, ``name=1.2``, ``name=1.2=build``, ``name==1.2``,
``name>=1.2``, ``name 1.2 build`` or ``channel::name=1.2``; the nested ``pip:`` list holds
pip requirements.
"""

from __future__ import annotations

import re

import yaml

from paperlink.nesting import yaml_too_deep
from paperlink.errors import yaml_problem
from paperlink.source.environment.model import Parsed, Pin
from paperlink.source.environment.names import distribution_name
from paperlink.source.environment.requirements import requirement_pin
from paperlink.source.environment.versions import pin_versions
from paperlink.spans import Span

__all__ = ["parse_conda_spec", "parse_conda_file", "parse_conda_lock"]

_CONDA_SPEC = re.compile(r"^\s*(?:[\w./:-]+::)?([A-Za-z0-9_][A-Za-z0-9_.-]*)\s*(.*?)\s*$")
_VERSION = r"[\w.*+!]+"
_CLAUSE = rf"(?:===?|[<>!~]=|[<>=])?\s*{_VERSION}"
# after the name: version clauses joined by "," or "|", then an optional build string
_CONDA_REST = re.compile(rf"^(?:{_CLAUSE}(?:\s*[,|]\s*{_CLAUSE})*(?:(?:=|\s+){_VERSION})?)?$")
_BRACKET_VERSION = re.compile(r"\[\s*version\s*=\s*['\"]?([^'\"\],]+)['\"]?")
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_conda_spec(text: str, span: Span) -> tuple[Pin | None, str | None]:
    """A pin from one conda dependency, or why it cannot be read."""
    match = _CONDA_SPEC.match(text)
    if match is None:
        return None, f"cannot read conda dependency '{text.strip()[:40]}'"
    name, rest = match.group(1), match.group(2)
    if rest.startswith("[") and (bracket := _BRACKET_VERSION.search(rest)):
        rest = bracket.group(1).strip()
    if not _CONDA_REST.match(rest):
        return None, f"cannot read conda dependency '{text.strip()[:60]}'"
    exact = _conda_exact(rest)
    return Pin(distribution_name(name, conda=True), name, rest, exact, span), None


def _conda_exact(spec: str) -> bool:
    """``=1.2``, ``=1.2=build``, ``==1.2`` and ``1.2 build`` name one version; ranges,
    wildcards and alternatives do not."""
    if not spec or any(mark in spec for mark in ("*", "<", ">", "|", ",", "!", "~")):
        return False
    version = spec.lstrip("=").split("=")[0].split()[0] if spec.lstrip("=") else ""
    return bool(version) and version[0].isdigit()


def _load(text: str, path: str) -> tuple[yaml.Node | None, tuple[tuple[int, int, str], ...]]:
    deep = yaml_too_deep(text)  # before libyaml's composer, which recurses in C
    if deep is not None:
        return None, ((deep.line, deep.column, f"invalid YAML: {deep.message}"),)
    try:
        return yaml.compose(text, Loader=_Loader), ()
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = f"invalid YAML: {yaml_problem(error)}"
        context, opened = getattr(error, "context", None), getattr(error, "context_mark", None)
        if context and opened is not None and opened.line + 1 != line:
            message += f" ({context} at line {opened.line + 1})"
        return None, ((line, column, message),)


def _span(path: str, node: yaml.Node) -> Span:
    start, end = node.start_mark, node.end_mark
    return Span(path, start.line + 1, start.column + 1, end.line + 1, end.column + 1)


def _key(mapping: yaml.MappingNode, key: str) -> yaml.Node | None:
    return next(
        (value for name, value in mapping.value if isinstance(name, yaml.ScalarNode) and name.value == key), None
    )


def parse_conda_file(text: str, path: str) -> Parsed:
    """Pins (conda and pip), the versions they record, and problems of an ``environment.yml``."""
    root, problems = _load(text, path)
    if root is None:
        return Parsed(problems=problems)
    if not isinstance(root, yaml.MappingNode):
        return Parsed(problems=((1, 1, "expected a mapping with 'dependencies' at the top level"),))
    dependencies = _key(root, "dependencies")
    if dependencies is None:
        return Parsed()
    if not isinstance(dependencies, yaml.SequenceNode):
        where = dependencies.start_mark
        return Parsed(problems=((where.line + 1, where.column + 1, "expected 'dependencies' to be a list"),))
    pins, found = [], []
    for entry in dependencies.value:
        if isinstance(entry, yaml.ScalarNode):
            pin, problem = parse_conda_spec(str(entry.value), _span(path, entry))
        elif isinstance(entry, yaml.MappingNode) and isinstance(pip := _key(entry, "pip"), yaml.SequenceNode):
            pip_pins, pip_problems = _pip_list(pip, path)
            pins += pip_pins
            found += pip_problems
            continue
        else:
            pin, problem = None, "expected a dependency such as 'numpy=1.26' or a 'pip:' list"
        if pin is not None:
            pins.append(pin)
        elif problem is not None:
            found.append((entry.start_mark.line + 1, entry.start_mark.column + 1, problem))
    return _with_versions(pins, found)


def _pip_list(node: yaml.SequenceNode, path: str) -> tuple[list[Pin], list[tuple[int, int, str]]]:
    pins, problems = [], []
    for entry in node.value:
        span = _span(path, entry)
        if not isinstance(entry, yaml.ScalarNode):
            problems.append((span.line, span.column, "expected a pip requirement in the 'pip:' list"))
            continue
        text = str(entry.value)
        if text.lstrip().startswith("-"):
            continue  # pip options (-r, --extra-index-url) inside the list
        pin, problem = requirement_pin(text, span)
        if pin is not None:
            pins.append(pin)
        elif problem is not None:
            problems.append((span.line, span.column + problem[0], problem[1]))
    return pins, problems


def _with_versions(pins: list[Pin], problems: list[tuple[int, int, str]]) -> Parsed:
    versions = [version for pin in pins for version in pin_versions(pin)]
    return Parsed(tuple(pin for pin in pins if pin.package != "python"), tuple(versions), tuple(problems))


def parse_conda_lock(text: str, path: str) -> Parsed:
    """A conda-lock file: every ``package`` entry (name, version) is exact."""
    root, problems = _load(text, path)
    if root is None or not isinstance(root, yaml.MappingNode):
        return Parsed(problems=problems or ((1, 1, "expected a mapping with 'package' at the top level"),))
    packages = _key(root, "package")
    pins = []
    for entry in packages.value if isinstance(packages, yaml.SequenceNode) else ():
        if not isinstance(entry, yaml.MappingNode):
            continue
        name, version = _key(entry, "name"), _key(entry, "version")
        if isinstance(name, yaml.ScalarNode) and isinstance(version, yaml.ScalarNode):
            manager = _key(entry, "manager")
            conda = not (isinstance(manager, yaml.ScalarNode) and manager.value == "pip")
            pins.append(
                Pin(distribution_name(name.value, conda), name.value, f"={version.value}", True, _span(path, entry))
            )
    return _with_versions(pins, [])
