"""The paper model and its readers: LaTeX source or a YAML manifest."""

from __future__ import annotations

from pathlib import Path

from paperlink.errors import PaperNotFoundError
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
]


def parse_paper(path: Path, *, name: str, root: Path) -> Paper:
    """Read the paper at ``path``: a LaTeX main file or a ``.yaml`` manifest.

    Problems inside the paper are diagnostics on the result; a missing or unreadable
    main file is a :class:`~paperlink.errors.PaperNotFoundError`.
    """
    if path.is_dir():
        raise PaperNotFoundError(f"{path} is a folder; give the paper's main .tex file or a .yaml manifest")
    if not path.is_file():
        raise PaperNotFoundError(f"paper not found: {path}")
    if path.suffix.lower() in (".yaml", ".yml"):
        from paperlink.paper.manifest import read_manifest

        return read_manifest(path, name=name, root=root)
    from paperlink.paper.latex import read_latex_paper  # pylatexenc is imported only here

    return read_latex_paper(path, name=name, root=root)
