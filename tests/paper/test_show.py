"""Tests for paperlink.paper.show: the text table and the JSON document."""

from __future__ import annotations

import json

from paperlink.paper import Hyperparameter, ItemKind, Limitation, Paper, PaperItem
from paperlink.paper.show import PAPER_JSON_VERSION, paper_to_json, paper_to_text
from paperlink.spans import Span

PAPER = Paper(
    name="p",
    source="paper.tex",
    title="A Title\n  on Two Lines",
    items=(
        PaperItem(
            ItemKind.SECTION, "sec:intro", "1", Span("paper.tex", 3), labels=("sec:intro",), title="Intro", level=1
        ),
        PaperItem(
            ItemKind.HYPERPARAMETER,
            "hp:learning_rate",
            None,
            Span("paper.tex", 7),
            hyperparameter=Hyperparameter("learning\nrate", 3e-4, "3\\times\n10^{-4}"),
        ),
    ),
    limitations=(Limitation("numbering unknown", Span("paper.tex", 9, 2)),),
)


def test_text_table_keeps_one_line_per_item():
    assert paper_to_text(PAPER) == (
        'paper p: paper.tex "A Title on Two Lines" (2 items)\n'
        "KIND            NUMBER  KEY               TITLE / VALUE                    WHERE\n"
        "section         1       sec:intro         Intro                            paper.tex:3\n"
        "hyperparameter  -       hp:learning_rate  learning rate = 3\\times 10^{-4}  paper.tex:7\n"
        "limitation: paper.tex:9:2: numbering unknown\n"
    )


def test_json_document():
    text = paper_to_json(PAPER)
    document = json.loads(text)
    assert document["version"] == PAPER_JSON_VERSION == 1
    assert document["items"][0]["level"] == 1
    assert "level" not in document["items"][1]
    assert document["items"][1]["hyperparameter"] == {
        "name": "learning\nrate",
        "raw": "3\\times\n10^{-4}",
        "value": 3e-4,
        "symbol": "",
        "values": None,
        "scope": "",
        "provenance": "own",
        "canonical": None,
    }
    assert text == json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
