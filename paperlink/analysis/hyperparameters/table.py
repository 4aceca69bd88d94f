"""The project step: code sites paired with the paper's hyperparameters
(:mod:`~paperlink.analysis.hyperparameters.pairing`), PL401-PL405, the table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from paperlink.analysis.base import Conclusion, Project
from paperlink.analysis.hyperparameters.annotated import annotated_config_sites
from paperlink.analysis.hyperparameters.declarations import declared_as
from paperlink.analysis.hyperparameters.config_files import config_readers, config_sites, resolve_reads
from paperlink.analysis.hyperparameters.facts import HyperparameterFacts, Site, SiteKind, Source
from paperlink.analysis.hyperparameters.pairing import (
    Placed,
    Stated,
    Status,
    index_paper,
    named,
    paper_item,
    place_sites,
)
from paperlink.analysis.hyperparameters.signatures import API as SIGNATURE
from paperlink.analysis.hyperparameters.vocabulary import is_neutral
from paperlink.diagnostics import Diagnostic
from paperlink.numbers import format_number, parse_latex_number, same_value
from paperlink.paper.model import ItemKind, Paper
from paperlink.rules.hyperparameters import (
    InconsistentHyperparameter,
    HiddenHyperparameter,
    HyperparameterMismatch,
    ImplicitDefaultMismatch,
    UnimplementedHyperparameter,
)
from paperlink.source.roles import is_test_file
from paperlink.spans import Span

__all__ = ["Stated", "Placed", "conclude", "place_sites", "hyperparameter_rows"]


# --- diagnostics ------------------------------------------------------------------------------


def _hidden(placed: Placed) -> Diagnostic | None:
    site = placed.site
    if (
        # an init scale, a denominator's epsilon: listed, compared with the paper, never hidden
        site.kind in (SiteKind.CONFIG, SiteKind.INIT, SiteKind.STABILITY)
        or site.source is not Source.LITERAL
        or site.configurable
        or is_test_file(site.span.path)
    ):
        return None
    if placed.linked or placed.stated is not None or site.numeric is None or is_neutral(placed.name, site.numeric):
        return None
    if site.default is not None and same_value(site.numeric, site.default):
        return None  # the library's default written out: no more hidden than leaving it out
    where = f" of {site.api}" if site.api else ""
    argument = f"{site.label}={site.value}" if site.label else site.value
    message = f"hidden hyperparameter {placed.name}: {argument}{where} is neither configurable nor linked to the paper"
    return HiddenHyperparameter.at(site.span, message)


def _mismatch(
    placed: Placed, papers: Mapping[str, Paper], defaults: frozenset[Span] = frozenset()
) -> Diagnostic | None:
    site, stated = placed.site, placed.stated
    if stated is None or site.source is Source.DEFAULT or site.numeric is None or placed.status != Status.MISMATCH:
        return None
    if (site.span in defaults or site.origin in defaults) and is_neutral(placed.name, site.numeric):
        return None  # `dropout=0.` in a signature (``defaults``): switched off until a caller sets it
    label = site.origin_label or declared_as(site) or placed.name
    message = f"{label} {site.value} differs from the paper's {_plain(stated)} ({stated.cite(papers)})"
    return HyperparameterMismatch.at(site.origin or site.span, message)


def _implicit(placed: Placed, papers: Mapping[str, Paper]) -> Diagnostic | None:
    site, stated = placed.site, placed.stated
    if site.source is not Source.DEFAULT or stated is None or placed.status != Status.MISMATCH:
        return None
    message = (
        f"{site.api} leaves {site.label} at its default {site.value}; "
        f"the paper states {_plain(stated)} ({stated.cite(papers)})"
    )
    return ImplicitDefaultMismatch.at(site.span, message)


def _plain(stated: Stated) -> str:
    """The paper's value as a message can show it: as written when that is plain text
    (``0.05``, ``4k``), else as a number (``10^{-4}`` -> ``1e-4``); a set as ``{0.1, 0.5}``."""
    members = stated.item.hyperparameter.members if stated.item.hyperparameter else ()
    if members:
        return "{" + ", ".join(_plain_value(member, parse_latex_number(member)) for member in members) + "}"
    return _plain_value(stated.raw, stated.number)


def _plain_value(raw: str, number: float | None) -> str:
    if number is not None and any(mark in raw for mark in "\\^{}$"):
        return format_number(number)
    return raw


def _conflicts(placed: Sequence[Placed], reads: Mapping[str, frozenset[str]], project: Project) -> list[Diagnostic]:
    """A hard-coded literal that overrides a configured value of the same name: declared in
    the same file, or a key of a config file that file reads (its Hydra tree)."""
    configured: dict[tuple[str, str], Placed] = {}
    for entry in sorted(placed, key=lambda e: e.site.span):
        site = entry.site
        # a function's default is not the run's configuration: callers pass other values on purpose
        if (
            site.kind in (SiteKind.CONFIG, SiteKind.CONFIG_FILE)
            and site.source is Source.CONFIG  # not a number a script passes by keyword
            and site.numeric is not None
            and site.api != SIGNATURE
        ):
            configured.setdefault((site.span.path, entry.name), entry)
    found = []
    for entry in placed:
        site = entry.site
        if site.source is not Source.LITERAL or site.numeric is None:
            continue
        config = configured.get((site.span.path, entry.name)) or next(
            (
                configured[path, entry.name]
                for path in sorted(reads.get(site.span.path, ()))
                if (path, entry.name) in configured
            ),
            None,
        )
        if config is None or config.site.numeric is None or same_value(site.numeric, config.site.numeric):
            continue
        written = config.site.span
        where = project.where(written, seen_from=site.span.path)
        message = f"{entry.name} is {site.value} here but {config.site.value} in {declared_as(config.site)} ({where})"
        found.append(InconsistentHyperparameter.at(site.span, message))
    return found


def _unimplemented(placed: Sequence[Placed], project: Project) -> list[Diagnostic]:
    """Paper hyperparameters (each scope's) that no site states and no annotation links. A
    site for the whole run implements every scope's value of its name (a flag set per run);
    a site of another scope implements none."""
    if not project.papers:
        return []
    covered = {(p.stated.paper, p.stated.key, p.stated.scope) for p in placed if p.stated is not None and p.in_scope}
    linked = {(link.paper, link.item_key.removeprefix("hp:")) for link in project.links}
    general = {(p.stated.paper, p.site.name) for p in placed if p.stated is not None and not p.in_scope and not p.scope}
    exempt = set(project.config.not_implemented)
    found = []
    for name, paper in sorted(project.papers.items()):
        exempt_here = exempt | set(paper.not_implemented)
        for stated in index_paper(paper).statements:
            if (
                not _names_a_setting(stated)
                or (name, stated.key, stated.scope) in covered
                or (name, stated.key) in linked
                or any(paper_name == name and named(stated, site) for paper_name, site in general)
                or stated.item.key in exempt_here
                or any(label in exempt_here for label in stated.item.labels)
            ):
                continue
            shown = stated.item.hyperparameter.name if stated.item.hyperparameter else stated.key
            message = f"hyperparameter {shown} = {_plain(stated)} ({stated.cite(project.papers)}) has no code site"
            found.append(UnimplementedHyperparameter.at(stated.item.span, message))
    return found


# Where a paper states a setting outright: a hyperparameter table's row, the author's directive or
# config table, a manifest. In prose only a vocabulary name does (learning rate, batch size): a
# symbol assignment or a count ("$d = 2048$", "three-layer MLP", "five seeds") is listed in the
# table but never PL404, since most restate a value another statement holds or describe structure.
_STATED_OUTRIGHT = frozenset({"table", "directive", "config", "manifest"})


def _names_a_setting(stated: Stated) -> bool:
    hyperparameter = stated.item.hyperparameter
    if hyperparameter is not None and (hyperparameter.members or hyperparameter.value is None):
        # a set (a sweep, ablation arms, model sizes) is no one setting a site must hold, and a
        # categorical value ("AdamW", "[512, 512]") is no number a site could be compared with
        return False
    return stated.item.environment in _STATED_OUTRIGHT or (
        hyperparameter is not None and hyperparameter.canonical is not None
    )


def diagnostics(
    placed: Sequence[Placed], project: Project, reads: Mapping[str, frozenset[str]] | None = None
) -> list[Diagnostic]:
    # A flag's default is reported once, however many arguments read it.
    found: dict[tuple[Span, str, str], Diagnostic] = {}
    defaults = frozenset(entry.site.span for entry in placed if entry.site.api == SIGNATURE)
    for entry in placed:
        for diagnostic in (
            _hidden(entry),
            _mismatch(entry, project.papers, defaults),
            _implicit(entry, project.papers),
        ):
            if diagnostic is not None:
                found.setdefault((diagnostic.span, diagnostic.code, entry.name), diagnostic)
    for diagnostic in [*_conflicts(placed, reads or {}, project), *_unimplemented(placed, project)]:
        found.setdefault((diagnostic.span, diagnostic.code, diagnostic.message), diagnostic)
    return sorted(found.values())


# --- the table --------------------------------------------------------------------------------


def _paper_entry(stated: Stated, papers: Mapping[str, Paper]) -> dict[str, Any]:
    parent = paper_item(papers.get(stated.paper), stated.item.parent) if stated.item.parent else None
    return {
        "paper": stated.paper,
        "item": stated.item.key,
        "number": parent.number if parent is not None and parent.kind is ItemKind.TABLE else None,  # "Table <number>"
        "value": stated.raw,
        "span": stated.item.span.to_dict(),
        "scope": stated.scope,
        "members": list(stated.item.hyperparameter.members) if stated.item.hyperparameter else [],
    }


def _code_entry(site: Site, placed: Placed) -> dict[str, Any]:
    entry = {
        "value": site.value,
        "numeric": site.numeric,
        "span": site.span.to_dict(),
        "source": site.source.value,
        "configurable": site.configurable,
        "api": site.api,
        "status": placed.status,
        "link": placed.link,
        "scope": placed.scope,
    }
    if site.kind is SiteKind.CONFIG_FILE:
        entry["key"] = site.label  # a config file's key path
    elif site.origin is not None and site.origin.path != site.span.path:
        entry["key"], entry["origin"] = site.origin_label, site.origin.to_dict()  # code reading a config file's key
    return entry


def _status(stated: Stated | None, statuses: Sequence[str], linked: bool) -> str:
    """A row's status, from its sites' own: the worst of them."""
    if not statuses:
        return "linked" if linked else "only-in-paper"  # an annotation without a value (PL404 agrees)
    if stated is None:
        return "only-in-code"
    for status in (Status.MISMATCH, Status.DIFFERS, Status.MATCH):
        if status in statuses:
            return status
    return Status.OUT_OF_SCOPE


def hyperparameter_rows(placed: Sequence[Placed], project: Project) -> list[dict[str, Any]]:
    """The ``hyperparameters`` section: one row per hyperparameter (and scope the paper states
    it for), sorted by name, each site with its own status."""
    by_name: dict[tuple[str, str, tuple[int, int]], tuple[Stated | None, list[tuple[Site, Placed]]]] = {}
    for entry in sorted(placed, key=lambda e: e.site.read):  # a setting before the reads of it
        site = _where_written(entry.site)
        if site is None or not _listed(entry):
            continue
        stated, sites = by_name.setdefault(_row_key(entry.name, entry.stated), (entry.stated, []))
        if entry.site.read and any(other.span == site.span for other, _ in sites):
            continue  # the setting itself, or another read of it, is listed
        sites.append((site, entry))
    for statement in _unstated_rows(placed, project):
        by_name.setdefault(_row_key(statement.key, statement), (statement, []))
    linked = {(link.paper, link.item_key.removeprefix("hp:")) for link in project.links}
    rows = []
    for key in sorted(by_name):
        stated, sites = by_name[key]
        ordered = sorted(sites, key=lambda pair: (pair[0].span, pair[0].source.value))
        rows.append(
            {
                "name": key[0],
                "paper": _paper_entry(stated, project.papers) if stated is not None else None,
                "code": [_code_entry(site, entry) for site, entry in ordered],
                "status": _status(
                    stated,
                    [entry.status for _, entry in ordered],
                    stated is not None and (stated.paper, stated.key) in linked,
                ),
            }
        )
    return rows


def _row_key(name: str, stated: Stated | None) -> tuple[str, str, tuple[int, int]]:
    """A row per name and statement: the value a scope states, or a section an annotation names,
    is a row of its own, so that each site is shown beside the value it is compared with."""
    if stated is None:
        return name, "", (0, 0)
    return name, stated.scope, (stated.item.span.line, stated.item.span.column)


def _where_written(site: Site) -> Site | None:
    """The site as the table lists it. A read of a setting (``Adam(params, lr=args.lr)``) is not
    a site of its own: it is listed where the value is written (the flag's default, the field,
    the parameter's default), once however many arguments read it, and not at all when the
    file does not say where (a flag declared in another module)."""
    if not site.read:
        return site
    if site.origin is None:
        return None
    return replace(site, span=site.origin, origin=None, read=False)


def _listed(entry: Placed) -> bool:
    """Whether the table lists a site. An argument nobody wrote is listed for optimizers and
    schedulers, whose defaults (Adam's betas and eps) are choices of the method a paper's
    table states; a layer's or a loss's (every BatchNorm's eps, CrossEntropyLoss's label
    smoothing 0) only where the paper states that hyperparameter, so as not to give every
    module in a model file a row of defaults nobody chose."""
    site = entry.site
    return (
        site.source is not Source.DEFAULT
        or site.kind in (SiteKind.OPTIMIZER, SiteKind.SCHEDULER)
        or entry.stated is not None
    )


def _unstated_rows(placed: Sequence[Placed], project: Project) -> Iterable[Stated]:
    """Paper hyperparameters (per scope) without a site (they may still be linked from elsewhere)."""
    seen = {(entry.stated.key, entry.stated.scope) for entry in placed if entry.stated is not None}
    for _, paper in sorted(project.papers.items()):
        for stated in index_paper(paper).statements:
            if (stated.key, stated.scope) not in seen:
                yield stated


def conclude(facts: Sequence[HyperparameterFacts], project: Project) -> Conclusion:
    sources = project.configs
    sites = resolve_reads([site for found in facts for site in found.sites], sources)
    paper_keys = {key for paper in project.papers.values() for key in index_paper(paper).stated}
    sites += config_sites(sources, paper_keys)
    sites += annotated_config_sites(sources, project.links, sites)
    placed = place_sites(sites, project)
    reads = config_readers(sources, sites)
    return Conclusion(tuple(diagnostics(placed, project, reads)), hyperparameter_rows(placed, project))
