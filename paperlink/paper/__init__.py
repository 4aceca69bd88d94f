"""The paper model and its readers: LaTeX source or a YAML manifest."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from paperlink import boundary
from paperlink.errors import PaperNotFoundError

if TYPE_CHECKING:
    from paperlink.paper.hpdirectives import HyperparameterEdit
from paperlink.paper.model import (
    Hyperparameter,
    ItemKind,
    Limitation,
    MacroDefinition,
    Paper,
    PaperItem,
    display_name,
)

__all__ = [
    "Hyperparameter",
    "ItemKind",
    "Limitation",
    "MacroDefinition",
    "Paper",
    "PaperItem",
    "display_name",
    "parse_paper",
    "with_edits",
]


def parse_paper(path: Path, *, name: str, root: Path, edits: Sequence[HyperparameterEdit] = ()) -> Paper:
    """Read the paper at ``path``: a LaTeX main file or a ``.yaml`` manifest, with the
    config's hyperparameter ``edits`` (``[tool.paperlink.paper-hyperparameters]``) applied.

    Problems inside the paper are diagnostics on the result; a missing or unreadable
    main file is a :class:`~paperlink.errors.PaperNotFoundError`.
    """
    return with_edits(_parse_paper(path, name=name, root=root), edits)


def with_edits(paper: Paper, edits: Sequence[HyperparameterEdit]) -> Paper:
    """``paper`` with the config's hyperparameter edits applied (itself when there are none)."""
    if not edits:
        return paper
    from paperlink.paper.hpdirectives import apply_edits

    return dataclasses.replace(paper, items=apply_edits(paper.items, edits))


def _parse_paper(path: Path, *, name: str, root: Path) -> Paper:
    if path.is_dir():
        raise PaperNotFoundError(f"{path} is a folder; give the paper's main .tex file or a .yaml manifest")
    if not path.is_file():
        raise PaperNotFoundError(f"paper not found: {path}")
    if path.suffix.lower() in (".yaml", ".yml"):
        from paperlink.paper.manifest import read_manifest

        return read_manifest(path, name=name, root=root)
    _require_latex(path)
    from paperlink.paper.latex import read_latex_paper  # pylatexenc is imported only here

    return read_latex_paper(path, name=name, root=root)


_NOT_LATEX = {
    ".pdf": "a PDF",
    ".ps": "PostScript",
    ".dvi": "a DVI file",
    ".docx": "a Word document",
    ".doc": "a Word document",
    ".html": "HTML",
    ".md": "Markdown",
}


def _require_latex(path: Path) -> None:
    """A :class:`PaperNotFoundError` for a paper that is no LaTeX source (a PDF, a binary file):
    reading it as LaTeX would find no item and every check would pass silently."""
    try:
        boundary.check_inside(path, path.parent, where="the paper's folder")
        with path.open("rb") as stream:
            head = stream.read(1024)
    except OSError as error:
        raise PaperNotFoundError(f"cannot read the paper {path}: {error.strerror or error}") from None
    kind = _NOT_LATEX.get(path.suffix.lower())
    if kind is None and head.startswith(b"%PDF"):
        kind = "a PDF"
    elif kind is None and b"\0" in head:
        kind = "a binary file"
    if kind is not None:
        raise PaperNotFoundError(
            f"{path} is {kind}, not LaTeX: paperlink reads the paper's LaTeX source (its main .tex file) "
            "or a YAML manifest (docs/manifest.md); for an arXiv paper, download the source from its "
            "'TeX Source' link (https://arxiv.org/src/ID)"
        )
