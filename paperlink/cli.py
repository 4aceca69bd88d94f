"""The command line. The only module that prints or exits.

Exit status: 0 clean, 1 diagnostics found, 2 the run was impossible (a
:class:`~paperlink.errors.PaperlinkError` or a usage error), 3 a bug in paperlink.
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path

import click

from paperlink import __version__
from paperlink.config import Config, load_config
from paperlink.diagnostics import Severity
from paperlink.errors import PaperlinkError, PaperNotFoundError, UsageError

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


def _resolve_paper(argument: str | None, config_file: Path | None):
    """A paper from a configured name, or a path: a .tex, a .yaml, or a folder with a config."""
    from paperlink.paper import parse_paper

    candidate = Path(argument) if argument else None
    if candidate is not None and candidate.is_file():
        config = _config_for(candidate.parent, config_file)
        configured = next((p for p in config.papers if p.path == candidate.resolve()), None)
        name = configured.name if configured else candidate.stem
        root = config.root if config.source else Path.cwd()
        return parse_paper(candidate, name=name, root=root)
    if candidate is not None and candidate.is_dir():
        config = _config_for(candidate, config_file)
        source = config.paper(None)
        return parse_paper(source.path, name=source.name, root=config.root)
    config = _config_for(None, config_file)
    if argument is not None and argument not in {p.name for p in config.papers}:
        if candidate is not None and (candidate.suffix or "/" in argument):
            raise PaperNotFoundError(f"paper not found: {argument}")
    source = config.paper(argument)
    return parse_paper(source.path, name=source.name, root=config.root)


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


@cli.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "output_format", type=click.Choice(_format_names()), default="text", show_default=True)
@click.option("--config", "config_file", type=click.Path(path_type=Path), help="Use this configuration file.")
@click.option("--paper", "paper_overrides", multiple=True, metavar="NAME=PATH", help="Read paper NAME from PATH instead.")
@click.option("--output", "-o", "output_file", type=click.Path(path_type=Path), help="Write the report here instead of stdout.")
@click.option("--quiet", "-q", is_flag=True, help="Print no summary on stderr.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=2, show_default=True, help="Worker processes.")
@click.option("--no-cache", is_flag=True, help="Read every file afresh; do not use or write .paperlink_cache.")
@click.option(
    "--fail-under", type=click.FloatRange(0, 100), default=None, metavar="PERCENT",
    help="Exit 1 when less than PERCENT of the paper's items have implementing code.",
)
@click.option("--select", "select", metavar="CODES", help="Report only these rule codes or prefixes (comma-separated: PL1,PL201).")
@click.option("--ignore", "ignore", metavar="CODES", help="Do not report these rule codes or prefixes (comma-separated).")
def check_command(
    paths: tuple[Path, ...], output_format: str, config_file: Path | None,
    paper_overrides: tuple[str, ...], output_file: Path | None, quiet: bool, jobs: int,
    select: str | None, ignore: str | None, fail_under: float | None, no_cache: bool,
) -> None:
    """Check annotations in PATHS (default: the current folder) against the paper."""
    from paperlink.engine import check
    from paperlink.formats import FORMATS, coverage_summary

    selected = _codes_option("--select", select)
    ignored = _codes_option("--ignore", ignore) or ()
    targets = list(paths) or [Path(".")]
    config = load_config(config_file, targets[0])
    report = check(config, targets, _overrides(paper_overrides), jobs=jobs, select=selected, ignore=ignored, cache=not no_cache)
    text = FORMATS[output_format](report)
    if output_file is not None:
        output_file.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
    if not quiet:
        summary = coverage_summary(report)
        if summary:
            click.echo(summary, err=True)
        count = len(report.diagnostics)
        click.echo(f"{count} diagnostic{'s' if count != 1 else ''} in {report.files} file{'s' if report.files != 1 else ''} and the paper", err=True)
    covered = report.coverage_percent()
    below = fail_under is not None and covered is not None and covered < fail_under
    if below:
        click.echo(f"coverage {covered:.1f}% is under --fail-under {fail_under:g}%", err=True)
    sys.exit(EXIT_DIAGNOSTICS if report.failing or below else EXIT_CLEAN)


def _codes_option(flag: str, value: str | None) -> tuple[str, ...] | None:
    """``--select PL1,PL201`` as codes, checked against the rules before anything is read."""
    from paperlink.selection import require_known, split_codes

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


HPARAMS_FORMATS = ("csv", "json", "markdown", "text")  # the keys of render.TABLE_FORMATS (a test keeps them equal)


@cli.command("hparams")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "output_format", type=click.Choice(HPARAMS_FORMATS), default="text", show_default=True)
@click.option("--config", "config_file", type=click.Path(path_type=Path), help="Use this configuration file.")
@click.option("--paper", "paper_overrides", multiple=True, metavar="NAME=PATH", help="Read paper NAME from PATH instead.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=2, show_default=True, help="Worker processes.")
@click.option("--no-cache", is_flag=True, help="Read every file afresh; do not use or write .paperlink_cache.")
def hparams_command(
    paths: tuple[Path, ...], output_format: str, config_file: Path | None,
    paper_overrides: tuple[str, ...], jobs: int, no_cache: bool,
) -> None:
    """Print every hyperparameter: the paper's value beside each place the code sets it."""
    from paperlink.analysis.hyperparameters import HYPERPARAMETERS
    from paperlink.analysis.hyperparameters.render import TABLE_FORMATS
    from paperlink.engine import check

    targets = list(paths) or [Path(".")]
    config = load_config(config_file, targets[0])
    report = check(
        config, targets, _overrides(paper_overrides), jobs=jobs, select=list(HYPERPARAMETERS.codes), cache=not no_cache,
    )
    click.echo(TABLE_FORMATS[output_format](report.sections.get(HYPERPARAMETERS.name, [])), nl=False)


@cli.command("lock")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--update", is_flag=True, help="Accept the current state: rewrite paperlink.lock.")
@click.option("--check", "check_only", is_flag=True, help="Exit 1 when paperlink.lock is not up to date.")
@click.option("--config", "config_file", type=click.Path(path_type=Path), help="Use this configuration file.")
def lock_command(paths: tuple[Path, ...], update: bool, check_only: bool, config_file: Path | None) -> None:
    """Record what each link points at in paperlink.lock, for stale-link checks (PL111)."""
    from paperlink.engine import check
    from paperlink.lock import LOCK_FILE, read_lock, render_lock

    targets = list(paths) or [Path(".")]
    config = load_config(config_file, targets[0])
    report = check(config, targets, jobs=2, cache=True)
    lock_file = config.root / LOCK_FILE
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
    lock_file.write_text(text, encoding="utf-8")
    click.echo(f"wrote {len(report.locked) + len(kept)} links to {lock_file}", err=True)


@cli.command("rule")
@click.argument("code", required=False)
@click.option("--all", "show_all", is_flag=True, help="Print every rule's documentation (docs/rules.md).")
def rule(code: str | None, show_all: bool) -> None:
    """Explain a rule, by code (PL201) or name."""
    from paperlink.rules import rule_by_code, rule_markdown, rules_markdown

    if show_all:
        click.echo(rules_markdown(), nl=False)
        return
    if not code:
        raise click.UsageError("give a rule code (e.g. PL010) or --all")
    found = rule_by_code(code)
    if found is None:
        raise PaperlinkError(f"unknown rule '{code}'; `paperlink rule --all` lists them")
    click.echo(rule_markdown(found), nl=False)


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
