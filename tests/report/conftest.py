"""Reports of the sample papers, computed once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from paperlink.config import load_config
from paperlink.engine import check
from paperlink.results import Report

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = sorted(p.parent for p in (ROOT / "sample_papers").glob("*/paper.tex"))


@pytest.fixture(scope="session")
def sample_reports() -> dict[str, Report]:
    return {sample.name: check(load_config(None, sample), [sample], jobs=1) for sample in SAMPLES}
