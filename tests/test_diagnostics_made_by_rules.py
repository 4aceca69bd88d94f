"""One way to make a diagnostic: its rule's ``Rule.at``, which stamps the rule's code and a
severity the rule declares. Checked by parsing every module of paperlink with ``ast``."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

import paperlink
from paperlink.analysis import ANALYSES
from paperlink.cache import from_data, to_data
from paperlink.diagnostics import Diagnostic, Severity
from paperlink.rules import ALL_RULES
from paperlink.spans import Span

PACKAGE = Path(paperlink.__file__).resolve().parent
MODULES = sorted(PACKAGE.rglob("*.py"))
THE_ONE_PLACE = ("paperlink/rules/base.py", "Rule.at")  # the one ``Diagnostic(...)`` in paperlink


def _named_diagnostic(node: ast.expr) -> bool:
    return (isinstance(node, ast.Name) and node.id == "Diagnostic") or (
        isinstance(node, ast.Attribute) and node.attr == "Diagnostic" and not _protocol_types(node.value)
    )


def _protocol_types(node: ast.expr) -> bool:
    """``types.Diagnostic`` in the language server is lsprotocol's message carrying a finding to
    the editor (``from lsprotocol import types``), not a finding made outside its rule."""
    return isinstance(node, ast.Name) and node.id == "types"


class _Finder(ast.NodeVisitor):
    """Every way a module could build a diagnostic itself, with the class.function it is in."""

    def __init__(self) -> None:
        self.scope: list[str] = []
        self.found: list[tuple[int, str, str]] = []  # (line, where, what)

    def _nested(self, node: ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    visit_ClassDef = visit_FunctionDef = visit_AsyncFunctionDef = _nested

    def _add(self, node: ast.AST, what: str) -> None:
        self.found.append((node.lineno, ".".join(self.scope), what))

    def visit_Call(self, node: ast.Call) -> None:
        if _named_diagnostic(node.func):
            self._add(node, "Diagnostic(...)")
        callee = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        changed = sorted(k.arg for k in node.keywords if k.arg in ("code", "severity"))
        if callee == "replace" and changed:  # dataclasses.replace(diagnostic, severity=...)
            self._add(node, f"replace(..., {'=, '.join(changed)}=)")
        self.generic_visit(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        for alias in node.names:
            if alias.name == "Diagnostic" and alias.asname not in (None, "Diagnostic"):
                self._add(node, f"Diagnostic imported as {alias.asname}")

    def visit_Assign(self, node: ast.Assign) -> None:
        if _named_diagnostic(node.value):
            self._add(node, "Diagnostic bound to another name")
        self.generic_visit(node)


def _constructions() -> list[tuple[str, int, str, str]]:
    found = []
    for path in MODULES:
        finder = _Finder()
        finder.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        module = path.relative_to(PACKAGE.parent).as_posix()
        found += [(module, line, where, what) for line, where, what in finder.found]
    return found


def test_only_rules_make_diagnostics():
    """A diagnostic made anywhere but ``Rule.at`` could carry a code's wrong severity: write
    ``TheRule.at(span, message)`` instead (``paperlink/rules/base.py``)."""
    found = _constructions()
    elsewhere = [
        f"{module}:{line} in {where or 'module'}: {what}"
        for module, line, where, what in found
        if (module, where) != THE_ONE_PLACE
    ]
    assert elsewhere == []
    assert [(module, where) for module, _, where, _ in found] == [THE_ONE_PLACE], "Rule.at moved: update THE_ONE_PLACE"


def test_the_finder_sees_each_way_around():
    source = """
from paperlink.diagnostics import Diagnostic as D
import paperlink.diagnostics
make = Diagnostic
def f(d):
    paperlink.diagnostics.Diagnostic(s, "PL201", "m")
    return replace(d, severity=Severity.INFO)
"""
    finder = _Finder()
    finder.visit(ast.parse(source))
    assert [(line, what) for line, _, what in finder.found] == [
        (2, "Diagnostic imported as D"),
        (4, "Diagnostic bound to another name"),
        (6, "Diagnostic(...)"),
        (7, "replace(..., severity=)"),
    ]


def test_the_cache_has_each_diagnostic_made_again_by_its_rule():
    """The cache's codec is the one place diagnostics are read back: it goes through Rule.at too."""
    kept = Diagnostic(Span("a.py", 10, 5), "PL502", "scatter_add_() accumulates", Severity.INFO)
    assert from_data(Diagnostic, json.loads(json.dumps(to_data(kept)))) == kept
    with pytest.raises(ValueError, match="PL001 reports at error, not info"):
        from_data(Diagnostic, to_data(Diagnostic(Span("a.py", 1), "PL001", "m", Severity.INFO)))
    with pytest.raises(KeyError):
        from_data(Diagnostic, to_data(Diagnostic(Span("a.py", 1), "PL999", "m", Severity.INFO)))


def test_each_analysis_reports_the_codes_of_the_rules_naming_it():
    names = {analysis.name for analysis in ANALYSES}
    assert sorted({rule.analysis for rule in ALL_RULES} - names - {""}) == []
    assert all(analysis.codes for analysis in ANALYSES)
    # every code rule (PL2xx-PL5xx) is reported by an analysis: selecting it alone must run one
    assert [rule.code for rule in ALL_RULES if "PL200" <= rule.code < "PL600" and not rule.analysis] == []
    codes = [code for analysis in ANALYSES for code in analysis.codes]
    assert len(codes) == len(set(codes))


def test_rules_sit_below_what_makes_diagnostics():
    """``source/``, ``paper/`` and ``configfiles/`` import the rule classes, so rules import
    nothing of paperlink but diagnostics, spans and each other (no cycle, a light import)."""
    allowed = {"paperlink.diagnostics", "paperlink.spans", "paperlink.rules"}
    found = []
    for path in sorted((PACKAGE / "rules").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "paperlink":
                if not any(node.module == a or node.module.startswith(a + ".") for a in allowed):
                    found.append(f"{path.name}: {node.module}")
            elif isinstance(node, ast.Import):
                found += [f"{path.name}: {a.name}" for a in node.names if a.name.split(".")[0] == "paperlink"]
    assert found == []
