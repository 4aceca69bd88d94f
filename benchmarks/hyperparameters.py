"""Benchmark and survey: the hyperparameter scan (PL4xx) on real code.

    python3 benchmarks/hyperparameters.py [FOLDER ...] [--sample 30] [--seed 6] [--show]

With no arguments it runs on the bundled sample papers (a smoke test). For each folder
(one repository) it prints the sites found by kind and source, how many numeric literals
the files hold in all (what a magic-number linter would look at), and the PL401 count with
no paper configured; then a seeded random sample of the flagged sites across all folders
(``--show`` prints the code around each, for judging them by hand). Like code with no
paperlink setup, no paper is configured and annotations are not read. Then the cost in one
process of the scan against ``libcst.parse_module`` and ``ast.parse`` of the same files.
"""

from __future__ import annotations

import argparse
import ast
import random
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from paperlink.analysis.base import Project  # noqa: E402
from paperlink.analysis.hyperparameters import conclude, scan  # noqa: E402
from paperlink.config import Config  # noqa: E402
from paperlink.source.code import CodeModule  # noqa: E402


def _files(folder: Path) -> list[tuple[str, str]]:
    found = []
    for path in sorted(folder.rglob("*.py")):
        try:
            found.append((path.relative_to(folder).as_posix(), path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError):
            continue
    return found


def _numeric_literals(tree: ast.AST) -> int:
    return sum(
        1
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool)
    )


def survey(folder: Path) -> tuple[list, list]:
    """Per-repository counts printed; returns (PL401 diagnostics, files) for sampling."""
    files = _files(folder)
    facts, literals = [], 0
    for relative, text in files:
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError):
            continue
        literals += _numeric_literals(tree)
        facts.append(scan(CodeModule(relative, text, tree)))
    sites = [site for found in facts for site in found.sites]
    conclusion = conclude(facts, Project({}, (), None, Config(root=folder)))
    hidden = [d for d in conclusion.diagnostics if d.code == "PL401"]
    kinds = Counter(site.kind.value for site in sites if site.source.value != "default")
    sources = Counter(site.source.value for site in sites)
    print(f"{folder.name}: {len(files)} files, {literals} numeric literals, {len(sites)} sites, PL401 {len(hidden)}")
    print("  explicit by kind: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
    print("  by source: " + ", ".join(f"{k} {n}" for k, n in sorted(sources.items())))
    return [(folder, d) for d in hidden], files


def timing(folders: list[Path]) -> None:
    import libcst

    texts = [text for folder in folders for _, text in _files(folder)]
    start = time.perf_counter()
    for text in texts:
        try:
            libcst.parse_module(text)
        except Exception:  # noqa: BLE001 - a file libcst refuses costs what it cost
            pass
    floor = time.perf_counter() - start
    trees, parse = [], 0.0
    for index, text in enumerate(texts):
        start = time.perf_counter()
        try:
            trees.append(CodeModule(f"f{index}.py", text, ast.parse(text)))
        except (SyntaxError, ValueError, RecursionError):
            pass
        parse += time.perf_counter() - start
    start = time.perf_counter()
    for code in trees:
        scan(code)
    cost = time.perf_counter() - start
    print(
        f"timing over {len(texts)} files: libcst.parse_module {floor:.2f}s, ast.parse {parse:.2f}s, "
        f"scan {cost:.2f}s = {100 * cost / floor:.1f}% of the libcst parse "
        f"({100 * (cost + parse) / floor:.1f}% with the ast parse)"
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path)
    parser.add_argument("--sample", type=int, default=30)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--show", action="store_true")
    parser.add_argument("--no-timing", action="store_true")
    options = parser.parse_args(argv)
    folders = options.folders or sorted(p for p in (ROOT / "sample_papers").iterdir() if p.is_dir())
    flagged = []
    for folder in folders:
        flagged.extend(survey(folder)[0])
    sample = random.Random(options.seed).sample(flagged, min(options.sample, len(flagged)))
    print(f"sample of {len(sample)} PL401 sites (seed {options.seed}):")
    for folder, diagnostic in sorted(sample, key=lambda pair: (pair[0].name, pair[1].span)):
        print(f"  {folder.name}/{diagnostic.span.path}:{diagnostic.span.line}: {diagnostic.message}")
        if options.show:
            lines = (folder / diagnostic.span.path).read_text(encoding="utf-8").splitlines()
            for number in range(max(1, diagnostic.span.line - 2), min(len(lines), diagnostic.span.line + 1) + 1):
                print(f"      {number:5d} {lines[number - 1]}")
    if not options.no_timing:
        timing(folders)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
