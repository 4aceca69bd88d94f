"""Tests for paperlink.cli: commands through click's runner, exit codes through ``main()``."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from paperlink import __version__
from paperlink.cli import cli, main

REPO = Path(__file__).resolve().parents[1]
SIMSIAM = REPO / "sample_papers" / "simsiam"
RULES_MD = REPO / "docs" / "rules.md"

MISSING_INPUT = r"""\documentclass{article}
\begin{document}
\section{Intro}\label{sec:intro}
\input{missing}
\begin{equation}a = b\label{eq:x}\end{equation}
\end{document}
"""


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


def paperlink(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m paperlink ARGS``: the real entry point, ``main()``, in a fresh process."""
    return subprocess.run(
        [sys.executable, "-m", "paperlink", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


def test_a_subprocess_imports_this_checkout(tmp_path: Path) -> None:
    """tests/conftest.py puts this checkout first on PYTHONPATH, wherever the process starts."""
    done = paperlink("--version", cwd=tmp_path)
    assert done.stdout == f"paperlink, version {__version__}\n"
    where = subprocess.run(
        [sys.executable, "-c", "import paperlink; print(paperlink.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert Path(where.stdout.strip()) == REPO / "paperlink" / "__init__.py"


def table_rows(output: str) -> list[list[str]]:
    """The text table's rows split into KIND, NUMBER, KEY and the rest."""
    return [line.split(maxsplit=3) for line in output.splitlines()[2:]]


@pytest.fixture
def missing_input_paper(tmp_path: Path) -> Path:
    (tmp_path / "main.tex").write_text(MISSING_INPUT, encoding="utf-8")
    return tmp_path


# --- version -----------------------------------------------------------------------------


def test_version_through_click():
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.output == f"paperlink, version {__version__}\n"


def test_version_through_main(tmp_path):
    done = paperlink("--version", cwd=tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (0, f"paperlink, version {__version__}\n", "")


# --- paper show --------------------------------------------------------------------------


def test_paper_show_folder_lists_the_items():
    result = invoke("paper", "show", str(SIMSIAM))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("paper simsiam: paper.tex ")
    assert result.stdout.splitlines()[1].split() == ["KIND", "NUMBER", "KEY", "TITLE", "/", "VALUE", "WHERE"]
    rows = {row[2]: row for row in table_rows(result.stdout)}
    assert rows["eq:loss"][:2] == ["equation", "3"]
    assert rows["eq:loss"][-1].split()[-1] == "paper.tex:72"
    assert result.stderr == ""


def test_paper_show_json_is_versioned_and_byte_identical_across_runs(tmp_path):
    result = invoke("paper", "show", str(SIMSIAM), "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["version"] == 1
    assert document["paper"]["name"] == "simsiam"
    assert document["paper"]["source"] == "paper.tex"
    loss = [item for item in document["items"] if item["key"] == "eq:loss"]
    assert [(item["kind"], item["number"]) for item in loss] == [("equation", "3")]
    # A second run in another process, with another hash seed, prints the same bytes.
    again = paperlink("paper", "show", str(SIMSIAM), "--format", "json", cwd=tmp_path, env={"PYTHONHASHSEED": "7"})
    assert again.returncode == 0, again.stderr
    assert again.stdout == result.stdout


def test_paper_show_json_sorts_keys():
    result = invoke("paper", "show", str(SIMSIAM), "--format", "json")
    text = result.stdout
    assert text == json.dumps(json.loads(text), sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def test_missing_input_is_a_diagnostic_on_stderr_and_exit_1(missing_input_paper, monkeypatch):
    monkeypatch.chdir(missing_input_paper)
    result = invoke("paper", "show", "main.tex")
    assert result.exit_code == 1
    assert [row[:3] for row in table_rows(result.stdout)] == [
        ["section", "1", "sec:intro"],
        ["equation", "1", "eq:x"],
    ]
    assert re.fullmatch(r"main\.tex:4:1: PL010 .*\n", result.stderr), result.stderr


def test_missing_input_through_main(missing_input_paper):
    done = paperlink("paper", "show", "main.tex", cwd=missing_input_paper)
    assert done.returncode == 1
    assert done.stdout.startswith("paper main: main.tex (2 items)\n")
    assert re.fullmatch(r"main\.tex:4:1: PL010 .*\n", done.stderr), done.stderr


def test_unknown_paper_name_exits_2_with_one_line(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.paperlink]\npapers = { simsiam = "paper.tex" }\n')
    done = paperlink("paper", "show", "simsam", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == "paperlink: error: unknown paper 'simsam'; did you mean 'simsiam'?\n"


def test_missing_paper_file_exits_2_without_traceback(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.paperlink]\npapers = { simsiam = "paper.tex" }\n')
    done = paperlink("paper", "show", "simsiam", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == f"paperlink: error: paper not found: {(tmp_path / 'paper.tex').resolve()}\n"
    assert "Traceback" not in done.stderr


def test_bad_config_exits_2_naming_the_key(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.paperlink]\npaper = { simsiam = "paper.tex" }\n')
    done = paperlink("paper", "show", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "paperlink: error: pyproject.toml [tool.paperlink]: unknown key 'paper'; did you mean 'papers'?\n"
    )


# --- rule --------------------------------------------------------------------------------


def test_rule_prints_its_documentation():
    result = invoke("rule", "PL010")
    assert result.exit_code == 0
    assert result.output.startswith("# PL010 paper-file-missing\n")
    assert "\n## What it does\n" in result.output
    assert invoke("rule", "paper-file-missing").output == result.output
    assert invoke("rule", "pl010").output == result.output


def test_unknown_rule_exits_2(tmp_path):
    done = paperlink("rule", "nope", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == "paperlink: error: unknown rule 'nope'; `paperlink rule --all` lists them\n"


def test_rule_without_a_code_is_a_usage_error():
    result = invoke("rule")
    assert result.exit_code == 2
    assert "give a rule code (e.g. PL010) or --all" in result.stderr


def test_rules_md_is_up_to_date():
    result = invoke("rule", "--all")
    assert result.exit_code == 0
    committed = RULES_MD.read_text(encoding="utf-8") if RULES_MD.exists() else ""
    assert result.output == committed, (
        "docs/rules.md is stale; regenerate it with: python3 -m paperlink rule --all > docs/rules.md"
    )


def test_missing_paper_path_is_named_in_the_error(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as done:
        main(["paper", "show", "missing.tex"])
    assert done.value.code == 2
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", "paperlink: error: paper not found: missing.tex\n")


def test_paper_names_with_dots_are_looked_up_before_paths(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.paperlink]\npapers = { "simsiam.v2" = "paper.yaml" }\n', encoding="utf-8"
    )
    (tmp_path / "paper.yaml").write_text(
        "items:\n  - kind: equation\n    label: eq:a\n    number: '1'\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["paper", "show", "simsiam.v2"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("paper simsiam.v2: paper.yaml")


def test_a_configured_tex_file_keeps_its_configured_name():
    result = CliRunner().invoke(cli, ["paper", "show", str(SIMSIAM / "paper.tex")])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("paper simsiam: paper.tex")


def test_rule_names_a_retired_code_and_what_replaced_it(monkeypatch):
    from paperlink import rules

    monkeypatch.setitem(rules.RETIRED_CODES, "PL299", "removed in 0.2.0; PL201 covers it")
    result = invoke("rule", "pl299")
    assert (result.exit_code, result.output) == (0, "PL299 was retired: removed in 0.2.0; PL201 covers it\n")
