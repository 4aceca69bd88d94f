"""The project step: code sites joined with the paper's hyperparameters, PL401-PL405, the table.

A site is *linked* when an annotation binds to its statement (or to the statement that
wrote its value: the flag, the constant). A link to a hyperparameter names it; a link to a
table or section names the hyperparameter of that name stated there; a link to anything
else (an equation) says the number is accounted for by the paper without naming it.
Sites not linked to a hyperparameter are matched with the default paper by canonical name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from paperlink.analysis.base import Conclusion, Project
from paperlink.analysis.hyperparameters.declarations import declared_as
from paperlink.analysis.hyperparameters.config_files import config_readers, config_sites, resolve_reads
from paperlink.analysis.hyperparameters.facts import HyperparameterFacts, Site, SiteKind, Source
from paperlink.analysis.hyperparameters.signatures import API as SIGNATURE
from paperlink.analysis.hyperparameters.vocabulary import is_neutral, same_hyperparameter
from paperlink.diagnostics import Diagnostic
from paperlink.numbers import format_number, same_value
from paperlink.paper.model import ItemKind, Paper, PaperItem, display_name
from paperlink.rules.hyperparameters import (
    InconsistentHyperparameter,
    HiddenHyperparameter,
    HyperparameterMismatch,
    ImplicitDefaultMismatch,
    UnimplementedHyperparameter,
)
from paperlink.source.roles import is_test_file
from paperlink.spans import Span

if TYPE_CHECKING:
    from paperlink.results import Link

__all__ = ["Stated", "Placed", "conclude", "place_sites", "hyperparameter_rows"]


@dataclass(frozen=True)
class Stated:
    """A hyperparameter as a paper states it, with the item to cite."""

    paper: str
    item: PaperItem

    @property
    def key(self) -> str:
        return self.item.key.removeprefix("hp:")

    @property
    def number(self) -> float | None:
        return self.item.hyperparameter.value if self.item.hyperparameter else None

    @property
    def raw(self) -> str:
        return self.item.hyperparameter.raw if self.item.hyperparameter else ""

    def where(self, papers: Mapping[str, Paper]) -> str | None:
        """Where the paper states it, as cited: ``Table 1``, ``Section 3.2`` (None: unnumbered)."""
        parent = _item(papers.get(self.paper), self.item.parent) if self.item.parent else None
        return display_name(parent) if parent is not None and parent.number else None

    def cite(self, papers: Mapping[str, Paper]) -> str:
        where = self.where(papers)
        return f"{self.item.key}, {where}" if where else self.item.key


@dataclass(frozen=True)
class Placed:
    """A code site with what the paper says about it."""

    site: Site
    name: str  # the paper's key when matched, else the site's own name
    stated: Stated | None
    linked: bool  # an annotation accounts for it (a hyperparameter or any other item)


def _item(paper: Paper | None, key: str) -> PaperItem | None:
    if paper is None:
        return None
    return next((item for item in paper.items if item.key == key), None)


@dataclass(frozen=True)
class _Index:
    """One paper's items by key and its hyperparameters by key (without ``hp:``), built once."""

    items: dict[str, PaperItem]
    stated: dict[str, Stated]


def _index(paper: Paper) -> _Index:
    """Each hyperparameter once: the table row where there is one, else the first mention."""
    items: dict[str, PaperItem] = {}
    for item in paper.items:
        items.setdefault(item.key, item)

    def in_table(item: PaperItem) -> bool:
        parent = items.get(item.parent or "")
        return parent is not None and parent.kind is ItemKind.TABLE

    chosen: dict[str, PaperItem] = {}
    for item in paper.items:
        if item.kind is ItemKind.HYPERPARAMETER and item.hyperparameter is not None:
            current = chosen.get(item.key)
            if current is None or (in_table(item) and not in_table(current)):
                chosen[item.key] = item
    return _Index(items, {key.removeprefix("hp:"): Stated(paper.name, item) for key, item in chosen.items()})


def _within(paper: Paper, index: _Index, container: str, name: str) -> Stated | None:
    """The hyperparameter called ``name`` stated in the table or section ``container``."""
    for item in paper.items:
        key = item.key.removeprefix("hp:")
        if item.kind is ItemKind.HYPERPARAMETER and item.parent == container and same_hyperparameter(name, key):
            return index.stated.get(key)
    return None


def place_sites(sites: Sequence[Site], project: Project) -> list[Placed]:
    """Every site with the paper's statement it is linked or named after (if any)."""
    indexes = {name: _index(paper) for name, paper in project.papers.items()}
    links: dict[tuple[str, int], list[Link]] = {}
    for link in project.links:
        links.setdefault((link.target.path, link.target.line), []).append(link)
    default = (
        project.default_paper
        if project.default_paper in indexes
        else next(iter(indexes))
        if len(indexes) == 1
        else None
    )
    stated_by_name = indexes[default].stated if default is not None else {}
    per_statement: dict[tuple[str, int], int] = {}
    for site in sites:
        if site.source is not Source.DEFAULT:
            per_statement[_statement_of(site)] = per_statement.get(_statement_of(site), 0) + 1
    placed = []
    for site in sites:
        alone = site.source is not Source.DEFAULT and per_statement.get(_statement_of(site)) == 1
        found = [link for line in site.anchors for link in links.get((site.span.path, line), [])]
        stated = _linked(site, found, project.papers, indexes, alone)
        if stated is None:
            stated = next((s for key, s in stated_by_name.items() if same_hyperparameter(site.name, key)), None)
        placed.append(Placed(site, stated.key if stated else site.name, stated, linked=bool(found)))
    return placed


def _statement_of(site: Site) -> tuple[str, int]:
    return site.span.path, site.anchors[0] if site.anchors else site.span.line


def _linked(
    site: Site, found: list[Link], papers: Mapping[str, Paper], indexes: Mapping[str, _Index], alone: bool
) -> Stated | None:
    """The hyperparameter the annotations on the site's statements name, if any."""
    for link in found:
        paper, index = papers.get(link.paper), indexes.get(link.paper)
        item = index.items.get(link.item_key) if index is not None else None
        if paper is None or index is None or item is None:
            continue
        if item.kind is ItemKind.HYPERPARAMETER:
            key = item.key.removeprefix("hp:")
            if same_hyperparameter(site.name, key) or alone:
                return index.stated.get(key)
        else:
            within = _within(paper, index, item.key, site.name)
            if within is not None:
                return within
    return None


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
    if stated is None or site.source is Source.DEFAULT or site.numeric is None or stated.number is None:
        return None
    if same_value(site.numeric, stated.number):
        return None
    if (site.span in defaults or site.origin in defaults) and is_neutral(placed.name, site.numeric):
        return None  # `dropout=0.` in a signature (``defaults``): switched off until a caller sets it
    label = site.origin_label or declared_as(site) or placed.name
    message = f"{label} {site.value} differs from the paper's {_plain(stated)} ({stated.cite(papers)})"
    return HyperparameterMismatch.at(site.origin or site.span, message)


def _implicit(placed: Placed, papers: Mapping[str, Paper]) -> Diagnostic | None:
    site, stated = placed.site, placed.stated
    if site.source is not Source.DEFAULT or stated is None or stated.number is None or site.numeric is None:
        return None
    if same_value(site.numeric, stated.number):
        return None
    message = (
        f"{site.api} leaves {site.label} at its default {site.value}; "
        f"the paper states {_plain(stated)} ({stated.cite(papers)})"
    )
    return ImplicitDefaultMismatch.at(site.span, message)


def _plain(stated: Stated) -> str:
    """The paper's value as a message can show it: as written when that is plain text
    (``0.05``, ``4k``), else as a number (``10^{-4}`` -> ``1e-4``)."""
    if stated.number is not None and any(mark in stated.raw for mark in "\\^{}$"):
        return format_number(stated.number)
    return stated.raw


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
    """Paper hyperparameters that no site states and no annotation links."""
    if not project.papers:
        return []
    covered = {(p.stated.paper, p.stated.key) for p in placed if p.stated is not None}
    covered |= {(link.paper, link.item_key.removeprefix("hp:")) for link in project.links}
    exempt = set(project.config.not_implemented)
    found = []
    for name, paper in sorted(project.papers.items()):
        exempt_here = exempt | set(paper.not_implemented)
        for key, stated in sorted(_index(paper).stated.items()):
            if (
                (name, key) in covered
                or stated.item.key in exempt_here
                or any(label in exempt_here for label in stated.item.labels)
            ):
                continue
            shown = stated.item.hyperparameter.name if stated.item.hyperparameter else key
            message = f"hyperparameter {shown} = {_plain(stated)} ({stated.cite(project.papers)}) has no code site"
            found.append(UnimplementedHyperparameter.at(stated.item.span, message))
    return found


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
    parent = _item(papers.get(stated.paper), stated.item.parent) if stated.item.parent else None
    return {
        "paper": stated.paper,
        "item": stated.item.key,
        "number": parent.number if parent is not None and parent.kind is ItemKind.TABLE else None,  # "Table <number>"
        "value": stated.raw,
        "span": stated.item.span.to_dict(),
    }


def _code_entry(site: Site) -> dict[str, Any]:
    entry = {
        "value": site.value,
        "numeric": site.numeric,
        "span": site.span.to_dict(),
        "source": site.source.value,
        "configurable": site.configurable,
        "api": site.api,
    }
    if site.kind is SiteKind.CONFIG_FILE:
        entry["key"] = site.label  # a config file's key path
    elif site.origin is not None and site.origin.path != site.span.path:
        entry["key"], entry["origin"] = site.origin_label, site.origin.to_dict()  # code reading a config file's key
    return entry


def _status(stated: Stated | None, sites: Sequence[Site]) -> str:
    if not sites:
        return "only-in-paper"
    if stated is None:
        return "only-in-code"
    if stated.number is not None and any(
        s.numeric is not None and not same_value(s.numeric, stated.number) for s in sites
    ):
        return "mismatch"
    return "match"


def hyperparameter_rows(placed: Sequence[Placed], project: Project) -> list[dict[str, Any]]:
    """The ``hyperparameters`` section: one row per hyperparameter, sorted by name."""
    by_name: dict[str, tuple[Stated | None, list[Site]]] = {}
    for entry in sorted(placed, key=lambda e: e.site.read):  # a setting before the reads of it
        site = _where_written(entry.site)
        if site is None or not _listed(entry):
            continue
        stated, sites = by_name.setdefault(entry.name, (entry.stated, []))
        if entry.site.read and any(other.span == site.span for other in sites):
            continue  # the setting itself, or another read of it, is listed
        sites.append(site)
        if stated is None and entry.stated is not None:
            by_name[entry.name] = (entry.stated, sites)
    for diagnostic_name, stated in _unstated_rows(placed, project):
        by_name.setdefault(diagnostic_name, (stated, []))
    rows = []
    for name in sorted(by_name):
        stated, sites = by_name[name]
        rows.append(
            {
                "name": name,
                "paper": _paper_entry(stated, project.papers) if stated is not None else None,
                "code": [_code_entry(site) for site in sorted(sites, key=lambda s: (s.span, s.source.value))],
                "status": _status(stated, sites),
            }
        )
    return rows


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


def _unstated_rows(placed: Sequence[Placed], project: Project) -> Iterable[tuple[str, Stated]]:
    """Paper hyperparameters without a site (they may still be linked from elsewhere)."""
    seen = {entry.name for entry in placed}
    for _, paper in sorted(project.papers.items()):
        for key, stated in sorted(_index(paper).stated.items()):
            if key not in seen:
                yield key, stated


def conclude(facts: Sequence[HyperparameterFacts], project: Project) -> Conclusion:
    sources = project.configs
    sites = resolve_reads([site for found in facts for site in found.sites], sources)
    paper_keys = {key for paper in project.papers.values() for key in _index(paper).stated}
    sites += config_sites(sources, paper_keys)
    placed = place_sites(sites, project)
    reads = config_readers(sources, sites)
    return Conclusion(tuple(diagnostics(placed, project, reads)), hyperparameter_rows(placed, project))
