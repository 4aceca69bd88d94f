"""Which rules a run reports: ``select`` and ``ignore``, ruff-style.

A *code* (``PL101``) or a *prefix* of one (``PL1``, ``PL10``) names rules (:mod:`paperlink.codes`). ``select``
narrows the report to the rules it names (absent: every rule); ``ignore`` then removes the
rules it names. Settings come in layers, the configuration first and the command line
over it: a layer with its own ``select`` starts afresh, otherwise its ``ignore`` adds to
the ignores below it (as ruff layers its settings). ``extend-select`` adds rules to a layer's
``select`` (rules off by default too); ``per-file-ignores`` turns rules off in the files
a glob matches (as ``exclude`` reads globs; ``!glob``: in the files it does not match).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from paperlink.codes import matches
from paperlink.diagnostics import Diagnostic
from paperlink.source.files import glob_match

__all__ = ["Selection", "select_diagnostics"]


@dataclass(frozen=True)
class Selection:
    """One layer of settings: ``select`` (None: every rule) and ``extend`` narrowed by ``ignore``."""

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    extend: tuple[str, ...] = ()  # extend-select
    per_file: tuple[tuple[str, tuple[str, ...]], ...] = ()  # per-file-ignores: (glob, codes)

    def over(self, lower: Selection) -> Selection:
        """This layer on top of ``lower``: its ``select`` replaces (with ``extend``), its ``ignore``
        and ``extend`` add; per-file ignores always add."""
        per_file = (*lower.per_file, *self.per_file)
        if self.select is not None:
            return Selection(self.select, self.ignore, self.extend, per_file)
        return Selection(lower.select, (*lower.ignore, *self.ignore), (*lower.extend, *self.extend), per_file)

    def enabled(self, code: str) -> bool:
        """Whether diagnostics with ``code`` are reported (a rule off by default needs a ``select``)."""
        if matches(code, self.ignore):
            return False
        if matches(code, self.extend):
            return True
        if self.select is None:
            return code not in _off_by_default()
        return matches(code, self.select)

    def enabled_in(self, code: str, path: str) -> bool:
        """Whether diagnostics with ``code`` are reported in the project-relative file ``path``."""
        return self.enabled(code) and not any(
            matches(code, codes) and glob_match(path, pattern.removeprefix("!")) != pattern.startswith("!")
            for pattern, codes in self.per_file
        )


@functools.cache
def _off_by_default() -> frozenset[str]:
    """Codes of informational listings that only an explicit ``select`` turns on."""
    from paperlink.rules import ALL_RULES

    return frozenset(rule.code for rule in ALL_RULES if not rule.default_enabled)


def select_diagnostics(diagnostics: Sequence[Diagnostic], selection: Selection) -> list[Diagnostic]:
    """The diagnostics whose rules ``selection`` enables in their files, in their order."""
    return [d for d in diagnostics if selection.enabled_in(d.code, d.span.path)]
