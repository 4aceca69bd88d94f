"""PL402/PL404/PL017 on real paper-plus-code repositories, annotated as their authors would.

Each ``benchmarks/paper_code/<owner>__<name>.yaml`` pins a repository (fetched into
``--repos DIR`` as ``owner+name/repo``, a git directory or checkout) at a commit, names its
paper's main ``.tex`` and the code to check, lists the annotations an author would add (path,
line, comment text, written at the end of that line or on a line of its own above it) and
one true/false judgement per finding, keyed ``CODE path:line:column``. The script copies the
commit's text files to a temporary folder, applies the annotations, runs ``paperlink check
--select PL402,PL404,PL017 --format json`` and prints every finding beside its judgement
("unjudged" where there is none), counts per code and PL402 precision (true / judged).

    python3 benchmarks/paper_code.py --repos /work/.mirror
    python3 benchmarks/paper_code.py --repos /work/.mirror --code /work/main   # the same overlay, another checkout

Fetched code is never committed: only the overlays and judgements are.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
OVERLAYS = HERE / "paper_code"
CODES = ("PL402", "PL404", "PL017")
TEXT = (".py", ".tex", ".yaml", ".yml", ".json", ".toml", ".cfg", ".bib", ".sty", ".cls", ".txt", ".bbl")


@dataclass(frozen=True)
class Finding:
    code: str
    where: str  # path:line:column
    message: str
    verdict: str  # "true", "false" or "unjudged"
    why: str


def _git_dir(repos: Path, name: str) -> Path:
    folder = repos / name / "repo"
    return folder if folder.exists() else repos / name


def _copy(git_dir: Path, commit: str, target: Path) -> None:
    """The commit's text files (big binaries may be absent from a snapshot: skipped)."""
    listing = subprocess.run(
        ["git", "-C", str(git_dir), "ls-tree", "-r", "-z", commit], capture_output=True, check=True
    ).stdout.decode()
    for entry in filter(None, listing.split("\0")):
        meta, path = entry.split("\t", 1)
        if meta.split()[1] != "blob" or not path.endswith(TEXT):
            continue
        shown = subprocess.run(["git", "-C", str(git_dir), "cat-file", "blob", meta.split()[2]], capture_output=True)
        if shown.returncode == 0:
            (target / path).parent.mkdir(parents=True, exist_ok=True)
            (target / path).write_bytes(shown.stdout)


def _annotate(root: Path, annotations: list[dict[str, Any]]) -> None:
    """Each annotation at the end of its line (``at: end``, the default) or on a line of its
    own above it, indented like it (``at: above``); lines are the commit's, applied bottom up."""
    by_path: dict[str, list[dict[str, Any]]] = {}
    for annotation in annotations:
        by_path.setdefault(annotation["path"], []).append(annotation)
    for path, entries in by_path.items():
        lines = (root / path).read_text(encoding="utf-8").split("\n")
        for entry in sorted(entries, key=lambda e: e["line"], reverse=True):
            index = entry["line"] - 1
            if entry.get("at", "end") == "end":
                lines[index] = f"{lines[index].rstrip()}  {entry['comment']}"
            else:
                indent = lines[index][: len(lines[index]) - len(lines[index].lstrip())]
                lines.insert(index, f"{indent}{entry['comment']}")
        (root / path).write_text("\n".join(lines), encoding="utf-8")


def _check(root: Path, overlay: dict[str, Any], code: Path) -> list[dict[str, Any]]:
    settings = ["[tool.paperlink]", f'papers = {{paper = "{overlay["paper"]}"}}']
    if overlay.get("config_files"):
        settings.append(f"config-files = {json.dumps(overlay['config_files'])}")
    (root / "paperlink.toml").unlink(missing_ok=True)
    (root / "pyproject.toml").write_text("\n".join(settings) + "\n", encoding="utf-8")
    targets = overlay.get("include") or ["."]
    environment = {**os.environ, "PYTHONPATH": str(code)}
    done = subprocess.run(
        [sys.executable, "-m", "paperlink", "check", *targets, "--select", ",".join(CODES), "--format", "json"]
        + ["--no-cache"],
        cwd=root,
        capture_output=True,
        text=True,
        env=environment,
    )
    if done.returncode not in (0, 1):
        raise SystemExit(f"paperlink check failed ({done.returncode}) on {overlay['repository']}:\n{done.stderr}")
    return list(json.loads(done.stdout)["diagnostics"])


def evaluate(repos: Path, overlay_path: Path, code: Path) -> list[Finding]:
    overlay = yaml.safe_load(overlay_path.read_text(encoding="utf-8"))
    name = overlay["repository"].replace("/", "+")
    judged = {entry["finding"]: entry for entry in overlay.get("judgements") or []}
    with tempfile.TemporaryDirectory(prefix="paper_code_") as folder:
        root = Path(folder)
        _copy(_git_dir(repos, name), overlay["commit"], root)
        _annotate(root, overlay.get("annotations") or [])
        diagnostics = _check(root, overlay, code)
    found = []
    for diagnostic in diagnostics:
        span = diagnostic["span"]
        where = f"{span['path']}:{span['line']}:{span['column']}"
        entry = judged.get(f"{diagnostic['code']} {where}")
        verdict = "unjudged" if entry is None else ("true" if entry["correct"] else "false")
        found.append(Finding(diagnostic["code"], where, diagnostic["message"], verdict, entry["why"] if entry else ""))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repos", type=Path, required=True, help="folder holding owner+name/repo snapshots")
    parser.add_argument(
        "--code", type=Path, default=HERE.parent, help="the paperlink checkout to run (default: this one)"
    )
    parser.add_argument("names", nargs="*", help="overlay names (owner__name); default: all")
    options = parser.parse_args()
    overlays = sorted(OVERLAYS.glob("*.yaml"))
    if options.names:
        overlays = [path for path in overlays if path.stem in options.names]
    totals: dict[str, dict[str, int]] = {code: {"true": 0, "false": 0, "unjudged": 0} for code in CODES}
    for overlay_path in overlays:
        findings = evaluate(options.repos, overlay_path, options.code.resolve())
        print(f"== {overlay_path.stem}: {len(findings)} findings")
        for finding in findings:
            print(f"  {finding.code} {finding.where} {finding.message}")
            print(f"      {finding.verdict.upper()}{': ' + finding.why if finding.why else ''}")
            totals[finding.code][finding.verdict] += 1
    print("\ncode   total  true  false  unjudged")
    for code, counts in totals.items():
        print(f"{code}  {sum(counts.values()):5}  {counts['true']:4}  {counts['false']:5}  {counts['unjudged']:8}")
    judged = totals["PL402"]["true"] + totals["PL402"]["false"]
    precision = f"{totals['PL402']['true'] / judged:.2f}" if judged else "n/a (no judged PL402)"
    print(f"PL402 precision: {precision} ({totals['PL402']['true']}/{judged} judged)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
