"""PL00x: Python files, notebooks, config and environment files that cannot be read.

Reported while they are read; the run goes on.
"""

from __future__ import annotations

from paperlink.diagnostics import Severity
from paperlink.rules.base import Rule

__all__ = [
    "SourceSyntaxError",
    "SourceNotDecodable",
    "CodeRulesSkipped",
    "NotebookNotReadable",
    "UnreadableConfigFile",
    "UnreadableEnvironmentFile",
]


class SourceSyntaxError(Rule):
    """
    ## What it does
    Reports a Python file that does not parse, at the position of the syntax error. In a
    Jupyter notebook it reports a code cell that does not parse (at `cell N:line`); that
    cell is left out and the rest of the notebook is checked. A file too large or too deeply
    nested to parse safely is reported the same way: over 16,000,000 characters, or (where
    Python's own parser refuses it) brackets nested more than 200 deep or more than 1,000
    operations (operators, calls, subscripts) in one statement.

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
    coding cookie, unreadable, or missing. A symbolic link leading outside the project (to a
    file or to a folder the walk would enter), a dangling link and a link loop are reported
    here too, under the link's own name, and are not read (docs/security.md).

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


class CodeRulesSkipped(Rule):
    """
    ## What it does
    Reports a file that libcst parses (so its annotations are read) but the running
    Python's own parser refuses, usually syntax newer than the interpreter (a `type`
    statement or PEP 695 generics under Python 3.11). The gradient, globals,
    hyperparameter and reproducibility rules read Python's `ast`, so they skip this file.

    ## Why it matters
    A run that silently skipped a file would claim it clean. This says which files the
    code rules did not see and why.

    ## Example
    ```python
    type Vector = list[float]  # Python 3.12 syntax, checked under Python 3.11
    ```

    ## How to document it
    Run paperlink under the Python version the code is written for.

    A Jupyter notebook whose kernel language is not Python (R, Julia) is reported the
    same way: nothing in it is checked.

    ## Known limits
    Informational: it never fails a run.
    """

    code = "PL003"
    name = "code-rules-skipped"
    severity = Severity.INFO
    summary = "a file the code rules skipped: this Python cannot parse it"


class NotebookNotReadable(Rule):
    """
    ## What it does
    Reports a `.ipynb` file that is not a Jupyter notebook paperlink can read: invalid
    JSON (at the position of the error in the file), a document without a `cells` list, a
    cell without `cell_type` or `source`, or the old nbformat 3 layout with worksheets.

    ## Why it matters
    Nothing in the notebook is checked: its annotations are not read and its code is not
    analysed. A notebook that Jupyter itself cannot open is usually a merge conflict or
    a truncated save. The other files are still checked.

    ## Example
    ```text
    {"cells": [{"cell_type": "code", "source": ["x = 1"]   <- the file ends here
    ```

    ## How to document it
    Repair the notebook (open and save it in Jupyter, or resolve the merge conflict);
    convert an nbformat 3 notebook with `jupyter nbconvert --to notebook`; or exclude the
    file in `[tool.paperlink] exclude`.
    """

    code = "PL004"
    name = "unreadable-notebook"
    severity = Severity.ERROR
    summary = "a .ipynb file that is not a notebook paperlink can read"


class UnreadableConfigFile(Rule):
    """
    ## What it does
    Reports a YAML, JSON or TOML config file that does not parse, at the line and column
    the parser gives. Config files are those `config-files` in `[tool.paperlink]` names and
    the Hydra trees the code loads (`@hydra.main(config_path=..., config_name=...)`).
    A config file that is not UTF-8 is reported as PL002.

    ## Why it matters
    The hyperparameters the file sets are not compared with the paper, and its `# paper:`
    annotations are not read. The other files are still checked.

    ## Example
    ```yaml
    optimizer:
      lr: 0.05
     momentum: 0.9
    ```

    ## How to document it
    Fix the file, or leave it out of `config-files`.

    ## Known limits
    A Hydra option file that does not exist is skipped without a report: Hydra may find
    it in a ConfigStore or through a search-path plugin.
    """

    code = "PL005"
    name = "unreadable-config-file"
    severity = Severity.ERROR
    summary = "a YAML, JSON or TOML config file that cannot be parsed"


class UnreadableEnvironmentFile(Rule):
    """
    ## What it does
    Reports an environment file (`requirements.txt`, `environment.yml`, `pyproject.toml`,
    `setup.py`, `setup.cfg`, `Pipfile`, a Dockerfile, a lock file) that cannot be read:
    invalid YAML, TOML, JSON or Python, a requirement line pip could not read, a `-r`
    include that does not exist, bytes that are not UTF-8. Reported at the problem's line
    and column; the rest of the file and the other files are still read.

    ## Why it matters
    Whatever the file pins is unknown, so PL505 may report a package the file meant to
    pin; and an environment file the tools cannot read will not install either.

    ## Example
    ```yaml
    dependencies:
      - pytorch=2.1.0
       - numpy   # invalid YAML: the list items are not aligned
    ```

    ## How to document it
    Fix the file, or suppress the line with `# paperlink: ignore[PL006] reason` where the
    format takes comments.
    """

    code = "PL006"
    name = "unreadable-environment-file"
    severity = Severity.WARNING
    summary = "an environment file that cannot be read"
    analysis = "environment"
