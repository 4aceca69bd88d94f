"""PL4xx: hyperparameters in code that the paper does not state, states differently, or states alone."""

from __future__ import annotations

from paperlink.diagnostics import Severity
from paperlink.rules.base import Rule

__all__ = [
    "HiddenHyperparameter",
    "HyperparameterMismatch",
    "ImplicitDefaultMismatch",
    "UnimplementedHyperparameter",
    "InconsistentHyperparameter",
]


class HiddenHyperparameter(Rule):
    """
    ## What it does
    Reports a hyperparameter written as a literal in code that is neither configurable
    (a flag, a config field, a parameter) nor linked to the paper: an optimizer argument,
    a loss weight or margin, a dropout rate, a norm epsilon, a clipping norm, a batch size,
    a moving-average decay, or the coefficient of a term added to a loss.

    Only arguments that are hyperparameters by construction are looked at (a known API's
    parameter, by qualified name and position or keyword; a term of a sum assigned to a
    `loss`; a `d * a + (1 - d) * b` update). Shapes, indices, `dim=1`, `range(10)` and print
    intervals are never sites. Values that switch a term off or are the identity of a scale
    (dropout 0, weight decay 0, `lr=1.0` under a scheduler) and values equal to the
    library's default are not reported.

    ## Why it matters
    A number the paper never states is the most common reason a re-implementation does not
    reproduce: a loss weight of 0.5 or a clipping norm buried in `train.py` changes results
    and nobody reading the paper knows it exists.

    ## Example
    ```python
    nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0)
    ```

    ## How to document it
    Make it configurable (a flag or config field), or link the statement to the paper
    (`# paper: hp:max_grad_norm`, or the equation the number belongs to). If the number is
    an implementation detail on purpose, suppress it with a reason:
    `# paperlink: ignore[PL401] numerical safety only`.

    ## Known limits
    Values built at run time (`getattr(optim, name)`, `**kwargs` forwarding) are symbolic
    and never reported. Keys of config files are configurable by nature: never PL401.
    """

    code = "PL401"
    name = "hidden-hyperparameter"
    severity = Severity.WARNING
    summary = "a hyperparameter literal is neither configurable nor linked to the paper"
    analysis = "hyperparameters"


class HyperparameterMismatch(Rule):
    """
    ## What it does
    Reports a hyperparameter whose value in code differs from the value the paper states
    for it. The code value is the literal, or the default of the flag or config field the
    argument reads (`args.lr` is followed to `add_argument("--lr", default=...)` in the
    same file). A value read from a config file (`cfg.optimizer.lr` under `@hydra.main`, a
    file in `config-files`) is that key's, reported where the config writes it; config keys
    named like hyperparameters are sites of their own.
    Each site is compared on its own with the paper's value of its name and scope, and only
    where the link is confident: an annotation names the value (on the statement, or on the
    parameter's, keyword argument's or config key's own line), or the paper gives it the
    same canonical name (`--weight-decay` and "Weight decay") for the site's scope or the
    whole paper. A loosely paired value (a name without a canonical meaning, a test file, a
    value set differently in several scripts) is listed by `paperlink hparams` as `differs`,
    not reported; so are values stated for another scope (`out-of-scope`), for a baseline or
    by cited work. A stated set (a sweep, ablation arms) matches any member.
    Numbers compare as values: `3e-4`, `0.0003` and `$3\\times10^{-4}$` are equal
    (relative tolerance 1e-6); percentages and `4k` are understood.

    ## Why it matters
    The code that produced a paper's numbers is not the code the paper describes.

    ## Example
    ```python
    parser.add_argument("--weight-decay", type=float, default=5e-4)  # paper: hp:weight_decay
    ```
    with the paper's table saying $10^{-4}$.

    ## How to document it
    Use the paper's value, or correct the paper. A deliberate difference can be suppressed
    with a reason: `# paperlink: ignore[PL402] tuned for the smaller dataset`.
    """

    code = "PL402"
    name = "hyperparameter-mismatch"
    severity = Severity.ERROR
    summary = "a hyperparameter's value in code differs from the paper's"
    analysis = "hyperparameters"


class ImplicitDefaultMismatch(Rule):
    """
    ## What it does
    Reports a call that leaves a hyperparameter at the library's default when the paper
    states a different value for it: `torch.optim.Adam(params, lr=1e-4)` keeps `eps=1e-8`
    while the paper says $\\epsilon = 1.5\\times10^{-4}$. Defaults come from a table generated
    from the installed torch's signatures (`scripts/generate_torch_defaults.py`).

    Defaults the paper does not state are not reported (every Adam would report its betas
    and every LayerNorm its epsilon); they are listed in the hyperparameter table
    (`paperlink hparams`) with source `default`.

    ## Why it matters
    Library defaults are invisible in code review, differ between libraries (TensorFlow's
    Adam uses `1e-7`), and change between versions.

    ## Example
    ```python
    optimizer = torch.optim.Adam(q_net.parameters(), lr=cfg.lr)
    ```

    ## How to document it
    Pass the paper's value explicitly (`eps=1.5e-4`).
    """

    code = "PL403"
    name = "implicit-default-mismatch"
    severity = Severity.WARNING
    summary = "a library default applies where the paper states a different value"
    analysis = "hyperparameters"


class UnimplementedHyperparameter(Rule):
    """
    ## What it does
    Reports a hyperparameter the paper states that has no site in code: no argument,
    flag, config field or config-file key with its name, and no annotation linking to it.
    Only settings the paper states outright count: a hyperparameter table's row, a
    `% paperlink: hp` directive or the config table, a manifest, or prose naming a known
    setting ("a learning rate of 0.05", "five seeds"). A symbol assignment or a count of
    something else in prose (`$d = 2048$`, "a three-layer projection MLP") is listed by
    `paperlink hparams` but not reported: most restate a value stated elsewhere or describe
    structure. Cited and baseline values are never reported.

    ## Why it matters
    A stated value that nothing sets is either implemented under a name paperlink cannot
    match, or not implemented at all (a schedule the code replaced by a constant).

    ## Example
    The paper's table gives "Initial exploration 1.0" and "Exploration steps $10^4$", while
    the code holds epsilon at its final value.

    ## How to document it
    Link the code that sets it (`# paper: hp:exploration_steps`), or mark the
    hyperparameter as not implemented here: `not-implemented = ["hp:tokens_per_batch"]`
    in `[tool.paperlink]`.

    ## Known limits
    Values set only in shell scripts or on a Hydra command line are not seen, and a run
    over a few files reports every hyperparameter those files do not set.
    """

    code = "PL404"
    name = "unimplemented-hyperparameter"
    severity = Severity.WARNING
    summary = "a hyperparameter the paper states has no site in code"
    analysis = "hyperparameters"


class InconsistentHyperparameter(Rule):
    """
    ## What it does
    Reports a hard-coded literal for a hyperparameter that the same file also declares as
    configurable with a different value: `--lr` defaults to 0.1 while an optimizer is
    built with `lr=0.01`. A key of a config file the file reads (its `@hydra.main` tree,
    or a file its reads resolve to) counts as declared.

    ## Why it matters
    Changing the flag no longer changes the run, and the configured value (the one people
    read and report) is not the one used.

    ## Example
    ```python
    parser.add_argument("--lr", type=float, default=0.1)
    ...
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    ```

    ## How to document it
    Pass the configured value (`lr=args.lr`), or remove the unused flag.

    ## Known limits
    Only literals against declarations in the same file and the config files it reads
    are compared; different values in different modules (two dropout rates in two
    models) are legitimate and not reported.
    """

    code = "PL405"
    name = "inconsistent-hyperparameter"
    severity = Severity.WARNING
    summary = "a hard-coded hyperparameter overrides a configured one with a different value"
    analysis = "hyperparameters"
