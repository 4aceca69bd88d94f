"""The blueprint: one node per numbered item, an edge where an item's text refers to another."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from paperlink.cli import cli
from paperlink.config import load_config
from paperlink.engine import check
from paperlink.report import render_html
from paperlink.report.blueprint import item_uses
from paperlink.report.highlight import split_lines
from paperlink.report.page import build_page

PAPER = r"""\documentclass{article}
\usepackage{amsmath}\usepackage{algorithm}\usepackage{algpseudocode}\usepackage{amsthm}
\newtheorem{theorem}{Theorem}
\begin{document}
\section{Method}
The encoder is
\begin{equation}\label{eq:enc}
  z = f(x)
\end{equation}
Using the encoder of \eqref{eq:enc}, the loss is
\begin{equation}\label{eq:loss}
  L = \lVert z - y \rVert^2
\end{equation}
\begin{equation}\label{eq:unused}
  u = 1
\end{equation}
\begin{theorem}\label{thm:bound}
The loss \eqref{eq:loss} is bounded.
\end{theorem}
\begin{algorithm}\caption{Training}\label{alg:train}
\begin{algorithmic}[1]
\For{each batch}
  \State compute the loss of Eq.~\eqref{eq:loss} and \cref{eq:enc}
\EndFor
\end{algorithmic}
\end{algorithm}
\end{document}
"""

CODE = "z = 0  # paper: eq:enc\nloss = 0  # paper: eq:loss\n"

EDGES = [
    ("Eq. (2) uses Eq. (1)"),
    ("Theorem 1 uses Eq. (2)"),
    ("Algorithm 1 line 2 uses Eq. (2)"),
]


def blueprint_project(root: Path) -> Path:
    (root / "pyproject.toml").write_text('[tool.paperlink]\npapers = { bp = "paper.tex" }\n', encoding="utf-8")
    (root / "paper.tex").write_text(PAPER, encoding="utf-8")
    (root / "train.py").write_text(CODE, encoding="utf-8")
    return root


def test_items_use_what_their_text_and_surroundings_refer_to(tmp_path: Path) -> None:
    root = blueprint_project(tmp_path)
    report = check(load_config(None, root), [root], jobs=1)
    uses = item_uses(report.papers["bp"], {"paper.tex": split_lines(PAPER)})
    assert [(user, used) for user, used, _ in uses] == [
        ("eq:loss", "eq:enc"),
        ("thm:bound", "eq:loss"),
        ("alg:train", "eq:loss"),
        ("alg:train", "eq:enc"),
    ]
    page = build_page(report)
    (graph,) = page.blueprints
    assert [(node.label, node.href, node.status) for node in graph.nodes] == [
        ("Eq. (1)", "#eq-enc", "implemented"),
        ("Eq. (2)", "#eq-loss", "implemented"),
        ("Eq. (3)", "#eq-unused", "missing"),
        ("Theorem 1", "#thm-bound", "other"),
        ("Algorithm 1", "#alg-train", "missing"),
    ]
    assert [edge.title for edge in graph.edges] == [*EDGES, "Algorithm 1 line 2 uses Eq. (1)"]
    # the used item sits a row above the items using it
    rows = {node.label: float(node.y) for node in graph.nodes}
    assert rows["Eq. (1)"] < rows["Eq. (2)"] < rows["Theorem 1"] == rows["Algorithm 1"]
    assert render_html(report) == render_html(check(load_config(None, root), [root], jobs=2))


def test_a_stale_link_colours_its_node_and_every_status_is_named(tmp_path: Path) -> None:
    root = blueprint_project(tmp_path)
    assert CliRunner().invoke(cli, ["lock", str(root)]).exit_code == 0
    (root / "train.py").write_text(CODE.replace("loss = 0", "loss = 1"), encoding="utf-8")
    report = check(load_config(None, root), [root], jobs=1)
    assert [(d.code, d.span.path, d.span.line) for d in report.diagnostics if d.code == "PL111"] == [
        ("PL111", "train.py", 2)
    ]
    (graph,) = build_page(report).blueprints
    assert [(node.label, node.status, node.title) for node in graph.nodes] == [
        ("Eq. (1)", "implemented", "Eq. (1): implemented"),
        ("Eq. (2)", "stale", "Eq. (2): stale link"),
        ("Eq. (3)", "missing", "Eq. (3): missing"),
        ("Theorem 1", "other", "Theorem 1: not counted"),
        ("Algorithm 1", "missing", "Algorithm 1 Training: missing"),
    ]
    html = render_html(report)
    assert '<a href="#eq-loss" class="node st-stale"><title>Eq. (2): stale link</title>' in html
    assert html.count('<svg class="swatch"') == 5 and "stale link (PL111" in html
