"""A renumbered paper: printed-number links locked against v1 of the simsiam sample, checked
against v2 (an equation inserted before the first one, the Optimisation subsection moved
before Objective). ``check`` reports PL111 with each item's new number, ``check --fix``
rewrites the references and records the new numbers in paperlink.lock."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from paperlink.cli import cli
from tests.samples import copy_sample

V2 = Path(__file__).parent / "data" / "renumbering" / "paper_v2.tex"

LOCK = "paperlink.lock"
RENUMBERED = [
    "src/model.py:65:9: PL111 Eq. (1) now names eq:views, not eq:encoder as in paperlink.lock: "
    "the paper was renumbered and eq:encoder is now Eq. (2)",
    "src/model.py:65:9: PL111 Eq. (2) now names eq:encoder, not eq:predictor as in paperlink.lock: "
    "the paper was renumbered and eq:predictor is now Eq. (3)",
    "src/train.py:1:1: PL111 Section 2.2 now names sec:optimisation, not sec:objective as in paperlink.lock: "
    "the paper was renumbered and sec:objective is now Section 2.3",
    "src/train.py:1:1: PL111 Section 2.3 now names sec:objective, not sec:optimisation as in paperlink.lock: "
    "the paper was renumbered and sec:optimisation is now Section 2.2",
    "src/train.py:39:5: PL111 Eq. (3b) names no item now, not eq:symloss as in paperlink.lock: "
    "the paper was renumbered and eq:symloss is now Eq. (6b)",
    "src/train.py:39:5: PL111 Eq. (4) now names eq:lr_scale, not eq:stopgrad as in paperlink.lock: "
    "the paper was renumbered and eq:stopgrad is now Eq. (7)",
    "src/train.py:50:5: PL111 Eq. (7) now names eq:stopgrad, not eq:collapse_std as in paperlink.lock: "
    "the paper was renumbered and eq:collapse_std is now Eq. (8)",
    "src/train.py:58:5: PL111 Section 2.3 now names sec:objective, not sec:optimisation as in paperlink.lock: "
    "the paper was renumbered and sec:optimisation is now Section 2.2",
]
# (file, line as v1 of the code has it, the line after --fix)
REWRITTEN = [
    (
        "src/model.py",
        "        Paper: Eq. 1, Eq. 2, Alg. 1 line 3, Alg. 1 line 4",
        "        Paper: Eq. 2, Eq. 3, Alg. 1 line 3, Alg. 1 line 4",
    ),
    ("src/train.py", "Paper: Sec. 2.2, Sec. 2.3, Alg. 1", "Paper: Sec. 2.3, Sec. 2.2, Alg. 1"),
    ("src/train.py", "    Paper: Eq. (3b), Eq. 4, Alg. 1 line 5", "    Paper: Eq. (6b), Eq. 7, Alg. 1 line 5"),
    ("src/train.py", "    Paper: Appendix A.1, Eq. 7", "    Paper: Appendix A.1, Eq. 8"),
    ("src/train.py", '    """Paper: Sec. 2.3, Table 1"""', '    """Paper: Sec. 2.2, Table 1"""'),
]


def _locked_v1(tmp_path: Path) -> Path:
    root = tmp_path / "simsiam"
    copy_sample("simsiam", root)
    assert CliRunner().invoke(cli, ["lock", str(root)]).exit_code == 0
    shutil.copyfile(V2, root / "paper.tex")
    return root


def _check(root: Path, *options: str) -> list[str]:
    result = CliRunner().invoke(
        cli, ["check", "--no-cache", "--output-format", "concise", "--select", "PL1", *options, str(root)]
    )
    assert result.exit_code in (0, 1), result.output
    return result.stdout.splitlines()


def test_the_lock_records_the_label_behind_each_printed_number(tmp_path: Path) -> None:
    root = _locked_v1(tmp_path)
    lines = [line for line in (root / LOCK).read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    printed = sorted(
        (fields[0], fields[3], fields[8]) for fields in (line.split("\t") for line in lines) if len(fields) == 9
    )
    assert ("src/model.py", "eq:encoder", "Eq. (1)") in printed
    assert ("src/train.py", "eq:symloss", "Eq. (3b)") in printed
    assert ("src/train.py", "sec:objective", "Section 2.2") in printed
    assert ("src/train.py", "alg:simsiam_update", "Algorithm 1 line 6") in printed
    # a link written as a label keeps the eight columns it always had
    assert any(line.split("\t")[3] == "eq:predictor" and len(line.split("\t")) == 8 for line in lines)


def test_check_reports_each_renumbered_reference_with_the_new_number(tmp_path: Path) -> None:
    root = _locked_v1(tmp_path)
    stale = [line for line in _check(root) if " PL111 " in line and "now" in line]
    assert stale == RENUMBERED


def test_check_fix_rewrites_the_references_and_the_lock_follows(tmp_path: Path) -> None:
    root = _locked_v1(tmp_path)
    before = {path: (root / path).read_text(encoding="utf-8") for path in ("src/model.py", "src/train.py")}
    result = CliRunner().invoke(cli, ["check", "--no-cache", "--fix", "--select", "PL111", str(root)])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[-1] == "Found 8 diagnostics (8 fixed, 0 remaining)"
    for path, old, new in REWRITTEN:
        assert old in before[path]
        before[path] = before[path].replace(old, new)
    for path, expected in before.items():
        assert (root / path).read_text(encoding="utf-8") == expected
    # nothing stale is left, and the next --fix rewrites nothing (a swap does not swap back)
    assert [line for line in _check(root) if " PL111 " in line] == []
    again = CliRunner().invoke(cli, ["check", "--no-cache", "--fix", "--select", "PL111", str(root)])
    assert again.stderr.splitlines()[-1] == "Found 0 diagnostics (0 fixed, 0 remaining)"
    for path, expected in before.items():
        assert (root / path).read_text(encoding="utf-8") == expected
    lock = (root / LOCK).read_text(encoding="utf-8")
    assert "\teq:encoder\t0\t2\t" in lock and "\tEq. (2)\n" in lock


def test_diff_shows_the_renumbering_without_writing(tmp_path: Path) -> None:
    root = _locked_v1(tmp_path)
    lock = (root / LOCK).read_bytes()
    result = CliRunner().invoke(cli, ["check", "--no-cache", "--diff", "--select", "PL111", str(root)])
    assert result.exit_code == 1
    removed = [line[1:] for line in result.stdout.splitlines() if line.startswith("-") and not line.startswith("---")]
    added = [line[1:] for line in result.stdout.splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert (removed, added) == ([old for _, old, _ in REWRITTEN], [new for _, _, new in REWRITTEN])
    assert (root / LOCK).read_bytes() == lock


def test_a_renumbered_algorithm_line(tmp_path: Path) -> None:
    root = tmp_path / "p"
    root.mkdir()
    (root / "pyproject.toml").write_text('[tool.paperlink]\npapers = { p = "paper.tex" }\n', encoding="utf-8")
    algorithm = r"""\documentclass{article}
\usepackage{algorithm,algpseudocode}
\begin{document}
\begin{algorithm}\caption{Train}\label{alg:train}
\begin{algorithmic}[1]
%s\State sample \label{alg:sample}
\State update \label{alg:update}
\end{algorithmic}
\end{algorithm}
\end{document}
"""
    (root / "paper.tex").write_text(algorithm % "", encoding="utf-8")
    (root / "train.py").write_text("def step(x):  # paper: Alg. 1 line 2\n    return x\n", encoding="utf-8")
    assert CliRunner().invoke(cli, ["lock", str(root)]).exit_code == 0
    (root / "paper.tex").write_text(algorithm % "\\State init \\label{alg:init}\n", encoding="utf-8")
    assert _check(root) == [
        "train.py:1:15: PL111 Algorithm 1 line 2 now names alg:sample, not alg:update as in paperlink.lock: "
        "the paper was renumbered and alg:update is now Algorithm 1 line 3"
    ]
    _check(root, "--fix")
    assert (root / "train.py").read_text(encoding="utf-8") == "def step(x):  # paper: Alg. 1 line 3\n    return x\n"
    assert _check(root) == []
