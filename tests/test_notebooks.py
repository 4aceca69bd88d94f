"""Notebooks end to end: every rule and annotation form, positions as cell and line in every format."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from paperlink.config import Config, PaperSource, load_config
from paperlink.engine import check
from paperlink.formats import FORMATS
from paperlink.source.files import discover
from tests.notebooks import notebook_json

DATA = Path(__file__).parent / "data"
PAPER = Path(__file__).parent / "rules" / "fixtures" / "paper.tex"
# the shared fixture paper has items this notebook does not implement, and the project records no environment
IGNORED = ["PL110", "PL404", "PL505", "PL506"]

EXPECTED_TEXT = """\
siamese.ipynb:cell 2:5:1: PL503 torch seed hard-coded as 0; no parameter or configuration sets it
siamese.ipynb:cell 6:2:35: PL201 target.detach() stops the gradient on a training path in head_loss with no paper item or justification; linked there: eq:mse (Eq. (2)), none marking a stop-gradient
siamese.ipynb:cell 8:5:45: PL401 hidden hyperparameter loss_weight.head_loss: 0.3 is neither configurable nor linked to the paper
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copy(DATA / "siamese.ipynb", tmp_path)
    shutil.copy(PAPER, tmp_path / "paper.tex")
    (tmp_path / "pyproject.toml").write_text('[tool.paperlink]\npapers = { paper = "paper.tex" }\n', encoding="utf-8")
    return tmp_path


def _report(root: Path, **options):
    return check(load_config(None, root), [root], jobs=1, ignore=IGNORED, **options)


def test_seeded_defects_are_found_at_their_cell_and_line(project: Path) -> None:
    assert FORMATS["text"](_report(project)) == EXPECTED_TEXT


def test_markdown_comment_and_trailing_annotations_link_the_notebook_to_the_paper(project: Path) -> None:
    links = [
        (l.form, l.item_key, l.span.cell, l.span.line, l.target.cell, l.target.line, l.target.end_line)
        for l in _report(project).links
    ]
    assert links == [
        ("markdown", "eq:loss", 3, 2, 4, 1, 3),  # the whole next code cell: documents its detach()
        ("markdown", "eq:mse", 5, 3, 6, 1, 2),
        ("comment", "hp:learning_rate", 7, 5, 7, 5, 5),
        ("comment", "hp:momentum", 7, 5, 7, 5, 5),
        ("comment", "hp:weight_decay", 7, 5, 7, 5, 5),
    ]


def test_json_sarif_and_github_carry_the_cell(project: Path) -> None:
    report = _report(project)
    document = json.loads(FORMATS["json"](report))
    assert document["diagnostics"][1]["span"] == {
        "path": "siamese.ipynb",
        "cell": 6,
        "line": 2,
        "column": 35,
        "end_line": 2,
        "end_column": 50,
    }
    stops = [(s["span"]["cell"], s["span"]["line"]) for s in document["gradient_stops"]]
    assert stops == [(4, 2), (4, 2), (6, 2)]
    sarif = json.loads(FORMATS["sarif"](report))["runs"][0]["results"][1]
    file_lines = (project / "siamese.ipynb").read_text(encoding="utf-8").split("\n")
    region = sarif["locations"][0]["physicalLocation"]["region"]
    assert "target.detach()" in file_lines[region["startLine"] - 1] and region["startLine"] == region["endLine"]
    assert sarif["properties"] == {"cell": 6, "cellLine": 2, "cellColumn": 35}
    github = FORMATS["github"](report).splitlines()[1]
    assert github.startswith(f"::warning file=siamese.ipynb,line={region['startLine']},endLine={region['startLine']},")
    assert "title=PL201 undocumented-gradient-stop (cell 6%2C line 2)::" in github


def test_the_cache_keeps_the_cell_layout(project: Path) -> None:
    cold = FORMATS["json"](_report(project, cache=True))
    assert (project / ".paperlink_cache").exists()
    assert FORMATS["json"](_report(project, cache=True)) == cold == FORMATS["json"](_report(project))


def test_suppressions_and_directives_work_inside_cells(tmp_path: Path) -> None:
    (tmp_path / "nb.ipynb").write_text(
        notebook_json(
            [
                ("code", "import torch\nnet = torch.nn.Linear(2, 2)\n"),
                (
                    "code",
                    "def loss(x, y):\n    return (net(x) - y.detach()).pow(2).mean()  # paperlink: ignore[PL201] the target is data\n",
                ),
                ("code", "for _ in range(2):\n    loss(torch.ones(2), net(torch.ones(2))).backward()\n"),
            ]
        ),
        encoding="utf-8",
    )
    report = check(Config(root=tmp_path), [tmp_path], jobs=1, select=["PL1", "PL2"])
    assert [str(d) for d in report.diagnostics] == []


def test_a_markdown_annotation_with_no_code_cell_after_it_is_reported(tmp_path: Path) -> None:
    (tmp_path / "nb.ipynb").write_text(
        notebook_json([("code", "x = 1\n"), ("markdown", "Done.\npaper: eq:mse\n")]), encoding="utf-8"
    )
    report = check(Config(root=tmp_path, papers=(PaperSource("paper", PAPER),)), [tmp_path], jobs=1, select=["PL102"])
    assert [str(d) for d in report.diagnostics] == [
        "nb.ipynb:cell 2:2:1: PL102 a markdown annotation binds to the code cell after it, and no code cell follows",
    ]


def test_notebooks_are_discovered_but_not_in_checkpoint_folders(tmp_path: Path) -> None:
    for name in ("a.ipynb", ".ipynb_checkpoints/a-checkpoint.ipynb", "b.py", "c.json"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("{}", encoding="utf-8")
    found = [p.relative_to(tmp_path).as_posix() for p in discover([tmp_path], Config(root=tmp_path))]
    assert found == ["a.ipynb", "b.py"]


def test_a_broken_notebook_beside_a_good_file_is_a_diagnostic_and_the_run_goes_on(tmp_path: Path) -> None:
    (tmp_path / "broken.ipynb").write_text('{"cells": [', encoding="utf-8")
    (tmp_path / "latin.ipynb").write_bytes(b'{"cells": [], "metadata": {"x": "\xe9"}}')
    (tmp_path / "good.py").write_text("x = 1\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "paperlink", "check", ".", "--no-cache", "--output-format", "concise"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1, done.stderr
    assert done.stdout == (
        "broken.ipynb:1:12: PL004 not a notebook: invalid JSON (Expecting value)\n"
        "latin.ipynb:1:34: PL002 cannot decode this file: byte 0xe9 is not utf-8\n"  # at the byte
    )


def test_the_report_shows_notebook_cells_with_their_own_line_numbers(project: Path) -> None:
    from paperlink.report import render_html

    from paperlink.report.page import PageOptions

    report = _report(project)
    html = render_html(report, PageOptions(include_code="all"))
    assert html.count('<tr class="cell-head">') == 8
    assert '<tr class="cell-head"><td></td><td>cell 6 · code</td></tr>' in html
    assert ">siamese.ipynb:cell 6:2</a>" in html
    # by default only the lines around links and findings: a cell with none of them has no head
    html = render_html(report)
    assert html.count('<tr class="cell-head">') == 7
    assert '<tr class="cell-head"><td></td><td>cell 6 · code</td></tr>' in html
    assert ">siamese.ipynb:cell 6:2</a>" in html


def test_each_cell_is_its_own_training_scope_and_a_redefined_function_is_read(tmp_path: Path) -> None:
    """A stop in a cell that trains is flagged; sampling in the next cell, under the same
    names, is not; a function defined again in a later cell (decorated) does not crash."""
    (tmp_path / "nb.ipynb").write_text(
        notebook_json(
            [
                ("code", "import torch\nW = torch.randn(3, 3, requires_grad=True)\n"),
                ("code", "def evaluate(x):\n    return (x @ W).sum()\n"),
                ("code", "@torch.no_grad()\ndef evaluate(x):\n    return (x @ W).sum()\n"),
                (
                    "code",
                    "for _ in range(2):\n    x = torch.randn(3)\n    scale = (x @ W).norm().item()\n    loss = (x @ W).pow(2).sum() / scale\n    loss.backward()\n",
                ),
                ("code", "x = torch.randn(3)\nloss = (x @ W).sum().item()\nprint(loss)\n"),
            ]
        ),
        encoding="utf-8",
    )
    report = check(Config(root=tmp_path), [tmp_path], jobs=1, select=["PL2"])
    assert [str(d) for d in report.diagnostics] == [
        "nb.ipynb:cell 3:1:2: PL206 @torch.no_grad() on evaluate is a gradient stop in evaluation code",
        "nb.ipynb:cell 4:3:13: PL201 (x @ W).norm().item() stops the gradient on a training path at module level"
        " with no paper item or justification",
    ]


def test_a_notebook_is_an_entry_point_for_the_hidden_input_rules(tmp_path: Path) -> None:
    (tmp_path / "nb.ipynb").write_text(
        notebook_json(
            [
                (
                    "code",
                    "import os, random\nimport torch\nDATA = os.environ.get('DATA_DIR', '/data')\nLR = 0.1\nhistory = []\n",
                ),
                (
                    "code",
                    "def train_step(model):\n    global LR\n    LR = LR * 0.5\n    history.append(LR)\n    return model(torch.ones(2)).sum()\n",
                ),
                ("code", "torch.backends.cudnn.benchmark = True\nprint(random.random())\n"),
            ]
        ),
        encoding="utf-8",
    )
    report = check(Config(root=tmp_path), [tmp_path], jobs=1, select=["PL3", "PL501", "PL502"])
    assert [str(d) for d in report.diagnostics] == [  # reading DATA_DIR at the top of a notebook is no PL304
        "nb.ipynb:cell 2:2:5: PL301 train_step rebinds the module-level LR through a global statement",
        "nb.ipynb:cell 2:4:5: PL302 train_step mutates the module-level history (history.append())",
        "nb.ipynb:cell 3:1:1: PL502 torch.backends.cudnn.benchmark = True makes runs nondeterministic and is not documented",
        "nb.ipynb:cell 3:2:7: PL501 random.random() draws from the global random generator, and no random seed is set on any import path to it",
    ]


def test_messages_that_name_another_line_name_its_cell(tmp_path: Path) -> None:
    (tmp_path / "nb.ipynb").write_text(
        notebook_json(
            [
                (
                    "code",
                    "import argparse\nimport torch\nparser = argparse.ArgumentParser()\nparser.add_argument('--lr', type=float, default=0.05)\nargs = parser.parse_args([])\n",
                ),
                ("code", "net = torch.nn.Linear(2, 2)\nopt = torch.optim.SGD(net.parameters(), lr=0.01)\n"),
            ]
        ),
        encoding="utf-8",
    )
    report = check(Config(root=tmp_path), [tmp_path], jobs=1, select=["PL405"])
    assert [str(d) for d in report.diagnostics] == [
        "nb.ipynb:cell 2:2:44: PL405 learning_rate is 0.01 here but 0.05 in --lr (cell 1, line 4)",
    ]


def test_imports_in_notebooks_count_for_the_environment_rules(tmp_path: Path) -> None:
    (tmp_path / "nb.ipynb").write_text(
        notebook_json(
            [
                ("markdown", "Setup.\n"),
                ("code", "%pip install numpy\nimport numpy as np\nimport torch\n"),
            ]
        ),
        encoding="utf-8",
    )
    (tmp_path / "requirements.txt").write_text("numpy==1.26.4\ntorch>=2.0\n", encoding="utf-8")
    report = check(Config(root=tmp_path), [tmp_path], jobs=1, select=["PL505"])
    assert [str(d) for d in report.diagnostics] == [
        "requirements.txt:2:1: PL505 torch is imported but requirements.txt does not pin its version ('torch>=2.0' allows more than one version)",
    ]
    (tmp_path / "requirements.txt").unlink()
    report = check(Config(root=tmp_path), [tmp_path], jobs=1, select=["PL505"])
    assert [d.span.location for d in report.diagnostics] == ["nb.ipynb:cell 2:2"]
