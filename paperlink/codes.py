"""Rule codes as written in settings, suppressions and on the command line.

A *code* (``PL101``) or a *prefix* of one (``PL1``, ``PL10``) names rules; one names no
rule when no code in ``ALL_RULES`` starts with it. A retired code (``RETIRED_CODES``) names
no rule but is not unknown either: it was valid once, and a configuration written then
must keep loading. The configuration, the command line,
``select``/``ignore`` and suppressions all read codes with these functions, so they accept
and reject the same ones. The rule registry is read only when a code is checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from paperlink.errors import PaperlinkError

__all__ = ["matches", "unknown_codes", "unknown_hint", "require_known", "split_codes"]

_PREFIX = re.compile(r"^PL\d{1,3}$")


def matches(code: str, prefixes: Iterable[str]) -> bool:
    """Whether ``code`` is one of ``prefixes`` or starts with one."""
    return any(code.startswith(prefix) for prefix in prefixes)


def unknown_codes(codes: Iterable[str]) -> list[str]:
    """The codes and prefixes, in order, that name no rule in ``ALL_RULES`` and were never retired."""
    from paperlink.rules import ALL_RULES, RETIRED_CODES  # loaded only when a code is checked

    known = [rule.code for rule in ALL_RULES]
    return [
        code
        for code in codes
        if code not in RETIRED_CODES and (not _PREFIX.match(code) or not any(k.startswith(code) for k in known))
    ]


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
