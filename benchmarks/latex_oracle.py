"""Benchmark: paperlink's paper model against pdflatex on a corpus of real papers and theses.

    python3 benchmarks/latex_oracle.py --repos DIR [--corpus FILE] [--details] [--json] [--save FILE] [NAME ...]

The corpus (``benchmarks/latex_corpus.yaml``) lists public repositories holding a paper's or a
thesis's LaTeX source: repository, pinned commit, main file, document class and kind. The
sources are never committed: ``--repos DIR`` holds the fetched repositories, as
``DIR/owner+name/repo`` (a git directory: the pinned commit is exported) or ``DIR/owner+name``.

For each document it compiles the main file twice with ``pdflatex`` in a scratch copy and
reads every ``\\newlabel`` of the ``.aux`` files it wrote (the oracle; ``tests/paper/aux_oracle.py``
reads them, as the numbering tests do), then reads the same source with paperlink and prints:

* label recall: the oracle's labels paperlink knows, per kind (equation, section, algorithm,
  table, figure, theorem, other; a label's kind is paperlink's, or cleveref's ``@cref`` type
  when paperlink does not know the label, else unknown); labels no source file writes with
  ``\\label`` (packages' own) are counted apart;
* every equation number pdflatex prints, labelled or not, against paperlink's equations;
* number agreement: of the labels both know, those paperlink numbers as pdflatex prints them;
* rendering, as the report shows it: displayed equations whose MathML still holds a raw
  ``\\word`` or that fall back to LaTeX source; captions and theorem-like statements with a raw
  control word, math not rendered, or a reference whose printed number is missing.

``--details`` lists every disagreement. A document pdflatex cannot compile here (a missing
package, or a run stopped before ``\\end{document}``) is listed with the first missing file or
the tail of its log and left out of the totals. Packages the CI's TeX Live lacks are replaced by
the stand-ins of ``latex_stubs/`` (found after the installed ones), which change no counter.
The figures are quoted in docs/latex-fidelity.md, never asserted by tests.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
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
from paperlink.report.latex_text import TextRenderer, reference_names  # noqa: E402
from paperlink.report.math import MathRenderer  # noqa: E402
from paperlink.report.paper_view import rendered, theorem_statement  # noqa: E402
from benchmarks.accuracy import aligned, export  # noqa: E402
from tests.paper.aux_oracle import comparable, labels_from_aux, normalise  # noqa: E402

CORPUS = Path(__file__).with_name("latex_corpus.yaml")
# "unknown": a label paperlink does not know and cleveref does not type
KINDS = ("equation", "section", "algorithm", "table", "figure", "theorem", "unknown", "other")
# issue 18's bar: all but the labels paperlink itself reads as list items, footnotes or custom counters
BAR_KINDS = KINDS[:-1]
_RAW_CONTROL_WORD = re.compile(r"\\[A-Za-z]+")
_INLINE_MATH = re.compile(r"(?<!\\)\$|\\\(")
_REFERENCE = re.compile(r"\\(?:eq|c|C|auto)?ref\*?\{([^{}]*)\}")
_LABEL_IN_SOURCE = re.compile(r"\\label(?:\[[^\]]*\])?\{([^{}]*)\}")
_MBOX = re.compile(r"\\(?:mbox|hbox)\{([^{}]*)\}")
_NEWLABEL = re.compile(r"^\\newlabel\{(?P<key>.*?)\}\{\{", re.M)
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
    package_labels: int = 0  # labels no source file writes with \\label (left out)
    printed_equations: int = 0  # equation numbers pdflatex prints, labelled or not
    found_equations: int = 0  # of those, numbers paperlink gives an equation
    equations: int = 0  # displayed equations the report renders as MathML
    raw_equations: int = 0  # of those, MathML with a raw control word or a fallback to source
    captions: int = 0
    raw_captions: int = 0  # a raw control word, math not rendered, or a reference's number missing
    theorems: int = 0
    raw_theorems: int = 0  # likewise, for theorem-like statements
    # of the equations, captions and statements without a raw word: those holding a control word
    # no definition read explains, shown as its name (a macro of a class or package not shipped)
    unknown_equations: int = 0
    unknown_captions: int = 0
    unknown_theorems: int = 0
    unknown_commands: Counter[str] = field(default_factory=Counter)
    pages: int | None = None
    disagreements: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        for mine, theirs in ((self.labels, other.labels), (self.found, other.found), (self.agreed, other.agreed)):
            mine.update(theirs)
        self.unknown_commands.update(other.unknown_commands)
        for name in _COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        if other.pages is not None:
            self.pages = (self.pages or 0) + other.pages

    def figures(self) -> dict[str, object]:
        labels, found, agreed = (sum(c.values()) for c in (self.labels, self.found, self.agreed))
        barred = [sum(c[kind] for kind in BAR_KINDS) for c in (self.labels, self.found, self.agreed)]
        return {
            "pages": self.pages,
            "labels": labels,
            "recall": _ratio(found, labels),
            "agreement": _ratio(agreed, found),
            "bar": {
                "labels": barred[0],
                "recall": _ratio(barred[1], barred[0]),
                "agreement": _ratio(barred[2], barred[1]),
            },
            "per_kind": {
                kind: {
                    "labels": self.labels[kind],
                    "recall": _ratio(self.found[kind], self.labels[kind]),
                    "agreement": _ratio(self.agreed[kind], self.found[kind]),
                }
                for kind in KINDS
                if self.labels[kind]
            },
            "package_labels": self.package_labels,
            "equation_numbers": self.printed_equations,
            "equation_numbers_found": _ratio(self.found_equations, self.printed_equations),
            **{name: getattr(self, name) for name in _RENDERING_COUNTS},
            "unknown_commands": dict(self.unknown_commands.most_common(20)),
        }


_RENDERING_COUNTS = (
    *("equations", "raw_equations", "captions", "raw_captions", "theorems", "raw_theorems"),
    *("unknown_equations", "unknown_captions", "unknown_theorems"),
)
_COUNTS = ("package_labels", "printed_equations", "found_equations", *_RENDERING_COUNTS)


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
    for git_dir in (folder / "repo", folder / "repo" / ".git", folder):
        if (git_dir / "HEAD").is_file() and (git_dir / "objects").is_dir():
            target = work / folder.name
            export(git_dir, document.commit, target)
            return target
    return None


STUBS = Path(__file__).with_name("latex_stubs")
# Counts the pages pdflatex ships out (-draftmode writes no PDF, so the log does not say).
# Run before the main file: count the pages shipped out (-draftmode writes no PDF, so the log
# does not say) and log every equation number pdflatex reaches, labelled or not. A number is
# logged when the equation counter's value changes to a positive one, so a reset by
# \numberwithin and amsmath's measuring pass add nothing; eqnarray and eqnarray* step once
# past their last row and step back, so that last step is withdrawn. microtype's font expansion needs scalable
# fonts, which T1 text without cm-super or Latin Modern (not installed) lacks: it is turned off.
_HOOKS = (
    r"\PassOptionsToPackage{expansion=false}{microtype}"
    r"\newcount\paperlinkpages\AddToHook{shipout/after}{\global\advance\paperlinkpages 1}"
    r"\AddToHook{enddocument/end}{\typeout{paperlink-oracle pages: \the\paperlinkpages}}"
    r"\newcount\paperlinkequation\AddToHook{cmd/stepcounter/after}{\ifnum\value{equation}=\paperlinkequation\else"
    r"\global\paperlinkequation=\value{equation}"
    r"\ifnum\paperlinkequation>0 \typeout{paperlink-oracle equation: \theequation}\fi\fi}"
    r"\def\paperlinkretract{\begingroup\csname c@equation\endcsname=\numexpr\value{equation}+1\relax"
    r"\typeout{paperlink-oracle retract: \theequation}\endgroup\global\paperlinkequation=\value{equation}}"
    r"\AddToHook{env/eqnarray/after}{\paperlinkretract}\AddToHook{env/eqnarray*/after}{\paperlinkretract}"
)
_PAGES = re.compile(r"^paperlink-oracle pages: (\d+)$", re.M)
_EQUATION_STEP = re.compile(r"^paperlink-oracle (equation|retract): (.*)$", re.M)
_MISSING_FILE = re.compile(r"^! LaTeX Error: File `[^']*' not found\.", re.M)


@dataclass(frozen=True)
class Compiled:
    aux: str  # every .aux written, joined
    log_tail: str  # the last lines of the second run's output, or the first missing file
    pages: int | None  # pages shipped out by the second run
    equation_numbers: frozenset[str]  # every equation number the second run printed


def compile_aux(main: Path) -> Compiled:
    """pdflatex twice in ``main``'s folder (a scratch copy), with the stand-ins of latex_stubs/ found last."""
    # max_print_line: pdflatex wraps its output at 79 columns otherwise, and a wrapped number reads wrong
    environment = {**os.environ, "TEXINPUTS": f".::{STUBS}", "max_print_line": "100000"}
    for stale in main.parent.rglob("*.aux"):  # committed build leftovers, often of other documents
        stale.unlink()
    command = ["pdflatex", "-interaction=nonstopmode", "-draftmode", "-file-line-error", f"-jobname={main.stem}"]
    for _ in range(2):
        done = subprocess.run(
            [*command, f"{_HOOKS}\\input{{{main.name}}}"],
            cwd=main.parent,
            env=environment,
            capture_output=True,
            timeout=600,
            check=False,
        )
    log = done.stdout.decode("utf-8", "replace")
    texts = [aux.read_text(errors="replace") for aux in sorted(main.parent.rglob("*.aux"))]
    pages = _PAGES.search(log)
    missing = _MISSING_FILE.search(log)
    tail = missing[0] if missing else "\n".join(log.splitlines()[-12:])
    return Compiled("\n".join(texts), tail, int(pages[1]) if pages else None, printed_equations(log))


def printed_equations(log: str) -> frozenset[str]:
    """The equation numbers the hooks logged; a subequations parent (``4`` when ``4a`` follows) is
    a label target, not a printed number."""
    logged: list[str] = []
    for step, number in _EQUATION_STEP.findall(log):
        number = normalise(number) or ""  # "{2.2}.{1}" from \\renewcommand{\\theequation}{{\\thesection}.{...}}
        if step == "equation":
            logged.append(number)
        elif number in logged:
            del logged[len(logged) - 1 - logged[::-1].index(number)]
    numbers = set(logged)
    return frozenset(
        n for n in numbers if not any(o != n and re.fullmatch(re.escape(n) + "[a-z]+", o) for o in numbers)
    )


def _cref_kinds(aux: str) -> dict[str, str]:
    return {m["key"]: _KIND_OF_CREF.get(m["type"], "other") for m in _CREF_TYPE.finditer(aux)}


def _kind_of(item_kind: ItemKind) -> str:
    name = item_kind.name.lower()
    return name if name in KINDS else "other"


def score(paper: Paper, compiled: Compiled, in_source: frozenset[str]) -> Score:
    result = Score(pages=compiled.pages)
    oracle = labels_from_aux(compiled.aux)
    result.package_labels = sum(1 for key in oracle if key not in in_source)
    oracle = {key: _printed(number) for key, number in oracle.items() if key in in_source}
    _score_labels(paper, oracle, compiled.aux, result)
    _score_equation_numbers(paper, compiled.equation_numbers, result)
    _score_rendering(paper, oracle, result)
    return result


def _printed(number: str | None) -> str | None:
    """The oracle's number with the boxes a class wraps it in (IEEEtran's ``\\mbox{III-B}``) opened."""
    return None if number is None else _MBOX.sub(r"\1", number)


def _score_labels(paper: Paper, oracle: dict[str, str | None], aux: str, result: Score) -> None:
    cref = _cref_kinds(aux)
    kinds = {label: _kind_of(item.kind) for item in paper.items for label in item.labels}
    ours = paper.label_numbers()
    defined = Counter(m["key"] for m in _NEWLABEL.finditer(aux))
    for key, number in sorted(oracle.items()):
        if number is None:
            continue  # a label LaTeX prints no number for (the caption package's marker)
        kind = kinds.get(key) or cref.get(key, "unknown")
        result.labels[kind] += 1
        if key not in ours:
            result.disagreements.append(f"{kind} {key}: pdflatex {number!r}, paperlink has no such label")
            continue
        result.found[kind] += 1
        if comparable(ours[key]) == number:
            result.agreed[kind] += 1
        else:
            twice = " (multiply defined: LaTeX keeps the last)" if defined[key] > 1 else ""
            result.disagreements.append(f"{kind} {key}: pdflatex {number!r}, paperlink {ours[key]!r}{twice}")


def _score_equation_numbers(paper: Paper, printed: frozenset[str], result: Score) -> None:
    """Every equation number pdflatex prints, labelled or not, against paperlink's equations."""
    ours = {comparable(item.number) for item in paper.items if item.kind is ItemKind.EQUATION and item.number}
    result.printed_equations = len(printed)
    result.found_equations = len(printed & ours)
    for number in sorted(printed - ours, key=_natural):
        result.disagreements.append(f"equation number ({number}): pdflatex prints it, paperlink has no such equation")


def _natural(number: str) -> list[object]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", number)]


def _score_rendering(paper: Paper, oracle: dict[str, str | None], result: Score) -> None:
    """What the report shows: equations as MathML (a group of rows shows its rows), captions and
    theorem-like statements as text with MathML (paperlink/report/paper_view.py)."""
    renderer = MathRenderer(paper.macros)
    text = TextRenderer(renderer, reference_names(paper.items))
    groups = {item.parent for item in paper.items if item.kind is ItemKind.EQUATION and item.parent}
    for item in paper.items:
        before = Counter(renderer.unknown_commands)
        if item.kind is ItemKind.EQUATION and item.latex and item.key not in groups:
            what = "equation"
            markup = renderer.display(item.latex)
            raw = sorted(set(_RAW_CONTROL_WORD.findall(str(markup or ""))))
            why = (
                ""
                if markup is not None and not raw
                else "falls back to source"
                if markup is None
                else "raw " + " ".join(raw)
            )
        elif item.kind in (ItemKind.FIGURE, ItemKind.TABLE) and item.latex:
            what = "caption"
            why = _lossy(rendered(item.latex, text) or item.title, item.latex, oracle)
        elif item.kind is ItemKind.THEOREM and item.latex:
            what = "theorem"
            why = _lossy(theorem_statement(item, text), item.latex, oracle)
        else:
            continue
        plural = what + "s"
        setattr(result, plural, getattr(result, plural) + 1)
        unknown = renderer.unknown_commands - before
        if why:
            setattr(result, f"raw_{plural}", getattr(result, f"raw_{plural}") + 1)
            result.disagreements.append(f"rendering {what} {item.key}: {why}")
        elif unknown:
            setattr(result, f"unknown_{plural}", getattr(result, f"unknown_{plural}") + 1)
            result.unknown_commands.update(unknown)
            names = " ".join(f"\\{name}" for name in sorted(unknown))
            result.disagreements.append(f"rendering {what} {item.key}: unknown {names} shown as its name")


def _lossy(shown: str, source: str, oracle: dict[str, str | None]) -> str:
    """Why ``shown`` (the text the report prints for ``source``) loses something, or ""."""
    raw = sorted(set(_RAW_CONTROL_WORD.findall(re.sub(r"<[^>]*>", "", shown))))
    if raw:
        return "raw " + " ".join(raw[:6])
    if _INLINE_MATH.search(source) and "<math" not in shown:
        return "math not rendered"
    for key in (k.strip() for keys in _REFERENCE.findall(source) for k in keys.split(",")):
        number = oracle.get(key)
        if number and number not in shown:
            return f"reference {key} ({number}) not shown"
    return ""


def oracle_key(document: Document) -> str:
    """What an oracle depends on: the pinned source, the hooks and the stand-ins."""
    digest = hashlib.sha256(f"{document.repo}\0{document.commit}\0{document.main}\0{_HOOKS}".encode())
    for stub in sorted(STUBS.rglob("*")):
        if stub.is_file():
            digest.update(stub.name.encode() + b"\0" + stub.read_bytes())
    return digest.hexdigest()[:32]


def cached_compile(main: Path, document: Document, cache: Path | None) -> Compiled:
    """``compile_aux``, its result kept in ``cache`` (pdflatex takes minutes on the corpus; paperlink seconds)."""
    if cache is None:
        return compile_aux(main)
    entry = cache / f"{oracle_key(document)}.json"
    if entry.is_file():
        data = json.loads(entry.read_text(encoding="utf-8"))
        return Compiled(data["aux"], data["log_tail"], data["pages"], frozenset(data["equation_numbers"]))
    compiled = compile_aux(main)
    cache.mkdir(parents=True, exist_ok=True)
    fields = {"aux": compiled.aux, "log_tail": compiled.log_tail, "pages": compiled.pages}
    entry.write_text(json.dumps({**fields, "equation_numbers": sorted(compiled.equation_numbers)}), encoding="utf-8")
    return compiled


def run(document: Document, repos: Path, work: Path, cache: Path | None = None) -> tuple[Score | None, str]:
    root = checkout(repos, document, work)
    if root is None:
        return None, "not present under --repos"
    main = root / document.main
    if not main.is_file():
        return None, f"no {document.main} at {document.commit[:12]}"
    compiled = cached_compile(main, document, cache)
    if not labels_from_aux(compiled.aux):
        return None, "pdflatex wrote no labels:\n" + compiled.log_tail
    if compiled.pages is None:  # the end-of-document hook did not run: the .aux holds part of the labels
        return None, "pdflatex stopped before \\end{document}:\n" + compiled.log_tail
    return score(read_latex_paper(main, name="oracle", root=root), compiled, labels_in_source(root)), ""


def labels_in_source(root: Path) -> frozenset[str]:
    """Every key a .tex file of the repository passes to ``\\label``: the .aux also holds labels
    packages write (acronym's ``acro:``, lastpage, thmtools' restatable copies), which are not the paper's."""
    keys: set[str] = set()
    for path in root.rglob("*.tex"):
        keys.update(m[1] for m in _LABEL_IN_SOURCE.finditer(path.read_text(errors="replace")))
    return frozenset(keys)


def _percent(part: object, whole: object) -> str:
    assert isinstance(part, int) and isinstance(whole, int)
    return f"{100 * part / whole:.1f} %" if whole else "-"


def _cell(value: object) -> str:
    return "-" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="only these documents (owner/name or owner/name:main.tex)")
    parser.add_argument("--repos", type=Path, required=True, help="folder holding the fetched repositories")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--details", action="store_true", help="list every disagreement")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--save", type=Path, help="also write the figures as JSON to this file")
    parser.add_argument(
        "--oracle-cache",
        type=Path,
        default=Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "paperlink-latex-oracle",
        help="folder keeping each document's pdflatex oracle (default: ~/.cache/paperlink-latex-oracle)",
    )
    parser.add_argument("--no-oracle-cache", action="store_true", help="compile every document again")
    args = parser.parse_args(argv)
    documents = [d for d in read_corpus(args.corpus) if not args.names or d.repo in args.names or d.name in args.names]
    rows: dict[str, dict[str, object]] = {}
    totals: dict[str, Score] = defaultdict(Score)
    skipped: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="paperlink-latex-oracle-") as temporary:
        for index, document in enumerate(documents):
            cache = None if args.no_oracle_cache else args.oracle_cache
            result, reason = run(document, args.repos, Path(temporary) / str(index), cache)
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
    dump = json.dumps({"documents": rows, "totals": summary, "skipped": skipped}, indent=2, sort_keys=True)
    if args.save:
        args.save.write_text(dump + "\n", encoding="utf-8")
    if args.json:
        print(dump)
        return 0
    columns = ("pages", "labels", "recall", "agreement", "equation_numbers", "equation_numbers_found")
    columns += _RENDERING_COUNTS
    header = ("document", "class", "pages", "labels", "recall", "agreement", "eq. nos", "found")
    header += ("equations", "raw", "captions", "raw", "theorems", "raw")
    lines: list[tuple[str, ...]] = [header]
    for name, figures in [*rows.items(), *summary.items()]:
        lines.append((name, str(figures.get("class", "")), *(_cell(figures[k]) for k in columns)))
    print(aligned(lines))
    for scope, figures in summary.items():
        per_kind = figures["per_kind"]
        assert isinstance(per_kind, dict)
        shown = ", ".join(
            f"{kind} {_cell(f['recall'])}/{_cell(f['agreement'])} ({f['labels']})" for kind, f in per_kind.items()
        )
        bar = figures["bar"]
        assert isinstance(bar, dict)
        shown += f"; the six kinds of the bar {_cell(bar['recall'])}/{_cell(bar['agreement'])} ({bar['labels']})"
        print(f"{scope} per kind, recall/agreement (labels): {shown}")
        rendering = ", ".join(
            f"{what} {figures['raw_' + what]}/{figures[what]} ({_percent(figures['raw_' + what], figures[what])})"
            for what in ("equations", "captions", "theorems")
        )
        print(f"{scope} rendering, with a raw control word or a loss: {rendering}")
        unknown = ", ".join(
            f"{what} {figures['unknown_' + what]}/{figures[what]} ({_percent(figures['unknown_' + what], figures[what])})"
            for what in ("equations", "captions", "theorems")
        )
        commands = figures["unknown_commands"]
        assert isinstance(commands, dict)
        names = ", ".join(f"\\{name} {count}" for name, count in sorted(commands.items(), key=lambda c: -c[1]))
        print(f"{scope} rendering, an unknown command shown as its name: {unknown} ({names or 'none'})")
    for name, reason in skipped.items():
        print(f"skipped {name}: {reason}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
