"""Zero-crash sweep: ``paperlink check`` over real code with annotations planted in it.

    python3 benchmarks/sweep.py [FOLDER ...] [--jobs 2] [--every 3] [--timeout 3600]

With no arguments it sweeps the bundled sample papers' folder (a smoke test). For each
folder it copies the tree's .py files into a temp dir, adds a throwaway paper manifest
(sections, equations, an algorithm, hyperparameters) and, in every ``--every``-th file,
plants three annotations: a comment above a ``def``, a trailing comment on a one-line
statement and an ``@paperlink.implements(...)`` decorator on a function. A rotating
share of them is wrong on purpose (unknown item, unknown paper, empty, non-literal).
It then runs ``python3 -m paperlink check TMP --format json -q --jobs N`` in a subprocess
and prints the exit code (3 means paperlink crashed: a bug; the traceback tail is
printed and the crashing files are looked for one at a time), the files checked, the
diagnostics by code, and every planted annotation whose outcome differs from the
expected link or diagnostic.
"""

from __future__ import annotations

import argparse
import ast
import io
import json
import shutil
import subprocess
import sys
import tempfile
import time
import tokenize
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_MANIFEST = """\
title: Sweep paper
items:
  - {kind: section, number: "1", label: "sec:intro", title: Introduction}
  - {kind: section, number: "2", label: "sec:method", title: Method}
  - {kind: section, number: "2.1", label: "sec:loss", parent: "sec:method"}
  - {kind: equation, number: "1", label: "eq:loss", parent: "sec:method"}
  - {kind: equation, number: "2", label: "eq:update", parent: "sec:method"}
  - {kind: equation, number: "3", label: "eq:unused"}
  - {kind: algorithm, number: "1", label: "alg:train"}
  - {kind: hyperparameter, name: learning rate, value: 0.001}
  - {kind: hyperparameter, name: batch size, value: 256}
"""
_CONFIG = "papers:\n  sweep: paper.yaml\ndefault-paper: sweep\n"

# (annotation text, expected outcome): a frozenset of linked item keys, or a diagnostic code.
_ABOVE_DEF = (
    ("# paper: Eq. 1", frozenset({"eq:loss"})),
    ("# paper: eq:loss, Sec. 2.1", frozenset({"eq:loss", "sec:loss"})),
    ("# paper: Eq. 99", "PL101"),
    ("# paper[nope]: Eq. 1", "PL103"),
    ("# paper: Alg. 1", frozenset({"alg:train"})),
)
_TRAILING = (
    ("# paper: Eq. 2", frozenset({"eq:update"})),
    ("# paper: hp:learning_rate", frozenset({"hp:learning_rate"})),
    ("# paper: Sec. 1", frozenset({"sec:intro"})),
    ("# paper:", "PL102"),
    ("# paper: Sec. 9.9", "PL101"),
)
_DECORATOR = (
    ('@paperlink.implements("eq:loss")', frozenset({"eq:loss"})),
    ('@paperlink.implements("Eq. 2", "hp:batch_size", paper="sweep")', frozenset({"eq:update", "hp:batch_size"})),
    ('@paperlink.implements("eq:nope")', "PL101"),
    ("@paperlink.implements(SOME_NAME)", "PL102"),
)


@dataclass
class Planted:
    """One annotation written into a copied file, and what paperlink should make of it."""

    path: str  # relative to the project root, POSIX
    line: int  # 1-based, in the edited file
    form: str  # comment or decorator
    text: str
    expected: frozenset[str] | str
    target_name: str  # "" for a statement


@dataclass
class Edits:
    """Lines to insert before original line numbers, and trailing comments to append."""

    before: dict[int, list[tuple[str, Planted | None]]] = field(default_factory=dict)
    trailing: dict[int, tuple[str, Planted]] = field(default_factory=dict)


# -- finding places in a file ----------------------------------------------------------------


class _Definitions(ast.NodeVisitor):
    """Functions with their qualified names, in source order."""

    def __init__(self) -> None:
        self.scope: list[str] = []
        self.found: list[tuple[ast.FunctionDef | ast.AsyncFunctionDef, str]] = []

    def _enter(self, node, record: bool) -> None:
        if record:
            self.found.append((node, ".".join([*self.scope, node.name])))
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._enter(node, True)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._enter(node, True)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._enter(node, False)


def _comment_lines(text: str) -> set[int]:
    lines: set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.COMMENT:
            lines.add(token.start[0])
    return lines


def _lonely_statement(tree: ast.Module, lines: list[str], commented: set[int]) -> ast.stmt | None:
    """A one-line simple statement alone on its line: no comment, no backslash, no annotation of its own."""
    starts = Counter(node.lineno for node in ast.walk(tree) if isinstance(node, ast.stmt))
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr, ast.Return, ast.Pass)):
            continue
        line = node.lineno
        if node.end_lineno != line or starts[line] != 1 or line in commented:
            continue
        text = lines[line - 1].rstrip("\r\n")
        if text[: node.col_offset].strip() or text.rstrip().endswith(("\\", ";")) or "paper" in text.lower():
            continue
        return node
    return None


def _import_line(tree: ast.Module) -> int:
    """The original line before which ``import paperlink`` can go: after docstring and __future__."""
    after = 0
    for index, node in enumerate(tree.body):
        docstring = index == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        future = isinstance(node, ast.ImportFrom) and node.module == "__future__"
        if not (docstring or future):
            break
        after = node.end_lineno
    return after + 1


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


# -- planting --------------------------------------------------------------------------------


def plan(text: str, relative: str, turn: int) -> Edits | None:
    """Where the three annotations go in ``text``, or None when the file offers no place."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
    finder = _Definitions()
    finder.visit(tree)
    lines = text.splitlines(keepends=True)
    try:
        commented = _comment_lines(text)
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return None
    edits = Edits()
    if finder.found:
        _plant_above_def(edits, lines, relative, turn, *finder.found[0])
        _plant_decorator(edits, lines, relative, turn, tree, *finder.found[-1])
    statement = _lonely_statement(tree, lines, commented)
    if statement is not None:
        text_, expected = _TRAILING[turn % len(_TRAILING)]
        edits.trailing[statement.lineno] = (text_, Planted(relative, 0, "comment", text_, expected, ""))
    return edits if (edits.before or edits.trailing) else None


def _first_line(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    return min([node.lineno, *(d.lineno for d in node.decorator_list)])


def _plant_above_def(edits: Edits, lines, relative: str, turn: int, node, name: str) -> None:
    text, expected = _ABOVE_DEF[turn % len(_ABOVE_DEF)]
    line = _first_line(node)
    planted = Planted(relative, 0, "comment", text, expected, name)
    edits.before.setdefault(line, []).append((_indent(lines[node.lineno - 1]) + text, planted))


def _plant_decorator(edits: Edits, lines, relative: str, turn: int, tree: ast.Module, node, name: str) -> None:
    text, expected = _DECORATOR[turn % len(_DECORATOR)]
    line = _first_line(node)
    planted = Planted(relative, 0, "decorator", text, expected, name)
    # Below any comment planted above the same def, so that comment binds to the def.
    edits.before.setdefault(line, []).append((_indent(lines[node.lineno - 1]) + text, planted))
    edits.before.setdefault(_import_line(tree), []).insert(0, ("import paperlink", None))


def apply(text: str, edits: Edits) -> tuple[str, list[Planted]]:
    """The edited text, and each planted annotation with its line in it."""
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    planted: list[Planted] = []
    for number in range(1, len(lines) + 2):
        for inserted, record in edits.before.get(number, []):
            if number > len(lines) and out and not out[-1].endswith(("\n", "\r")):
                out[-1] += newline
            out.append(inserted + newline)
            if record is not None:
                record.line = len(out)
                planted.append(record)
        if number <= len(lines):
            line = lines[number - 1]
            if number in edits.trailing:
                comment, record = edits.trailing[number]
                body = line.rstrip("\r\n")
                line = f"{body}  {comment}{line[len(body) :] or newline}"
                record.line = len(out) + 1
                planted.append(record)
            out.append(line)
    return "".join(out), planted


def plant(path: Path, relative: str, turn: int) -> tuple[list[Planted], bool]:
    """Plant annotations in ``path`` in place; (planted, True when an edit had to be undone)."""
    data = path.read_bytes()
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return [], False
    bom = text.startswith("\ufeff")
    edits = plan(text.removeprefix("\ufeff"), relative, turn)
    if edits is None:
        return [], False
    new_text, planted = apply(text.removeprefix("\ufeff"), edits)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ast.parse(new_text)
        except (SyntaxError, ValueError):
            return [], True  # an edit broke the file: leave it as it was
    path.write_bytes((("\ufeff" if bom else "") + new_text).encode(encoding))
    return planted, False


# -- the sweep -------------------------------------------------------------------------------


def _keep_python(folder: str, names: list[str]) -> set[str]:
    return {name for name in names if not name.endswith(".py") and not Path(folder, name).is_dir()}


def make_project(source: Path, temp: Path, every: int) -> tuple[list[Planted], tuple[int, int], int]:
    """Copy ``source``'s .py files into ``temp``, add the paper, plant annotations."""
    (temp / "paper.yaml").write_text(_MANIFEST, encoding="utf-8")
    (temp / "paperlink.yaml").write_text(_CONFIG, encoding="utf-8")
    code = temp / source.name
    shutil.copytree(source, code, symlinks=True, ignore=_keep_python)
    copied = sum(1 for p in code.rglob("*.py") if p.is_file())
    files = _checked_files(temp, code)
    planted: list[Planted] = []
    undone = 0
    for index, path in enumerate(files):
        if index % every:
            continue
        found, reverted = plant(path, path.relative_to(temp).as_posix(), index // every)
        planted.extend(found)
        undone += reverted
    return planted, (copied, len(files)), undone


def _checked_files(project: Path, code: Path) -> list[Path]:
    """The files paperlink will check (it skips build/, dist/, hidden folders...): plant only there."""
    sys.path.insert(0, str(ROOT))
    from paperlink.config import load_config
    from paperlink.source.files import discover

    return [p for p in discover([code], load_config(project / "paperlink.yaml")) if not p.is_symlink()]


def run_check(project: Path, jobs: int, timeout: int, target: Path | None = None) -> tuple[int, str, str, float]:
    command = [
        sys.executable,
        "-m",
        "paperlink",
        "check",
        str(target or project),
        "--format",
        "json",
        "-q",
        "--jobs",
        str(jobs),
    ]
    start = time.perf_counter()
    try:
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return -1, "", f"timed out after {timeout} s", time.perf_counter() - start
    return done.returncode, done.stdout, done.stderr, time.perf_counter() - start


def compare(planted: list[Planted], report: dict) -> list[str]:
    """Planted annotations whose links or diagnostics differ from the expected ones."""
    links: dict[tuple[str, int], list[dict]] = {}
    for link in report["links"]:
        links.setdefault((link["span"]["path"], link["span"]["line"]), []).append(link)
    codes: dict[tuple[str, int], set[str]] = {}
    for diagnostic in report["diagnostics"]:
        codes.setdefault((diagnostic["span"]["path"], diagnostic["span"]["line"]), set()).add(diagnostic["code"])
    problems = []
    for item in planted:
        where = (item.path, item.line)
        found = links.get(where, [])
        keys = frozenset(link["item"] for link in found)
        names = {link["target_name"] for link in found}
        if isinstance(item.expected, str):
            ok = item.expected in codes.get(where, set()) and not found
        else:
            ok = keys == item.expected and names == {item.target_name} and not codes.get(where)
        if not ok:
            problems.append(
                f"{item.path}:{item.line}: {item.text!r} expected {_show(item.expected)} on {item.target_name or 'a statement'}, "
                f"got links {sorted(keys)} on {sorted(names)}, codes {sorted(codes.get(where, set()))}"
            )
    return problems


def _show(expected: frozenset[str] | str) -> str:
    return expected if isinstance(expected, str) else f"links {sorted(expected)}"


def _other_diagnostics(planted: list[Planted], report: dict) -> Counter:
    places = {(item.path, item.line) for item in planted}
    return Counter(
        d["code"]
        for d in report["diagnostics"]
        if (d["span"]["path"], d["span"]["line"]) not in places and d["span"]["path"] != "paper.yaml"
    )


def _crashing_files(project: Path, jobs: int, timeout: int) -> list[str]:
    crashing = []
    for path in sorted(project.rglob("*.py")):
        code, _, stderr, _ = run_check(project, 1, timeout, path)
        if code == 3:
            crashing.append(f"{path.relative_to(project).as_posix()}: {stderr.strip().splitlines()[-3:]}")
    return crashing


def _place(item: Planted) -> str:
    if item.form == "decorator":
        return "decorator"
    return "above-def" if item.target_name else "trailing"


def sweep(folder: Path, jobs: int, every: int, timeout: int) -> int:
    """Sweep one folder and print what happened; the exit code of the check."""
    with tempfile.TemporaryDirectory(prefix="paperlink-sweep-") as temp:
        project = Path(temp)
        planted, copied, undone = make_project(folder, project, every)
        code, stdout, stderr, seconds = run_check(project, jobs, timeout)
        forms = Counter(_place(item) for item in planted)
        print(f"folder:     {folder}")
        print(f"exit:       {code} in {seconds:.1f} s (0 clean, 1 diagnostics, 2 error, 3 crash)")
        print(
            f"copied:     {copied[0]} .py files, {copied[1]} of them discovered; planted {len(planted)} annotations in 1 of every {every} discovered files "
            f"{json.dumps(dict(sorted(forms.items())))}; {undone} files left unplanted (an edit broke the parse)"
        )
        if code not in (0, 1):
            print("stderr tail:\n" + "\n".join(stderr.strip().splitlines()[-25:]))
            if code == 3:
                for line in _crashing_files(project, jobs, timeout):
                    print(f"crash:      {line}")
            return code
        report = json.loads(stdout)
        by_code = Counter(d["code"] for d in report["diagnostics"])
        by_form = Counter(link["form"] for link in report["links"])
        print(f"files:      {report['files']} checked")
        print(f"links:      {len(report['links'])} {json.dumps(dict(sorted(by_form.items())))}")
        print(f"codes:      {json.dumps(dict(sorted(by_code.items())))}")
        print(
            f"unplanted:  {json.dumps(dict(sorted(_other_diagnostics(planted, report).items())))} (diagnostics off planted lines and the paper)"
        )
        problems = compare(planted, report)
        print(f"mismatches: {len(problems)} of {len(planted)} planted annotations")
        for problem in problems[:20]:
            print(f"  {problem}")
        return code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--every", type=int, default=3, help="plant annotations in every N-th file")
    parser.add_argument("--timeout", type=int, default=3600, help="seconds allowed for one check")
    args = parser.parse_args()
    exits = Counter()
    for folder in args.folders or [ROOT / "sample_papers"]:
        exits[sweep(folder.resolve(), args.jobs, args.every, args.timeout)] += 1
        print()
    print(f"exit codes: {json.dumps({str(k): v for k, v in sorted(exits.items())})}")
    sys.exit(1 if exits.get(3) or exits.get(-1) else 0)


if __name__ == "__main__":
    main()
