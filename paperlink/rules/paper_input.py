"""PL01x: problems in the paper's source. They are reported while the paper is read."""

from __future__ import annotations

from paperlink.diagnostics import Severity
from paperlink.rules.base import Rule

__all__ = [
    "PaperFileMissing",
    "IncludeCycle",
    "IncludeOutsidePaper",
    "MalformedLatex",
    "PaperNotUtf8",
    "NumberingUnknown",
    "DuplicateLabel",
    "ConflictingHyperparameter",
    "DroppedLabel",
]


class PaperFileMissing(Rule):
    """
    ## What it does
    Reports an `\\input`, `\\include`, `\\subfile` or `\\import` whose file cannot be found
    or read, relative to the main file's folder (or the `\\import` folder), as TeX looks.

    ## Why it matters
    Everything in the missing file (its sections, equations and labels) is absent from the
    paper model, so links to it cannot resolve and numbers after it may be off.

    ## Example
    ```latex
    \\input{sections/method}   % sections/method.tex does not exist
    ```

    ## How to document it
    Add the file, fix the path, or remove the `\\input`. There is nothing to suppress: a
    paper that does not compile cannot be linked against.
    """

    code = "PL010"
    name = "paper-file-missing"
    summary = "an included LaTeX file cannot be found or read"


class IncludeCycle(Rule):
    """
    ## What it does
    Reports a file that (directly or through other files) includes itself, and include
    chains nested more than 32 deep.

    ## Why it matters
    TeX would loop until it runs out of memory; paperlink reads the file once and stops.

    ## Example
    ```latex
    % a.tex
    \\input{b}
    % b.tex
    \\input{a}
    ```

    ## How to document it
    Remove the include that closes the cycle.
    """

    code = "PL011"
    name = "include-cycle"
    summary = "a LaTeX file includes itself"


class IncludeOutsidePaper(Rule):
    """
    ## What it does
    Reports an include whose path leaves the folder of the paper's main file
    (`\\input{../../notes}`, an absolute path, a symbolic link pointing outside).

    ## Why it matters
    A paper folder should be self-contained so that anyone can rebuild it; reading files
    from elsewhere also makes results depend on the machine. The file is not read.

    ## Example
    ```latex
    \\input{/home/me/macros.tex}
    ```

    ## How to document it
    Copy the file into the paper folder and include it from there.
    """

    code = "PL012"
    name = "include-outside-paper"
    summary = "an included LaTeX file lies outside the paper's folder"


class MalformedLatex(Rule):
    """
    ## What it does
    Reports LaTeX that cannot be parsed as written: unbalanced braces, an environment that
    is never closed, a definition or macro call whose arguments are missing.

    ## Why it matters
    paperlink reads on past the problem, but the items around it may be missing or
    numbered differently from the PDF.

    ## Example
    ```latex
    \\begin{equation}
      a = b
    \\end{align}
    ```

    ## How to document it
    Fix the source so that it compiles with pdflatex.
    """

    code = "PL013"
    name = "malformed-latex"
    summary = "LaTeX source that cannot be parsed as written"


class PaperNotUtf8(Rule):
    """
    ## What it does
    Reports a paper file that is not valid UTF-8. It is read as Latin-1 instead.

    ## Why it matters
    Labels or titles with non-ASCII characters may then be read wrongly, and links to
    them will not match what you type in code.

    ## Example
    A `.tex` file saved as Windows-1252 with `\\label{eq:régularisation}`.

    ## How to document it
    Save the file as UTF-8.
    """

    code = "PL014"
    name = "paper-not-utf8"
    summary = "a paper file that is not valid UTF-8"


class NumberingUnknown(Rule):
    """
    ## What it does
    Says where paperlink cannot know a printed number statically: a document class whose
    counters it does not model, a `\\the<counter>` definition it cannot evaluate,
    `\\setcounter` with a computed value, algorithm2e line numbers. The paper model marks
    the affected items as limitations instead of guessing.

    ## Why it matters
    Links by printed number (`# paper: Eq. 3`) to the affected items may not resolve;
    links by label always do.

    ## Example
    ```latex
    \\documentclass{revtex4-2}
    ```

    ## How to document it
    Link by `\\label` for the affected items, or describe the paper with a YAML manifest.
    """

    code = "PL015"
    name = "numbering-unknown"
    severity = Severity.INFO
    summary = "a printed number paperlink cannot know statically"


class DuplicateLabel(Rule):
    """
    ## What it does
    Reports a `\\label` key defined twice.

    ## Why it matters
    LaTeX warns "multiply defined" and `\\ref` shows the last definition; a link in code
    to that label is ambiguous.

    ## Example
    ```latex
    \\begin{equation}\\label{eq:loss} ... \\end{equation}
    \\begin{equation}\\label{eq:loss} ... \\end{equation}
    ```

    ## How to document it
    Rename one of the labels.
    """

    code = "PL016"
    name = "duplicate-label"
    summary = "a label defined more than once"


class ConflictingHyperparameter(Rule):
    """
    ## What it does
    Reports a hyperparameter that the paper states twice with different values, for
    example a learning rate of 0.05 in the text and 0.1 in the table.

    ## Why it matters
    Readers cannot tell which value produced the results, and code checked against the
    paper is checked against the first value.

    ## Example
    ```latex
    We use a learning rate of 0.05. ...
    Learning rate & 0.1 \\\\
    ```

    ## How to document it
    Make the paper consistent, or name the two settings differently (e.g. "warm-up
    learning rate").
    """

    code = "PL017"
    name = "conflicting-hyperparameter"
    severity = Severity.INFO
    summary = "the paper states one hyperparameter with two values"


class DroppedLabel(Rule):
    """
    ## What it does
    Reports a `\\label` on a row of `align` (or `align*`, `alignat`, `flalign`) that has
    no number and no later numbered row in the same display. amsmath silently drops
    such a label: it never reaches the `.aux` file.

    ## Why it matters
    `\\ref` to the label prints `??`, and code cannot link to it.

    ## Example
    ```latex
    \\begin{align}
      a &= b \\notag \\label{eq:ab}
    \\end{align}
    ```

    ## How to document it
    Move the label to a numbered row, or remove `\\notag`.
    """

    code = "PL018"
    name = "dropped-label"
    summary = "a label on a row without a number, which LaTeX drops"
