"""Writing small nbformat 4 notebooks for tests, laid out as Jupyter saves them."""

from __future__ import annotations

import json
from collections.abc import Sequence

__all__ = ["notebook_json"]


def notebook_json(cells: Sequence[tuple[str, str]], language: str = "python", **extra: object) -> str:
    """A notebook of ``(cell_type, source)`` cells: sources as lists of lines, keys sorted,
    one-space indents, as Jupyter writes them."""
    written = []
    for kind, source in cells:
        cell: dict[str, object] = {"cell_type": kind, "metadata": {}, "source": source.splitlines(keepends=True)}
        if kind == "code":
            cell.update(execution_count=None, outputs=[])
        written.append(cell)
    document = {
        "cells": written,
        "metadata": {
            "kernelspec": {"display_name": language, "language": language, "name": language},
            "language_info": {"name": language},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
        **extra,
    }
    return json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
