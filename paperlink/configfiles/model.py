"""What a config file holds, as plain frozen data: leaves with key paths and spans."""

from __future__ import annotations

from dataclasses import dataclass

from paperlink.diagnostics import Diagnostic
from paperlink.source.annotations import Annotation
from paperlink.source.suppression_comments import Suppression
from paperlink.spans import Span

__all__ = ["ConfigValue", "DefaultsEntry", "ConfigFile", "ConfigSource", "HydraMain"]


@dataclass(frozen=True)
class ConfigValue:
    """One scalar leaf: ``optimizer.lr: 0.05`` is key ``optimizer.lr``, text ``0.05``."""

    key: str  # dotted path from the file's (or the composed config's) root
    text: str  # the scalar as written
    numeric: float | None  # None for strings, booleans, nulls and interpolations
    span: Span  # the scalar itself
    interpolation: str = ""  # ``a.b`` when the value is ``${a.b}`` (composed: the key whose value it took)


@dataclass(frozen=True)
class DefaultsEntry:
    """One entry of a Hydra ``defaults:`` list."""

    kind: str  # "self", "config" (``- db/mysql``) or "group" (``- db: mysql``)
    group: str  # as written, ``/`` separated; "" for ``_self_`` and a config at the top
    option: str | None  # the config name; None for ``db: null``
    span: Span
    package: str | None = None  # ``db@backup: mysql`` -> "backup"
    optional: bool = False
    override: bool = False


@dataclass(frozen=True)
class ConfigFile:
    """A config file as read: its leaves in source order, or the problem that stopped reading."""

    path: str  # project-relative
    values: tuple[ConfigValue, ...] = ()
    defaults: tuple[DefaultsEntry, ...] = ()  # Hydra's list (YAML only); not among ``values``
    package: str | None = None  # the ``# @package`` header
    annotations: tuple[Annotation, ...] = ()
    suppressions: tuple[Suppression, ...] = ()
    problem: Diagnostic | None = None  # PL002 or PL005


@dataclass(frozen=True)
class ConfigSource:
    """A config a program runs with: one file, or a Hydra primary config composed with its defaults.

    Each value keeps the span of the file and line that supplied it (the override wins).
    """

    name: str  # the primary file's path
    kind: str  # "hydra", "yaml", "json" or "toml"
    values: tuple[ConfigValue, ...]
    files: tuple[str, ...]  # every file read to build it
    readers: tuple[str, ...] = ()  # .py files that load it (a Hydra main)


@dataclass(frozen=True)
class HydraMain:
    """A ``@hydra.main`` (or ``hydra.initialize`` + ``compose``): where its config tree is.

    Found by the hyperparameter scan (part of its cached facts); the engine reads the tree."""

    config_path: str | None  # relative to the file's folder, as written; None: no YAML tree
    config_name: str | None
    span: Span
