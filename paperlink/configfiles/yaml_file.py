"""A YAML config file's leaves, Hydra defaults list and ``# @package`` header, with spans.

Read with PyYAML's ``compose`` under the safe loader's resolver: the node tree carries
each key's and scalar's position and nothing is ever constructed but plain scalars.
``1e-4`` (a string to YAML 1.1) is read as the number OmegaConf makes of it.
"""

from __future__ import annotations

import re

import yaml

from paperlink.configfiles.comments import read_comments
from paperlink.configfiles.model import ConfigFile, ConfigValue, DefaultsEntry
from paperlink.numbers import as_float, parse_python_number
from paperlink.spans import Span

__all__ = ["read_yaml"]

_INT, _FLOAT, _STR = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:str"
_INTERPOLATION = re.compile(r"^\$\{\s*([A-Za-z_][\w.]*)\s*\}$")
_PACKAGE = re.compile(r"^#\s*@package\s+(\S+)")


_MAX_KEYS = 100_000


class _Tree:
    """What one walk of the node tree collects."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.values: list[ConfigValue] = []
        self.keys: dict[int, tuple[str, Span, str]] = {}
        self.inside_scalars: set[int] = set()
        self.defaults: list[DefaultsEntry] = []
        self.keys_walked = 0

    def walk(self) -> None:
        """Counts a key; aliases of aliases can make a small file mean billions of keys."""
        self.keys_walked += 1
        if self.keys_walked > _MAX_KEYS:
            raise ValueError(f"more than {_MAX_KEYS} keys once its aliases are expanded")


def read_yaml(path: str, text: str) -> ConfigFile:
    """The file's leaves; raises ``yaml.YAMLError`` when the text is not YAML."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    tree = _Tree(path)
    if isinstance(root, yaml.MappingNode):
        _mapping(tree, root, "")
    lines = text.splitlines()
    annotations, suppressions = read_comments(path, lines, tree.keys, frozenset(tree.inside_scalars))
    return ConfigFile(path, tuple(tree.values), tuple(tree.defaults), _package(lines), annotations, suppressions)


def _span(path: str, node: yaml.Node) -> Span:
    start, end = node.start_mark, node.end_mark
    return Span(path, start.line + 1, start.column + 1, end.line + 1, end.column + 1)


def _mapping(tree: _Tree, node: yaml.MappingNode, prefix: str) -> None:
    for key_node, value_node in node.value:
        tree.walk()
        if not isinstance(key_node, yaml.ScalarNode):
            continue  # a complex key holds no setting a program reads by name
        key = f"{prefix}.{key_node.value}" if prefix else str(key_node.value)
        line = key_node.start_mark.line + 1
        if not prefix and key == "defaults" and isinstance(value_node, yaml.SequenceNode):
            tree.defaults.extend(entry for item in value_node.value for entry in _defaults_entries(tree.path, item))
        elif isinstance(value_node, yaml.ScalarNode):
            value = _scalar(tree.path, key, value_node)
            tree.values.append(value)
            tree.keys.setdefault(line, (key, value.span, value.text))
            if value_node.end_mark.line > value_node.start_mark.line:
                tree.inside_scalars.update(range(line + 1, value_node.end_mark.line + 2))
        else:
            tree.keys.setdefault(line, (key, _span(tree.path, key_node), ""))
            if isinstance(value_node, yaml.MappingNode):
                _mapping(tree, value_node, key)


def _scalar(path: str, key: str, node: yaml.ScalarNode) -> ConfigValue:
    text = node.value
    numeric = None
    if node.tag in (_INT, _FLOAT):
        numeric = _number(node)
    elif node.tag == _STR and node.style is None:
        numeric = parse_python_number(text)
    interpolation = _INTERPOLATION.match(text) if node.tag == _STR else None
    span = _span(path, node)
    if node.style is None and span.end_line == span.line:
        span = Span(path, span.line, span.column, span.line, span.column + len(text))  # without trailing spaces
    return ConfigValue(key, text, numeric, span, interpolation.group(1) if interpolation else "")


def _number(node: yaml.ScalarNode) -> float | None:
    """The number of an int or float scalar; None when an explicit tag lies (``!!int x``)."""
    try:
        constructed = yaml.constructor.SafeConstructor().construct_object(node)
    except (ValueError, IndexError, yaml.YAMLError):
        return None
    return as_float(constructed)


def _defaults_entries(path: str, node: yaml.Node) -> list[DefaultsEntry]:
    """``_self_``, ``db/mysql``, ``db: mysql``, ``optional db: mysql``, ``override db: x``,
    ``db@backup: mysql``, ``db: null`` and ``db: [a, b]``."""
    span = _span(path, node)
    if isinstance(node, yaml.ScalarNode):
        written = str(node.value).strip()
        if written == "_self_":
            return [DefaultsEntry("self", "", None, span)]
        name, _, package = written.partition("@")
        group, _, option = name.rpartition("/")
        return [DefaultsEntry("config", group, option, span, package or None)]
    if not isinstance(node, yaml.MappingNode) or len(node.value) != 1:
        return []
    key_node, value_node = node.value[0]
    if not isinstance(key_node, yaml.ScalarNode):
        return []
    span = Span(path, span.line, span.column, value_node.end_mark.line + 1, value_node.end_mark.column + 1)
    words = str(key_node.value).split()
    keywords, name = set(words[:-1]), words[-1] if words else ""
    group, _, package = name.partition("@")
    if isinstance(value_node, yaml.SequenceNode):
        options = [str(item.value) for item in value_node.value if isinstance(item, yaml.ScalarNode)]
    elif isinstance(value_node, yaml.ScalarNode):
        options = [None if value_node.tag == "tag:yaml.org,2002:null" else str(value_node.value)]
    else:
        return []
    return [
        DefaultsEntry("group", group, option, span, package or None, "optional" in keywords, "override" in keywords)
        for option in options
    ]


def _package(lines: list[str]) -> str | None:
    """The ``# @package`` header: a comment among the first lines, before any content."""
    for line in lines:
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            return None
        match = _PACKAGE.match(stripped)
        if match:
            return match.group(1)
    return None
