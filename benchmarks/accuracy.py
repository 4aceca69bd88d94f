"""Benchmark: what paperlink infers on real public ML code, scored against hand labels.

    python3 benchmarks/accuracy.py --repos DIR [--split SPLIT[,SPLIT]|all] [--json] [LABELS ...]

The labels live in ``benchmarks/labels/<owner>__<repo>.yaml`` (the format and what counts as
an item: ``benchmarks/labels/README.md``). Each names a public repository at a pinned commit,
the files labelled exhaustively, and in them every gradient stop, every function that reads
or mutates module-level state, every hyperparameter site, and labelled negatives (what a
linter might wrongly report). The fetched code is never committed: ``--repos DIR`` holds it,
as any of ``DIR/owner+repo/repo`` or ``DIR/owner+repo`` (a git directory: the pinned commit
is exported) or ``DIR/owner__repo`` / ``DIR/repo`` (a checkout at that commit). Repositories
not present are listed and skipped.

paperlink runs once per repository (``check --format json --select PL2,PL3,PL4,PL5``, the
checkout's own code, no cache); its inventory (the ``gradient_stops``, ``hidden_inputs`` and
``hyperparameters`` sections) is scored in the labelled files only. Units:

* gradient stops and hyperparameters: a line. A reported item matches a label when the
  label's line lies in the item's span; several labels on one line are one unit.
* hidden state: a (file, function, module-level name) pair, from ``read_by``/``written_by``.

Splits: ``heldout`` (labelled blind and never studied: the honest number), ``dev`` (studied
and tuned on) and ``opened`` (held out when first quoted, then opened for tuning; see the
labels' README). ``--split dev,opened`` selects several.

Printed per family, per split and per repository: recall of all labels and of core labels;
precision against labelled negatives (matched / (matched + items on a negative)); strict
precision (matched / every item reported in the labelled files: an unlabelled item counts as
false, which is fair because the files are labelled exhaustively); for gradient stops the
context agreement on matched stops and the number of PL201 diagnostics on stops the labels
call evaluation or setup. The numbers are quoted in notes, never asserted by tests.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
LABELS = Path(__file__).resolve().parent / "labels"
FAMILIES = ("gradient_stops", "hidden_state", "hyperparameters")
SPLITS = ("heldout", "dev", "opened")

# A labelled context and the contexts paperlink may give it and still agree. paperlink has no
# context of its own for logging: it calls a stop whose value only feeds monitoring
# "evaluation", which agrees with a "logging" label and with nothing else.
AGREEING_CONTEXTS = {
    "training": {"training"},
    "target_update": {"target_update"},
    "evaluation": {"evaluation"},
    "setup": {"setup"},
    "logging": {"logging", "evaluation"},
}


@dataclass(frozen=True)
class Label:
    """One labelled item or negative."""

    path: str
    line: int
    family: str
    kind: str
    core: bool = False
    context: str | None = None
    function: str | None = None
    name: str | None = None
    line_sha: str | None = None  # digest of the labelled line, stripped: the label still points at it


@dataclass(frozen=True)
class LabelSet:
    """One repository's labels."""

    repo: str
    commit: str
    split: str
    files: tuple[str, ...]
    lines: int
    items: tuple[Label, ...]
    negatives: tuple[Label, ...]
    source: Path
    excluded: str | None = None  # why the set is kept but not scored (e.g. Python 2 code no parser reads)


@dataclass(frozen=True)
class Reported:
    """One item of paperlink's inventory in a labelled file."""

    family: str
    path: str
    line: int
    end_line: int
    context: str | None = None
    function: str | None = None
    name: str | None = None


@dataclass
class Score:
    """Counts for one family over one or more repositories."""

    labels: int = 0
    found: int = 0
    core: int = 0
    core_found: int = 0
    reported: int = 0
    matched_reported: int = 0
    on_negatives: int = 0
    contexts: int = 0
    contexts_agreeing: int = 0
    pl201_on_eval_or_setup: int = 0
    missed: list[str] = field(default_factory=list)
    false: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        for name in (
            "labels",
            "found",
            "core",
            "core_found",
            "reported",
            "matched_reported",
            "on_negatives",
            "contexts",
            "contexts_agreeing",
            "pl201_on_eval_or_setup",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.missed += other.missed
        self.false += other.false

    def figures(self) -> dict[str, float | int | None]:
        return {
            "labels": self.labels,
            "recall": _ratio(self.found, self.labels),
            "recall_core": _ratio(self.core_found, self.core),
            "precision_vs_negatives": _ratio(self.matched_reported, self.matched_reported + self.on_negatives),
            "strict_precision": _ratio(self.matched_reported, self.reported),
            "reported": self.reported,
            "context_agreement": _ratio(self.contexts_agreeing, self.contexts),
            "pl201_on_eval_or_setup": self.pl201_on_eval_or_setup,
        }


def _ratio(part: int, whole: int) -> float | None:
    return None if whole == 0 else part / whole


def read_labels(path: Path) -> LabelSet:
    """A label file, checked: every item names a labelled file, a family and what it needs."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    files = tuple(entry["path"] for entry in data["files"])

    def label(entry: dict[str, object], negative: bool) -> Label:
        family = str(entry["family"])
        if family not in FAMILIES:
            raise ValueError(f"{path.name}: unknown family {family!r} at {entry.get('path')}:{entry.get('line')}")
        if entry["path"] not in files:
            raise ValueError(f"{path.name}: {entry['path']} is not among the labelled files")
        if not negative and family == "hidden_state" and not (entry.get("function") and entry.get("name")):
            raise ValueError(
                f"{path.name}: hidden_state item at {entry['path']}:{entry['line']} needs function and name"
            )
        return Label(
            path=str(entry["path"]),
            line=int(entry["line"]),
            family=family,
            kind=str(entry.get("kind", "")),
            core=bool(entry.get("core", False)) and not negative,
            context=entry.get("context"),  # type: ignore[arg-type]
            function=entry.get("function"),
            name=entry.get("name"),
            line_sha=entry.get("line_sha"),  # type: ignore[arg-type]
        )

    if data.get("split", "dev") not in SPLITS:
        raise ValueError(f"{path.name}: split {data.get('split')!r} is not one of {', '.join(SPLITS)}")
    return LabelSet(
        repo=data["repo"],
        commit=str(data["commit"]),
        split=data.get("split", "dev"),
        files=files,
        lines=sum(int(entry.get("lines", 0)) for entry in data["files"]),
        items=tuple(label(e, False) for e in data.get("items") or ()),
        negatives=tuple(label(e, True) for e in data.get("negatives") or ()),
        source=path,
        excluded=data.get("excluded"),
    )


def locate(repos: Path, labels: LabelSet, work: Path) -> Path | None:
    """The repository's files at the pinned commit, exported from a git directory if need be."""
    owner, name = labels.repo.split("/")
    for candidate in (
        repos / f"{owner}+{name}" / "repo",
        repos / f"{owner}+{name}" / "repo" / ".git",
        repos / f"{owner}+{name}",
        repos / f"{owner}__{name}",
        repos / name,
    ):
        if (candidate / "HEAD").is_file() and (candidate / "objects").is_dir():  # a git directory
            target = work / f"{owner}__{name}"
            if not target.exists():
                export(candidate, labels.commit, target)
            return target
        if candidate.is_dir() and all((candidate / f).is_file() for f in labels.files):
            return candidate
    return None


def export(git_dir: Path, commit: str, target: Path) -> None:
    """The files of ``commit`` written under ``target``. Stored snapshots may lack large
    blobs (images, weights), which ``git archive`` refuses; those are left out."""
    listing = subprocess.run(
        ["git", f"--git-dir={git_dir}", "ls-tree", "-r", "-z", commit], capture_output=True, check=False
    )
    if listing.returncode != 0:
        raise RuntimeError(f"commit {commit} is not in {git_dir}: {listing.stderr.decode().strip()}")
    blobs = []
    for entry in listing.stdout.split(b"\0"):
        if entry:
            mode_type_sha, path = entry.split(b"\t", 1)
            mode, kind, sha = mode_type_sha.split()
            if kind == b"blob" and mode != b"120000":
                blobs.append((sha.decode(), path.decode("utf-8", "surrogateescape")))
    request = "".join(f"{sha}\n" for sha, _ in blobs).encode()
    contents = subprocess.run(
        ["git", f"--git-dir={git_dir}", "cat-file", "--batch"], input=request, capture_output=True, check=True
    ).stdout
    position = 0
    for _, path in blobs:
        header_end = contents.index(b"\n", position)
        header = contents[position:header_end].split()
        position = header_end + 1
        if header[-1] == b"missing":
            continue
        size = int(header[2])
        destination = target / path
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(contents[position : position + size])
        position += size + 1


def line_digest(text: str) -> str:
    """What ``line_sha`` holds: the first 10 hex digits of the SHA-1 of the stripped line."""
    return hashlib.sha1(text.strip().encode("utf-8")).hexdigest()[:10]


def moved_labels(labels: LabelSet, root: Path) -> list[str]:
    """Labels whose line no longer reads as it did when labelled (a checkout at another commit)."""
    moved = []
    texts = {path: (root / path).read_text(encoding="utf-8", errors="replace").split("\n") for path in labels.files}
    for label in (*labels.items, *labels.negatives):
        lines = texts[label.path]
        text = lines[label.line - 1] if 0 < label.line <= len(lines) else ""
        if label.line_sha is not None and line_digest(text) != label.line_sha:
            moved.append(f"{label.path}:{label.line}")
    return moved


def run_paperlink(root: Path, code: Path = ROOT) -> dict[str, object]:
    """``paperlink check`` of the checkout ``code`` (by default this one) on ``root``: the JSON document."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "paperlink",
            "check",
            str(root),
            "--format",
            "json",
            "--select",
            "PL2,PL3,PL4,PL5",
            "--no-cache",
            "--quiet",
        ],
        capture_output=True,
        text=True,
        cwd=root,
        env=env,
        check=False,
    )
    if done.returncode not in (0, 1):
        raise RuntimeError(f"paperlink exited {done.returncode} on {root}:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout)


def reported_items(document: dict[str, object], files: Iterable[str]) -> list[Reported]:
    """paperlink's inventory, restricted to the labelled files."""
    wanted = set(files)
    found: list[Reported] = []
    for stop in document.get("gradient_stops") or []:  # type: ignore[union-attr]
        span = stop["span"]
        if span["path"] in wanted:
            found.append(
                Reported("gradient_stops", span["path"], span["line"], span["end_line"], context=stop.get("context"))
            )
    globals_ = (document.get("hidden_inputs") or {}).get("globals") or []  # type: ignore[union-attr]
    pairs = set()
    for entry in globals_:
        path = entry["span"]["path"]
        for function in (*entry.get("read_by", ()), *entry.get("written_by", ())):
            pairs.add((path, function, entry["name"]))
    found += [
        Reported("hidden_state", path, 0, 0, function=f, name=n) for path, f, n in sorted(pairs) if path in wanted
    ]
    sites = set()
    for row in document.get("hyperparameters") or []:  # type: ignore[union-attr]
        for site in row.get("code", ()):
            span = site["span"]
            if span["path"] in wanted:
                sites.add((span["path"], span["line"], span["end_line"]))
    found += [Reported("hyperparameters", path, line, end) for path, line, end in sorted(sites)]
    return found


def pl201_lines(document: dict[str, object]) -> set[tuple[str, int]]:
    return {
        (d["span"]["path"], d["span"]["line"])
        for d in document.get("diagnostics", ())  # type: ignore[union-attr]
        if d["code"] == "PL201"
    }


def _same_function(labelled: str | None, reported: str | None) -> bool:
    if not labelled or not reported:
        return False
    return labelled == reported or labelled.rsplit(".", 1)[-1] == reported.rsplit(".", 1)[-1] and "." not in reported


def enclosing_functions(text: str) -> dict[int, str]:
    """Line -> dotted path of the innermost function or class around it, for hidden-state negatives."""
    owners: dict[int, str] = {}

    def visit(node: ast.AST, path: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                inner = f"{path}.{child.name}" if path else child.name
                for line in range(child.lineno, (child.end_lineno or child.lineno) + 1):
                    owners[line] = inner
                visit(child, inner)
            else:
                visit(child, path)

    try:
        visit(ast.parse(text), "")
    except SyntaxError:
        pass
    return owners


def score(labels: LabelSet, document: dict[str, object], root: Path) -> dict[str, Score]:
    """The scores of one repository, per family."""
    reported = reported_items(document, labels.files)
    stops_flagged = pl201_lines(document)
    scores = {family: Score() for family in FAMILIES}
    for family in ("gradient_stops", "hyperparameters"):
        by_line: dict[tuple[str, int], list[Label]] = defaultdict(list)
        for item in labels.items:
            if item.family == family:
                by_line[(item.path, item.line)].append(item)
        negatives = {(n.path, n.line) for n in labels.negatives if n.family == family} - set(by_line)
        mine = [r for r in reported if r.family == family]
        result = scores[family]
        result.labels = len(by_line)
        result.reported = len(mine)
        for (path, line), items in sorted(by_line.items()):
            hits = [r for r in mine if r.path == path and r.line <= line <= r.end_line]
            core = any(i.core for i in items)
            result.core += core
            if hits:
                result.found += 1
                result.core_found += core
                context = items[0].context
                if family == "gradient_stops" and context:
                    result.contexts += 1
                    if hits[0].context in AGREEING_CONTEXTS.get(context, {context}):
                        result.contexts_agreeing += 1
                    else:
                        result.missed.append(f"{path}:{line} context {hits[0].context}, labelled {context}")
            else:
                result.missed.append(f"{path}:{line} {items[0].kind} {items[0].name or ''}".rstrip())
            if (
                family == "gradient_stops"
                and items[0].context in ("evaluation", "setup")
                and (path, line) in stops_flagged
            ):
                result.pl201_on_eval_or_setup += 1
        for r in mine:
            if any(path == r.path and r.line <= line <= r.end_line for path, line in by_line):
                result.matched_reported += 1
            else:
                where = (
                    "on a labelled negative"
                    if any(p == r.path and r.line <= n <= r.end_line for p, n in negatives)
                    else "unlabelled"
                )
                result.on_negatives += where.startswith("on")
                result.false.append(f"{r.path}:{r.line} {where}")
    _score_hidden_state(labels, reported, root, scores["hidden_state"])
    return scores


def _score_hidden_state(labels: LabelSet, reported: Sequence[Reported], root: Path, result: Score) -> None:
    units: dict[tuple[str, str, str], bool] = {}
    for item in labels.items:
        if item.family == "hidden_state":
            key = (item.path, item.function or "", item.name or "")
            units[key] = units.get(key, False) or item.core
    mine = [r for r in reported if r.family == "hidden_state"]
    result.labels = len(units)
    result.core = sum(units.values())
    result.reported = len(mine)

    def matches(unit: tuple[str, str, str], r: Reported) -> bool:
        return unit[0] == r.path and unit[2] == r.name and _same_function(unit[1], r.function)

    for unit, core in sorted(units.items()):
        if any(matches(unit, r) for r in mine):
            result.found += 1
            result.core_found += core
        else:
            result.missed.append(f"{unit[0]} {unit[1]} reads {unit[2]}")
    negatives = []
    for negative in labels.negatives:
        if negative.family != "hidden_state":
            continue
        owners = enclosing_functions((root / negative.path).read_text(encoding="utf-8", errors="replace"))
        line = (root / negative.path).read_text(encoding="utf-8", errors="replace").split("\n")[negative.line - 1]
        negatives.append((negative.path, negative.function or owners.get(negative.line, ""), negative.name, line))
    for r in mine:
        if any(matches(unit, r) for unit in units):
            result.matched_reported += 1
            continue
        on_negative = any(
            path == r.path and _same_function(function, r.function) and (name == r.name if name else r.name in code)
            for path, function, name, code in negatives
        )
        result.on_negatives += on_negative
        result.false.append(
            f"{r.path} {r.function} reads {r.name} {'on a labelled negative' if on_negative else 'unlabelled'}"
        )


def label_units(labels: LabelSet, family: str, files: Iterable[str]) -> dict[tuple[str, ...], Label]:
    """The units of one family in ``files``: a line, or (file, function, name) for hidden state."""
    wanted = set(files)
    units: dict[tuple[str, ...], Label] = {}
    for item in labels.items:
        if item.family == family and item.path in wanted:
            key = (
                (item.path, item.function or "", item.name or "")
                if family == "hidden_state"
                else (item.path, str(item.line))
            )
            units.setdefault(key, item)
    return units


def agreement(first: LabelSet, second: LabelSet) -> dict[str, dict[str, float | int | None]]:
    """How two labellers' sets of the same files agree, per family: units both found, units only
    one found, F1 of one against the other, and for gradient stops the share of shared stops
    given the same context."""
    files = sorted(set(first.files) & set(second.files))
    figures = {}
    for family in FAMILIES:
        a, b = label_units(first, family, files), label_units(second, family, files)
        both = set(a) & set(b)
        same_context = sum(a[k].context == b[k].context for k in both)
        figures[family] = {
            "both": len(both),
            "only_first": len(set(a) - both),
            "only_second": len(set(b) - both),
            "f1": _ratio(2 * len(both), len(a) + len(b)),
            "same_context": _ratio(same_context, len(both)) if family == "gradient_stops" else None,
        }
    return figures


def _cell(value: float | int | None) -> str:
    if value is None:
        return "-"
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def table(rows: Sequence[tuple[str, str, Score]]) -> str:
    header = ("scope", "family", "labels", "recall", "core", "prec-neg", "strict", "reported", "context", "PL201-eval")
    lines = [header]
    for scope, family, s in rows:
        f = s.figures()
        lines.append(
            (
                scope,
                family,
                _cell(f["labels"]),
                _cell(f["recall"]),
                _cell(f["recall_core"]),
                _cell(f["precision_vs_negatives"]),
                _cell(f["strict_precision"]),
                _cell(f["reported"]),
                _cell(f["context_agreement"]) if family == "gradient_stops" else "",
                _cell(f["pl201_on_eval_or_setup"]) if family == "gradient_stops" else "",
            )
        )
    return aligned(lines)


def aligned(lines: Sequence[Sequence[str]]) -> str:
    """Rows of cells as left-aligned columns, two spaces apart (the benchmarks' tables)."""
    widths = [max(len(row[i]) for row in lines) for i in range(len(lines[0]))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in lines)


def add_code_option(parser: argparse.ArgumentParser) -> None:
    """``--code CHECKOUT``: score another checkout's paperlink, run in a subprocess."""
    parser.add_argument(
        "--code",
        type=Path,
        default=ROOT,
        metavar="CHECKOUT",
        help="score the paperlink of another checkout (a before figure: `git worktree add /tmp/before <commit>`)",
    )


def chosen_splits(parser: argparse.ArgumentParser, value: str) -> set[str]:
    """The splits ``--split`` names: ``all``, or a comma-separated list of :data:`SPLITS`."""
    chosen = set(SPLITS) if value == "all" else set(value.split(","))
    if not chosen <= set(SPLITS):
        parser.error(f"--split: choose from {', '.join(SPLITS)} or all")
    return chosen


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("labels", nargs="*", type=Path, help="label files (default: benchmarks/labels/*.yaml)")
    parser.add_argument("--repos", type=Path, help="folder holding the fetched repositories")
    parser.add_argument(
        "--split", default="all", help="heldout, dev, opened, a comma-separated list of them, or all (the default)"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    add_code_option(parser)
    parser.add_argument("--details", action="store_true", help="list every miss and every false item")
    parser.add_argument(
        "--agreement",
        type=Path,
        metavar="SECOND_DIR",
        help="compare the labels with a second labeller's files of the same names, and exit",
    )
    args = parser.parse_args(argv)
    if args.agreement:
        return print_agreement(args.labels or sorted(LABELS.glob("*.yaml")), args.agreement)
    sets = [read_labels(p) for p in (args.labels or sorted(LABELS.glob("*.yaml")))]
    chosen = chosen_splits(parser, args.split)
    sets = [s for s in sets if s.split in chosen]
    for labels in sets:
        if labels.excluded:
            print(f"{labels.repo}: not scored ({labels.excluded})", file=sys.stderr)
    sets = [s for s in sets if not s.excluded]
    print(
        f"{len(sets)} label sets: {sum(len(s.files) for s in sets)} files, {sum(s.lines for s in sets)} lines, "
        f"{sum(len(s.items) for s in sets)} items, {sum(len(s.negatives) for s in sets)} negatives",
        file=sys.stderr,
    )
    rows: list[tuple[str, str, Score]] = []
    totals: dict[tuple[str, str], Score] = defaultdict(Score)
    absent = []
    failed = False
    with tempfile.TemporaryDirectory(prefix="paperlink-accuracy-") as work:
        for labels in sets:
            root = locate(args.repos, labels, Path(work)) if args.repos else None
            if root is None:
                absent.append(labels.repo)
                continue
            moved = moved_labels(labels, root)
            if moved:
                print(
                    f"{labels.repo}: {len(moved)} labelled lines read differently (first: {moved[0]}); "
                    f"is {root} at commit {labels.commit}? skipped",
                    file=sys.stderr,
                )
                failed = True
                continue
            scores = score(labels, run_paperlink(root, args.code), root)
            for family in FAMILIES:
                rows.append((f"{labels.repo} [{labels.split}]", family, scores[family]))
                totals[(labels.split, family)].add(scores[family])
                totals[("all", family)].add(scores[family])
                if args.details:
                    for line in scores[family].missed:
                        print(f"  missed  {labels.repo} {family}: {line}", file=sys.stderr)
                    for line in scores[family].false:
                        print(f"  false   {labels.repo} {family}: {line}", file=sys.stderr)
    if absent:
        print(f"not present under --repos, skipped: {', '.join(absent)}", file=sys.stderr)
    summary = [
        (split, family, totals[(split, family)])
        for split in (*SPLITS, "all")
        for family in FAMILIES
        if (split, family) in totals
    ]
    if args.json:
        print(
            json.dumps(
                {
                    "repositories": {f"{scope}|{family}": s.figures() for scope, family, s in rows},
                    "totals": {f"{scope}|{family}": s.figures() for scope, family, s in summary},
                },
                indent=2,
                sort_keys=True,
            )
        )
    else:
        print(table(rows + summary))
    return 1 if failed else 0


def print_agreement(paths: Sequence[Path], second_dir: Path) -> int:
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for path in paths:
        other = second_dir / path.name
        if not other.is_file():
            continue
        first, second = read_labels(path), read_labels(other)
        if first.commit != second.commit:
            print(f"{first.repo}: the labellers saw different commits; skipped", file=sys.stderr)
            continue
        for family, figures in agreement(first, second).items():
            print(
                f"{first.repo:32} {family:16} both {figures['both']:3}  only first {figures['only_first']:3}  "
                f"only second {figures['only_second']:3}  F1 {_cell(figures['f1'])}  same context {_cell(figures['same_context'])}"
            )
            for key in ("both", "only_first", "only_second"):
                totals[family][key] += figures[key]  # type: ignore[operator]
    for family, counts in totals.items():
        f1 = _ratio(2 * counts["both"], 2 * counts["both"] + counts["only_first"] + counts["only_second"])
        print(
            f"{'all':32} {family:16} both {counts['both']:3}  only first {counts['only_first']:3}  "
            f"only second {counts['only_second']:3}  F1 {_cell(f1)}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
