"""The no-op decorator user code imports to link a function or class to the paper.

It does nothing at run time and imports nothing: the static checker reads it from the
source. ``@paperlink.implements("eq:loss", "hp:learning_rate", paper="simsiam")``.
"""

from __future__ import annotations

from typing import Callable, TypeVar

__all__ = ["implements"]

_Target = TypeVar("_Target")


def implements(*references: str, paper: str | None = None) -> Callable[[_Target], _Target]:
    """Mark the decorated definition as implementing ``references`` of ``paper``."""

    def mark(target: _Target) -> _Target:
        return target

    return mark
