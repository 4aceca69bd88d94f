"""The pipeline of ``paperlink check``: papers and sources in, a :class:`Report` out.

    papers ──parse_paper──▶ Paper
    targets ──discover/read/parse──▶ ParsedSource ──collect_annotations──▶ Annotation
    Annotation (its parsed references) + Papers ──resolve──▶ Link | Diagnostic
    Links + Papers ──coverage──▶ CoverageRow, PL110
    ParsedSource ──read_code──▶ CodeModule ──Analysis.scan──▶ facts ──Analysis.conclude──▶ PL2xx-PL5xx, sections
    ParsedSource ──collect_suppressions──▶ Suppression
    Diagnostics + Suppressions ──apply_suppressions──▶ kept, PL112/PL113 ──select_diagnostics──▶ Report

Only :func:`check` touches files; everything after reading is a function of data.
"""

from __future__ import annotations

import dataclasses
import gc
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from paperlink.analysis import ANALYSES, Analysis, Project, analysis_by_name
from paperlink.analysis.hyperparameters import HyperparameterFacts
from paperlink.codes import require_known
from paperlink.config import Config
from paperlink.configfiles import HydraMain, read_configs
from paperlink.diagnostics import Diagnostic
from paperlink.errors import UsageError
from paperlink.lock import LOCK_FILE, lock_entries, read_lock, renumbered_references, stale_links
from paperlink.paper import ItemKind, Paper, display_name, parse_paper, with_edits
from paperlink.results import CoverageRow, Link, Report, covered_keys, is_exempt
from paperlink.rules.base import Rule
from paperlink.rules.source_input import CodeRulesSkipped, NotebookNotReadable, SourceSyntaxError
from paperlink.rules.traceability import (
    AmbiguousReference,
    MalformedAnnotation,
    UnimplementedItem,
    UnknownPaper,
    UnknownReference,
)
from paperlink.selection import Selection, select_diagnostics
from paperlink.source.annotations import Annotation, collect_annotations
from paperlink.source.code import read_code
from paperlink.source.environment import read_environment
from paperlink.source.files import SourceText, discover, read_bytes, read_source
from paperlink.source.near_misses import near_misses
from paperlink.source.notebook import Notebook, NotebookError, bind_markdown_annotations, is_notebook, read_notebook
from paperlink.source.notebook_layout import NotebookLayout, to_cells
from paperlink.source.parse import ParsedSource, SourceParseError, parse_source
from paperlink.source.suppression_comments import Suppression, collect_suppressions
from paperlink.spans import Span, relative_path, relative_paths
from paperlink.suppressions import apply_suppressions
from paperlink.trace import Resolution, resolve_all

__all__ = ["check", "trace_annotations", "coverage", "narrow", "Memory"]

_PROBLEM_RULES: dict[str, type[Rule]] = {
    "unknown": UnknownReference,
    "ambiguous": AmbiguousReference,
    "unknown-paper": UnknownPaper,
}


def trace_annotations(
    annotations: Sequence[Annotation],
    papers: Mapping[str, Paper],
    default_paper: str | None,
    renumbered: Callable[[Annotation, Resolution], Diagnostic | None] | None = None,
) -> tuple[list[Link], list[Diagnostic]]:
    """Resolve every annotation's references: links for those that name an item, else PL1xx
    (or what ``renumbered`` says of a printed number paperlink.lock knows: PL111)."""
    links: list[Link] = []
    diagnostics: list[Diagnostic] = []
    for annotation in annotations:
        if annotation.problem:
            diagnostics.append(MalformedAnnotation.at(annotation.span, annotation.problem))
            continue
        references, malformed = annotation.references, annotation.malformed
        if not references and not malformed:
            diagnostics.append(
                MalformedAnnotation.at(annotation.span, "empty annotation: name a label or an item such as 'Eq. 3'")
            )
        diagnostics.extend(
            MalformedAnnotation.at(annotation.span, bad.message, fix=annotation.fix(bad.start, bad.end, bad.suggestion))
            for bad in malformed
        )
        for resolution in resolve_all(references, papers, annotation.paper, default_paper):
            if resolution.problem is not None:
                moved = renumbered(annotation, resolution) if renumbered is not None else None
                where = resolution.reference
                fix = annotation.fix(where.start, where.end, resolution.suggestion, safe=not resolution.guess)
                rule = _PROBLEM_RULES[resolution.problem]
                diagnostics.append(moved or rule.at(annotation.span, resolution.message, fix=fix))
                continue
            assert resolution.item is not None and resolution.paper is not None
            links.append(
                Link(
                    resolution.paper,
                    resolution.item.key,
                    resolution.reference.text,
                    annotation.form,
                    annotation.span,
                    annotation.target,
                    annotation.target_name,
                    annotation.scope,
                    annotation.fingerprint,
                    resolution.reference,
                    annotation.where(resolution.reference.start, resolution.reference.end),
                )
            )
    return links, diagnostics


def coverage(
    papers: Mapping[str, Paper], links: Sequence[Link], kinds: frozenset[ItemKind], exempt: frozenset[str]
) -> tuple[list[CoverageRow], list[Diagnostic]]:
    """Per paper and kind: numbered items, those with code, those exempt; PL110 for the rest.

    An item counts as implemented when it or one of its parts is linked (a row of its
    ``subequations`` block, a line of its algorithm), or when it is part of a linked item.
    """
    linked = {(link.paper, link.item_key) for link in links}
    rows: list[CoverageRow] = []
    diagnostics: list[Diagnostic] = []
    for name, paper in sorted(papers.items()):
        covered = covered_keys(paper, {key for paper_name, key in linked if paper_name == name})
        for kind in sorted(kinds, key=lambda k: k.value):
            items = [item for item in paper.items if item.kind is kind and item.number is not None]
            exempted = [item for item in items if is_exempt(item, exempt)]
            done = [item for item in items if item.key in covered and item not in exempted]
            rows.append(CoverageRow(name, kind.value, len(items), len(done), len(exempted)))
            for item in items:
                if item not in exempted and item.key not in covered:
                    message = f"{display_name(item)} {item.key} has no implementing code"
                    diagnostics.append(UnimplementedItem.at(item.span, message))
    return rows, diagnostics


_Store = TypeVar("_Store")


class Memory:
    """``.paperlink_cache`` held open between checks by a long-lived process (the language
    server): each project's stores are loaded once, and an entry is decoded once while its
    stored text stays the same. Each check still takes an entry only as a fresh check would
    (a file's status or digest as stored; for a paper, every file it was read from), so a
    check after an edit re-reads the edited file alone and nothing is taken stale."""

    def __init__(self) -> None:
        self._stores: dict[tuple[Path, object], Any] = {}

    def store(self, kind: Callable[[Path], _Store], root: Path) -> _Store:
        """The open store of ``kind`` (``ScanCache``, ``PaperCache``) for the project at ``root``."""
        found = self._stores.get((root, kind))
        if found is None:
            found = self._stores[(root, kind)] = kind(root)
        return found


def _read_papers(
    config: Config,
    overrides: Mapping[str, Path],
    cache: bool = False,
    warnings: list[str] | None = None,
    memory: Memory | None = None,
) -> dict[str, Paper]:
    """Each paper the configuration names (or ``overrides`` puts in its place); with ``cache``,
    a paper none of whose files changed comes from ``.paperlink_cache`` without its reader
    (or pylatexenc) being imported."""
    sources = [(source.name, source.path) for source in config.papers if source.name not in overrides]
    sources += list(overrides.items())
    edits = config.paper_hyperparameters
    if not cache:
        return {name: parse_paper(path, name=name, root=config.root, edits=edits) for name, path in sources}
    from paperlink.boundary import recording
    from paperlink.cache import PaperCache

    store = memory.store(PaperCache, config.root) if memory is not None else PaperCache(config.root)
    if store.problem and warnings is not None:
        warnings.append(store.problem)
    papers: dict[str, Paper] = {}
    for name, path in sources:
        cached = store.get(path, name)
        if cached is None:
            with recording() as reads:
                cached = parse_paper(path, name=name, root=config.root)
            store.put(path, name, cached, reads)
        papers[name] = with_edits(cached, edits)  # the cache holds the paper as written
    store.save()
    return papers


@dataclass(frozen=True)
class _Scanned:
    """What reading one file gives: it crosses process boundaries, so it is plain data."""

    annotations: tuple[Annotation, ...] = ()
    suppressions: tuple[Suppression, ...] = ()
    problem: Diagnostic | None = None  # PL001, PL002 or PL004: the file could not be read
    facts: tuple[tuple[str, Any], ...] = ()  # (analysis name, its facts about this file)
    notes: tuple[Diagnostic, ...] = ()  # PL003 (the code rules could not read the file); PL001 for notebook cells
    layout: NotebookLayout | None = None  # a notebook's cells: where they sit in its Python text


def _scan_file(path: Path, root: Path, analyses: tuple[str, ...] = (), data: bytes | None = None) -> _Scanned:
    source = read_source(path, root, data)
    if source.text is None:
        return _Scanned(problem=source.diagnostic)
    if is_notebook(source.relative):
        return _scan_notebook(source, analyses)
    parsed = parse_source(source)
    if not isinstance(parsed, ParsedSource):
        return _Scanned(problem=parsed)
    return _scan_parsed(parsed, analyses)


def _scan_notebook(source: SourceText, analyses: tuple[str, ...]) -> _Scanned:
    """A notebook is scanned as its Python text (:mod:`paperlink.source.notebook`); what is
    found stays in that text's lines until :func:`_to_cells` at the end of the run."""
    assert source.text is not None
    try:
        notebook = read_notebook(source.text, source.relative)
    except NotebookError as error:
        span = Span(source.relative, error.line, error.column)
        return _Scanned(problem=NotebookNotReadable.at(span, str(error)))
    parsed = parse_source(SourceText(source.path, source.relative, notebook.python))
    if not isinstance(parsed, ParsedSource):  # cells that parse alone but not together
        return _Scanned(problem=parsed, layout=notebook.layout)
    scanned = _scan_parsed(parsed, analyses if notebook.language == "python" else (), notebook)
    notes = notebook.problems
    if notebook.language != "python":
        message = f"code rules skipped: this notebook's language is {notebook.language}, not Python"
        notes += (CodeRulesSkipped.at(Span(source.relative, 1), message),)
    return dataclasses.replace(scanned, notes=notes + scanned.notes, layout=notebook.layout)


def _scan_parsed(parsed: ParsedSource, analyses: tuple[str, ...], notebook: Notebook | None = None) -> _Scanned:
    try:
        annotations = tuple(collect_annotations(parsed))
        if notebook is not None:
            annotations = bind_markdown_annotations(annotations, notebook)
        suppressions = tuple(collect_suppressions(parsed))
        misses = tuple(near_misses(parsed))
    except SourceParseError as refused:  # libcst reads only files it parsed already: a safeguard
        return _Scanned(problem=refused.diagnostic)
    except RecursionError:  # libcst's visitors (newer syntax) and the layout of nested blocks recurse
        message = "cannot read annotations in this file: it is nested too deeply"
        return _Scanned(problem=SourceSyntaxError.at(Span(parsed.relative, 1), message))
    if not analyses:
        return _Scanned(annotations, suppressions, notes=misses)
    cells = tuple(cell.first_line for cell in notebook.layout.cells) if notebook is not None else ()
    facts, notes = _analyse(parsed, annotations, analyses, cells)
    return _Scanned(annotations, suppressions, facts=facts, notes=misses + notes)


def _analyse(
    parsed: ParsedSource,
    annotations: tuple[Annotation, ...],
    analyses: tuple[str, ...],
    cells: tuple[int, ...] = (),
) -> tuple[tuple[tuple[str, Any], ...], tuple[Diagnostic, ...]]:
    """Each named analysis's facts about one file, or PL003 when Python cannot parse it."""
    code = read_code(parsed, annotations)
    if isinstance(code, SyntaxError):
        line = code.lineno or 1
        message = f"code rules skipped: Python cannot parse this file (line {line}: {code.msg})"
        return (), (CodeRulesSkipped.at(Span(parsed.relative, 1), message),)
    code.cells = cells
    facts = []
    for name in analyses:
        analysis = analysis_by_name(name)
        assert analysis is not None
        try:
            facts.append((name, analysis.scan(code)))
        except RecursionError:  # a tree deeper than the rules' walks allow
            message = f"code rules skipped: {name} cannot follow code nested this deeply"
            return tuple(facts), (CodeRulesSkipped.at(Span(parsed.relative, 1), message),)
    return tuple(facts), ()


_SERIAL_BELOW = 32  # starting worker processes costs more than reading this many files


Progress = Callable[[int, int], None]  # (files read, files to read)


def _scan(
    files: list[Path], root: Path, jobs: int, analyses: tuple[str, ...] = (), progress: Progress | None = None
) -> list[_Scanned]:
    """Each file's annotations and suppressions (or its PL001/PL002), in the order of ``files``.

    With ``jobs`` > 1 files are read in worker processes, which also isolates a crash of
    libcst's native parser (it can segfault on absurdly nested code): the file whose
    worker died is reported as PL001 and the others are still checked.
    """
    report = progress or (lambda done, total: None)
    results: list[_Scanned] = []
    if jobs <= 1 or len(files) < _SERIAL_BELOW:
        with _without_cyclic_gc():
            for path in files:
                results.append(_scan_file(path, root, analyses))
                report(len(results), len(files))
        return results
    from concurrent.futures import ProcessPoolExecutor  # a run reading few files (or none) starts no worker
    from concurrent.futures.process import BrokenProcessPool

    try:
        with ProcessPoolExecutor(max_workers=jobs, initializer=gc.disable) as pool:
            for scanned in pool.map(_scan_file, files, [root] * len(files), [analyses] * len(files), chunksize=8):
                results.append(scanned)
                report(len(results), len(files))
        return results
    except BrokenProcessPool:
        return [_isolated(path, root, analyses) for path in files]


@contextmanager
def _without_cyclic_gc() -> Iterator[None]:
    """Reading files allocates millions of short-lived, acyclic nodes (libcst's and ast's
    trees), which reference counting frees; the cyclic collector only re-scans them, about
    a sixth of the scan's time. Worker processes run without it altogether."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _scan_cached(
    files: list[Path],
    root: Path,
    jobs: int,
    analyses: tuple[str, ...] = (),
    progress: Progress | None = None,
    warnings: list[str] | None = None,
    memory: Memory | None = None,
) -> list[_Scanned]:
    """:func:`_scan`, reusing what ``.paperlink_cache`` holds for files whose bytes are unchanged
    (why a cache found was discarded goes to ``warnings``)."""
    from paperlink.cache import ScanCache, digest, signature

    store = memory.store(ScanCache, root) if memory is not None else ScanCache(root)
    if store.problem and warnings is not None:
        warnings.append(store.problem)
    results: dict[int, _Scanned] = {}
    misses: list[tuple[int, str, str, str]] = []
    for index, (path, relative) in enumerate(zip(files, relative_paths(files, root))):
        status = signature(path)  # before the file is read: a later change shows in the next run's
        cached = store.get(relative, "", analyses, status) if status else None
        if cached is not None:  # the file's status is as stored: not read at all
            results[index] = cached
            continue
        try:
            file_digest = digest(read_bytes(path, root))
        except OSError:
            file_digest = ""  # unreadable: scan it, which reports why
        cached = store.get(relative, file_digest, analyses) if file_digest else None
        if cached is None:
            misses.append((index, relative, file_digest, status))
        else:
            results[index] = cached
            store.note_signature(relative, file_digest, status)
    fresh = _scan([files[index] for index, _, _, _ in misses], root, jobs, analyses, progress)
    for (index, relative, file_digest, status), scanned in zip(misses, fresh):
        results[index] = scanned
        if file_digest:
            store.put(relative, file_digest, scanned, analyses, status)
    store.save()
    return [results[index] for index in range(len(files))]


def _with_buffer(files: list[Path], path: Path) -> list[Path]:
    """``files`` with ``path`` among them once (as written), whether discovery found it or not."""
    target = path.resolve()
    return sorted([*(other for other in files if other.resolve() != target), path], key=lambda p: p.as_posix())


def _isolated(path: Path, root: Path, analyses: tuple[str, ...]) -> _Scanned:
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    try:
        with ProcessPoolExecutor(max_workers=1) as pool:
            return pool.submit(_scan_file, path, root, analyses).result()
    except BrokenProcessPool:
        span = Span(relative_path(path, root), 1)
        return _Scanned(problem=SourceSyntaxError.at(span, "cannot parse this file: the parser crashed"))


def check(
    config: Config,
    targets: Sequence[Path],
    overrides: Mapping[str, Path] | None = None,
    *,
    jobs: int = 2,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] = (),
    cache: bool = False,
    progress: Progress | None = None,
    audit: Any = None,
    buffer: tuple[Path, bytes] | None = None,
    memory: Memory | None = None,
) -> Report:
    """Run the whole pipeline over ``targets`` with the papers ``config`` names.

    ``select`` and ``ignore`` (rule codes or prefixes, as on the command line) apply over
    the configuration's; unknown codes are a :class:`~paperlink.errors.UsageError`.
    ``progress(done, total)`` is called as files are read (those not in the cache).
    ``audit`` (a :class:`~paperlink.runtime.result.AuditResult`) adds PL901-PL904 and marks
    each stop of the ``gradient_stops`` section as seen at runtime or not. ``buffer`` (a
    path and its bytes, as an editor holds them) is read in place of that file, which is
    checked even when it is not on disk yet. ``memory`` keeps the cache open for the next
    check (with ``cache``).
    """
    selection = _selection(config, select, ignore)
    warnings: list[str] = []
    papers = _read_papers(config, overrides or {}, cache, warnings, memory)
    default = config.default_paper if config.default_paper in papers else None
    files = discover(list(targets), config)
    analyses = tuple(a for a in ANALYSES if any(selection.enabled(code) for code in a.codes))
    names = tuple(a.name for a in analyses)
    if buffer is not None:
        files = _with_buffer(files, buffer[0])
    others = [path for path in files if buffer is None or path != buffer[0]]
    if cache:
        scanned = _scan_cached(others, config.root, jobs, names, progress, warnings, memory)
    else:
        scanned = _scan(others, config.root, jobs, names, progress)
    if buffer is not None:
        with _without_cyclic_gc():
            scanned.insert(files.index(buffer[0]), _scan_file(buffer[0], config.root, names, buffer[1]))
    configs = read_configs(config, _hydra_mains(scanned))
    diagnostics = [d for paper in papers.values() for d in paper.diagnostics]
    diagnostics += [file.problem for file in scanned if file.problem is not None]
    diagnostics += [note for file in scanned for note in file.notes]
    diagnostics += configs.problems
    annotations = [annotation for file in scanned for annotation in file.annotations]
    lock_file = config.root / LOCK_FILE
    renumbered = renumbered_references(read_lock(lock_file), papers) if lock_file.is_file() else None
    links, trace_diagnostics = trace_annotations([*annotations, *configs.annotations], papers, default, renumbered)
    diagnostics.extend(trace_diagnostics)
    notebooks = {relative_path(path, config.root): file.layout for path, file in zip(files, scanned) if file.layout}
    environment = read_environment(config.root, targets) if "environment" in names else None
    project = Project(
        papers,
        tuple(links),
        default,
        config,
        configs=configs.sources,
        environment=environment,
        notebooks=notebooks,
    )
    sections = _conclude(analyses, scanned, project, diagnostics)
    if audit is not None:
        checked = [relative_path(path, config.root) for path in files]
        diagnostics.extend(_merge_audit(audit, sections, checked))
    rows, exempt, entries, found = _coverage_and_lock(config, targets, papers, links)
    diagnostics.extend(found)
    suppressions = [
        *(s for file in scanned for s in file.suppressions),
        *configs.suppressions,
        *(environment.suppressions if environment else ()),
    ]
    kept, about_suppressions = apply_suppressions(diagnostics, suppressions)
    reported = select_diagnostics([*kept, *about_suppressions], selection)
    if notebooks:  # positions in notebooks become cell and line from here on
        reported, links, sections = to_cells((reported, links, sections), notebooks)
    return Report(
        root=config.root,
        diagnostics=tuple(sorted(set(reported))),
        links=tuple(sorted(links, key=lambda l: (l.span, l.paper, l.item_key))),
        coverage=tuple(rows),
        files=len(files),
        locked=tuple(sorted(entry for entry, _ in entries)),
        checked_paths=(*relative_paths(files, config.root), *configs.paths),
        sections=sections,
        papers=papers,
        exempt=exempt,
        notebooks=notebooks,
        warnings=tuple(warnings),
    )


def narrow(report: Report, named: frozenset[str], *, paper_named: bool) -> Report:
    """A whole-project report cut down to what a run over named files shows (pre-commit's).

    Whole-project conclusions (coverage, a paper value no code sets, unused suppressions)
    are made over the whole project, then only the diagnostics located in the ``named``
    files (project-relative) are kept. When a named file is the paper or a file the
    project's settings read (``paper_named``), an edit there can break any link: every
    diagnostic is kept, with coverage.
    """
    if paper_named:
        return report
    sources = [path for path in report.checked_paths if path in named]
    return dataclasses.replace(
        report,
        diagnostics=tuple(d for d in report.diagnostics if d.span.path in named),
        links=tuple(link for link in report.links if link.span.path in named),
        coverage=(),
        files=len(sources),
        checked_paths=tuple(sources),
    )


def _coverage_and_lock(
    config: Config, targets: Sequence[Path], papers: Mapping[str, Paper], links: Sequence[Link]
) -> tuple[list[CoverageRow], frozenset[str], list, list[Diagnostic]]:
    """Coverage rows and PL110 (not for a run over named files: a few changed files say
    nothing of coverage), the exempt items, the lock entries and PL111 against paperlink.lock."""
    rows: list[CoverageRow] = []
    found: list[Diagnostic] = []
    exempt = frozenset(config.not_implemented | {label for paper in papers.values() for label in paper.not_implemented})
    if not all(target.is_file() for target in targets):
        rows, found = coverage(papers, links, config.coverage, exempt)
    entries = lock_entries(links, papers)
    lock_file = config.root / LOCK_FILE
    if lock_file.is_file():
        found.extend(stale_links(entries, read_lock(lock_file), papers))
    return rows, exempt, entries, found


def _hydra_mains(scanned: Sequence[_Scanned]) -> list[HydraMain]:
    """The Hydra entry points in the hyperparameter facts: the config trees to read."""
    return [
        main
        for file in scanned
        for _, found in file.facts
        if isinstance(found, HyperparameterFacts)
        for main in found.hydra
    ]


def _conclude(
    analyses: Sequence[Analysis], scanned: Sequence[_Scanned], project: Project, diagnostics: list[Diagnostic]
) -> dict[str, Any]:
    """Run each analysis's conclusion over its facts about every file; add its diagnostics to
    ``diagnostics`` and return the output sections, by analysis name."""
    sections: dict[str, Any] = {}
    for analysis in analyses:
        facts = [found for file in scanned for name, found in file.facts if name == analysis.name]
        conclusion = analysis.conclude(facts, project)
        diagnostics.extend(conclusion.diagnostics)
        if conclusion.section is not None:
            sections[analysis.name] = conclusion.section
    return sections


def _merge_audit(audit: Any, sections: dict[str, Any], checked: Sequence[str]) -> list[Diagnostic]:
    """The audit's PL902/PL903, and PL901/PL904 against the static stops (annotated in place).

    The audit's paths are relative to where it ran; each is replaced by the checked file it
    names, so suppressions and output agree with the rest of the report.
    """
    from dataclasses import replace

    from paperlink.runtime.diagnostics import audit_diagnostics, merge_runtime, same_file

    found = audit_diagnostics(audit)
    stops = sections.get("gradient_stops")
    if isinstance(stops, list):
        merged, sections["gradient_stops"] = merge_runtime(stops, audit)
        found += merged
    rebased = []
    for diagnostic in found:
        matches = [path for path in checked if same_file(path, diagnostic.span.path)]
        if len(matches) == 1:
            diagnostic = replace(diagnostic, span=replace(diagnostic.span, path=matches[0]))
        rebased.append(diagnostic)
    return rebased


def _selection(config: Config, select: Sequence[str] | None, ignore: Sequence[str]) -> Selection:
    """The configuration's select/ignore with the caller's over them (ruff's layering)."""
    if select is not None:
        require_known(select, "'select'", UsageError)
    require_known(ignore, "'ignore'", UsageError)
    configured = Selection(config.select, config.ignore, config.extend_select, config.per_file_ignores)
    return Selection(tuple(select) if select is not None else None, tuple(ignore)).over(configured)
