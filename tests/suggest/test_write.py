"""`paperlink suggest --write`: comment lines inserted above targets, nothing else changed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from paperlink.config import load_config
from paperlink.source.annotations import collect_annotations
from paperlink.source.files import discover, read_source
from paperlink.source.parse import ParsedSource, parse_source
from paperlink.suggest import accepted
from paperlink.suggest.project import suggest_project
from paperlink.trace import resolve
from tests.samples import copy_sample

REPOSITORY = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPOSITORY / "benchmarks"))
from suggest import strip_line  # noqa: E402

PAPER = r"""\documentclass{article}
\usepackage{amsmath}
\begin{document}
\section{Method}\label{sec:method}
The symmetric loss compares both branches.
\begin{equation}\label{eq:symmetric} \mathcal{L} = D(p_1, \operatorname{sg}(z_2)) \end{equation}
We train with a learning rate of $0.05$.
\end{document}
"""
CODE = (
    "import functools\r\n\r\n\r\n"
    "@functools.cache\r\n"
    "def symmetric_loss(p1, z2):\r\n"
    '    """Both branches; the second is a target."""\r\n'
    "    return distance(p1, z2.detach())\r\n\r\n\r\n"
    "if True: lr = 0.5\r\n"  # sets the learning rate too, not at the paper's value
    "learning_rate = 0.05\r\n"
)


def _project(tmp_path: Path) -> Path:
    (tmp_path / "paper.tex").write_text(PAPER, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text('[tool.paperlink]\npapers = { p = "paper.tex" }\n', encoding="utf-8")
    (tmp_path / "train.py").write_bytes(CODE.encode("utf-8"))
    return tmp_path


def _paperlink(*arguments: str, cwd: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "paperlink", *arguments], cwd=cwd, capture_output=True, text=True, input=stdin
    )


def test_write_inserts_comment_lines_above_decorators_and_statements_only(tmp_path: Path) -> None:
    root = _project(tmp_path)
    done = _paperlink("suggest", "--write", "--format", "json", cwd=root)
    assert done.returncode == 0, done.stderr
    assert done.stderr == "wrote 2 annotations in 1 file\n"
    written = (root / "train.py").read_bytes().decode("utf-8")
    assert written.split("\r\n")[3:6] == ["# paper: eq:symmetric", "@functools.cache", "def symmetric_loss(p1, z2):"]
    assert "# paper: hp:learning_rate\r\nlearning_rate = 0.05\r\n" in written
    assert "if True: lr = 0.5" in written and "# paper: hp:learning_rate\r\nif True" not in written  # not its line
    inserted = [line for line in written.split("\r\n") if line.lstrip().startswith("# paper:")]
    assert len(inserted) == 2
    assert "\r\n".join(line for line in written.split("\r\n") if line not in inserted) == CODE  # code unchanged
    document = json.loads(done.stdout)
    assert [item["item"] for item in document["items"] if item["write"]] == ["eq:symmetric", "hp:learning_rate"]
    assert (
        document["items"][0]["candidates"][0]["score"] < document["min_score"] == 0.6
    )  # sec:method: shown, not written
    again = json.loads(_paperlink("suggest", "--format", "json", cwd=root).stdout)  # linked: never written twice
    flags = {item["item"]: (item["linked"], item["write"]) for item in again["items"]}
    assert flags["eq:symmetric"] == flags["hp:learning_rate"] == (True, False)


def test_min_score_and_interactive_choose_what_is_written(tmp_path: Path) -> None:
    root = _project(tmp_path)
    none = _paperlink("suggest", "--write", "--min-score", "1", cwd=root)
    assert none.stderr == "wrote 0 annotations in 0 files\n"
    chosen = _paperlink("suggest", "--interactive", cwd=root, stdin="y\nn\n")
    assert chosen.returncode == 0, chosen.stderr
    written = (root / "train.py").read_text(encoding="utf-8")
    assert written.count("# paper:") == 1 and "# paper: eq:symmetric\n@functools.cache" in written
    assert chosen.stdout == ""  # the prompts go to stderr


def test_formats_and_a_missing_configuration(tmp_path: Path) -> None:
    root = tmp_path / "project"
    root.mkdir()
    _project(root)
    text = _paperlink("suggest", cwd=root).stdout
    assert text.splitlines()[0] == "sec:method  Section 1"
    assert text.splitlines()[-1] == "3 items ranked; 2 at score >= 0.6 (*) would be written by --write"
    assert "name `symmetric_loss` ~ 'symmetric loss'" in text
    markdown = _paperlink("suggest", "--format", "markdown", cwd=root).stdout
    assert markdown.startswith("# Suggested links: p\n\n| item | score | target | evidence |\n")
    empty = tmp_path / "empty"
    empty.mkdir()
    missing = _paperlink("suggest", cwd=empty)
    assert missing.returncode == 2
    assert missing.stderr.startswith("paperlink: error: ") and "Traceback" not in missing.stderr


def _links(root: Path, paper: object) -> dict[str, list[tuple[str, int, int]]]:
    """Each item linked in the sample, with the targets its annotations bind to (module docstrings aside)."""
    config = load_config(root / "pyproject.toml")
    found: dict[str, list[tuple[str, int, int]]] = {}
    for path in discover([root], config):
        parsed = parse_source(read_source(path, root))
        assert isinstance(parsed, ParsedSource)
        for annotation in collect_annotations(parsed):
            for reference in annotation.references:
                item = resolve(reference, paper).item  # type: ignore[arg-type]
                if item is not None and annotation.target.line > 1:
                    target = annotation.target
                    found.setdefault(item.key, []).append((target.path, target.line, target.end_line))
    return found


@pytest.mark.parametrize("sample", ["dqn", "simsiam", "transformer"])
def test_sample_papers_links_are_restored_from_the_stripped_code(tmp_path: Path, sample: str) -> None:
    root = tmp_path / sample
    copy_sample(sample, root)
    config = load_config(root / "pyproject.toml")
    wanted = _links(root, suggest_project(config, [root], None, 3).paper)
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        path.write_text("\n".join(strip_line(line) for line in text.split("\n")), encoding="utf-8")
    found = suggest_project(config, [root], None, 3)
    assert not found.suggestions.linked
    written = {(ranking.item.key, c.target.path): c.target for ranking, c in accepted(found.suggestions)}
    restored = [
        key
        for key, targets in wanted.items()
        if any(
            (t := written.get((key, path))) is not None and (t.line <= line <= t.end_line or line <= t.line <= end)
            for path, line, end in targets
        )
    ]
    assert len(restored) >= RESTORED[sample] * len(wanted), sorted(set(wanted) - set(restored))
    # what --write writes for a linked item is right: a wrong annotation costs more than a missing one
    wrong = sorted({key for key, _ in written if key in wanted and key not in restored})
    assert len(restored) >= 0.85 * (len(restored) + len(wrong)), wrong


# The share of each sample's linked items (module docstrings aside: --write never writes one) that
# --write restores at a right target
# (below the 0.8 docs/suggest.md aims at, the price of writing only a clear winner; see its Known limits)
RESTORED = {"dqn": 0.5, "simsiam": 0.6, "transformer": 0.62}


def _notebook(*cells: tuple[str, str]) -> str:
    return json.dumps(
        {
            "nbformat": 4,
            "nbformat_minor": 5,
            "metadata": {"language_info": {"name": "python"}},
            "cells": [
                {"cell_type": kind, "metadata": {}, "source": source.splitlines(keepends=True)}
                | ({"outputs": [], "execution_count": None} if kind == "code" else {})
                for kind, source in cells
            ],
        },
        indent=1,
    )


def test_a_notebooks_code_cells_are_ranked_at_their_cell_and_never_written(tmp_path: Path) -> None:
    (tmp_path / "paper.tex").write_text(PAPER, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text('[tool.paperlink]\npapers = { p = "paper.tex" }\n', encoding="utf-8")
    notebook = _notebook(
        ("markdown", "# Training\n"),
        ("code", "import torch\n"),
        ("code", "x = 1\n\ndef symmetric_loss(p1, z2):\n    return distance(p1, z2.detach())\n"),
    )
    (tmp_path / "train.ipynb").write_text(notebook, encoding="utf-8")
    done = _paperlink("suggest", "--write", "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr == "wrote 0 annotations in 0 files\n"
    assert (tmp_path / "train.ipynb").read_text(encoding="utf-8") == notebook
    item = next(i for i in json.loads(done.stdout)["items"] if i["item"] == "eq:symmetric")
    best = item["candidates"][0]
    assert (best["path"], best["name"], best["cell"], best["cell_line"]) == ("train.ipynb", "symmetric_loss", 3, 3)
    assert "calls `detach()` where Eq. (1) has sg(·)" in best["evidence"] and not item["write"]
    text = _paperlink("suggest", cwd=tmp_path).stdout
    assert "train.ipynb:cell 3:3" in text


def test_a_modules_definition_ranks_before_a_notebooks_copy_of_it(tmp_path: Path) -> None:
    (tmp_path / "paper.tex").write_text(PAPER, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text('[tool.paperlink]\npapers = { p = "paper.tex" }\n', encoding="utf-8")
    copy = "def symmetric_loss(p1, z2):\n    return distance(p1, z2.detach())\n"
    (tmp_path / "demo.ipynb").write_text(_notebook(("code", copy)), encoding="utf-8")
    (tmp_path / "loss.py").write_text(copy, encoding="utf-8")
    document = json.loads(_paperlink("suggest", "--format", "json", cwd=tmp_path).stdout)
    item = next(i for i in document["items"] if i["item"] == "eq:symmetric")
    assert [c["path"] for c in item["candidates"]] == ["loss.py", "loss.py", "demo.ipynb"]
    assert item["candidates"][2]["evidence"][-1] == "in a notebook (the project's modules rank first)"
