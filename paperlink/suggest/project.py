"""Reading a project for ``suggest``: its papers, Python files and the links already written."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from paperlink import boundary
from paperlink.config import Config
from paperlink.paper import parse_paper
from paperlink.paper.model import Paper
from paperlink.source.annotations import collect_annotations
from paperlink.source.files import SourceText, discover, read_source
from paperlink.source.notebook import NotebookError, is_notebook, read_notebook
from paperlink.source.notebook_layout import NotebookLayout
from paperlink.source.roles import is_test_file
from paperlink.source.parse import ParsedSource, parse_source
from paperlink.spans import relative_path
from paperlink.suggest import Link, Suggestions, suggest
from paperlink.trace import resolve

__all__ = ["Project", "suggest_project"]

_ANNOTATED = re.compile(r"#\s*paper\b|implements\(|^\s*paper\s*:", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class Project:
    """What ``suggest`` found, and what ``--write`` needs: the paper and the texts read."""

    suggestions: Suggestions
    paper: Paper
    texts: dict[str, str]  # relative path -> text, of every Python file read


def suggest_project(
    config: Config, targets: list[Path], paper_name: str | None, top: int, texts: Mapping[str, str] | None = None
) -> Project:
    """Suggestions for one configured paper over the Python files under ``targets``
    (test files left out: they exercise the method, they do not implement it); ``texts``
    (by project-relative path) are read in place of those files on disk (an editor's)."""
    source = config.paper(paper_name)
    paper = parse_paper(source.path, name=source.name, root=config.root)
    lines = {relative: _lines(config.root / relative, config.root) for relative in paper.files}
    sources: list[tuple[str, str]] = []
    links: list[Link] = []
    layouts: dict[str, NotebookLayout] = {}
    for path in discover(targets, config):
        unsaved = (texts or {}).get(relative_path(path, config.root))
        read = read_source(path, config.root, unsaved.encode("utf-8") if unsaved is not None else None)
        if read.text is None or _is_test(read.relative):  # tests exercise the method; they do not implement it
            continue
        if is_notebook(read.relative):  # its code cells, as the Python text check reads
            try:
                notebook = read_notebook(read.text, read.relative)
            except NotebookError:
                continue  # check reports it (PL004)
            read = replace(read, text=notebook.python)
            layouts[read.relative] = notebook.layout
        assert read.text is not None
        sources.append((read.relative, read.text))
        if _ANNOTATED.search(read.text):
            links.extend(_links(read, paper))
    return Project(suggest(paper, sources, lines, links, top, layouts), paper, dict(sources))


def _is_test(relative: str) -> bool:
    return is_test_file(relative) or PurePosixPath(relative).name in ("tests.py", "test.py")


def _links(read: SourceText, paper: Paper) -> list[Link]:
    parsed = parse_source(read)
    if not isinstance(parsed, ParsedSource):
        return []
    found = []
    for annotation in collect_annotations(parsed):
        for reference in annotation.references:
            resolution = resolve(reference, paper)
            if resolution.item is not None:
                found.append(Link(resolution.item.key, annotation.target.path, annotation.target.line))
    return found


def _lines(path: Path, root: Path) -> list[str]:
    try:
        return boundary.read_text(path, root, errors="replace").splitlines()
    except OSError:
        return []
