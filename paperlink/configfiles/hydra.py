"""Hydra's composition of a primary config with its defaults list, for the default run.

What is followed (Hydra >= 1.1, whose rules are documented at hydra.cc "The Defaults List"):
``group: option`` loads ``<conf>/<group>/<option>.yaml`` into the package of the group
(``optimizer`` -> key ``optimizer``); ``- db/mysql`` loads that config the same way, not
overridable; ``group@pkg: option`` and ``# @package`` headers (``_global_``, ``_group_``,
``_here_``, a dotted path) place content elsewhere; ``optional`` tolerates a missing file;
``null`` options and groups under ``hydra/`` load nothing; ``override group: option``
anywhere in the tree replaces that group's option (the override closest to the primary
wins); nested defaults lists are expanded depth first with group paths relative to the
containing config (``/`` makes them absolute). ``_self_`` places the config's own keys:
without it they come last, so a config overrides what its defaults list brings. Later
values override earlier ones; each final key keeps the span of the value that won.
``${a.b}`` interpolations take the value (and span) of ``a.b``, followed to where a number is written.

Missing option files are skipped silently: Hydra may find them in a ConfigStore or a
search-path plugin, which a static reader cannot see.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from paperlink.configfiles.model import ConfigFile, ConfigValue, DefaultsEntry, ConfigSource
from paperlink.spans import Span

__all__ = ["compose"]

_MAX_DEPTH = 16
_MAX_FILES = 1_000  # option files one composition expands: shared subtrees would otherwise grow exponentially
_MAX_PASSES = 4
_SELF = DefaultsEntry("self", "", None, Span("", 1))  # appended where a list has no _self_; never reported


def compose(
    conf: Path, config_name: str, load: Callable[[Path], ConfigFile | None]
) -> tuple[ConfigSource | None, list[ConfigFile]]:
    """The default config ``config_name`` under ``conf`` composed, and every file read
    (those with a problem included); None when the primary config file does not exist."""
    overrides: dict[str, list[str | None]] = {}
    for _ in range(_MAX_PASSES):  # an override found late in the tree applies to the groups before it
        composer = _Composer(conf, load, overrides)
        primary = composer.load(config_name.removesuffix(".yaml"))
        if primary is None:
            return None, composer.read
        if primary.problem is None:
            composer.stack.append(config_name.removesuffix(".yaml"))  # a child listing the primary again
            composer.expand(primary, "", _package(primary.package, None, "", ""), 0)
        if composer.overrides == overrides:
            break
        overrides = composer.overrides
    values = _resolved(composer.merged())
    files = tuple(dict.fromkeys(file.path for file in composer.read if file.problem is None))
    return ConfigSource(primary.path, "hydra", values, files), composer.read


class _Composer:
    def __init__(
        self, conf: Path, load: Callable[[Path], ConfigFile | None], overrides: dict[str, list[str | None]]
    ) -> None:
        self.conf = conf
        self._load = load
        self.read: list[ConfigFile] = []
        self.parts: list[tuple[str, ConfigFile]] = []  # (package, file) in merge order
        self.overrides = dict(overrides)
        self.stack: list[str] = []

    def load(self, name: str) -> ConfigFile | None:
        found = self._load(self.conf / f"{name}.yaml")
        if found is not None:
            self.read.append(found)
        return found

    def expand(self, file: ConfigFile, group: str, package: str, depth: int) -> None:
        entries = list(file.defaults)
        if not any(entry.kind == "self" for entry in entries):
            entries.append(_SELF)
        chosen: dict[str, list[str | None]] = {}
        for entry in entries:
            if entry.override:
                chosen.setdefault(_group(entry.group, group), []).append(entry.option)
        for name, options in chosen.items():
            self.overrides.setdefault(name, options)  # an override nearer the primary wins
        done: set[str] = set()
        for entry in entries:
            if entry.kind == "self":
                self.parts.append((package, file))
            elif not entry.override:
                self._entry(entry, group, package, depth, done)

    def _entry(self, entry: DefaultsEntry, group: str, package: str, depth: int, done: set[str]) -> None:
        target = _group(entry.group, group)
        if target == "hydra" or target.startswith("hydra/") or depth >= _MAX_DEPTH:
            return  # Hydra's own settings (launcher, logging) are not the program's
        options: list[str | None] = [entry.option]
        if entry.kind == "group" and target in self.overrides:
            if target in done:
                return  # a list default replaced by its override once
            done.add(target)
            options = self.overrides[target]
        for option in options:
            if option is None:
                continue
            name = f"{target}/{option}" if target else option
            if name in self.stack or len(self.read) >= _MAX_FILES:
                continue  # a config that includes itself, or a tree past any real one's size
            child = self.load(name)
            if child is None or child.problem is not None:
                continue
            self.stack.append(name)
            self.expand(child, target, _package(child.package, entry, target, package), depth + 1)
            self.stack.pop()

    def merged(self) -> dict[str, ConfigValue]:
        found: dict[str, ConfigValue] = {}
        for package, file in self.parts:
            for value in file.values:
                key = f"{package}.{value.key}" if package else value.key
                if key.startswith("hydra."):
                    continue  # Hydra's own settings (run folders, launcher): the program never sees them
                for existing in [k for k in found if k.startswith(f"{key}.")]:
                    del found[existing]  # a scalar replaces a mapping
                found[key] = dataclasses.replace(value, key=key)
        return found


def _group(written: str, containing: str) -> str:
    """A group path from the primary's folder: relative to the containing config unless it starts with ``/``."""
    if written.startswith("/"):
        return written.strip("/")
    return f"{containing}/{written}".strip("/") if containing else written.strip("/")


def _package(header: str | None, entry: DefaultsEntry | None, group: str, parent: str) -> str:
    """Where a config's keys go: the entry's ``@pkg`` (relative to the parent's package),
    else its ``# @package`` header, else the entry's group under the parent's package
    (``server/apache.yaml`` listing ``db: mysql`` puts it under ``server.db``)."""
    dotted_group = group.replace("/", ".")
    chosen = entry.package if entry is not None else None
    if chosen is not None:
        if chosen.startswith("_global_"):
            return chosen.removeprefix("_global_").strip(".")
        special = {"_group_": dotted_group, "_here_": parent}
        return special[chosen] if chosen in special else _join(parent, chosen)
    if header is not None and header != "_group_":
        if header.startswith("_global_"):
            return header.removeprefix("_global_").strip(".")
        return header.replace("_group_", dotted_group).replace("_here_", parent).strip(".")
    if entry is None:
        return dotted_group if header == "_group_" else ""
    written = entry.group.replace("/", ".")
    return written.strip(".") if entry.group.startswith("/") else _join(parent, written)


def _join(package: str, relative: str) -> str:
    return f"{package}.{relative}".strip(".") if relative else package


def _resolved(merged: dict[str, ConfigValue]) -> tuple[ConfigValue, ...]:
    """Values in key order, ``${a.b}`` replaced by the value of ``a.b`` where it is a number."""
    out = []
    for key in sorted(merged):
        value = merged[key]
        target, hops = value, 0
        while target.interpolation and target.interpolation in merged and hops < _MAX_DEPTH:
            target, hops = merged[target.interpolation], hops + 1
        if target is not value and target.numeric is not None:
            value = ConfigValue(key, target.text, target.numeric, target.span, target.key)
        out.append(value)
    return tuple(out)
