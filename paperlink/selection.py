"""Which rules a run reports: ``select`` and ``ignore``, ruff-style.

A *code* (``PL101``) or a *prefix* of one (``PL1``, ``PL10``) names rules (:mod:`paperlink.codes`). ``select``
narrows the report to the rules it names (absent: every rule); ``ignore`` then removes the
rules it names. Settings come in layers, the configuration first and the command line
over it: a layer with its own ``select`` starts afresh, otherwise its ``ignore`` adds to
the ignores below it (as ruff layers its settings).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from paperlink.codes import matches
from paperlink.diagnostics import Diagnostic

__all__ = ["Selection", "select_diagnostics"]


@dataclass(frozen=True)
class Selection:
    """One layer of settings: ``select`` (None: every rule) narrowed by ``ignore``."""

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()

    def over(self, lower: Selection) -> Selection:
        """This layer on top of ``lower``: its ``select`` replaces, its ``ignore`` adds."""
        if self.select is not None:
            return self
        return Selection(lower.select, (*lower.ignore, *self.ignore))

    def enabled(self, code: str) -> bool:
        """Whether diagnostics with ``code`` are reported (a rule off by default needs a ``select``)."""
        if self.select is None and code in _off_by_default():
            return False
        if self.select is not None and not matches(code, self.select):
            return False
        return not matches(code, self.ignore)


@functools.cache
def _off_by_default() -> frozenset[str]:
    """Codes of informational listings that only an explicit ``select`` turns on."""
    from paperlink.rules import ALL_RULES

    return frozenset(rule.code for rule in ALL_RULES if not rule.default_enabled)


def select_diagnostics(diagnostics: Sequence[Diagnostic], selection: Selection) -> list[Diagnostic]:
    """The diagnostics whose rules ``selection`` enables, in their order."""
    return [diagnostic for diagnostic in diagnostics if selection.enabled(diagnostic.code)]
