"""`paperlink server` as a command: its help, a clear message without the lsp extra, no torch."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SAMPLE = Path(__file__).resolve().parents[1] / "sample_papers" / "simsiam"


def run_python(code: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd, timeout=120)


def test_server_help():
    result = subprocess.run(
        [sys.executable, "-m", "paperlink", "server", "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0
    assert result.stdout.startswith(
        "Usage: paperlink server [OPTIONS]\n\n  Run the language server over stdin and stdout"
    )


def test_without_the_lsp_extra_the_command_says_what_to_install():
    blocked = "import sys; sys.modules['pygls'] = None; sys.argv = ['paperlink', 'server']\n"
    result = run_python(blocked + "from paperlink.launch import main; main()")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        "paperlink: error: paperlink server needs the lsp extra (pygls is missing): pip install 'paperlink[lsp]'\n"
    )


@pytest.mark.slow
def test_the_server_checks_without_torch(tmp_path: Path):
    pytest.importorskip("pygls", reason="the server needs the lsp extra: pip install -e '.[test]'")
    project = tmp_path / "simsiam"
    shutil.copytree(SAMPLE, project, ignore=shutil.ignore_patterns("expected", ".paperlink_cache"))
    code = (
        "import sys; sys.modules['torch'] = None\n"
        "from pathlib import Path\n"
        "from paperlink.server import create_server, _run_check\n"
        "create_server()\n"
        f"path = Path({str(project / 'src' / 'train.py')!r})\n"
        "report = _run_check(path, path.read_text(encoding='utf-8'))\n"
        "print(sorted({d.code for d in report.diagnostics}))\n"
        "print([name for name, module in sys.modules.items() if module and name.split('.')[0] == 'torch'])\n"
    )
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "['PL101', 'PL110', 'PL201', 'PL303', 'PL401', 'PL402']\n[]\n"


@pytest.mark.parametrize(
    ("text", "expected_end"),
    [
        ("a = 1\nb = 2\n", (2, 0)),  # after a final newline LSP has one more, empty line
        ("a = 1\nb = 2", (1, 5)),  # no final newline: the end of the last line
        ("a = 1\r\nb = 2\r\n", (2, 0)),
    ],
)
def test_a_quick_fix_on_the_last_line_replaces_it_whole(text: str, expected_end: tuple[int, int]):
    pytest.importorskip("pygls", reason="the server needs the lsp extra: pip install -e '.[test]'")
    from pygls.workspace import TextDocument

    from paperlink.editor import LineEdit
    from paperlink.server import _text_edit

    edit = _text_edit(LineEdit(2, 2, "b = 3\n"), TextDocument("file:///x.py", text))
    assert (edit.range.start.line, edit.range.start.character) == (1, 0)
    assert (edit.range.end.line, edit.range.end.character) == expected_end


def test_lines_split_as_spans_count_them():
    from paperlink.spans import split_lines

    assert split_lines("a\n\x0c\nb  # paper: eq:x\r\nc\rd") == ["a\n", "\x0c\n", "b  # paper: eq:x\r\n", "c\r", "d"]
