"""PL501-PL504 facts: seeds, uses of global random number generators, nondeterministic
settings and results written to disk, one file at a time.

Everything is recognised by qualified name (``import numpy as np; np.random.seed`` is
``numpy.random.seed``), except the tensor methods whose receiver a static reader cannot
know (``w.normal_()``, ``x.index_add_()``, ``torch.Generator().manual_seed(0)``), which are
read by method name.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any, Literal, cast

from paperlink.analysis.code_walk import CodeWalk, Site
from paperlink.analysis.hidden_state import documented
from paperlink.analysis.module_state import Binding, config_named
from paperlink.source.code import CodeModule
from paperlink.spans import Span

__all__ = [
    "SeedCall",
    "RandomUse",
    "Setting",
    "SavedResult",
    "SeedHelper",
    "LiteralCall",
    "ReproFacts",
    "scan_reproducibility",
]

_ALL = ("torch", "torch.cuda", "numpy", "random")
_GLOBAL_SEEDERS: dict[str, tuple[str, ...]] = {
    "torch.manual_seed": ("torch", "torch.cuda"),
    "torch.random.manual_seed": ("torch", "torch.cuda"),
    "torch.cuda.manual_seed": ("torch.cuda",),
    "torch.cuda.manual_seed_all": ("torch.cuda",),
    "numpy.random.seed": ("numpy",),
    "random.seed": ("random",),
    "transformers.set_seed": _ALL,
    "accelerate.utils.set_seed": _ALL,
    "lightning.seed_everything": _ALL,
    "pytorch_lightning.seed_everything": _ALL,
    "lightning.pytorch.seed_everything": _ALL,
    "lightning_fabric.seed_everything": _ALL,
    "lightning.fabric.seed_everything": _ALL,
    "tensorflow.random.set_seed": ("tensorflow",),
}
_GENERATORS = {  # seeded generator objects: they do not seed the global state
    "numpy.random.default_rng": "numpy",
    "numpy.random.RandomState": "numpy",
    "random.Random": "random",
    "jax.random.PRNGKey": "jax",
    "jax.random.key": "jax",
}
_RANDOM_FUNCTIONS = frozenset(
    {
        "random",
        "randint",
        "randrange",
        "choice",
        "choices",
        "shuffle",
        "sample",
        "uniform",
        "gauss",
        "normalvariate",
        "lognormvariate",
        "expovariate",
        "vonmisesvariate",
        "gammavariate",
        "betavariate",
        "paretovariate",
        "weibullvariate",
        "triangular",
        "getrandbits",
        "randbytes",
        "binomialvariate",
    }
)
_NUMPY_NOT_DRAWS = frozenset(
    {
        "seed",
        "get_state",
        "set_state",
        "Generator",
        "SeedSequence",
        "PCG64",
        "PCG64DXSM",
        "MT19937",
        "Philox",
        "SFC64",
        "BitGenerator",
        "bit_generator",
        "default_rng",
        "RandomState",
    }
)
_TORCH_DRAWS = frozenset(
    {
        "torch.rand",
        "torch.rand_like",
        "torch.randn",
        "torch.randn_like",
        "torch.randint",
        "torch.randint_like",
        "torch.randperm",
        "torch.normal",
        "torch.bernoulli",
        "torch.multinomial",
        "torch.poisson",
        "torch.utils.data.random_split",
        "torch.utils.data.RandomSampler",
    }
)
_INIT_NOT_DRAWS = frozenset({"calculate_gain", "constant_", "zeros_", "ones_", "eye_", "dirac_"})
_TENSOR_DRAWS = frozenset(
    {"normal_", "uniform_", "random_", "bernoulli_", "exponential_", "geometric_", "cauchy_", "log_normal_"}
)
_LOADERS = frozenset({"torch.utils.data.DataLoader", "torch.utils.data.dataloader.DataLoader"})
_SCATTERS = frozenset(
    {"scatter_add_", "scatter_add", "index_add_", "index_add", "scatter_reduce", "scatter_reduce_", "index_reduce_"}
)
_ACCUMULATING = frozenset({"index_put_", "index_put", "put_"})
_SAVES = frozenset(
    {"torch.save", "numpy.save", "numpy.savez", "numpy.savez_compressed", "numpy.savetxt", "json.dump", "pickle.dump"}
)
_ARRAY_SAVES = frozenset({"torch.save", "numpy.save", "numpy.savez", "numpy.savez_compressed", "numpy.savetxt"})
_NUMERICAL = frozenset({"torch", "numpy", "jax", "tensorflow", "sklearn", "pandas", "scipy"})
_CONFIG_DUMPS = frozenset(
    {
        "json.dump",
        "yaml.dump",
        "yaml.safe_dump",
        "omegaconf.OmegaConf.save",
        "toml.dump",
        "pickle.dump",
        "torch.save",
        "shutil.copy",
        "shutil.copyfile",
        "shutil.copy2",
    }
)
_CONFIG_LOGGERS = frozenset({"wandb.config.update", "mlflow.log_params", "mlflow.log_param"})
# calls into these never reach a project's seed helper; skipping them keeps the facts small
_LIBRARY_ROOTS = frozenset(
    {
        "builtins",
        "torch",
        "numpy",
        "jax",
        "tensorflow",
        "math",
        "random",
        "os",
        "sys",
        "re",
        "collections",
        "itertools",
        "functools",
        "typing",
        "einops",
        "PIL",
        "cv2",
        "scipy",
        "sklearn",
        "pandas",
        "matplotlib",
        "time",
        "datetime",
        "json",
        "logging",
        "struct",
        "string",
        "operator",
        "ctypes",
        "socket",
        "tkinter",
    }
)
_CONFIG_ALIASES = frozenset({"opt", "opts", "options", "flags", "hp", "hps", "params"})
_CONFIG_LOG_METHODS = frozenset({"add_hparams", "save_hyperparameters", "log_hyperparams"})


@dataclass(frozen=True)
class SeedCall:
    library: str  # "torch", "numpy", "random", "torch.cuda", "lightning", "torch.Generator"...
    value: str | None  # the literal seed, also through a module constant; None when computed
    span: Span
    configurable: bool  # the value comes from a parameter, configuration or computation
    documented: bool  # `# paperlink: seed ...`
    covers: tuple[str, ...] = ()  # the global generators it seeds (none for generator objects)


@dataclass(frozen=True)
class RandomUse:
    library: str  # the global generator drawn from: "torch", "torch.cuda", "numpy", "random"
    call: str  # "numpy.random.randint", ".normal_", "DataLoader" (shuffling workers)
    span: Span
    documented: bool
    loader: bool = False  # a DataLoader shuffling in worker processes without worker_init_fn/generator


@dataclass(frozen=True)
class Setting:
    setting: str  # "torch.backends.cudnn.benchmark = True", "index_add_()"
    span: Span
    documented: bool  # `# paperlink: nondeterministic ...`
    level: Literal["warning", "info", "listed"]  # PL502 / PL502 as info (atomics on CUDA) / computed, not reported


@dataclass(frozen=True)
class SavedResult:
    call: str
    span: Span
    documented: bool  # `# paperlink: results ...`


@dataclass(frozen=True)
class SeedHelper:
    """A module-level function that seeds from one of its parameters (``def set_seed(seed)``)."""

    function: str
    parameter: str
    position: int
    libraries: tuple[str, ...]


@dataclass(frozen=True)
class LiteralCall:
    """A call passing integer literals, in case its callee is another file's seed helper."""

    callee: str  # qualified name ("utils.set_seed", or "<module>.set_seed" for a local def)
    literals: tuple[tuple[str, str], ...]  # (position or keyword, literal text)
    span: Span
    documented: bool


@dataclass(frozen=True)
class ReproFacts:
    seeds: tuple[SeedCall, ...] = ()
    uses: tuple[RandomUse, ...] = ()
    settings: tuple[Setting, ...] = ()
    saves: tuple[SavedResult, ...] = ()  # writes whose object holds no configuration
    records_config: bool = False  # the file writes or logs its configuration somewhere
    helpers: tuple[SeedHelper, ...] = ()
    literal_calls: tuple[LiteralCall, ...] = ()


def scan_reproducibility(code: CodeModule, walk: CodeWalk, bindings: dict[str, Binding], module: str) -> ReproFacts:
    seeds, uses, settings, saves, records = [], [], [], [], False
    helpers: dict[tuple[str, str, int], set[str]] = {}
    literal_calls, local = [], _local_functions(code)
    # configuration objects only: a path or a shape derived from them is not the configuration
    configs = frozenset(name for name, b in bindings.items() if b.kind == "config" and not b.derived)
    # json.dump and pickle.dump write results only in numerical code; elsewhere they are caches
    numeric = any(name.split(".", 1)[0] in _NUMERICAL for name in code.imports.values())
    for site in walk.calls:
        call, callee = site.node, code.call_name(site.node)
        if (seed := _seed(code, call, callee, bindings)) is not None:
            seeds.append(seed)
            if (helper := _helper_parameter(site)) is not None:
                helpers.setdefault(helper, set()).add(seed.library)
        elif (use := _random_use(code, call, callee)) is not None:
            uses.append(use)
        elif (setting := _call_setting(code, call, callee)) is not None:
            settings.append(setting)
        elif callee in _SAVES and call.args and not _mentions_config(call.args[0], configs):
            if callee in _ARRAY_SAVES or numeric:
                saves.append(SavedResult(callee, code.span(call), documented(code, call, "results")))
        elif (literal := _literal_call(code, call, callee, bindings, module, local)) is not None:
            literal_calls.append(literal)
        records = records or _records_config(code, call, callee, configs)
    settings += [s for site in walk.assigns if (s := _assigned_setting(code, site)) is not None]
    found = tuple(SeedHelper(f, p, i, tuple(sorted(libraries))) for (f, p, i), libraries in sorted(helpers.items()))

    def by_span(items: list[Any]) -> tuple[Any, ...]:
        return tuple(sorted(items, key=lambda item: item.span))

    return ReproFacts(
        by_span(seeds), by_span(uses), by_span(settings), by_span(saves), records, found, by_span(literal_calls)
    )


def _helper_parameter(site: Site) -> tuple[str, str, int] | None:
    """(function, parameter, position) when the seed's argument is a parameter of the
    module-level function around it."""
    function, call = site.function, site.node
    argument = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "seed"), None)
    if function is None or site.path != function.name or not isinstance(argument, ast.Name):
        return None
    names = [a.arg for a in (*function.args.posonlyargs, *function.args.args)]
    if argument.id in names:
        return function.name, argument.id, names.index(argument.id)
    if argument.id in [a.arg for a in function.args.kwonlyargs]:
        return function.name, argument.id, -1
    return None


def _literal_call(
    code: CodeModule,
    call: ast.Call,
    callee: str | None,
    bindings: dict[str, Binding],
    module: str,
    local: frozenset[str],
) -> LiteralCall | None:
    """A call of a project function (not of a well-known library) with integer literals."""
    if isinstance(call.func, ast.Name) and call.func.id in local:
        callee = f"{module}.{call.func.id}" if module else call.func.id
    if callee is None or callee.split(".", 1)[0] in _LIBRARY_ROOTS:
        return None
    pairs = [(str(i), a) for i, a in enumerate(call.args)] + [(k.arg, k.value) for k in call.keywords if k.arg]
    literals = tuple((key, text) for key, value in pairs if (text := _integer(value, bindings)) is not None)
    return LiteralCall(callee, literals, code.span(call), documented(code, call, "seed")) if literals else None


def _local_functions(code: CodeModule) -> frozenset[str]:
    return frozenset(s.name for s in code.tree.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)))


def _integer(node: ast.expr, bindings: dict[str, Binding]) -> str | None:
    text = _literal(node, bindings)
    return text if text is not None and text.lstrip("-").isdigit() else None


def _seed(code: CodeModule, call: ast.Call, callee: str | None, bindings: dict[str, Binding]) -> SeedCall | None:
    argument = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "seed"), None)
    if callee in _GLOBAL_SEEDERS:
        library, covers = _library(callee), _GLOBAL_SEEDERS[callee]
    elif callee in _GENERATORS:
        library, covers = _GENERATORS[callee], ()
    elif callee is None and isinstance(call.func, ast.Attribute) and call.func.attr == "manual_seed":
        library, covers = "torch.Generator", ()
    else:
        return None
    if argument is None:
        return None  # no argument: seeded from the operating system, a draw rather than a seed
    value = _literal(argument, bindings)
    return SeedCall(library, value, code.span(call), value is None, documented(code, call, "seed"), covers)


def _library(callee: str) -> str:
    for prefix in ("torch.cuda", "torch", "numpy", "random"):
        if callee.startswith(prefix + "."):
            return prefix
    return callee.split(".", 1)[0]


def _literal(node: ast.expr, bindings: dict[str, Binding]) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, str)) and not isinstance(node.value, bool):
        return ast.unparse(node)
    if isinstance(node, ast.Name) and node.id in bindings:
        return bindings[node.id].constant_text
    return None


def _random_use(code: CodeModule, call: ast.Call, callee: str | None) -> RandomUse | None:
    if any(k.arg == "generator" for k in call.keywords):
        return None
    library = _drawn_from(call, callee)
    if library is None:
        if callee in _LOADERS and _shuffles_in_workers(call):
            return RandomUse("torch", "DataLoader", code.span(call), documented(code, call, "seed"), loader=True)
        return None
    if library == "torch" and _on_cuda(call):
        library = "torch.cuda"
    name = callee or f".{cast(ast.Attribute, call.func).attr}"  # no callee: a tensor method (_drawn_from)
    return RandomUse(library, name, code.span(call), documented(code, call, "seed"))


def _drawn_from(call: ast.Call, callee: str | None) -> str | None:
    """The global generator ``call`` draws from, or None."""
    if callee is None:
        method = call.func.attr if isinstance(call.func, ast.Attribute) else ""
        return "torch" if method in _TENSOR_DRAWS else None
    module, _, function = callee.rpartition(".")
    if module == "random":
        return "random" if function in _RANDOM_FUNCTIONS or (function == "Random" and not call.args) else None
    if module == "numpy.random":
        unseeded = function in ("default_rng", "RandomState") and not call.args and not call.keywords
        return "numpy" if function not in _NUMPY_NOT_DRAWS or unseeded else None
    if callee in _TORCH_DRAWS or (module == "torch.nn.init" and function not in _INIT_NOT_DRAWS):
        return "torch"
    return None


def _on_cuda(call: ast.Call) -> bool:
    device = next((k.value for k in call.keywords if k.arg == "device"), None)
    return isinstance(device, ast.Constant) and isinstance(device.value, str) and device.value.startswith("cuda")


def _shuffles_in_workers(call: ast.Call) -> bool:
    """shuffle set (and not literally False) with worker processes (not literally 0), and
    neither worker_init_fn nor generator."""
    given = {k.arg: k.value for k in call.keywords if k.arg}
    positional = dict(zip(("dataset", "batch_size", "shuffle", "sampler", "batch_sampler", "num_workers"), call.args))
    shuffle, workers = (
        given.get("shuffle", positional.get("shuffle")),
        given.get("num_workers", positional.get("num_workers")),
    )
    if shuffle is None or workers is None or "worker_init_fn" in given:
        return False
    literal_off = isinstance(shuffle, ast.Constant) and not shuffle.value
    return not literal_off and not (isinstance(workers, ast.Constant) and workers.value == 0)


def _call_setting(code: CodeModule, call: ast.Call, callee: str | None) -> Setting | None:
    if callee == "torch.use_deterministic_algorithms" and call.args:
        flag = call.args[0]
        if isinstance(flag, ast.Constant):
            if flag.value is not False:
                return None
            return Setting(
                "torch.use_deterministic_algorithms(False)", code.span(call), _nondeterministic(code, call), "warning"
            )
        return Setting(
            f"torch.use_deterministic_algorithms({ast.unparse(flag)})",
            code.span(call),
            _nondeterministic(code, call),
            "listed",
        )
    method = call.func.attr if isinstance(call.func, ast.Attribute) else ""
    if callee is not None and not callee.startswith("torch."):
        return None
    accumulates = method in _ACCUMULATING and any(
        k.arg == "accumulate" and isinstance(k.value, ast.Constant) and k.value.value is True for k in call.keywords
    )
    if method in _SCATTERS or accumulates:
        return Setting(f"{method}()", code.span(call), _nondeterministic(code, call), "info")
    return None


def _assigned_setting(code: CodeModule, site: Site) -> Setting | None:
    statement = site.node
    if not isinstance(statement, ast.Assign):
        return None
    for target in statement.targets:
        name = code.qualified_name(target)
        if name not in ("torch.backends.cudnn.benchmark", "torch.backends.cudnn.deterministic"):
            continue
        value = statement.value
        text = f"{name} = {ast.unparse(value)}"
        if not isinstance(value, ast.Constant):
            return Setting(text, code.span(statement), _nondeterministic(code, statement), "listed")
        if bool(value.value) == name.endswith("benchmark"):  # benchmark on, or deterministic off
            return Setting(text, code.span(statement), _nondeterministic(code, statement), "warning")
    return None


def _nondeterministic(code: CodeModule, node: ast.AST) -> bool:
    return documented(code, node, "nondeterministic")


def _mentions_config(node: ast.expr, configs: frozenset[str]) -> bool:
    """Whether an expression holds configuration: a module-level config object, or a name or
    attribute spelled as one (``args``, ``cfg``, ``self.config``, ``vars(opt)``)."""
    for part in ast.walk(node):
        if isinstance(part, ast.Name) and (part.id in configs or _config_spelled(part.id)):
            return True
        if isinstance(part, ast.Attribute) and _config_spelled(part.attr):
            return True
    return False


def _mentions_argv(code: CodeModule, node: ast.expr) -> bool:
    return any(isinstance(part, ast.Attribute) and code.qualified_name(part) == "sys.argv" for part in ast.walk(node))


def _config_spelled(name: str) -> bool:
    return config_named(name) or name.lower().strip("_") in _CONFIG_ALIASES


def _records_config(code: CodeModule, call: ast.Call, callee: str | None, configs: frozenset[str]) -> bool:
    if callee in _CONFIG_DUMPS:
        return bool(call.args) and _mentions_config(call.args[0], configs)
    writes = callee == "builtins.print" and any(k.arg == "file" for k in call.keywords)
    if writes or (isinstance(call.func, ast.Attribute) and call.func.attr in ("write", "writelines")):
        # the command line or the configuration written to a file (`print(" ".join(sys.argv), file=log)`)
        return any(_mentions_config(a, configs) or _mentions_argv(code, a) for a in call.args)
    if callee == "wandb.init":
        return any(k.arg == "config" for k in call.keywords)
    method = call.func.attr if isinstance(call.func, ast.Attribute) else ""
    return callee in _CONFIG_LOGGERS or method in _CONFIG_LOG_METHODS
