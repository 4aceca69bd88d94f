"""Conclusion steps are pure: they reason over facts, papers and links and read no file.

Reading belongs to the edges (the scan, the paper readers, the engine's environment and
config-file reading); a conclusion that reads a file again is slower, sees another version
of the file than its facts did, and cannot be tested from data alone.
"""

from __future__ import annotations

import ast
import builtins
import os
import subprocess
from pathlib import Path

import pytest

import paperlink.engine as engine
from paperlink.analysis.hyperparameters.vocabulary import known_names
from paperlink.config import load_config
from paperlink.engine import check

ROOT = Path(__file__).resolve().parent.parent.parent
PACKAGE = ROOT / "paperlink"
SAMPLES = sorted(p.parent for p in (ROOT / "sample_papers").glob("*/paper.tex"))

# Every module a conclusion runs (Analysis.conclude and what it calls, not the scan).
CONCLUSION_MODULES = (
    "analysis/base.py",
    "analysis/gradient_report.py",
    "analysis/gradient_paper.py",
    "analysis/hidden_verdicts.py",
    "analysis/module_graph.py",
    "analysis/environment_verdicts.py",
    "analysis/hyperparameters/table.py",
    "analysis/hyperparameters/config_files.py",
)
_IO_MODULES = frozenset({"io", "os", "pathlib", "shutil", "subprocess", "tempfile", "glob"})
_IO_CALLS = frozenset({"open"})
_IO_METHODS = frozenset(
    {
        "read_text",
        "read_bytes",
        "write_text",
        "write_bytes",
        "open",
        "exists",
        "is_file",
        "is_dir",
        "iterdir",
        "glob",
        "rglob",
    }
)


def _file_io(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [f"{node.lineno}: import {a.name}" for a in node.names if a.name.split(".")[0] in _IO_MODULES]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in _IO_MODULES:
            found.append(f"{node.lineno}: from {node.module} import ...")
        elif isinstance(node, ast.Call):
            function = node.func
            if isinstance(function, ast.Name) and function.id in _IO_CALLS:
                found.append(f"{node.lineno}: {function.id}()")
            elif isinstance(function, ast.Attribute) and function.attr in _IO_METHODS:
                found.append(f"{node.lineno}: .{function.attr}()")
    return found


@pytest.mark.parametrize("module", CONCLUSION_MODULES)
def test_conclusion_modules_do_no_file_io(module: str) -> None:
    assert _file_io(PACKAGE / module) == []


def test_the_static_check_finds_file_io(tmp_path: Path) -> None:
    planted = tmp_path / "planted.py"
    planted.write_text("import subprocess\ndef f(p):\n    return p.read_text() + open(p).read()\n", encoding="utf-8")
    assert _file_io(planted) == ["1: import subprocess", "3: .read_text()", "3: open()"]


def _refuse(*args: object, **kwargs: object) -> None:
    raise AssertionError(f"a conclusion touched the file system: {args!r}")


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_conclusions_run_with_the_file_system_closed(sample: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every analysis concludes over the sample with open(), stat() and subprocesses refusing."""
    original = engine._conclude
    known_names()  # paperlink's own data table (not the project's files) is loaded once per process

    def closed(*args, **kwargs):
        with monkeypatch.context() as closed_patch:
            for owner, name in (
                (builtins, "open"),
                (os, "open"),
                (os, "stat"),
                (os, "listdir"),
                (os, "scandir"),
                (subprocess, "Popen"),
            ):
                closed_patch.setattr(owner, name, _refuse)
            return original(*args, **kwargs)

    monkeypatch.setattr(engine, "_conclude", closed)
    report = check(load_config(None, sample), [sample], jobs=1, select=["PL2", "PL3", "PL4", "PL5"])
    assert set(report.sections) == {"gradient_stops", "hidden_inputs", "hyperparameters", "environment"}
