"""Benchmark: paperlink's paper model against pdflatex on a corpus of real papers and theses.

    python3 benchmarks/latex_oracle.py --repos DIR [--corpus FILE] [--details] [--json] [NAME ...]

The corpus (``benchmarks/latex_corpus.yaml``) lists public repositories holding a paper's or a
thesis's LaTeX source: repository, pinned commit, main file, document class and kind. The
sources are never committed: ``--repos DIR`` holds the fetched repositories, as
``DIR/owner+name/repo`` (a git directory: the pinned commit is exported) or ``DIR/owner+name``.

For each document it compiles the main file twice with ``pdflatex`` in a scratch copy and
reads every ``\\newlabel`` of the ``.aux`` files it wrote (the oracle; ``tests/paper/aux_oracle.py``
reads them, as the numbering tests do), then reads the same source with paperlink and prints:

* label recall: the oracle's labels paperlink knows, per kind (equation, section, algorithm,
  table, figure, theorem, other; a label's kind is paperlink's, or cleveref's ``@cref`` type
  when paperlink does not know the label);
* number agreement: of the labels both know, those paperlink numbers as pdflatex prints them;
* rendering: displayed equations whose MathML still holds a raw ``\\word`` or that fall back
  to LaTeX source, and captions with a raw control word in their text.

``--details`` lists every disagreement. A document pdflatex cannot compile here (a missing
package, a missing figure that stops the run) is listed with the tail of its log and left out
of the totals. The figures are quoted in notes, never asserted by tests.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from paperlink.paper.latex import read_latex_paper  # noqa: E402
from paperlink.paper.model import ItemKind, Paper  # noqa: E402
from paperlink.report.math import MathRenderer  # noqa: E402
from benchmarks.accuracy import export  # noqa: E402
from tests.paper.aux_oracle import comparable, labels_from_aux  # noqa: E402

CORPUS = Path(__file__).with_name("latex_corpus.yaml")
KINDS = ("equation", "section", "algorithm", "table", "figure", "theorem", "other")
_RAW_CONTROL_WORD = re.compile(r"\\[A-Za-z]+")
_CREF_TYPE = re.compile(r"^\\newlabel\{(?P<key>.*?)@cref\}\{\{\[(?P<type>[^\]]*)\]", re.M)
_KIND_OF_CREF = {
    "equation": "equation",
    "section": "section",
    "subsection": "section",
    "subsubsection": "section",
    "chapter": "section",
    "appendix": "section",
    "subappendix": "section",
    "part": "section",
    "algorithm": "algorithm",
    "table": "table",
    "figure": "figure",
}


@dataclass(frozen=True)
class Document:
    repo: str
    commit: str
    main: str
    document_class: str
    kind: str  # paper | thesis | book

    @property
    def name(self) -> str:
        return f"{self.repo}:{self.main}"


@dataclass
class Score:
    labels: Counter[str] = field(default_factory=Counter)  # per kind: oracle labels
    found: Counter[str] = field(default_factory=Counter)  # per kind: of those, paperlink knows
    agreed: Counter[str] = field(default_factory=Counter)  # per kind: known and numbered alike
    equations: int = 0  # displayed equations rendered
    raw_equations: int = 0  # of those, MathML with a raw control word or a fallback to source
    captions: int = 0
    raw_captions: int = 0
    disagreements: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        for mine, theirs in ((self.labels, other.labels), (self.found, other.found), (self.agreed, other.agreed)):
            mine.update(theirs)
        self.equations += other.equations
        self.raw_equations += other.raw_equations
        self.captions += other.captions
        self.raw_captions += other.raw_captions

    def figures(self) -> dict[str, object]:
        labels, found, agreed = (sum(c.values()) for c in (self.labels, self.found, self.agreed))
        return {
            "labels": labels,
            "recall": _ratio(found, labels),
            "agreement": _ratio(agreed, found),
            "per_kind": {
                kind: {
                    "labels": self.labels[kind],
                    "recall": _ratio(self.found[kind], self.labels[kind]),
                    "agreement": _ratio(self.agreed[kind], self.found[kind]),
                }
                for kind in KINDS
                if self.labels[kind]
            },
            "equations": self.equations,
            "raw_equations": self.raw_equations,
            "captions": self.captions,
            "raw_captions": self.raw_captions,
        }


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def read_corpus(path: Path) -> list[Document]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        Document(str(e["repo"]), str(e["commit"]), str(e["main"]), str(e.get("class", "")), str(e.get("kind", "paper")))
        for e in data["documents"]
    ]


def checkout(repos: Path, document: Document, work: Path) -> Path | None:
    """The repository's files at the pinned commit (large blobs a snapshot lacks left out), or None."""
    folder = repos / document.repo.replace("/", "+")
    for git_dir in (folder / "repo", folder):
        if (git_dir / "HEAD").is_file() and (git_dir / "objects").is_dir():
            target = work / folder.name
            export(git_dir, document.commit, target)
            return target
    return None


def compile_aux(main: Path) -> tuple[str, str]:
    """pdflatex twice in ``main``'s folder (a scratch copy); every .aux written, and the log's tail."""
    for _ in range(2):
        done = subprocess.run(
            ["pdflatex", "-interaction=nonstopmode", "-draftmode", "-file-line-error", main.name],
            cwd=main.parent,
            capture_output=True,
            timeout=600,
            check=False,
        )
    log = done.stdout.decode("utf-8", "replace")
    texts = [aux.read_text(errors="replace") for aux in sorted(main.parent.rglob("*.aux"))]
    return "\n".join(texts), "\n".join(log.splitlines()[-12:])


def _cref_kinds(aux: str) -> dict[str, str]:
    return {m["key"]: _KIND_OF_CREF.get(m["type"], "other") for m in _CREF_TYPE.finditer(aux)}


def _kind_of(item_kind: ItemKind) -> str:
    name = item_kind.name.lower()
    return name if name in KINDS else "other"


def score(paper: Paper, oracle: dict[str, str | None], cref: dict[str, str]) -> Score:
    result = Score()
    kinds = {label: _kind_of(item.kind) for item in paper.items for label in item.labels}
    ours = paper.label_numbers()
    for key, number in sorted(oracle.items()):
        if number is None:
            continue  # a label LaTeX prints no number for (the caption package's marker)
        kind = kinds.get(key) or cref.get(key, "other")
        result.labels[kind] += 1
        if key not in ours:
            result.disagreements.append(f"{kind} {key}: pdflatex {number!r}, paperlink has no such label")
            continue
        result.found[kind] += 1
        if comparable(ours[key]) == number:
            result.agreed[kind] += 1
        else:
            result.disagreements.append(f"{kind} {key}: pdflatex {number!r}, paperlink {ours[key]!r}")
    renderer = MathRenderer(paper.macros)
    for item in paper.items:
        if item.kind is ItemKind.EQUATION and item.latex:
            result.equations += 1
            markup = renderer.display(item.latex)
            if markup is None or _RAW_CONTROL_WORD.search(str(markup)):
                result.raw_equations += 1
                result.disagreements.append(f"rendering {item.key}: {'fallback' if markup is None else 'raw macro'}")
        if item.kind in (ItemKind.FIGURE, ItemKind.TABLE) and item.title:
            result.captions += 1
            if _RAW_CONTROL_WORD.search(item.title):
                result.raw_captions += 1
    return result


def run(document: Document, repos: Path, work: Path) -> tuple[Score | None, str]:
    root = checkout(repos, document, work)
    if root is None:
        return None, "not present under --repos"
    main = root / document.main
    if not main.is_file():
        return None, f"no {document.main} at {document.commit[:12]}"
    aux, log = compile_aux(main)
    oracle = labels_from_aux(aux)
    if not oracle:
        return None, "pdflatex wrote no labels:\n" + log
    paper = read_latex_paper(main, name="oracle", root=root)
    return score(paper, oracle, _cref_kinds(aux)), ""


def _cell(value: object) -> str:
    return "-" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="only these documents (owner/name or owner/name:main.tex)")
    parser.add_argument("--repos", type=Path, required=True, help="folder holding the fetched repositories")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--details", action="store_true", help="list every disagreement")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    documents = [d for d in read_corpus(args.corpus) if not args.names or d.repo in args.names or d.name in args.names]
    rows: dict[str, dict[str, object]] = {}
    totals: dict[str, Score] = defaultdict(Score)
    skipped: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="paperlink-latex-oracle-") as temporary:
        for index, document in enumerate(documents):
            result, reason = run(document, args.repos, Path(temporary) / str(index))
            if result is None:
                skipped[document.name] = reason
                continue
            rows[document.name] = {"class": document.document_class, "kind": document.kind, **result.figures()}
            totals["all"].add(result)
            totals[document.kind].add(result)
            if args.details:
                for line in result.disagreements:
                    print(f"  {document.name}: {line}", file=sys.stderr)
    summary = {scope: score.figures() for scope, score in sorted(totals.items())}
    if args.json:
        print(json.dumps({"documents": rows, "totals": summary, "skipped": skipped}, indent=2, sort_keys=True))
        return 0
    header = ("document", "class", "labels", "recall", "agreement", "equations", "raw eq.", "captions", "raw cap.")
    lines: list[tuple[str, ...]] = [header]
    for name, figures in [*rows.items(), *summary.items()]:
        lines.append(
            (
                name,
                str(figures.get("class", "")),
                *(
                    _cell(figures[k])
                    for k in ("labels", "recall", "agreement", "equations", "raw_equations", "captions", "raw_captions")
                ),
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    print("\n".join("  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip() for line in lines))
    for scope, figures in summary.items():
        per_kind = figures["per_kind"]
        assert isinstance(per_kind, dict)
        shown = ", ".join(
            f"{kind} {_cell(f['recall'])}/{_cell(f['agreement'])} ({f['labels']})" for kind, f in per_kind.items()
        )
        print(f"{scope} per kind, recall/agreement (labels): {shown}")
    for name, reason in skipped.items():
        print(f"skipped {name}: {reason}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
