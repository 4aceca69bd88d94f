"""The built wheel carries the templates: installed into a fresh virtual environment, it renders a page."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(*arguments: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTHONHOME")}
    return subprocess.run([str(a) for a in arguments], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_the_installed_wheel_renders_a_report(tmp_path: Path) -> None:
    source = tmp_path / "source"  # a copy, so the build leaves nothing in the checkout
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".git", "__pycache__", ".paperlink_cache", "test-artifacts", "*.egg-info", "build", "dist"))
    built = _run(sys.executable, "-m", "pip", "wheel", source, "--no-deps", "-q", "-w", tmp_path / "dist", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    wheel = next((tmp_path / "dist").glob("paperlink-*.whl"))
    # system site packages provide the dependencies without a network; paperlink itself comes from the wheel
    assert _run(sys.executable, "-m", "venv", "--system-site-packages", tmp_path / "venv", cwd=tmp_path).returncode == 0
    python = tmp_path / "venv" / "bin" / "python"
    installed = _run(python, "-m", "pip", "install", "-q", "--no-deps", "--no-index", wheel, cwd=tmp_path)
    assert installed.returncode == 0, installed.stderr
    where = _run(python, "-c", "import paperlink.report.render as r; print(r.__file__); print(r.templates_folder())", cwd=tmp_path)
    module, templates = where.stdout.split()
    venv = str(tmp_path / "venv")
    assert module.startswith(venv) and templates.startswith(venv) and templates.endswith("paperlink/templates")
    project = tmp_path / "simsiam"
    shutil.copytree(ROOT / "sample_papers" / "simsiam", project)
    rendered = _run(python, "-m", "paperlink", "report", project, "-o", tmp_path / "page.html", "-q", cwd=tmp_path)
    assert rendered.returncode == 0, rendered.stderr
    html = (tmp_path / "page.html").read_text(encoding="utf-8")
    assert "Stop-Gradient Is the Whole Trick" in html and "<math" in html and 'id="legend"' in html
