"""Terminal behaviour like ruff's: colour only when wanted, statistics, settings, progress."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from paperlink.config import load_config
from paperlink.engine import check

ROOT = Path(__file__).resolve().parent.parent
DQN = ROOT / "sample_papers" / "dqn"
PLAIN = (
    "paper.tex:116:17: PL110 Eq. (6) eq:eps_schedule has no implementing code\n"
    "src/agent.py:70:64: PL101 Algorithm 2 line 4 is not in paper 'dqn'; did you mean Algorithm 1 alg:dqn?\n"
)


def _check(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    environment = {k: v for k, v in os.environ.items() if k != "NO_COLOR"} | (env or {})
    command = [sys.executable, "-m", "paperlink", "check", "-q", "--output-format", "concise", "--select", "PL1", *args]
    return subprocess.run(command, cwd=DQN, capture_output=True, text=True, env=environment, check=False)


def test_colour_is_off_in_a_pipe_and_with_no_color() -> None:
    assert _check().stdout == PLAIN
    assert _check("--color", "always", env={"NO_COLOR": "1"}).stdout != PLAIN  # an explicit choice wins
    assert _check("--color", "never").stdout == PLAIN


def test_colour_always_styles_location_and_code_by_severity() -> None:
    first = _check("--color", "always").stdout.splitlines()[0]
    assert (
        first
        == "\x1b[1mpaper.tex:116:17\x1b[0m: \x1b[33m\x1b[1mPL110\x1b[0m Eq. (6) eq:eps_schedule has no implementing code"
    )


def test_colour_never_touches_machine_formats() -> None:
    assert "\x1b[" not in _check("--color", "always", "--format", "json").stdout


def test_statistics_count_by_code() -> None:
    result = _check("--statistics")
    assert result.stdout == "    1  PL101  unknown-reference\n    1  PL110  unimplemented-item\n"
    assert result.returncode == 1


def test_show_settings_prints_the_resolved_configuration_and_reads_nothing() -> None:
    result = _check("--show-settings")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0] == f"config file = {DQN / 'pyproject.toml'}"
    assert f"paper dqn = {DQN / 'paper.tex'}" in lines
    assert "select = ['PL1']" in lines and "include = ['src/**/*.py']" in lines


def test_progress_is_reported_per_file_read() -> None:
    seen: list[tuple[int, int]] = []
    check(load_config(None, DQN), [DQN], jobs=1, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_shell_completion_comes_from_click() -> None:
    import os

    env = {**os.environ, "_PAPERLINK_COMPLETE": "bash_source"}
    script = subprocess.run(
        [sys.executable, "-m", "paperlink"], capture_output=True, text=True, env=env, check=False
    ).stdout
    assert "_paperlink_completion()" in script and "complete -o nosort -F _paperlink_completion paperlink" in script
