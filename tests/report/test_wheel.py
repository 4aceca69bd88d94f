"""The built wheel is complete: installed with its dependencies into an isolated virtual environment, it renders a page.

Isolated means no ``--system-site-packages`` and no ``PYTHONPATH``: the environment holds the
wheel and what pip installs for it from the package index it is configured with (as CI's
registry), so a dependency missing from ``pyproject.toml`` or a template missing from the
wheel fails here, and the paperlink that runs is the wheel's, not this checkout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tests.samples import copy_sample

ROOT = Path(__file__).resolve().parents[2]
DEPENDENCIES = ("click", "jinja2", "latex2mathml", "libcst", "pylatexenc", "yaml")

pytestmark = pytest.mark.slow  # builds a wheel, then installs it and its dependencies into a new environment


def _run(*arguments: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTHONHOME")}
    return subprocess.run([str(a) for a in arguments], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def _built_wheel(tmp_path: Path) -> Path:
    """The wheel built from a copy of what it is made of, so the build writes nothing into the checkout
    (and reads nothing another test is writing there)."""
    source = tmp_path / "source"
    for folder in ("paperlink", "templates"):
        shutil.copytree(ROOT / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    built = _run(sys.executable, "-m", "pip", "wheel", source, "--no-deps", "-q", "-w", tmp_path / "dist", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("paperlink-*.whl")
    return wheel


def test_the_installed_wheel_renders_a_report(tmp_path: Path) -> None:
    wheel = _built_wheel(tmp_path)
    venv = tmp_path / "venv"
    created = _run(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    python = venv / "bin" / "python"
    installed = _run(python, "-m", "pip", "install", "-q", wheel, cwd=tmp_path)
    assert installed.returncode == 0, installed.stderr

    where = _run(
        python,
        "-c",
        (
            "import importlib, importlib.util, sys\n"
            "import paperlink.report.render as r\n"
            f"for name in ('paperlink', *{DEPENDENCIES!r}): print(importlib.import_module(name).__file__)\n"
            "print(r.templates_folder())\n"
            "print(importlib.util.find_spec('pytest'))\n"
        ),
        cwd=tmp_path,
    )
    assert where.returncode == 0, where.stderr
    *modules, templates, pytest_found = where.stdout.splitlines()
    assert all(module.startswith(str(venv)) for module in modules), (
        modules
    )  # the wheel's paperlink, installed dependencies
    assert templates.startswith(str(venv)) and templates.endswith("paperlink/templates")
    assert pytest_found == "None"  # nothing of the interpreter running the tests leaks in

    version = _run(venv / "bin" / "paperlink", "--version", cwd=tmp_path)  # the console script
    assert version.returncode == 0 and version.stdout.startswith("paperlink, version "), version.stderr
    project = tmp_path / "simsiam"
    copy_sample("simsiam", project)
    rendered = _run(python, "-m", "paperlink", "report", project, "-o", tmp_path / "page.html", "-q", cwd=tmp_path)
    assert rendered.returncode == 0, rendered.stderr
    html = (tmp_path / "page.html").read_text(encoding="utf-8")
    assert "Stop-Gradient Is the Whole Trick" in html and "<math" in html and 'id="legend"' in html
