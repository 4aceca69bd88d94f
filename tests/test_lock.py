"""paperlink.lock and stale links (PL111): either side of a link changing is reported."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from paperlink.cli import cli
from paperlink.config import load_config
from paperlink.engine import check
from paperlink.errors import PaperlinkError
from paperlink.lock import render_lock

PAPER = r"""\documentclass{article}
\usepackage{amsmath}
\begin{document}
\section{Method}\label{sec:m}
\begin{equation}\label{eq:loss} L = D(p, z) \end{equation}
\begin{equation}\label{eq:reg} R = \lVert w \rVert^2 \end{equation}
\end{document}
"""
CODE = """def loss(p, z):  # paper: eq:loss
    return -(p * z).sum()


def reg(w):  # paper: eq:reg
    return (w * w).sum()
"""


def _project(tmp_path: Path) -> Path:
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "pyproject.toml").write_text('[tool.paperlink]\npapers = { p = "paper.tex" }\n', encoding="utf-8")
    (tmp_path / "paper.tex").write_text(PAPER, encoding="utf-8")
    (tmp_path / "model.py").write_text(CODE, encoding="utf-8")
    return tmp_path


def _diagnostics(root: Path) -> list[str]:
    return [str(d) for d in check(load_config(None, root), [root], jobs=1).diagnostics]


def test_lock_then_edits_on_either_side_are_reported(tmp_path: Path) -> None:
    root = _project(tmp_path)
    runner = CliRunner()
    assert runner.invoke(cli, ["lock", str(root)]).exit_code == 0
    lock = (root / "paperlink.lock").read_text(encoding="utf-8")
    assert [line.split("\t")[:6] for line in lock.splitlines() if not line.startswith("#")] == [
        ["model.py", "loss", "p", "eq:loss", "0", "1"],
        ["model.py", "reg", "p", "eq:reg", "0", "2"],
    ]
    assert _diagnostics(root) == []
    # formatting and comments are not changes
    (root / "model.py").write_text(
        CODE.replace("return -(p * z).sum()", "# negative cosine\n    return -(p*z).sum()"), encoding="utf-8"
    )
    assert _diagnostics(root) == []
    # the code changes
    (root / "model.py").write_text(CODE.replace("-(p * z).sum()", "-(p * z).mean()"), encoding="utf-8")
    assert _diagnostics(root) == [
        "model.py:1:18: PL111 the code linked to Eq. (1) eq:loss changed since paperlink.lock; review it, then `paperlink lock --update`",
    ]
    # the paper changes and renumbers: a new equation before eq:reg
    (root / "model.py").write_text(CODE, encoding="utf-8")
    edited = PAPER.replace(
        r"\begin{equation}\label{eq:reg} R",
        r"\begin{equation} x = y \end{equation}" + "\n" + r"\begin{equation}\label{eq:reg} R + \epsilon",
    )
    (root / "paper.tex").write_text(edited, encoding="utf-8")
    assert _diagnostics(root) == [
        "model.py:5:14: PL111 the paper changed Eq. (3) eq:reg since paperlink.lock (it was number 2 when locked); "
        "review the link, then `paperlink lock --update`",
        "paper.tex:6:18: PL110 Eq. (2) equation:2 has no implementing code",
    ]
    # accepting the change
    assert runner.invoke(cli, ["lock", str(root)]).exit_code != 0  # exists: needs --update
    assert runner.invoke(cli, ["lock", "--check", str(root)]).exit_code == 1
    assert runner.invoke(cli, ["lock", "--update", str(root)]).exit_code == 0
    assert runner.invoke(cli, ["lock", "--check", str(root)]).exit_code == 0
    assert [d for d in _diagnostics(root) if "PL111" in d] == []


def test_moving_code_within_its_file_keeps_the_link(tmp_path: Path) -> None:
    root = _project(tmp_path)
    assert CliRunner().invoke(cli, ["lock", str(root)]).exit_code == 0
    first, second = CODE.split("\n\n\n")
    (root / "model.py").write_text(f"import math\n\n\n{second}\n\n{first}", encoding="utf-8")
    assert _diagnostics(root) == []


def test_a_malformed_lock_stops_the_run(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "paperlink.lock").write_text("model.py\tloss\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(root)])
    assert result.exit_code != 0
    assert "paperlink.lock:1: not a lock line" in str(result.exception)


def test_the_lock_file_is_sorted_and_stable(tmp_path: Path) -> None:
    root = _project(tmp_path)
    report = check(load_config(None, root), [root], jobs=1)
    text = render_lock(report.locked)
    assert text == render_lock(reversed(report.locked))
    assert text.startswith("# paperlink.lock")


def test_a_lock_that_is_a_link_is_neither_read_nor_written_through(tmp_path: Path) -> None:
    root = _project(tmp_path / "project")
    outside = tmp_path / "outside.txt"
    outside.write_text("not a lock\n", encoding="utf-8")
    (root / "paperlink.lock").symlink_to(outside)
    for options in (["--update"], ["--check"]):
        result = CliRunner().invoke(cli, ["lock", *options, str(root)])
        assert isinstance(result.exception, PaperlinkError), result.output  # exit 2 through main()
        assert str(result.exception) == (
            "paperlink.lock is a symbolic link: paperlink neither reads nor writes a lock through one"
        )
    assert outside.read_text(encoding="utf-8") == "not a lock\n"
