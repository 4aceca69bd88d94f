"""``paperlink init``: find the paper, write the configuration, suggest first annotations.

Pure where it can be: finding the main file and scoring suggestions are functions of the
files they are given; only :func:`write_config` writes, and never over an existing
``[tool.paperlink]`` table unless asked to.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from paperlink import boundary
from paperlink.errors import ConfigError
from paperlink.paper.model import ItemKind, Paper, PaperItem, display_name

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
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_STOP_WORDS = {
    "the",
    "of",
    "a",
    "an",
    "and",
    "for",
    "to",
    "in",
    "with",
    "on",
    "by",
    "from",
    "is",
    "are",
    "but",
    "not",
    "alone",
    "eq",
    "sec",
    "alg",
    "fig",
    "tab",
    "def",
    "self",
    "get",
    "set",
    "init",
    "main",
    "run",
    "build",
    "make",
    "load",
    "per",
    "using",
    "via",
    "into",
    "over",
    "all",
    "between",
    "across",
    "its",
    "our",
    "we",
    "introduction",
    "conclusion",
    "discussion",
    "results",
    "related",
    "work",
    "appendix",
    "method",
    "methods",
}
_SUGGESTED_KINDS = (ItemKind.EQUATION, ItemKind.ALGORITHM, ItemKind.SECTION)
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
    """A function that looks like it implements a paper item, and why."""

    path: str
    line: int
    function: str
    item: PaperItem
    shared_words: tuple[str, ...]

    def __str__(self) -> str:
        words = ", ".join(self.shared_words)
        return f"{self.path}:{self.line}: def {self.function}  ->  # paper: {reference(self.item)}   ({display_name(self.item)}; shared words: {words})"


def reference(item: PaperItem) -> str:
    """How an annotation should name ``item``: its label, else its printed number."""
    return item.labels[0] if item.labels else f"{_CITED_AS[item.kind]} {item.number}"


def _words(text: str) -> set[str]:
    return {
        w.lower()
        for w in _WORD.findall(text.replace("_", " ").replace(":", " "))
        if w.lower() not in _STOP_WORDS and len(w) > 1
    }


def _item_words(item: PaperItem) -> set[str]:
    words = set()
    for label in item.labels:
        words |= _words(label.split(":", 1)[-1])
    return words | _words(item.title or "")


def _annotated(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef, lines: list[str]) -> bool:
    first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    around = " ".join(lines[max(first - 2, 0) : node.lineno])
    return "paper:" in around or "implements(" in around or "paper:" in (ast.get_docstring(node) or "").lower()


def suggest_annotations(paper: Paper, sources: Iterable[tuple[str, str]], limit: int = 3) -> list[Suggestion]:
    """For the paper items (numbered equations, algorithms, sections) whose labels and title
    share the most words with a function's name or docstring, the best function for each,
    best first; functions that already carry an annotation are left out."""
    items = [
        (item, _item_words(item)) for item in paper.items if item.kind in _SUGGESTED_KINDS and item.number is not None
    ]
    items = [(item, words) for item, words in items if words]
    found: list[tuple[int, Suggestion]] = []
    for relative, text in sources:
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        lines = text.splitlines()
        for node in ast.walk(tree):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) or _annotated(node, lines):
                continue
            name_words = _words(node.name)
            doc_words = _words((ast.get_docstring(node) or "")[:300])
            scored = [(2 * len(name_words & w) + len(doc_words & w), item, w) for item, w in items]
            score, item, words = max(scored, key=lambda s: (s[0], -paper.items.index(s[1])), default=(0, None, set()))
            if score >= 2 and item is not None:
                shared = tuple(sorted((name_words | doc_words) & words))
                found.append((score, Suggestion(relative, node.lineno, node.name, item, shared)))
    found.sort(key=lambda pair: (-pair[0], pair[1].path, pair[1].line))
    chosen: dict[str, Suggestion] = {}  # one function per item: the best match
    for _, suggestion in found:
        chosen.setdefault(suggestion.item.key, suggestion)
    return list(chosen.values())[:limit]
