"""PL50x: reproducibility, found by :mod:`paperlink.analysis.hidden_inputs`."""

from __future__ import annotations

from paperlink.diagnostics import Severity
from paperlink.rules.base import Rule

__all__ = ["UnseededRandomness", "UndocumentedNondeterminism", "HardCodedSeed", "ResultsWithoutConfig"]


class UnseededRandomness(Rule):
    """
    ## What it does
    Reports draws from a global random generator (`torch.rand*`, `torch.randperm`,
    `torch.nn.init.*`, `tensor.normal_()`, `np.random.*`, `random.*`, CUDA draws with
    `device="cuda"`) in a module that an entry point reaches by imports without any seed
    for that generator: no `torch.manual_seed` / `np.random.seed` / `random.seed` (or
    `seed_everything`, `transformers.set_seed`) in any module on an import path from an
    entry point to the draw. One diagnostic per file and generator, at the first draw.

    Also reports a `DataLoader` that shuffles (`shuffle` not literally `False`) in worker
    processes (`num_workers` not literally 0) without `worker_init_fn` or `generator`.

    Entry points are the scripts (`if __name__ == "__main__":`, `__main__.py`); in a
    project without any, the modules no other module imports.

    ## Why it matters
    Unseeded draws make initialisation, data order, augmentation and exploration differ
    from run to run, so a reported number cannot be reproduced, and differences between
    two variants may be noise. PyTorch's reproducibility notes ask for seeding every
    generator and seeding data-loader workers through `worker_init_fn` and a `generator`.

    ## Example
    ```python
    def sample(self, batch_size):
        return np.random.randint(0, self.size, size=batch_size)  # PL501, nobody seeds numpy
    ```

    ## How to document it
    Seed every generator in the entry point from a configurable value, or pass an explicit
    `generator=` / `np.random.default_rng(seed)`. When the draw is meant to be unseeded,
    write `# paperlink: seed <reason>` on it.

    ## Known limits
    "On an import path" is an over-approximation of "runs after the seed": a seed set in a
    module the entry point imports counts even when the call that sets it comes later.
    Implicit draws (dropout, `nn.Linear`'s default initialisation) are not listed; test
    files are not checked.
    """

    code = "PL501"
    name = "unseeded-randomness"
    severity = Severity.WARNING
    summary = "randomness used with no seed set on any import path to it"
    analysis = "hidden_inputs"


class UndocumentedNondeterminism(Rule):
    """
    ## What it does
    Reports settings that make GPU results nondeterministic, unless documented:
    `torch.backends.cudnn.benchmark = True`, `torch.backends.cudnn.deterministic = False`
    and `torch.use_deterministic_algorithms(False)`. As information (severity info), it
    notes atomic-accumulation operations that are nondeterministic on CUDA:
    `scatter_add_`, `index_add_`, `scatter_reduce`, `index_reduce_`, and
    `index_put_`/`put_` with `accumulate=True`.

    ## Why it matters
    cuDNN's benchmark mode picks convolution algorithms by timing, and atomic additions
    sum in arbitrary order, so two runs with the same seed differ in the last bits and,
    through training, in the final numbers. A paper reporting a difference smaller than
    that run-to-run spread needs to say so.

    ## Example
    ```python
    torch.backends.cudnn.benchmark = True  # PL502
    ```

    ## How to document it
    Write `# paperlink: nondeterministic <reason>` on the statement, for example
    `# paperlink: nondeterministic speed; seeds vary by 0.1 top-1`. Settings computed from
    configuration (`cudnn.benchmark = args.benchmark`) are not reported; every setting is
    listed in the `nondeterminism` list of the JSON `hidden_inputs` section.
    """

    code = "PL502"
    name = "undocumented-nondeterminism"
    severity = Severity.WARNING
    other_severities = (Severity.INFO,)  # the atomic-accumulation operations: information
    summary = "a nondeterministic GPU setting or operation without documentation"
    analysis = "hidden_inputs"


class HardCodedSeed(Rule):
    """
    ## What it does
    Reports a seed written as a literal, directly or through a module constant
    (`SEED = 42; torch.manual_seed(SEED)`), for global seeders and generator objects
    (`np.random.default_rng(0)`, `random.Random(0)`, `torch.Generator().manual_seed(0)`,
    `jax.random.PRNGKey(0)`), and a literal passed to a project function that seeds from
    that parameter (`set_seed(42)` with `def set_seed(seed): torch.manual_seed(seed)`, in
    any file of the project).

    ## Why it matters
    A result from one seed says little about the method; reporting a mean over seeds needs
    the seed to be a recorded, configurable value. A hard-coded seed is also easy to miss
    when the configuration is archived with the results.

    ## Example
    ```python
    torch.manual_seed(0)  # PL503
    ```

    ## How to document it
    Take the seed from a parameter or the configuration (`torch.manual_seed(cfg.seed)`),
    or write `# paperlink: seed <reason>` on the call when a fixed value is intended.

    ## Known limits
    A literal reaching the seed through a local variable, or through more than one helper
    function, is not followed.
    """

    code = "PL503"
    name = "hard-coded-seed"
    severity = Severity.WARNING
    summary = "a seed value written in the code instead of configured"
    analysis = "hidden_inputs"


class ResultsWithoutConfig(Rule):
    """
    ## What it does
    Reports results and checkpoints written with `torch.save`, `np.save` / `savez` /
    `savetxt`, `json.dump` or `pickle.dump` when the saved object holds no configuration
    (nothing named `args`, `cfg`, `config`, `hparams`...) and no code in the project
    records the configuration (dumps it to JSON/YAML, `OmegaConf.save`, `wandb.init(config=)`,
    `add_hparams`, `save_hyperparameters`, ...).

    ## Why it matters
    A checkpoint or result file without the configuration that produced it cannot be
    matched to a row of the paper's tables later; re-running it means guessing flags.

    ## Example
    ```python
    torch.save(model.state_dict(), "model.pt")  # PL504, and the args are saved nowhere
    ```

    ## How to document it
    Save the configuration with the result (`torch.save({"model": ..., "args": vars(args)}, path)`)
    or once per run, or write `# paperlink: results <reason>` on the call.

    ## Known limits
    Best effort and informational: configuration is recognised by its spelling, and a
    configuration recorded by a launcher outside the project is not seen.
    """

    code = "PL504"
    name = "results-without-config"
    severity = Severity.INFO
    summary = "results or checkpoints written without the configuration that produced them"
    analysis = "hidden_inputs"
