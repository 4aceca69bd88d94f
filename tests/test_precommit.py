"""The pre-commit hooks, run by the real ``pre-commit`` against a copy of this checkout.

pre-commit installs a hook repository at a commit, so the test commits the working tree
(tracked and untracked, ignored files aside) into a temporary repository and points a
project's ``.pre-commit-config.yaml`` at it: what is tested is the code as it is now.
Installing the hook's environment takes the package registry (as in CI) and about a
minute, once for the whole module.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAPER = r"""\documentclass{article}
\usepackage{amsmath}
\DeclareMathOperator{\sg}{sg}
\begin{document}
\section{Method}\label{sec:method}
\begin{equation}\label{eq:loss} \mathcal{L} = -\cos\big(p, \sg(z)\big) \end{equation}
We train with SGD and a learning rate of $0.05$.
\end{document}
"""
# Sets the paper's learning rate: a commit of any other file must not be told the paper's value
# has no code (PL404), which only the whole project can say.
TRAIN = 'import argparse\n\nparser = argparse.ArgumentParser()\nparser.add_argument("--lr", type=float, default=0.05)\n'
HELPER = '"""A small helper."""\n\n\ndef double(x):\n    return 2 * x\n'
CLEAN = """import torch.nn.functional as F


def loss(p, z):  # paper: eq:loss
    return -F.cosine_similarity(p, z.detach(), dim=-1).mean()
"""
UNDOCUMENTED_STOP = '''

def train_step(model, optimizer, x):
    """One optimisation step."""
    h = model(x).detach()
    loss = model.head(h).pow(2).mean()
    loss.backward()
    optimizer.step()
'''

pytestmark = [
    pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed"),
    pytest.mark.slow,  # pre-commit builds the hook's environment from the package index
]


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False)


def _git(cwd: Path, *args: str) -> str:
    result = _run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args], cwd)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def _snapshot_of_this_checkout(destination: Path) -> str:
    """Commit the working tree as it is into a fresh repository; return the commit."""
    listed = _run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], ROOT)
    for name in filter(None, listed.stdout.split("\0")):
        source = ROOT / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    _git(destination, "init", "-q")
    _git(destination, "add", "-A")
    _git(destination, "commit", "-q", "-m", "snapshot")
    return _git(destination, "rev-parse", "HEAD")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    if _run([sys.executable, "-m", "pre_commit", "--version"], ROOT).returncode != 0:
        pytest.skip("pre-commit is not installed (it is in the test extra)")
    base = tmp_path_factory.mktemp("precommit")
    hook_repo = base / "paperlink"
    hook_repo.mkdir()
    revision = _snapshot_of_this_checkout(hook_repo)
    project = base / "project"
    (project / "src").mkdir(parents=True)
    (project / "paper.tex").write_text(PAPER, encoding="utf-8")
    (project / "pyproject.toml").write_text(
        '[tool.paperlink]\npapers = { method = "paper.tex" }\ninclude = ["src/**/*.py"]\nexclude = ["src/legacy/**"]\n',
        encoding="utf-8",
    )
    (project / "src" / "losses.py").write_text(CLEAN, encoding="utf-8")
    (project / "src" / "train.py").write_text(TRAIN, encoding="utf-8")
    (project / "requirements.txt").write_text("torch==2.1.2\n", encoding="utf-8")  # PL505, PL506: the environment
    (project / ".python-version").write_text("3.11\n", encoding="utf-8")
    (project / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hook_repo.as_posix()}\n    rev: {revision}\n    hooks:\n      - id: paperlink\n",
        encoding="utf-8",
    )
    # Without PYTHONPATH (which tests/conftest.py points at this checkout) the hook runs the
    # paperlink that pre-commit installed from the snapshot, as it would for a user.
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env |= {"PRE_COMMIT_HOME": str(base / "cache"), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    _git(project, "init", "-q")
    installed = _run([sys.executable, "-m", "pre_commit", "install"], project, env)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return project, env


def _commit(project: Path, env: dict[str, str], message: str) -> subprocess.CompletedProcess[str]:
    _git(project, "add", "-A")
    result = _run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-m", message], project, env)
    result.stdout += result.stderr  # git prints the hooks' output on stderr
    return result


def test_a_clean_commit_passes_and_an_undocumented_stop_is_rejected(project: tuple[Path, dict[str, str]]) -> None:
    folder, env = project
    clean = _commit(folder, env, "the loss of Eq. 1")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "paperlink" in clean.stdout and "Passed" in clean.stdout
    (hook_python,) = Path(env["PRE_COMMIT_HOME"]).glob("*/py_env-*/bin/python")
    where = _run([str(hook_python), "-c", "import paperlink; print(paperlink.__file__)"], folder, env)
    assert where.stdout.startswith(env["PRE_COMMIT_HOME"]), where.stdout + where.stderr  # the snapshot, installed

    with (folder / "src" / "losses.py").open("a", encoding="utf-8") as stream:
        stream.write(UNDOCUMENTED_STOP)
    rejected = _commit(folder, env, "a training step")
    assert rejected.returncode != 0
    assert "Failed" in rejected.stdout
    assert "src/losses.py:10:9: PL201 " in rejected.stdout
    assert _git(folder, "log", "--format=%s") == "the loss of Eq. 1"  # nothing was committed


def test_a_notebook_is_checked_by_the_hook_with_cell_positions(project: tuple[Path, dict[str, str]]) -> None:
    from tests.notebooks import notebook_json

    folder, env = project
    (folder / "src" / "losses.py").write_text(CLEAN, encoding="utf-8")  # undo the test above's rejected change
    (folder / "src" / "explore.ipynb").write_text(
        notebook_json(
            [
                ("markdown", "Exploring the loss.\n"),
                ("code", "import torch\n\nnet = torch.nn.Linear(2, 1)\n"),
                (
                    "code",
                    "for _ in range(3):\n    loss = net(torch.ones(2)).sum() / net.weight.norm().item()\n    loss.backward()\n",
                ),
            ]
        ),
        encoding="utf-8",
    )
    rejected = _commit(folder, env, "a notebook")
    assert rejected.returncode != 0
    assert "src/explore.ipynb:cell 3:2:39: PL201 " in rejected.stdout, rejected.stdout[-600:]


def _start_from_a_clean_commit(folder: Path, env: dict[str, str]) -> None:
    """Undo what the tests above left (a rejected change, a notebook) and commit the clean
    project without the hook, so that each test below commits one change of its own."""
    (folder / "src" / "losses.py").write_text(CLEAN, encoding="utf-8")
    (folder / "paper.tex").write_text(PAPER, encoding="utf-8")
    (folder / "src" / "explore.ipynb").unlink(missing_ok=True)
    _git(folder, "add", "-A")
    _git(folder, "commit", "-q", "--no-verify", "--allow-empty", "-m", "clean")


def test_a_harmless_helper_commit_passes(project: tuple[Path, dict[str, str]]) -> None:
    """Issue 23: the hook named only the helper, and paperlink reported PL404 for the paper's
    learning rate, which train.py sets; now the whole project decides, the helper is clean."""
    folder, env = project
    _start_from_a_clean_commit(folder, env)
    (folder / "src" / "helpers.py").write_text(HELPER, encoding="utf-8")
    done = _commit(folder, env, "a helper")
    assert done.returncode == 0, done.stdout
    assert "paperlink" in done.stdout and "Passed" in done.stdout
    assert "PL404" not in done.stdout


def test_a_tex_edit_that_breaks_a_link_is_blocked_with_the_message(project: tuple[Path, dict[str, str]]) -> None:
    folder, env = project
    _start_from_a_clean_commit(folder, env)
    (folder / "paper.tex").write_text(PAPER.replace(r"\label{eq:loss}", r"\label{eq:cosine}"), encoding="utf-8")
    done = _commit(folder, env, "rename the loss's label")
    assert done.returncode != 0
    assert "Failed" in done.stdout
    message = "src/losses.py:4:18: PL101 [error] eq:loss is not a label of paper 'method'"
    assert message in done.stdout, done.stdout[-800:]
    assert _git(folder, "log", "-1", "--format=%s") == "clean"


def test_an_excluded_legacy_folder_is_skipped(project: tuple[Path, dict[str, str]]) -> None:
    """``exclude = ["src/legacy/**"]``: the hook passes its files, --force-exclude leaves them out."""
    folder, env = project
    _start_from_a_clean_commit(folder, env)
    (folder / "src" / "legacy").mkdir(exist_ok=True)
    (folder / "src" / "legacy" / "old.py").write_text(UNDOCUMENTED_STOP, encoding="utf-8")  # PL201 where checked
    done = _commit(folder, env, "the old training code, as it was")
    assert done.returncode == 0, done.stdout
    assert "Passed" in done.stdout and "PL201" not in done.stdout
