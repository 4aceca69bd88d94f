"""Accuracy of ``paperlink suggest`` against hand-written links (benchmarks/suggest_labels).

    python3 benchmarks/suggest.py --repos /work/.mirror [--split opened|heldout|all] [--details]

Each label file names a repository, a commit, the paper's main file and the links its
labeller wrote by hand. The commit is exported to a temporary folder (``<repos>/<owner>+<name>/repo``
is a bare git directory; files whose objects are missing, large data kept outside git, are
skipped), every ``# paper:`` annotation in it is blanked (its line kept, so line numbers
hold) so that no existing link is evidence, a configuration naming the labelled paper is
written, and ``suggest`` runs on it.

Which paper item a label means: the item of the label's kind in the label's ``tex_path``
that carries the label's name as a ``\\label``, else the one whose span starts at
``item_line`` (for a hyperparameter, the statement there whose value or name the label's
text mentions), else the numbered item it cites ("Eq. 1", "Alg. 2 line 4") within three
lines. A label whose item the paper model does not have (the reader found no hyperparameter
statement on that line) is counted as not ranked.

When a suggested target matches a labelled one: both are in the same file and
- at function or class granularity, the target is the labelled definition or sits inside it
  with no other definition of that kind in between (a statement of the labelled function,
  a method of the labelled class);
- at statement granularity, the target is a statement that is the labelled one, encloses it
  (the loop around it) or is enclosed by it (a line of a labelled block); the labelled
  statement is the innermost statement (or definition) holding the labelled line.

top-k: an item counts as found when any of its labelled targets matches one of the k best
targets ranked for it. ``--write`` precision: of the annotations ``--write`` would insert at
the default threshold, the share whose target matches a labelled link of that item (an
annotation for an item with no labelled link counts as wrong); *on labelled*: the same share among
the annotations for labelled items only. *ranked* is the denominator of top-1 and top-3; *of all*
gives them over every labelled item (*items*), those the paper model lacks counted as misses.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from paperlink.config import load_config
from paperlink.paper.model import ItemKind, PaperItem
from paperlink.source.notebook import MARKDOWN_ANNOTATION
from paperlink.suggest import DEFAULT_MIN_SCORE, Suggestions, accepted
from paperlink.suggest.project import suggest_project
from paperlink.suggest.targets import Target, read_targets

LABELS = Path(__file__).resolve().parent / "suggest_labels"
_EXPORTED = re.compile(r"\.(py|ipynb|tex|sty|cls|bib|bbl|yaml|yml|toml|cfg|json|txt)$")
_ANNOTATION = re.compile(r"#\s*paper\s*(?:\[[^\]]*\])?\s*:.*$", re.IGNORECASE)
_DECORATOR = re.compile(r"^\s*@[\w.]*implements\(.*\)\s*$")
_DOCSTRING_LINE = re.compile(r"\bpaper\s*(?:\[[^\]]*\])?\s*:[^\"'\n]*", re.IGNORECASE)


@dataclass
class Result:
    repo: str
    items: int = 0
    ranked: int = 0
    top1: int = 0
    top3: int = 0
    written: int = 0
    written_right: int = 0
    written_labelled: int = 0
    seconds: float = 0.0


def export(bare: Path, commit: str, into: Path) -> None:
    names = subprocess.run(
        ["git", "-C", str(bare), "ls-tree", "-r", "-z", commit], check=True, capture_output=True, text=True
    ).stdout.split("\0")
    wanted = [entry.split("\t", 1) for entry in names if entry]
    objects = "\n".join(meta.split()[2] for meta, path in wanted if _EXPORTED.search(path))
    present = subprocess.run(
        ["git", "-C", str(bare), "cat-file", "--batch-check"], input=objects, check=True, capture_output=True, text=True
    ).stdout.splitlines()
    paths = [path for (meta, path) in wanted if _EXPORTED.search(path)]
    keep = [path for path, line in zip(paths, present) if not line.endswith("missing")]
    archive = subprocess.run(["git", "-C", str(bare), "archive", commit, "--", *keep], check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)


def strip_line(line: str) -> str:
    """``line`` without its annotation (comment, ``implements`` decorator, docstring line); line numbers kept."""
    if "paper" not in line.lower() and "implements" not in line:
        return line
    if _DECORATOR.match(line):
        return ""
    if _ANNOTATION.search(line):
        return _ANNOTATION.sub("", line).rstrip()
    return _DOCSTRING_LINE.sub("", line).rstrip()


def strip_annotations(root: Path) -> None:
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8", errors="replace")
        path.write_text("\n".join(strip_line(line) for line in text.split("\n")), encoding="utf-8")
    for path in root.rglob("*.ipynb"):
        strip_notebook(path)


def strip_notebook(path: Path) -> None:
    """A notebook's annotations blanked: in code cells as in a Python file, in markdown cells the
    annotation lines (line counts kept, so the cells' lines hold); one that is not JSON is left."""
    try:
        data = json.loads(path.read_text(encoding="utf-8", errors="replace"))
        cells = data["cells"]
    except (ValueError, KeyError, TypeError, RecursionError):
        return
    for cell in cells if isinstance(cells, list) else ():
        source = cell.get("source") if isinstance(cell, dict) else None
        lines = source.splitlines(keepends=True) if isinstance(source, str) else source
        if not isinstance(lines, list) or not all(isinstance(line, str) for line in lines):
            continue
        markdown = cell.get("cell_type") == "markdown"
        stripped = []
        for line in lines:
            end = "\n" if line.endswith("\n") else ""
            body = line.removesuffix("\n")
            body = ("" if MARKDOWN_ANNOTATION.match(body) else body) if markdown else strip_line(body)
            stripped.append(body + end)
        cell["source"] = stripped
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")


def labelled_item(link: dict, items: list[PaperItem]) -> PaperItem | None:
    kind = ItemKind(link["kind"])
    pool = [i for i in items if i.kind is kind and i.span.path == link["tex_path"]]
    named = [i for i in pool if link["item"] in i.labels]
    if named:
        return named[0]
    here = [i for i in pool if i.span.line == link["item_line"]]
    text = link["item"].lower()
    if kind is ItemKind.HYPERPARAMETER:
        # the statement whose value or name the label's text mentions: "hp:cosine annealing schedule"
        # on the line that also says "over 300 epochs" is not the item for the 300 epochs
        mentioned = [i for i in here if i.hyperparameter and _number(i.hyperparameter.raw) in _numbers(text)]
        mentioned = mentioned or [i for i in here if i.key.lower() == text or (i.title and i.title.lower() in text)]
        here = mentioned
    elif len(here) > 1:
        mentioned = [i for i in here if i.title and i.title.lower() in text]
        here = mentioned or here
    if here:
        return here[0]
    # "Eq. 1" for an equation with no \label, whose span starts a line below its \begin: its printed
    # number, where the labelled line is that close
    numbered = [
        i
        for i in pool
        if i.number is not None and abs(i.span.line - link["item_line"]) <= 3 and _cited(i, items) == link["item"]
    ]
    if len(numbered) == 1:
        return numbered[0]
    return None


def _numbers(text: str) -> set[str]:
    return {_number(found) for found in re.findall(r"\d[\d,.]*(?:e-?\d+)?", text)}


def _number(raw: str) -> str:
    """A printed value in one spelling: "3 \\times 10^{-4}" and "3e-4" alike, "2,000" as "2000"."""
    spelled = re.sub(r"\s*\\times\s*10\^\{?(-?\d+)\}?", r"e\1", raw.replace(",", "")).strip()
    try:
        return f"{float(spelled):g}"
    except ValueError:
        return spelled.lower()


def _cited(item: PaperItem, items: list[PaperItem]) -> str:
    """How a label names an unlabelled numbered item: "Eq. 3", "Alg. 2", "Alg. 2 line 4"."""
    if item.kind is ItemKind.EQUATION:
        return f"Eq. {item.number}"
    if item.kind is ItemKind.ALGORITHM:
        return f"Alg. {item.number}"
    if item.kind is ItemKind.ALGORITHM_LINE:
        parent = next((i for i in items if i.key == item.parent), None)
        return f"Alg. {parent.number} line {item.number}" if parent is not None else ""
    return ""


def labelled_node(targets: list[Target], link: dict) -> Target | None:
    line = link["line"]
    if link["granularity"] in ("function", "class"):
        kind = link["granularity"]
        exact = [t for t in targets if t.kind == kind and t.line == line]
        if exact:
            return exact[0]
    holding = [t for t in targets if t.line <= line <= t.end_line and (t.kind == "statement" or t.line == line)]
    return min(holding, key=lambda t: (t.end_line - t.line, -t.line)) if holding else None


def matches(candidate: Target, node: Target, granularity: str, targets: list[Target]) -> bool:
    if candidate.path != node.path:
        return False
    if (candidate.line, candidate.kind) == (node.line, node.kind):
        return True
    inside = node.line <= candidate.line and candidate.end_line <= node.end_line
    if granularity in ("function", "class") and node.kind == granularity:
        between = [
            t
            for t in targets
            if t.kind == granularity
            and t is not node
            and node.line <= t.line <= candidate.line
            and candidate.end_line <= t.end_line
            and (t.line, t.end_line) != (candidate.line, candidate.end_line)
        ]
        return inside and not between
    if candidate.kind != "statement":
        return False
    encloses = candidate.line <= node.line and node.end_line <= candidate.end_line
    return inside or encloses


def evaluate(label_file: Path, repos: Path, details: bool) -> Result:
    spec = yaml.safe_load(label_file.read_text(encoding="utf-8"))
    result = Result(spec["repo"])
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        export(repos / spec["repo"].replace("/", "+") / "repo", spec["commit"], root)
        strip_annotations(root)
        (root / "paperlink.yaml").write_text(f"papers:\n  paper: {spec['paper']}\n", encoding="utf-8")
        (root / "pyproject.toml").unlink(missing_ok=True)
        config = load_config(root / "paperlink.yaml")
        started = time.perf_counter()
        found = suggest_project(config, [root], None, 3).suggestions
        result.seconds = time.perf_counter() - started
        file_targets: dict[str, list[Target]] = {}
        for path in {link["path"] for link in spec["links"]}:
            file = root / path
            text = file.read_text(encoding="utf-8", errors="replace") if file.exists() else ""
            file_targets[path] = read_targets(path, text)
        _score(spec, found, file_targets, result, details)
    return result


def _score(
    spec: dict, found: Suggestions, file_targets: dict[str, list[Target]], result: Result, details: bool
) -> None:
    # by item, not key: a paper may state one hyperparameter (one key) several times
    by_item: dict[PaperItem, list[tuple[dict, Target]]] = defaultdict(list)
    unmodelled = []
    model_items = list(found.items)
    for link in spec["links"]:
        item = labelled_item(link, model_items)
        node = labelled_node(file_targets[link["path"]], link)
        if item is None or node is None:
            unmodelled.append(link)
            continue
        by_item[item].append((link, node))
    rankings = {ranking.item: ranking for ranking in found.rankings}
    result.items = len(by_item) + len({(link["item"], link["item_line"]) for link in unmodelled})
    result.ranked = len(by_item)
    for item, labelled in sorted(by_item.items(), key=lambda pair: (pair[0].key, pair[0].span)):
        key = item.key
        ranking = rankings.get(item)
        candidates = ranking.candidates if ranking else ()
        hits = [
            rank
            for rank, candidate in enumerate(candidates)
            if any(
                matches(candidate.target, node, link["granularity"], file_targets[link["path"]])
                for link, node in labelled
            )
        ]
        first = min(hits) if hits else None
        result.top1 += first == 0
        result.top3 += first is not None and first < 3
        if details:
            want = "; ".join(f"{link['path']}:{link['line']}" for link, _ in labelled)
            got = " | ".join(f"{c.target.path}:{c.target.line} {c.score:.2f}" for c in candidates)
            mark = {0: "1", 1: "3", 2: "3"}.get(first, "-") if first is not None else "-"
            print(f"  [{mark}] {key:32.32} want {want:50.50} got {got}")
    for ranking, candidate in accepted(found, DEFAULT_MIN_SCORE):
        result.written += 1
        labelled = by_item.get(ranking.item)
        if labelled:
            result.written_labelled += 1
            result.written_right += any(
                matches(candidate.target, node, link["granularity"], file_targets[link["path"]])
                for link, node in labelled
            )
        if details:
            ok = (
                "ok"
                if labelled
                and any(
                    matches(candidate.target, node, link["granularity"], file_targets[link["path"]])
                    for link, node in labelled
                )
                else ("WRONG" if labelled else "unlabelled")
            )
            print(
                f"  write {ranking.item.key:32.32} -> {candidate.target.path}:{candidate.target.line} {candidate.score:.2f} {ok}"
            )
    if details:
        for link in unmodelled:
            print(f"  [not in the paper model] {link['item']} ({link['kind']}, line {link['item_line']})")


def speed(repos: Path) -> None:
    """``suggest`` on about 10,000 lines of real Python (HIPS/hypergrad's files, in order, until 10,000)
    with a paper of about 40 pages (duvenaud/relax's 20 pages, its body repeated once more with its
    labels renamed): the best of 3 runs, wall and CPU seconds."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for name, spec in (("code", "HIPS__hypergrad"), ("paper", "duvenaud__relax")):
            label = yaml.safe_load((LABELS / f"{spec}.yaml").read_text(encoding="utf-8"))
            (root / name).mkdir()
            export(repos / label["repo"].replace("/", "+") / "repo", label["commit"], root / name)
        total = 0
        for path in sorted((root / "code").rglob("*.py")):
            if total >= 10_000:
                path.unlink()
            else:
                total += len(path.read_text(encoding="utf-8", errors="replace").splitlines())
        tex = (root / "paper/paper/generalized_rebar.tex").read_text(encoding="utf-8")
        head, body = tex.split("\\begin{document}", 1)
        body, _ = body.rsplit("\\end{document}", 1)
        again = re.sub(r"\\(label|ref|eqref)\{", r"\\\1{again-", body)
        (root / "paper.tex").write_text(
            head + "\\begin{document}" + body + again + "\\end{document}\n", encoding="utf-8"
        )
        (root / "paperlink.yaml").write_text("papers:\n  paper: paper.tex\n", encoding="utf-8")
        config = load_config(root / "paperlink.yaml")
        runs = []
        for _ in range(3):
            wall, cpu = time.perf_counter(), time.process_time()
            found = suggest_project(config, [root / "code"], None, 3).suggestions
            runs.append((time.perf_counter() - wall, time.process_time() - cpu))
        lines = len((root / "paper.tex").read_text(encoding="utf-8").splitlines())
        wall, cpu = min(runs)
        print(
            f"suggest: {total} lines of Python, a paper of {lines} lines ({len(found.items)} items):"
            f" best of 3 {wall:.2f} s wall, {cpu:.2f} s CPU (bar: 5 s)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repos", type=Path, required=True, help="folder of <owner>+<name>/repo bare git directories")
    parser.add_argument("--split", choices=["opened", "heldout", "all"], default="opened")
    parser.add_argument("--details", action="store_true", help="every item's labelled and ranked targets")
    parser.add_argument("--speed", action="store_true", help="time suggest on 10k lines and a 40-page paper instead")
    arguments = parser.parse_args()
    if arguments.speed:
        speed(arguments.repos)
        return
    results = []
    for label_file in sorted(LABELS.glob("*.yaml")):
        split = yaml.safe_load(label_file.read_text(encoding="utf-8")).get("split")
        if arguments.split != "all" and split != arguments.split:
            continue
        if arguments.details:
            print(label_file.stem)
        results.append((split, evaluate(label_file, arguments.repos, arguments.details and split == "opened")))
    print(
        f"{'repository':34} {'split':8} {'items':>5} {'ranked':>6} {'top-1':>6} {'top-3':>6} {'of all':>13}"
        f" {'written':>7} {'precision':>9} {'on labelled':>11} {'seconds':>7}"
    )
    for group in sorted({split for split, _ in results}):
        members = [r for s, r in results if s == group]
        for r in members:
            _row(r.repo, group, r)
        total = Result("all " + group)
        for r in members:
            for name in ("items", "ranked", "top1", "top3", "written", "written_right", "written_labelled"):
                setattr(total, name, getattr(total, name) + getattr(r, name))
            total.seconds += r.seconds
        _row(total.repo, group, total)


def _row(name: str, split: str, r: Result) -> None:
    share = lambda part, whole: f"{part / whole:.2f}" if whole else "-"  # noqa: E731
    print(
        f"{name:34} {split:8} {r.items:5} {r.ranked:6} {share(r.top1, r.ranked):>6} {share(r.top3, r.ranked):>6}"
        f" {share(r.top1, r.items):>6} {share(r.top3, r.items):>6} {r.written:7} {share(r.written_right, r.written):>9} {share(r.written_right, r.written_labelled):>11}"
        f" {r.seconds:7.2f}"
    )


if __name__ == "__main__":
    main()
