"""From every file's hidden-input facts to diagnostics and the ``hidden_inputs`` section.

The project-wide decisions live here: registries (a function that fills a module-level
container is exempt when some module uses it as a decorator or calls it at import),
library versus entry code (a script no module imports is entry code), import-time work in
imported modules, and whether a seed lies on an import path to a draw.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from paperlink.analysis.hidden_state import GlobalUse, ModuleGlobal
from paperlink.analysis.module_graph import ImportGraph
from paperlink.analysis.reproducibility import LiteralCall, SeedHelper
from paperlink.diagnostics import Diagnostic, Severity
from paperlink.rules.hidden_state import (
    GlobalConfigRead,
    GlobalMutation,
    GlobalRebinding,
    ImportTimeWork,
    LibraryEnvironmentRead,
)
from paperlink.rules.reproducibility import (
    HardCodedSeed,
    ResultsWithoutConfig,
    UndocumentedNondeterminism,
    UnseededRandomness,
)
from paperlink.spans import Span

if TYPE_CHECKING:
    from paperlink.analysis.hidden_inputs import HiddenInputFacts

__all__ = ["hidden_state_diagnostics", "reproducibility_diagnostics", "section"]

_LIBRARIES = ("torch", "torch.cuda", "numpy", "random")


# -- PL3xx -------------------------------------------------------------------------------------


def hidden_state_diagnostics(files: Sequence[HiddenInputFacts], graph: ImportGraph) -> list[Diagnostic]:
    registrars = _registrars(files, graph)
    found: list[Diagnostic] = []
    for file in files:
        for item in file.state.globals:
            found += _global_diagnostics(item, registrars.get(file.module, frozenset()))
        found += _config_read_diagnostics(file.state.globals)
        library = bool(_importers(file, graph)) or not file.script
        for read in file.state.env_reads:
            if library and not read.entry and not read.documented:
                where = read.function or "module-level code"
                what = (
                    f"the environment variable {read.name}"
                    if read.name
                    else "an environment variable whose name is computed"
                )
                found.append(LibraryEnvironmentRead.at(read.span, f"{where} reads {what}"))
        importers = _importers(file, graph)
        for work in file.state.import_work if importers else ():
            if not work.documented:
                found.append(
                    ImportTimeWork.at(work.span, f"{work.what} at import time; imported by {_listed(importers)}")
                )
    return found


def _global_diagnostics(item: ModuleGlobal, registrars: frozenset[str]) -> list[Diagnostic]:
    if item.documented:
        return []
    found = []
    for use in item.rebinds:
        if not use.documented:
            message = f"{use.function} rebinds the module-level {item.name} through a global statement"
            # at the `global` statement; every rebinding's span is in the section (a message
            # naming lines would be wrong in a notebook, whose spans become cells at the end)
            found.append(GlobalRebinding.at(use.span, message))
    for use in _kept_writes(item, registrars):
        if not use.documented:
            found.append(
                GlobalMutation.at(
                    use.span, f"{use.function} mutates the module-level {item.name} ({_listed(use.details)})"
                )
            )
    return found


def _config_reads(item: ModuleGlobal) -> list[GlobalUse]:
    """The undocumented reads of configuration; a function that parses the config (binds it
    through `global`) is its source, not a hidden reader."""
    if item.kind != "config" or item.documented:
        return []
    binders = {use.function for use in item.rebinds}
    return [use for use in item.reads if not use.documented and use.function not in binders]


def _config_read_diagnostics(globals_: Sequence[ModuleGlobal]) -> list[Diagnostic]:
    """One PL303 per function, at its first read, naming every module-level configuration it reads."""
    by_function: dict[str, list[tuple[ModuleGlobal, GlobalUse]]] = {}
    for item in globals_:
        for use in _config_reads(item):
            # a lambda in module-level code (`lambda: gym.make(args.env)`) reads the configuration
            # where it is written, in plain view: listed among the hidden inputs, not flagged
            if not use.function.endswith("<lambda>"):
                by_function.setdefault(use.function, []).append((item, use))
    found = []
    for function, pairs in by_function.items():
        pairs.sort(key=lambda pair: pair[1].span)
        values = [
            item.name if use.details in ((), (item.name,)) else f"{item.name} ({_listed(use.details)})"
            for item, use in pairs
        ]
        found.append(GlobalConfigRead.at(pairs[0][1].span, f"{function} reads the module-level {_joined(values)}"))
    return found


def _joined(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _kept_writes(item: ModuleGlobal, registrars: frozenset[str]) -> tuple[GlobalUse, ...]:
    """The mutations left once registry filling (by a decorator or an import-time call) is set aside."""

    def registering(use: GlobalUse) -> bool:
        if use.function in item.changers:
            return False
        parts = use.function.split(".")
        return any(".".join(parts[:end]) in registrars for end in range(1, len(parts) + 1))

    return tuple(use for use in item.writes if not registering(use))


def _registrars(files: Sequence[HiddenInputFacts], graph: ImportGraph) -> dict[str, frozenset[str]]:
    """Module -> the dotted function paths in it that some module uses as decorators or calls at import."""
    found: dict[str, set[str]] = {}
    for file in files:
        for name in file.state.registrars:
            located = graph.split(name, file.module)
            if located:
                found.setdefault(located[0], set()).add(located[1])
    return {module: frozenset(names) for module, names in found.items()}


def _importers(file: HiddenInputFacts, graph: ImportGraph) -> list[str]:
    return sorted(graph.importers.get(file.module, ()))


def _listed(items: Sequence[str], limit: int = 3) -> str:
    shown = ", ".join(items[:limit])
    return f"{shown} and {len(items) - limit} more" if len(items) > limit else shown


def _sites(use: GlobalUse, how: str | None = None) -> dict[str, Any]:
    """A function's use with the span of every site (for a rebinding, its `global` statement first)."""
    entry: dict[str, Any] = {"function": use.function, "spans": [span.to_dict() for span in use.sites or (use.span,)]}
    return {**entry, "how": how} if how else entry


# -- PL5xx -------------------------------------------------------------------------------------


def reproducibility_diagnostics(files: Sequence[HiddenInputFacts], graph: ImportGraph) -> list[Diagnostic]:
    unseeded = _unseeded(files, graph)
    records_config = any(file.reproducibility.records_config for file in files)
    found: list[Diagnostic] = []
    for call, helper, value in _helper_seeds(files, graph):
        if not call.documented:
            seeded = ", ".join(helper.libraries)
            message = f"seed hard-coded as {value} for {helper.function}(), which seeds {seeded}; no parameter or configuration sets it"
            found.append(HardCodedSeed.at(call.span, message))
    for file in files:
        facts = file.reproducibility
        found += _draw_diagnostics(file, unseeded)
        for setting in facts.settings:
            if setting.level == "warning" and not setting.documented:
                found.append(
                    UndocumentedNondeterminism.at(
                        setting.span, f"{setting.setting} makes runs nondeterministic and is not documented"
                    )
                )
            elif setting.level == "info" and not setting.documented:
                message = f"{setting.setting} accumulates in a nondeterministic order on CUDA"
                found.append(UndocumentedNondeterminism.at(setting.span, message, Severity.INFO))
        for seed in facts.seeds:
            if not seed.configurable and not seed.documented:
                message = f"{seed.library} seed hard-coded as {seed.value}; no parameter or configuration sets it"
                found.append(HardCodedSeed.at(seed.span, message))
        for saved in facts.saves if not records_config else ():
            if not saved.documented:
                message = f"{saved.call}() writes results, and no code records the configuration that produced them"
                found.append(ResultsWithoutConfig.at(saved.span, message))
    return found


def _helper_seeds(files: Sequence[HiddenInputFacts], graph: ImportGraph) -> list[tuple[LiteralCall, SeedHelper, str]]:
    """Calls passing a literal seed to a project function that seeds from that parameter
    (``set_seed(0)`` with ``def set_seed(seed): torch.manual_seed(seed)``)."""
    helpers = {(file.module, h.function): h for file in files for h in file.reproducibility.helpers}
    found = []
    for file in files:
        for call in file.reproducibility.literal_calls if helpers else ():
            located = graph.split(call.callee, file.module)
            helper = helpers.get(located) if located else None
            literals = dict(call.literals)
            value = literals.get(str(helper.position), literals.get(helper.parameter)) if helper else None
            if helper is not None and value is not None:
                found.append((call, helper, value))
    return found


def _draw_diagnostics(file: HiddenInputFacts, unseeded: dict[str, frozenset[str]]) -> list[Diagnostic]:
    """One PL501 per file and generator (at the first draw), and one per shuffling DataLoader."""
    found = []
    by_library: dict[str, list] = {}
    for use in file.reproducibility.uses:
        if use.documented:
            continue
        if use.loader:
            message = "DataLoader shuffles in worker processes without worker_init_fn or generator"
            found.append(UnseededRandomness.at(use.span, message))
        elif file.module in unseeded.get(use.library, ()):
            by_library.setdefault(use.library, []).append(use)
    for library, uses in by_library.items():
        more = f"; {len(uses)} draws in this file" if len(uses) > 1 else ""
        message = f"{uses[0].call}() draws from the global {library} generator, and no {library} seed is set on any import path to it{more}"
        found.append(UnseededRandomness.at(uses[0].span, message))
    return found


def _unseeded(files: Sequence[HiddenInputFacts], graph: ImportGraph) -> dict[str, frozenset[str]]:
    """Generator -> the modules on an import path from an entry point with no seed for it.

    Entry points are the scripts (a main block, a ``__main__.py``); a project without any is
    a library, whose top-level modules (imported by no other) stand in for them.
    """
    checked = [file for file in files if not file.test]
    roots = {file.module for file in checked if file.script}
    if not roots:
        roots = {file.module for file in checked if not graph.importers.get(file.module)}
    on_a_path = graph.reachable(roots)
    unseeded = {}
    for library in _LIBRARIES:
        seeders = {file.module for file in checked for seed in file.reproducibility.seeds if library in seed.covers}
        seeded_roots = roots & graph.reachable(seeders, backwards=True)
        unseeded[library] = on_a_path - graph.reachable(seeded_roots)
    return unseeded


# -- the section -------------------------------------------------------------------------------


def section(files: Sequence[HiddenInputFacts], graph: ImportGraph) -> dict[str, Any]:
    """The ``hidden_inputs`` JSON section: every list sorted by span."""
    registrars = _registrars(files, graph)
    globals_: list[tuple[Span, dict[str, Any]]] = []
    env_vars: list[tuple[Span, dict[str, Any]]] = []
    seeds: list[tuple[Span, dict[str, Any]]] = []
    settings: list[tuple[Span, dict[str, Any]]] = []
    for file in files:
        for item in file.state.globals:
            mutations = _kept_writes(item, registrars.get(file.module, frozenset()))
            writers = [*mutations, *item.rebinds]
            if not writers and (item.kind == "mutable" or not item.reads):
                continue  # what no function reads or changes is not a hidden input
            entry = {
                "name": item.name,
                "kind": item.kind,
                "read_by": sorted({u.function for u in item.reads}),
                "written_by": sorted({u.function for u in writers}),
                "reads": [_sites(use) for use in item.reads],
                "writes": [
                    _sites(use, how)
                    for how, use in sorted(
                        [("mutation", u) for u in mutations] + [("rebinding", u) for u in item.rebinds],
                        key=lambda pair: pair[1].span,
                    )
                ],
            }
            globals_.append((item.span, entry))
        env_vars += [(r.span, {"name": r.name, "function": r.function}) for r in file.state.env_reads]
        seeds += [
            (s.span, {"library": s.library, "value": s.value, "configurable": s.configurable})
            for s in file.reproducibility.seeds
        ]
        settings += [
            (s.span, {"setting": s.setting, "documented": s.documented}) for s in file.reproducibility.settings
        ]
    seeds += [
        (call.span, {"library": ", ".join(helper.libraries), "value": value, "configurable": False})
        for call, helper, value in _helper_seeds(files, graph)
    ]
    return {
        key: [{**entry, "span": span.to_dict()} for span, entry in sorted(items, key=lambda pair: pair[0])]
        for key, items in (
            ("globals", globals_),
            ("env_vars", env_vars),
            ("seeds", seeds),
            ("nondeterminism", settings),
        )
    }
