"""PL1xx: links between code and paper that are broken, unclear, or missing."""

from __future__ import annotations

from paperlink.diagnostics import Severity
from paperlink.rules.base import Rule

__all__ = [
    "UnknownReference",
    "MalformedAnnotation",
    "UnknownPaper",
    "AmbiguousReference",
    "UnimplementedItem",
    "StaleLink",
]


class UnknownReference(Rule):
    """
    ## What it does
    Reports an annotation that names a paper item the paper does not have: a label that is
    not defined, or a printed number no item carries. It suggests the closest label or
    number.

    ## Why it matters
    A link to nothing documents nothing, and usually means the paper was renumbered or a
    label was mistyped after the code was written.

    ## Example
    ```python
    loss = D(p1, z2) / 2 + D(p2, z1) / 2  # paper: eq:symmetric_los
    ```

    ## How to document it
    Correct the reference (`paperlink paper show` lists every label and number).
    """

    code = "PL101"
    name = "unknown-reference"
    severity = Severity.ERROR
    summary = "an annotation names a paper item that does not exist"


class MalformedAnnotation(Rule):
    """
    ## What it does
    Reports an annotation paperlink cannot read: an unknown keyword (`Eqn 3`), a keyword
    without a number (`Eq.`), an empty reference, or `implements(...)` called with
    anything but string literals.

    ## Why it matters
    The annotation links nothing, silently.

    ## Example
    ```python
    # paper: Eqn 3
    def loss(p, z): ...
    ```

    ## How to document it
    Use the grammar in docs/annotations.md: a label (`eq:loss`), or `Eq. 3`, `Sec. 3.2`,
    `Alg. 1 line 4`, `Table 2`, `Appendix A.1`, `hp:learning_rate`.
    """

    code = "PL102"
    name = "malformed-annotation"
    severity = Severity.ERROR
    summary = "an annotation that cannot be read"


class UnknownPaper(Rule):
    """
    ## What it does
    Reports an annotation that names a paper (`# paper[simclr]: Eq. 1`,
    `implements(..., paper="simclr")`) that the configuration does not list.

    ## Why it matters
    The references cannot be checked against anything.

    ## Example
    ```python
    # paper[simclr]: Eq. 1
    ```

    ## How to document it
    Add the paper to `[tool.paperlink] papers`, or correct the name.
    """

    code = "PL103"
    name = "unknown-paper"
    severity = Severity.ERROR
    summary = "an annotation names a paper that is not configured"


class AmbiguousReference(Rule):
    """
    ## What it does
    Reports a reference by printed number that matches several paper items, for example
    two equations tagged `(*)`.

    ## Why it matters
    Readers and paperlink cannot tell which item the code implements.

    ## Example
    ```python
    # paper: Eq. (*)
    ```

    ## How to document it
    Refer to the item by its `\\label` instead.
    """

    code = "PL104"
    name = "ambiguous-reference"
    summary = "a reference that matches several paper items"


class UnimplementedItem(Rule):
    """
    ## What it does
    Reports a numbered equation or algorithm of the paper that no annotation links to
    (coverage). Items linked through a part count: a `subequations` parent is covered when
    one of its rows is, an algorithm when one of its lines is.

    ## Why it matters
    An equation with no code is either not implemented or implemented without saying
    where; both are what a reviewer needs to know.

    ## Example
    The paper's Eq. (6), `eq:cosine`, with no `# paper: Eq. 6` or `eq:cosine` anywhere in
    the code.

    ## How to document it
    Link the code that implements it. When leaving it out is deliberate, say so in the
    paper with a comment on the line of its `\\label`,
    `% paperlink: not-implemented <reason>`, or list the label under
    `[tool.paperlink] not-implemented`. Exempt items count as exempt in coverage.

    ## Options
    `coverage` (default `["equation", "algorithm"]`) chooses the item kinds checked.
    """

    code = "PL110"
    name = "unimplemented-item"
    summary = "a paper equation or algorithm that no code links to"


class StaleLink(Rule):
    """
    ## What it does
    Reports a link whose paper item or bound code changed since `paperlink.lock` was
    written, saying which side changed (and the item's old number when it was renumbered).
    Formatting, comments and annotations do not count as a change of the code; whitespace
    does not count in the paper. Also reports a printed number (`Eq. 3`) that names another
    item than when the lock was written, or none, with the new number of the item it named
    then; `check --fix` rewrites such a reference (`Eq. 3` -> `Eq. 4`).

    ## Why it matters
    A link is a claim that this code implements that equation. When either side is edited
    the claim may no longer hold, and nobody notices unless something asks.

    ## Example
    The paper's loss gains a weight, `\\mathcal{L} = \\lambda D(p_1, z_2) + ...`, while
    `# paper: eq:loss` still sits on the old code.

    ## How to document it
    Review the code against the item, then accept the current state with
    `paperlink lock --update` and commit `paperlink.lock`. For a renumbered reference, run
    `paperlink check --fix` (or write the new number) and commit the code and the lock.
    """

    code = "PL111"
    name = "stale-link"
    summary = "a link whose paper item or code changed since paperlink.lock"
