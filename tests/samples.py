"""The bundled sample papers, copied for a test to change or to check in a folder of its own."""

from __future__ import annotations

import shutil
from pathlib import Path

__all__ = ["SAMPLES", "copy_sample"]

SAMPLES = Path(__file__).resolve().parent.parent / "sample_papers"


def copy_sample(name: str, destination: Path) -> Path:
    """``sample_papers/<name>`` copied to ``destination``, without what running paperlink there
    leaves behind: README's first command (``paperlink check sample_papers/simsiam``) writes the
    sample's ``.paperlink_cache``, which a test must neither copy nor trust."""
    shutil.copytree(SAMPLES / name, destination, ignore=shutil.ignore_patterns(".paperlink_cache", "__pycache__"))
    return destination
