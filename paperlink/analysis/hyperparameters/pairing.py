"""Pairing each code site with the paper's statement it is compared with.

A site is *linked* when an annotation binds to its statement (or to the statement that
wrote its value: the flag, the constant). A link to a hyperparameter names it; a link to a
table or section names the hyperparameter of that name stated there (the section's own value
where it differs from the table's), and a section also scopes the site: a value stated for a
sibling section is out of its scope. A link to anything else (an equation) says the number is
accounted for by the paper without naming it. An annotation written inside a statement, on
the line of a parameter, a keyword argument or a dict entry (or alone on the line above it),
binds to the sites of that line only.

Sites not linked to a hyperparameter are paired with the default paper by name, within their
scope (:mod:`~paperlink.analysis.hyperparameters.scopes`). Each site gets its own status;
PL402 and PL403 need a confident link (an annotation, or the paper's canonical name in the
site's scope or the paper's global one). Baseline and cited values are never paired.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from paperlink.analysis.base import Project
from paperlink.analysis.hyperparameters.facts import Site, SiteKind, Source
from paperlink.analysis.hyperparameters.scopes import site_scope
from paperlink.analysis.hyperparameters.vocabulary import same_hyperparameter
from paperlink.numbers import parse_latex_number, same_value
from paperlink.paper.model import ItemKind, Paper, PaperItem, Provenance, display_name
from paperlink.source.roles import is_test_file

if TYPE_CHECKING:
    from paperlink.results import Link

__all__ = ["Stated", "Placed", "Confidence", "Status", "place_sites", "index_paper", "paper_item", "named"]


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
        parent = paper_item(papers.get(self.paper), self.item.parent) if self.item.parent else None
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


def paper_item(paper: Paper | None, key: str) -> PaperItem | None:
    return paper.item(key) if paper is not None else None


@dataclass(frozen=True)
class _Index:
    """One paper's items by key, its own hyperparameters by key (without ``hp:``) and each
    (key, scope) once; built once. Baseline and cited values are left out: never compared."""

    items: dict[str, PaperItem]
    stated: dict[str, Stated]
    statements: tuple[Stated, ...]  # one per (key, scope), in key order


def index_paper(paper: Paper) -> _Index:
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
        and named(Stated(paper.name, item), site.name)
        and container in _chain(items, item.parent)
    ]
    return next((s for s in found if site.numeric is not None and s.matches(site.numeric)), found[0] if found else None)


def _in_section(items: Mapping[str, PaperItem], statement: Stated, section: str) -> bool:
    """Whether a statement holds for the experiment of ``section``: stated in it, or in a
    section around it ("Experimental details" around "Discrete VAE"), or in no section."""
    chain = _chain(items, statement.item.parent or "")
    home = next((key for key in chain if key in items and items[key].kind is ItemKind.SECTION), None)
    return section in chain or home is None or home in _chain(items, section)


def named(statement: Stated, name: str) -> bool:
    return same_hyperparameter(name, statement.key) or (
        statement.canonical is not None and same_hyperparameter(name, statement.canonical)
    )


def _by_name(
    site: Site, scope: str, statements: Sequence[Stated], known: dict[str, list[Stated]]
) -> tuple[Stated | None, str | None, bool]:
    """(statement, confidence, in scope) for a site no annotation names: the paper's value of
    the same name for the site's scope, else for the whole paper, else (out of scope) for another.
    ``known``: the statements of each name asked before (many sites share a name)."""
    if site.name not in known:
        known[site.name] = [s for s in statements if named(s, site.name)]
    same_name = known[site.name]
    if not same_name:
        return None, None, True
    chosen = [s for s in same_name if scope and s.scope == scope] or [s for s in same_name if not s.scope]
    if chosen:
        # several statements for one scope (two keys of one canonical name): the matching one
        statement = next((s for s in chosen if site.numeric is not None and s.matches(site.numeric)), chosen[0])
        return statement, Confidence.NAME if statement.canonical is not None else Confidence.LOOSE, True
    statement = next((s for s in same_name if site.numeric is not None and s.matches(site.numeric)), same_name[0])
    return statement, Confidence.LOOSE, False


def place_sites(sites: Sequence[Site], project: Project) -> list[Placed]:
    """Every site with the paper's statement it is linked or named after (if any)."""
    indexes = {name: index_paper(paper) for name, paper in project.papers.items()}
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
    claims: dict[tuple[str, str], set[str]] = {}  # (paper, item an annotation names) -> files it is written in
    known: dict[str, list[Stated]] = {}
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
        stated, through = _linked(site, found, project.papers, indexes, alone)
        scope = site_scope(site.span.path, site.kind is SiteKind.CONFIG_FILE, scopes)
        if stated is not None:
            claims.setdefault((stated.paper, through), set()).add(site.span.path)
            placed.append(Placed(site, stated.key, stated, True, Confidence.ANNOTATION, stated.scope or scope))
            continue
        stated, link_kind, in_scope = _by_name(site, scope, statements, known)
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
    return _ambiguous_names(_claimed_elsewhere(placed, claims, indexes))


def _claimed_elsewhere(
    placed: list[Placed], claims: Mapping[tuple[str, str], set[str]], indexes: Mapping[str, _Index]
) -> list[Placed]:
    """A statement an annotation ties to code (naming it, or the table or section stating it)
    has its experiment's code: those files. A site of the same name in another Python file
    (another experiment, a baseline, an evaluation) is paired with it only loosely: listed,
    no PL402. Config files keep their path scope."""
    if not claims:
        return placed

    def files(stated: Stated) -> set[str] | None:
        index = indexes.get(stated.paper)
        if index is None:
            return None
        chain = [stated.item.key, *_chain(index.items, stated.item.parent or "")]
        found = [claims[stated.paper, key] for key in chain if (stated.paper, key) in claims]
        return set().union(*found) if found else None

    loosened = []
    for entry in placed:
        if entry.link == Confidence.NAME and entry.stated is not None and entry.site.kind is not SiteKind.CONFIG_FILE:
            claimed = files(entry.stated)
            if claimed is not None and entry.site.span.path not in claimed:
                entry = replace(entry, link=Confidence.LOOSE)
        loosened.append(entry)
    return loosened


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
) -> tuple[Stated | None, str]:
    """The hyperparameter the annotations on the site's statements name, if any, and the key
    of the item the annotation names (the hyperparameter, or the table or section stating it)."""
    for link in found:
        paper, index = papers.get(link.paper), indexes.get(link.paper)
        item = index.items.get(link.item_key) if index is not None else None
        if paper is None or index is None or item is None:
            continue
        if item.kind is ItemKind.HYPERPARAMETER:
            key, scope = item.key.removeprefix("hp:"), item.hyperparameter.scope if item.hyperparameter else ""
            statement = next((s for s in index.statements if s.key == key and s.scope == scope), None)
            if statement is not None and (named(statement, site.name) or alone):
                return statement, statement.item.key
        else:
            within = _within(paper, index.items, item.key, site)
            if within is not None:
                # the value as the paper's table states it, unless the section named states another
                chosen = next((s for s in index.statements if s.key == within.key and s.scope == within.scope), None)
                return (chosen if chosen is not None and chosen.numbers == within.numbers else within), item.key
    return None, ""
