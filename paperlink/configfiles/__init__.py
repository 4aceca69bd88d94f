"""Config files (YAML, JSON, TOML) as sources of hyperparameters.

:mod:`.read` turns one file into :class:`~.model.ConfigFile` (leaves with key paths and
spans, annotations and suppressions from its comments, or the PL002/PL005 that stopped
it); :mod:`.hydra` composes a Hydra primary config with its defaults list;
:mod:`.project` finds a project's config files (``config-files`` globs, the Hydra trees
its code names) for the engine.
"""

from __future__ import annotations

from paperlink.configfiles.model import ConfigFile, ConfigSource, ConfigValue, DefaultsEntry, HydraMain
from paperlink.configfiles.project import ProjectConfigs, read_configs

__all__ = ["ConfigFile", "ConfigSource", "ConfigValue", "DefaultsEntry", "HydraMain", "ProjectConfigs", "read_configs"]
