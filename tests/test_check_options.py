"""What a ruff user expects of ``paperlink check`` (issue 23): ``--exit-zero``, ``--quiet`` /
``--verbose``, ``--show-files``, ``--stdin-filename``, ``--output-format full|concise``,
``--add-noqa``, and ``per-file-ignores`` / ``extend-select`` / ``extend-ignore`` in the settings."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from paperlink.cli import cli, main

PAPER = "items:\n" + "".join(f"  - kind: equation\n    label: eq:e{i}\n    number: '{i}'\n" for i in (1, 2))
# PL101 on line 1, PL102 on line 2; Eq. 2 is never linked: PL110 at the paper.
MODEL = "def f(x):  # paper: Eq. 1, eq:nope\n    return x  # paper: Eqn 1\n"
CONCISE = [
    "m.py:1:12: PL101 eq:nope is not a label of paper 'p'; did you mean eq:e2?",
    "m.py:2:15: PL102 unknown reference 'Eqn 1'; did you mean 'Eq. 1'?",
    "paper.yaml:5:5: PL110 Eq. (2) eq:e2 has no implementing code",
]
FULL = """\
m.py:1:12: PL101 [error] eq:nope is not a label of paper 'p'; did you mean eq:e2?
  |
1 | def f(x):  # paper: Eq. 1, eq:nope
  |            ^^^^^^^^^^^^^^^^^^^^^^^ PL101
  |

m.py:2:15: PL102 [error] unknown reference 'Eqn 1'; did you mean 'Eq. 1'?
  |
2 |     return x  # paper: Eqn 1
  |               ^^^^^^^^^^^^^^ PL102
  |

paper.yaml:5:5: PL110 [warning] Eq. (2) eq:e2 has no implementing code
  |
5 |   - kind: equation
  |     ^ PL110
  |
"""


def project(root: Path, config: str = "", files: dict[str, str] | None = None) -> Path:
    (root / "pyproject.toml").write_text(f'[tool.paperlink]\npapers = {{ p = "paper.yaml" }}\n{config}', "utf-8")
    (root / "paper.yaml").write_text(PAPER, encoding="utf-8")
    for name, text in (files or {"m.py": MODEL}).items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def check(root: Path, *args: str, stdin: bytes | None = None) -> Result:
    """``paperlink check ARGS`` run from ``root``."""
    with _chdir(root):
        return CliRunner().invoke(cli, ["check", "--no-cache", *args], input=stdin)


def run_main(root: Path, *args: str) -> int | str | None:
    """The exit status of ``paperlink check ARGS`` through ``main``, its one error boundary."""
    with _chdir(root), pytest.raises(SystemExit) as done:
        main(["check", "--no-cache", *args])
    return done.value.code


@contextlib.contextmanager
def _chdir(folder: Path) -> Iterator[None]:
    before = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


# --- output formats ------------------------------------------------------------------------


def test_full_is_the_default_text_output_with_severity_source_line_and_caret(tmp_path: Path) -> None:
    done = check(project(tmp_path), "-q")
    assert (done.exit_code, done.stdout) == (1, FULL)


def test_concise_is_one_line_per_diagnostic(tmp_path: Path) -> None:
    done = check(project(tmp_path), "-q", "--output-format", "concise")
    assert (done.exit_code, done.stdout.splitlines()) == (1, CONCISE)


def test_a_tab_moves_the_caret_and_a_line_past_the_end_shows_no_source(tmp_path: Path) -> None:
    root = project(tmp_path, files={"m.py": "def f(x):\n\treturn x  # paper: Eqn 1\n"})
    done = check(root, "-q", "--select", "PL102")
    assert done.stdout == (
        "m.py:2:12: PL102 [error] unknown reference 'Eqn 1'; did you mean 'Eq. 1'?\n"
        "  |\n"
        "2 |     return x  # paper: Eqn 1\n"
        "  |               ^^^^^^^^^^^^^^ PL102\n"
        "  |\n"
    )


def test_other_formats_ignore_the_text_style(tmp_path: Path) -> None:
    full = check(project(tmp_path), "-q", "--format", "github")
    concise = check(tmp_path, "-q", "--format", "github", "--output-format", "concise")
    assert full.stdout == concise.stdout and full.stdout.startswith("::error ")


# --- exit status and verbosity ---------------------------------------------------------------


def test_exit_zero_keeps_the_output_and_exits_0(tmp_path: Path) -> None:
    done = check(project(tmp_path), "--exit-zero", "--output-format", "concise")
    assert (done.exit_code, done.stdout.splitlines()) == (0, CONCISE)
    assert done.stderr.splitlines()[-3:] == [
        "3 diagnostics in 1 file and the paper",
        "[*] 1 fixable with the `--fix` option",
        "(1 hidden fix can be enabled with the `--unsafe-fixes` option)",
    ]


def test_exit_zero_does_not_hide_a_run_stopping_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_main(project(tmp_path, 'select = ["PL999"]\n'), "--exit-zero") == 2


def test_quiet_prints_no_summary_and_verbose_says_where_settings_came_from(tmp_path: Path) -> None:
    root = project(tmp_path)
    assert check(root, "-q", "--output-format", "concise").stderr == ""
    verbose = check(root, "-v", "--output-format", "concise")
    assert verbose.stderr.splitlines()[:2] == [
        f"configuration: {root.resolve() / 'pyproject.toml'} (root {root.resolve()})",
        "paper p: 2 items read from paper.yaml",
    ]
    assert verbose.stdout.splitlines() == CONCISE


def test_quiet_and_verbose_together_are_a_usage_error(tmp_path: Path) -> None:
    done = check(project(tmp_path), "-q", "-v")
    assert done.exit_code == 2
    assert done.stderr.splitlines()[-1] == "Error: --quiet and --verbose cannot be used together"


# --- show-files --------------------------------------------------------------------------------


def test_show_files_lists_what_would_be_checked_honouring_excludes(tmp_path: Path) -> None:
    files = {"m.py": MODEL, "src/a.py": "", "legacy/old.py": "", "notes/n.ipynb": "{}", "README.md": ""}
    root = project(tmp_path, 'exclude = ["legacy/**"]\n', files)
    done = check(root, "--show-files")
    assert (done.exit_code, done.stdout, done.stderr) == (0, "m.py\nnotes/n.ipynb\nsrc/a.py\n", "")
    named = check(root, "--show-files", "--force-exclude", "legacy/old.py", "src/a.py")
    assert (named.exit_code, named.stdout) == (0, "src/a.py\n")
    extended = check(root, "--show-files", "--extend-exclude", "src/**")
    assert extended.stdout == "m.py\nnotes/n.ipynb\n"


# --- stdin ---------------------------------------------------------------------------------------


def test_stdin_is_checked_as_the_named_file_with_the_project_as_context(tmp_path: Path) -> None:
    root = project(tmp_path)  # on disk m.py has PL101 and PL102; the buffer fixes PL101 and links Eq. 2
    buffer = b"def f(x):  # paper: Eq. 1, Eq. 2\n    return x  # paper: Eqn 1\n"
    done = check(root, "--stdin-filename", "m.py", "--output-format", "concise", stdin=buffer)
    assert (done.exit_code, done.stdout.splitlines()) == (1, [CONCISE[1]])
    assert (root / "m.py").read_text(encoding="utf-8") == MODEL  # nothing written


def test_stdin_for_a_new_file_in_a_subfolder_shows_its_own_line(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "src").mkdir()
    with _chdir(root / "src"):
        done = CliRunner().invoke(
            cli, ["check", "--no-cache", "-q", "--stdin-filename", "new.py"], input=b"x = 1  # paper: eq:e3\n"
        )
    assert (done.exit_code, done.stdout) == (
        1,
        "new.py:1:8: PL101 [error] eq:e3 is not a label of paper 'p'; did you mean eq:e2?\n"
        "  |\n"
        "1 | x = 1  # paper: eq:e3\n"
        "  |        ^^^^^^^^^^^^^^ PL101\n"
        "  |\n",
    )


def test_stdin_clean_buffer_exits_0(tmp_path: Path) -> None:
    done = check(
        project(tmp_path), "-q", "--stdin-filename", "m.py", stdin=b"def f(x):  # paper: Eq. 1\n    return x\n"
    )
    assert (done.exit_code, done.stdout) == (0, "")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--stdin-filename", "paper.tex"],
            "--stdin-filename takes a Python file or notebook (.py, .ipynb), got paper.tex",
        ),
        (["--stdin-filename", "m.py", "m.py"], "--stdin-filename checks stdin: give no PATHS"),
        (
            ["--stdin-filename", "m.py", "--add-noqa"],
            "--add-noqa writes files: it cannot be used with --stdin-filename",
        ),
    ],
)
def test_stdin_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    done = check(project(tmp_path), *args, stdin=b"")
    assert (done.exit_code, done.stderr.splitlines()[-1]) == (2, f"Error: {message}")


def test_stdin_for_an_excluded_file_with_force_exclude_checks_nothing(tmp_path: Path) -> None:
    root = project(tmp_path, 'exclude = ["m.py"]\n')
    done = check(root, "--stdin-filename", "m.py", "--force-exclude", stdin=MODEL.encode())
    assert (done.exit_code, done.stdout) == (0, "")
    assert done.stderr == "nothing to check: every named file is excluded (--force-exclude)\n"


# --- settings --------------------------------------------------------------------------------------


def test_per_file_ignores_as_ruff_reads_them(tmp_path: Path) -> None:
    files = {"m.py": MODEL, "tests/test_m.py": MODEL}
    root = project(
        tmp_path, '[tool.paperlink.per-file-ignores]\n"tests/**" = ["PL1"]\n"paper.yaml" = ["PL110"]\n', files
    )
    done = check(root, "-q", "--output-format", "concise")
    assert done.stdout.splitlines() == CONCISE[:2]
    by_name = project(tmp_path, '[tool.paperlink.per-file-ignores]\n"test_*.py" = ["PL101"]\n', files)
    assert check(by_name, "-q", "--output-format", "concise", "--select", "PL101").stdout.splitlines() == [CONCISE[0]]
    negated = project(tmp_path, '[tool.paperlink.per-file-ignores]\n"!tests/**" = ["PL10"]\n', files)
    assert check(negated, "-q", "--output-format", "concise").stdout.splitlines() == [
        CONCISE[2],
        "tests/test_m.py:1:12: PL101 eq:nope is not a label of paper 'p'; did you mean eq:e2?",
        "tests/test_m.py:2:15: PL102 unknown reference 'Eqn 1'; did you mean 'Eq. 1'?",
    ]


def test_extend_ignore_adds_to_ignore_and_extend_select_turns_on_a_rule_off_by_default(tmp_path: Path) -> None:
    root = project(tmp_path, 'ignore = ["PL101"]\nextend-ignore = ["PL110"]\n')
    assert check(root, "-q", "--output-format", "concise").stdout.splitlines() == [CONCISE[1]]
    model = "import torch\n\n\n@torch.no_grad()\ndef evaluate(model, x):\n    return model(x)\n"
    root = project(tmp_path, 'extend-select = ["PL206"]\nignore = ["PL110", "PL5"]\n', {"m.py": model})
    done = check(root, "-q", "--output-format", "concise")
    assert [line.split()[1] for line in done.stdout.splitlines()] == ["PL206"]
    plain = project(tmp_path, 'ignore = ["PL110", "PL5"]\n', {"m.py": model})
    assert check(plain, "-q").stdout == ""


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (
            '[tool.paperlink.per-file-ignores]\n"tests/**" = ["PL999"]\n',
            "pyproject.toml [tool.paperlink]: 'per-file-ignores' \"tests/**\" has unknown rule code or prefix"
            " 'PL999'; `paperlink rule --all` lists the codes",
        ),
        (
            'per-file-ignores = ["tests/**"]\n',
            "pyproject.toml [tool.paperlink]: 'per-file-ignores' must be a table of glob = [rule codes or prefixes]",
        ),
        (
            '[tool.paperlink.per-file-ignores]\n"tests/**" = "pl101"\n',
            "pyproject.toml [tool.paperlink]: 'per-file-ignores' \"tests/**\" has unknown rule code or prefix"
            " 'pl101'; did you mean 'PL101'?",
        ),
        (
            'extend-select = ["PL2x"]\n',
            "pyproject.toml [tool.paperlink]: 'extend-select' has unknown rule code or prefix 'PL2x';"
            " `paperlink rule --all` lists the codes",
        ),
        (
            "extend-ignore = [1]\n",
            "pyproject.toml [tool.paperlink]: 'extend-ignore' must be a list of rule codes or prefixes such as"
            ' "PL1" or "PL101"',
        ),
    ],
)
def test_unknown_codes_in_the_new_settings_are_configuration_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], config: str, message: str
) -> None:
    assert run_main(project(tmp_path, config)) == 2
    assert capsys.readouterr() == ("", f"paperlink: error: {message}\n")


def test_per_file_ignores_in_paperlink_yaml(tmp_path: Path) -> None:
    (tmp_path / "paperlink.yaml").write_text(
        "papers: {p: paper.yaml}\nper-file-ignores:\n  m.py: [PL102]\nextend-ignore: [PL110]\n", encoding="utf-8"
    )
    (tmp_path / "paper.yaml").write_text(PAPER, encoding="utf-8")
    (tmp_path / "m.py").write_text(MODEL, encoding="utf-8")
    assert check(tmp_path, "-q", "--output-format", "concise").stdout.splitlines() == [CONCISE[0]]


# --- add-noqa ------------------------------------------------------------------------------------


def test_add_noqa_suppresses_each_finding_then_the_check_is_clean(tmp_path: Path) -> None:
    root = project(tmp_path, 'ignore = ["PL110"]\n', {"m.py": MODEL.replace("\n", "\r\n")})
    done = check(root, "--add-noqa")
    assert (done.exit_code, done.stdout) == (0, "")
    assert done.stderr == "added 2 suppressions ('TODO: explain' as the reason) to 1 file\n"
    assert (root / "m.py").read_bytes() == (
        b"def f(x):  # paper: Eq. 1, eq:nope  # paperlink: ignore[PL101] TODO: explain\r\n"
        b"    return x  # paper: Eqn 1  # paperlink: ignore[PL102] TODO: explain\r\n"
    )
    clean = check(root, "--output-format", "concise")
    assert (clean.exit_code, clean.stdout) == (0, "")
    again = check(root, "--add-noqa")
    assert again.stderr == "added 0 suppressions ('TODO: explain' as the reason) to 0 files\n"
    assert (root / "m.py").read_bytes().count(b"paperlink: ignore") == 2


def test_add_noqa_lists_what_a_comment_cannot_suppress(tmp_path: Path) -> None:
    done = check(project(tmp_path), "--add-noqa")
    assert done.exit_code == 0
    assert done.stderr.splitlines() == [
        "added 2 suppressions ('TODO: explain' as the reason) to 1 file",
        "1 diagnostic cannot be suppressed by a comment (`per-file-ignores` or `ignore` can turn them off):",
        CONCISE[2],
    ]


def test_add_noqa_after_near_misses_and_directive_typos_leaves_a_clean_check(tmp_path: Path) -> None:
    model = (
        "def f(x):  # papers: eq:e1\n"
        "    y = x * 2  # paperlink: stopgrad because\n"
        '    z = """doc\n'
        '    more"""  # paper eq:e2\n'
        "    return y\n"
    )
    root = project(tmp_path, files={"m.py": model})
    before = check(root, "-q", "--output-format", "concise")
    assert [line.split()[1] for line in before.stdout.splitlines()] == ["PL102", "PL114", "PL102", "PL110", "PL110"]
    assert check(root, "--add-noqa", "--ignore", "PL110").exit_code == 0
    assert (root / "m.py").read_text(encoding="utf-8") == (
        "def f(x):  # papers: eq:e1  # paperlink: ignore[PL102] TODO: explain\n"
        "    y = x * 2  # paperlink: stopgrad because  # paperlink: ignore[PL114] TODO: explain\n"
        '    z = """doc\n'
        '    more"""  # paper eq:e2  # paperlink: ignore[PL102] TODO: explain\n'
        "    return y\n"
    )
    after = check(root, "-q", "--ignore", "PL110")
    assert (after.exit_code, after.stdout) == (0, "")


def test_stdin_notebook_buffer_is_checked_with_cell_positions(tmp_path: Path) -> None:
    from tests.notebooks import notebook_json

    root = project(tmp_path, 'ignore = ["PL110"]\n')
    buffer = notebook_json([("markdown", "Notes.\n"), ("code", "x = 1  # paper: eq:e9\n")]).encode()
    done = check(root, "-q", "--stdin-filename", "nb.ipynb", stdin=buffer)
    assert (done.exit_code, done.stdout) == (
        1,
        "nb.ipynb:cell 2:1:8: PL101 [error] eq:e9 is not a label of paper 'p'; did you mean eq:e2?\n",
    )


def test_full_output_in_colour_paints_the_location_and_the_code_by_severity(tmp_path: Path) -> None:
    done = check(project(tmp_path), "-q", "--select", "PL102", "--color", "always")
    assert done.stdout.splitlines()[0] == (
        "\x1b[1mm.py:2:15\x1b[0m: \x1b[31m\x1b[1mPL102\x1b[0m [error] unknown reference 'Eqn 1'; did you mean 'Eq. 1'?"
    )
    assert "\x1b[" not in "".join(done.stdout.splitlines(keepends=True)[1:])  # the source lines stay plain
