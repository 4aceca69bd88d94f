"""benchmarks/paper_hyperparameters.py: paper-side hyperparameter statements scored against hand labels.

The scoring is tested on a made-up ``paper show`` document, so the figures do not move when
paperlink's reading improves; one run on a toy paper checks the whole script end to end.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
TOY = ROOT / "tests" / "data" / "paper_hyperparameters"
SCRIPT = ROOT / "benchmarks" / "paper_hyperparameters.py"


def _load_benchmark():
    spec = importlib.util.spec_from_file_location("paper_hyperparameters_benchmark", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


bench = _load_benchmark()


def _item(line: int, key: str, name: str, raw: str, value: float | None, **extra: object) -> dict[str, object]:
    return {
        "kind": "hyperparameter",
        "key": f"hp:{key}",
        "span": {"path": "paper.tex", "line": line, "end_line": line, "column": 1, "end_column": 2},
        "hyperparameter": {"name": name, "raw": raw, "value": value, **extra},
    }


DOCUMENT = {
    "items": [
        {"kind": "section", "key": "section:1", "span": {"path": "paper.tex", "line": 3, "end_line": 3}},
        _item(4, "learning_rate", "learning rate", "3\\times10^{-4}", 3e-4),
        _item(4, "batch_size", "batch size", "64", 64.0),  # value right, scope (Atari) unknown
        _item(4, "batch_size", "batch size", "64", 64.0),  # the same value twice: one pair
        _item(5, "epochs", "epochs", "100", 100.0),  # the cited work's value, as the paper's own
        _item(6, "learning_rate", "inner step size", "0.05", 0.05, scope="unrolled optimiser"),  # canonical: wrong
        _item(7, "N", "samples per step", "64", 64.0, canonical=None),
        _item(8, "dropout", "dropout", "0.2", 0.2, provenance="baseline"),  # a member of the baseline's set
        _item(9, "momentum", "momentum", "0.9", 0.9),  # a labelled negative
        _item(11, "learning_rate", "learning rate", "0.1", 0.1),  # outside the labelled lines: not scored
    ]
}


def test_scores_pair_values_provenance_and_scope() -> None:
    labels = bench.read_labels(TOY / "acme__paper.yaml")
    result = bench.score(labels, bench.reported_statements(DOCUMENT, labels))
    assert result.figures() == {
        "reported": 8,
        "labels": 6,
        "labels_own": 4,
        "labels_baseline": 1,
        "labels_cited": 1,
        "precision": 5 / 8,
        "recall_own": 1.0,
        "recall_own_baseline": 1.0,
        "precision_scope": 4 / 8,
        "recall_own_scope": 3 / 4,
        "recall_own_baseline_scope": 4 / 5,
        "on_negatives": 1,
        "cited_as_own": 1,
        "canonical_mistakes": 1,
        "recall_own_by_source": {"math": 1.0, "prose": 1.0},
    }
    assert result.false == [
        "paper.tex:4 hp:batch_size (batch size) = 64: scope none, labelled 'Atari' (value+scope only)",
        "paper.tex:4 hp:batch_size (batch size) = 64: a second report of a value already paired",
        "paper.tex:5 hp:epochs (epochs) = 100: a cited value reported as the paper's own",
        "paper.tex:9 hp:momentum (momentum) = 0.9: on a labelled negative (illustration: a momentum of 0.9)",
    ]
    assert result.canonical == [
        "paper.tex:6 hp:learning_rate (inner step size) = 0.05: labelled 'inner step size', canonical null"
    ]
    assert result.missed == []


def test_misses_say_what_was_reported_near_them() -> None:
    labels = bench.read_labels(TOY / "acme__paper.yaml")
    document = {"items": [_item(3, "learning_rate", "learning rate", "3e-4", 3e-4), _item(7, "N", "N", "65", 65.0)]}
    result = bench.score(labels, bench.reported_statements(document, labels))
    assert result.missed == [
        "paper.tex:4 [own, prose] learning rate = 3e-4 (scope global): reported with this value on line 3",
        "paper.tex:4 [own, prose] batch size = 64 (scope Atari): nothing reported on the line",
        "paper.tex:6 [own, prose] inner step size = 0.05 (scope unrolled optimiser): nothing reported on the line",
        "paper.tex:7 [own, math] samples per step = 64 (scope global): reported here with other values: 65",
        "paper.tex:8 [baseline, prose] dropout (baseline) = {0.1, 0.2} (scope global): nothing reported on the line",
    ]
    assert result.false == [
        "paper.tex:3 hp:learning_rate (learning rate) = 3e-4: placed on line 3, the value is labelled on line 4",
        "paper.tex:7 hp:N (N) = 65: wrong value (labelled here: 64)",
    ]


@pytest.mark.parametrize(
    ("written", "numbers"),
    [
        ("10^{-4}", {1e-4}),
        ("3\\times10^{-4}", {3e-4}),
        ("$3 \\times 10^{-4}$", {3e-4}),
        ("1e-4", {1e-4}),
        ("0.0001", {1e-4}),
        (".001", {1e-3}),
        ("1{,}000", {1000.0}),
        ("250,000", {250000.0}),
        ("4k", {4000.0}),
        ("50M", {5e7}),
        ("90\\%", {90.0, 0.9}),
        ("\\frac{1}{2}", {0.5}),
        ("7/8", {0.875}),
        ("16\\times16", set()),
        ("AdamW", set()),
    ],
)
def test_written_values_are_read_as_numbers(written: str, numbers: set[float]) -> None:
    assert bench.numbers_of(written) == numbers


def test_values_agree_within_tolerance_as_sets_and_as_spellings() -> None:
    def statement(*values: str, unit: str | None = None) -> object:
        return bench.Statement("p.tex", 1, "x", values, len(values) > 1, "global", "own", None, "prose", unit)

    def reported(raw: str, value: float | None, values: tuple[str, ...] = ()) -> object:
        return bench.Reported("p.tex", 1, 1, "x", "x", value, raw, values)

    assert bench.value_agrees(reported("0.00030000000000000003", 3.0000000000000003e-4), statement("3e-4"))
    assert bench.value_agrees(reported("0.9", 0.9), statement("90", unit="%"))
    assert bench.value_agrees(reported("16\\times 16", None), statement("16x16"))
    assert bench.value_agrees(reported("1e-3", 1e-3), statement("1e-2", "1e-3"))
    assert bench.value_agrees(reported("", None, ("0.01", "10^{-3}")), statement("1e-2", "1e-3", "1e-4"))
    assert not bench.value_agrees(reported("", None, ("0.01", "0.5")), statement("1e-2", "1e-3"))
    assert not bench.value_agrees(reported("0.0003001", 3.001e-4), statement("3e-4"))


def test_a_label_outside_the_labelled_lines_is_refused(tmp_path: Path) -> None:
    document = yaml.safe_load((TOY / "acme__paper.yaml").read_text(encoding="utf-8"))
    document["statements"][0]["line"] = 11
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    with pytest.raises(ValueError, match=r"paper.tex:11 lies outside the labelled ranges"):
        bench.read_labels(tmp_path / "bad.yaml")


def test_the_committed_label_sets_load() -> None:
    paths = sorted((ROOT / "benchmarks" / "paper_labels").glob("*.yaml"))
    assert len(paths) >= 12
    for path in paths:
        labels = bench.read_labels(path)
        assert labels.split in ("dev", "heldout", "opened") and len(labels.commit) == 40, path.name
        assert len(labels.digests) == len(labels.statements) + len(labels.negatives), path.name


def test_the_script_scores_a_paper_present_locally() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(TOY / "acme__paper.yaml"), "--repos", str(TOY), "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    figures = json.loads(done.stdout)
    assert sorted(figures["totals"]) == ["all", "blind", "heldout"]
    assert figures["papers"]["acme/paper"]["split"] == "heldout blind"
    assert figures["totals"]["all"]["labels"] == 6
    assert figures["totals"]["all"]["recall_own_by_source"].keys() == {"math", "prose"}
    assert "1 label sets: 1 files, 6 statements, 1 negatives" in done.stderr


def test_a_paper_at_another_commit_is_refused(tmp_path: Path) -> None:
    checkout = tmp_path / "acme__paper"
    checkout.mkdir()
    text = (TOY / "acme__paper" / "paper.tex").read_text(encoding="utf-8")
    (checkout / "paper.tex").write_text("% a new first line\n" + text, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(TOY / "acme__paper.yaml"), "--repos", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 1
    assert "acme/paper: 7 labelled lines read differently (first: paper.tex:4)" in done.stderr
