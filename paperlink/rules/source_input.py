"""PL00x: Python files that cannot be read. Reported while sources are read; the run goes on."""

from __future__ import annotations

from paperlink.diagnostics import Severity
from paperlink.rules.base import Rule

__all__ = ["SourceSyntaxError", "SourceNotDecodable"]


class SourceSyntaxError(Rule):
    """
    ## What it does
    Reports a Python file that does not parse, at the position of the syntax error.

    ## Why it matters
    Nothing in the file can be checked: its annotations are not read, so paper items it
    implements look unimplemented. The other files are still checked.

    ## Example
    ```python
    def loss(p, z:
        return -(p * z).sum()
    ```

    ## How to document it
    Fix the syntax error, or exclude the file in `[tool.paperlink] exclude`.
    """

    code = "PL001"
    name = "syntax-error"
    severity = Severity.ERROR
    summary = "a Python file that cannot be parsed"


class SourceNotDecodable(Rule):
    """
    ## What it does
    Reports a Python file that cannot be read or decoded: not UTF-8 and without a PEP 263
    coding cookie, unreadable, or missing.

    ## Why it matters
    The file is skipped, so its annotations and rule checks are missing from the run.

    ## Example
    A file saved as Latin-1 containing `# température` and no `# -*- coding: latin-1 -*-`.

    ## How to document it
    Save the file as UTF-8, or declare its encoding on the first or second line.
    """

    code = "PL002"
    name = "undecodable-source"
    severity = Severity.ERROR
    summary = "a Python file that cannot be read or decoded"
