"""The project's import graph: which checked module imports which.

Modules are named by their path (``pkg/mod.py`` is ``pkg.mod``), but research code is
often run from a subfolder (``python src/train.py`` imports ``model``, not ``src.model``).
An imported name therefore resolves to the module of that exact name, else to the
importer's sibling, else to the one module whose dotted name ends with it; names that
resolve to no checked module (``torch``) are left out. Importing ``pkg.sub.mod`` also runs
``pkg/__init__.py`` and ``pkg/sub/__init__.py``, so those are edges too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

__all__ = ["ImportGraph"]


class ImportGraph:
    """Edges between checked modules, and reachability along them."""

    def __init__(self, imports: Mapping[str, Iterable[str]]) -> None:
        """``imports``: module name -> the dotted names it imports (``from a import b`` as ``a.b``)."""
        self.modules = frozenset(imports)
        self._by_suffix: dict[str, list[str]] = {}
        for module in sorted(self.modules):
            parts = module.split(".")
            for start in range(1, len(parts)):
                self._by_suffix.setdefault(".".join(parts[start:]), []).append(module)
        self.imports: dict[str, frozenset[str]] = {}
        for module, names in imports.items():
            targets = set()
            for name in names:
                resolved = self.resolve(name, module)
                if resolved:
                    targets.update(self._with_packages(resolved))
            targets.discard(module)
            self.imports[module] = frozenset(targets)
        importers: dict[str, set[str]] = {module: set() for module in self.modules}
        for module, targets in self.imports.items():
            for target in targets:
                importers[target].add(module)
        self.importers = {module: frozenset(found) for module, found in importers.items()}

    def resolve(self, name: str, importer: str = "") -> str | None:
        """The checked module ``name`` imports, dropping trailing attributes (``a.b.func``)."""
        parts = name.split(".")
        for end in range(len(parts), 0, -1):
            found = self._module(".".join(parts[:end]), importer)
            if found:
                return found
        return None

    def split(self, qualified: str, importer: str = "") -> tuple[str, str] | None:
        """``pkg.mod.func`` -> (the module, "func"); None when no checked module holds it."""
        parts = qualified.split(".")
        for end in range(len(parts) - 1, 0, -1):
            found = self._module(".".join(parts[:end]), importer)
            if found:
                return found, ".".join(parts[end:])
        return None

    def _module(self, name: str, importer: str) -> str | None:
        if name in self.modules:
            return name
        package = importer.rpartition(".")[0]
        if package and f"{package}.{name}" in self.modules:
            return f"{package}.{name}"
        candidates = self._by_suffix.get(name, [])
        return candidates[0] if len(candidates) == 1 else None

    def _with_packages(self, module: str) -> list[str]:
        parts = module.split(".")
        return [".".join(parts[:end]) for end in range(1, len(parts) + 1) if ".".join(parts[:end]) in self.modules]

    def reachable(self, starts: Iterable[str], backwards: bool = False) -> frozenset[str]:
        """``starts`` and every module they import, transitively (or that import them)."""
        edges = self.importers if backwards else self.imports
        seen = set(starts)
        stack = list(seen)
        while stack:
            for following in edges.get(stack.pop(), ()):
                if following not in seen:
                    seen.add(following)
                    stack.append(following)
        return frozenset(seen)
