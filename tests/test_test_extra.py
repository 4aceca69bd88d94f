"""The README's test command stays light: no torch in the test extra, and the torch tests skip
cleanly without it, saying how to run them; CI (.ci/run) still installs the CPU build."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent

# Run pytest with torch and numpy unimportable, as on a machine where the test extra was installed.
_BLOCK = """
import sys
class Absent:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("torch", "numpy"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, Absent())
import pytest
sys.exit(pytest.main(sys.argv[1:]))
"""


def test_the_test_extra_leaves_out_torch_and_numpy() -> None:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    names = [requirement.split(">")[0].split("=")[0].split(";")[0].strip() for requirement in extras["test"]]
    assert "torch" not in names and "numpy" not in names
    assert extras["torch"] == ["torch>=2.0"]


def test_ci_installs_the_cpu_build_of_torch_before_the_extra() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert script.index("pip install -q 'torch==2.13.0' numpy") < script.index("pip install -q -e '.[test]'")


@pytest.mark.slow
def test_torch_tests_skip_without_torch_with_one_line_saying_how_to_run_them() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            _BLOCK,
            "-q",
            "-rs",
            "-p",
            "no:cacheprovider",
            "tests/test_torch_defaults.py",
            "tests/runtime/test_entry.py",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:]
    assert "skipped" in result.stdout and "failed" not in result.stdout
    assert "needs torch: pip install 'paperlink[torch]' numpy" in result.stdout, result.stdout[-2000:]
