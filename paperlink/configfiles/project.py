"""Every config file a project runs with: the configured globs and the Hydra trees its code loads.

Called by the engine after the scan (it reads files, so it belongs to the I/O edge). A
project with neither ``config-files`` globs nor a Hydra entry point reads nothing.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from paperlink import boundary
from paperlink.config import Config
from paperlink.configfiles.hydra import compose
from paperlink.configfiles.model import ConfigFile, ConfigSource, HydraMain
from paperlink.configfiles.read import CONFIG_SUFFIXES, read_config_file
from paperlink.diagnostics import Diagnostic
from paperlink.source.annotations import Annotation
from paperlink.source.files import glob_match, resolved
from paperlink.source.suppression_comments import Suppression

__all__ = ["ProjectConfigs", "read_configs"]

# Never holding the project's own settings (hidden folders, Hydra's `.hydra` run copies, are skipped too).
_SKIPPED = frozenset({"venv", "node_modules", "__pycache__", "site-packages", "build", "dist", "outputs", "multirun"})


@dataclass(frozen=True)
class ProjectConfigs:
    """The configs read, and what their files add to the run."""

    sources: tuple[ConfigSource, ...] = ()
    annotations: tuple[Annotation, ...] = ()
    suppressions: tuple[Suppression, ...] = ()
    problems: tuple[Diagnostic, ...] = ()  # PL002, PL005
    paths: tuple[str, ...] = ()  # every config file read, project-relative


def read_configs(config: Config, mains: Sequence[HydraMain]) -> ProjectConfigs:
    """The configs of the project: the ``config-files`` globs and the trees of ``mains``, the
    Hydra entry points the hyperparameter scan found."""
    if not mains and not config.config_files:
        return ProjectConfigs()
    root = config.root
    cache: dict[Path, ConfigFile | None] = {}

    def load(path: Path) -> ConfigFile | None:
        if path not in cache:
            # A link is read (and refused there) even when it leads nowhere: reported under its own name.
            cache[path] = read_config_file(path, root) if path.is_file() or path.is_symlink() else None
        return cache[path]

    sources: dict[tuple[Path, str], ConfigSource] = {}
    trees: set[Path] = set()
    for main in mains:
        if main.config_path is None or main.config_name is None or ":" in main.config_path:
            continue  # a ConfigStore or a package path (pkg://): no folder to read
        conf = resolved((root / main.span.path).parent / main.config_path)
        if conf is None or not boundary.inside(conf, root):
            continue  # a symbolic-link loop, or a folder outside the project: not read
        trees.add(conf)
        key = (conf, main.config_name)
        if key in sources:
            sources[key] = replace(sources[key], readers=tuple(sorted({*sources[key].readers, main.span.path})))
            continue
        composed, _ = compose(conf, main.config_name, load)
        if composed is not None:
            sources[key] = replace(composed, readers=(main.span.path,))
    for path in _globbed(root, config.config_files):
        if any(tree in path.parents for tree in trees):
            continue  # a Hydra tree's files count as composed, not one by one
        file = load(path)
        if file is not None and file.problem is None:
            kind = path.suffix.lstrip(".").replace("yml", "yaml")
            sources[(path, "")] = ConfigSource(file.path, kind, file.values, (file.path,))
    return _gathered([file for file in cache.values() if file is not None], list(sources.values()))


def _globbed(root: Path, patterns: Sequence[str]) -> list[Path]:
    """Config files matching the globs (as ``include`` reads them), in path order."""
    found = []
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith(".") and name not in _SKIPPED)
        for name in names:
            if name.endswith(CONFIG_SUFFIXES):
                path = Path(folder) / name
                relative = path.relative_to(root).as_posix()
                if any(glob_match(relative, pattern) for pattern in patterns):
                    found.append(path)
    return sorted(found, key=lambda p: p.as_posix())


def _gathered(files: list[ConfigFile], sources: list[ConfigSource]) -> ProjectConfigs:
    files = sorted(files, key=lambda file: file.path)
    return ProjectConfigs(
        sources=tuple(sorted(sources, key=lambda source: source.name)),
        annotations=tuple(a for file in files for a in file.annotations),
        suppressions=tuple(s for file in files for s in file.suppressions),
        problems=tuple(file.problem for file in files if file.problem is not None),
        paths=tuple(file.path for file in files),
    )
