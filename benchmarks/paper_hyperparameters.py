"""Benchmark: the hyperparameter statements paperlink reads from real papers, scored against hand labels.

    python3 benchmarks/paper_hyperparameters.py --repos DIR [--split SPLIT[,SPLIT]|all] [--details] [--json]
        [--code CHECKOUT] [LABELS ...]

The labels live in ``benchmarks/paper_labels/<owner>__<repo>.yaml`` (format and what counts as
a statement: ``benchmarks/paper_labels/README.md``). Each names a public repository that ships
an ML paper's LaTeX, a pinned commit, the ``.tex`` files (or line ranges) read exhaustively,
every hyperparameter statement in them (name, symbol, value or set, scope, provenance) and
labelled negatives. The papers are never committed: ``--repos DIR`` holds them, as any of
``DIR/owner+repo/repo/.git``, ``DIR/owner+repo/repo`` or ``DIR/owner+repo`` (a git directory:
the pinned commit is exported) or ``DIR/owner__repo`` / ``DIR/repo`` (a checkout at that
commit). Repositories not present are listed and skipped; a checkout whose labelled lines read
differently (``line_sha``) is refused.

paperlink reads each paper once, in a subprocess of the chosen checkout (``--code``, by default
this one): ``python -m paperlink paper show MAIN.tex --format json``. Its items of kind
``hyperparameter`` are the reported statements: span, key, and ``hyperparameter.name``,
``.value``, ``.raw``, plus, where a checkout reports them, ``.values`` (a set), ``.scope``,
``.provenance`` (``own``, ``baseline``, ``cited``) and ``.canonical``. Only statements whose
span meets a labelled file's labelled lines count.

Matching. A reported statement and a label are a pair when

* they are in the same file and the label's line lies in the statement's span (its line, for a
  one-line statement);
* the value agrees: any number the statement writes (``value``, or ``raw`` read with the same
  normaliser as the label: ``10^{-4}``, ``3\\times10^{-4}``, ``1e-4``, ``0.0001``, ``1{,}000``,
  ``4k``, ``\\frac{1}{2}``) equals one of the label's, within a relative tolerance of 1e-9; a
  percentage matches as written and as a fraction (``90\\%`` is 90 and 0.9); a value that is no
  number (``16x16``, ``AdamW``) matches its spelling with markup and spaces removed. A label's
  ``values`` set is matched by any member; a reported set by a label whose value or values
  hold every member;
* provenance agrees: a statement reported as the paper's own (every statement, until a checkout
  reports provenance) may pair with an ``own`` or ``baseline`` label; one reported as
  ``baseline`` or ``cited`` with a ``baseline`` or ``cited`` label. A cited value reported as
  the paper's own is therefore false;
* for the value+scope figures, the scope agrees too: where the checkout reports no scope, only
  labels of scope ``global`` agree; otherwise both are lowercased words and agree when either
  set of words holds the other (``global`` agrees only with ``global``).

Pairs are one to one (a maximum matching): a value reported twice on one line pairs once, and a
set the paper writes on one line (a sweep, ablation arms), reported as several single values,
pairs once too; the others are false, since a set is one statement and never a conflict.
Precision = paired statements / reported statements; recall (own) = paired ``own`` labels /
``own`` labels; recall (own+baseline) likewise over both. Figures are printed for value only
and for value+scope. Also per paper: statements on a labelled negative's line, cited values
reported as own, and canonical-name mistakes: value-paired statements given a canonical key
(``hyperparameter.canonical`` where reported, else a key from the vocabulary below) where the
label says ``canonical: null`` ("inner step size" reported as ``learning_rate``). Under the
table, the recall of own values by the label's ``source`` (prose, math, table).

Splits as in accuracy.py: ``heldout`` (labelled blind, never studied), ``dev``, ``opened``;
the ``blind`` total counts the sets with ``labelled_blind: true``. ``--details`` lists every
miss and every false statement with the reason: read it for the sets you tune on, and quote only
the figures of the held-out ones. The numbers are quoted in notes, never asserted by tests.
Exit status 1 when a repository was refused or paperlink failed on it (the others are scored).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from accuracy import SPLITS, add_code_option, aligned, chosen_splits, line_digest, locate  # noqa: E402

ROOT = HERE.parent
LABELS = HERE / "paper_labels"
PROVENANCES = ("own", "baseline", "cited")
RELATIVE_TOLERANCE = 1e-9
NEAR_LINES = 2  # --details names a false statement this close to a label of its value as misplaced

# Keys paperlink's vocabulary gives (paper/hyperparams.py when this was written) and the
# labels' canonical names: a reported key among them is a canonical name, any other a slug of
# the paper's words. A checkout that reports ``hyperparameter.canonical`` is taken at its word.
CANONICAL_KEYS = frozenset(
    (
        "warmup_epochs warmup_steps lr_decay min_lr label_smoothing exploration_eps target_update_rate"
        " target_update_period max_grad_norm ema_decay buffer_size batch_size learning_rate beta1 beta2 betas"
        " adam.beta1 adam.beta2 adam.betas eps adam.eps weight_decay bn_momentum momentum temperature"
        " attention_dropout dropout gamma gae_lambda epochs training_steps d_ff d_model num_heads num_layers tau"
        " discount hidden_sizes hidden_units num_samples grad_clip_norm num_seeds total_timesteps entropy_coef"
        " adam_beta1 adam_beta2 adam_eps"
    ).split()
)


@dataclass(frozen=True)
class Statement:
    """One labelled hyperparameter statement."""

    path: str
    line: int
    name: str
    values: tuple[str, ...]  # one value, or the members of a set
    is_set: bool
    scope: str
    provenance: str
    canonical: str | None
    source: str
    unit: str | None = None


@dataclass(frozen=True)
class Negative:
    path: str
    line: int
    kind: str
    text: str


@dataclass(frozen=True)
class LabelSet:
    """One paper's labels."""

    repo: str
    commit: str
    main: str
    split: str
    blind: bool
    files: dict[str, tuple[tuple[int, int], ...]]  # path -> labelled ranges; () for the whole file
    statements: tuple[Statement, ...]
    negatives: tuple[Negative, ...]
    digests: tuple[tuple[str, int, str], ...]  # (path, line, line_sha) of every label
    source: Path


@dataclass(frozen=True)
class Reported:
    """One hyperparameter statement paperlink reports in the labelled lines."""

    path: str
    line: int
    end_line: int
    key: str
    name: str
    value: float | None
    raw: str
    values: tuple[str, ...] = ()
    scope: str | None = None
    provenance: str = "own"
    canonical: str | None = None


@dataclass
class Score:
    """Counts for one paper, or summed over several."""

    reported: int = 0
    labels: Counter[str] = field(default_factory=Counter)  # by provenance
    paired: int = 0  # reported statements paired, value only
    paired_scoped: int = 0
    found: Counter[str] = field(default_factory=Counter)  # labels paired by provenance, value only
    found_scoped: Counter[str] = field(default_factory=Counter)
    own_by_source: Counter[str] = field(default_factory=Counter)  # own labels by source (prose, math, table)
    own_found_by_source: Counter[str] = field(default_factory=Counter)
    on_negatives: int = 0
    cited_as_own: int = 0
    canonical_mistakes: int = 0
    missed: list[str] = field(default_factory=list)
    false: list[str] = field(default_factory=list)
    canonical: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        for name in ("reported", "paired", "paired_scoped", "on_negatives", "cited_as_own", "canonical_mistakes"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.labels += other.labels
        self.found += other.found
        self.own_by_source += other.own_by_source
        self.own_found_by_source += other.own_found_by_source
        self.found_scoped += other.found_scoped
        self.missed += other.missed
        self.false += other.false
        self.canonical += other.canonical

    def figures(self) -> dict[str, object]:
        own, baseline = self.labels["own"], self.labels["baseline"]
        return {
            "reported": self.reported,
            "labels": sum(self.labels.values()),
            "labels_own": own,
            "labels_baseline": baseline,
            "labels_cited": self.labels["cited"],
            "precision": _ratio(self.paired, self.reported),
            "recall_own": _ratio(self.found["own"], own),
            "recall_own_baseline": _ratio(self.found["own"] + self.found["baseline"], own + baseline),
            "precision_scope": _ratio(self.paired_scoped, self.reported),
            "recall_own_scope": _ratio(self.found_scoped["own"], own),
            "recall_own_baseline_scope": _ratio(
                self.found_scoped["own"] + self.found_scoped["baseline"], own + baseline
            ),
            "on_negatives": self.on_negatives,
            "cited_as_own": self.cited_as_own,
            "canonical_mistakes": self.canonical_mistakes,
            "recall_own_by_source": {
                source: _ratio(self.own_found_by_source[source], count)
                for source, count in sorted(self.own_by_source.items())
            },
        }


def _ratio(part: int, whole: int) -> float | None:
    return None if whole == 0 else part / whole


# --- labels ----------------------------------------------------------------------------


def read_labels(path: Path) -> LabelSet:
    """A label file, checked: every label lies in a labelled file's labelled lines and has a value."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    files = {
        str(entry["path"]): tuple((int(first), int(last)) for first, last in entry.get("ranges") or ())
        for entry in data["files"]
    }

    def where(entry: dict[str, object]) -> tuple[str, int]:
        file, line = str(entry["path"]), int(entry["line"])  # type: ignore[call-overload]
        if file not in files:
            raise ValueError(f"{path.name}: {file} is not among the labelled files")
        if not in_ranges(files[file], line, line):
            raise ValueError(f"{path.name}: {file}:{line} lies outside the labelled ranges")
        return file, line

    statements = []
    for entry in data.get("statements") or ():
        file, line = where(entry)
        is_set = entry.get("values") is not None
        values = tuple(str(v) for v in entry["values"]) if is_set else (str(entry.get("value")),)
        if not values or entry.get("value") is None and not is_set:
            raise ValueError(f"{path.name}: {file}:{line} has no value")
        if entry.get("provenance") not in PROVENANCES:
            raise ValueError(f"{path.name}: {file}:{line} has provenance {entry.get('provenance')!r}")
        statements.append(
            Statement(
                path=file,
                line=line,
                name=str(entry.get("name", "")),
                values=values,
                is_set=is_set,
                scope=str(entry.get("scope") or "global"),
                provenance=str(entry["provenance"]),
                canonical=entry.get("canonical"),
                source=str(entry.get("source", "")),
                unit=entry.get("unit"),
            )
        )
    negatives = []
    for entry in data.get("negatives") or ():
        file, line = where(entry)
        negatives.append(Negative(file, line, str(entry.get("kind", "")), str(entry.get("text", ""))))
    digests = tuple(
        (str(entry["path"]), int(entry["line"]), str(entry["line_sha"]))
        for entry in (*(data.get("statements") or ()), *(data.get("negatives") or ()))
        if entry.get("line_sha")
    )
    return LabelSet(
        repo=str(data["repo"]),
        commit=str(data["commit"]),
        main=str(data["main"]),
        split=str(data.get("split", "dev")),
        blind=bool(data.get("labelled_blind", False)),
        files=files,
        statements=tuple(statements),
        negatives=tuple(negatives),
        digests=digests,
        source=path,
    )


def in_ranges(ranges: Sequence[tuple[int, int]], line: int, end_line: int) -> bool:
    """Whether lines ``line``..``end_line`` meet the ranges (no ranges: the whole file)."""
    return not ranges or any(first <= end_line and line <= last for first, last in ranges)


def moved_labels(labels: LabelSet, root: Path) -> list[str]:
    """Labels whose line no longer reads as it did when labelled (a checkout at another commit).
    Lines are counted as the labels' README says: Python's ``str.splitlines()``."""
    texts = {
        path: (root / path).read_text(encoding="utf-8", errors="replace").splitlines()
        for path in labels.files
        if (root / path).is_file()
    }
    moved = []
    for path, line, digest in labels.digests:
        lines = texts.get(path, [])
        text = lines[line - 1] if 0 < line <= len(lines) else ""
        if line_digest(text) != digest:
            moved.append(f"{path}:{line}")
    return moved


# --- paperlink's statements ------------------------------------------------------------


def run_paperlink(root: Path, main: str, code: Path = ROOT) -> dict[str, object]:
    """``paperlink paper show MAIN --format json`` of the checkout ``code`` in ``root``."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    done = subprocess.run(
        [sys.executable, "-m", "paperlink", "paper", "show", main, "--format", "json"],
        capture_output=True,
        text=True,
        cwd=root,
        env=env,
        check=False,
    )
    if done.returncode not in (0, 1) or not done.stdout.strip():
        raise RuntimeError(f"paperlink exited {done.returncode} on {root / main}:\n{done.stderr[-2000:]}")
    document: dict[str, object] = json.loads(done.stdout)
    return document


def reported_statements(document: dict[str, object], labels: LabelSet) -> list[Reported]:
    """The hyperparameter items of a ``paper show`` document in the labelled lines, in order."""
    found = []
    for item in document.get("items") or ():  # type: ignore[attr-defined]
        hyper = item.get("hyperparameter")
        if item.get("kind") != "hyperparameter" or not hyper:
            continue
        span = item["span"]
        path, line, end_line = span["path"], int(span["line"]), int(span.get("end_line") or span["line"])
        if path not in labels.files or not in_ranges(labels.files[path], line, end_line):
            continue
        key = str(item.get("key", "")).removeprefix("hp:")
        canonical = hyper["canonical"] if "canonical" in hyper else (key if key in CANONICAL_KEYS else None)
        found.append(
            Reported(
                path=path,
                line=line,
                end_line=end_line,
                key=key,
                name=str(hyper.get("name", "")),
                value=hyper.get("value"),
                raw=str(hyper.get("raw", "")),
                values=tuple(str(v) for v in hyper.get("values") or ()),
                scope=hyper.get("scope") or None,
                provenance=str(hyper.get("provenance") or "own"),
                canonical=canonical,
            )
        )
    return sorted(found, key=lambda r: (r.path, r.line, r.end_line))


# --- values ----------------------------------------------------------------------------

_MARKUP = re.compile(r"\\[,;:! ]|[$~{}\s]|\\(?:num|mathrm|text|textrm|mathbf|textbf|ensuremath)(?![A-Za-z])")
_TIMES = re.compile(r"\\times|\\cdot|\u00d7|\*")
_NUMBER = re.compile(
    r"(?P<sign>[-+\u2212]?)(?:(?P<mantissa>\d+(?:,\d{3})*(?:\.\d*)?|\.\d+)(?:[eE](?P<exponent>[-+]?\d+))?)?"
    r"(?:(?(mantissa)x)10\^(?P<power>[-+\u2212]?\d+))?(?P<suffix>\\?%|[kKMB])?"
)
_FRACTION = re.compile(r"\\[dt]?frac\{(?P<top>[\d.]+)\}\{(?P<bottom>[\d.]+)\}|(?P<a>[\d.]+)/(?P<b>[\d.]+)")
_SCALE = {"k": 1e3, "K": 1e3, "M": 1e6, "B": 1e9}


def spelling(text: str) -> str:
    """A value's text with markup and spaces removed: ``16\\times 16`` -> ``16x16``."""
    return _TIMES.sub("x", _MARKUP.sub("", text.replace("\\{", "(").replace("\\}", ")"))).lower()


def numbers_of(text: str) -> set[float]:
    """The numbers a written value may mean: ``3\\times10^{-4}`` -> {3e-4}; ``90\\%`` -> {90, 0.9}."""
    fraction = _FRACTION.fullmatch(re.sub(r"[$\s]", "", text))
    if fraction is not None:
        top, bottom = (fraction["top"], fraction["bottom"]) if fraction["top"] else (fraction["a"], fraction["b"])
        try:
            return {float(top) / float(bottom)} if float(bottom) else set()
        except ValueError:
            return set()
    compact = _TIMES.sub("x", _MARKUP.sub("", text)).replace("\u2212", "-")
    match = _NUMBER.fullmatch(compact)
    if match is None or not (match["mantissa"] or match["power"]):
        return set()
    exponent = int(match["exponent"] or 0) + int((match["power"] or "0").replace("\u2212", "-"))
    value = float(f"{(match['mantissa'] or '1').replace(',', '')}e{exponent}")  # one correctly rounded step
    if match["sign"] in ("-", "\u2212"):
        value = -value
    suffix = (match["suffix"] or "").lstrip("\\")
    if suffix == "%":
        return {value, value / 100}
    return {value * _SCALE[suffix]} if suffix else {value}


def _label_numbers(statement: Statement, text: str) -> set[float]:
    found = numbers_of(text)
    if statement.unit == "%":
        found |= {value / 100 for value in found}
    return found


def _same_number(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=RELATIVE_TOLERANCE, abs_tol=0.0)


def _written_matches(number: object, raw: str, statement: Statement, members: Sequence[str]) -> bool:
    """Whether one reported value (its number and its spelling) is one of ``members``."""
    mine = numbers_of(raw)
    if isinstance(number, (int, float)) and not isinstance(number, bool):
        mine.add(float(number))
    elif isinstance(number, str):
        mine |= numbers_of(number)
    for member in members:
        theirs = _label_numbers(statement, member)
        if any(_same_number(a, b) for a in mine for b in theirs):
            return True
        if not theirs and spelling(member) == spelling(raw) and spelling(raw):
            return True
    return False


def value_agrees(reported: Reported, statement: Statement) -> bool:
    """The value rule of the module docstring."""
    if reported.values:
        return all(_written_matches(None, member, statement, statement.values) for member in reported.values)
    return _written_matches(reported.value, reported.raw, statement, statement.values)


def _words(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"[a-z0-9]+", text.lower()))


def scope_agrees(reported: Reported, statement: Statement) -> bool:
    """The scope rule of the module docstring."""
    if reported.scope is None or statement.scope == "global" or reported.scope.lower() == "global":
        return statement.scope == "global" and (reported.scope is None or reported.scope.lower() == "global")
    mine, theirs = _words(reported.scope), _words(statement.scope)
    return bool(mine and theirs) and (mine <= theirs or theirs <= mine)


def provenance_agrees(reported: Reported, statement: Statement) -> bool:
    """Own and baseline labels pair with a value reported as own; baseline and cited with one kept out."""
    if reported.provenance == "own":
        return statement.provenance in ("own", "baseline")
    return statement.provenance in ("baseline", "cited")


def _same_place(reported: Reported, label: Statement | Negative) -> bool:
    return reported.path == label.path and reported.line <= label.line <= reported.end_line


def pairs(
    reported: Sequence[Reported], statements: Sequence[Statement], agree: Callable[[Reported, Statement], bool]
) -> dict[int, int]:
    """A maximum one-to-one matching, reported index -> statement index, found by augmenting
    paths in document order so ties resolve the same way every run."""
    edges = [[j for j, s in enumerate(statements) if _same_place(r, s) and agree(r, s)] for r in reported]
    owner: dict[int, int] = {}  # statement -> reported

    def augment(i: int, seen: set[int]) -> bool:
        for j in edges[i]:
            if j not in seen:
                seen.add(j)
                if j not in owner or augment(owner[j], seen):
                    owner[j] = i
                    return True
        return False

    for i in range(len(reported)):
        augment(i, set())
    return {i: j for j, i in owner.items()}


# --- scoring ---------------------------------------------------------------------------


def _describe(reported: Reported) -> str:
    shown = "{" + ", ".join(reported.values) + "}" if reported.values else reported.raw
    return f"{reported.path}:{reported.line} hp:{reported.key} ({reported.name}) = {' '.join(shown.split())}"


def _label_text(statement: Statement) -> str:
    value = "{" + ", ".join(statement.values) + "}" if statement.is_set else statement.values[0]
    return (
        f"{statement.path}:{statement.line} [{statement.provenance}, {statement.source}] "
        f"{statement.name} = {value} (scope {statement.scope})"
    )


def score(labels: LabelSet, reported: Sequence[Reported]) -> Score:
    """One paper's score (the rules of the module docstring)."""
    statements = labels.statements
    result = Score(reported=len(reported), labels=Counter(s.provenance for s in statements))
    by_value = pairs(reported, statements, lambda r, s: provenance_agrees(r, s) and value_agrees(r, s))
    by_scope = pairs(
        reported, statements, lambda r, s: provenance_agrees(r, s) and value_agrees(r, s) and scope_agrees(r, s)
    )
    result.paired, result.paired_scoped = len(by_value), len(by_scope)
    result.found = Counter(statements[j].provenance for j in by_value.values())
    result.own_by_source = Counter(s.source for s in statements if s.provenance == "own")
    result.own_found_by_source = Counter(
        statements[j].source for j in by_value.values() if statements[j].provenance == "own"
    )
    result.found_scoped = Counter(statements[j].provenance for j in by_scope.values())
    for i, j in sorted(by_value.items()):
        r, s = reported[i], statements[j]
        if s.canonical is None and r.canonical is not None:
            result.canonical_mistakes += 1
            result.canonical.append(f"{_describe(r)}: labelled {s.name!r}, canonical null")
    for i, r in enumerate(reported):
        if i not in by_value:
            result.false.append(f"{_describe(r)}: {_why_false(r, labels, set(by_value.values()), result)}")
        elif i not in by_scope:
            s = statements[by_value[i]]
            result.false.append(f"{_describe(r)}: scope {r.scope or 'none'}, labelled {s.scope!r} (value+scope only)")
    found = set(by_value.values())
    for j, s in enumerate(statements):
        if j not in found and s.provenance != "cited":  # a cited value need not be reported at all
            result.missed.append(f"{_label_text(s)}: {_why_missed(s, reported)}")
    return result


def _why_false(r: Reported, labels: LabelSet, found: set[int], result: Score) -> str:
    here = [j for j, s in enumerate(labels.statements) if _same_place(r, s)]
    if any(labels.statements[j].provenance == "cited" and value_agrees(r, labels.statements[j]) for j in here):
        if r.provenance == "own":
            result.cited_as_own += 1
            return "a cited value reported as the paper's own"
    negative = next((n for n in labels.negatives if _same_place(r, n)), None)
    if any(value_agrees(r, labels.statements[j]) for j in here):
        return "a second report of a value already paired"
    if negative is not None:
        result.on_negatives += 1
        return f"on a labelled negative ({negative.kind}: {negative.text})"
    if here:
        values = sorted({v for j in here for v in labels.statements[j].values})
        return f"wrong value (labelled here: {', '.join(values)})"
    near = _near(r, labels.statements)
    if near is not None:
        return f"placed on line {r.line}, the value is labelled on line {near.line}"
    return "unlabelled"


def _near(r: Reported, statements: Sequence[Statement]) -> Statement | None:
    """A label of the same value a line or two away: the statement found but placed on the wrong line."""
    return next(
        (
            s
            for s in statements
            if s.path == r.path
            and 0 < min(abs(s.line - r.line), abs(s.line - r.end_line)) <= NEAR_LINES
            and value_agrees(r, s)
        ),
        None,
    )


def _why_missed(s: Statement, reported: Sequence[Reported]) -> str:
    here = [r for r in reported if _same_place(r, s)]
    if not here:
        near = next((r for r in reported if _near(r, (s,)) is not None), None)
        if near is not None:
            return f"reported with this value on line {near.line}"
        return "nothing reported on the line"
    agreeing = [r for r in here if value_agrees(r, s)]
    if any(not provenance_agrees(r, s) for r in agreeing):
        return f"reported as {agreeing[0].provenance}"
    if agreeing:
        return "reported, but paired with another label of the same value"
    return "reported here with other values: " + ", ".join(r.raw for r in here)


# --- output ----------------------------------------------------------------------------

COLUMNS = (
    ("reported", "reported"),
    ("labels", "labels"),
    ("own", "labels_own"),
    ("base", "labels_baseline"),
    ("cited", "labels_cited"),
    ("P", "precision"),
    ("R-own", "recall_own"),
    ("R-own+base", "recall_own_baseline"),
    ("P+scope", "precision_scope"),
    ("R-own+scope", "recall_own_scope"),
    ("on-neg", "on_negatives"),
    ("cited-as-own", "cited_as_own"),
    ("canon-null", "canonical_mistakes"),
)


def _cell(value: object) -> str:
    if value is None:
        return "-"
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def table(rows: Sequence[tuple[str, str, Score]]) -> str:
    lines = [("paper", "split", *(title for title, _ in COLUMNS))]
    for name, split, s in rows:
        figures = s.figures()
        lines.append((name, split, *(_cell(figures[key]) for _, key in COLUMNS)))
    return aligned(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("labels", nargs="*", type=Path, help="label files (default: benchmarks/paper_labels/*.yaml)")
    parser.add_argument("--repos", type=Path, help="folder holding the fetched repositories")
    parser.add_argument(
        "--split", default="all", help="heldout, dev, opened, a comma-separated list of them, or all (the default)"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    add_code_option(parser)
    parser.add_argument("--details", action="store_true", help="list every miss and every false statement")
    args = parser.parse_args(argv)
    chosen = chosen_splits(parser, args.split)
    if args.repos is None or not args.repos.is_dir():
        parser.error("--repos DIR: name the folder holding the fetched repositories")
    missing = [str(p) for p in args.labels if not p.is_file()]
    if missing:
        parser.error(f"no such label file: {', '.join(missing)}")
    sets = [read_labels(p) for p in (args.labels or sorted(LABELS.glob("*.yaml")))]
    sets = [s for s in sets if s.split in chosen]
    print(
        f"{len(sets)} label sets: {sum(len(s.files) for s in sets)} files, "
        f"{sum(len(s.statements) for s in sets)} statements, {sum(len(s.negatives) for s in sets)} negatives",
        file=sys.stderr,
    )
    rows: list[tuple[str, str, Score]] = []
    totals: dict[str, Score] = defaultdict(Score)
    absent, failed = [], False
    with tempfile.TemporaryDirectory(prefix="paperlink-paper-hp-") as work:
        for labels in sets:
            try:
                root = locate(args.repos, labels, Path(work))
            except (
                RuntimeError,
                subprocess.CalledProcessError,
            ) as error:  # the pinned commit is not in the git directory
                print(f"{labels.repo}: {error}", file=sys.stderr)
                failed = True
                continue
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
            try:
                document = run_paperlink(root, labels.main, args.code)
            except RuntimeError as error:
                print(f"{labels.repo}: {error}", file=sys.stderr)
                failed = True
                continue
            result = score(labels, reported_statements(document, labels))
            rows.append((labels.repo, labels.split + (" blind" if labels.blind else ""), result))
            for total in (labels.split, *(("blind",) if labels.blind else ()), "all"):
                totals[total].add(result)
            if args.details:
                for kind, entries in (("missed", result.missed), ("false", result.false), ("canon", result.canonical)):
                    for entry in entries:
                        print(f"  {kind:6}  {labels.repo}: {entry}", file=sys.stderr)
    if absent:
        print(f"not present under --repos, skipped: {', '.join(absent)}", file=sys.stderr)
    summary = [(f"total {name}", name, totals[name]) for name in (*SPLITS, "blind", "all") if name in totals]
    if args.json:
        print(
            json.dumps(
                {
                    "papers": {name: {"split": split, **s.figures()} for name, split, s in rows},
                    "totals": {split: s.figures() for _, split, s in summary},
                },
                indent=2,
                sort_keys=True,
            )
        )
    else:
        print(table(rows + summary))
        for _, split, total in summary:
            print(
                f"recall of own values by source, {split}: "
                + ", ".join(
                    f"{source} {_cell(_ratio(total.own_found_by_source[source], count))} of {count}"
                    for source, count in sorted(total.own_by_source.items())
                )
            )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
