"""Tests for paperlink.source.files: discovery (globs, skipped folders, .gitignore, links) and decoding."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from paperlink import boundary
from paperlink.config import Config
from paperlink.diagnostics import Diagnostic, Severity
from paperlink.source import files
from paperlink.source.files import SourceText, discover, read_source, relative_path
from paperlink.spans import Span


def make_tree(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x = 1\n", encoding="utf-8")


def found(root: Path, targets: list[Path], config: Config) -> list[str]:
    return [relative_path(path, root) for path in discover(targets, config)]


# -- discover ------------------------------------------------------------------------------


def test_discover_walks_folders_in_sorted_order_and_keeps_only_python_files(tmp_path):
    make_tree(tmp_path, "b.py", "a.py", "Z.py", "pkg/m.py", "pkg/sub/deep.py", "notes.txt", "stub.pyi", "pkg/data.json")
    assert found(tmp_path, [tmp_path], Config(root=tmp_path)) == ["Z.py", "a.py", "b.py", "pkg/m.py", "pkg/sub/deep.py"]


def test_discover_applies_exclude_globs_to_names_and_paths(tmp_path):
    make_tree(
        tmp_path, "a.py", "pkg/test_a.py", "pkg/sub/test_b.py", "test_top.py", "pkg/gen_pb2.py", "pkg/sub/keep.py"
    )
    config = Config(root=tmp_path, exclude=("**/test_*.py", "*_pb2.py"))
    assert found(tmp_path, [tmp_path], config) == ["a.py", "pkg/sub/keep.py"]


def test_discover_applies_include_globs_then_exclude_globs(tmp_path):
    make_tree(tmp_path, "a.py", "pkg/m.py", "pkg/sub/deep.py", "pkg/sub/gen/out.py", "other/o.py")
    config = Config(root=tmp_path, include=("pkg/**",), exclude=("pkg/sub/gen/**",))
    assert found(tmp_path, [tmp_path], config) == ["pkg/m.py", "pkg/sub/deep.py"]


def test_discover_matches_globs_against_the_path_relative_to_the_config_root(tmp_path):
    make_tree(tmp_path, "src/pkg/m.py", "src/pkg/sub/n.py", "src/other.py")
    config = Config(root=tmp_path, include=("src/pkg/**",))
    assert found(tmp_path, [tmp_path / "src"], config) == ["src/pkg/m.py", "src/pkg/sub/n.py"]


def test_discover_skips_hidden_and_tool_folders(tmp_path):
    make_tree(
        tmp_path,
        "keep.py",
        ".hidden/h.py",
        ".venv/lib/v.py",
        "venv/v.py",
        ".tox/t.py",
        "__pycache__/p.py",
        "build/b.py",
        "dist/d.py",
        "node_modules/n.py",
        "pkg/build/nested.py",
        "pkg/__pycache__/c.py",
        "paperlink.egg-info/e.py",
        "site-packages/s.py",
        ".git/hooks/g.py",
    )
    assert found(tmp_path, [tmp_path], Config(root=tmp_path)) == ["keep.py"]


def test_discover_includes_explicit_files_even_when_excluded_or_in_skipped_folders(tmp_path):
    make_tree(tmp_path, "a.py", "pkg/test_a.py", ".venv/v.py", "script")
    config = Config(root=tmp_path, exclude=("**/test_*.py",))
    targets = [tmp_path / "pkg/test_a.py", tmp_path / ".venv/v.py", tmp_path / "script", tmp_path]
    assert found(tmp_path, targets, config) == [".venv/v.py", "a.py", "pkg/test_a.py", "script"]


def test_discover_keeps_a_missing_explicit_python_file_for_read_source_to_report(tmp_path):
    make_tree(tmp_path, "a.py")
    targets = [tmp_path / "missing.py", tmp_path / "missing_folder", tmp_path / "a.py"]
    assert discover(targets, Config(root=tmp_path)) == [tmp_path / "a.py", tmp_path / "missing.py"]


def test_discover_lists_a_file_once_when_named_twice_or_with_its_folder(tmp_path):
    make_tree(tmp_path, "pkg/m.py", "pkg/n.py")
    targets = [tmp_path / "pkg" / "m.py", tmp_path / "pkg", tmp_path / "pkg" / "m.py", tmp_path]
    assert found(tmp_path, targets, Config(root=tmp_path)) == ["pkg/m.py", "pkg/n.py"]


def test_discover_returns_paths_as_given_for_relative_targets(tmp_path, monkeypatch):
    make_tree(tmp_path, "pkg/m.py", "pkg/sub/n.py")
    monkeypatch.chdir(tmp_path)
    assert discover([Path("pkg")], Config(root=tmp_path)) == [Path("pkg/m.py"), Path("pkg/sub/n.py")]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links on this platform")
def test_discover_does_not_follow_directory_links_so_a_loop_terminates(tmp_path):
    make_tree(tmp_path, "pkg/m.py", "pkg/sub/n.py")
    try:
        os.symlink(tmp_path / "pkg", tmp_path / "pkg" / "sub" / "loop", target_is_directory=True)
        os.symlink(tmp_path, tmp_path / "pkg" / "up", target_is_directory=True)
    except OSError as error:  # e.g. Windows without the privilege
        pytest.skip(f"cannot create symbolic links: {error}")
    assert found(tmp_path, [tmp_path], Config(root=tmp_path)) == ["pkg/m.py", "pkg/sub/n.py"]


def git(folder: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True, timeout=60)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_discover_skips_files_git_ignores_unless_named_explicitly(tmp_path):
    git(tmp_path, "init", "-q")
    (tmp_path / ".gitignore").write_text("ignored.py\ngenerated/\n*_local.py\n", encoding="utf-8")
    make_tree(
        tmp_path, "kept.py", "ignored.py", "generated/g.py", "pkg/ignored.py", "pkg/settings_local.py", "pkg/m.py"
    )
    config = Config(root=tmp_path)
    assert found(tmp_path, [tmp_path], config) == ["kept.py", "pkg/m.py"]
    explicit = [tmp_path / "ignored.py", tmp_path / "generated" / "g.py", tmp_path]
    assert found(tmp_path, explicit, config) == ["generated/g.py", "ignored.py", "kept.py", "pkg/m.py"]


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_discover_reads_gitignore_only_inside_a_work_tree(tmp_path):
    (tmp_path / ".gitignore").write_text("ignored.py\n", encoding="utf-8")
    make_tree(tmp_path, "ignored.py", "kept.py")
    config = Config(root=tmp_path)
    if subprocess.run(["git", "-C", str(tmp_path), "rev-parse"], capture_output=True, check=False).returncode == 0:
        pytest.skip("the temporary folder lies inside a git work tree")
    assert found(tmp_path, [tmp_path], config) == ["ignored.py", "kept.py"]


def _git_calls(monkeypatch) -> list[list[str]]:
    """Record every git command discovery starts (and still run it)."""
    calls: list[list[str]] = []
    real_run = subprocess.run

    def recording_run(command, *args, **kwargs):
        calls.append(list(command))
        return real_run(command, *args, **kwargs)

    monkeypatch.setattr(files.subprocess, "run", recording_run)
    return calls


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_discover_asks_git_once_per_work_tree_and_never_outside_one(tmp_path, monkeypatch):
    outside = tmp_path / "plain"
    make_tree(outside, *(f"d{i}/m.py" for i in range(5)))
    if subprocess.run(["git", "-C", str(outside), "rev-parse"], capture_output=True, check=False).returncode == 0:
        pytest.skip("the temporary folder lies inside a git work tree")
    calls = _git_calls(monkeypatch)
    assert len(found(outside, [outside], Config(root=outside))) == 5
    assert calls == []  # no work tree: no process at all

    repo = tmp_path / "repo"
    make_tree(repo, *(f"d{i}/m.py" for i in range(5)), "vendor/lib/ignored.py", "vendor/lib/kept.py")
    git(repo, "init", "-q")
    git(repo / "vendor" / "lib", "init", "-q")  # a nested work tree, as a submodule is
    (repo / "vendor" / "lib" / ".gitignore").write_text("ignored.py\n", encoding="utf-8")
    calls.clear()
    assert found(repo, [repo], Config(root=repo)) == [*(f"d{i}/m.py" for i in range(5)), "vendor/lib/kept.py"]
    assert sorted(Path(os.fsdecode(call[2])).name for call in calls) == [
        "lib",
        "repo",
    ]  # one per work tree, not per folder


def test_relative_path_is_posix_under_the_root_and_never_absolute_elsewhere(tmp_path):
    make_tree(tmp_path, "root/pkg/m.py", "elsewhere/o.py")
    root = tmp_path / "root"
    assert relative_path(root / "pkg" / "m.py", root) == "pkg/m.py"
    assert relative_path(tmp_path / "elsewhere" / "o.py", root) == "../elsewhere/o.py"
    (root / "link.py").symlink_to(tmp_path / "elsewhere" / "o.py")
    assert relative_path(root / "link.py", root) == "link.py"  # a link by its own name, not its target's


# -- read_source ---------------------------------------------------------------------------


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def decode_error(relative: str, line: int, message: str, column: int = 1) -> Diagnostic:
    return Diagnostic(Span(relative, line, column), "PL002", message, Severity.ERROR)


def test_read_source_decodes_utf8(tmp_path):
    path = write(tmp_path, "pkg/m.py", 'x = "é€"  # λ\n'.encode())
    assert read_source(path, tmp_path) == SourceText(path, "pkg/m.py", 'x = "é€"  # λ\n')


def test_read_source_removes_a_utf8_byte_order_mark(tmp_path):
    path = write(tmp_path, "bom.py", b"\xef\xbb\xbf" + 'x = "é"\n'.encode())
    assert read_source(path, tmp_path) == SourceText(path, "bom.py", 'x = "é"\n')


def test_read_source_honours_a_coding_cookie(tmp_path):
    path = write(tmp_path, "latin.py", b'# -*- coding: latin-1 -*-\nx = "caf\xe9"\n')
    assert read_source(path, tmp_path) == SourceText(path, "latin.py", '# -*- coding: latin-1 -*-\nx = "café"\n')


def test_read_source_keeps_crlf_line_endings(tmp_path):
    path = write(tmp_path, "crlf.py", b"x = 1\r\ny = 2\r\n")
    assert read_source(path, tmp_path).text == "x = 1\r\ny = 2\r\n"


@pytest.mark.parametrize(
    ("data", "line", "byte", "column"),
    [
        (b'x = 1\ny = 2\nz = "caf\xe9"\n', 3, "0xe9", 9),
        (b'x = "caf\xe9"\n', 1, "0xe9", 9),  # the first two lines are read for a cookie first
        (b'# a comment\nx = "\xff"\n', 2, "0xff", 6),
        (b'\xef\xbb\xbfx = "\xe9"\n', 1, "0xe9", 6),  # the BOM is not counted: editors do not show it
        (b'# coding: utf-8\nx = 1\n\ny = "\xe9"\n', 4, "0xe9", 6),
    ],
    ids=["line-3", "line-1", "after-a-comment", "after-a-bom", "utf8-cookie"],
)
def test_read_source_reports_an_undecodable_byte_at_its_line(tmp_path, data, line, byte, column):
    """At its line and its column (issue 23: the column was 1)."""
    path = write(tmp_path, "bad.py", data)
    expected = decode_error("bad.py", line, f"cannot decode this file: byte {byte} is not utf-8", column)
    assert read_source(path, tmp_path) == SourceText(path, "bad.py", None, expected)


def test_read_source_names_the_encoding_a_cookie_declares(tmp_path):
    path = write(tmp_path, "ascii.py", b'# coding: ascii\nx = "\xe9"\n')
    expected = decode_error("ascii.py", 2, "cannot decode this file: byte 0xe9 is not ascii", 6)
    assert read_source(path, tmp_path).diagnostic == expected


def test_read_source_reports_an_unknown_coding_cookie(tmp_path):
    path = write(tmp_path, "klingon.py", b"# -*- coding: klingon -*-\nx = 1\n")
    expected = decode_error("klingon.py", 1, "cannot decode this file: unknown encoding: klingon")
    assert read_source(path, tmp_path) == SourceText(path, "klingon.py", None, expected)


def test_read_source_reports_a_missing_file(tmp_path):
    path = tmp_path / "pkg" / "missing.py"
    expected = decode_error("pkg/missing.py", 1, f"cannot read this file: {os.strerror(errno.ENOENT)}")
    assert read_source(path, tmp_path) == SourceText(path, "pkg/missing.py", None, expected)


def test_read_source_reports_a_folder_named_like_a_file(tmp_path):
    (tmp_path / "folder.py").mkdir()
    source = read_source(tmp_path / "folder.py", tmp_path)
    assert source.text is None
    assert source.diagnostic is not None
    assert (source.diagnostic.span, source.diagnostic.code) == (Span("folder.py", 1), "PL002")
    assert source.diagnostic.message.startswith("cannot read this file: ")


def test_read_source_reports_an_unreadable_file(tmp_path):
    path = write(tmp_path, "secret.py", b"x = 1\n")
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("this user (root?) can read a file with mode 000")
        expected = decode_error("secret.py", 1, f"cannot read this file: {os.strerror(errno.EACCES)}")
        assert read_source(path, tmp_path) == SourceText(path, "secret.py", None, expected)
    finally:
        path.chmod(0o644)


def test_read_source_turns_any_os_error_into_pl002(tmp_path, monkeypatch):
    path = write(tmp_path, "secret.py", b"x = 1\n")

    def refuse(path, root):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))

    monkeypatch.setattr(boundary, "read_bytes", refuse)
    expected = decode_error("secret.py", 1, f"cannot read this file: {os.strerror(errno.EACCES)}")
    assert read_source(path, tmp_path) == SourceText(path, "secret.py", None, expected)


def test_read_source_names_a_file_outside_the_root_relatively_and_keeps_it_in_its_folder(tmp_path):
    path = write(tmp_path, "outside/o.py", b"x = 1\n")
    root = tmp_path / "project"
    root.mkdir()
    assert read_source(path, root) == SourceText(path, "../outside/o.py", "x = 1\n")
    write(tmp_path, "secret.py", b"SECRET = 1\n")
    (tmp_path / "outside" / "link.py").symlink_to(tmp_path / "secret.py")
    expected = decode_error(
        "../outside/link.py", 1, "cannot read this file: a symbolic link leading outside its folder"
    )
    assert read_source(tmp_path / "outside" / "link.py", root) == SourceText(
        tmp_path / "outside" / "link.py", "../outside/link.py", None, expected
    )
