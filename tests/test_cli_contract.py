"""The command line's contract with a user (issue 23): named files as pre-commit passes them,
excluded files, paths and output files that do not exist, and the small consistencies.

Each test runs the real entry point (``python -m paperlink``) in a fresh process, from the
folder a user would be in, and checks the exit status and the first line a user reads.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.test_cli import paperlink
from tests.samples import copy_sample

REPO = Path(__file__).resolve().parents[1]
HELPER = '"""A small helper."""\n\n\ndef double(x):\n    return 2 * x\n'


@pytest.fixture
def simsiam(tmp_path: Path) -> Path:
    project = tmp_path / "simsiam"
    copy_sample("simsiam", project)
    return project


def _lines(text: str) -> list[str]:
    return text.splitlines()


# 1. Named files: whole-project conclusions are made over the project, reported where they lie.


def test_a_harmless_named_file_is_clean_where_the_whole_project_check_is_not(simsiam: Path) -> None:
    (simsiam / "src" / "helpers.py").write_text(HELPER, encoding="utf-8")
    done = paperlink("check", "--no-cache", "src/helpers.py", cwd=simsiam)
    assert (done.returncode, done.stdout) == (0, "")
    assert done.stderr == "0 diagnostics in 1 file and the paper\n"


def test_a_named_file_gets_no_pl404_or_pl110_for_what_other_files_do(simsiam: Path) -> None:
    done = paperlink("check", "--output-format", "concise", "--no-cache", "src/model.py", cwd=simsiam)
    codes = [line.split()[1] for line in _lines(done.stdout)]
    assert codes == ["PL201"], done.stdout
    assert all(line.startswith("src/model.py:") for line in _lines(done.stdout))


def test_an_unused_suppression_elsewhere_is_not_reported_for_a_named_file(simsiam: Path) -> None:
    (simsiam / "src" / "stale.py").write_text("x = 1  # paperlink: ignore[PL201] no stop here any more\n")
    whole = paperlink("check", "--no-cache", "--select", "PL112", ".", cwd=simsiam)
    assert "src/stale.py:1" in whole.stdout, whole.stdout
    named = paperlink("check", "--no-cache", "--select", "PL112", "src/model.py", cwd=simsiam)
    assert (named.returncode, named.stdout) == (0, "")
    stale = paperlink("check", "--no-cache", "--select", "PL112", "src/stale.py", cwd=simsiam)
    assert stale.returncode == 1 and stale.stdout.startswith("src/stale.py:1:"), stale.stdout


def test_a_named_paper_reports_what_the_edit_broke_anywhere(simsiam: Path) -> None:
    paper = simsiam / "paper.tex"
    paper.write_text(paper.read_text(encoding="utf-8").replace(r"\label{eq:encoder}", r"\label{eq:enc}"))
    done = paperlink("check", "--output-format", "concise", "--no-cache", "--select", "PL101", "paper.tex", cwd=simsiam)
    assert done.returncode == 1
    assert any("PL101 eq:encoder is not a label" in line for line in _lines(done.stdout)), done.stdout


def test_a_named_unrelated_yaml_file_reports_nothing(simsiam: Path) -> None:
    (simsiam / "notes.yaml").write_text("a: 1\n", encoding="utf-8")
    done = paperlink("check", "--no-cache", "notes.yaml", cwd=simsiam)
    assert (done.returncode, done.stdout) == (0, "")


def test_fail_under_with_named_files_says_it_does_not_apply(simsiam: Path) -> None:
    (simsiam / "src" / "helpers.py").write_text(HELPER, encoding="utf-8")
    done = paperlink("check", "--no-cache", "--fail-under", "99", "src/helpers.py", cwd=simsiam)
    assert done.returncode == 0
    assert "--fail-under does not apply to named files" in done.stderr


# 2. exclude and named files.


def test_force_exclude_leaves_an_excluded_named_file_out(simsiam: Path) -> None:
    legacy = simsiam / "legacy"
    legacy.mkdir()
    (legacy / "old.py").write_text("import torch\n\n\ndef f(x):\n    return x.detach()  # paper: eq:nothing\n")
    checked = paperlink("check", "--no-cache", "--extend-exclude", "legacy/**", "legacy/old.py", cwd=simsiam)
    assert checked.returncode == 1 and checked.stdout.startswith("legacy/old.py:5:"), checked.stdout
    skipped = paperlink(
        "check", "--no-cache", "--extend-exclude", "legacy/**", "--force-exclude", "legacy/old.py", cwd=simsiam
    )
    assert (skipped.returncode, skipped.stdout) == (0, "")
    assert skipped.stderr == "nothing to check: every named file is excluded (--force-exclude)\n"
    folder = paperlink("check", "--no-cache", "--extend-exclude", "legacy/**", ".", cwd=simsiam)
    assert "legacy/" not in folder.stdout


# 3 and 4. Ordinary mistakes: exit 2, one line, nothing written.


@pytest.mark.parametrize("command", ["check", "report", "hparams", "lock", "suggest"])
def test_a_path_that_does_not_exist_is_exit_2_with_one_line(simsiam: Path, command: str) -> None:
    before = sorted(path.name for path in simsiam.iterdir())
    done = paperlink(command, "nope/", cwd=simsiam)
    assert (done.returncode, done.stderr) == (2, "paperlink: error: path not found: nope\n")
    assert sorted(path.name for path in simsiam.iterdir()) == before  # no lock, no page, no cache


@pytest.mark.parametrize(
    "arguments",
    [["check", ".", "-o"], ["check", ".", "--report"], ["report", ".", "-o"], ["check", ".", "--statistics", "-o"]],
)
def test_an_output_in_a_missing_folder_is_exit_2_with_one_line(simsiam: Path, arguments: list[str]) -> None:
    done = paperlink(*arguments, "/missing/dir/out.txt", cwd=simsiam)
    expected = "paperlink: error: cannot write /missing/dir/out.txt: No such file or directory\n"
    assert (done.returncode, done.stderr) == (2, expected)


def test_audit_output_in_a_missing_folder_is_exit_2_before_running(simsiam: Path) -> None:
    done = paperlink("audit", "src/model.py:nothing", "-o", "/missing/dir/audit.json", cwd=simsiam)
    assert (done.returncode, done.stderr) == (
        2,
        "paperlink: error: cannot write /missing/dir/audit.json: No such file or directory\n",
    )


def test_nothing_to_check_is_exit_2_unless_allowed(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    done = paperlink("check", "empty", cwd=tmp_path)
    assert done.returncode == 2 and done.stderr.startswith("paperlink: error: nothing to check: no Python files")
    assert len(_lines(done.stderr)) == 1
    allowed = paperlink("check", "--allow-empty", "empty", cwd=tmp_path)
    assert allowed.returncode == 0


# 7. Paths relative to the current folder.


def test_paths_are_relative_to_the_current_folder(simsiam: Path) -> None:
    done = paperlink("check", "--no-cache", "..", cwd=simsiam / "src")
    assert done.stdout.startswith("../paper.tex:"), done.stdout
    assert any(line.startswith("model.py:70:14: PL201") for line in _lines(done.stdout))
    outside = paperlink("check", "--no-cache", "simsiam", cwd=simsiam.parent)
    assert any(line.startswith("simsiam/src/model.py:70:14: PL201") for line in _lines(outside.stdout))


# 8. Small consistencies.


def test_statistics_as_json(simsiam: Path) -> None:
    done = paperlink("check", "--no-cache", "--statistics", "--format", "json", ".", cwd=simsiam)
    rows = json.loads(done.stdout)
    assert {"code": "PL201", "count": 1, "name": "undocumented-gradient-stop"} in rows


def test_lock_check_and_update_together_are_a_usage_error(simsiam: Path) -> None:
    done = paperlink("lock", "--check", "--update", cwd=simsiam)
    assert done.returncode == 2
    assert "--check and --update cannot be used together" in done.stderr
    assert not (simsiam / "paperlink.lock").exists()


# 5. A paper that is no LaTeX source.


@pytest.mark.parametrize(
    "name, content", [("paper.pdf", b"%PDF-1.5\n%\xe2\xe3\n"), ("paper.tex", b"%PDF-1.7 renamed\n")]
)
def test_a_pdf_configured_as_the_paper_is_exit_2_saying_what_is_accepted(
    tmp_path: Path, name: str, content: bytes
) -> None:
    (tmp_path / name).write_bytes(content)
    (tmp_path / "pyproject.toml").write_text(f'[tool.paperlink]\npapers = {{ main = "{name}" }}\n', encoding="utf-8")
    (tmp_path / "train.py").write_text("x = 1  # paper: eq:loss\n", encoding="utf-8")
    done = paperlink("check", cwd=tmp_path)
    assert done.returncode == 2 and len(_lines(done.stderr)) == 1, done.stderr
    assert f"{name} is a PDF, not LaTeX: paperlink reads the paper's LaTeX source" in done.stderr
    assert "YAML manifest" in done.stderr and "arxiv.org/src" in done.stderr


def test_a_label_in_the_wrong_case_gets_a_did_you_mean(tmp_path: Path) -> None:
    (tmp_path / "p.tex").write_text(
        "\\documentclass{article}\n\\begin{document}\n\\begin{equation}\\label{eq:mse} a=b \\end{equation}\n\\end{document}\n"
    )
    (tmp_path / "pyproject.toml").write_text('[tool.paperlink]\npapers = { p = "p.tex" }\n', encoding="utf-8")
    (tmp_path / "a.py").write_text("x = 1  # paper: eq:MSE\n", encoding="utf-8")
    done = paperlink("check", "--output-format", "concise", "--no-cache", cwd=tmp_path)
    assert _lines(done.stdout)[0] == "a.py:1:8: PL101 eq:MSE is not a label of paper 'p'; did you mean eq:mse?"


def _git(folder: Path, *args: str) -> None:
    import subprocess

    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=folder,
        check=True,
        capture_output=True,
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_the_report_header_counts_in_the_singular_and_marks_a_dirty_tree(simsiam: Path) -> None:
    _git(simsiam, "init", "-q")
    _git(simsiam, "add", "-A")
    _git(simsiam, "commit", "-q", "-m", "sample")
    done = paperlink("report", "--no-cache", "-q", "src/model.py", "-o", "page.html", cwd=simsiam)
    page = (simsiam / "page.html").read_text(encoding="utf-8")
    assert done.returncode == 0, done.stderr
    assert "<dt>checked</dt><dd>1 file, 1 diagnostic (0 errors, 1 warning, 0 info)</dd>" in page
    assert "plus uncommitted changes" not in page
    with (simsiam / "src" / "model.py").open("a", encoding="utf-8") as stream:
        stream.write("\n# an edit not yet committed\n")
    paperlink("report", "--no-cache", "-q", ".", "-o", "page.html", cwd=simsiam)
    page = (simsiam / "page.html").read_text(encoding="utf-8")
    assert "plus uncommitted changes" in page
    assert "<dt>checked</dt><dd>2 files, 6 diagnostics (2 errors, 4 warnings, 0 info)</dd>" in page


# 7. Positions: at the offending byte, at the command, and a self-recursive macro once.


def _paper_project(folder: Path, paper: bytes) -> Path:
    (folder / "p.tex").write_bytes(paper)
    (folder / "pyproject.toml").write_text('[tool.paperlink]\npapers = { p = "p.tex" }\n', encoding="utf-8")
    (folder / "a.py").write_text("x = 1  # paper: sec:a\n", encoding="utf-8")
    return folder


def test_a_latex_group_never_closed_is_reported_at_its_command(tmp_path: Path) -> None:
    tex = b"\\documentclass{article}\n\\begin{document}\n\\section{A}\\label{sec:a} text {open\n  \\begin{equation} a = b\n"
    done = paperlink(
        "check", "--output-format", "concise", "--no-cache", "--select", "PL013", cwd=_paper_project(tmp_path, tex)
    )
    assert _lines(done.stdout) == [
        "p.tex:2:1: PL013 malformed LaTeX: \\begin{document} here is never closed",
        "p.tex:3:31: PL013 malformed LaTeX: '{' here is never closed",
        "p.tex:4:3: PL013 malformed LaTeX: \\begin{equation} here is never closed",
    ]


def test_a_self_recursive_macro_is_reported_once_however_often_it_is_used(tmp_path: Path) -> None:
    uses = b"\n".join(b"\\beq a = b \\end{equation}" for _ in range(40))
    tex = (
        b"\\documentclass{article}\n\\newcommand{\\beq}{\\beq\\begin{equation}}\n\\begin{document}\n\\section{A}\\label{sec:a}\n"
        + uses
        + b"\n\\end{document}\n"
    )
    done = paperlink(
        "check", "--output-format", "concise", "--no-cache", "--select", "PL013", cwd=_paper_project(tmp_path, tex)
    )
    recursive = [line for line in _lines(done.stdout) if "nested too deeply" in line]
    assert recursive == ["p.tex:5:1: PL013 macro expansion of \\beq nested too deeply; stopped expanding"]


def test_a_paper_byte_that_is_not_utf8_is_reported_at_its_column(tmp_path: Path) -> None:
    tex = b"\\documentclass{article}\n\\begin{document}\n\\section{A}\\label{sec:a} caf\xe9\n\\end{document}\n"
    done = paperlink(
        "check", "--output-format", "concise", "--no-cache", "--select", "PL014", cwd=_paper_project(tmp_path, tex)
    )
    assert _lines(done.stdout) == ["p.tex:3:29: PL014 file is not valid UTF-8 (byte 0xe9); read as Latin-1"]


def test_counts_of_one_are_singular(tmp_path: Path) -> None:
    project = _paper_project(
        tmp_path, b"\\documentclass{article}\n\\begin{document}\n\\section{A}\\label{sec:a}\n\\end{document}\n"
    )
    done = paperlink("lock", cwd=project)
    assert done.stderr == f"wrote 1 link to {project / 'paperlink.lock'}\n"
    checked = paperlink("check", "--no-cache", cwd=project)
    assert checked.stderr.endswith("0 diagnostics in 1 file and the paper\n")
