"""From a :class:`~paperlink.results.Report` to the :class:`~paperlink.report.views.Page`.

Reading the shown files and asking git for the commit are the only I/O; the rest is a
function of the report. Nothing depends on the clock: a time is shown only when the
caller passes one (``SOURCE_DATE_EPOCH`` or ``--generated-at``).
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

from markupsafe import Markup

from paperlink import __version__, boundary
from paperlink.errors import UsageError
from paperlink.paper import ItemKind, Paper
from paperlink.report.anchors import Anchors
from paperlink.report.forge import Forge, forge_from_remote
from paperlink.report.code_view import code_file_views, notebook_lines, source_lines
from paperlink.report.highlight import split_lines
from paperlink.report.panels import (
    environment_paths,
    environment_view,
    gradient_stop_views,
    hidden_inputs_view,
    hyperparameter_rows,
    hyperparameter_sites,
    section_paths,
)
from paperlink.report.blueprint import blueprint_view
from paperlink.report.snippets import Place, link_places, snippets_by_item
from paperlink.report.scope import INCLUDE_CODE, wanted_lines, windows
from paperlink.report.paper_view import PaperContext, code_refs_by_item, paper_views
from paperlink.report.summary import summarize
from paperlink.report.texts import paper_header
from paperlink.report.views import CoverageView, FindingView, Header, Page, Ref, RuleView
from paperlink.results import Report, covered_keys, is_exempt
from paperlink.rules import ALL_RULES
from paperlink.rules.base import Rule
from paperlink.source.files import read_source
from paperlink.source.notebook import NotebookError, read_notebook
from paperlink.source.notebook_layout import to_text_lines

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["PageOptions", "build_page", "git_commit", "git_dirty", "git_forge", "generation_time", "project_name"]


@dataclass(frozen=True)
class PageOptions:
    generated_at: str | None = None  # shown as given; None shows no time
    commit: str | None = None  # the code's git commit; see git_commit
    dirty: bool = False  # tracked files differ from that commit; see git_dirty
    all_files: bool = False  # show every checked file, not only those with links or diagnostics
    include_code: str = "linked"  # a mode of paperlink.report.scope; all_files means "all"
    project: str | None = None  # defaults to the name of the project folder
    forge: Forge | None = None  # where file:line locations link to at the commit; see git_forge


def _git(root: Path, *arguments: str) -> str | None:
    """git's output in ``root``, stripped of the line end; None when git fails or is missing."""
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *arguments], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def git_commit(root: Path) -> str | None:
    """``git rev-parse HEAD`` in ``root``; None outside a repository or without git."""
    commit = _git(root, "rev-parse", "--verify", "-q", "HEAD")
    return commit if commit is not None and len(commit) in (40, 64) else None


def git_forge(root: Path, commit: str | None) -> Forge | None:
    """The forge of ``origin`` (else of the only remote) at ``commit``, for permalinks; None when
    the remote is not a known forge. The project may be a folder inside the repository."""
    if commit is None:
        return None
    remotes = (_git(root, "remote") or "").split()
    name = "origin" if "origin" in remotes else (remotes[0] if len(remotes) == 1 else None)
    if name is None:
        return None
    return forge_from_remote(
        _git(root, "remote", "get-url", name), commit, _git(root, "rev-parse", "--show-prefix") or ""
    )


def git_dirty(root: Path) -> bool:
    """Whether tracked files in ``root``'s work tree differ from its commit (untracked ones aside)."""
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0 and bool(done.stdout.strip())


def build_page(report: Report, options: PageOptions = PageOptions()) -> Page:
    if report.notebooks:  # the page shows a notebook's cells one after another: positions become lines of that
        report = replace(
            report,
            **to_text_lines(
                {"diagnostics": report.diagnostics, "links": report.links, "sections": report.sections},
                report.notebooks,
            ),
        )
    mode = "all" if options.all_files else options.include_code
    if mode not in INCLUDE_CODE:
        raise UsageError(f"--include-code must be one of {', '.join(INCLUDE_CODE)}, not '{mode}'")
    texts = _shown_texts(report, mode)
    lines_html = {path: _shown_lines(report, path, text) for path, text in texts.items() if text is not None}
    line_counts = {path: len(lines_html.get(path, ())) for path in texts}
    wanted = wanted_lines(report, mode) if mode != "all" else {}
    shown = {path: windows(wanted.get(path, set()), count) for path, count in line_counts.items()}
    anchors = Anchors(report.papers, line_counts, report.notebooks, options.forge, shown if mode != "all" else None)
    rules = {rule.code: rule for rule in ALL_RULES}
    findings, finding_spans = _findings(report, anchors, rules)
    by_place: dict[tuple[str, int], list[FindingView]] = {}
    for finding in findings:
        by_place.setdefault(finding_spans[finding.id], []).append(finding)
    code = code_refs_by_item(report.links, anchors)
    context = PaperContext(
        anchors,
        code,
        {place: tuple(found) for place, found in by_place.items()},
        frozenset(row.kind for row in report.coverage),
        report.exempt,
        _paper_lines(report),
        snippets_by_item(
            # a site first: where a link binds the same line, its caption says the value and status
            [Place(*site) for site in hyperparameter_sites(report.sections.get("hyperparameters"))]
            + link_places(report.links),
            lines_html,
            anchors,
        ),
    )
    papers = paper_views(report.papers, context)  # first: it marks the items links may point to
    section = report.sections.get("hyperparameters")
    papers = tuple(
        replace(view, compared=compared, hyperparameters=rows)
        for view in papers
        for compared, rows in [hyperparameter_rows(report.papers[view.header.name], section, code, anchors)]
    )
    status = {item.id: item.status for view in papers for section in view.sections for item in section.items}
    status.update(dict.fromkeys(_stale_items(report, anchors), "stale"))
    blueprints = tuple(
        found
        for name in sorted(report.papers)
        if (found := blueprint_view(report.papers[name], anchors, status, context.texts)) is not None
    )
    return Page(
        header=_header(report, options),
        papers=papers,
        coverage=_coverage(report, context),
        files=code_file_views(texts, lines_html, report.links, findings, finding_spans, anchors),
        findings=findings,
        rules=_rules(findings),
        gradient_stops=gradient_stop_views(report.sections.get("gradient_stops"), anchors, by_place),
        hidden_inputs=hidden_inputs_view(report.sections.get("hidden_inputs"), anchors),
        environment=environment_view(report.sections.get("environment"), anchors),
        blueprints=blueprints,
    )


def project_name(root: Path) -> str:
    """``[project] name`` of the root's pyproject.toml, else the root folder's name."""
    try:
        name = tomllib.loads(boundary.read_text(root / "pyproject.toml", root)).get("project", {}).get("name")
    except (OSError, ValueError, AttributeError):
        name = None
    return name if isinstance(name, str) and name.strip() else root.name


def _header(report: Report, options: PageOptions) -> Header:
    return Header(
        project=options.project or project_name(report.root),
        version=__version__,
        commit=options.commit,
        dirty=options.dirty and options.commit is not None,
        forge=options.forge.name if options.forge else None,
        commit_url=options.forge.commit_url if options.forge else None,
        generated_at=options.generated_at,
        papers=tuple(paper_header(report.papers[name]) for name in sorted(report.papers)),
        summary=summarize(report),
    )


def _shown_texts(report: Report, mode: str) -> dict[str, str | None]:
    """The files the code view shows, by project-relative path, with their text (None: unreadable):
    the code first, then the paper's files, each in path order. ``all``: every checked file;
    ``findings``: those with diagnostics; ``linked``: those and the files links or tables point into.

    Only files the run read (sources, paper files, environment files) can be shown, whatever a span names.
    """
    paper_files = {path for paper in report.papers.values() for path in paper.files}
    readable = set(report.checked_paths) | paper_files | environment_paths(report.sections)
    wanted = set(report.checked_paths) if mode == "all" else set()
    wanted |= {d.span.path for d in report.diagnostics}
    if mode != "findings":
        wanted |= {link.target.path for link in report.links} | section_paths(report.sections)
    texts: dict[str, str | None] = {}
    for path in sorted(wanted & readable, key=lambda path: (path in paper_files, path)):
        if path.endswith((".py", ".pyi")):
            texts[path] = read_source(report.root / path, report.root).text
        else:
            texts[path] = _read_text(report.root / path, report.root)
    return texts


def _shown_lines(report: Report, path: str, text: str) -> list[Markup]:
    if path in report.notebooks:
        try:
            return notebook_lines(read_notebook(text, path))
        except NotebookError:  # changed since the check: shown as the JSON it now is
            pass
    return source_lines(path, text)


def _read_text(path: Path, root: Path) -> str | None:
    try:
        return boundary.read_text(path, root, errors="replace")
    except OSError:
        return None


def _paper_lines(report: Report) -> dict[str, list[str]]:
    """Lines of the paper files holding algorithms, whose lines the page shows as written."""
    paths = {
        item.span.path
        for paper in report.papers.values()
        for item in paper.items
        if item.kind is ItemKind.ALGORITHM_LINE
    }
    found = {}
    for path in sorted(paths):
        text = _read_text(report.root / path, report.root)
        if text is not None:
            found[path] = split_lines(text)
    return found


def _findings(
    report: Report, anchors: Anchors, rules: Mapping[str, type[Rule]]
) -> tuple[tuple[FindingView, ...], dict[str, tuple[str, int]]]:
    findings = []
    spans = {}
    for index, diagnostic in enumerate(report.diagnostics, start=1):
        rule = rules.get(diagnostic.code)
        finding = FindingView(
            id=f"d{index}",
            code=diagnostic.code,
            name=rule.name if rule else "",
            severity=diagnostic.severity.value,
            message=diagnostic.message,
            location=anchors.code_ref(diagnostic.span.path, diagnostic.span.line),
            rule_href=f"#rule-{diagnostic.code}" if rule else None,
        )
        findings.append(finding)
        spans[finding.id] = (diagnostic.span.path, diagnostic.span.line)
    return tuple(findings), spans


def _rules(findings: tuple[FindingView, ...]) -> tuple[RuleView, ...]:
    counts = Counter(finding.code for finding in findings)
    return tuple(
        RuleView(
            f"rule-{rule.code}",
            rule.code,
            rule.name,
            rule.severity.value,
            rule.summary,
            rule.documentation(),
            counts[rule.code],
        )
        for rule in ALL_RULES
    )


def _coverage(report: Report, context: PaperContext) -> tuple[CoverageView, ...]:
    """coverage.py's index: a row per paper and kind, with the items still missing code."""
    views = []
    for row in summarize(report).coverage:
        paper = report.papers.get(row.paper)
        missing = _missing_items(paper, row.kind, context) if paper else ()
        views.append(CoverageView(row, missing))
    return tuple(views)


def _missing_items(paper: Paper, kind: str, context: PaperContext) -> tuple[Ref, ...]:
    covered = covered_keys(paper, {key for name, key in context.code if name == paper.name})
    return tuple(
        context.anchors.item_ref(paper.name, item.key)
        for item in paper.items
        if item.kind.value == kind
        and item.number is not None
        and item.key not in covered
        and not is_exempt(item, context.exempt)
    )


def generation_time(value: str | None) -> str | None:
    """``SOURCE_DATE_EPOCH`` seconds or an ISO 8601 time as ``YYYY-MM-DD HH:MM:SS UTC``.

    Raises :class:`~paperlink.errors.UsageError` for anything else.
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        moment = datetime.fromtimestamp(int(text), tz=timezone.utc) if text.isdigit() else datetime.fromisoformat(text)
    except (ValueError, OverflowError, OSError):
        raise UsageError(f"generation time '{value}' is neither seconds since the epoch nor an ISO 8601 time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def _stale_items(report: Report, anchors: Anchors) -> list[str]:
    """The element ids of the items with a link PL111 calls stale (it is reported at the link's annotation)."""
    stale = {d.span for d in report.diagnostics if d.code == "PL111"}
    return sorted(
        {
            ref.href[1:]
            for link in report.links
            if link.span in stale and (ref := anchors.item_ref(link.paper, link.item_key)).href is not None
        }
    )
