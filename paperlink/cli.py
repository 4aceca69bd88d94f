"""The command line. The only module that prints or exits.

Exit status: 0 clean, 1 diagnostics found, 2 the run was impossible (a
:class:`~paperlink.errors.PaperlinkError` or a usage error), 3 a bug in paperlink.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, TypeVar

import click

from paperlink import __version__
from paperlink.config import Config, load_config
from paperlink.diagnostics import Severity
from paperlink.errors import PaperlinkError, PaperNotFoundError, UsageError

if TYPE_CHECKING:
    from paperlink.results import Report
    from paperlink.paper import Paper
    from paperlink.runtime.result import AuditResult
    from paperlink.source.fix_writer import Change

__all__ = ["main", "cli"]

EXIT_CLEAN, EXIT_DIAGNOSTICS, EXIT_ERROR, EXIT_BUG = 0, 1, 2, 3


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="paperlink")
def cli() -> None:
    """paperlink: check that research code matches its paper."""


@cli.group()
def paper() -> None:
    """Inspect the paper model paperlink reads from LaTeX or a manifest."""


def _config_for(target: Path | None, config_file: Path | None) -> Config:
    return load_config(config_file, target or Path.cwd())


def _resolve_paper(argument: str | None, config_file: Path | None) -> Paper:
    """A paper from a configured name, or a path: a .tex, a .yaml, or a folder with a config."""
    from paperlink.paper import parse_paper

    candidate = Path(argument) if argument else None
    if candidate is not None and candidate.is_file():
        config = _config_for(candidate.parent, config_file)
        configured = next((p for p in config.papers if p.path == candidate.resolve()), None)
        name = configured.name if configured else candidate.stem
        root = config.root if config.source else Path.cwd()
        return parse_paper(candidate, name=name, root=root, edits=config.paper_hyperparameters)
    if candidate is not None and candidate.is_dir():
        config = _config_for(candidate, config_file)
        source = config.paper(None)
        return parse_paper(source.path, name=source.name, root=config.root, edits=config.paper_hyperparameters)
    config = _config_for(None, config_file)
    if argument is not None and argument not in {p.name for p in config.papers}:
        if candidate is not None and (candidate.suffix or "/" in argument):
            raise PaperNotFoundError(f"paper not found: {argument}")
    source = config.paper(argument)
    return parse_paper(source.path, name=source.name, root=config.root, edits=config.paper_hyperparameters)


@paper.command("show")
@click.argument("paper_ref", metavar="[PAPER]", required=False)
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--config", "config_file", type=click.Path(path_type=Path), help="Use this configuration file.")
def paper_show(paper_ref: str | None, output_format: str, config_file: Path | None) -> None:
    """List the paper's items: kind, printed number, label, title and where.

    PAPER is a configured paper name, a .tex main file, a .yaml manifest, or a folder
    whose configuration names the paper (default: the configured default paper).
    """
    from paperlink.paper.show import paper_to_json, paper_to_text

    model = _resolve_paper(paper_ref, config_file)
    click.echo(paper_to_json(model) if output_format == "json" else paper_to_text(model), nl=False)
    for diagnostic in model.diagnostics:
        click.echo(str(diagnostic), err=True)
    failing = [d for d in model.diagnostics if d.severity is not Severity.INFO]
    sys.exit(EXIT_DIAGNOSTICS if failing else EXIT_CLEAN)


def _format_names() -> list[str]:
    from paperlink.formats import FORMATS

    return sorted(FORMATS)


_Command = TypeVar("_Command", bound=Callable[..., Any])


def _check_options(command: _Command) -> _Command:
    """The options ``check`` and ``report`` share: what to read and which rules to run."""
    for option in reversed(
        [
            click.argument("paths", nargs=-1, type=click.Path(path_type=Path)),
            click.option(
                "--config", "config_file", type=click.Path(path_type=Path), help="Use this configuration file."
            ),
            click.option(
                "--paper",
                "paper_overrides",
                multiple=True,
                metavar="NAME=PATH",
                help="Read paper NAME from PATH instead.",
            ),
            click.option(
                "--jobs", "-j", type=click.IntRange(min=1), default=2, show_default=True, help="Worker processes."
            ),
            click.option(
                "--no-cache", is_flag=True, help="Read every file afresh; do not use or write .paperlink_cache."
            ),
            click.option(
                "--select",
                "select",
                metavar="CODES",
                help="Report only these rule codes or prefixes (comma-separated: PL1,PL201).",
            ),
            click.option(
                "--ignore",
                "ignore",
                metavar="CODES",
                help="Do not report these rule codes or prefixes (comma-separated).",
            ),
            click.option(
                "--audit",
                "audit_file",
                type=click.Path(path_type=Path),
                help="Merge a `paperlink audit` JSON file: PL901-PL904.",
            ),
            click.option(
                "--extend-exclude",
                metavar="GLOBS",
                help="Exclude these globs (comma-separated) as well as the configuration's `exclude`.",
            ),
            click.option(
                "--force-exclude",
                is_flag=True,
                help="Leave out files named on the command line that `exclude` matches (for pre-commit hooks).",
            ),
            click.option(
                "--allow-empty",
                is_flag=True,
                help="Exit 0 when there is nothing to check (no Python files and no paper) instead of 2.",
            ),
        ]
    ):
        command = option(command)
    return command


@dataclass(frozen=True)
class _Scope:
    """What the command line asked to read: option values shared by ``check`` and ``report``."""

    paths: tuple[Path, ...] = ()
    config_file: Path | None = None
    paper_overrides: tuple[str, ...] = ()
    jobs: int = 2
    select: str | None = None
    ignore: str | None = None
    no_cache: bool = False
    audit_file: Path | None = None
    extend_exclude: str | None = None
    force_exclude: bool = False
    allow_empty: bool = False


def _existing(paths: tuple[Path, ...]) -> list[Path]:
    """The paths as given, or a :class:`PaperlinkError` naming the first that does not exist."""
    for path in paths:
        if not path.exists():
            raise PaperlinkError(f"path not found: {path}")
    return list(paths)


def _load(scope: _Scope, targets: list[Path]) -> Config:
    config = load_config(scope.config_file, targets[0])
    if scope.extend_exclude:
        config = dataclasses.replace(config, exclude=(*config.exclude, *_globs(scope.extend_exclude)))
    return config


def _globs(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _named_files(targets: list[Path], config: Config, force_exclude: bool) -> tuple[list[Path], list[str]]:
    """The targets as the whole-project run reads them, and the project-relative named files.

    Folders are kept; named files become paths under the root (so discovery meets each
    once), those ``exclude`` matches left out with ``--force-exclude``.
    """
    from paperlink.source.files import excluded
    from paperlink.spans import relative_path

    folders = [target for target in targets if not _is_file(target)]
    named = []
    for target in targets:
        if _is_file(target):
            relative = relative_path(target, config.root)
            if not (force_exclude and excluded(relative, config)):
                named.append(relative)
    return folders, named


def _is_file(target: Path) -> bool:
    """A file, or the path of a stdin buffer not yet on disk (other paths must exist: see _existing)."""
    return target.is_file() or (not target.exists() and target.suffix in _SOURCE_SUFFIXES)


def _run_check(
    scope: _Scope,
    quiet: bool = False,
    show_settings: bool = False,
    show_files: bool = False,
    verbose: bool = False,
    buffer: tuple[Path, bytes] | None = None,
) -> Report | None:
    """The report for the command line's scope; None when every named file is excluded.

    With files named (as pre-commit passes them), the whole project is checked (the cache
    makes it cheap) and only the diagnostics located in those files are kept, unless one of
    them is the paper or a file the settings read: see :func:`paperlink.engine.narrow`.
    """
    from paperlink.engine import check, narrow

    selected = _codes_option("--select", scope.select)
    ignored = _codes_option("--ignore", scope.ignore) or ()
    if buffer is not None and scope.paths:
        raise click.UsageError("--stdin-filename checks stdin: give no PATHS")
    targets = [buffer[0]] if buffer is not None else _existing(scope.paths) or [Path(".")]
    config = _load(scope, targets)
    if show_settings:
        click.echo(_settings_text(config, targets, selected, ignored), nl=False)
        sys.exit(EXIT_CLEAN)
    folders, named = _named_files(targets, config, scope.force_exclude)
    if show_files:
        _show_files(config, folders, named)
    if not folders and not named:
        return None
    audit = _read_audit(scope.audit_file) if scope.audit_file is not None else None
    progress = _Progress() if not quiet and sys.stderr.isatty() else None
    sources = [config.root / path for path in named if path.endswith(_SOURCE_SUFFIXES)]
    report = check(
        config,
        [*folders, *sources] if folders else [config.root, *sources],
        _overrides(scope.paper_overrides),
        jobs=scope.jobs,
        select=selected,
        ignore=ignored,
        cache=not scope.no_cache,
        progress=progress,
        audit=audit,
        buffer=(config.root / named[0], buffer[1]) if buffer is not None and named else None,
    )
    if progress is not None:
        progress.clear()
    if verbose:
        _describe_run(config, report)
    if named and not folders:
        report = narrow(report, frozenset(named), paper_named=_names_project_file(named, report, config))
    if report.files == 0 and not report.papers and not scope.allow_empty:
        raise PaperlinkError(
            f"nothing to check: no Python files or notebooks under {', '.join(str(t) for t in targets)} and no "
            "paper configured (docs/configuration.md); --allow-empty accepts this"
        )
    return report


_SOURCE_SUFFIXES = (".py", ".ipynb")


def _show_files(config: Config, folders: list[Path], named: list[str]) -> None:
    """``--show-files``: the Python files and notebooks a run would read, one a line, and exit 0."""
    from paperlink.source.files import discover
    from paperlink.spans import relative_path

    found = {relative_path(path, config.root) for path in discover(folders, config)} if folders else set()
    found |= {path for path in named if path.endswith(_SOURCE_SUFFIXES)}
    here = _from_root(config.root)
    click.echo("".join(f"{here(path)}\n" for path in sorted(found)), nl=False)
    sys.exit(EXIT_CLEAN)


def _names_project_file(named: list[str], report: Report, config: Config) -> bool:
    """Whether a named file is read as the paper, a config file or the settings themselves."""
    from paperlink.spans import relative_path

    read = {path for paper in report.papers.values() for path in (paper.source, *paper.files)}
    read |= {path for path in report.checked_paths if not path.endswith(_SOURCE_SUFFIXES)}
    if config.source is not None:
        read.add(relative_path(config.source, config.root))
    return any(path in read for path in named if not path.endswith(_SOURCE_SUFFIXES))


def _summarize(report: Report) -> None:
    from paperlink.formats import coverage_summary

    for warning in report.warnings:
        click.echo(f"paperlink: warning: {warning}", err=True)
    summary = coverage_summary(report)
    if summary:
        click.echo(summary, err=True)
    count = len(report.diagnostics)
    click.echo(
        f"{_plural(count, 'diagnostic')} in {_plural(report.files, 'file')} and the paper",
        err=True,
    )


def _summarize_fixes(report: Report, fix: bool, unsafe_fixes: bool) -> None:
    """ruff's hint: how many diagnostics ``--fix`` would correct, and how many need ``--unsafe-fixes``."""
    fixes = [d.fix for d in report.diagnostics if d.fix is not None]
    safe = sum(f.safe for f in fixes)
    hidden = 0 if unsafe_fixes else len(fixes) - safe
    if not fix and (safe or (unsafe_fixes and fixes)):
        click.echo(f"[*] {len(fixes) if unsafe_fixes else safe} fixable with the `--fix` option", err=True)
    if hidden:
        verb = "fix can" if hidden == 1 else "fixes can"
        click.echo(f"({hidden} hidden {verb} be enabled with the `--unsafe-fixes` option)", err=True)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


@cli.command("check")
@_check_options
@click.option("--format", "output_format", type=click.Choice(_format_names()), default="text", show_default=True)
@click.option(
    "--output", "-o", "output_file", type=click.Path(path_type=Path), help="Write the report here instead of stdout."
)
@click.option(
    "--report",
    "html_file",
    type=click.Path(path_type=Path),
    help="Also write the HTML report (as `paperlink report`) here.",
)
@click.option(
    "--output-format",
    "text_style",
    type=click.Choice(["full", "concise"]),
    default="full",
    show_default=True,
    help="With --format text: full shows the severity, source line and a caret under each diagnostic; "
    "concise, one line each.",
)
@click.option("--quiet", "-q", is_flag=True, help="Print no summary on stderr.")
@click.option("--verbose", "-v", is_flag=True, help="Also print on stderr the configuration file and the papers read.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when diagnostics are found (errors still exit 2).")
@click.option("--show-files", is_flag=True, help="Print the Python files and notebooks this run would check, and exit.")
@click.option(
    "--stdin-filename",
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="PATH",
    help="Check the Python text on stdin as the file PATH of its project (an editor's unsaved buffer).",
)
@click.option(
    "--add-noqa",
    is_flag=True,
    help="Write `# paperlink: ignore[CODES] TODO: explain` on each line with diagnostics, and exit 0.",
)
@click.option("--fix", is_flag=True, help="Apply the safe fixes, then report what is left.")
@click.option("--diff", is_flag=True, help="Print the fixes as a unified diff and write nothing (exit 1 if any).")
@click.option("--unsafe-fixes", is_flag=True, help="With --fix or --diff: apply the unsafe fixes too (guesses).")
@click.option(
    "--fail-under",
    type=click.FloatRange(0, 100),
    default=None,
    metavar="PERCENT",
    help="Exit 1 when less than PERCENT of the paper's items have implementing code.",
)
@click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour the text output (auto: on a terminal, unless NO_COLOR is set).",
)
@click.option("--statistics", is_flag=True, help="Print the number of diagnostics per rule instead of the diagnostics.")
@click.option("--show-settings", is_flag=True, help="Print the settings this run would use, and exit.")
def check_command(
    output_format: str,
    output_file: Path | None,
    quiet: bool,
    fail_under: float | None,
    html_file: Path | None,
    color: str,
    statistics: bool,
    show_settings: bool,
    text_style: str,
    verbose: bool,
    exit_zero: bool,
    show_files: bool,
    stdin_filename: Path | None,
    add_noqa: bool,
    fix: bool,
    diff: bool,
    unsafe_fixes: bool,
    **scope: Any,
) -> None:
    """Check annotations in PATHS (default: the current folder) against the paper.

    Named files (as pre-commit passes them) are checked with the whole project: only the
    diagnostics located in them are reported, or every one when a named file is the paper
    or a file the settings read (docs/check.md).
    """
    from paperlink.formats import FORMATS, report_to_text, statistics_json
    from paperlink.formats import statistics as count_by_code
    from paperlink.full_text import line_reader, report_to_full_text

    for written in (output_file, html_file):
        _require_folder(written)
    if quiet and verbose:
        raise click.UsageError("--quiet and --verbose cannot be used together")
    if add_noqa and stdin_filename is not None:
        raise click.UsageError("--add-noqa writes files: it cannot be used with --stdin-filename")
    if (fix or diff) and (stdin_filename is not None or add_noqa):
        other = "--stdin-filename" if stdin_filename is not None else "--add-noqa"
        raise click.UsageError(f"--fix and --diff cannot be used with {other}")
    when = _generation_time(None) if html_file is not None else None
    buffer = _stdin_buffer(stdin_filename) if stdin_filename is not None else None
    report = _run_check(_Scope(**scope), quiet, show_settings, show_files, verbose, buffer)
    if report is None:
        if not quiet:
            click.echo("nothing to check: every named file is excluded (--force-exclude)", err=True)
        sys.exit(EXIT_CLEAN)
    if add_noqa:
        _add_noqa(report)
    if diff:
        _diff(report, unsafe_fixes, quiet)
    fixed = 0
    if fix:
        report, fixed = _fix(report, _Scope(**scope), unsafe_fixes)
    painted = output_format == "text" and output_file is None and not statistics and _use_color(color)
    if statistics:
        text = statistics_json(report) if output_format == "json" else count_by_code(report)
    elif output_format == "text" and text_style == "full":
        reader = line_reader(report.root, {report.checked_paths[0]: buffer[1]} if buffer else None)
        text = report_to_full_text(report, reader, _paint if painted else None, _from_here(report))
    elif output_format == "text":
        text = report_to_text(report, _paint if painted else None, _from_here(report))
    else:
        text = FORMATS[output_format](report)
    if output_file is not None:
        _write(output_file, text)
    else:
        click.echo(text, nl=False, color=painted or None)
    if html_file is not None:
        _write_html(report, html_file, when, include_code="linked")
    if not quiet:
        _summarize(report)
        if fix:
            left = len(report.diagnostics)
            click.echo(f"Found {_plural(fixed + left, 'diagnostic')} ({fixed} fixed, {left} remaining)", err=True)
        _summarize_fixes(report, fix, unsafe_fixes)
    below = _below(report, fail_under, bool(scope["paths"]))
    sys.exit(EXIT_DIAGNOSTICS if (report.failing or below) and not exit_zero else EXIT_CLEAN)


def _describe_run(config: Config, report: Report) -> None:
    """``--verbose``: where the settings and the papers came from, on stderr."""
    click.echo(f"configuration: {config.source or '(none: defaults)'} (root {config.root})", err=True)
    for name, paper in sorted(report.papers.items()):
        click.echo(f"paper {name}: {_plural(len(paper.items), 'item')} read from {paper.source}", err=True)


def _stdin_buffer(path: Path) -> tuple[Path, bytes]:
    """``--stdin-filename``: the path and the bytes read from stdin."""
    if path.suffix not in _SOURCE_SUFFIXES:
        raise click.UsageError(f"--stdin-filename takes a Python file or notebook (.py, .ipynb), got {path}")
    return path, click.get_binary_stream("stdin").read()


def _add_noqa(report: Report) -> None:
    """``--add-noqa``: suppress each diagnostic in a Python file where it is reported, and exit 0."""
    from paperlink.formats import report_to_text
    from paperlink.source.suppression_writer import PLACEHOLDER, add_to_files

    added = add_to_files(report.root, report.diagnostics)
    click.echo(
        f"added {_plural(added.suppressions, 'suppression')} ('{PLACEHOLDER}' as the reason) "
        f"to {_plural(added.files, 'file')}",
        err=True,
    )
    if added.left:
        left = report_to_text(dataclasses.replace(report, diagnostics=added.left), None, _from_here(report))
        click.echo(
            f"{_plural(len(added.left), 'diagnostic')} cannot be suppressed by a comment"
            f" (`per-file-ignores` or `ignore` can turn them off):\n{left}",
            err=True,
            nl=False,
        )
    sys.exit(EXIT_CLEAN)


_FIX_ROUNDS = 10  # fixes whose edits overlap wait for the next round; each round checks again


def _fix(report: Report, scope: _Scope, unsafe: bool) -> tuple[Report, int]:
    """``--fix``: write the fixes, check again, until nothing is left to fix; the last
    report and how many fixes were applied.

    References stale after a renumbering (PL111) are rewritten first, on their own, and
    their new numbers recorded in paperlink.lock; later rounds leave PL111 alone, so a
    number is never rewritten twice (a swap of two sections would otherwise swap back).
    """
    from paperlink.lock import follow_renumbering
    from paperlink.source.fix_writer import plan_fixes

    fixed = 0
    renumbered = [d for d in report.diagnostics if d.code == "PL111"]
    changes = _write_fixes(report.root, plan_fixes(report.root, renumbered, unsafe=unsafe))
    if changes:
        fixed += sum(len(change.fixes) for change in changes)
        report = _check_again(scope)
        follow_renumbering(report, [edit for change in changes for fix in change.fixes for edit in fix.edits])
        report = _check_again(scope)
    for _ in range(_FIX_ROUNDS):
        rest = [d for d in report.diagnostics if d.code != "PL111"]
        changes = _write_fixes(report.root, plan_fixes(report.root, rest, unsafe=unsafe))
        if not changes:
            break
        fixed += sum(len(change.fixes) for change in changes)
        report = _check_again(scope)
    return report, fixed


def _write_fixes(root: Path, changes: list[Change]) -> list[Change]:
    """Write the changes; say which files were left alone because they changed meanwhile."""
    from paperlink.source.fix_writer import write_changes

    written, skipped = write_changes(root, changes)
    for path in skipped:
        click.echo(f"{path} changed while it was being fixed: left alone", err=True)
    return written


def _check_again(scope: _Scope) -> Report:
    report = _run_check(scope, quiet=True)
    assert report is not None  # the same scope found files a moment ago
    return report


def _diff(report: Report, unsafe: bool, quiet: bool) -> None:
    """``--diff``: print what ``--fix`` would change as a unified diff; exit 1 when it would."""
    from paperlink.source.fix_writer import plan_fixes, unified_diff

    changes = plan_fixes(report.root, report.diagnostics, unsafe=unsafe)
    click.echo(unified_diff(changes), nl=False)
    if not quiet:
        count = sum(len(change.fixes) for change in changes)
        click.echo(f"Would fix {_plural(count, 'diagnostic')} in {_plural(len(changes), 'file')}", err=True)
    sys.exit(EXIT_DIAGNOSTICS if changes else EXIT_CLEAN)


def _below(report: Report, fail_under: float | None, named: bool) -> bool:
    """Whether coverage is under ``--fail-under`` (said on stderr); never for named files."""
    if fail_under is None:
        return False
    covered = report.coverage_percent()
    if covered is None:
        if named and not report.coverage:
            click.echo(
                "--fail-under does not apply to named files: coverage is measured over the whole project", err=True
            )
        return False
    if covered < fail_under:
        click.echo(f"coverage {covered:.1f}% is under --fail-under {fail_under:g}%", err=True)
        return True
    return False


def _from_here(report: Report) -> Callable[[str], str]:
    """Project-relative paths as paths from the current folder, where that is inside the project
    or the project inside it (clickable from a sub-folder, as ruff's); else as they are."""
    return _from_root(report.root)


def _from_root(project_root: Path) -> Callable[[str], str]:
    try:
        here, root = Path.cwd().resolve(), project_root.resolve()
    except OSError:
        return lambda path: path
    if here == root or not (here.is_relative_to(root) or root.is_relative_to(here)):
        return lambda path: path

    def rebase(path: str) -> str:
        if Path(path).is_absolute():
            return path
        return Path(os.path.relpath(root / path, here)).as_posix()

    return rebase


def _require_folder(output_file: Path | None) -> None:
    """Fail before any work when an output file's folder does not exist (nothing is written)."""
    if output_file is not None and not output_file.parent.is_dir():
        raise PaperlinkError(f"cannot write {output_file}: No such file or directory")


def _write(output_file: Path, text: str) -> None:
    try:
        output_file.write_text(text, encoding="utf-8")
    except OSError as error:
        raise PaperlinkError(f"cannot write {output_file}: {error.strerror or error}") from None


_COLORS: dict[str, dict[str, Any]] = {
    "location": {"bold": True},
    "error": {"fg": "red", "bold": True},
    "warning": {"fg": "yellow", "bold": True},
    "info": {"fg": "cyan"},
}


def _paint(text: str, role: str) -> str:
    return click.style(text, **_COLORS.get(role, {}))


def _use_color(choice: str) -> bool:
    """``always``/``never`` as asked; ``auto`` on a terminal unless NO_COLOR is set (no-color.org)."""
    if choice != "auto":
        return choice == "always"
    return not os.environ.get("NO_COLOR") and sys.stdout.isatty()


class _Progress:
    """``checking 120/498 files`` on stderr, rewritten in place; only on a terminal."""

    def __init__(self) -> None:
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        if total >= 50 and (done % 10 == 0 or done == total):
            click.echo(f"\rchecking {done}/{total} files", err=True, nl=False)
            self.shown = True

    def clear(self) -> None:
        if self.shown:
            click.echo("\r\033[K", err=True, nl=False)


def _settings_text(config: Config, targets: list[Path], select: tuple[str, ...] | None, ignore: tuple[str, ...]) -> str:
    """The resolved settings, one ``key = value`` per line (ruff's ``--show-settings``)."""
    lines = [
        f"config file = {config.source if config.source else '(none: defaults)'}",
        f"root = {config.root}",
        f"targets = {[str(t) for t in targets]}",
        *(f"paper {p.name} = {p.path}" for p in config.papers),
        f"default-paper = {config.default_paper}",
        f"include = {list(config.include)}",
        f"exclude = {list(config.exclude)}",
        f"coverage = {list(config.coverage_kinds)}",
        f"not-implemented = {sorted(config.not_implemented)}",
        f"config-files = {list(config.config_files)}",
        f"select = {list(select) if select is not None else (list(config.select) if config.select is not None else 'all rules')}",
        f"ignore = {sorted({*config.ignore, *ignore})}",
        f"extend-select = {list(config.extend_select)}",
        f"per-file-ignores = {dict((glob, list(codes)) for glob, codes in config.per_file_ignores)}",
    ]
    return "".join(f"{line}\n" for line in lines)


@cli.command("report")
@_check_options
@click.option(
    "--output",
    "-o",
    "output_file",
    type=click.Path(path_type=Path),
    default=Path("paperlink-report.html"),
    show_default=True,
    help="Write the HTML page here.",
)
@click.option(
    "--generated-at",
    metavar="TIME",
    help="Show this time (ISO 8601 or seconds since the epoch) as the generation time; default: $SOURCE_DATE_EPOCH, else none.",
)
@click.option(
    "--include-code",
    type=click.Choice(["all", "linked", "findings"]),
    default="linked",
    show_default=True,
    help="Code the page embeds: every checked file whole; the lines links, findings and tables point at "
    "(with the paper lines shown), a few lines around each; or only the lines with findings.",
)
@click.option("--all-files", is_flag=True, help="The same as --include-code all.")
@click.option("--quiet", "-q", is_flag=True, help="Print no summary on stderr.")
def report_command(
    output_file: Path, generated_at: str | None, include_code: str, all_files: bool, quiet: bool, **scope: Any
) -> None:
    """Write the paper-to-code report of PATHS as one self-contained HTML file.

    Exit status 0 once the page is written, whatever it shows; `paperlink check --report`
    writes the same page and keeps check's exit status.
    """
    _require_folder(output_file)
    when = _generation_time(generated_at)
    report = _run_check(_Scope(**scope), quiet)
    if report is None:
        if not quiet:
            click.echo("nothing to check: every named file is excluded (--force-exclude); no report written", err=True)
        sys.exit(EXIT_CLEAN)
    _write_html(report, output_file, when, include_code="all" if all_files else include_code)
    if not quiet:
        _summarize(report)
        click.echo(f"wrote {output_file}", err=True)


def _generation_time(option: str | None) -> str | None:
    """The time the page shows: the option, else ``SOURCE_DATE_EPOCH``, else none (reproducible)."""
    from paperlink.report.page import generation_time

    return generation_time(option if option is not None else os.environ.get("SOURCE_DATE_EPOCH"))


def _write_html(report: Report, output_file: Path, when: str | None, *, include_code: str) -> None:
    from paperlink.report import render_html
    from paperlink.report.page import PageOptions, git_commit, git_dirty, git_forge

    commit, dirty = git_commit(report.root), git_dirty(report.root)
    options = PageOptions(
        generated_at=when,
        commit=commit,
        dirty=dirty,
        include_code=include_code,
        # with uncommitted changes the page's line numbers need not be those at the commit
        forge=None if dirty else git_forge(report.root, commit),
    )
    try:
        output_file.write_text(render_html(report, options), encoding="utf-8")
    except OSError as error:
        raise PaperlinkError(f"cannot write {output_file}: {error.strerror or error}") from None


def _read_audit(path: Path) -> AuditResult:
    from paperlink.runtime.result import audit_from_json

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot read the audit file {path}: {error.strerror or error}") from None
    return audit_from_json(text)


@cli.command("audit")
@click.argument("entry")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default=None,
    help="Output format  [default: json with --output, else text]",
)
@click.option(
    "--output", "-o", "output_file", type=click.Path(path_type=Path), help="Write the audit here instead of stdout."
)
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Seed for Python's, torch's and numpy's generators."
)
@click.option(
    "--group-depth",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Module-path parts that name a gradient-norm group.",
)
def audit_command(entry: str, output_format: str | None, output_file: Path | None, seed: int, group_depth: int) -> None:
    """Run ENTRY once on CPU and report where its gradients stop.

    ENTRY is module:function or path/to/file.py:function, called with no arguments: it
    returns the loss (the audit calls backward()) or runs a whole step itself and returns
    None. `paperlink check --audit FILE` puts the JSON result beside the static map.
    """
    from paperlink.runtime.diagnostics import audit_diagnostics
    from paperlink.runtime.entry import hide_accelerators, run_entry
    from paperlink.runtime.result import audit_to_json
    from paperlink.runtime.show import audit_to_text

    _require_folder(output_file)
    hide_accelerators()
    result = run_entry(entry, seed=seed, group_depth=group_depth)
    diagnostics = audit_diagnostics(result)
    chosen = output_format or ("json" if output_file is not None else "text")
    if chosen == "json":
        text = audit_to_json(result, [diagnostic.to_dict() for diagnostic in diagnostics])
    else:
        text = audit_to_text(result, diagnostics)
    if output_file is not None:
        _write(output_file, text)
        click.echo(
            f"{len(result.events)} stops and exits from autograd, {_plural(len(diagnostics), 'diagnostic')}; wrote {output_file}",
            err=True,
        )
    else:
        click.echo(text, nl=False)
    sys.exit(EXIT_DIAGNOSTICS if any(d.severity is not Severity.INFO for d in diagnostics) else EXIT_CLEAN)


def _codes_option(flag: str, value: str | None) -> tuple[str, ...] | None:
    """``--select PL1,PL201`` as codes, checked against the rules before anything is read."""
    from paperlink.codes import require_known, split_codes

    if value is None:
        return None
    codes = split_codes(value)
    if not codes:
        raise UsageError(f"{flag} expects comma-separated rule codes or prefixes such as PL1,PL201, got '{value}'")
    require_known(codes, flag, UsageError)
    return codes


def _overrides(values: tuple[str, ...]) -> dict[str, Path]:
    overrides = {}
    for value in values:
        name, equals, path = value.partition("=")
        if not equals or not name or not path:
            raise PaperlinkError(f"--paper expects NAME=PATH, got '{value}'")
        overrides[name] = Path(path)
    return overrides


HPARAMS_FORMATS = (
    "csv",
    "json",
    "markdown",
    "text",
)  # the keys of hyperparameter_formats.TABLE_FORMATS (a test keeps them equal)


@cli.command("hparams")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "output_format", type=click.Choice(HPARAMS_FORMATS), default="text", show_default=True)
@click.option("--config", "config_file", type=click.Path(path_type=Path), help="Use this configuration file.")
@click.option(
    "--paper", "paper_overrides", multiple=True, metavar="NAME=PATH", help="Read paper NAME from PATH instead."
)
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=2, show_default=True, help="Worker processes.")
@click.option("--no-cache", is_flag=True, help="Read every file afresh; do not use or write .paperlink_cache.")
def hparams_command(
    paths: tuple[Path, ...],
    output_format: str,
    config_file: Path | None,
    paper_overrides: tuple[str, ...],
    jobs: int,
    no_cache: bool,
) -> None:
    """Print every hyperparameter: the paper's value beside each place the code sets it."""
    from paperlink.analysis.hyperparameters import HYPERPARAMETERS
    from paperlink.engine import check
    from paperlink.hyperparameter_formats import TABLE_FORMATS

    targets = _existing(paths) or [Path(".")]
    config = load_config(config_file, targets[0])
    report = check(
        config,
        targets,
        _overrides(paper_overrides),
        jobs=jobs,
        select=list(HYPERPARAMETERS.codes),
        cache=not no_cache,
    )
    click.echo(TABLE_FORMATS[output_format](report.sections.get(HYPERPARAMETERS.name, [])), nl=False)


@cli.command("suggest")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format", "output_format", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True
)
@click.option("--config", "config_file", type=click.Path(path_type=Path), help="Use this configuration file.")
@click.option("--paper", "paper_name", help="The configured paper to suggest links to (default: the default paper).")
@click.option("--top", type=click.IntRange(1, 20), default=3, show_default=True, help="Targets shown per item.")
@click.option("--min-score", type=click.FloatRange(0, 1), default=None, help="Score --write needs [default: 0.6].")
@click.option("--write", is_flag=True, help="Insert the suggestions scoring at least --min-score as # paper: comments.")
@click.option("--interactive", "-i", is_flag=True, help="Accept or skip each suggestion in the terminal, then write.")
def suggest_command(
    paths: tuple[Path, ...],
    output_format: str,
    config_file: Path | None,
    paper_name: str | None,
    top: int,
    min_score: float | None,
    write: bool,
    interactive: bool,
) -> None:
    """Rank, for each paper item, the code most likely to implement it (docs/suggest.md)."""
    from paperlink.suggest import DEFAULT_MIN_SCORE, accepted
    from paperlink.suggest.formats import SUGGEST_FORMATS
    from paperlink.suggest.project import suggest_project
    from paperlink.suggest.write import apply, plan, reference

    targets = _existing(paths) or [Path(".")]
    config = load_config(config_file, targets[0])
    threshold = DEFAULT_MIN_SCORE if min_score is None else min_score
    found = suggest_project(config, targets, paper_name, top)
    chosen = accepted(found.suggestions, threshold)
    if interactive:
        chosen = [
            (ranking, candidate)
            for ranking, candidate in chosen
            if click.confirm(
                f"{candidate.target.path}:{candidate.target.line}: # paper: {reference(ranking.item, found.paper)}"
                f"  ({candidate.score:.2f}: {'; '.join(candidate.evidence)})",
                default=True,
                err=True,
            )
        ]
    else:
        click.echo(SUGGEST_FORMATS[output_format](found.suggestions, threshold), nl=False)
    if write or interactive:
        insertions = plan(chosen, found.paper, found.texts)
        written, skipped = apply(insertions, config.root, found.texts)
        for path in skipped:
            click.echo(f"{path}: changed since it was read (or not UTF-8); not written", err=True)
        click.echo(f"wrote {_plural(len(insertions), 'annotation')} in {_plural(len(written), 'file')}", err=True)


@cli.command("lock")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--update", is_flag=True, help="Accept the current state: rewrite paperlink.lock.")
@click.option("--check", "check_only", is_flag=True, help="Exit 1 when paperlink.lock is not up to date.")
@click.option("--config", "config_file", type=click.Path(path_type=Path), help="Use this configuration file.")
def lock_command(paths: tuple[Path, ...], update: bool, check_only: bool, config_file: Path | None) -> None:
    """Record what each link points at in paperlink.lock, for stale-link checks (PL111)."""
    from paperlink.engine import check
    from paperlink.lock import LOCK_FILE, read_lock, render_lock

    if check_only and update:
        raise click.UsageError(
            "--check and --update cannot be used together: --check reads the lock, --update writes it"
        )
    targets = _existing(paths) or [Path(".")]
    config = load_config(config_file, targets[0])
    lock_file = config.root / LOCK_FILE
    if lock_file.is_symlink():  # never read through, nor written through (docs/security.md)
        raise PaperlinkError(f"{LOCK_FILE} is a symbolic link: paperlink neither reads nor writes a lock through one")
    report = check(config, targets, jobs=2, cache=True)
    previous = read_lock(lock_file) if lock_file.is_file() else {}
    checked = set(report.checked_paths)
    kept = [entry for entry in previous.values() if entry.path not in checked]  # files not read this time
    text = render_lock([*kept, *report.locked])
    current = lock_file.read_text(encoding="utf-8") if lock_file.is_file() else None
    if check_only:
        if current != text:
            click.echo(f"{LOCK_FILE} is not up to date; run `paperlink lock --update`", err=True)
            sys.exit(EXIT_DIAGNOSTICS)
        sys.exit(EXIT_CLEAN)
    if current is not None and not update:
        raise PaperlinkError(f"{LOCK_FILE} exists; `paperlink lock --update` accepts the current state")
    _write(lock_file, text)
    click.echo(f"wrote {_plural(len(report.locked) + len(kept), 'link')} to {lock_file}", err=True)


@cli.command("server")
def server_command() -> None:
    """Run the language server over stdin and stdout, for editors.

    Diagnostics as `check` reports them (on open, change and save), hover on a reference,
    go to the paper's \\label, find the code linking a label, completion after `# paper:`
    and quick fixes. Needs the `lsp` extra: pip install 'paperlink[lsp]'. See docs/editor.md.
    """
    try:
        from paperlink.server import serve
    except ImportError as missing:
        raise UsageError(
            f"paperlink server needs the lsp extra ({(missing.name or 'pygls').partition('.')[0]} is missing): pip install 'paperlink[lsp]'"
        ) from None
    serve()


@cli.command("rule")
@click.argument("code", required=False)
@click.option("--all", "show_all", is_flag=True, help="Print every rule's documentation (docs/rules.md).")
def rule(code: str | None, show_all: bool) -> None:
    """Explain a rule, by code (PL201) or name."""
    from paperlink.rules import RETIRED_CODES, rule_by_code, rule_markdown, rules_markdown

    if show_all:
        click.echo(rules_markdown(), nl=False)
        return
    if not code:
        raise click.UsageError("give a rule code (e.g. PL010) or --all")
    found = rule_by_code(code)
    if found is None and code.strip().upper() in RETIRED_CODES:
        click.echo(f"{code.strip().upper()} was retired: {RETIRED_CODES[code.strip().upper()]}")
        return
    if found is None:
        raise PaperlinkError(f"unknown rule '{code}'; `paperlink rule --all` lists them")
    click.echo(rule_markdown(found), nl=False)


@cli.command("init")
@click.argument("folder", required=False, default=".", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--paper",
    "paper_file",
    type=click.Path(path_type=Path),
    help="The paper's LaTeX main file or YAML manifest (default: found under FOLDER).",
)
@click.option("--name", help="The paper's name in the configuration (default: from its folder or file name).")
@click.option("--force", is_flag=True, help="Replace an existing [tool.paperlink] table.")
def init_command(folder: Path, paper_file: Path | None, name: str | None, force: bool) -> None:
    """Set up paperlink in FOLDER: find the paper, write [tool.paperlink], suggest annotations."""
    from paperlink.paper import parse_paper
    from paperlink.scaffold import config_table, find_main_tex, paper_name, suggest_annotations, write_config
    from paperlink.suggest.project import suggest_project

    candidates = [paper_file] if paper_file is not None else find_main_tex(folder)
    if not candidates:
        raise PaperNotFoundError(
            f"no LaTeX main file (\\documentclass with \\begin{{document}}) under {folder}; "
            "give one with --paper, or write a YAML manifest (see docs/manifest.md) and pass it with --paper"
        )
    main_file = candidates[0]
    name = name or paper_name(main_file, folder)
    table = config_table(folder, main_file, name)
    written = write_config(folder, table, force)
    click.echo(table, nl=False)
    click.echo(f"wrote [tool.paperlink] to {written}", err=True)
    for other in candidates[1:4]:
        click.echo(f"another candidate main file: {other} (use --paper to choose it)", err=True)
    config = load_config(written)
    paper = parse_paper(config.papers[0].path, name=name, root=config.root)
    suggestions = suggest_annotations(suggest_project(config, [config.root], name, 3).suggestions, paper)
    click.echo(
        f"\npaper '{name}': {len(paper.items)} items; suggested first annotations:"
        if suggestions
        else f"\npaper '{name}': {len(paper.items)} items"
    )
    for suggestion in suggestions:
        click.echo(f"  {suggestion}")
    click.echo("\nnext: add annotations (docs/annotations.md), then `paperlink check` and `paperlink report`")


def main(argv: list[str] | None = None) -> None:
    """Run the CLI with one error boundary: user errors exit 2, bugs exit 3."""
    try:
        cli.main(args=argv, prog_name="paperlink", standalone_mode=False)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.ClickException as error:
        error.show()
        sys.exit(EXIT_ERROR)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(EXIT_ERROR)
    except PaperlinkError as error:
        click.echo(f"paperlink: error: {error}", err=True)
        sys.exit(EXIT_ERROR)
    except (KeyboardInterrupt, BrokenPipeError):
        sys.exit(EXIT_ERROR)
    except SystemExit:
        raise
    except Exception:  # noqa: BLE001 - the one place that turns a bug into exit 3
        click.echo(traceback.format_exc(), err=True)
        click.echo(
            f"paperlink {__version__} crashed; this is a bug. Please report it with the traceback above.",
            err=True,
        )
        sys.exit(EXIT_BUG)
    sys.exit(EXIT_CLEAN)
