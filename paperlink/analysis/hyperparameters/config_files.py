"""Config files in the hyperparameter table: their keys as sites, and code reading them.

A numeric leaf is a site when its key (its last part, through the config vocabulary:
``lr`` -> ``learning_rate``; under a ``_target_`` naming a known API, that API's parameter
name) is a hyperparameter name paperlink knows or one the paper states. Code whose value stayed symbolic and reads a config path (``cfg.optimizer.lr``,
``cfg["optimizer"]["lr"]``, ``self.cfg.lr``, ``args.lr``) takes the value of that key when
the configs agree on one number; the site keeps its own span and records the key's as its
origin, where PL402 reports. Pure: the files were read by the engine.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence

from paperlink.analysis.hyperparameters.declarations import CONFIG_BASES
from paperlink.analysis.hyperparameters.facts import Site, SiteKind, Source
from paperlink.analysis.hyperparameters.vocabulary import Api, api_for, config_name, known_names, same_hyperparameter
from paperlink.configfiles.model import ConfigSource, ConfigValue
from paperlink.numbers import same_value

__all__ = ["config_sites", "resolve_reads", "config_readers"]

_SUBSCRIPT = re.compile(r"""\[\s*(["'])([^"'\]]+)\1\s*\]""")
_DOTTED = re.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+$")
_CONFIG_SUFFIXES = ("cfg", "config", "conf", "args", "hparams", "opt", "opts")


def config_sites(sources: Sequence[ConfigSource], paper_keys: Iterable[str]) -> list[Site]:
    """A site for every numeric leaf named like a hyperparameter (each value once)."""
    known = known_names()
    keys = tuple(paper_keys)
    found: dict[tuple, Site] = {}
    for source in sources:
        apis = _target_apis(source)
        for value in source.values:
            if value.numeric is None or value.interpolation:
                continue  # `${lr}` is the site of `lr`, where the number is written
            name = _name(value.key, apis)
            if name is None or not (name in known or any(same_hyperparameter(name, key) for key in keys)):
                continue
            found.setdefault((value.span, name), config_site(name, value, source))
    return list(found.values())


def config_site(name: str, value: ConfigValue, source: ConfigSource) -> Site:
    """The site of one config file value: configurable where it is written."""
    return Site(
        name,
        value.text,
        value.numeric,
        value.span,
        Source.CONFIG,
        True,
        SiteKind.CONFIG_FILE,
        api=source.kind,
        label=value.key,
        anchors=(value.span.line,),
    )


def _target_apis(source: ConfigSource) -> dict[str, Api]:
    """Mappings whose ``_target_`` is a known API (``torch.optim.Adam``), by key path."""
    found = {}
    for value in source.values:
        api = api_for(value.text) if value.key.endswith("._target_") else None
        if api is not None:
            found[value.key.removesuffix("._target_")] = api
    return found


def _name(key: str, apis: Mapping[str, Api]) -> str | None:
    """A leaf's hyperparameter name: the API parameter's under a ``_target_`` that names
    one (``factor`` of ``ReduceLROnPlateau`` is ``lr_schedule.factor``), else its last key's."""
    prefix, _, last = key.rpartition(".")
    names = apis[prefix].hyperparameters.get(last, ()) if prefix in apis else ()
    return names[0] if len(names) == 1 else config_name(last)


def read_key(text: str) -> str | None:
    """The config path a code value reads: ``cfg.optimizer.lr`` -> ``optimizer.lr``; None otherwise."""
    dotted = _SUBSCRIPT.sub(lambda match: f".{match.group(2)}", text.replace(" ", ""))
    if not _DOTTED.match(dotted):
        return None
    parts = dotted.split(".")
    if parts[0] == "self":
        parts = parts[1:]
    base = parts[0].lower()
    if len(parts) < 2 or not (base in CONFIG_BASES or base.endswith(_CONFIG_SUFFIXES)):
        return None
    return ".".join(parts[1:])


def resolve_reads(sites: Sequence[Site], sources: Sequence[ConfigSource]) -> list[Site]:
    """``sites`` with each symbolic config read replaced by the value of the key it reads,
    from the configs its file loads (a Hydra main's), else from any config, when they agree."""
    if not sources:
        return list(sites)
    by_key: dict[str, list[tuple[ConfigSource, ConfigValue]]] = {}
    for source in sources:
        for value in source.values:
            by_key.setdefault(value.key, []).append((source, value))
    targets = _targets(sources)
    resolved = []
    for site in sites:
        key = read_key(site.value) if site.numeric is None and site.source is Source.CONFIG else None
        if key is None and site.scope and site.numeric is None:
            key = _instantiated(site, targets)
        value = _agreed(by_key.get(key, []), site.span.path) if key else None
        if value is not None:
            written = value.interpolation or value.key  # the key at the span: `lr`, for `agent.lr: ${lr}`
            site = dataclasses.replace(
                site, value=value.text, numeric=value.numeric, origin=value.span, origin_label=written
            )
        resolved.append(site)
    return resolved


def _targets(sources: Sequence[ConfigSource]) -> dict[str, list[str]]:
    """``_target_`` values (``drqv2.DrQV2Agent``) and the config paths holding them (``agent``)."""
    found: dict[str, list[str]] = {}
    for source in sources:
        for value in source.values:
            if value.key.endswith("._target_") and value.numeric is None:
                found.setdefault(value.text, []).append(value.key.removesuffix("._target_"))
    return found


def _instantiated(site: Site, targets: Mapping[str, list[str]]) -> str | None:
    """The config key that supplies a parameter ``hydra.utils.instantiate`` passes: a site in
    ``DrQV2Agent.__init__`` of ``drqv2.py`` whose value is the parameter ``lr`` reads
    ``agent.lr`` when ``agent._target_`` is ``drqv2.DrQV2Agent``."""
    module = site.span.path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
    owner = site.scope.removesuffix(".__init__")
    for target, prefixes in targets.items():
        target_module, _, name = target.rpartition(".")
        if (
            name == owner
            and (module == target_module or module.endswith(f".{target_module}"))
            and len(set(prefixes)) == 1
        ):
            return f"{prefixes[0]}.{site.value}"
    return None


def _agreed(candidates: list[tuple[ConfigSource, ConfigValue]], path: str) -> ConfigValue | None:
    own = [value for source, value in candidates if path in source.readers]
    values = [value for value in (own or [value for _, value in candidates]) if value.numeric is not None]
    if not values or any(not same_value(v.numeric, values[0].numeric) for v in values):  # type: ignore[arg-type]
        return None
    return values[0]


def config_readers(sources: Sequence[ConfigSource], sites: Sequence[Site]) -> Mapping[str, frozenset[str]]:
    """For each code file, the config files it reads: its Hydra main's tree, and the files
    its resolved reads point into."""
    reads: dict[str, set[str]] = {}
    for source in sources:
        for reader in source.readers:
            reads.setdefault(reader, set()).update(source.files)
    for site in sites:
        if site.origin is not None and site.kind is not SiteKind.CONFIG_FILE and site.origin.path != site.span.path:
            reads.setdefault(site.span.path, set()).add(site.origin.path)
    return {path: frozenset(files) for path, files in reads.items()}
