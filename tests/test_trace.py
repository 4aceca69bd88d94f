"""Resolving references against papers: hand-built papers for each rule, then the samples."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pytest

from paperlink.paper import Hyperparameter, ItemKind, Paper, PaperItem, parse_paper
from paperlink.references import Reference, ReferenceKind, parse_references
from paperlink.spans import Span
from paperlink.trace import Resolution, resolve, resolve_all

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_papers"
I = ItemKind


def item(kind: ItemKind, key: str, number: str | None, line: int, **fields) -> PaperItem:
    fields.setdefault("labels", () if ":line:" in key or kind is I.HYPERPARAMETER else (key,))
    return PaperItem(kind, key, number, Span("paper.tex", line), **fields)


def paper(*items: PaperItem, name: str = "x") -> Paper:
    return Paper(name=name, source="paper.tex", items=items)


def one(text: str) -> Reference:
    references, errors = parse_references(text)
    assert errors == () and len(references) == 1
    return references[0]


def found(text: str, in_paper: Paper) -> str | None:
    resolution = resolve(one(text), in_paper)
    assert resolution.problem is None, resolution.message
    return resolution.item.key


def problem(text: str, in_paper: Paper) -> tuple[str | None, str]:
    resolution = resolve(one(text), in_paper)
    assert resolution.item is None
    return resolution.problem, resolution.message


# ---- hand-built papers: one rule each --------------------------------------------------

SMALL = paper(
    item(I.SECTION, "sec:intro", "1", 1, level=1),
    item(I.SECTION, "sec:method", "2", 5, level=1),
    item(I.SECTION, "sec:details", "2.1", 6, level=2, parent="sec:method"),
    item(I.EQUATION, "eq:one", "1", 8, labels=("eq:one", "eq:first")),
    item(I.EQUATION, "eq:a", "3", 10),
    item(I.EQUATION, "eq:b", "3", 20),
    item(I.EQUATION, "eq:unnumbered", None, 22),
    item(I.TABLE, "tab:results", "2", 30),
    item(I.ALGORITHM, "alg:a", "1", 40),
    item(I.ALGORITHM_LINE, "alg:a:line:1", "1", 41, parent="alg:a"),
    item(I.ALGORITHM_LINE, "alg:a_step", "2", 42, parent="alg:a"),
    item(I.ALGORITHM, "alg:b", "2", 50),
    item(I.ALGORITHM_LINE, "alg:b:line:1", "1", 51, parent="alg:b"),
    item(I.ALGORITHM_LINE, "alg:b_step", "2", 52, parent="alg:b"),
    item(I.ALGORITHM, "alg:bare", "3", 55),
    item(I.THEOREM, "thm:main", "1", 60, environment="Theorem"),
    item(I.THEOREM, "lem:aux", "2", 62, environment="Lemma"),
    item(I.THEOREM, "thm:second", "3", 64, environment="Theorem"),
    item(I.THEOREM, "lem:third", "3", 66, environment="Lemma"),
    item(I.HYPERPARAMETER, "hp:lr", None, 70, hyperparameter=Hyperparameter("learning rate", 0.1, "0.1")),
    item(I.HYPERPARAMETER, "hp:lr", None, 80, hyperparameter=Hyperparameter("learning rate", 0.1, "0.1")),
    item(I.TABLE, "tab:betas", "3", 90, labels=("tab:betas", "hp:beta")),
    item(I.SECTION, "sec:app", "A", 100, level=1, appendix=True),
    item(I.SECTION, "sec:app_proof", "A.1", 101, level=2, appendix=True, parent="sec:app"),
    item(I.EQUATION, "eq:tag", "TD", 110),
)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("eq:one", "eq:one"),
        ("eq:first", "eq:one"),  # any of an item's labels
        ("alg:a:line:1", "alg:a:line:1"),  # a synthesized key counts as a label
        ("Eq. 1", "eq:one"),
        ("Eq. (TD)", "eq:tag"),
        ("Sec. 2.1", "sec:details"),
        ("Chapter 2", "sec:method"),
        ("Sec. A.1", "sec:app_proof"),  # a section reference reaches appendix sections too
        ("Appendix A.1", "sec:app_proof"),
        ("Table 2", "tab:results"),
        ("Alg. 2", "alg:b"),
        ("Alg. 1 line 2", "alg:a_step"),
        ("Alg. 2 line 2", "alg:b_step"),  # the line of the right algorithm
        ("Theorem 1", "thm:main"),
        ("Lemma 2", "lem:aux"),
        ("Theorem 2", "lem:aux"),  # the only item numbered 2: accepted though the word differs
        ("Thm. 3", "thm:second"),  # separate counters: the word decides
        ("Lem. 3", "lem:third"),
        ("hp:lr", "hp:lr"),
        ("hp:beta", "tab:betas"),  # no hyperparameter item: falls back to a label
    ],
)
def test_resolves(text, key):
    assert found(text, SMALL) == key


def test_a_hyperparameter_by_its_printed_name():
    dqn = paper(
        item(I.HYPERPARAMETER, "hp:gamma", None, 3, title="Discount"),
        item(I.HYPERPARAMETER, "hp:buffer_size", None, 4, title="Replay capacity"),
    )
    assert found("hp:discount", dqn) == "hp:gamma"
    assert found("hp:replay_capacity", dqn) == "hp:buffer_size"
    assert problem("hp:replay_capacty", dqn) == (
        "unknown",
        "hp:replay_capacty is not a hyperparameter of paper 'x'; did you mean hp:replay_capacity?",
    )


def test_a_hyperparameter_stated_twice_is_its_first_statement():
    resolution = resolve(one("hp:lr"), SMALL)
    assert resolution.item.span.line == 70
    assert resolution.candidates == ()


def test_resolution_carries_the_paper_name():
    assert resolve(one("Eq. 1"), SMALL) == Resolution(one("Eq. 1"), item=SMALL.items[3], paper="x")


def test_duplicate_tags_are_ambiguous():
    resolution = resolve(one("Eq. 3"), SMALL)
    assert resolution.problem == "ambiguous"
    assert [c.key for c in resolution.candidates] == ["eq:a", "eq:b"]
    assert resolution.message == "Eq. (3) is ambiguous in paper 'x': eq:a (paper.tex:10), eq:b (paper.tex:20)"


def test_duplicate_labels_are_ambiguous():
    twice = paper(item(I.EQUATION, "eq:a", "1", 3), item(I.EQUATION, "eq:a", "2", 9))
    assert problem("eq:a", twice) == (
        "ambiguous",
        "eq:a is ambiguous in paper 'x': eq:a (paper.tex:3), eq:a (paper.tex:9)",
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("eq:frist", "eq:frist is not a label of paper 'x'; did you mean eq:first?"),
        ("eq:nothing_like_it", "eq:nothing_like_it is not a label of paper 'x'"),
        ("hp:lrr", "hp:lrr is not a hyperparameter of paper 'x'; did you mean hp:lr?"),
        ("hp:bet", "hp:bet is not a hyperparameter of paper 'x'; did you mean hp:beta?"),
        (
            "Eq. 2",
            "Eq. (2) is not in paper 'x'; did you mean Eq. (1) eq:one, Table 2 tab:results, Algorithm 2 alg:b"
            " or Lemma 2 lem:aux?",
        ),
        ("Eq. (TDD)", "Eq. (TDD) is not in paper 'x'; did you mean Eq. (TD) eq:tag?"),
        ("Sec. 2.4", "Section 2.4 is not in paper 'x'; did you mean Section 2.1 sec:details?"),
        ("Sec. 3", "Section 3 is not in paper 'x'; did you mean Section 2 sec:method?"),
        ("Appendix B", "Appendix B is not in paper 'x'; did you mean Appendix A sec:app?"),
        ("Appendix 2", "Appendix 2 is not in paper 'x'"),
        ("Alg. 4", "Algorithm 4 is not in paper 'x'; did you mean Algorithm 3 alg:bare?"),
        ("Alg. 1 line 9", "Algorithm 1 line 9 is not in paper 'x'; did you mean Algorithm 1 line 2 alg:a_step?"),
        ("Alg. 5 line 1", "Algorithm 5 line 1 is not in paper 'x'; did you mean Algorithm 3 alg:bare?"),
        ("Alg. 3 line 1", "Algorithm 3 line 1 is not in paper 'x'; Algorithm 3 alg:bare has no numbered lines"),
        ("Figure 1", "Figure 1 is not in paper 'x', which has no numbered figures"),
        ("Lemma 4", "Lemma 4 is not in paper 'x'; did you mean Lemma 3 lem:third?"),
        ("Corollary 3", "Corollary 3 is not in paper 'x'; did you mean Theorem 3 thm:second?"),
    ],
)
def test_unknown(text, message):
    assert problem(text, SMALL) == ("unknown", message)


def test_unnumbered_items_match_no_number():
    assert found("eq:unnumbered", SMALL) == "eq:unnumbered"
    assert problem("Eq. 4", paper(item(I.EQUATION, "eq:u", None, 1))) == (
        "unknown",
        "Eq. (4) is not in paper 'x'",
    )


def test_a_paper_without_theorems_says_so():
    assert problem("Lemma 1", paper(item(I.EQUATION, "eq:a", "1", 1))) == (
        "unknown",
        "Lemma 1 is not in paper 'x', which has no numbered theorems or theorem-like statements",
    )


# ---- choosing the paper ----------------------------------------------------------------

OTHER = paper(item(I.EQUATION, "eq:other", "1", 1), name="other")
PAPERS = {"x": SMALL, "other": OTHER}


def keys(resolutions: tuple[Resolution, ...]) -> list[str | None]:
    return [r.item.key if r.item else r.problem for r in resolutions]


def test_the_named_paper_wins_over_the_default():
    assert keys(resolve_all([one("Eq. 1")], PAPERS, "other", "x")) == ["eq:other"]
    assert keys(resolve_all([one("Eq. 1")], PAPERS, None, "x")) == ["eq:one"]


def test_a_lone_paper_needs_no_name():
    assert keys(resolve_all([one("Eq. 1")], {"other": OTHER}, None, None)) == ["eq:other"]


def test_every_reference_resolves_in_order():
    references, _ = parse_references("Eq. 1, Table 2, eq:nope")
    resolutions = resolve_all(references, PAPERS, "x", None)
    assert keys(resolutions) == ["eq:one", "tab:results", "unknown"]
    assert {r.paper for r in resolutions} == {"x"}


@pytest.mark.parametrize(
    ("papers", "name", "default", "message"),
    [
        (PAPERS, "oter", None, "unknown paper 'oter' (configured: other, x); did you mean 'other'?"),
        (PAPERS, "simsiam", "x", "unknown paper 'simsiam' (configured: other, x)"),
        (PAPERS, None, "gone", "unknown paper 'gone' (configured: other, x)"),
        (PAPERS, None, None, "several papers are configured (other, x); name one or set default-paper"),
        ({}, "x", None, "unknown paper 'x'; no papers are configured"),
        ({}, None, None, "no papers are configured"),
    ],
)
def test_unknown_paper(papers, name, default, message):
    references, _ = parse_references("Eq. 1, eq:one")
    resolutions = resolve_all(references, papers, name, default)
    expected = ("unknown-paper", message, None, name or default)
    assert [(r.problem, r.message, r.item, r.paper) for r in resolutions] == [expected] * 2


def test_no_references_no_resolutions():
    assert resolve_all([], {}, None, None) == ()


# ---- the sample papers -----------------------------------------------------------------


@lru_cache(maxsize=None)
def sample(name: str) -> Paper:
    root = SAMPLES / name
    return parse_paper(root / "paper.tex", name=name, root=root)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Eq. 3", "eq:loss"),
        ("Eq. (3b)", "eq:symloss"),
        ("Sec. 2.1", "sec:architecture"),
        ("Appendix A.1", "sec:output_std"),
        ("Alg. 1 line 5", "alg:simsiam_loss"),
        ("Table 1", "tab:hparams"),
        ("Prop. 1", "prop:collapse"),
        ("hp:learning_rate", "hp:learning_rate"),
    ],
)
def test_simsiam_resolves(text, key):
    assert found(text, sample("simsiam")) == key


def test_simsiam_hyperparameter_is_the_hyperparameter_item():
    resolution = resolve(one("hp:learning_rate"), sample("simsiam"))
    assert resolution.item.kind is I.HYPERPARAMETER
    assert resolution.item.title == "learning rate"  # stated in prose before Table 1 repeats it


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("eq:symmetric_loss", "eq:symmetric_loss is not a label of paper 'simsiam'; did you mean eq:symloss?"),
        ("Eq. 99", "Eq. (99) is not in paper 'simsiam'; did you mean Eq. (7) eq:collapse_std?"),
        ("Eq. 3c", "Eq. (3c) is not in paper 'simsiam'; did you mean Eq. (3b) eq:symloss?"),
        ("Alg. 1 line 12", "Algorithm 1 line 12 is not in paper 'simsiam'; did you mean Algorithm 1 line 7?"),
        ("Lemma 2", "Lemma 2 is not in paper 'simsiam'; did you mean Proposition 1 prop:collapse?"),
        ("Eq. A.1", "Eq. (A.1) is not in paper 'simsiam'"),  # sections share every number: not suggested
        ("Eq. 2.1", "Eq. (2.1) is not in paper 'simsiam'; did you mean Eq. (2) eq:predictor?"),
    ],
)
def test_simsiam_unknown(text, message):
    assert problem(text, sample("simsiam")) == ("unknown", message)


def test_numbered_within_sections_keeps_equations_and_sections_apart():
    transformer = sample("transformer")
    assert found("Eq. 2.1", transformer) == "eq:attention"
    assert found("Sec. 2.1", transformer) == "sec:attention"
    assert problem("Sec. 3.4", transformer) == (
        "unknown",
        "Section 3.4 is not in paper 'transformer'; did you mean Section 3.3 sec:regularization?",
    )


def test_a_tag_resolves():
    assert found("Eq. (TD)", sample("dqn")) == "eq:td_target"


ANNOTATION = re.compile(
    r"#\s*paper:\s*(?P<comment>.+)$"
    r"|^\s*(?:\"\"\")?Paper:\s*(?P<doc>.+?)(?:\"\"\")?$"
    r"|implements\(\"(?P<label>[^\"]+)\""
)


def sample_annotations(name: str) -> list[tuple[str, str]]:
    """(path:line, annotation text) for each annotation in a sample's code, read crudely."""
    found_texts = []
    for path in sorted((SAMPLES / name / "src").glob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            match = ANNOTATION.search(line)
            if match:
                text = match["comment"] or match["doc"] or match["label"]
                found_texts.append((f"{path.name}:{number}", text))
    return found_texts


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("simsiam", ["train.py:77 eq:symmetric_loss is not a label of paper 'simsiam'; did you mean eq:symloss?"]),
        ("dqn", ["agent.py:70 Algorithm 2 line 4 is not in paper 'dqn'; did you mean Algorithm 1 alg:dqn?"]),
        (
            "transformer",
            ["layers.py:95 Section 3.4 is not in paper 'transformer'; did you mean Section 3.3 sec:regularization?"],
        ),
    ],
)
def test_sample_annotations_resolve_except_the_seeded_defects(name, expected):
    annotations = sample_annotations(name)
    assert len(annotations) > 10
    problems = []
    for where, text in annotations:
        references, errors = parse_references(text)
        assert errors == (), (where, text)
        resolutions = resolve_all(references, {name: sample(name)}, None, None)
        problems += [f"{where} {r.message}" for r in resolutions if r.problem]
    assert problems == expected


def test_reference_kinds_all_resolve_somewhere():
    # every kind has a rule in resolve(): none raises on an empty paper
    empty = paper()
    for kind in ReferenceKind:
        reference = Reference(kind, "", label="x:y", number="1", line="1", theorem_word="Lemma")
        assert resolve(reference, empty).problem == "unknown"


@pytest.mark.parametrize(
    ("text", "labels", "suggestion", "guess"),
    [
        # a close match by difflib is a guess: these name other items
        ("eq:loss_v1", ("eq:loss_v2",), "eq:loss_v2", True),
        ("eq:policy_loss", ("eq:value_loss",), "eq:value_loss", True),
        ("hp:lr_actor", ("hp:lr_critic",), "hp:lr_critic", True),
        ("eq:symetric", ("eq:symmetric",), "eq:symmetric", True),
        # the same letters, in another case or with other separators, is sure
        ("eq:MSE", ("eq:mse",), "eq:mse", False),
        ("eq:loss-fn", ("eq:loss_fn",), "eq:loss_fn", False),
        ("hp:Lr_Critic", ("hp:lr_critic",), "hp:lr_critic", False),
        # ... unless two labels have them
        ("eq:a-b", ("eq:a_b", "eq:A_B"), "eq:a_b", True),
    ],
)
def test_only_a_label_with_the_same_letters_is_a_sure_suggestion(
    text: str, labels: tuple[str, ...], suggestion: str, guess: bool
) -> None:
    kind = I.HYPERPARAMETER if text.startswith("hp:") else I.EQUATION
    items = [item(kind, label, None if kind is I.HYPERPARAMETER else str(n), n) for n, label in enumerate(labels, 1)]
    resolution = resolve(one(text), paper(*items))
    assert (resolution.problem, resolution.suggestion, resolution.guess) == ("unknown", suggestion, guess)
