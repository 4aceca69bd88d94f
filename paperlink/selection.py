"""Which rules a run reports: ``select`` and ``ignore``, ruff-style.

A *code* (``PL101``) or a *prefix* of one (``PL1``, ``PL10``) names rules. ``select``
narrows the report to the rules it names (absent: every rule); ``ignore`` then removes the
rules it names. Settings come in layers, the configuration first and the command line
over it: a layer with its own ``select`` starts afresh, otherwise its ``ignore`` adds to
the ignores below it (as ruff layers its settings).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from paperlink.diagnostics import Diagnostic
from paperlink.errors import PaperlinkError

__all__ = ["Selection", "matches", "unknown_codes", "unknown_hint", "require_known", "split_codes", "select_diagnostics"]

_PREFIX = re.compile(r"^PL\d{1,3}$")


def matches(code: str, prefixes: Iterable[str]) -> bool:
    """Whether ``code`` is one of ``prefixes`` or starts with one."""
    return any(code.startswith(prefix) for prefix in prefixes)


def unknown_codes(codes: Iterable[str]) -> list[str]:
    """The codes and prefixes, in order, that name no rule in ``ALL_RULES``."""
    from paperlink.rules import ALL_RULES  # rules may grow heavy; config.py reaches here lazily

    known = [rule.code for rule in ALL_RULES]
    return [code for code in codes if not _PREFIX.match(code) or not any(k.startswith(code) for k in known)]


def split_codes(text: str) -> tuple[str, ...]:
    """``"PL1, PL201"`` -> ``("PL1", "PL201")``: a comma-separated list, blanks dropped."""
    return tuple(part.strip() for part in text.split(",") if part.strip())


def unknown_hint(code: str) -> str:
    """What to say after an unknown code: the fix when it is only a matter of case."""
    if code != code.upper() and not unknown_codes([code.upper()]):
        return f"did you mean '{code.upper()}'?"
    return "`paperlink rule --all` lists the codes"


def require_known(codes: Iterable[str], where: str, error: type[PaperlinkError]) -> None:
    """Raise ``error`` naming ``where`` (a key, a flag) and the first code that names no rule."""
    for code in unknown_codes(codes):
        raise error(f"{where} has unknown rule code or prefix '{code}'; {unknown_hint(code)}")


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
