"""The project step: code sites joined with the paper's hyperparameters, PL401-PL405, the table.

A site is *linked* when an annotation binds to its statement (or to the statement that
wrote its value: the flag, the constant). A link to a hyperparameter names it; a link to a
table or section names the hyperparameter of that name stated there; a link to anything
else (an equation) says the number is accounted for by the paper without naming it. An
annotation written inside a statement, on the line of a parameter, a keyword argument or a
dict entry (or alone on the line above it), binds to the sites of that line only.
Sites not linked to a hyperparameter are matched with the default paper by name, within
their scope (:mod:`~paperlink.analysis.hyperparameters.scopes`). Each site gets its own
status; PL402 and PL403 need a confident link (an annotation, or the paper's canonical name
in the site's scope or the paper's global one).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from paperlink.analysis.base import Conclusion, Project
from paperlink.analysis.hyperparameters.annotated import annotated_config_sites
from paperlink.analysis.hyperparameters.declarations import declared_as
from paperlink.analysis.hyperparameters.config_files import config_readers, config_sites, resolve_reads
from paperlink.analysis.hyperparameters.facts import HyperparameterFacts, Site, SiteKind, Source
from paperlink.analysis.hyperparameters.scopes import site_scope
from paperlink.analysis.hyperparameters.signatures import API as SIGNATURE
from paperlink.analysis.hyperparameters.vocabulary import is_neutral, same_hyperparameter
from paperlink.diagnostics import Diagnostic
from paperlink.numbers import format_number, parse_latex_number, same_value
from paperlink.paper.model import ItemKind, Paper, PaperItem, Provenance, display_name
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

    @property
    def scope(self) -> str:
        return self.item.hyperparameter.scope if self.item.hyperparameter else ""

    @property
    def canonical(self) -> str | None:
        return self.item.hyperparameter.canonical if self.item.hyperparameter else None

    @property
    def numbers(self) -> tuple[float, ...]:
        """The value, or each member of a stated set, as numbers (those that are numbers)."""
        hyperparameter = self.item.hyperparameter
        if hyperparameter is None:
            return ()
        if hyperparameter.members:
            return tuple(n for n in (parse_latex_number(m) for m in hyperparameter.members) if n is not None)
        return () if hyperparameter.value is None else (hyperparameter.value,)

    def matches(self, value: float) -> bool:
        """Whether ``value`` is the paper's value or a member of its set."""
        return any(same_value(value, number) for number in self.numbers)

    def where(self, papers: Mapping[str, Paper]) -> str | None:
        """Where the paper states it, as cited: ``Table 1``, ``Section 3.2`` (None: unnumbered)."""
        parent = _item(papers.get(self.paper), self.item.parent) if self.item.parent else None
        return display_name(parent) if parent is not None and parent.number else None

    def cite(self, papers: Mapping[str, Paper]) -> str:
        where = self.where(papers)
        scope = f", scope {self.scope}" if self.scope else ""
        return f"{self.item.key}, {where}{scope}" if where else f"{self.item.key}{scope}"


class Confidence:
    """How a site was paired with the paper's statement (the ``link`` of a table entry)."""

    ANNOTATION = "annotation"  # an annotation names it (or the table or section stating it)
    NAME = "name"  # the paper's canonical name, stated for the site's scope or the whole paper
    LOOSE = "loose"  # a name the paper gives without a canonical meaning, or another scope: no PL402


class Status:
    """A code site's own status against the paper (one per site, in every table format)."""

    MATCH = "match"  # the paper's value, or a member of its set (symbolic values cannot contradict it)
    MISMATCH = "mismatch"  # another value, confidently linked: PL402 (PL403 for a default)
    DIFFERS = "differs"  # another value, linked only loosely: listed, no diagnostic
    OUT_OF_SCOPE = "out-of-scope"  # the paper states it only for other scopes
    NO_PAPER_VALUE = "no-paper-value"  # the paper states no value of this name


@dataclass(frozen=True)
class Placed:
    """A code site with what the paper says about it."""

    site: Site
    name: str  # the paper's key when matched, else the site's own name
    stated: Stated | None
    linked: bool  # an annotation accounts for it (a hyperparameter or any other item)
    link: str | None = None  # a Confidence; None without a paper value
    scope: str = ""  # the site's scope: "" for the whole paper
    in_scope: bool = True  # the statement holds for the site's scope (or for the whole paper)

    @property
    def confident(self) -> bool:
        return self.link in (Confidence.ANNOTATION, Confidence.NAME)

    @property
    def status(self) -> str:
        site, stated = self.site, self.stated
        if stated is None:
            return Status.NO_PAPER_VALUE
        if not self.in_scope:  # a site for the whole run may still hold one experiment's value
            global_match = self.scope == "" and site.numeric is not None and stated.matches(site.numeric)
            return Status.MATCH if global_match else Status.OUT_OF_SCOPE
        if site.numeric is None or not stated.numbers or stated.matches(site.numeric):
            return Status.MATCH
        return Status.MISMATCH if self.confident else Status.DIFFERS


def _item(paper: Paper | None, key: str) -> PaperItem | None:
    if paper is None:
        return None
    return next((item for item in paper.items if item.key == key), None)


@dataclass(frozen=True)
class _Index:
    """One paper's items by key, its own hyperparameters by key (without ``hp:``) and each
    (key, scope) once; built once. Baseline and cited values are left out: never compared."""

    items: dict[str, PaperItem]
    stated: dict[str, Stated]
    statements: tuple[Stated, ...]  # one per (key, scope), in key order


def _index(paper: Paper) -> _Index:
    """Each hyperparameter once per scope: the table row where there is one, else the first mention."""
    items: dict[str, PaperItem] = {}
    for item in paper.items:
        items.setdefault(item.key, item)

    def in_table(item: PaperItem) -> bool:
        parent = items.get(item.parent or "")
        return parent is not None and parent.kind is ItemKind.TABLE

    chosen: dict[tuple[str, str], PaperItem] = {}
    for item in paper.items:
        value = item.hyperparameter
        if item.kind is ItemKind.HYPERPARAMETER and value is not None and value.provenance is Provenance.OWN:
            current = chosen.get((item.key, value.scope))
            if current is None or (in_table(item) and not in_table(current)):
                chosen[item.key, value.scope] = item
    statements = tuple(Stated(paper.name, chosen[key]) for key in sorted(chosen))
    stated: dict[str, Stated] = {}
    for statement in statements:  # a key's global statement stands for it, else its first scope
        current = stated.get(statement.key)
        if current is None or (current.scope and not statement.scope):
            stated[statement.key] = statement
    return _Index(items, stated, statements)


def _chain(items: Mapping[str, PaperItem], key: str) -> list[str]:
    """``key`` and the keys of the items around it (table, subsection, section), innermost first."""
    chain: list[str] = []
    while key and key not in chain:
        chain.append(key)
        item = items.get(key)
        key = item.parent or "" if item is not None else ""
    return chain


def _within(paper: Paper, items: Mapping[str, PaperItem], container: str, site: Site) -> Stated | None:
    """The hyperparameter of the site's name stated in the table or section ``container`` (or a
    part of it): the statement there whose value the site holds, else the first (a value may be
    stated in several sections: the one the annotation names is meant)."""
    found = [
        Stated(paper.name, item)
        for item in paper.items
        if item.kind is ItemKind.HYPERPARAMETER
        and item.parent
        and item.hyperparameter is not None
        and item.hyperparameter.provenance is Provenance.OWN
        and _named(Stated(paper.name, item), site.name)
        and container in _chain(items, item.parent)
    ]
    return next((s for s in found if site.numeric is not None and s.matches(site.numeric)), found[0] if found else None)


def _in_section(items: Mapping[str, PaperItem], statement: Stated, section: str) -> bool:
    """Whether a statement holds for the experiment of ``section``: stated in it, or in a
    section around it ("Experimental details" around "Discrete VAE"), or in no section."""
    chain = _chain(items, statement.item.parent or "")
    home = next((key for key in chain if key in items and items[key].kind is ItemKind.SECTION), None)
    return section in chain or home is None or home in _chain(items, section)


def _named(statement: Stated, name: str) -> bool:
    return same_hyperparameter(name, statement.key) or (
        statement.canonical is not None and same_hyperparameter(name, statement.canonical)
    )


def _by_name(site: Site, scope: str, statements: Sequence[Stated]) -> tuple[Stated | None, str | None, bool]:
    """(statement, confidence, in scope) for a site no annotation names: the paper's value of
    the same name for the site's scope, else for the whole paper, else (out of scope) for another."""
    named = [s for s in statements if _named(s, site.name)]
    if not named:
        return None, None, True
    chosen = [s for s in named if scope and s.scope == scope] or [s for s in named if not s.scope]
    if chosen:
        # several statements for one scope (two keys of one canonical name): the matching one
        statement = next((s for s in chosen if site.numeric is not None and s.matches(site.numeric)), chosen[0])
        return statement, Confidence.NAME if statement.canonical is not None else Confidence.LOOSE, True
    statement = next((s for s in named if site.numeric is not None and s.matches(site.numeric)), named[0])
    return statement, Confidence.LOOSE, False


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
    statements = indexes[default].statements if default is not None else ()
    scopes = frozenset(s.scope for s in statements if s.scope)
    per_statement: dict[tuple[str, int], int] = {}
    per_line: dict[tuple[str, int, int], int] = {}  # sites of a statement on each of its lines
    for site in sites:
        if site.source is not Source.DEFAULT:
            per_statement[_statement_of(site)] = per_statement.get(_statement_of(site), 0) + 1
            for anchor in site.anchors:
                key = (site.span.path, anchor, site.span.line)
                per_line[key] = per_line.get(key, 0) + 1
    placed = []
    for site in sites:
        found, alone = [], site.source is not Source.DEFAULT and per_statement.get(_statement_of(site)) == 1
        for link in (link for line in site.anchors for link in links.get((site.span.path, line), [])):
            line = _parameter_line(link, per_line)
            if line is None:
                found.append(link)
            elif line == site.span.line:  # written on the site's own line: that line's sites only
                found.append(link)
                alone = (
                    site.source is not Source.DEFAULT and per_line.get((link.target.path, link.target.line, line)) == 1
                )
        stated = _linked(site, found, project.papers, indexes, alone)
        scope = site_scope(site.span.path, site.kind is SiteKind.CONFIG_FILE, scopes)
        if stated is not None:
            placed.append(Placed(site, stated.key, stated, True, Confidence.ANNOTATION, stated.scope or scope))
            continue
        stated, link_kind, in_scope = _by_name(site, scope, statements)
        sections = [link.item_key for link in found if _is_section(indexes, link)]
        if stated is not None and sections and default is not None:
            # an annotation naming the site's section: a value stated for another experiment is out of scope
            items = indexes[default].items
            in_scope = in_scope and any(_in_section(items, stated, section) for section in sections)
            link_kind = link_kind if in_scope else Confidence.LOOSE
        if link_kind == Confidence.NAME and is_test_file(site.span.path):
            link_kind = Confidence.LOOSE  # a test pins small values on purpose: compared only when annotated
        name = stated.key if stated else site.name
        placed.append(Placed(site, name, stated, bool(found), link_kind, scope, in_scope))
    return _ambiguous_names(placed)


def _ambiguous_names(placed: list[Placed]) -> list[Placed]:
    """A paper value the code sets to two or more other values in two or more files, none of
    them named by an annotation (one script per experiment), cannot be paired by name with any
    one of them: those are listed as differing, without PL402, until an annotation says which
    one the paper means. Other values in one file (a sampling call beside a default) are all
    still reported."""
    values: dict[tuple[str, str, int], set[tuple[str, float]]] = {}
    for entry in placed:
        if entry.link == Confidence.NAME and entry.stated is not None and entry.site.source is not Source.DEFAULT:
            numeric = entry.site.numeric
            if numeric is not None and not entry.stated.matches(numeric):
                key = (entry.stated.paper, entry.stated.key, entry.stated.item.span.line)
                values.setdefault(key, set()).add((entry.site.span.path, numeric))
    ambiguous = {
        key for key, found in values.items() if len({path for path, _ in found}) > 1 and len({n for _, n in found}) > 1
    }
    return [
        replace(entry, link=Confidence.LOOSE)
        if entry.link == Confidence.NAME
        and entry.stated is not None
        and (entry.stated.paper, entry.stated.key, entry.stated.item.span.line) in ambiguous
        else entry
        for entry in placed
    ]


def _is_section(indexes: Mapping[str, _Index], link: Link) -> bool:
    index = indexes.get(link.paper)
    item = index.items.get(link.item_key) if index is not None else None
    return item is not None and item.kind is ItemKind.SECTION


def _parameter_line(link: Link, per_line: Mapping[tuple[str, int, int], int]) -> int | None:
    """The line a comment written inside its statement annotates (a parameter's, a keyword
    argument's, a dict entry's): its own when a site of the statement is on it, else the next
    line's; None for an annotation of the whole statement."""
    end = link.target.end_line or link.target.line
    if link.form != "comment" or not link.target.line < link.span.line <= end:
        return None
    for line in (link.span.line, link.span.line + 1):
        if per_line.get((link.target.path, link.target.line, line)):
            return line
    return None


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
            key, scope = item.key.removeprefix("hp:"), item.hyperparameter.scope if item.hyperparameter else ""
            statement = next((s for s in index.statements if s.key == key and s.scope == scope), None)
            if statement is not None and (_named(statement, site.name) or alone):
                return statement
        else:
            within = _within(paper, index.items, item.key, site)
            if within is not None:
                # the value as the paper's table states it, unless the section named states another
                chosen = next((s for s in index.statements if s.key == within.key and s.scope == within.scope), None)
                return chosen if chosen is not None and chosen.numbers == within.numbers else within
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
        for stated in _index(paper).statements:
            if (
                (name, stated.key, stated.scope) in covered
                or (name, stated.key) in linked
                or any(paper_name == name and _named(stated, site) for paper_name, site in general)
                or stated.item.key in exempt_here
                or any(label in exempt_here for label in stated.item.labels)
            ):
                continue
            shown = stated.item.hyperparameter.name if stated.item.hyperparameter else stated.key
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
        for stated in _index(paper).statements:
            if (stated.key, stated.scope) not in seen:
                yield stated


def conclude(facts: Sequence[HyperparameterFacts], project: Project) -> Conclusion:
    sources = project.configs
    sites = resolve_reads([site for found in facts for site in found.sites], sources)
    paper_keys = {key for paper in project.papers.values() for key in _index(paper).stated}
    sites += config_sites(sources, paper_keys)
    sites += annotated_config_sites(sources, project.links, sites)
    placed = place_sites(sites, project)
    reads = config_readers(sources, sites)
    return Conclusion(tuple(diagnostics(placed, project, reads)), hyperparameter_rows(placed, project))
