"""The hidden-inputs analysis (PL301-PL305, PL501-PL504) and its ``hidden_inputs`` section.

``scan`` reads one file: its module-level configuration and mutable globals and the
functions that read, mutate or rebind them, environment variables, import-time work,
seeds, draws from global random generators, nondeterministic settings and result files.
``conclude`` needs the whole project for three decisions: which modules other modules
import (PL305, and which functions fill a registry from another file's decorators), and
which seeds lie on an import path to a draw (PL501).

Test files (:func:`paperlink.source.roles.is_test_file`) are not research code: they are
not scanned, and their imports do not make a module "imported by others".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from paperlink.analysis.base import Analysis, Conclusion, Project
from paperlink.analysis.code_walk import walk_code
from paperlink.analysis.hidden_state import StateFacts, scan_state
from paperlink.analysis.hidden_verdicts import hidden_state_diagnostics, reproducibility_diagnostics, section
from paperlink.analysis.module_graph import ImportGraph
from paperlink.analysis.module_state import flag_registries, module_bindings
from paperlink.analysis.reproducibility import ReproFacts, scan_reproducibility
from paperlink.source.code import CodeModule, module_name
from paperlink.source.notebook import is_notebook
from paperlink.source.roles import is_test_file

__all__ = ["HIDDEN_INPUTS", "HiddenInputFacts", "scan", "conclude"]

_GLOBAL_STATEMENT = re.compile(r"^[ \t]*global[ \t]+([\w \t,]+)", re.MULTILINE)


@dataclass(frozen=True)
class HiddenInputFacts:
    """What one file contributes: its place in the import graph and its hidden inputs."""

    module: str
    path: str
    imports: tuple[str, ...] = ()
    test: bool = False
    script: bool = False  # has an `if __name__ == "__main__":` block, is a __main__.py or a notebook
    state: StateFacts = StateFacts()
    reproducibility: ReproFacts = ReproFacts()


def scan(code: CodeModule) -> HiddenInputFacts:
    module = module_name(code.relative)
    if is_test_file(code.relative):
        return HiddenInputFacts(module, code.relative, test=True)
    bindings = module_bindings(code)
    declared = (
        frozenset(
            name.strip()
            for match in _GLOBAL_STATEMENT.finditer(code.text)
            for name in match.group(1).split(",")
            if name.strip()
        )
        if "global" in code.text
        else frozenset()
    )
    registries = flag_registries(code) if "FLAGS" in code.text else {}
    watched = frozenset(name for name, binding in bindings.items() if binding.hidden) | declared | set(registries)
    walk = walk_code(code, watched)
    imports = set(code.imports.values()) | {alias.name for node in walk.imports for alias in node.names}
    return HiddenInputFacts(
        module=module,
        path=code.relative,
        imports=tuple(sorted(imports)),
        # a notebook is run, never imported: an entry point like a script
        script=walk.main_guard or code.relative.endswith("__main__.py") or is_notebook(code.relative),
        state=scan_state(code, walk, bindings, declared, module, registries),
        reproducibility=scan_reproducibility(code, walk, bindings, module),
    )


def conclude(facts: Sequence[HiddenInputFacts], project: Project) -> Conclusion:
    del project  # the hidden inputs do not depend on the paper
    files = sorted(facts, key=lambda f: f.path)
    graph = ImportGraph({f.module: f.imports for f in files if not f.test})
    diagnostics = hidden_state_diagnostics(files, graph) + reproducibility_diagnostics(files, graph)
    return Conclusion(tuple(sorted(diagnostics)), section(files, graph))


HIDDEN_INPUTS: Analysis[HiddenInputFacts] = Analysis(
    name="hidden_inputs",
    facts=HiddenInputFacts,
    scan=scan,
    conclude=conclude,
)
