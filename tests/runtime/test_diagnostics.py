"""PL901-PL904 from an audit, alone and merged with synthetic static maps (no torch needed)."""

from __future__ import annotations

import json

import pytest

from paperlink.errors import AuditError
from paperlink.runtime.diagnostics import audit_diagnostics, merge_runtime, same_file
from paperlink.runtime.result import (
    AuditResult,
    GroupNorm,
    Location,
    NonFinite,
    ParameterGradient,
    StopEvent,
    TensorStats,
    audit_from_json,
    audit_to_dict,
    audit_to_json,
    rounded,
)


def place(path: str, line: int, end_line: int | None = None) -> Location:
    return Location(path, line, end_line or line, "f")


def stop(path: str, line: int, end_line: int | None = None, api: str = "torch.no_grad") -> dict:
    """An entry of `paperlink check`'s gradient_stops section."""
    return {
        "span": {"path": path, "line": line, "column": 5, "end_line": end_line or line, "end_column": 30},
        "kind": "no-grad",
        "api": api,
        "context": "training",
        "function": "f",
        "documented_by": None,
        "items": [],
        "justification": None,
    }


AUDIT = AuditResult(
    events=(
        StopEvent(
            place("sample_papers/simsiam/src/model.py", 70),
            "no-grad",
            "torch.no_grad",
            1,
            True,
            ("torch.nn.functional.linear",),
        ),
        StopEvent(place("sample_papers/simsiam/src/train.py", 43), "detach", "Tensor.detach", 1, False),
        StopEvent(place("sample_papers/simsiam/src/train.py", 44), "detach", "Tensor.detach", 1, True),
        StopEvent(place("sample_papers/simsiam/src/train.py", 50), "item", "Tensor.item", 2, True),
        StopEvent(
            place("sample_papers/simsiam/src/train.py", 48, 49), "no-grad", "torch.no_grad", 1, True, ("Tensor.std",)
        ),
        StopEvent(
            place("sample_papers/simsiam/src/layers.py", 9),
            "inference-mode",
            "torch.inference_mode",
            3,
            True,
            ("torch.nn.functional.linear",),
            via=(place("sample_papers/simsiam/src/train.py", 60),),
        ),
    ),
    parameters=(
        ParameterGradient(
            "backbone.weight", "backbone", (3, 4), "no-gradient", None, place("sample_papers/simsiam/src/model.py", 60)
        ),
        ParameterGradient("head.weight", "head", (1, 3), "ok", 0.5, place("sample_papers/simsiam/src/model.py", 61)),
        ParameterGradient("aux.weight", "aux", (1, 3), "zero-gradient", 0.0, None),
        ParameterGradient("target.weight", "target", (1, 3), "frozen", None, None),
    ),
    groups=(GroupNorm("backbone", 1, 0, None), GroupNorm("head", 1, 1, 0.5)),
    non_finite=(
        NonFinite(
            "forward",
            "torch.log",
            place("sample_papers/simsiam/src/train.py", 33),
            "inf",
            (TensorStats((2, 3), "float32", 0.0, 0.25, 0.125, False, False),),
            (TensorStats((2, 3), "float32", -2.0, -1.0, -1.5, False, True),),
        ),
    ),
    files=(
        "sample_papers/simsiam/src/model.py",
        "sample_papers/simsiam/src/train.py",
        "sample_papers/simsiam/src/layers.py",
    ),
    backward_calls=1,
    loss=0.1234567891,
    entry="step:run",
    seed=0,
)


def test_same_file_matches_whole_folder_suffixes_only():
    assert same_file("src/model.py", "sample_papers/simsiam/src/model.py")
    assert same_file("/abs/sample/src/model.py", "src/model.py")
    assert not same_file("src/model.py", "sample_papers/simsiam/src/my_model.py")
    assert not same_file("src/model.py", "src/train.py")


def test_merge_marks_each_static_stop_and_reports_the_rest():
    static = [
        stop("src/model.py", 70, 71),  # the with statement of the seeded no_grad: seen
        stop("src/train.py", 43, api="Tensor.detach"),  # ran, though nothing there required grad: seen
        stop("src/train.py", 44, api="Tensor.detach"),
        stop("src/train.py", 47, 49, api="torch.no_grad"),  # a decorator's span overlapping the event's lines
        stop("src/train.py", 80, api="Tensor.item"),  # in a file that ran, never reached: PL904
        stop("src/eval.py", 12),  # a file the audit never ran: unknown
        stop("src/train.py", 60, api="torch.inference_mode"),  # matched through the event's outer frame
    ]
    diagnostics, annotated = merge_runtime(static, AUDIT)
    assert [stop["runtime"] for stop in annotated] == ["seen", "seen", "seen", "seen", "not-seen", None, "seen"]
    assert [{k: v for k, v in stop.items() if k != "runtime"} for stop in annotated] == static  # nothing else changes
    assert [f"{d} {d.severity.value}" for d in diagnostics] == [
        "sample_papers/simsiam/src/train.py:50:1: PL901 a tensor that requires grad leaves autograd here at runtime "
        "(Tensor.item) but the static map has no stop here warning",
        "src/train.py:80:5: PL904 static gradient stop Tensor.item never ran in the audited step info",
    ]


def test_merge_reports_every_cutting_event_against_an_empty_map_and_accepts_the_json_form():
    diagnostics, annotated = merge_runtime([], json.loads(audit_to_json(AUDIT)))
    assert annotated == []
    assert [(d.code, d.span.line) for d in diagnostics] == [
        ("PL901", 9),
        ("PL901", 70),
        ("PL901", 44),
        ("PL901", 48),
        ("PL901", 50),
    ]
    messages = {d.span.line: d.message for d in diagnostics}
    assert messages[70] == (
        "gradient stops here at runtime (torch.no_grad around torch.nn.functional.linear on tensors that require grad) "
        "but the static map has no stop here"
    )
    assert (
        messages[44]
        == "gradient stops here at runtime (Tensor.detach of a tensor that requires grad) but the static map has no stop here"
    )


def test_audit_diagnostics_are_pl902_for_gradientless_parameters_and_pl903_for_the_origin():
    assert [f"{d} {d.severity.value}" for d in audit_diagnostics(AUDIT)] == [
        "sample_papers/simsiam/src/model.py:1:1: PL902 parameter aux.weight received an all-zero gradient in the audited step warning",
        "sample_papers/simsiam/src/model.py:60:1: PL902 parameter backbone.weight received no gradient in the audited step warning",
        "sample_papers/simsiam/src/train.py:33:1: PL903 first NaN/Inf of the step: torch.log produced inf from finite inputs "
        "(2x3 min 0 max 0.25 mean 0.125) error",
    ]


def test_json_is_versioned_sorted_rounded_and_reads_back():
    document = audit_to_dict(AUDIT)
    assert document["version"] == 1 and document["loss"] == 0.123457
    assert [e["location"]["line"] for e in document["events"]] == [9, 70, 43, 44, 48, 50]
    assert audit_to_dict(audit_from_json(audit_to_json(AUDIT))) == document
    assert audit_to_json(AUDIT) == audit_to_json(audit_from_json(audit_to_json(AUDIT)))


def test_non_finite_numbers_are_strings_in_json():
    assert [rounded(v) for v in (float("nan"), float("inf"), float("-inf"), 1 / 3, None)] == [
        "nan",
        "inf",
        "-inf",
        0.333333,
        None,
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "the audit file is not JSON"),
        ('{"version": 7}', "not a paperlink audit of version 1 (found version 7)"),
        ("[1, 2]", "not a paperlink audit of version 1 (found version 'list')"),
        ('{"version": 1, "events": []}', "malformed paperlink audit: KeyError: 'parameters'"),
    ],
)
def test_a_bad_audit_file_is_an_audit_error(text, message):
    with pytest.raises(AuditError) as caught:
        audit_from_json(text)
    assert str(caught.value).startswith(message)


def test_check_merges_after_the_conclusions_annotating_the_static_section_and_rebasing_paths():
    from paperlink.engine import _merge_audit

    sections = {"gradient_stops": [stop("src/model.py", 70, 71), stop("src/train.py", 80, api="Tensor.item")]}
    checked = ["src/model.py", "src/train.py"]
    found = _merge_audit(AUDIT, sections, checked)
    assert [stop["runtime"] for stop in sections["gradient_stops"]] == ["seen", "not-seen"]
    assert [(d.code, str(d.span)) for d in sorted(found)] == [
        ("PL901", "sample_papers/simsiam/src/layers.py:9:1"),  # no checked file of that name: as the audit wrote it
        ("PL902", "src/model.py:1:1"),
        ("PL902", "src/model.py:60:1"),
        ("PL903", "src/train.py:33:1"),
        ("PL901", "src/train.py:44:1"),
        ("PL901", "src/train.py:48:1"),
        ("PL901", "src/train.py:50:1"),
        ("PL904", "src/train.py:80:5"),
    ]
