"""The bundled sample papers are complete, and their expected files point at real places."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from paperlink.config import load_config
from paperlink.paper import ItemKind, parse_paper

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted(p.parent for p in (ROOT / "sample_papers").glob("*/paper.tex"))
EXPECTED_LINE = re.compile(r"^(?P<path>\S+):(?P<line>\d+) (?P<code>PL\d{3}) (?P<text>.+)$")


def _expected(sample: Path) -> list[re.Match[str]]:
    lines = (sample / "expected").read_text(encoding="utf-8").splitlines()
    entries = [line for line in lines if line.strip() and not line.startswith("#")]
    matches = [EXPECTED_LINE.match(line) for line in entries]
    assert all(matches), [line for line, match in zip(entries, matches) if not match]
    return matches


def test_there_are_three_samples() -> None:
    assert [s.name for s in SAMPLES] == ["dqn", "simsiam", "transformer"]


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_sample_configuration_names_its_paper(sample: Path) -> None:
    config = load_config(None, sample)
    assert config.paper().path == (sample / "paper.tex").resolve()
    assert config.include == ("src/**/*.py",)


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_sample_paper_reads_without_diagnostics(sample: Path) -> None:
    paper = parse_paper(sample / "paper.tex", name=sample.name, root=sample)
    assert paper.diagnostics == ()
    kinds = {item.kind for item in paper.items}
    assert {
        ItemKind.SECTION,
        ItemKind.EQUATION,
        ItemKind.ALGORITHM,
        ItemKind.ALGORITHM_LINE,
        ItemKind.TABLE,
        ItemKind.HYPERPARAMETER,
    } <= kinds
    assert any(item.appendix for item in paper.items)


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_expected_defects_point_at_existing_lines(sample: Path) -> None:
    entries = _expected(sample)
    assert len(entries) >= 4
    assert len({entry["code"][:3] for entry in entries}) >= 3  # several rule families
    for entry in entries:
        lines = (sample / entry["path"]).read_text(encoding="utf-8").splitlines()
        assert 1 <= int(entry["line"]) <= len(lines), entry.group(0)
        assert lines[int(entry["line"]) - 1].strip(), f"blank line: {entry.group(0)}"


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_unimplemented_equations_in_expected_are_paper_items(sample: Path) -> None:
    """Each PL110 line names an equation the paper model has at that line, by number and label."""
    paper = parse_paper(sample / "paper.tex", name=sample.name, root=sample)
    for entry in (e for e in _expected(sample) if e["code"] == "PL110"):
        at_line = [i for i in paper.items if i.kind is ItemKind.EQUATION and i.span.line == int(entry["line"])]
        assert at_line, entry.group(0)
        item = at_line[0]
        assert f"Eq. ({item.number}) {item.key}" in entry["text"]
