"""`paperlink report` and `check --report`: the file, exit statuses, and byte-stable output."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from paperlink.cli import cli, main
from tests.samples import copy_sample

ROOT = Path(__file__).resolve().parents[2]


def _copy_sample(tmp_path: Path, name: str, extra_files: int = 0) -> Path:
    project = tmp_path / name
    copy_sample(name, project)
    for index in range(extra_files):  # enough files for check to use worker processes
        (project / "src" / f"extra_{index:02d}.py").write_text(
            f'"""Helper {index}."""\n\n\ndef helper_{index}(x):\n    return x * {index}  # paper: eq:huber\n',
            encoding="utf-8",
        )
    return project


def test_report_writes_one_page_and_exits_zero(tmp_path: Path) -> None:
    project = _copy_sample(tmp_path, "dqn")
    output = tmp_path / "out.html"
    result = CliRunner().invoke(cli, ["report", str(project), "-o", str(output), "--no-cache"])
    assert result.exit_code == 0, result.output
    assert f"wrote {output}" in result.stderr
    html = output.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "Periodic Target Synchronisation" in html
    assert "not a git repository" in html and "generated</dt>" not in html


def test_report_default_output_name(tmp_path: Path, monkeypatch) -> None:
    project = _copy_sample(tmp_path, "simsiam")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["report", str(project), "-q", "--no-cache"])
    assert result.exit_code == 0 and result.stderr == ""
    assert (tmp_path / "paperlink-report.html").is_file()


def test_check_report_keeps_checks_exit_status(tmp_path: Path) -> None:
    project = _copy_sample(tmp_path, "simsiam")
    output = tmp_path / "check.html"
    result = CliRunner().invoke(
        cli, ["check", str(project), "--report", str(output), "-q", "--no-cache", "--output-format", "concise"]
    )
    assert result.exit_code == 1
    assert "paper.tex:113:17: PL110 Eq. (6) eq:cosine has no implementing code" in result.stdout.splitlines()
    assert 'data-code="PL101"' in output.read_text(encoding="utf-8")


def test_generation_time_from_source_date_epoch_or_option(tmp_path: Path) -> None:
    project = _copy_sample(tmp_path, "dqn")
    output = tmp_path / "out.html"
    runner = CliRunner()
    result = runner.invoke(
        cli, ["report", str(project), "-o", str(output), "-q", "--no-cache"], env={"SOURCE_DATE_EPOCH": "1700000000"}
    )
    assert result.exit_code == 0
    assert "<dt>generated</dt><dd>2023-11-14 22:13:20 UTC</dd>" in output.read_text(encoding="utf-8")
    result = runner.invoke(
        cli,
        ["report", str(project), "-o", str(output), "-q", "--generated-at", "2020-01-01T00:00:00Z"],
        env={"SOURCE_DATE_EPOCH": "1700000000"},
    )
    assert "<dd>2020-01-01 00:00:00 UTC</dd>" in output.read_text(encoding="utf-8")


def _exit_status(arguments: list[str]) -> int:
    with pytest.raises(SystemExit) as done:
        main(arguments)
    return done.value.code


def test_a_bad_time_is_a_usage_error_before_anything_is_read(tmp_path: Path, capsys) -> None:
    assert _exit_status(["report", str(tmp_path / "missing"), "--generated-at", "soon"]) == 2
    assert (
        capsys.readouterr().err
        == "paperlink: error: generation time 'soon' is neither seconds since the epoch nor an ISO 8601 time\n"
    )


def test_select_and_ignore_apply_to_the_page(tmp_path: Path) -> None:
    project = _copy_sample(tmp_path, "simsiam")
    (project / "src" / "extra.py").write_text("LOSS = 0  # paper: eq:symloss\n", encoding="utf-8")
    output = tmp_path / "out.html"
    CliRunner().invoke(cli, ["report", str(project), "-o", str(output), "-q", "--no-cache"])
    assert "<h3>src/extra.py</h3>" in output.read_text(encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["report", str(project), "-o", str(output), "-q", "--ignore", "PL110", "--no-cache"]
    )
    assert result.exit_code == 0
    html = output.read_text(encoding="utf-8")
    assert 'data-code="PL101"' in html and 'data-code="PL110"' not in html


def test_output_is_byte_identical_across_reruns_and_jobs(tmp_path: Path) -> None:
    project = _copy_sample(tmp_path, "dqn", extra_files=40)
    pages = []
    for jobs, cache in (
        ("1", "--no-cache"),
        ("2", "--no-cache"),
        ("2", None),
        ("2", None),
    ):  # the last one from the cache
        output = tmp_path / f"out-{len(pages)}.html"
        arguments = ["report", str(project), "-o", str(output), "-q", "--jobs", jobs] + ([cache] if cache else [])
        result = CliRunner().invoke(cli, arguments)
        assert result.exit_code == 0, result.output
        pages.append(output.read_bytes())
    assert len(set(pages)) == 1
    assert pages[0].count(b'<span class="to-paper">') >= 40  # the extra files' links are on the page


def test_all_files_shows_files_without_links(tmp_path: Path) -> None:
    project = _copy_sample(tmp_path, "dqn")
    (project / "src" / "plain.py").write_text("VALUE = 1\n", encoding="utf-8")
    output = tmp_path / "out.html"
    CliRunner().invoke(cli, ["report", str(project), "-o", str(output), "-q", "--no-cache"])
    assert "src/plain.py" not in output.read_text(encoding="utf-8")
    CliRunner().invoke(cli, ["report", str(project), "-o", str(output), "-q", "--no-cache", "--all-files"])
    assert "<h3>src/plain.py</h3>" in output.read_text(encoding="utf-8")


def test_include_code_findings_leaves_out_files_with_links_only(tmp_path: Path) -> None:
    project = _copy_sample(tmp_path, "simsiam")
    (project / "src" / "extra.py").write_text("LOSS = 0  # paper: eq:symloss\n", encoding="utf-8")
    output = tmp_path / "out.html"
    CliRunner().invoke(cli, ["report", str(project), "-o", str(output), "-q", "--no-cache"])
    assert "<h3>src/extra.py</h3>" in output.read_text(encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["report", str(project), "-o", str(output), "-q", "--no-cache", "--include-code", "findings"]
    )
    assert result.exit_code == 0, result.output
    page = output.read_text(encoding="utf-8")
    assert "<h3>src/extra.py</h3>" not in page and "<h3>src/train.py</h3>" in page
    result = CliRunner().invoke(cli, ["report", str(project), "-o", str(output), "--include-code", "some"])
    assert result.exit_code == 2 and "'some' is not one of 'all', 'linked', 'findings'" in result.output


def test_an_unwritable_output_is_a_clear_error(tmp_path: Path, capsys) -> None:
    project = _copy_sample(tmp_path, "dqn")
    target = tmp_path / "no" / "such" / "page.html"
    assert _exit_status(["report", str(project), "-o", str(target), "-q", "--no-cache"]) == 2
    assert capsys.readouterr().err == f"paperlink: error: cannot write {target}: No such file or directory\n"
