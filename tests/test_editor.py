"""The editor features without the protocol: paperlink.editor over a real check of the SimSiam sample."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from paperlink.config import load_config
from paperlink.diagnostics import Diagnostic, Severity
from paperlink.editor import (
    LineEdit,
    citation,
    code_actions,
    completion_context,
    completions,
    hover_text,
    insert_above,
    item_at,
    references_to_label,
)
from paperlink.engine import check
from paperlink.results import Report
from paperlink.spans import Span

SAMPLE = Path(__file__).resolve().parents[1] / "sample_papers" / "simsiam"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    root = tmp_path_factory.mktemp("editor") / "simsiam"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns("expected", ".paperlink_cache"))
    config = load_config(None, root)
    return check(config, [root], jobs=1)


def line_of(report: Report, path: str, number: int) -> str:
    return (report.root / path).read_text(encoding="utf-8").splitlines()[number - 1]


def test_a_linked_reference_names_its_item(report: Report):
    line = line_of(report, "src/train.py", 43)
    column = line.index("eq:symloss") + 1
    target = item_at(report, "src/train.py", 43, line, column + 4)
    assert target is not None
    assert (target.item.key, target.start, target.end) == ("eq:symloss", column, column + len("eq:symloss"))
    assert item_at(report, "src/train.py", 43, line, 3) is None


def test_a_reference_typed_since_the_check_is_read_and_resolved(report: Report):
    line = "    x = f(y)  # paper: eq:loss, Alg. 1 line 6"
    target = item_at(report, "src/train.py", 200, line, line.index("line 6") + 2)
    assert target is not None
    assert target.item.number == "6" and target.item.kind.value == "algorithm_line"
    assert (target.start, target.end) == (line.index("Alg. 1") + 1, len(line) + 1)


def test_hover_text_for_an_equation_and_a_hyperparameter(report: Report):
    line = line_of(report, "src/train.py", 43)
    target = item_at(report, "src/train.py", 43, line, line.index("eq:symloss") + 2)
    assert target is not None
    text = hover_text(target, report.links)
    assert text.splitlines()[0] == "**Eq. (3b)** `eq:symloss` · equation · simsiam"
    assert "Defined at paper.tex:75" in text
    line = line_of(report, "src/train.py", 19)
    target = item_at(report, "src/train.py", 19, line, line.index("hp:learning_rate") + 2)
    assert target is not None
    text = hover_text(target, report.links)
    assert "Paper value: `0.05`" in text
    assert "Implemented at: src/train.py:19" in text


def test_references_to_a_label_in_the_paper(report: Report):
    line = line_of(report, "paper.tex", 75)
    links = references_to_label(report, "paper.tex", 75, line, line.index("\\label{eq:symloss}") + 3)
    assert [link.span.line for link in links] == [39, 43, 44, 45]
    assert references_to_label(report, "paper.tex", 75, line, 1) == []


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("x = 1  # paper: eq:a, Eq", (23, "Eq")),
        ("x = 1  # paper: ", (17, "")),
        ("    Paper: Alg. 1 li", (12, "Alg. 1 li")),
        ('@paperlink.implements("eq:lo', (24, "eq:lo")),
        ("x = 1  # note: eq:a", None),
        ("x = 'paper'", None),
    ],
)
def test_completion_context(line: str, expected: tuple[int, str] | None):
    assert completion_context(line, len(line) + 1) == expected


def test_completions_match_as_typed_first(report: Report):
    found = completions(report.papers, "Alg. 1 l")
    assert [c.label for c in found][:2] == ["Alg. 1 line 1", "Alg. 1 line 2"]
    assert [c.label for c in completions(report.papers, "hp:learn")] == ["hp:learning_rate"]
    first = completions(report.papers, "Alg")
    assert first[0].label == "Alg. 1" and "alg:simsiam" in [c.label for c in first]
    assert first[0].detail == "Algorithm 1 One pass over the data with the stop-gradient Siamese objective."


def test_citation_of_each_kind(report: Report):
    paper = report.papers["simsiam"]
    cited = {item.key: citation(item, paper) for item in paper.items}
    assert cited["eq:symloss"] == "Eq. 3b"
    assert cited["alg:simsiam"] == "Alg. 1"
    assert cited["sec:objective"] == "Sec. 2.2"
    assert cited["hp:learning_rate"] == "hp:learning_rate"


def test_code_actions_keep_line_endings():
    text = "import torch\r\n\r\ndef f(x):\r\n    with torch.no_grad():\r\n        return x\r\n"
    stop = Diagnostic(Span("a.py", 4, 10), "PL201", "a stop", Severity.WARNING)
    document, suppress = code_actions(text, [stop])
    assert document.title == "Document this gradient stop" and document.preferred
    assert document.edit == LineEdit(
        4, 4, "    # paperlink: stop-grad TODO: say why the gradient stops here\r\n    with torch.no_grad():\r\n"
    )
    assert suppress.title == "Suppress PL201 on this line"
    assert suppress.edit == LineEdit(4, 4, "    with torch.no_grad():  # paperlink: ignore[PL201] TODO: explain\r\n")


def test_no_suppression_offered_inside_a_string():
    text = 's = """\n# paper: eq:x\n"""\n'
    unknown = Diagnostic(Span("a.py", 2, 1), "PL101", "unknown", Severity.ERROR)
    assert code_actions(text, [unknown]) == []


def test_insert_above_keeps_the_line_and_its_ending():
    text = "a = 1\r\nb = 2"
    assert insert_above(text, 1, "# x") == LineEdit(1, 1, "# x\r\na = 1\r\n")
    assert insert_above(text, 2, "# y") == LineEdit(2, 2, "# y\r\nb = 2")  # the last line: the file's newline
    assert insert_above("a = 1\n", 1, "# z") == LineEdit(1, 1, "# z\na = 1\n")
    assert insert_above(text, 3, "# none") is None


def test_suggested_annotations_are_inserted_as_suggest_write_writes_them(tmp_path: Path):
    from paperlink.suggest import accepted
    from paperlink.suggest.project import suggest_project
    from paperlink.suggest.write import apply, comment, plan

    root = tmp_path / "simsiam"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns("expected", ".paperlink_cache"))
    config = load_config(None, root)
    found = suggest_project(config, [root], None, 3)
    insertions = plan(accepted(found.suggestions), found.paper, found.texts)
    assert [(i.path, i.line, i.references) for i in insertions] == [
        ("src/train.py", 19, ("hp:eta_0",)),
        ("src/train.py", 24, ("hp:d",)),
        ("src/train.py", 30, ("eq:cosine",)),
    ]
    text = found.texts["src/train.py"]
    lines = text.splitlines(keepends=True)
    for insertion in reversed(insertions):  # what an editor does with each action, bottom up
        edit = insert_above(text, insertion.line, comment(insertion, ""))
        assert edit is not None and edit.first_line == edit.last_line == insertion.line
        lines[insertion.line - 1] = edit.new_text
    apply(insertions, root, found.texts)
    assert "".join(lines) == (root / "src/train.py").read_text(encoding="utf-8")
