"""Module boundaries: the layers of docs/architecture.md, checked by parsing every module's imports.

Every import counts: at load, inside a function (lazy) or under ``TYPE_CHECKING``, since
each is a dependency a reader must follow. :data:`LAYERS` and :data:`ONLY_IN` are the
tables of docs/architecture.md ("Layers and import rules"); a test keeps them the same.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

import paperlink

PACKAGE = Path(paperlink.__file__).resolve().parent
MODULES = sorted(PACKAGE.rglob("*.py"))
ARCHITECTURE = PACKAGE.parent / "docs" / "architecture.md"

# Bottom to top. Layer: (its modules, paths under paperlink/ where a folder ends in "/";
# the layers it may import, besides its own modules). A layer names only layers above it
# in this table, so the layers form no cycle.
LAYERS: dict[str, tuple[str, str]] = {
    "foundation": (
        "__init__.py spans.py errors.py diagnostics.py markers.py numbers.py nesting.py references.py boundary.py"
        " escaping.py data/",
        "",
    ),
    "rules": ("rules/ codes.py", "foundation"),
    "paper": ("paper/", "foundation rules"),
    "config": ("config.py", "foundation rules paper"),
    "sources": ("source/ configfiles/", "foundation rules config"),
    "trace": ("trace.py results.py", "foundation rules paper sources"),
    "analysis": ("analysis/", "foundation rules paper config sources trace"),
    "runtime": ("runtime/", "foundation rules"),
    "checking": (
        "engine.py cache.py lock.py selection.py suppressions.py",
        "foundation rules paper config sources trace analysis runtime",
    ),
    "output": (
        "formats.py full_text.py hyperparameter_formats.py editor.py report/",
        "foundation rules paper sources trace",
    ),
    "suggesting": ("suggest/", "foundation rules paper config sources trace"),
    "commands": (
        "cli.py __main__.py launch.py scaffold.py server.py",
        "foundation rules paper config sources trace analysis runtime checking output suggesting",
    ),
}

# Imports across layers allowed all the same: (module, layer it imports) -> why.
EXCEPTIONS = {
    ("__init__.py", "runtime"): "`paperlink.audit` imports the runtime audit on first use, never at load",
}

# Third-party packages that only some modules may import (lazy imports count).
ONLY_IN: dict[str, str] = {
    "pylatexenc": "paper/latex/",
    "libcst": "source/",
    "torch": "runtime/",
    "click": "cli.py",
    "jinja2": "report/",
    "markupsafe": "report/",
    "latex2mathml": "report/",
    "networkx": "report/",
    "pygls": "server.py",
    "lsprotocol": "server.py",
}


def relative(path: Path) -> str:
    return path.relative_to(PACKAGE.parent).as_posix()


def imported_packages(path: Path) -> set[str]:
    """Top-level names of the absolute imports anywhere in the file, lazy ones included."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


IMPORTS = {relative(path): imported_packages(path) for path in MODULES}


def importers(package: str) -> set[str]:
    return {module for module, names in IMPORTS.items() if package in names}


def within(module: str, places: str) -> bool:
    """Whether ``module`` (a path under paperlink/) is one of ``places`` or in one of its folders."""
    return any(module == place or (place.endswith("/") and module.startswith(place)) for place in places.split())


def layer_of(module: str) -> str | None:
    return next((layer for layer, (modules, _) in LAYERS.items() if within(module, modules)), None)


def module_file(dotted: str) -> Path | None:
    """The file of ``paperlink.a.b``: ``paperlink/a/b.py`` or ``paperlink/a/b/__init__.py``."""
    path = PACKAGE.joinpath(*dotted.split(".")[1:])
    if path.with_suffix(".py").is_file():
        return path.with_suffix(".py")
    return path / "__init__.py" if (path / "__init__.py").is_file() else None


def internal_imports(path: Path) -> list[tuple[int, str, str]]:
    """(line, module as written, its file under paperlink/) of each paperlink import in the file.

    ``from paperlink.a import b`` imports ``paperlink/a/b.py`` when that exists, else ``paperlink/a``.
    """
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            if name.split(".")[0] != "paperlink":
                continue
            while module_file(name) is None:
                name = name.rsplit(".", 1)[0]
            target = module_file(name)
            assert target is not None
            found.append((node.lineno, name, target.relative_to(PACKAGE).as_posix()))
    return found


def layer_violations() -> list[str]:
    violations = []
    for path in MODULES:
        module = path.relative_to(PACKAGE).as_posix()
        layer = layer_of(module)
        if layer is None:
            continue  # test_every_module_has_a_layer says so
        allowed = {layer, *LAYERS[layer][1].split()}
        for line, name, target in internal_imports(path):
            target_layer = layer_of(target)
            if target_layer not in allowed and (module, target_layer) not in EXCEPTIONS:
                violations.append(
                    f"paperlink/{module}:{line}: {layer} imports {name} ({target_layer}); "
                    f"{layer} may import: {', '.join(LAYERS[layer][1].split()) or 'nothing else'}"
                )
    return violations


def test_every_module_has_a_layer():
    unplaced = [relative(path) for path in MODULES if layer_of(path.relative_to(PACKAGE).as_posix()) is None]
    assert unplaced == [], "add these modules to a layer in LAYERS here and in docs/architecture.md"


def test_each_module_is_in_one_layer():
    for path in MODULES:
        module = path.relative_to(PACKAGE).as_posix()
        assert sum(within(module, modules) for modules, _ in LAYERS.values()) == 1, module


def test_layers_name_only_layers_below_them():
    below: list[str] = []
    for layer, (_, may_import) in LAYERS.items():
        assert set(may_import.split()) <= set(below), layer
        below.append(layer)


def test_no_layer_imports_a_layer_above_it():
    violations = layer_violations()
    assert not violations, "imports across layers that docs/architecture.md does not allow:\n" + "\n".join(violations)


def test_the_exceptions_are_still_needed():
    """An exception whose import went away goes from the table too."""
    for module, target_layer in EXCEPTIONS:
        targets = {layer_of(target) for _, _, target in internal_imports(PACKAGE / module)}
        assert target_layer in targets, (module, target_layer)


def markdown_table(text: str, header: str) -> list[list[str]]:
    """The rows of the Markdown table whose header row starts with ``header``, as cells."""
    lines = text.splitlines()
    start = next(index for index, line in enumerate(lines) if line.startswith(header))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows


def words(cell: str) -> set[str]:
    """The names in a table cell: those in backticks, else the comma-separated words ("—": none)."""
    quoted = re.findall(r"`([^`]+)`", cell)
    if quoted:
        return set(quoted)
    return {word.strip() for word in cell.split(",") if word.strip() not in ("", "—")}


def test_the_architecture_document_shows_the_same_layers():
    rows = markdown_table(ARCHITECTURE.read_text(encoding="utf-8"), "| layer | modules")
    documented = {row[0]: (words(row[1]), words(row[2])) for row in rows}
    expected = {
        layer: (set(modules.split()), set(may_import.split())) for layer, (modules, may_import) in LAYERS.items()
    }
    assert documented == expected
    assert list(documented) == list(LAYERS)  # in the same order, bottom to top


def test_the_architecture_document_shows_the_same_package_rules():
    rows = markdown_table(ARCHITECTURE.read_text(encoding="utf-8"), "| package | only in")
    documented = {package: row[1].split()[0].strip("`") for row in rows for package in words(row[0])}
    assert documented == ONLY_IN


@pytest.mark.parametrize("package", sorted(ONLY_IN))
def test_third_party_packages_only_where_the_table_allows(package):
    users = importers(package)
    assert users, f"nothing imports {package} any more; update ONLY_IN here and in docs/architecture.md"
    outside = sorted(module for module in users if not within(module.removeprefix("paperlink/"), ONLY_IN[package]))
    assert outside == [], f"{package} may be imported only in {ONLY_IN[package]} (docs/architecture.md)"


def test_every_module_is_scanned():
    assert {"paperlink/__init__.py", "paperlink/cli.py", "paperlink/config.py", "paperlink/paper/manifest.py"} <= set(
        IMPORTS
    )
    assert "click" in IMPORTS["paperlink/cli.py"]  # the scanner sees real imports


def module_level_imports(path: Path) -> set[str]:
    """Full names imported by the module's own top-level statements (not inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_torch_is_imported_only_when_an_audit_starts():
    """watch.py is the one module importing torch at load; nothing loads watch.py at import time."""
    top_level = {relative(path): module_level_imports(path) for path in MODULES}
    assert sorted(m for m, names in top_level.items() if any(n.split(".")[0] == "torch" for n in names)) == [
        "paperlink/runtime/watch.py"
    ]
    assert sorted(m for m, names in top_level.items() if "paperlink.runtime.watch" in names) == []


def test_the_runtime_package_and_check_with_an_audit_load_no_torch():
    code = (
        "import paperlink.runtime, paperlink.runtime.diagnostics, paperlink.runtime.entry, "
        "paperlink.runtime.show, paperlink.engine, paperlink.cli, sys; print('torch' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout == "False\n"


def test_import_paperlink_stays_light():
    code = (
        "import paperlink, sys; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'pylatexenc','libcst','torch','yaml'}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout == "[]\n"


def test_public_api():
    assert paperlink.__all__ == ["__version__", "implements"]
    assert isinstance(paperlink.__version__, str)


def test_implements_returns_the_decorated_object_unchanged():
    def loss(p, z):
        return p, z

    assert paperlink.implements("eq:x")(loss) is loss
    assert paperlink.implements("eq:loss", "hp:learning_rate", paper="simsiam")(loss) is loss

    @paperlink.implements("alg:train")
    class Trainer:
        pass

    assert Trainer.__name__ == "Trainer"


def test_starting_the_cli_imports_neither_libcst_nor_pylatexenc():
    """`paperlink rule`, `--version` and `paper show` of a manifest should start fast."""
    code = "import paperlink.cli, sys; print(sorted({m.split('.')[0] for m in sys.modules} & {'libcst', 'pylatexenc', 'torch'}))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_formats_and_cli_load_no_html_machinery():
    """The Markdown format shares the report's summary view model without loading jinja2 or latex2mathml."""
    code = (
        "import paperlink.cli, paperlink.formats, sys; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'jinja2', 'latex2mathml', 'markupsafe'}))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_version_imports_only_the_package_itself():
    """`paperlink --version` answers from the console entry point, before click and the rest load
    (checked with `python -X importtime`, which lists every module the run imported)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "paperlink", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert done.stdout == f"paperlink, version {paperlink.__version__}\n"
    assert sorted(m for m in imported if m.startswith("paperlink")) == [
        "paperlink",
        "paperlink.launch",
        "paperlink.markers",
    ]
    assert not imported & {"click", "yaml", "libcst", "pylatexenc", "jinja2"}
