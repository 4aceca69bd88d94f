"""Module boundaries (STYLE.md's module map), checked by parsing every module's imports."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import paperlink

PACKAGE = Path(paperlink.__file__).resolve().parent
MODULES = sorted(PACKAGE.rglob("*.py"))


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


def is_latex_reader(module: str) -> bool:
    return module == "paperlink/paper/latex.py" or module.startswith("paperlink/paper/latex/")


def test_every_module_is_scanned():
    assert {"paperlink/__init__.py", "paperlink/cli.py", "paperlink/config.py", "paperlink/paper/manifest.py"} <= set(IMPORTS)
    assert "click" in IMPORTS["paperlink/cli.py"]  # the scanner sees real imports


def test_pylatexenc_only_in_the_latex_reader():
    users = importers("pylatexenc")
    assert users, "the LaTeX reader no longer imports pylatexenc; update this test"
    assert sorted(module for module in users if not is_latex_reader(module)) == []


def test_torch_only_in_runtime():
    assert sorted(m for m in importers("torch") if not m.startswith("paperlink/runtime/")) == []


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


@pytest.mark.parametrize("package", ["libcst", "pylatexenc", "torch"])
def test_config_and_paper_do_not_import_heavy_packages(package):
    owners = [m for m in IMPORTS if m == "paperlink/config.py" or m.startswith("paperlink/paper/")]
    offenders = [m for m in owners if package in IMPORTS[m]]
    if package == "pylatexenc":
        offenders = [m for m in offenders if not is_latex_reader(m)]
    assert offenders == []


def test_click_only_in_cli():
    assert importers("click") == {"paperlink/cli.py"}


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


@pytest.mark.parametrize("package", ["jinja2", "latex2mathml", "markupsafe"])
def test_html_packages_only_in_the_report(package):
    assert sorted(m for m in importers(package) if not m.startswith("paperlink/report/")) == []


def test_formats_and_cli_load_no_html_machinery():
    """The Markdown format shares the report's summary view model without loading jinja2 or latex2mathml."""
    code = (
        "import paperlink.cli, paperlink.formats, sys; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'jinja2', 'latex2mathml', 'markupsafe'}))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
