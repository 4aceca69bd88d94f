"""Tests for paperlink.selection and ``--select`` / ``--ignore``: ruff's select-then-ignore, in layers."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from paperlink.cli import cli, main
from paperlink.codes import matches, require_known, split_codes, unknown_codes
from paperlink.config import load_config
from paperlink.diagnostics import Diagnostic
from paperlink.engine import check
from paperlink.errors import PaperlinkError, UsageError
from paperlink.selection import Selection, select_diagnostics
from paperlink.spans import Span

PAPER = "items:\n" + "".join(f"  - kind: equation\n    label: eq:e{i}\n    number: '{i}'\n" for i in (1, 2))
# PL101 on line 1, PL102 on line 2; Eq. 2 is never linked: PL110 at the paper.
MODEL = "def f(x):  # paper: Eq. 1, eq:nope\n    return x  # paper: Eqn 1\n"
EVERYTHING = [
    "m.py:1:12: PL101 eq:nope is not a label of paper 'p'; did you mean eq:e2?",
    "m.py:2:15: PL102 unknown reference 'Eqn 1'; did you mean 'Eq. 1'?",
    "paper.yaml:5:5: PL110 Eq. (2) eq:e2 has no implementing code",
]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return project(tmp_path)


def project(tmp_path: Path, config: str = "") -> Path:
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.paperlink]\npapers = {{ p = "paper.yaml" }}\n{config}', encoding="utf-8"
    )
    (tmp_path / "paper.yaml").write_text(PAPER, encoding="utf-8")
    (tmp_path / "m.py").write_text(MODEL, encoding="utf-8")
    return tmp_path


def run(*args: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(cli, ["check", *args, "-q", "--output-format", "concise"])
    return result.exit_code, result.stdout.splitlines()


# --- the pure functions ------------------------------------------------------------------


def test_matches_codes_and_prefixes():
    assert matches("PL101", ["PL1"]) and matches("PL101", ["PL10"]) and matches("PL101", ["PL101"])
    assert not matches("PL101", ["PL11", "PL2"])
    assert not matches("PL101", [])


def test_selection_selects_then_ignores():
    assert Selection().enabled("PL201")
    assert Selection(("PL1",)).enabled("PL101") and not Selection(("PL1",)).enabled("PL001")
    narrowed = Selection(("PL1",), ("PL110",))
    assert [code for code in ("PL001", "PL101", "PL110", "PL112") if narrowed.enabled(code)] == ["PL101", "PL112"]
    assert not Selection((), ()).enabled("PL101")  # select nothing: report nothing


def test_selection_layers_like_ruff():
    config = Selection(("PL1",), ("PL110",))
    assert Selection(None, ("PL104",)).over(config) == Selection(("PL1",), ("PL110", "PL104"))
    assert Selection(("PL0",), ()).over(config) == Selection(("PL0",), ())  # a select starts afresh
    assert Selection().over(config) == config


def test_extend_select_adds_to_select_and_to_the_defaults_and_ignore_still_wins():
    assert Selection(("PL1",), (), ("PL206",)).enabled("PL206")  # PL206 is off by default
    assert Selection(None, (), ("PL206",)).enabled("PL206") and Selection(None, (), ("PL206",)).enabled("PL101")
    assert not Selection(None, ("PL2",), ("PL206",)).enabled("PL206")
    config = Selection(None, (), ("PL206",), (("tests/**", ("PL4",)),))
    assert Selection(None, ("PL1",)).over(config) == Selection(None, ("PL1",), ("PL206",), config.per_file)
    # a select on the command line drops the configuration's extend-select, not its per-file ignores
    assert Selection(("PL2",)).over(config) == Selection(("PL2",), (), (), config.per_file)


@pytest.mark.parametrize(
    ("pattern", "path", "ignored"),
    [
        ("tests/**", "tests/unit/test_a.py", True),
        ("tests/*", "tests/unit/test_a.py", False),  # * stays within a folder, as in exclude
        ("test_*.py", "tests/unit/test_a.py", True),  # no slash: the file name, anywhere
        ("src/a.py", "src/a.py", True),
        ("src/a.py", "lib/src/a.py", False),  # a slash: from the project root
        ("!src/**", "tests/test_a.py", True),  # !: the files it does not match
        ("!src/**", "src/a.py", False),
    ],
)
def test_per_file_ignores_globs(pattern: str, path: str, ignored: bool) -> None:
    selection = Selection(per_file=((pattern, ("PL4",)),))
    assert selection.enabled_in("PL402", path) is not ignored
    assert selection.enabled_in("PL101", path)  # other codes stay


def test_select_diagnostics_keeps_order():
    diagnostics = [Diagnostic(Span("m.py", n), code, "m") for n, code in ((3, "PL110"), (1, "PL101"), (2, "PL001"))]
    assert select_diagnostics(diagnostics, Selection(("PL1",))) == [diagnostics[0], diagnostics[1]]


def test_split_codes():
    assert split_codes("PL1, PL201,,PL0 ") == ("PL1", "PL201", "PL0")
    assert split_codes(" , ") == ()


def test_unknown_codes_need_a_rule_that_starts_with_them():
    assert unknown_codes(["PL", "PL1", "PL11", "PL112", "PL119", "PL99", "pl101", "E501", "PL1010"]) == [
        "PL",
        "PL119",
        "PL99",
        "pl101",
        "E501",
        "PL1010",
    ]


def test_require_known_names_where_and_the_first_unknown_code():
    require_known(["PL1", "PL001"], "--select", UsageError)
    with pytest.raises(UsageError) as caught:
        require_known(["PL1", "PL999", "PL998"], "--select", UsageError)
    assert (
        str(caught.value) == "--select has unknown rule code or prefix 'PL999'; `paperlink rule --all` lists the codes"
    )


# --- check() ----------------------------------------------------------------------------


def test_check_reports_every_rule_by_default(root):
    assert [str(d) for d in check(load_config(None, root), [root]).diagnostics] == EVERYTHING


@pytest.mark.parametrize(
    ("select", "ignore", "kept"),
    [
        (["PL1"], (), [0, 1, 2]),
        (["PL10"], (), [0, 1]),
        (["PL101", "PL110"], (), [0, 2]),
        (None, ["PL110"], [0, 1]),
        (["PL10"], ["PL102"], [0]),
        (["PL0"], (), []),
    ],
)
def test_check_select_then_ignore(root, select, ignore, kept):
    report = check(load_config(None, root), [root], select=select, ignore=ignore)
    assert [str(d) for d in report.diagnostics] == [EVERYTHING[i] for i in kept]


def test_check_rejects_unknown_codes(root):
    with pytest.raises(UsageError) as caught:
        check(load_config(None, root), [root], ignore=["PL1", "PL77"])
    assert (
        str(caught.value) == "'ignore' has unknown rule code or prefix 'PL77'; `paperlink rule --all` lists the codes"
    )


def test_a_selection_that_drops_every_failing_diagnostic_exits_zero(root):
    assert run(str(root), "--ignore", "PL1") == (0, [])


# --- the command line and the configuration ----------------------------------------------


def test_cli_select_and_ignore(root):
    assert run(str(root)) == (1, EVERYTHING)
    assert run(str(root), "--select", "PL10") == (1, EVERYTHING[:2])
    assert run(str(root), "--select", "PL1", "--ignore", "PL101,PL110") == (1, EVERYTHING[1:2])
    assert run(str(root), "--ignore", " PL102 , PL110") == (1, EVERYTHING[:1])


def test_config_select_and_ignore(tmp_path):
    root = project(tmp_path, 'select = ["PL1"]\nignore = ["PL102"]\n')
    assert run(str(root)) == (1, [EVERYTHING[0], EVERYTHING[2]])
    assert run(str(root), "--ignore", "PL110") == (1, EVERYTHING[:1])  # the CLI's ignore adds
    assert run(str(root), "--select", "PL102,PL110") == (1, EVERYTHING[1:])  # the CLI's select starts afresh


def test_yaml_config_select(tmp_path):
    (tmp_path / "paperlink.yaml").write_text("papers: {p: paper.yaml}\nselect: [PL110]\n", encoding="utf-8")
    (tmp_path / "paper.yaml").write_text(PAPER, encoding="utf-8")
    (tmp_path / "m.py").write_text(MODEL, encoding="utf-8")
    assert run(str(tmp_path)) == (1, EVERYTHING[2:])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--select", "PL999"],
            "--select has unknown rule code or prefix 'PL999'; `paperlink rule --all` lists the codes",
        ),
        (["--ignore", "PL1,pl110"], "--ignore has unknown rule code or prefix 'pl110'; did you mean 'PL110'?"),
        (
            ["--select", "PL1;PL2"],
            "--select has unknown rule code or prefix 'PL1;PL2'; `paperlink rule --all` lists the codes",
        ),
        (["--select", ","], "--select expects comma-separated rule codes or prefixes such as PL1,PL201, got ','"),
    ],
)
def test_cli_bad_codes_exit_2_with_one_line(root, monkeypatch, capsys, args, message):
    monkeypatch.chdir(root)
    with pytest.raises(SystemExit) as done:
        main(["check", *args])
    assert done.value.code == 2
    assert capsys.readouterr() == ("", f"paperlink: error: {message}\n")


def test_config_bad_codes_exit_2_naming_the_key(tmp_path, monkeypatch, capsys):
    project(tmp_path, 'ignore = ["PL110", "PL42"]\n')
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as done:
        main(["check"])
    assert done.value.code == 2
    assert capsys.readouterr() == (
        "",
        "paperlink: error: pyproject.toml [tool.paperlink]: 'ignore' has unknown rule code or prefix 'PL42';"
        " `paperlink rule --all` lists the codes\n",
    )


def test_usage_errors_are_paperlink_errors():
    assert issubclass(UsageError, PaperlinkError)
