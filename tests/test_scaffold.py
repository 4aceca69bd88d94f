"""`paperlink init`: the main file found, the configuration written once, suggestions that fit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from paperlink.scaffold import find_main_tex, paper_name, write_config

PAPER = r"""\documentclass{article}
\usepackage{amsmath}
\begin{document}
\input{sections/method}
\end{document}
"""
METHOD = r"""\documentclass{article}
\begin{document}
\section{Method}
\begin{equation}\label{eq:contrastive_loss} L = -\log p \end{equation}
\begin{equation}\label{eq:momentum_update} \theta_k = m \theta_k + (1 - m) \theta_q \end{equation}
\end{document}
"""
CODE = '''def contrastive_loss(q, k):
    return q @ k


def momentum_update(online, target, m):
    """Blend the target encoder's weights towards the online encoder's."""


def already_linked(x):  # paper: eq:contrastive_loss
    return x


def unrelated(x):
    return x
'''


def _project(tmp_path: Path) -> Path:
    tmp_path = tmp_path / "moco-repo"
    (tmp_path / "tex" / "sections").mkdir(parents=True)
    (tmp_path / "tex" / "main.tex").write_text(PAPER, encoding="utf-8")
    (tmp_path / "tex" / "sections" / "method.tex").write_text(METHOD, encoding="utf-8")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "moco.py").write_text(CODE, encoding="utf-8")
    return tmp_path


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "paperlink", *args], capture_output=True, text=True, check=False)


def test_an_included_file_is_not_a_main_file_even_with_a_documentclass(tmp_path: Path) -> None:
    project = _project(tmp_path)
    assert find_main_tex(project) == [project / "tex" / "main.tex"]


def test_init_writes_the_table_and_suggests_the_matching_functions(tmp_path: Path) -> None:
    project = _project(tmp_path)
    result = _run(["init", str(project)])
    assert result.returncode == 0, result.stderr
    assert (project / "pyproject.toml").read_text(encoding="utf-8") == (
        '[tool.paperlink]\npapers = { moco_repo = "tex/main.tex" }\n'
    )
    assert result.stdout.splitlines()[3:] == [
        "paper 'moco_repo': 3 items; suggested first annotations:",
        # the engine of `paperlink suggest`; eq:contrastive_loss is linked already, so not suggested again
        "  src/moco.py:5: def momentum_update  ->  # paper: eq:momentum_update   (Eq. (2); name `momentum_update` ~"
        " 'momentum update'; its file already implements eq:contrastive_loss of the same section)",
        "",
        "next: add annotations (docs/annotations.md), then `paperlink check` and `paperlink report`",
    ]
    checked = _run(["check", str(project), "-q", "--output-format", "concise"])
    assert checked.stdout == "tex/sections/method.tex:5:17: PL110 Eq. (2) eq:momentum_update has no implementing code\n"


def test_init_never_overwrites_without_force_and_keeps_the_rest_of_pyproject(tmp_path: Path) -> None:
    project = _project(tmp_path)
    (project / "pyproject.toml").write_text(
        '[project]\nname = "moco"\n\n[tool.paperlink]\npapers = { old = "old.tex" }\n\n[tool.paperlink.extra]\nx = 1\n\n[tool.ruff]\nline-length = 100\n',
        encoding="utf-8",
    )
    refused = _run(["init", str(project)])
    assert refused.returncode == 2
    assert refused.stderr.strip().endswith("already has [tool.paperlink]; use --force to replace it")
    assert _run(["init", str(project), "--force", "--name", "moco"]).returncode == 0
    assert (project / "pyproject.toml").read_text(encoding="utf-8") == (
        '[project]\nname = "moco"\n\n[tool.ruff]\nline-length = 100\n\n'
        '[tool.paperlink]\npapers = { moco = "tex/main.tex" }\n'
    )


def test_a_folder_without_a_paper_is_a_clear_error(tmp_path: Path) -> None:
    result = _run(["init", str(tmp_path)])
    assert result.returncode == 2
    assert "no LaTeX main file" in result.stderr and "--paper" in result.stderr
    assert not (tmp_path / "pyproject.toml").exists()


def test_paper_names_come_from_the_file_or_its_project() -> None:
    assert paper_name(Path("/x/moco/paper/main.tex"), Path("/x/moco")) == "moco"
    assert paper_name(Path("/x/moco/simclr/main.tex"), Path("/x/moco")) == "simclr"
    assert paper_name(Path("/x/moco/Neural ODEs.tex"), Path("/x/moco")) == "neural_odes"
    assert paper_name(Path("/x/2024/paper/ms.tex"), Path("/x/2024")) == "paper_2024"


def test_write_config_creates_pyproject(tmp_path: Path) -> None:
    written = write_config(tmp_path, "[tool.paperlink]\n", force=False)
    assert written.read_text(encoding="utf-8") == "[tool.paperlink]\n"
