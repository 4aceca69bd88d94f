"""PL112-PL113: suppression comments that do nothing or cannot be read.

Reported by :func:`paperlink.suppressions.apply_suppressions`; no suppression silences them.
"""

from __future__ import annotations

from paperlink.diagnostics import Severity
from paperlink.rules.base import Rule

__all__ = ["UnusedSuppression", "UnknownSuppressionCode"]


class UnusedSuppression(Rule):
    """
    ## What it does
    Reports a suppression comment (`# paperlink: ignore[...]` or
    `# paperlink: ignore-file[...]`) that suppressed nothing in this run: no diagnostic
    with its codes was reported on the lines it covers (or, for `ignore-file`, anywhere in
    the file). For a suppression that lists several codes, the message names the unused
    ones.

    ## Why it matters
    A suppression outlives the problem it hid: once the reference is fixed or the code
    moves, the stale comment stays and would silently hide the next, different problem on
    that line.

    ## Example
    ```python
    # paper: eq:loss  # paperlink: ignore[PL101]   <- eq:loss exists: nothing to suppress
    def loss(p, z): ...
    ```

    ## How to document it
    Delete the suppression, or remove the unused codes from its list.

    ## Known limits
    Whether a suppression is used does not depend on `--select`/`--ignore`: suppressions
    are applied to every diagnostic first, and the selection filters afterwards. PL112 and
    PL113 cannot be suppressed; `ignore = ["PL112"]` in the configuration turns PL112 off.
    """

    code = "PL112"
    name = "unused-suppression"
    severity = Severity.WARNING
    summary = "a suppression comment that suppressed nothing"


class UnknownSuppressionCode(Rule):
    """
    ## What it does
    Reports a suppression comment that names a code or prefix matching no rule
    (`ignore[PL999]`, `ignore[pl101]`, `ignore[E501]`), or that cannot be read at all
    (`ignore[]`, `ignore[PL101` without its closing bracket, `ignore:PL101`).

    ## Why it matters
    The suppression does not suppress what its author meant to, and a typo in a code
    would otherwise pass unnoticed.

    ## Example
    ```python
    loss = d(p, z)  # paper: eq:loss  # paperlink: ignore[PL1O1]
    ```

    ## How to document it
    Write the code as `paperlink rule --all` lists it (`PL101`), or a prefix of one
    (`PL1`, `PL10`), separated by commas inside square brackets. The grammar is in
    docs/suppressions.md.
    """

    code = "PL113"
    name = "unknown-suppression-code"
    severity = Severity.ERROR
    summary = "a suppression comment that names no rule or cannot be read"
