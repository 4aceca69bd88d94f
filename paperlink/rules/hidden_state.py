"""PL30x: module globals and hidden state, found by :mod:`paperlink.analysis.hidden_inputs`."""

from __future__ import annotations

from paperlink.diagnostics import Severity
from paperlink.rules.base import Rule

__all__ = ["GlobalRebinding", "GlobalMutation", "GlobalConfigRead", "LibraryEnvironmentRead", "ImportTimeWork"]


class GlobalRebinding(Rule):
    """
    ## What it does
    Reports a function that assigns a module-level name through a `global` statement, once
    per function and name, at that `global` statement; the `hidden_inputs` section lists the
    statement's span and every rebinding's.

    ## Why it matters
    The function's result now depends on how often, and in which order, it and its siblings
    were called before: state that no argument and no configuration file shows. A
    re-implementation that calls functions in another order, or a second run in the same
    process (a notebook, a sweep), computes something else than the paper's run.

    ## Example
    ```python
    step = 0

    def train_step(batch):
        global step  # PL301 train_step rebinds the module-level step through a global statement
        step += 1
    ```

    ## How to document it
    Pass the state in and return it, or keep it in an object. When the global is intended,
    write `# paperlink: global <reason>` on the module-level binding (covers every function)
    or on the assignment. Lazy initialisation (`if _cache is None: _cache = build()`, or
    `if not _cache:`) is not reported: the value is the same whatever the order of calls.

    ## Known limits
    `nonlocal` is not reported: a closure's variable lives in one call of the enclosing
    function, not in the module. Names are resolved by CPython's `symtable`, so a local of
    the same name is never confused with the global.
    """

    code = "PL301"
    name = "global-rebinding"
    severity = Severity.WARNING
    summary = "a function rebinds a module-level name through a global statement"
    analysis = "hidden_inputs"


class GlobalMutation(Rule):
    """
    ## What it does
    Reports a function that mutates a module-level dict, list, set, tensor, array, object
    or configuration in place: `cache[k] = v`, `del cache[k]`, `history.append(x)`,
    `stats.update(...)`, `buffer.zero_()`, `args.lr = 0.1`, `setattr(cfg, ...)`, and a
    model, optimizer, scheduler, environment or meter built at module level and changed
    through its state methods: `model.train()`, `model.eval()`, `optimizer.step()`,
    `opt.zero_grad()`, `scheduler.step()`, `encoder.load_state_dict(...)`, `env.step(a)`,
    `env.reset()`, Keras' `optimizer.apply_gradients(...)` and `metric.update_state(...)`.
    One diagnostic per function and global, at the first mutation, listing the operations.

    ## Why it matters
    Mutated module state is an input every later call reads without declaring it: a run
    that evaluates after training, or a sweep that trains twice in one process, sees the
    first run's leftovers. Rewriting `args.lr` inside a function also means the printed or
    saved configuration is not the one that ran.

    ## Example
    ```python
    history = []
    model = GPT(config)

    def log_loss(loss):
        history.append(loss)  # PL302

    @torch.no_grad()
    def estimate_loss():
        model.eval()  # PL302 estimate_loss mutates the module-level model (model.eval(), model.train())
        ...
        model.train()
    ```

    ## How to document it
    Keep the state in an object passed around, or write `# paperlink: global <reason>` on
    the module-level binding or on the mutating statement.

    Not reported: registries filled at import (a function used as a decorator, or called at
    module level, anywhere in the project, including the nested function of a decorator
    factory; a function changing an object through its state methods is never one), class
    attributes, loggers, progress bars, `__all__`, mutations done at module level, and
    reading an object without changing it (`model(x)`, `q_network.apply(params, x)`, and
    `optimizer.update(grads, state)` whose result is used: optax's functions are pure).

    ## Known limits
    Method calls on objects are read as mutations for container methods (`append`,
    `update`, `add`, ...), the state methods above and, on tensors, arrays and objects,
    in-place methods ending in `_`; other methods that change an object (`model.cuda()`,
    `model.to(device)`, which copy a tensor but change a module) are not seen. An object
    reached through another name (`h = history; h.append(x)`) is not followed.
    """

    code = "PL302"
    name = "global-mutation"
    severity = Severity.WARNING
    summary = "a function mutates a module-level mutable object in place"
    analysis = "hidden_inputs"


class GlobalConfigRead(Rule):
    """
    ## What it does
    Reports a function that reads module-level configuration instead of receiving it as a
    parameter: one diagnostic per function, at its first read, naming every value it reads
    and the attributes read of each: `train_one_epoch reads the module-level args
    (args.device)`, `get_lr reads the module-level warmup_iters, learning_rate,
    lr_decay_iters and min_lr`. Module-level configuration is:

    * a name bound from `parse_args()` / `parse_known_args()`, `argparse.ArgumentParser()`,
      `yaml.safe_load`, `json.load`, `OmegaConf.load` / `create`, `toml` / `tomllib`,
      `tyro.cli`, `os.environ`, absl's `FLAGS` and `flags.DEFINE_*` holders, ml_collections'
      `config_flags.DEFINE_config_*`, an instance of a class whose name ends in `Config`, `Args`,
      `Options`, `Settings`, `Params` or `CfgNode`, a function of the module that returns
      one of these, a function named for configuration (`get_args()`, `load_config(path)`,
      imported or not), or a dict literal named as configuration (`config`, `cfg`, `args`,
      `hparams`, `*_config`, ...);
    * a script's config block: literals (`n_embd = 384`) above a statement that overrides
      the module's globals at run time (`exec(open(configurator).read())`,
      `globals().update(...)`, `globals()[k] = v`), or rebound at module level from parsed
      arguments (`batch_size = args.batch_size`);
    * a value derived from configuration at module level, through attribute and item reads,
      tuples, arithmetic, comparisons, conditional expressions, f-strings, methods of the
      configuration and pure conversions (`img_shape = (opt.channels, opt.img_size,
      opt.img_size)`, `latent = int(cfg.latent)`, `data_dir = os.path.join("data",
      dataset)`), a literal chosen by a module-level `if` on configuration (`if opt.dataset
      == "mnist": nc = 1`), and what the machine offers (`cuda = torch.cuda.is_available()`,
      `Tensor = torch.cuda.FloatTensor if cuda else torch.FloatTensor`);
    * in a script, a filesystem location written at the top (`dir_img = Path("./data/imgs/")`).

    ## Why it matters
    The function's behaviour depends on a value its signature does not show, so calling it
    from an evaluation script, a test or a re-implementation silently uses whatever the
    module parsed at import (often the command line of another program). Reviewers
    comparing code with the paper's hyperparameters cannot see which ones it uses.

    ## Example
    ```python
    args = parser.parse_args()
    img_shape = (args.channels, args.img_size, args.img_size)

    def train_one_epoch(model, loader):
        for x in loader:
            x = x.to(args.device)  # PL303 train_one_epoch reads the module-level args (args.device)

    class Generator(nn.Module):
        def forward(self, z):
            return self.model(z).view(z.shape[0], *img_shape)  # PL303 Generator.forward reads the module-level img_shape
    ```

    ## How to document it
    Pass the configuration (or the values) as parameters. When reading it is intended,
    write `# paperlink: global <reason>` on the module-level binding or on the reading
    statement. Code at module level and in the `if __name__ == "__main__":` block is not
    reported (functions defined in the main block are); nor are constants that nothing
    overrides, objects chosen by configuration (`raw_model = model.module if ddp else
    model`), parameters and closure variables.

    ## Known limits
    A configuration imported from another module (`from config import cfg`) is not
    followed across files, nor through a function's return value other than the module's
    own configuration producers.
    """

    code = "PL303"
    name = "global-config-read"
    severity = Severity.WARNING
    summary = "a function reads a module-level configuration object instead of a parameter"
    analysis = "hidden_inputs"


class LibraryEnvironmentRead(Rule):
    """
    ## What it does
    Reports an environment variable read (`os.environ[...]`, `os.environ.get`,
    `os.getenv`, `"X" in os.environ`) in library code, with the variable's name.

    Library code is every module other project modules import, and every module without
    an `if __name__ == "__main__":` block. Entry code is not reported: the main block,
    functions it calls by name, click / typer / hydra / fire commands, whole scripts that
    no module imports, `__main__.py`, `setup.py`, `conftest.py` and test files.

    ## Why it matters
    An environment variable is a configuration value nobody records: two runs of the same
    command with the same config file differ when the shell differs, and the paper's
    numbers cannot be reproduced from the config alone.

    ## Example
    ```python
    def build_model():
        depth = int(os.environ.get("MODEL_DEPTH", 12))  # PL304
    ```

    ## How to document it
    Read the variable in entry code and pass the value down, or write
    `# paperlink: env <reason>` on the statement (for example the `LOCAL_RANK` contract of
    `torchrun`). Every read, reported or not, is listed in the `env_vars` of the JSON
    `hidden_inputs` section.
    """

    code = "PL304"
    name = "library-env-read"
    severity = Severity.WARNING
    summary = "library or model code reads an environment variable"
    analysis = "hidden_inputs"


class ImportTimeWork(Rule):
    """
    ## What it does
    Reports work done at import time in a module that other project modules import:
    parsing the command line (`parse_args()`), reading files (`open`, `json.load`,
    `torch.load`, `np.load`, `Path.read_text`...), the network (`requests`, `urlopen`,
    `torch.hub`, `from_pretrained`), CUDA or distributed initialisation
    (`torch.cuda.set_device`, `.cuda()`, `init_process_group`) and subprocesses. The
    message names the importing modules.

    ## Why it matters
    Importing the module for one function runs all of that: an evaluation script that
    imports a helper from `train.py` parses its own command line with the training parser,
    and a test that imports a model downloads weights. What the importer computes then
    depends on files and flags it never mentions.

    ## Example
    ```python
    # config.py, imported by train.py and eval.py
    args = parser.parse_args()  # PL305 parses the command line (parse_args()) at import time; imported by eval, train
    ```

    ## How to document it
    Move the work into a function called from the entry point, or under
    `if __name__ == "__main__":`. When import-time work is intended, write
    `# paperlink: import-time <reason>` on the statement.

    ## Known limits
    Imports are resolved among the checked files only; code in function bodies and in
    the main block never counts as import-time work.
    """

    code = "PL305"
    name = "import-time-work"
    severity = Severity.WARNING
    summary = "an imported module parses arguments, reads files, uses the network or CUDA at import"
    analysis = "hidden_inputs"
