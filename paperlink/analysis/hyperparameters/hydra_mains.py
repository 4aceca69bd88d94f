"""Where a file's Hydra configs are: ``@hydra.main(config_path=..., config_name=...)``,
``hydra.initialize(config_path=...)`` with ``hydra.compose(config_name=...)``.

Only recorded here (the scan reads no other file); the engine reads and composes the tree.
"""

from __future__ import annotations

import ast

from paperlink.analysis.hyperparameters.facts import HydraMain
from paperlink.source.code import CodeModule

__all__ = ["hydra_mains"]

_MAIN = frozenset({"hydra.main"})
_INITIALIZE = frozenset({"hydra.initialize", "hydra.experimental.initialize"})
_COMPOSE = frozenset({"hydra.compose", "hydra.experimental.compose"})


def hydra_mains(code: CodeModule) -> tuple[HydraMain, ...]:
    """Every Hydra entry point of the file, in source order (files without ``hydra`` cost a search)."""
    if "hydra" not in code.text:
        return ()
    found: list[HydraMain] = []
    folders: list[tuple[str | None, ast.Call]] = []
    names: list[str | None] = []
    for node in ast.walk(code.tree):
        if not isinstance(node, ast.Call):
            continue
        qualified = code.call_name(node)
        if qualified in _MAIN:
            found.append(HydraMain(_text(node, "config_path", 0), _text(node, "config_name", 1), code.span(node)))
        elif qualified in _INITIALIZE:
            folders.append((_text(node, "config_path", 0), node))
        elif qualified in _COMPOSE:
            names.append(_text(node, "config_name", 0))
    for folder, call in folders:
        for name in dict.fromkeys(names) or [None]:
            found.append(HydraMain(folder, name, code.span(call)))
    return tuple(sorted(found, key=lambda main: (main.span, main.config_name or "")))


def _text(call: ast.Call, keyword: str, position: int) -> str | None:
    """A string argument by keyword or position; None when absent or not a literal."""
    node = next((k.value for k in call.keywords if k.arg == keyword), None)
    if node is None and position < len(call.args):
        node = call.args[position]
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None
