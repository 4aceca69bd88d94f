"""The GitHub Actions example in docs/ci/: its shape, and each paperlink command it runs.

The commands are run as written, with bash -e as GitHub runs them, on a copy of a sample
project, and with ``paperlink`` on PATH meaning this checkout's code.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.test_formats import assert_valid_sarif, sarif_validator  # noqa: F401 - a fixture
from tests.samples import copy_sample

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / "docs" / "ci" / "paperlink.yml"


@pytest.fixture(scope="module")
def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def _steps(workflow: dict, job: str) -> list[dict]:
    return workflow["jobs"][job]["steps"]


def _paperlink_runs(workflow: dict, job: str) -> list[str]:
    return [
        step["run"]
        for step in _steps(workflow, job)
        if "paperlink " in step.get("run", "") and "pip install" not in step["run"]
    ]


def test_the_workflow_triggers_and_permissions(workflow: dict) -> None:
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert set(triggers) == {"push", "pull_request", "release"}
    assert workflow["permissions"] == {"contents": "read"}
    assert workflow["jobs"]["check"]["permissions"] == {"contents": "read", "security-events": "write"}
    assert workflow["jobs"]["report"]["permissions"] == {"contents": "write"}
    upload = next(
        s for s in _steps(workflow, "check") if s.get("uses", "").startswith("github/codeql-action/upload-sarif@")
    )
    assert f"--output {upload['with']['sarif_file']}" in _paperlink_runs(workflow, "check")[0]
    attach = next(s for s in _steps(workflow, "report") if "gh release upload" in s.get("run", ""))
    assert (
        "paperlink-report.html" in attach["run"]
        and "--output paperlink-report.html" in _paperlink_runs(workflow, "report")[0]
    )


@pytest.fixture()
def sample(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    project = tmp_path / "dqn"
    copy_sample("dqn", project)
    bin_folder = tmp_path / "bin"
    bin_folder.mkdir()
    launcher = bin_folder / "paperlink"
    launcher.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m paperlink "$@"\n', encoding="utf-8")
    launcher.chmod(launcher.stat().st_mode | stat.S_IXUSR)
    env = {**os.environ, "PATH": f"{bin_folder}{os.pathsep}{os.environ['PATH']}", "PYTHONPATH": str(ROOT)}
    return project, env


def _bash(command: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-e", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_the_check_job_commands_on_a_sample(
    workflow: dict,
    sample: tuple[Path, dict[str, str]],
    sarif_validator,  # noqa: F811 - the fixture imported above
) -> None:
    project, env = sample
    sarif_step, github_step = _paperlink_runs(workflow, "check")
    uploaded = _bash(sarif_step, project, env)
    assert uploaded.returncode == 0, uploaded.stderr  # diagnostics do not stop the upload
    assert_valid_sarif(sarif_validator, json.loads((project / "paperlink.sarif").read_text(encoding="utf-8")))
    annotated = _bash(github_step, project, env)
    assert annotated.returncode == 1  # the seeded defects fail the job
    assert annotated.stdout.startswith("::")


def test_the_sarif_step_still_fails_a_broken_run(workflow: dict, sample: tuple[Path, dict[str, str]]) -> None:
    project, env = sample
    (project / "paper.tex").unlink()
    broken = _bash(_paperlink_runs(workflow, "check")[0], project, env)
    assert broken.returncode != 0  # exit 2 is not swallowed like exit 1
    assert "paperlink: error: paper not found" in broken.stderr


def test_the_release_job_builds_the_report(workflow: dict, sample: tuple[Path, dict[str, str]]) -> None:
    project, env = sample
    (built,) = _paperlink_runs(workflow, "report")
    result = _bash(built, project, env)
    assert result.returncode == 0, result.stderr
    assert (project / "paperlink-report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_every_pre_commit_snippet_names_the_release_tag_of_this_version() -> None:
    """The docs' `rev:` is `v<version>`: the tag each release creates (the lead tags main at merge)."""
    from paperlink import __version__

    documents = [ROOT / "README.md", ROOT / "docs" / "ci" / "README.md", ROOT / ".pre-commit-hooks.yaml"]
    revs = {
        path.relative_to(ROOT).as_posix(): [
            line.split("rev:")[1].split("#")[0].strip()
            for line in path.read_text("utf-8").splitlines()
            if "rev:" in line
        ]
        for path in documents
    }
    assert revs == {name: [f"v{__version__}"] for name in revs}
