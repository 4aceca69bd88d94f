"""The project boundary (docs/security.md): nothing outside the project (or the paper's folder,
for LaTeX) is read, whatever the path; a link leading out is reported under its own name; no
output holds an outside file's content or an absolute path; odd file names and a hostile
cache are diagnostics or warnings, never a crash or a hang."""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paperlink import __version__, boundary
from paperlink.cache import CACHE_FOLDER, MAX_CACHE_BYTES, ScanCache
from paperlink.escaping import UNSAFE, json_safe, markup_visible, readable, visible
from tests.test_cli import paperlink
from tests.samples import copy_sample

REPO = Path(__file__).resolve().parent.parent
SECRET = "SECRET_OUTSIDE"
FORMATS = ("text", "json", "sarif", "github", "markdown")
_RAW = re.compile(f"[{UNSAFE}]")

# What each kind of outside file holds: read, its marker would reach some output.
OUTSIDE_FILES = {
    "secret.py": f"{SECRET}_PY = 0.5  # paper: eq:loss\n",
    "secret.ipynb": json.dumps(
        {
            "cells": [{"cell_type": "code", "metadata": {}, "source": [f"{SECRET}_NB = 1  # paper: eq:loss\n"]}],
            "metadata": {},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    ),
    "secret.yaml": f"lr: 0.123  # paper: {SECRET}_YAML\n{SECRET}_KEY: 1\n",
    "environment.yml": f"name: {SECRET}_ENV\ndependencies:\n  - python=3.9\n  - {SECRET.lower()}=1.0\n",
    "python-version": f"3.{SECRET}\n",
    "Dockerfile": f"FROM {SECRET.lower()}:1\n",
    "requirements.txt": f"{SECRET.lower()}==1.0\n",
    "secret.tex": f"\\section{{{SECRET}}}\\label{{sec:{SECRET.lower()}}}\n",
    "scan.json": json.dumps({"src/model.py": [SECRET, SECRET, SECRET]}),
    "folder/inside.py": f"{SECRET}_DIR = 1  # paper: eq:loss\n",
}

# Each link in the project, and where it leads (relative to the outside folder).
LINKS = {
    "src/linked.py": "secret.py",
    "src/linked.ipynb": "secret.ipynb",
    "src/linked_folder": "folder",
    "configs/linked.yaml": "secret.yaml",
    "environment.yml": "environment.yml",
    ".python-version": "python-version",
    "Dockerfile": "Dockerfile",
    "requirements.txt": "requirements.txt",
    "linked.tex": "secret.tex",
    f"{CACHE_FOLDER}/{__version__}/scan.json": "scan.json",
}

# The diagnostics the links give, each under the link's own name (text format).
EXPECTED = [
    ".python-version:1:1: PL006 cannot read environment file: a symbolic link leading outside the project",
    "Dockerfile:1:1: PL006 cannot read environment file: a symbolic link leading outside the project",
    "configs/linked.yaml:1:1: PL002 cannot read this file: a symbolic link leading outside the project",
    "environment.yml:1:1: PL006 cannot read environment file: a symbolic link leading outside the project",
    "paper.tex:{line}:1: PL012 included file 'linked' is outside the paper folder; not read",
    "requirements.txt:1:1: PL006 cannot read environment file: a symbolic link leading outside the project",
    "src/dangling.py:1:1: PL002 cannot read this file: a symbolic link to nothing",
    "src/linked.ipynb:1:1: PL002 cannot read this file: a symbolic link leading outside the project",
    "src/linked.py:1:1: PL002 cannot read this file: a symbolic link leading outside the project",
    "src/linked_folder:1:1: PL002 cannot read this file: a symbolic link leading outside the project",
    "src/loop_a.py:1:1: PL002 cannot read this file: a symbolic-link loop",
    "src/loop_b.py:1:1: PL002 cannot read this file: a symbolic-link loop",
]


@pytest.fixture
def linked(tmp_path: Path) -> tuple[Path, Path]:
    """The SimSiam sample with a link to an outside file or folder of every kind paperlink reads."""
    outside = tmp_path / "outside"
    for name, text in OUTSIDE_FILES.items():
        (outside / name).parent.mkdir(parents=True, exist_ok=True)
        (outside / name).write_text(text, encoding="utf-8")
    project = tmp_path / "project"
    copy_sample("simsiam", project)
    (project / "environment.yml").unlink()
    settings = (project / "pyproject.toml").read_text(encoding="utf-8")
    settings = settings.replace('include = ["src/**/*.py"]', 'include = ["src/**/*.py", "src/**/*.ipynb"]')
    (project / "pyproject.toml").write_text(settings + 'config-files = ["configs/*.yaml"]\n', encoding="utf-8")
    paper = (project / "paper.tex").read_text(encoding="utf-8")
    (project / "paper.tex").write_text(paper.replace("\\end{document}", "\\input{linked}\n\\end{document}"))
    for name, target in LINKS.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(outside / target, project / name)
    os.symlink(outside / "missing.py", project / "src" / "dangling.py")
    os.symlink("loop_b.py", project / "src" / "loop_a.py")
    os.symlink("loop_a.py", project / "src" / "loop_b.py")
    return project, outside


def _input_line(project: Path) -> int:
    lines = (project / "paper.tex").read_text(encoding="utf-8").splitlines()
    return lines.index("\\input{linked}") + 1


def _assert_nothing_from_outside(output: str, project: Path) -> None:
    assert SECRET not in output and SECRET.lower() not in output
    for folder in {str(project.parent), os.path.realpath(project.parent)}:
        assert folder not in output  # no absolute path: neither the project's nor the outside's


@pytest.mark.parametrize("output_format", FORMATS)
def test_links_to_outside_are_reported_by_name_and_never_read(linked: tuple[Path, Path], output_format: str) -> None:
    project, _ = linked
    done = paperlink(
        "check", "--output-format", "concise", "--format", output_format, "--select", "PL0", ".", cwd=project
    )
    assert done.returncode == 1, done.stderr
    _assert_nothing_from_outside(done.stdout + done.stderr, project)
    if output_format == "text":
        line = _input_line(project)
        assert done.stdout.splitlines() == [expected.format(line=line) for expected in EXPECTED]
        # the full view shows each diagnostic's source line: never one read through a link
        full = paperlink("check", "--output-format", "full", "--select", "PL0", ".", cwd=project)
        assert full.returncode == 1, full.stderr
        _assert_nothing_from_outside(full.stdout + full.stderr, project)
    if output_format == "json":
        paths = {d["span"]["path"] for d in json.loads(done.stdout)["diagnostics"]}
        assert {"src/linked.py", "src/linked_folder", "environment.yml", "src/dangling.py"} <= paths


def test_the_whole_check_and_the_html_report_hold_nothing_from_outside(linked: tuple[Path, Path]) -> None:
    project, outside = linked
    for output_format in FORMATS:
        done = paperlink("check", "--output-format", "concise", "--format", output_format, ".", cwd=project)
        assert done.returncode == 1, done.stderr
        _assert_nothing_from_outside(done.stdout + done.stderr, project)
        if output_format == "text":  # the first run met the cache's link: discarded, with one warning
            warning = (
                f"paperlink: warning: {CACHE_FOLDER} discarded and rebuilt: a symbolic link leading outside the project"
            )
            assert [line for line in done.stderr.splitlines() if "warning" in line] == [warning]
    page = project / "report.html"
    done = paperlink("report", "--all-files", "-o", str(page), ".", cwd=project)
    assert done.returncode == 0, done.stderr
    _assert_nothing_from_outside(page.read_text(encoding="utf-8"), project)
    # The cache was rebuilt beside the link, never written through it.
    assert (outside / "scan.json").read_text(encoding="utf-8") == OUTSIDE_FILES["scan.json"]
    assert not (project / CACHE_FOLDER / __version__ / "scan.json").is_symlink()


def test_a_config_file_linked_outside_is_never_read(tmp_path: Path) -> None:
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "paperlink.yaml").write_text(f"include: ['{SECRET}']\n", encoding="utf-8")
    project = tmp_path / "project"
    project.mkdir()
    (project / "train.py").write_text("x = 1\n", encoding="utf-8")
    os.symlink(tmp_path / "outside" / "paperlink.yaml", project / "paperlink.yaml")
    done = paperlink("check", "--output-format", "concise", ".", cwd=project)
    assert done.returncode == 2
    assert done.stderr.endswith(
        "paperlink.yaml: cannot read configuration: a symbolic link leading outside the project\n"
    )
    assert SECRET not in done.stdout + done.stderr
    # A pyproject.toml linked outside is no configuration: the defaults apply.
    (project / "paperlink.yaml").unlink()
    (tmp_path / "outside" / "pyproject.toml").write_text(f"[tool.paperlink]\ninclude = ['{SECRET}']\n")
    os.symlink(tmp_path / "outside" / "pyproject.toml", project / "pyproject.toml")
    done = paperlink("check", "--output-format", "concise", "--select", "PL0", ".", cwd=project)
    assert (done.returncode, done.stdout) == (
        1,
        "pyproject.toml:1:1: PL006 cannot read environment file: a symbolic link leading outside the project\n",
    )
    assert SECRET not in done.stderr


def test_a_requirements_include_leading_outside_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "outside.txt").write_text(f"{SECRET.lower()}==1\n", encoding="utf-8")
    project = tmp_path / "project"
    project.mkdir()
    (project / "train.py").write_text("import numpy\n", encoding="utf-8")
    (project / "requirements.txt").write_text("-r ../outside.txt\n-r inside.txt\nnumpy==1.0\n", encoding="utf-8")
    os.symlink(tmp_path / "outside.txt", project / "inside.txt")
    done = paperlink("check", "--output-format", "concise", "--select", "PL006", ".", cwd=project)
    assert done.stdout.splitlines() == [
        "requirements.txt:1:1: PL006 includes '../outside.txt', which is outside the project; not read",
        "requirements.txt:2:1: PL006 includes 'inside.txt', which is a symbolic link leading outside the project; not read",
    ]
    assert done.returncode == 1


# -- the regressions of issue 24 -------------------------------------------------------------


def test_a_link_loop_between_two_files_is_a_diagnostic_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "ok.py").write_text("x = 1\n", encoding="utf-8")
    os.symlink("b.py", tmp_path / "a.py")
    os.symlink("a.py", tmp_path / "b.py")
    done = paperlink("check", "--output-format", "concise", "--no-cache", ".", cwd=tmp_path)
    assert done.stdout.splitlines() == [
        "a.py:1:1: PL002 cannot read this file: a symbolic-link loop",
        "b.py:1:1: PL002 cannot read this file: a symbolic-link loop",
    ]
    assert done.returncode == 1


def test_a_dangling_link_is_reported_under_its_own_name(tmp_path: Path) -> None:
    os.symlink("gone/target.py", tmp_path / "link.py")
    done = paperlink("check", "--output-format", "concise", "--no-cache", "--format", "json", ".", cwd=tmp_path)
    assert [(d["span"]["path"], d["message"]) for d in json.loads(done.stdout)["diagnostics"]] == [
        ("link.py", "cannot read this file: a symbolic link to nothing")
    ]
    assert done.returncode == 1


def test_a_file_name_that_is_not_utf8_is_checked_and_shown_escaped(tmp_path: Path) -> None:
    os.makedirs(tmp_path, exist_ok=True)
    with open(os.path.join(os.fsencode(tmp_path), b"\xff.py"), "w", encoding="utf-8") as stream:
        stream.write("def f(:\n")
    outputs = {
        f: paperlink("check", "--output-format", "concise", "--no-cache", "--format", f, ".", cwd=tmp_path)
        for f in FORMATS
    }
    assert {f: done.returncode for f, done in outputs.items()} == dict.fromkeys(FORMATS, 1)
    assert outputs["text"].stdout == "\\udcff.py:1:7: PL001 cannot parse this file: invalid syntax\n"
    assert json.loads(outputs["json"].stdout)["diagnostics"][0]["span"]["path"] == "\udcff.py"
    uri = json.loads(outputs["sarif"].stdout)["runs"][0]["results"][0]["locations"][0]
    assert uri["physicalLocation"]["artifactLocation"]["uri"] == "%FF.py"  # the file's own byte
    assert outputs["github"].stdout.startswith("::error file=\\udcff.py,line=1,col=7,")


def test_control_and_bidi_characters_in_a_file_name_are_escaped_in_every_output(tmp_path: Path) -> None:
    name = "t\tab\rcr\x1b[31m\u202eevil.py"
    (tmp_path / name).write_text("def f(:\n", encoding="utf-8")
    shown = "t\\x09ab\\x0dcr\\x1b[31m\\u202eevil.py"
    for output_format in FORMATS:
        done = paperlink(
            "check", "--output-format", "concise", "--no-cache", "--format", output_format, ".", cwd=tmp_path
        )
        assert done.returncode == 1
        assert not _RAW.search(done.stdout.replace("\n", "")), output_format
        if output_format in ("text", "markdown"):
            assert shown in done.stdout, output_format
        if output_format == "github":  # the runner turns %0D back into a line break in the annotation
            assert shown.replace("\\x0d", "%0D") in done.stdout
        if output_format == "json":
            assert json.loads(done.stdout)["diagnostics"][0]["span"]["path"] == name  # the same string, escaped
    assert paperlink("check", "--output-format", "concise", "--no-cache", ".", cwd=tmp_path).stdout == (
        f"{shown}:1:7: PL001 cannot parse this file: invalid syntax\n"
    )
    page = tmp_path / "report.html"
    assert paperlink("report", "--no-cache", "-o", str(page), ".", cwd=tmp_path).returncode == 0
    html = page.read_text(encoding="utf-8")
    assert not _RAW.search(html.replace("\n", "").replace("\t", "")) and shown in html


# -- the cache -----------------------------------------------------------------------------


@pytest.fixture
def cached(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    copy_sample("simsiam", project)
    first = paperlink("check", "--output-format", "concise", ".", cwd=project)
    assert first.returncode == 1 and "warning" not in first.stderr
    return project


def _cache_file(project: Path) -> Path:
    return project / CACHE_FOLDER / __version__ / "scan.json"


def _replace_cache(project: Path, how: str) -> None:
    cache = _cache_file(project)
    cache.unlink()
    if how == "dev-zero":
        os.symlink("/dev/zero", cache)
    elif how == "fifo":
        os.mkfifo(cache)
    elif how == "deep":
        cache.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    elif how == "huge":
        with cache.open("wb") as stream:
            stream.truncate(MAX_CACHE_BYTES + 1)  # sparse: nothing is written, and nothing may be read
    elif how == "dangling":
        os.symlink("nowhere.json", cache)


@pytest.mark.parametrize(
    ("how", "why"),
    [
        ("dev-zero", "a symbolic link leading outside the project"),
        ("fifo", "not a regular file"),
        ("deep", "nested too deeply"),
        ("huge", f"too large to read ({MAX_CACHE_BYTES + 1} bytes, more than {MAX_CACHE_BYTES})"),
        ("dangling", "a symbolic link to nothing"),
    ],
)
def test_a_bad_cache_is_discarded_and_rebuilt_with_one_warning(cached: Path, how: str, why: str) -> None:
    clean = paperlink("check", "--output-format", "concise", "--no-cache", ".", cwd=cached)
    _replace_cache(cached, how)
    done = paperlink("check", "--output-format", "concise", ".", cwd=cached)
    assert (done.returncode, done.stdout) == (clean.returncode, clean.stdout)
    assert [line for line in done.stderr.splitlines() if "warning" in line] == [
        f"paperlink: warning: {CACHE_FOLDER} discarded and rebuilt: {why}"
    ]
    again = paperlink("check", "--output-format", "concise", ".", cwd=cached)  # rebuilt: no warning any more
    assert (again.stdout, "warning" in again.stderr) == (clean.stdout, False)


def test_no_tampered_cache_entry_is_trusted(cached: Path) -> None:
    """Each of 100 changes to a stored entry (its file digest kept) is caught by the entry's digest."""
    cache = _cache_file(cached)
    original = json.loads(cache.read_text(encoding="utf-8"))
    keys = sorted(key for key in original if not key.startswith("@"))
    trusted = 0
    for attempt in range(100):
        key = keys[attempt % len(keys)]
        file_digest, entry_digest, stored = original[key]
        position = (attempt * 7919) % len(stored)
        changed = stored[:position] + ("1" if stored[position] != "1" else "2") + stored[position + 1 :]
        cache.write_text(json.dumps({**original, key: [file_digest, entry_digest, changed]}), encoding="utf-8")
        store = ScanCache(cached)
        trusted += not store.problem
        assert store.entries == {}
    assert trusted == 0


def test_a_keyed_cache_is_not_trusted_under_another_key(cached: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    entries = _entries(cached)
    monkeypatch.setenv("PAPERLINK_CACHE_KEY", "one")
    store = ScanCache(cached)
    assert store.problem.startswith(f"{CACHE_FOLDER} discarded and rebuilt: an entry changed")  # written unkeyed
    store.entries, store.changed = entries, True
    store.save()
    assert (ScanCache(cached).problem, ScanCache(cached).entries) == ("", entries)
    monkeypatch.setenv("PAPERLINK_CACHE_KEY", "two")
    assert ScanCache(cached).problem.startswith(f"{CACHE_FOLDER} discarded and rebuilt: an entry changed")


def _entries(project: Path) -> dict[str, tuple[str, str]]:
    data = json.loads(_cache_file(project).read_text(encoding="utf-8"))
    return {key: (value[0], value[2]) for key, value in data.items() if not key.startswith("@")}


def test_the_cache_folder_is_never_written_through_a_link(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    project = tmp_path / "project"
    copy_sample("simsiam", project)
    os.symlink(outside, project / CACHE_FOLDER)
    done = paperlink("check", "--output-format", "concise", ".", cwd=project)
    assert done.returncode == 1
    assert list(outside.iterdir()) == []


# -- the boundary itself ----------------------------------------------------------------------


def test_read_bytes_refuses_what_lies_outside_and_what_is_no_regular_file(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (tmp_path / "out.txt").write_text("outside", encoding="utf-8")
    (root / "in.txt").write_text("inside", encoding="utf-8")
    os.symlink(tmp_path / "out.txt", root / "out_link")
    os.symlink("in.txt", root / "in_link")
    os.mkfifo(root / "pipe")
    assert boundary.read_bytes(root / "in_link", root) == b"inside"  # a link inside the project is fine
    refusals = {
        "out_link": "a symbolic link leading outside the project",
        "../out.txt": "outside the project",
        "pipe": "not a regular file",
        ".": "a folder",
    }
    for name, why in refusals.items():
        with pytest.raises(boundary.OutsideBoundary) as caught:
            boundary.read_bytes(root / name, root)
        assert str(caught.value) == why
    with pytest.raises(boundary.OutsideBoundary, match=r"^too large to read \(6 bytes, more than 5\)$"):
        boundary.read_bytes(root / "in.txt", root, limit=5)
    with pytest.raises(FileNotFoundError):
        boundary.read_bytes(root / "missing.txt", root)


# -- escaping --------------------------------------------------------------------------------


@given(st.text(alphabet=st.characters(codec=None)))
def test_visible_leaves_no_raw_control_or_bidi_character_and_reads_back(text: str) -> None:
    shown = visible(text)
    assert not _RAW.search(shown)
    assert readable(shown) == text
    shown.encode("utf-8")  # a lone surrogate (a file name's odd byte) is escaped too: no UnicodeEncodeError


@given(st.text(alphabet=st.characters(codec=None)))
def test_json_safe_is_the_same_json_value_without_raw_bidi_characters(text: str) -> None:
    document = json_safe(json.dumps({"path": text}, ensure_ascii=False))
    assert not _RAW.search(document.replace("\n", ""))
    assert json.loads(document) == {"path": text}


@given(st.text(alphabet=st.characters(codec=None)))
def test_markup_visible_keeps_only_tabs_and_line_feeds(text: str) -> None:
    shown = markup_visible(text)
    assert not _RAW.search(shown.replace("\t", "").replace("\n", ""))
    assert shown.count("\t") == text.count("\t") and shown.count("\n") == text.count("\n")


def test_visible_examples() -> None:
    assert visible("plain \\section{x}") == "plain \\section{x}"  # nothing to escape: unchanged
    assert visible("a\tb\r\x1b[0m\u202e\udcff") == "a\\x09b\\x0d\\x1b[0m\\u202e\\udcff"
    assert visible("\\x41") == "\\\\x41"  # a backslash that would read as an escape is doubled
    assert readable("\\\\x41") == "\\x41"


def test_a_paper_main_file_linked_outside_its_folder_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "secret.tex").write_text(f"\\section{{{SECRET}}}\n", encoding="utf-8")
    project = tmp_path / "project"
    copy_sample("simsiam", project)
    (project / "paper.tex").unlink()
    os.symlink(tmp_path / "secret.tex", project / "paper.tex")
    done = paperlink("check", "--output-format", "concise", "--format", "json", ".", cwd=project)
    assert done.returncode == 2
    assert done.stderr.endswith("paper.tex: a symbolic link leading outside the paper's folder\n")
    assert SECRET not in done.stdout + done.stderr and str(tmp_path / "secret.tex") not in done.stderr


def test_a_hydra_config_path_leading_outside_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "config.yaml").write_text(f"lr: 0.5  # paper: {SECRET}\n", encoding="utf-8")
    project = tmp_path / "project"
    project.mkdir()
    os.symlink(tmp_path / "outside", project / "conf")
    for config_path in ("../outside", "conf"):  # written outside, and through a link in the project
        (project / "train.py").write_text(
            f'import hydra\n\n@hydra.main(config_path="{config_path}", config_name="config", version_base=None)\n'
            "def main(cfg):\n    return cfg.lr\n",
            encoding="utf-8",
        )
        done = paperlink("check", "--output-format", "concise", "--no-cache", "--select", "PL0,PL4", ".", cwd=project)
        assert SECRET not in done.stdout + done.stderr
        assert done.stdout == "conf:1:1: PL002 cannot read this file: a symbolic link leading outside the project\n"


def test_init_never_writes_through_a_pyproject_linked_outside(tmp_path: Path) -> None:
    (tmp_path / "outside.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
    project = tmp_path / "project"
    copy_sample("simsiam", project)
    (project / "pyproject.toml").unlink()
    os.symlink(tmp_path / "outside.toml", project / "pyproject.toml")
    done = paperlink("init", ".", cwd=project)
    assert (done.returncode, done.stderr) == (
        2,
        "paperlink: error: pyproject.toml: cannot read it (a symbolic link leading outside the project); not written\n",
    )
    assert (tmp_path / "outside.toml").read_text(encoding="utf-8") == "[project]\nname = 'x'\n"


# -- any layout of links ------------------------------------------------------------------------

_NAMES = st.sampled_from(
    ["a.py", "b.py", "nb.ipynb", "configs/c.yaml", "requirements.txt", "environment.yml", "Dockerfile", "pkg", "x"]
)
_TARGETS = st.sampled_from(
    ["outside:secret.py", "outside:folder", "outside:secret.yaml", "outside:missing", "a.py", "b.py", "pkg", "self"]
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(links=st.dictionaries(_NAMES, _TARGETS, max_size=6), name_bytes=st.binary(min_size=1, max_size=4))
def test_any_layout_of_links_reads_nothing_from_outside(
    tmp_path: Path, links: dict[str, str], name_bytes: bytes
) -> None:
    from paperlink.config import Config
    from paperlink.engine import check
    from paperlink.formats import FORMATS as OUTPUTS

    with tempfile.TemporaryDirectory(dir=tmp_path) as temporary:
        base = Path(temporary)
        outside = base / "outside"
        for name, text in OUTSIDE_FILES.items():
            (outside / name).parent.mkdir(parents=True, exist_ok=True)
            (outside / name).write_text(text, encoding="utf-8")
        root = base / "project"
        (root / "pkg").mkdir(parents=True)
        (root / "train.py").write_text("import numpy\nx = 1  # paper: eq:loss\n", encoding="utf-8")
        odd = name_bytes.replace(b"/", b"_").replace(b"\0", b"_").replace(b".", b"_") + b".py"
        with open(os.path.join(os.fsencode(root), odd), "wb") as stream:
            stream.write(b"def f(:\n")
        for name, target in links.items():
            link = root / name
            if os.path.lexists(link) or link.exists():
                continue
            link.parent.mkdir(parents=True, exist_ok=True)
            where = (
                outside / target.split(":", 1)[1]
                if target.startswith("outside:")
                else link
                if target == "self"
                else root / target
            )
            os.symlink(where, link)
        report = check(Config(root=root, config_files=("configs/*",)), [root], jobs=1, cache=True)
        for render in OUTPUTS.values():
            output = render(report)
            assert SECRET not in output and SECRET.lower() not in output
            assert str(base) not in output and os.path.realpath(base) not in output
            output.encode("utf-8")  # writable: no lone surrogate left raw
        for diagnostic in report.diagnostics:
            assert not diagnostic.span.path.startswith("/")
