"""The cache's generic codec: what a scan finds survives JSON exactly, or the entry is a miss."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

import pytest

from paperlink.cache import from_data, to_data
from paperlink.diagnostics import Diagnostic, Severity
from paperlink.engine import _Scanned
from paperlink.source.annotations import Annotation
from paperlink.source.suppression_comments import Suppression
from paperlink.spans import Span


@dataclass(frozen=True)
class _Site:
    span: Span
    value: float | str | None
    names: tuple[str, ...]
    pair: tuple[int, int] | None = None


def test_a_scan_round_trips_through_json() -> None:
    scanned = _Scanned(
        annotations=(
            Annotation("Eq. 3", None, "comment", Span("a.py", 2), Span("a.py", 3, 5, 3, 9), "f", "", "f", "abc"),
        ),
        suppressions=(Suppression(Span("a.py", 4), ("PL201",), False, "why", (5, 6), ""),),
        problem=Diagnostic(Span("a.py", 1, 2), "PL001", "cannot parse", Severity.ERROR),
        notes=(Diagnostic(Span("a.py", 1), "PL003", "skipped", Severity.INFO),),
    )
    assert from_data(_Scanned, json.loads(json.dumps(to_data(scanned)))) == scanned


def test_unions_tuples_and_floats_decode_to_their_types() -> None:
    sites = (
        _Site(Span("b.py", 1), 1, ("lr",), (1, 2)),
        _Site(Span("b.py", 2), "args.lr", ()),
        _Site(Span("b.py", 3), None, ()),
    )
    decoded = from_data(tuple[_Site, ...], json.loads(json.dumps(to_data(sites))))
    assert decoded == sites
    assert isinstance(decoded[0].value, float)


@pytest.mark.parametrize("data", [{"span": "x"}, [1], {"span": {"path": 1, "line": 2}}, None])
def test_data_of_another_shape_raises_the_errors_the_cache_treats_as_a_miss(data: object) -> None:
    with pytest.raises((TypeError, ValueError, KeyError)):
        from_data(_Site, data)


def test_a_cache_written_by_other_code_is_ignored(tmp_path) -> None:
    from paperlink.cache import ScanCache

    store = ScanCache(tmp_path)
    store.put("a.py", "d1", _Scanned())
    store.save()
    assert ScanCache(tmp_path).get("a.py", "d1") == _Scanned()
    data = json.loads(store.file.read_text(encoding="utf-8"))
    data["@code"] = "another checkout"
    store.file.write_text(json.dumps(data), encoding="utf-8")
    assert ScanCache(tmp_path).get("a.py", "d1") is None


@dataclass(frozen=True)
class _Setting:
    level: Literal["warning", "info"]
    count: Literal[1, 2] = 1


def test_a_closed_vocabulary_decodes_only_its_own_values() -> None:
    setting = _Setting("info", 2)
    assert from_data(_Setting, json.loads(json.dumps(to_data(setting)))) == setting
    for data in ({"level": "error"}, {"level": "info", "count": True}, {"level": "info", "count": "2"}):
        with pytest.raises((TypeError, ValueError, KeyError)):
            from_data(_Setting, data)


def test_every_analysis_finds_facts_the_cache_gives_back_unchanged() -> None:
    """Each rule fixture and sample, scanned by every analysis, decodes from the cache's JSON as
    the same typed facts: a field type the codec cannot decode would make every entry a miss."""
    from pathlib import Path

    from paperlink.analysis import ANALYSES
    from paperlink.cache import _decode_scan, _encode_scan
    from paperlink.engine import _scan_file

    root = Path(__file__).resolve().parent.parent
    names = tuple(analysis.name for analysis in ANALYSES)
    paths = sorted([*root.glob("tests/rules/fixtures/PL*/*.py"), *root.glob("sample_papers/*/*.py")])
    kinds, globals_, settings = set(), 0, 0
    for path in paths:
        scanned = _scan_file(path, path.parent, names)  # from its own folder: not a test file under tests/
        assert _decode_scan(json.loads(json.dumps(_encode_scan(scanned, names))), names) == scanned, path
        facts = dict(scanned.facts)
        kinds |= {type(found).__name__ for found in facts.values()}
        globals_ += len(facts["hidden_inputs"].state.globals)
        settings += len(facts["hidden_inputs"].reproducibility.settings)
    assert kinds == {analysis.facts.__name__ for analysis in ANALYSES}
    assert globals_ and settings  # the closed vocabularies (ModuleGlobal.kind, Setting.level) took part


def _check_imports(project) -> tuple[str, set[str]]:
    """``paperlink check``'s output in ``project`` and the modules it imported (``-X importtime``)."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "paperlink", "check", "--output-format", "concise"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode in (0, 1), done.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    return done.stdout, imported


_PAPER_READERS = {"pylatexenc", "paperlink.paper.latex", "paperlink.paper.hyperparams", "libcst"}


def test_a_warm_check_takes_the_paper_from_the_cache_until_a_file_it_read_changes(tmp_path) -> None:
    """The paper model is cached by the digests of the files its reader read: a second run
    imports neither the LaTeX reader nor pylatexenc (nor libcst, which no file needs); an edit
    of an ``\\input`` file, or a new ``.tex`` file that ``\\input`` would now find, reads it again."""
    (tmp_path / "pyproject.toml").write_text('[tool.paperlink]\npapers = { p = "paper.tex" }\n', encoding="utf-8")
    (tmp_path / "paper.tex").write_text(
        "\\documentclass{article}\n\\begin{document}\n\\input{method}\n\\input{extra}\n\\end{document}\n",
        encoding="utf-8",
    )
    method = tmp_path / "method.tex"
    method.write_text("\\begin{equation}\\label{eq:loss} L = x \\end{equation}\n", encoding="utf-8")
    (tmp_path / "extra").write_text("\\section{Extra}\\label{sec:extra}\n", encoding="utf-8")
    (tmp_path / "train.py").write_text("# paper: eq:loss\ndef loss(x):\n    return x\n", encoding="utf-8")

    cold, imported = _check_imports(tmp_path)
    assert {"pylatexenc", "paperlink.paper.latex"} <= imported
    warm, imported = _check_imports(tmp_path)
    assert warm == cold
    assert not imported & _PAPER_READERS

    method.write_text("\\begin{equation}\\label{eq:objective} L = x \\end{equation}\n", encoding="utf-8")
    edited, imported = _check_imports(tmp_path)
    assert "paperlink.paper.latex" in imported
    assert "train.py:1:1: PL101" in edited and "train.py:1:1: PL101" not in cold
    assert "PL110" in edited  # eq:objective has no code

    (tmp_path / "extra.tex").write_text("\\section{Other}\\label{sec:other}\n", encoding="utf-8")
    _, imported = _check_imports(tmp_path)
    assert "paperlink.paper.latex" in imported  # \input{extra} now reads extra.tex
    _, imported = _check_imports(tmp_path)
    assert not imported & _PAPER_READERS


def test_a_paper_with_an_include_not_found_is_read_every_time(tmp_path) -> None:
    """The include could be created at any place TeX looks: such a paper is not stored."""
    from paperlink.boundary import recording
    from paperlink.cache import PaperCache
    from paperlink.paper import parse_paper

    main = tmp_path / "paper.tex"
    main.write_text("\\begin{document}\n\\input{sections/missing}\n\\end{document}\n", encoding="utf-8")
    with recording() as reads:
        paper = parse_paper(main, name="p", root=tmp_path)
    assert [d.code for d in paper.diagnostics] == ["PL010"]
    store = PaperCache(tmp_path)
    store.put(main, "p", paper, reads)
    store.save()
    assert PaperCache(tmp_path).get(main, "p") is None


def test_a_paper_with_an_include_outside_its_folder_is_read_every_time(tmp_path) -> None:
    """A refused include was never read: replacing the link by a file would leave the cached
    paper without its items, so such a paper is not stored."""
    from paperlink.boundary import recording
    from paperlink.cache import PaperCache
    from paperlink.paper import parse_paper

    (tmp_path / "outside.tex").write_text("\\section{Outside}\n", encoding="utf-8")
    folder = tmp_path / "paper"
    folder.mkdir()
    (folder / "extra.tex").symlink_to(tmp_path / "outside.tex")
    main = folder / "paper.tex"
    main.write_text("\\begin{document}\n\\input{extra}\n\\end{document}\n", encoding="utf-8")
    with recording() as reads:
        paper = parse_paper(main, name="p", root=folder)
    assert [d.code for d in paper.diagnostics] == ["PL012"]
    store = PaperCache(folder)
    store.put(main, "p", paper, reads)
    store.save()
    assert PaperCache(folder).get(main, "p") is None


def test_every_sample_paper_comes_back_from_the_cache_unchanged(tmp_path) -> None:
    """The generic codec gives each sample paper back equal, the prose around items included
    (which items do not compare)."""
    from pathlib import Path

    from paperlink.boundary import recording
    from paperlink.cache import PaperCache
    from paperlink.paper import parse_paper

    root = Path(__file__).resolve().parent.parent
    for main in sorted(root.glob("sample_papers/*/paper.tex")):
        with recording() as reads:
            paper = parse_paper(main, name=main.parent.name, root=main.parent)
        found = [(path.name, data is None) for path, data in reads]
        # the packages and class a paper would take from its own folder were looked for: their absence counts too
        assert found[0] == ("paper.tex", False)
        assert found[1:] and all(absent and name.endswith((".sty", ".cls")) for name, absent in found[1:])
        store = PaperCache(tmp_path)
        store.put(main, main.parent.name, paper, reads)
        store.save()
        cached = PaperCache(tmp_path).get(main, main.parent.name)
        assert cached == paper, main
        assert cached is not None and [item.prose for item in cached.items] == [item.prose for item in paper.items]


def test_a_file_whose_status_is_unchanged_is_not_read_again(tmp_path, monkeypatch) -> None:
    """The stat fast path: a settled file (changed more than two seconds ago) with the size,
    times and inode stored is taken from the cache unread; a rewrite of the same size with its
    modification time put back still changes its change time, and is read; a file changed
    just now is compared by content."""
    import os

    from paperlink import engine

    source = tmp_path / "a.py"
    source.write_text("# paper: eq:a\nx = 1\n", encoding="utf-8")
    settled = source.stat().st_mtime_ns - 10_000_000_000
    os.utime(source, ns=(settled, settled))
    reads: list[str] = []
    read_bytes = engine.read_bytes
    monkeypatch.setattr(engine, "read_bytes", lambda path, root: reads.append(path.name) or read_bytes(path, root))
    monkeypatch.setattr("paperlink.cache._SETTLED_NS", 0)  # the change time the write just set counts as settled
    first = engine._scan_cached([source], tmp_path, 1)
    assert reads == ["a.py"]
    assert engine._scan_cached([source], tmp_path, 1) == first
    assert reads == ["a.py"]  # not read again

    source.write_text("# paper: eq:b\nx = 1\n", encoding="utf-8")
    os.utime(source, ns=(settled, settled))
    assert [a.text for a in engine._scan_cached([source], tmp_path, 1)[0].annotations] == ["eq:b"]
    assert reads == ["a.py", "a.py"]

    monkeypatch.setattr("paperlink.cache._SETTLED_NS", 10**18)  # every file changed "just now"
    engine._scan_cached([source], tmp_path, 1)
    assert reads == ["a.py", "a.py", "a.py"]  # read and compared by digest, never by status


def test_a_cache_kept_open_between_checks_takes_nothing_stale(tmp_path) -> None:
    """engine.Memory (the language server's): each later check reports what a fresh check
    reports, after a source file and the paper change on disk, and decodes an entry once."""
    import os
    import shutil
    from pathlib import Path

    from paperlink.cache import ScanCache
    from paperlink.config import load_config
    from paperlink.engine import Memory, check

    root = tmp_path / "simsiam"
    sample = Path(__file__).resolve().parents[1] / "sample_papers" / "simsiam"
    shutil.copytree(sample, root, ignore=shutil.ignore_patterns("expected", ".paperlink_cache"))
    memory = Memory()

    def both() -> tuple[tuple[Diagnostic, ...], tuple[Diagnostic, ...]]:
        config = load_config(None, root)
        return check(config, [root], cache=True, memory=memory, jobs=1).diagnostics, check(config, [root]).diagnostics

    def age(path: Path) -> None:  # as if changed long ago: the status fast path applies
        os.utime(path, ns=(os.stat(path).st_atime_ns, os.stat(path).st_mtime_ns - 10**10))

    kept, fresh = both()
    assert kept == fresh
    store = memory.store(ScanCache, root)
    assert not store.decoded  # a cold check scans and stores; it decodes nothing
    train = root / "src" / "train.py"
    train.write_text(train.read_text(encoding="utf-8").replace("default=5e-4)", "default=1e-4)"), encoding="utf-8")
    age(train)
    kept, fresh = both()
    assert kept == fresh and "PL402" not in [d.code for d in kept if d.span.path == "src/train.py"]
    assert set(store.decoded) == {"src/model.py"}  # train.py changed: scanned again
    model = store.decoded["src/model.py"][2]
    kept, fresh = both()
    assert kept == fresh and set(store.decoded) == {"src/model.py", "src/train.py"}
    assert store.decoded["src/model.py"][2] is model  # decoded once
    paper = root / "paper.tex"
    text = paper.read_text(encoding="utf-8").replace("weight decay $10^{-4}$", "weight decay $5\\times10^{-4}$")
    paper.write_text(text.replace("Weight decay & $10^{-4}$", "Weight decay & $5\\times10^{-4}$"), encoding="utf-8")
    kept, fresh = both()
    assert kept == fresh and "PL402" in [d.code for d in kept if d.span.path == "src/train.py"]
