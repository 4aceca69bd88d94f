"""benchmarks/accuracy.py: the scoring of paperlink's inventory against hand labels.

The scoring is tested on a made-up document, so the figures do not move when paperlink's
inference improves; one run on a toy repository checks the whole script end to end.
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
TOY = ROOT / "tests" / "data" / "accuracy"


def _load_accuracy():
    spec = importlib.util.spec_from_file_location("accuracy_benchmark", ROOT / "benchmarks" / "accuracy.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


accuracy = _load_accuracy()


def _span(line: int, end: int | None = None) -> dict[str, object]:
    return {"path": "train.py", "line": line, "end_line": end or line, "column": 1, "end_column": 2}


DOCUMENT = {
    "gradient_stops": [
        {"span": _span(16), "context": "training"},
        {"span": _span(22), "context": "setup"},  # a target update filed under setup: disagrees
        {"span": _span(25), "context": "training"},  # a logged .item(), labelled negative
        {"span": _span(28), "context": "evaluation"},
    ],
    "hidden_inputs": {
        "globals": [
            {"name": "args", "span": _span(9), "read_by": ["update"], "written_by": []},
            {"name": "model", "span": _span(10), "read_by": ["evaluate"], "written_by": []},  # negative: a read
        ]
    },
    "hyperparameters": [
        {"name": "learning_rate", "code": [{"span": _span(7)}]},
        {"name": "adam.eps", "code": [{"span": _span(12)}, {"span": _span(12)}]},  # two defaults of one call: one unit
        {"name": "width", "code": [{"span": _span(10)}]},  # nn.Linear(4, 2): a labelled negative
        {"name": "other", "code": [{"span": _span(3)}]},  # unlabelled
    ],
    "diagnostics": [{"code": "PL201", "span": _span(28)}],
}


def test_scores_count_units_negatives_and_contexts() -> None:
    labels = accuracy.read_labels(TOY / "acme__toy.yaml")
    scores = accuracy.score(labels, DOCUMENT, TOY / "acme__toy")
    assert scores["gradient_stops"].figures() == {
        "labels": 4,
        "recall": 0.75,
        "recall_core": 2 / 3,
        "precision_vs_negatives": 0.75,
        "strict_precision": 0.75,
        "reported": 4,
        "context_agreement": 2 / 3,
        "pl201_on_eval_or_setup": 1,
    }
    assert scores["hidden_state"].figures() == {
        "labels": 2,
        "recall": 0.5,
        "recall_core": 0.5,
        "precision_vs_negatives": 0.5,
        "strict_precision": 0.5,
        "reported": 2,
        "context_agreement": None,
        "pl201_on_eval_or_setup": 0,
    }
    assert scores["hyperparameters"].figures() == {
        "labels": 4,
        "recall": 0.5,
        "recall_core": 1 / 3,
        "precision_vs_negatives": 2 / 3,
        "strict_precision": 0.5,
        "reported": 4,
        "context_agreement": None,
        "pl201_on_eval_or_setup": 0,
    }
    assert scores["gradient_stops"].missed == [
        "train.py:22 context setup, labelled target_update",
        "train.py:24 data",
    ]
    assert scores["hyperparameters"].false == ["train.py:3 unlabelled", "train.py:10 on a labelled negative"]


def test_a_label_outside_the_labelled_files_is_refused(tmp_path: Path) -> None:
    document = yaml.safe_load((TOY / "acme__toy.yaml").read_text(encoding="utf-8"))
    document["items"][0]["path"] = "other.py"
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    with pytest.raises(ValueError, match="other.py is not among the labelled files"):
        accuracy.read_labels(tmp_path / "bad.yaml")


def test_the_committed_label_sets_load() -> None:
    for path in sorted((ROOT / "benchmarks" / "labels").glob("*.yaml")):
        labels = accuracy.read_labels(path)
        assert labels.split in accuracy.SPLITS and len(labels.commit) == 40, path.name
        assert all(label.line_sha for label in (*labels.items, *labels.negatives)), path.name


def test_the_script_scores_a_repository_present_locally() -> None:
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "accuracy.py"),
            str(TOY / "acme__toy.yaml"),
            "--repos",
            str(TOY),
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    figures = json.loads(done.stdout)
    assert sorted(figures["totals"]) == [
        f"{split}|{family}"
        for split in ("all", "heldout")
        for family in ("gradient_stops", "hidden_state", "hyperparameters")
    ]
    assert figures["totals"]["all|gradient_stops"]["labels"] == 4
    assert "1 label sets: 1 files, 30 lines, 10 items, 4 negatives" in done.stderr


def test_labels_that_no_longer_point_at_their_line_are_refused(tmp_path: Path) -> None:
    """A checkout at another commit: the labelled lines read differently, so the repository is not scored."""
    checkout = tmp_path / "acme__toy"
    checkout.mkdir()
    text = (TOY / "acme__toy" / "train.py").read_text(encoding="utf-8")
    (checkout / "train.py").write_text("import os\n" + text, encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "accuracy.py"),
            str(TOY / "acme__toy.yaml"),
            "--repos",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 1
    assert "acme/toy: 14 labelled lines read differently (first: train.py:16)" in done.stderr


def test_agreement_of_two_labellers_counts_shared_units_and_contexts(tmp_path: Path) -> None:
    first = accuracy.read_labels(TOY / "acme__toy.yaml")
    document = yaml.safe_load((TOY / "acme__toy.yaml").read_text(encoding="utf-8"))
    document["items"] = [item for item in document["items"] if item["line"] != 18]  # missed the loss weight
    document["items"][1]["context"] = "setup"  # the target update's no_grad, seen as setup
    document["items"].append(
        {"path": "train.py", "line": 25, "family": "hyperparameters", "kind": "literal", "name": "width", "value": "4"}
    )
    (tmp_path / "acme__toy.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    figures = accuracy.agreement(first, accuracy.read_labels(tmp_path / "acme__toy.yaml"))
    assert figures["gradient_stops"] == {"both": 4, "only_first": 0, "only_second": 0, "f1": 1.0, "same_context": 0.75}
    assert figures["hyperparameters"] == {
        "both": 3,
        "only_first": 1,
        "only_second": 1,
        "f1": 0.75,
        "same_context": None,
    }
    assert figures["hidden_state"]["f1"] == 1.0
