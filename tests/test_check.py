"""`paperlink check` end to end on the sample papers: exactly the seeded traceability defects."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from paperlink.cli import cli
from paperlink.config import load_config
from paperlink.engine import check

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted(p.parent for p in (ROOT / "sample_papers").glob("*/paper.tex"))
IMPLEMENTED = ("PL0", "PL1", "PL2", "PL3", "PL4", "PL5")  # the rule families `check` runs today


def _expected(sample: Path) -> set[tuple[str, int, str]]:
    entries = set()
    for line in (sample / "expected").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^(\S+):(\d+) (PL\d{3}) ", line)
        if match and match.group(3).startswith(IMPLEMENTED):
            entries.add((match.group(1), int(match.group(2)), match.group(3)))
    return entries


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_check_finds_exactly_the_seeded_traceability_defects(sample: Path) -> None:
    report = check(load_config(None, sample), [sample])
    found = {(d.span.path, d.span.line, d.code) for d in report.diagnostics}
    assert found == _expected(sample)
    assert report.failing


def test_check_messages_state_the_fact_and_suggest() -> None:
    sample = ROOT / "sample_papers" / "simsiam"
    report = check(load_config(None, sample), [sample], select=["PL0", "PL1"])
    assert [str(d) for d in report.diagnostics] == [
        "paper.tex:113:17: PL110 Eq. (6) eq:cosine has no implementing code",
        "src/train.py:77:48: PL101 eq:symmetric_loss is not a label of paper 'simsiam'; did you mean eq:symloss?",
    ]
    assert {(row.kind, row.total, row.implemented) for row in report.coverage} == {
        ("equation", 9, 8),
        ("algorithm", 1, 1),
    }


def test_the_gradient_message_names_the_stop_its_context_and_what_is_linked_there() -> None:
    sample = ROOT / "sample_papers" / "simsiam"
    report = check(load_config(None, sample), [sample], select=["PL2"])
    assert [str(d) for d in report.diagnostics] == [
        "src/model.py:70:14: PL201 torch.no_grad() block stops the gradient on a training path in SimSiam.forward"
        " with no paper item or justification; linked there: alg:simsiam:line:3 (Algorithm 1 line 3),"
        " alg:simsiam:line:4 (Algorithm 1 line 4), eq:encoder (Eq. (1)) and 1 more, none marking a stop-gradient",
    ]


def test_explicit_files_are_checked_without_coverage() -> None:
    sample = ROOT / "sample_papers" / "simsiam"
    report = check(load_config(None, sample), [sample / "src" / "train.py"], select=["PL0", "PL1"])
    assert [d.code for d in report.diagnostics] == ["PL101"]
    assert report.coverage == ()


def test_cli_check_exit_codes_and_json_is_deterministic(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["check", str(ROOT / "sample_papers" / "dqn"), "--format", "json", "-q"])
    assert result.exit_code == 1, result.output
    document = json.loads(result.output)
    assert document["version"] == 1
    assert {d["code"] for d in document["diagnostics"]} == {
        "PL101",
        "PL110",
        "PL401",
        "PL402",
        "PL403",
        "PL404",
        "PL501",
        "PL201",
        "PL506",
    }
    assert any(link["item"] == "eq:td_target" for link in document["links"])
    again = subprocess.run(
        [sys.executable, "-m", "paperlink", "check", str(ROOT / "sample_papers" / "dqn"), "--format", "json", "-q"],
        capture_output=True,
        text=True,
        env={"PYTHONHASHSEED": "7", "PATH": ""},
        check=False,
    )
    assert again.returncode == 1
    assert again.stdout == result.output


def test_clean_project_exits_zero(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.paperlink]\npapers = { p = "paper.yaml" }\n', encoding="utf-8")
    (tmp_path / "paper.yaml").write_text(
        "items:\n  - kind: equation\n    label: eq:a\n    number: '1'\n", encoding="utf-8"
    )
    (tmp_path / "model.py").write_text("def f(x):  # paper: Eq. 1\n    return x\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""


def test_broken_python_is_a_diagnostic_and_the_run_goes_on(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.paperlink]\npapers = { p = "paper.yaml" }\n', encoding="utf-8")
    (tmp_path / "paper.yaml").write_text(
        "items:\n  - kind: equation\n    label: eq:a\n    number: '1'\n", encoding="utf-8"
    )
    (tmp_path / "broken.py").write_text("def f(:\n", encoding="utf-8")
    (tmp_path / "latin.py").write_bytes("x = 'caf\xe9'\n".encode("latin-1"))
    (tmp_path / "model.py").write_text("# paper: Eqn 1\ndef f(x):\n    return x\n", encoding="utf-8")
    report = check(load_config(None, tmp_path), [tmp_path])
    assert [(d.span.path, d.span.line, d.code) for d in report.diagnostics] == [
        ("broken.py", 1, "PL001"),
        ("latin.py", 1, "PL002"),
        ("model.py", 1, "PL102"),
        ("paper.yaml", 2, "PL110"),
    ]


def test_bad_paper_override_is_a_usage_error() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "paperlink", "check", str(ROOT / "sample_papers" / "dqn"), "--paper", "nonsense"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr == "paperlink: error: --paper expects NAME=PATH, got 'nonsense'\n"


def test_worker_processes_give_the_same_report(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.paperlink]\npapers = { p = "paper.yaml" }\n', encoding="utf-8")
    (tmp_path / "paper.yaml").write_text(
        "items:\n" + "".join(f"  - kind: equation\n    label: eq:e{i}\n    number: '{i}'\n" for i in range(1, 41)),
        encoding="utf-8",
    )
    for i in range(1, 41):  # enough files for the worker pool to be used
        reference = f"Eq. {i}" if i % 7 else f"Eq. {i + 100}"
        (tmp_path / f"m{i:02d}.py").write_text(f"def f{i}(x):  # paper: {reference}\n    return x\n", encoding="utf-8")
    config = load_config(None, tmp_path)
    serial = check(config, [tmp_path], jobs=1)
    parallel = check(config, [tmp_path], jobs=2)
    assert serial == parallel
    assert [d.code for d in parallel.diagnostics].count("PL101") == 5
    assert [d.code for d in parallel.diagnostics].count("PL110") == 5


def test_thousands_of_implicitly_concatenated_strings_are_read(tmp_path: Path) -> None:
    """pydoc's generated topics.py: libcst nests one level per part of the string."""
    (tmp_path / "pyproject.toml").write_text('[tool.paperlink]\npapers = { p = "paper.yaml" }\n', encoding="utf-8")
    (tmp_path / "paper.yaml").write_text(
        "items:\n  - kind: equation\n    label: eq:a\n    number: '1'\n", encoding="utf-8"
    )
    strings = "\n".join(f"    'part {i} of a long generated text'" for i in range(3000))
    (tmp_path / "topics.py").write_text(f"# paper: Eq. 1\ntopics = (\n{strings}\n)\n", encoding="utf-8")
    report = check(load_config(None, tmp_path), [tmp_path], jobs=1)
    assert report.diagnostics == ()
    assert [link.item_key for link in report.links] == ["eq:a"]


def test_fail_under_compares_total_coverage(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.paperlink]\npapers = { p = "paper.yaml" }\nnot-implemented = ["eq:c"]\n', encoding="utf-8"
    )
    (tmp_path / "paper.yaml").write_text(
        "items:\n"
        + "".join(f"  - kind: equation\n    label: eq:{n}\n    number: '{i}'\n" for i, n in enumerate("abcd", 1)),
        encoding="utf-8",
    )
    (tmp_path / "model.py").write_text("x = 1  # paper: Eq. 1\ny = 2  # paper: Eq. 2\n", encoding="utf-8")
    runner = CliRunner()
    base = ["check", str(tmp_path), "--select", "PL0,PL101"]  # PL110 off: only --fail-under decides
    assert runner.invoke(cli, [*base, "--fail-under", "75"]).exit_code == 0  # 2 implemented + 1 exempt of 4
    failed = runner.invoke(cli, [*base, "--fail-under", "80"])
    assert failed.exit_code == 1
    assert "coverage 75.0% is under --fail-under 80%" in failed.stderr


def test_the_cache_gives_the_same_report_and_notices_edits(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.paperlink]\npapers = { p = "paper.yaml" }\n', encoding="utf-8")
    (tmp_path / "paper.yaml").write_text(
        "items:\n  - kind: equation\n    label: eq:a\n    number: '1'\n  - kind: equation\n    label: eq:b\n    number: '2'\n",
        encoding="utf-8",
    )
    model = tmp_path / "model.py"
    model.write_text("x = 1  # paper: Eq. 1\ny = 2  # paper: Eq. 9  # paperlink: ignore[PL104]\n", encoding="utf-8")
    (tmp_path / "broken.py").write_text("def f(:\n", encoding="utf-8")
    config = load_config(None, tmp_path)
    fresh = check(config, [tmp_path], jobs=1)
    cold = check(config, [tmp_path], jobs=1, cache=True)
    warm = check(config, [tmp_path], jobs=1, cache=True)
    assert fresh == cold == warm
    assert (tmp_path / ".paperlink_cache" / ".gitignore").read_text(encoding="utf-8").endswith("*\n")
    model.write_text("x = 1  # paper: Eq. 1\ny = 2  # paper: Eq. 2\n", encoding="utf-8")
    edited = check(config, [tmp_path], jobs=1, cache=True)
    assert edited == check(config, [tmp_path], jobs=1)
    assert [d.code for d in edited.diagnostics] == ["PL001"]


def test_a_corrupt_cache_is_ignored(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.paperlink]\npapers = { p = "paper.yaml" }\n', encoding="utf-8")
    (tmp_path / "paper.yaml").write_text(
        "items:\n  - kind: equation\n    label: eq:a\n    number: '1'\n", encoding="utf-8"
    )
    (tmp_path / "model.py").write_text("x = 1  # paper: Eq. 1\n", encoding="utf-8")
    config = load_config(None, tmp_path)
    expected = check(config, [tmp_path], jobs=1, cache=True)
    (scan,) = (tmp_path / ".paperlink_cache").rglob("scan.json")
    real_digest = hashlib.sha256((tmp_path / "model.py").read_bytes()).hexdigest()
    for damaged, warnings in (
        # valid JSON without this code's digest: a cache of another paperlink, silently replaced
        ('{"model.py": ["' + real_digest + '", {"annotations": 3}], "other": 1}', ()),
        ('{"model.py": ["' + real_digest, (".paperlink_cache discarded and rebuilt: not valid JSON",)),  # truncated
    ):
        scan.write_text(damaged, encoding="utf-8")
        report = check(config, [tmp_path], jobs=1, cache=True)
        assert (dataclasses.replace(report, warnings=()), report.warnings) == (expected, warnings)


def test_the_paper_can_exempt_an_equation_with_a_comment(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.paperlink]\npapers = { p = "paper.tex" }\n', encoding="utf-8")
    (tmp_path / "paper.tex").write_text(
        "\\documentclass{article}\n\\begin{document}\n"
        "\\begin{equation}\\label{eq:a} a = b \\end{equation}\n"
        "\\begin{equation}\\label{eq:b} c = d % paperlink: not-implemented (a proof device)\n\\end{equation}\n"
        "\\begin{equation}\\label{eq:c} e = f \\end{equation} % 50\\% paperlink: not-implemented\n"
        "\\end{document}\n",
        encoding="utf-8",
    )
    (tmp_path / "model.py").write_text("x = 1  # paper: Eq. 1\n", encoding="utf-8")
    report = check(load_config(None, tmp_path), [tmp_path], jobs=1)
    assert [str(d) for d in report.diagnostics] == []
    assert [
        (row.kind, row.total, row.implemented, row.exempt) for row in report.coverage if row.kind == "equation"
    ] == [
        ("equation", 3, 1, 2),
    ]
