"""Rule fixture pairs: each case's diagnostics for its folder's code, exactly as expected.

Layout (ruff's and Fixit's): ``fixtures/<CODE>_<slug>/<case>.py`` with ``<case>.expected``
beside it, one ``LINE:COLUMN CODE [SEVERITY] message`` per line (``12:9 PL202 [warning] ...``;
``#`` lines are comments); a case
may be a notebook, ``<case>.ipynb``, whose lines read ``cell N:LINE:COLUMN CODE [SEVERITY] message``; a case
may also be a folder of files (``<case>/`` with ``<case>.expected`` holding
``PATH:LINE:COLUMN CODE [SEVERITY] message`` lines, PATH relative to the case folder). Cases are
checked against the folder's own ``paper.tex`` (or ``paper.yaml``, a manifest) when it has one, else ``fixtures/paper.tex``,
with only the folder's code selected; a folder case may hold a ``pyproject.toml`` whose
``[tool.paperlink]`` settings apply (``config-files`` globs). An empty ``.expected`` is a clean case: the code
must not fire. ``PAPERLINK_REGENERATE=1`` rewrites the expected files from what is found.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from paperlink.config import Config, PaperSource, load_config
from paperlink.engine import check
from paperlink.rules import ALL_RULES, rule_by_code

FIXTURES = Path(__file__).parent / "fixtures"
REGENERATE = os.environ.get("PAPERLINK_REGENERATE") == "1"


def _cases() -> list[tuple[str, Path]]:
    cases = []
    for folder in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        code = folder.name.split("_", 1)[0]
        for case in sorted(folder.iterdir()):
            if case.suffix in (".py", ".ipynb") or (case.is_dir() and case.name != "__pycache__"):
                cases.append((code, case))
    return cases


CASES = _cases()


def _found(code: str, case: Path) -> list[str]:
    folder = case.parent
    paper = next(
        (folder / name for name in ("paper.tex", "paper.yaml") if (folder / name).is_file()), FIXTURES / "paper.tex"
    )
    root = case if case.is_dir() else folder
    config = Config(root=root, papers=(PaperSource("paper", paper),))
    own = case / "pyproject.toml"  # a case's own settings; an environment-file case may hold a broken one
    if case.is_dir() and own.is_file() and "[tool.paperlink]" in own.read_text(encoding="utf-8", errors="replace"):
        config = dataclasses.replace(load_config(own), papers=config.papers)
    report = check(config, [case], jobs=1, select=[code])
    lines = []
    for diagnostic in report.diagnostics:
        assert diagnostic.severity in rule_by_code(diagnostic.code).severities(), diagnostic
        where = f"{diagnostic.span.line}:{diagnostic.span.column}"
        if diagnostic.span.cell is not None:
            where = f"cell {diagnostic.span.cell}:{where}"
        if case.is_dir():  # the shared paper lies outside the case: relative to it, for any checkout
            path = diagnostic.span.path
            where = f"{os.path.relpath(path, root) if os.path.isabs(path) else path}:{where}"
        lines.append(f"{where} {diagnostic.code} [{diagnostic.severity.value}] {diagnostic.message}")
    return lines


def _expected_file(case: Path) -> Path:
    return case.with_suffix(".expected") if case.is_file() else case.parent / f"{case.name}.expected"


@pytest.mark.parametrize(("code", "case"), CASES, ids=[f"{c.parent.name}/{c.name}" for _, c in CASES])
def test_fixture(code: str, case: Path) -> None:
    found = _found(code, case)
    expected_file = _expected_file(case)
    if REGENERATE:
        expected_file.write_text("".join(f"{line}\n" for line in found), encoding="utf-8")
    expected = [
        line
        for line in expected_file.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert found == expected


def test_every_code_rule_has_a_flagged_and_a_clean_fixture() -> None:
    """Codes from PL2xx on are found in code: each needs a case that fires and one that must not."""
    by_code: dict[str, list[bool]] = {}
    for code, case in CASES:
        text = _expected_file(case).read_text(encoding="utf-8") if _expected_file(case).exists() else ""
        by_code.setdefault(code, []).append(any(f" {code} " in line for line in text.splitlines()))
    missing = []
    for rule in ALL_RULES:
        if rule.code >= "PL200" and rule.code < "PL900":
            flags = by_code.get(rule.code, [])
            if True not in flags or False not in flags:
                missing.append(rule.code)
    assert missing == []
