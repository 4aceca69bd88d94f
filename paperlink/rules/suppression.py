"""PL112-PL114: directive comments that do nothing or cannot be read.

PL112 and PL113 are reported by :func:`paperlink.suppressions.apply_suppressions`, PL114
by :mod:`paperlink.source.near_misses`.
"""

from __future__ import annotations

from paperlink.diagnostics import Severity
from paperlink.rules.base import Rule

__all__ = ["UnusedSuppression", "UnknownSuppressionCode", "MalformedDirective"]


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


class MalformedDirective(Rule):
    """
    ## What it does
    Reports a `# paperlink:` comment whose directive paperlink does not know (a typo such
    as `stopgrad` or `ignroe[PL201]`), one written without its colon
    (`# paperlink ignore[PL201]`), and a justification written without the reason it
    requires (`# paperlink: stop-grad` with nothing after it). The message gives the
    correct spelling.

    ## Why it matters
    A directive paperlink cannot read does nothing: the diagnostic it was meant to
    suppress or justify is reported anyway, or, worse, a justification with no reason
    tells the next reader nothing about why the code departs from the paper.

    ## Example
    ```python
    z = z.detach()  # paperlink: stopgrad target branch, Sec. 3.2
    h = h.detach()  # paperlink: stop-grad
    ```

    ## How to document it
    Spell the directive as the message says: `ignore[CODES]`, `ignore-file[CODES]`,
    `stop-grad`, `global`, `env`, `import-time`, `seed`, `nondeterministic` or `results`,
    each but the suppressions followed by its reason (docs/suppressions.md,
    docs/gradients.md, docs/hidden-inputs.md).

    ## Known limits
    Only comments holding the word `paperlink` are read; a typo in that word itself
    (`# paperlnk: ignore`) is not found.
    """

    code = "PL114"
    name = "malformed-directive"
    severity = Severity.WARNING
    summary = "a # paperlink: directive that cannot be read or lacks its reason"
