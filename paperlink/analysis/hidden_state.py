"""PL301-PL305 facts: module globals that functions read, mutate or rebind; environment
variables; work done at import time.

Whether a name inside a function is the module's global is CPython's answer, not a guess
from its spelling: :class:`~paperlink.analysis.code_walk.ScopeResolver` asks the file's
``symtable`` in the function's own scope, so a parameter, a local or a closure variable
of the same name is never taken for the global.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Iterator, Literal, Sequence

from paperlink.analysis.code_walk import CodeWalk, ScopeResolver, Site, base_name
from paperlink.analysis.module_state import (
    MUTATORS,
    OBJECT_KINDS,
    STATE_METHODS,
    Binding,
    builds_config,
    is_config_value,
    is_flag_registry,
)
from paperlink.source.code import CodeModule
from paperlink.source.notebook import is_notebook
from paperlink.spans import Span

__all__ = ["GlobalUse", "ModuleGlobal", "EnvRead", "ImportWork", "StateFacts", "scan_state", "documented"]

_ENV_CALLS = frozenset({"os.getenv", "os.environ.get", "os.environ.setdefault", "os.environ.pop", "os.getenvb"})
_ENV_OBJECTS = frozenset({"os.environ", "os.environb"})
_ENTRY_DECORATORS = ("click.", "typer.", "hydra.main", "fire.")
_ENTRY_FILES = frozenset({"__main__.py", "setup.py", "conftest.py", "noxfile.py", "manage.py"})
_FILE_READS = frozenset(
    {
        "builtins.open",
        "io.open",
        "json.load",
        "yaml.load",
        "yaml.safe_load",
        "yaml.full_load",
        "pickle.load",
        "numpy.load",
        "numpy.loadtxt",
        "numpy.genfromtxt",
        "numpy.fromfile",
        "torch.load",
        "pandas.read_csv",
        "pandas.read_json",
        "pandas.read_parquet",
        "pandas.read_pickle",
        "pandas.read_table",
        "pandas.read_excel",
        "omegaconf.OmegaConf.load",
        "toml.load",
        "tomllib.load",
    }
)
_NETWORK = frozenset(
    {
        "requests.get",
        "requests.post",
        "requests.put",
        "requests.head",
        "requests.request",
        "urllib.request.urlopen",
        "urllib.request.urlretrieve",
        "torch.hub.load",
        "torch.hub.load_state_dict_from_url",
        "torch.hub.download_url_to_file",
        "huggingface_hub.hf_hub_download",
        "huggingface_hub.snapshot_download",
        "wget.download",
    }
)
_CUDA = frozenset(
    {
        "torch.cuda.init",
        "torch.cuda.set_device",
        "torch.cuda.current_device",
        "torch.cuda.synchronize",
        "torch.cuda.empty_cache",
        "torch.cuda.get_device_properties",
        "torch.cuda.get_device_name",
        "torch.cuda.mem_get_info",
        "torch.cuda.memory_allocated",
        "torch.distributed.init_process_group",
    }
)
_PROCESSES = frozenset(
    {
        "subprocess.run",
        "subprocess.call",
        "subprocess.check_call",
        "subprocess.check_output",
        "subprocess.Popen",
        "os.system",
        "os.popen",
    }
)


@dataclass(frozen=True)
class GlobalUse:
    """One function's use of a module global: where it is reported, what it touches, every site."""

    function: str  # dotted definition path: "train_one_epoch", "Trainer.step"
    span: Span  # the first site; for a rebinding, the function's `global` statement when it has one
    details: tuple[str, ...]  # attributes read ("args.device") or operations ("cache.append()")
    documented: bool  # a `# paperlink: global ...` on the site, the `global` statement or the function's header
    sites: tuple[Span, ...] = ()  # every read, mutation or rebinding in the function (and the `global` statement)


GlobalKind = Literal["config", "mutable", "rebound"]  # what a module global is to the functions using it


@dataclass(frozen=True)
class ModuleGlobal:
    name: str
    span: Span  # its first module-level binding (or first rebinding when only functions bind it)
    kind: GlobalKind
    documented: bool  # a `# paperlink: global ...` on the module-level binding
    reads: tuple[GlobalUse, ...] = ()
    writes: tuple[GlobalUse, ...] = ()  # mutations in place (PL302)
    rebinds: tuple[GlobalUse, ...] = ()  # assignments through a `global` statement (PL301)
    # functions among the writers that change an object through its state methods (`model.eval()`,
    # `optimizer.step()`): never registration, even when the function is called at import
    changers: tuple[str, ...] = ()


@dataclass(frozen=True)
class EnvRead:
    name: str | None  # the variable, or None when computed
    span: Span
    function: str  # dotted definition path; "" at module level (as CodeModule.scope_name)
    entry: bool  # in a main block, a function it calls, a CLI command, or an entry file
    documented: bool


@dataclass(frozen=True)
class ImportWork:
    span: Span
    what: str  # "parses the command line (parse_args())", "reads a file (open())"...
    documented: bool


@dataclass(frozen=True)
class StateFacts:
    globals: tuple[ModuleGlobal, ...] = ()
    env_reads: tuple[EnvRead, ...] = ()
    import_work: tuple[ImportWork, ...] = ()
    registrars: tuple[str, ...] = ()  # qualified names used as decorators or called at import


def documented(code: CodeModule, node: ast.AST, word: str) -> bool:
    """Whether a ``# paperlink: <word> <reason>`` directive applies to ``node``'s statement."""
    if "paperlink" not in code.text:
        return False
    return any(text.split(maxsplit=1)[:1] == [word] for text in code.directives_for(node))


def scan_state(
    code: CodeModule,
    walk: CodeWalk,
    bindings: dict[str, Binding],
    declared: frozenset[str],
    module: str,
    registries: dict[str, ast.stmt] | None = None,
) -> StateFacts:
    """``declared``: the names some ``global`` statement in the file names; ``registries``: the names
    functions read the flag registry through (``flags.FLAGS.config`` after ``from absl import flags``)."""
    resolver = ScopeResolver(code)
    return StateFacts(
        globals=_globals(code, walk, bindings, declared, resolver)
        + (_registry_reads(code, walk, registries, resolver) if registries else ()),
        env_reads=tuple(_env_reads(code, walk)),
        import_work=tuple(_import_work(code, walk)),
        registrars=_registrars(code, walk, module),
    )


# -- globals -------------------------------------------------------------------------------


def _globals(
    code: CodeModule, walk: CodeWalk, bindings: dict[str, Binding], declared: frozenset[str], resolver: ScopeResolver
) -> tuple[ModuleGlobal, ...]:
    kinds = {name: b.kind for name, b in bindings.items()}
    operations, state_changes = _mutations(code, walk, kinds)
    values = _assigned_values(walk)
    statements: dict[tuple[str, str], ast.Global] = {}
    for site in sorted(walk.global_statements, key=lambda site: site.node.lineno):
        for name in site.node.names:
            statements.setdefault((site.path, name), site.node)
    configured: set[str] = set()  # names a function binds to configuration through `global`
    changed: dict[str, set[str]] = {}  # name -> functions calling its state methods
    uses: dict[tuple[str, str], dict[str, list[tuple[Site, str]]]] = {}
    deferred = _deferred_lambdas(walk)
    for site in walk.names:
        node = site.node
        if site.function is None and not _in_deferred_lambda(site, deferred):
            continue  # module-level code and the main block run once, in order
        reader = site.path if site.function is not None else f"{site.path}.<lambda>".lstrip(".")
        if isinstance(node.ctx, (ast.Store, ast.Del)):
            if resolver.is_declared_global(node.id, site.scopes) and not _lazily_initialised(site):
                uses.setdefault((node.id, "rebinds"), {}).setdefault(reader, []).append((site, f"{node.id} ="))
                if id(node) in values and is_config_value(code, values[id(node)]):
                    configured.add(node.id)
        elif (node.id in declared or node.id in bindings and bindings[node.id].hidden) and resolver.is_global(
            node.id, site.scopes
        ):
            if id(node) in operations:
                uses.setdefault((node.id, "writes"), {}).setdefault(reader, []).append((site, operations[id(node)]))
                if id(node) in state_changes:
                    changed.setdefault(node.id, set()).add(reader)
            elif node.id not in bindings or bindings[node.id].kind not in OBJECT_KINDS:
                # calling a module-level model or reading an optimizer's settings does not change them
                uses.setdefault((node.id, "reads"), {}).setdefault(reader, []).append((site, _read_detail(walk, node)))
    names = sorted({name for name, _ in uses})  # what no function uses is no hidden input
    found = []
    for name in names:
        rebinds = _grouped(code, uses.get((name, "rebinds"), {}), statements)
        writes, reads = (_grouped(code, uses.get((name, role), {})) for role in ("writes", "reads"))
        binding = bindings.get(name)
        is_config = (binding is not None and binding.kind == "config") or name in configured
        kind: GlobalKind = "config" if is_config else "rebound" if rebinds else "mutable"
        if kind == "mutable" and not writes and binding is not None and binding.presets:
            # `MIXUP_DEF = {"light1": dict(p=0.0), ...}` read by `get_config(arg)`: the preset an argument
            # picks is the run's configuration
            reads = tuple(use for use in reads if builds_config(use.function))
            kind = "config"
        if kind == "mutable" and not writes or kind == "config" and not reads and not writes and not rebinds:
            continue
        target = binding.target if binding else None
        span = code.span(target) if target else rebinds[0].span
        is_documented = target is not None and documented(code, target, "global")
        changers = tuple(sorted(changed.get(name, ())))
        found.append(ModuleGlobal(name, span, kind, is_documented, reads, writes, rebinds, changers))
    return tuple(found)


def _registry_reads(
    code: CodeModule, walk: CodeWalk, registries: dict[str, ast.stmt], resolver: ScopeResolver
) -> tuple[ModuleGlobal, ...]:
    """``config = flags.FLAGS.config`` in ``main``: the process's flag registry read directly, as the
    configuration ``flags.FLAGS`` (``absl.flags.FLAGS``), bound where ``flags`` is (the import)."""
    uses: dict[str, dict[str, list[tuple[Site, str]]]] = {}
    bound: dict[str, ast.stmt] = {}
    for site in walk.names:
        node = site.node
        holder = walk.holders.get(id(node))
        if (
            site.function is None
            or node.id not in registries
            or not isinstance(node.ctx, ast.Load)
            or not isinstance(holder, ast.Attribute)
            or not resolver.is_global(node.id, site.scopes)
        ):
            continue
        chain: ast.AST = holder
        while not is_flag_registry(code, chain) and isinstance(code.parents.get(chain), ast.Attribute):
            chain = code.parents[chain]  # `absl.flags.FLAGS`: the registry two attributes down
        if is_flag_registry(code, chain):
            name = ast.unparse(chain)
            bound[name] = registries[node.id]
            uses.setdefault(name, {}).setdefault(site.path, []).append((site, name))
    found = []
    for name, by_function in sorted(uses.items()):
        statement = bound[name]
        found.append(
            ModuleGlobal(
                name,
                code.span(statement),
                "config",
                documented(code, statement, "global"),
                reads=_grouped(code, by_function),
            )
        )
    return tuple(found)


def _grouped(
    code: CodeModule,
    by_function: dict[str, list[tuple[Site, str]]],
    statements: dict[tuple[str, str], ast.Global] | None = None,
) -> tuple[GlobalUse, ...]:
    """One use per function; ``statements``: the `global` statement of each (function, name),
    where a rebinding is reported."""
    uses = []
    for function, sites in by_function.items():
        ordered = sorted((site for site, _ in sites), key=lambda site: (site.node.lineno, site.node.col_offset))
        first = ordered[0]
        statement = statements.get((function, first.node.id)) if statements else None
        anchors = [first.node] if statement is None else [statement, first.node]
        details = tuple(sorted({detail for _, detail in sites if detail}))
        is_documented = any(documented(code, node, "global") for node in anchors) or (
            first.function is not None and documented(code, first.function, "global")
        )
        spans = tuple(code.span(node) for node in ([statement] if statement else []) + [s.node for s in ordered])
        uses.append(GlobalUse(function, spans[0], details, is_documented, spans))
    return tuple(sorted(uses, key=lambda use: use.span))


# builtins that call the lambda they are given at once, while the module-level code runs
_CALLED_AT_ONCE = frozenset({"sorted", "map", "filter", "min", "max", "any", "all", "sum"})


def _deferred_lambdas(walk: CodeWalk) -> set[int]:
    """Module-level lambdas that run later, when some function calls them (an environment factory
    handed to the training function): ids of those not given to a builtin that calls them at once."""
    at_once: set[int] = set()
    for site in walk.calls:
        call = site.node
        if isinstance(call.func, ast.Name) and call.func.id in _CALLED_AT_ONCE:
            at_once.update(id(arg) for arg in call.args)
        at_once.update(id(keyword.value) for keyword in call.keywords if keyword.arg == "key")
    return {
        id(scope)
        for site in walk.names
        if site.function is None
        for scope in site.scopes
        if isinstance(scope, ast.Lambda) and id(scope) not in at_once
    }


def _in_deferred_lambda(site: Site, deferred: set[int]) -> bool:
    return any(id(scope) in deferred for scope in site.scopes)


def _lazily_initialised(site: Site) -> bool:
    """``if _cache is None: _cache = build()`` (or ``if not _cache:``): a value computed once on
    first use, the same whatever the order of calls."""
    name = site.node.id
    if site.function is None:  # module level: never collected
        return False
    for statement in ast.walk(site.function):
        if not isinstance(statement, ast.If) or not _tests_unset(statement.test, name):
            continue
        if any(part is site.node for child in statement.body for part in ast.walk(child)):
            return True
    return False


def _tests_unset(test: ast.expr, name: str) -> bool:
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return isinstance(test.operand, ast.Name) and test.operand.id == name
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Is):
        sides = (test.left, test.comparators[0])
        return any(isinstance(s, ast.Name) and s.id == name for s in sides) and any(
            isinstance(s, ast.Constant) and s.value is None for s in sides
        )
    return False


def _assigned_values(walk: CodeWalk) -> dict[int, ast.expr]:
    """id(Name) -> the value assigned to it, for plain `name = value` statements in functions."""
    return {
        id(target): site.node.value
        for site in walk.assigns
        if site.function is not None and isinstance(site.node, ast.Assign)
        for target in site.node.targets
        if isinstance(target, ast.Name)
    }


def _read_detail(walk: CodeWalk, node: ast.Name) -> str:
    holder = walk.holders.get(id(node))
    if isinstance(holder, ast.Attribute):
        return f"{node.id}.{holder.attr}"
    if (
        isinstance(holder, ast.Subscript)
        and isinstance(holder.slice, ast.Constant)
        and isinstance(holder.slice.value, str)
    ):
        return f"{node.id}[{holder.slice.value!r}]"
    return node.id


def _mutations(code: CodeModule, walk: CodeWalk, kinds: dict[str, str]) -> tuple[dict[int, str], set[int]]:
    """id(Name) -> the operation, for each use of a module-level name that changes its object;
    and the ids of those that call one of its state methods (``model.train()``)."""
    found: dict[int, str] = {}
    state: set[int] = set()
    for site in walk.assigns:
        statement = site.node
        targets = statement.targets if isinstance(statement, (ast.Assign, ast.Delete)) else [statement.target]
        for target in _flatten(targets):
            base = base_name(target)
            if base is not None and target is not base and base.id in kinds:
                verb = "del " if isinstance(statement, ast.Delete) else ""
                found[id(base)] = f"{verb}{_shape(target)}{'' if verb else ' ='}"
    for site in walk.calls:
        call = site.node
        func = call.func
        if isinstance(func, ast.Attribute):
            base = base_name(func.value)
            if (
                base is not None
                and base.id in kinds
                and _mutates(func.attr, kinds[base.id], id(call) in walk.discarded)
            ):
                found[id(base)] = f"{_shape(func)}()"
                if func.attr in STATE_METHODS:
                    state.add(id(base))
        elif (callee := code.call_name(call)) in ("builtins.setattr", "builtins.delattr") and call.args:
            if isinstance(call.args[0], ast.Name) and call.args[0].id in kinds:
                found[id(call.args[0])] = f"{callee.removeprefix('builtins.')}({call.args[0].id}, ...)"
    return found, state


def _mutates(method: str, kind: str, discarded: bool) -> bool:
    """Whether ``name.method(...)`` changes what a module-level name of ``kind`` holds.

    A container method changes an object whose class is unknown only when its result is
    dropped: ``ema.update()`` does, ``updates, state = optimizer.update(grads, state)``
    (optax, pure) does not.
    """
    in_place = method.endswith("_") and not method.startswith("_") and kind in ("array", "instance", "object")
    if method in MUTATORS:
        return kind == "container" or discarded
    return in_place or (method in STATE_METHODS and kind in OBJECT_KINDS)


def _flatten(targets: Sequence[ast.expr]) -> list[ast.expr]:
    flat: list[ast.expr] = []
    for target in targets:
        flat.extend(_flatten(target.elts) if isinstance(target, (ast.Tuple, ast.List)) else [target])
    return flat


def _shape(node: ast.expr) -> str:
    """``cache[...]``, ``args.lr``, ``state.history.append``: the target with indices elided."""
    if isinstance(node, ast.Attribute):
        return f"{_shape(node.value)}.{node.attr}"
    if isinstance(node, ast.Subscript):
        return f"{_shape(node.value)}[...]"
    return node.id if isinstance(node, ast.Name) else "..."


# -- environment, import-time work, registries ----------------------------------------------


def _env_reads(code: CodeModule, walk: CodeWalk) -> Iterator[EnvRead]:
    entries = _entry_functions(code, walk)
    # a notebook is run, never imported: an entry point like a script
    file_entry = code.relative.rsplit("/", 1)[-1] in _ENTRY_FILES or is_notebook(code.relative)
    sites: list[tuple[Site[ast.Call] | Site[ast.Subscript] | Site[ast.Compare], ast.expr]] = []
    for site in walk.calls:
        if site.node.args and code.call_name(site.node) in _ENV_CALLS:
            sites.append((site, site.node.args[0]))
    for site in walk.subscripts:
        if isinstance(site.node.ctx, ast.Load) and code.qualified_name(site.node.value) in _ENV_OBJECTS:
            sites.append((site, site.node.slice))
    for site in walk.compares:
        if any(code.qualified_name(c) in _ENV_OBJECTS for c in site.node.comparators):
            sites.append((site, site.node.left))
    seen = set()
    for site, key in sorted(sites, key=lambda pair: (pair[0].node.lineno, pair[0].node.col_offset)):
        name = key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else None
        if name is not None and (site.path, name) in seen:
            continue  # `if "X" in os.environ: x = os.environ["X"]` is one read
        seen.add((site.path, name))
        entry = file_entry or site.main or site.path.split(".", 1)[0] in entries
        yield EnvRead(name, code.span(site.node), site.path, entry, documented(code, site.node, "env"))


def _entry_functions(code: CodeModule, walk: CodeWalk) -> frozenset[str]:
    """Functions that are command-line entry code: called from the main block, or CLI commands."""
    found = {s.node.func.id for s in walk.calls if s.main and isinstance(s.node.func, ast.Name)}
    for site in walk.definitions:
        for decorator in site.node.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            if (code.qualified_name(target) or "").startswith(_ENTRY_DECORATORS):
                found.add(site.node.name)
    return frozenset(found)


def _import_work(code: CodeModule, walk: CodeWalk) -> Iterator[ImportWork]:
    lines = set()
    for site in sorted(walk.calls, key=lambda site: (site.node.lineno, site.node.col_offset)):
        if not site.at_import or site.node.lineno in lines:
            continue
        what = _work(code, site.node)
        if what:
            lines.add(site.node.lineno)
            yield ImportWork(code.span(site.node), what, documented(code, site.node, "import-time"))


def _work(code: CodeModule, call: ast.Call) -> str | None:
    callee = code.call_name(call)
    method = call.func.attr if isinstance(call.func, ast.Attribute) else ""
    if method in ("parse_args", "parse_known_args"):
        return f"parses the command line ({method}())"
    short = f"{callee.removeprefix('builtins.')}()" if callee else f".{method}()"
    if callee in _FILE_READS or method in ("read_text", "read_bytes"):
        return f"reads a file ({short})"
    if callee in _NETWORK or method == "from_pretrained":  # `AutoModel.from_pretrained` downloads weights
        return f"uses the network ({short})"
    if callee in _CUDA or (callee is None and method == "cuda"):
        return f"initialises CUDA ({short})"
    if callee in _PROCESSES:
        return f"runs a process ({short})"
    return None


def _registrars(code: CodeModule, walk: CodeWalk, module: str) -> tuple[str, ...]:
    """What the module uses as a decorator or calls by name at import: a function that fills a
    registry this way is import-time registration, not hidden state."""
    defined = {s.name for s in code.tree.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    targets = [d.func if isinstance(d, ast.Call) else d for s in walk.definitions for d in s.node.decorator_list]
    targets += [s.node.func for s in walk.calls if s.at_import and isinstance(s.node.func, ast.Name)]
    found = set()
    for target in targets:
        if isinstance(target, ast.Name) and target.id in defined:
            found.add(f"{module}.{target.id}" if module else target.id)
        elif (name := code.qualified_name(target)) and not name.startswith("builtins."):
            found.add(name)
    return tuple(sorted(found))
