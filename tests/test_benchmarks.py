"""The benchmark scripts stay runnable (their numbers are quoted in notes, not asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests import needs

ROOT = Path(__file__).resolve().parent.parent

pytestmark = (
    pytest.mark.slow
)  # each script runs whole checks, reads and renders in a fresh interpreter; audit.py needs torch


def test_paper_read_benchmark_runs_on_the_sample_papers() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "paper_read.py"), "--repeat", "1"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    rows = [line for line in result.stdout.splitlines() if line.startswith("sample_papers/") or "/paper.tex" in line]
    assert len(rows) == 3, result.stdout


def test_check_benchmark_and_sweep_run_on_the_sample_papers() -> None:
    for script in ("check.py", "sweep.py"):
        result = subprocess.run(
            [sys.executable, str(ROOT / "benchmarks" / script)],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_report_benchmark_runs_on_the_samples_and_on_planted_code() -> None:
    script = str(ROOT / "benchmarks" / "report.py")
    samples = subprocess.run(
        [sys.executable, script, "--repeat", "1"], capture_output=True, text=True, timeout=120, check=True
    )
    for mode in ("findings", "linked", "all"):  # each --include-code mode, for each sample
        assert samples.stdout.count(f"  {mode} ") == 3, samples.stdout
    planted = subprocess.run(
        [sys.executable, script, str(ROOT / "paperlink" / "report"), "--lines", "400", "--repeat", "1"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "lines copied" in planted.stdout and planted.stdout.count(" MB ") == 3, planted.stdout


def test_stress_benchmark_runs_scaled_down() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "stress.py")],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert len(result.stdout.splitlines()) == 9, result.stdout  # a header and eight cases


def test_audit_benchmark_runs_on_the_sample_models() -> None:
    needs.torch()
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "audit.py"), "--repeat", "1"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    rows = [line for line in result.stdout.splitlines() if line.startswith(("DQN", "Transformer"))]
    assert len(rows) == 2, result.stdout


def test_fuzz_benchmark_runs_every_kind_and_finds_nothing_in_a_short_run(tmp_path: Path) -> None:
    # Layouts (symbolic links, file names) are the project boundary's; this run covers the readers.
    kinds = ["latex", "python", "notebook", "yaml", "json", "toml", "config", "manifest", "environment"]
    command = [sys.executable, str(ROOT / "benchmarks" / "fuzz.py"), "--inputs", "45", "--workers", "1"]
    command += ["--out", str(tmp_path / "found"), "--kinds", ",".join(kinds)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    rows = {
        line.split()[0]: line.split()[1:4]
        for line in result.stdout.splitlines()[1:]
        if line[:1].isalpha() and "inputs in" not in line
    }
    assert sorted(rows) == sorted(kinds), result.stdout
    assert all(inputs == "5" and crashes == "0" and hangs == "0" for inputs, crashes, hangs in rows.values()), (
        result.stdout
    )
    assert result.returncode == 0, result.stdout
