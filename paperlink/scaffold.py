"""``paperlink init``: find the paper, write the configuration, suggest first annotations.

Pure where it can be: finding the main file and scoring suggestions are functions of the
files they are given; only :func:`write_config` writes, and never over an existing
``[tool.paperlink]`` table unless asked to.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from paperlink import boundary
from paperlink.errors import ConfigError
from paperlink.paper.model import ItemKind, Paper, PaperItem, display_name
from paperlink.suggest import Suggestions, accepted
from paperlink.suggest.write import reference as write_reference

__all__ = [
    "Suggestion",
    "find_main_tex",
    "paper_name",
    "config_table",
    "write_config",
    "suggest_annotations",
    "reference",
]

_SKIPPED_FOLDERS = {".git", ".venv", "venv", "node_modules", "__pycache__", ".tox", "build", "dist", "site-packages"}
_PREFERRED_NAMES = ("main.tex", "paper.tex", "ms.tex", "manuscript.tex", "article.tex")
_INCLUDE = re.compile(r"\\(?:input|include|subfile)\s*\{([^}]+)\}")
_CITED_AS = {ItemKind.EQUATION: "Eq.", ItemKind.ALGORITHM: "Alg.", ItemKind.SECTION: "Sec."}
_GENERIC_FOLDERS = {"paper", "papers", "latex", "tex", "manuscript", "doc", "docs", "arxiv", "src"}


def find_main_tex(folder: Path) -> list[Path]:
    """LaTeX main files under ``folder`` (``\\documentclass`` and ``\\begin{document}``),
    best candidate first: not included by another file, a conventional name, the largest."""
    files = [p for p in sorted(folder.rglob("*.tex")) if not _SKIPPED_FOLDERS & set(p.relative_to(folder).parts)]
    texts = {path: _read(path, folder) for path in files}
    included = {
        (path.parent / name.strip()).with_suffix(".tex").resolve()
        for path, text in texts.items()
        for name in _INCLUDE.findall(text)
    }
    mains = [
        p
        for p, t in texts.items()
        if "\\documentclass" in t and "\\begin{document}" in t and p.resolve() not in included
    ]
    return sorted(
        mains, key=lambda p: (p.name not in _PREFERRED_NAMES, len(p.relative_to(folder).parts), -len(texts[p]), str(p))
    )


def _read(path: Path, folder: Path) -> str:
    try:
        return boundary.read_text(path, folder, errors="replace")  # a link leading outside reads as nothing
    except OSError:
        return ""


def config_table(root: Path, paper: Path, name: str) -> str:
    """The ``[tool.paperlink]`` table for ``pyproject.toml``, paths relative to ``root``.

    ``include`` is left at its default (every Python file, tool folders and git-ignored
    files aside): training scripts often live outside the package.
    """
    relative = Path(os.path.relpath(paper.resolve(), root.resolve())).as_posix()
    return f'[tool.paperlink]\npapers = {{ {name} = "{relative}" }}\n'


def write_config(root: Path, table: str, force: bool) -> Path:
    """Add ``table`` to ``root/pyproject.toml`` (created if missing).

    An existing ``[tool.paperlink]`` (or its subtables) is a :class:`ConfigError` unless
    ``force``, which replaces it and keeps the rest of the file as written.
    """
    pyproject = root / "pyproject.toml"
    try:  # never written through a link leading outside the project
        text = boundary.read_text(pyproject, root) if os.path.lexists(pyproject) else ""
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{pyproject.name}: cannot read it ({error}); not written") from None
    start = re.search(r"^\[tool\.paperlink(?:\.[^\]]+)?\]\s*$", text, re.MULTILINE)
    if start and not force:
        raise ConfigError(f"{pyproject} already has [tool.paperlink]; use --force to replace it")
    if start:
        after = re.search(r"^\[(?!tool\.paperlink[\].])", text[start.end() :], re.MULTILINE)
        end = start.end() + after.start() if after else len(text)
        text = text[: start.start()] + text[end:]
    text = text.rstrip("\n")
    pyproject.write_text((text + "\n\n" if text else "") + table, encoding="utf-8")
    return pyproject


def paper_name(main_file: Path, folder: Path) -> str:
    """A configuration name for the paper: the main file's stem, or its project's folder
    name when the file is ``main.tex`` in a folder such as ``paper/`` or ``latex/``."""
    stem = main_file.stem
    if stem in ("main", "paper", "ms", "manuscript"):
        parent = main_file.resolve().parent
        stem = (
            folder.resolve().name
            if parent.name.lower() in _GENERIC_FOLDERS or parent == folder.resolve()
            else parent.name
        )
    slug = re.sub(r"[^a-z0-9]+", "_", stem.lower()).strip("_")
    return slug if slug[:1].isalpha() else f"paper_{slug}".rstrip("_")


@dataclass(frozen=True)
class Suggestion:
    """A target that looks like it implements a paper item, and why (from :mod:`paperlink.suggest`)."""

    path: str
    line: int
    function: str  # ``def name``, ``class Name`` or the statement's code
    item: PaperItem
    evidence: tuple[str, ...]
    reference: str

    def __str__(self) -> str:
        why = "; ".join(self.evidence)
        return f"{self.path}:{self.line}: {self.function}  ->  # paper: {self.reference}   ({display_name(self.item)}; {why})"


def reference(item: PaperItem) -> str:
    """How an annotation should name ``item``: its label, else its printed number."""
    return item.labels[0] if item.labels else f"{_CITED_AS[item.kind]} {item.number}"


def suggest_annotations(found: Suggestions, paper: Paper, limit: int = 3) -> list[Suggestion]:
    """The first annotations to write: the best-scoring suggestions ``paperlink suggest --write``
    would write (unlinked items, score at least the default), best first."""
    chosen = sorted(accepted(found), key=lambda pair: -pair[1].score)
    suggestions = []
    for ranking, candidate in chosen:
        target = candidate.target
        spelled = write_reference(ranking.item, paper)
        if spelled is None:
            continue
        what = f"{'class' if target.kind == 'class' else 'def'} {target.name}" if target.name else target.code
        suggestions.append(Suggestion(target.path, target.line, what, ranking.item, candidate.evidence, spelled))
    return suggestions[:limit]
