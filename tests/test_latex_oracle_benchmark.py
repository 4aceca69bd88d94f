"""benchmarks/latex_oracle.py on a one-paper corpus: what it counts against real pdflatex output."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow  # pdflatex twice

PAPER = r"""\documentclass{article}
\usepackage{amsmath}
\usepackage{lmodern}
\begin{document}
\section{Intro}\label{sec:intro}
\begin{equation}a=b\label{eq:a}\end{equation}
\begin{equation}c=d\end{equation}
\begin{eqnarray} e &=& f \end{eqnarray}
\begin{eqnarray*} k &=& l \end{eqnarray*}
\begin{figure}\caption{Loss $x$ as in Eq.~\eqref{eq:a}}\label{fig:a}\end{figure}
\begin{subequations}\begin{align} g &= h \\ i &= j \end{align}\end{subequations}
\end{document}
"""
# a build leftover of another document, committed: never part of the oracle
STALE_AUX = "\\relax\n\\newlabel{stale}{{9}{1}}\n"


def _repository(repos: Path) -> str:
    work = repos / "someone+paper" / "repo"
    work.mkdir(parents=True)
    (work / "paper.tex").write_text(PAPER, encoding="utf-8")
    (work / "paper.aux").write_text(STALE_AUX, encoding="utf-8")
    git = ["git", "-C", str(work), "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "paper"], check=True)
    return subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()


def test_oracle_counts_labels_printed_equation_numbers_and_rendering(tmp_path: Path) -> None:
    if shutil.which("pdflatex") is None:
        if os.environ.get("CI"):
            pytest.fail("pdflatex is required in CI (.ci/run installs TeX Live)")
        pytest.skip("pdflatex not installed")
    repos = tmp_path / "repos"
    commit = _repository(repos)
    corpus = tmp_path / "corpus.yaml"
    corpus.write_text(
        f"documents:\n- {{repo: someone/paper, commit: {commit}, main: paper.tex, class: article, kind: paper}}\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "latex_oracle.py"), "--repos", str(repos)]
        + ["--corpus", str(corpus), "--json", "--details", "--oracle-cache", str(tmp_path / "cache")],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    figures = json.loads(result.stdout)
    assert figures["skipped"] == {}
    paper = figures["documents"]["someone/paper:paper.tex"]
    # sec:intro, eq:a, fig:a; the committed paper.aux's "stale" label is not read
    assert (paper["labels"], paper["recall"], paper["agreement"], paper["pages"]) == (3, 1.0, 1.0, 1)
    # 1, 2, 3 (the step eqnarray and eqnarray* take past their last row withdrawn), 4a, 4b (their
    # parent 4 is not printed)
    assert (paper["equation_numbers"], paper["equation_numbers_found"]) == (5, 1.0)
    assert (paper["captions"], paper["raw_captions"]) == (1, 0)  # its math as MathML, its reference as (1)
    assert "rendering caption" not in result.stderr
    assert list((tmp_path / "cache").glob("*.json")), "the oracle is kept for the next run"
