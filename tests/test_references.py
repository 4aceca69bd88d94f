"""The reference grammar: what annotation text names, and what it says when it cannot."""

from __future__ import annotations

import dataclasses
from functools import partial

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperlink import references as grammar
from paperlink.references import (
    MalformedReference,
    Reference,
    ReferenceKind,
    format_reference,
    parse_references,
)
from tests.work import count_regex_characters, function_calls

K = ReferenceKind


def canonical(text: str) -> list[str]:
    references, errors = parse_references(text)
    assert errors == ()
    return [format_reference(reference) for reference in references]


def messages(text: str) -> list[str]:
    return [error.message for error in parse_references(text)[1]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # equations
        ("Eq. 3", ["Eq. (3)"]),
        ("Eq 3", ["Eq. (3)"]),
        ("Eq. (3)", ["Eq. (3)"]),
        ("Eq.(3b)", ["Eq. (3b)"]),
        ("Equation 3", ["Eq. (3)"]),
        ("eq. 2.4", ["Eq. (2.4)"]),
        ("EQ. 5", ["Eq. (5)"]),
        ("Eq. (TD)", ["Eq. (TD)"]),
        ("Eq. (A.1)", ["Eq. (A.1)"]),
        ("Eqs. 3 and 4", ["Eq. (3)", "Eq. (4)"]),
        ("Eqs. (3)-(4)", ["Eq. (3)", "Eq. (4)"]),
        ("Eqs. 3--5", ["Eq. (3)", "Eq. (4)", "Eq. (5)"]),
        ("Eqs. 3, 4, and 5", ["Eq. (3)", "Eq. (4)", "Eq. (5)"]),
        ("Eqs. (3) and (4)", ["Eq. (3)", "Eq. (4)"]),
        # sections and appendices
        ("Sec. 3.2", ["Section 3.2"]),
        ("Section 3.2", ["Section 3.2"]),
        ("Sect. 3", ["Section 3"]),
        ("§3.2", ["Section 3.2"]),
        ("§ 3.2", ["Section 3.2"]),
        ("Chapter 2", ["Section 2"]),
        ("Ch. 2", ["Section 2"]),
        ("Secs. 2.1 and 2.2", ["Section 2.1", "Section 2.2"]),
        ("Sec. A.1", ["Section A.1"]),
        ("Appendix A", ["Appendix A"]),
        ("Appendix A.1", ["Appendix A.1"]),
        ("App. B.2", ["Appendix B.2"]),
        ("appendix a.1", ["Appendix A.1"]),
        ("Appendices A and B", ["Appendix A", "Appendix B"]),
        # algorithms
        ("Alg. 1", ["Algorithm 1"]),
        ("Algorithm 1", ["Algorithm 1"]),
        ("Algo. 2", ["Algorithm 2"]),
        ("Alg. 1 line 4", ["Algorithm 1 line 4"]),
        ("Alg. 1, line 4", ["Algorithm 1 line 4"]),
        ("Algorithm 1 lines 4-6", ["Algorithm 1 line 4", "Algorithm 1 line 5", "Algorithm 1 line 6"]),
        ("Alg. 1 l. 4", ["Algorithm 1 line 4"]),
        ("Alg. 1 ll. 4-5", ["Algorithm 1 line 4", "Algorithm 1 line 5"]),
        ("Alg. 1 line 4, line 6", ["Algorithm 1 line 4", "Algorithm 1 line 6"]),
        ("Alg. 1 line 4 and 6", ["Algorithm 1 line 4", "Algorithm 1 line 6"]),
        ("Alg. 2, lines 3-4", ["Algorithm 2 line 3", "Algorithm 2 line 4"]),
        ("Algs. 1 and 2", ["Algorithm 1", "Algorithm 2"]),
        # tables and figures
        ("Table 2", ["Table 2"]),
        ("Tab. 2", ["Table 2"]),
        ("Fig. 3", ["Figure 3"]),
        ("Figure 3a", ["Figure 3a"]),
        ("Figs. 3 and 4", ["Figure 3", "Figure 4"]),
        # theorem-like statements
        ("Theorem 1", ["Theorem 1"]),
        ("Thm. 1", ["Theorem 1"]),
        ("Lemma 2", ["Lemma 2"]),
        ("Lem. 2", ["Lemma 2"]),
        ("Proposition 3", ["Proposition 3"]),
        ("Prop. 3", ["Proposition 3"]),
        ("Corollary 1", ["Corollary 1"]),
        ("Cor. 1", ["Corollary 1"]),
        ("Definition 2", ["Definition 2"]),
        ("Def. 2", ["Definition 2"]),
        ("Assumption 1", ["Assumption 1"]),
        ("Remark 1", ["Remark 1"]),
        ("Claim 2", ["Claim 2"]),
        ("Lemmas 2 and 3", ["Lemma 2", "Lemma 3"]),
        # labels
        ("eq:loss", ["eq:loss"]),
        ("sec:method, alg:dqn; fig:x, tab:hp, thm:main", ["sec:method", "alg:dqn", "fig:x", "tab:hp", "thm:main"]),
        ("eq:a_b-c.d/e+f2", ["eq:a_b-c.d/e+f2"]),
        ("eq:lösung", ["eq:lösung"]),
        ("alg:simsiam:line:3", ["alg:simsiam:line:3"]),
        ("myloss", ["myloss"]),
        ("eq1", ["eq1"]),
        ("sec.intro", ["sec.intro"]),
        ("hp:learning_rate", ["hp:learning_rate"]),
        ("hp:adam.beta2", ["hp:adam.beta2"]),
        # mixtures and spacing
        ("Eq. 3, Sec. 4.1", ["Eq. (3)", "Section 4.1"]),
        ("Eq. 3; eq:loss and Table 1", ["Eq. (3)", "eq:loss", "Table 1"]),
        ("Eq.~3", ["Eq. (3)"]),
        ("Eq.\u00a03", ["Eq. (3)"]),
        ("  Eq.   3  ,   Sec.  2  ", ["Eq. (3)", "Section 2"]),
        ("Eq. 3.", ["Eq. (3)"]),
        ("Sec. 2.1.", ["Section 2.1"]),
        ("eq:loss.", ["eq:loss"]),
        ("Eq. (a, b)", ["Eq. (a, b)"]),
    ],
)
def test_reads(text, expected):
    assert canonical(text) == expected


def test_fields_of_each_kind():
    references, _ = parse_references("eq:loss, hp:lr, Eq. (3b), Alg. 1 line 4, Lem. 2, Appendix A.1")
    assert references == (
        Reference(K.LABEL, "eq:loss", label="eq:loss", start=0, end=7),
        Reference(K.HYPERPARAMETER, "hp:lr", label="hp:lr", start=9, end=14),
        Reference(K.EQUATION, "Eq. (3b)", number="3b", start=16, end=24),
        Reference(K.ALGORITHM_LINE, "Alg. 1 line 4", number="1", line="4", start=26, end=39),
        Reference(K.THEOREM, "Lem. 2", number="2", theorem_word="Lemma", start=41, end=47),
        Reference(K.APPENDIX, "Appendix A.1", number="A.1", start=49, end=61),
    )


def test_spans_point_into_the_text():
    text = "Eqs. 3 and 4, Alg. 1, line 4"
    references, _ = parse_references(text)
    assert [(r.text, text[r.start : r.end]) for r in references] == [
        ("Eqs. 3", "Eqs. 3"),
        ("4", "4"),
        ("Alg. 1, line 4", "Alg. 1, line 4"),
    ]


def test_a_range_shares_the_span_of_its_item():
    references, _ = parse_references("eq:a, Eqs. 3-4")
    assert [(r.number, r.start, r.end) for r in references if r.kind is K.EQUATION] == [("3", 6, 14), ("4", 6, 14)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Eqn 3", ["unknown reference 'Eqn 3'; did you mean 'Eq. 3'?"]),
        ("Eqn. (3)", ["unknown reference 'Eqn. (3)'; did you mean 'Eq. (3)'?"]),
        ("Eqn.3", ["unknown reference 'Eqn.3'; did you mean 'Eq. 3'?"]),
        ("Tbl. 2", ["unknown reference 'Tbl. 2'; did you mean 'Table 2'?"]),
        ("Apx. B", ["unknown reference 'Apx. B'; did you mean 'Appendix B'?"]),
        ("Equaton 3", ["unknown reference 'Equaton 3'; did you mean 'Eq. 3'?"]),
        ("Lema 2", ["unknown reference 'Lema 2'; did you mean 'Lemma 2'?"]),
        ("eq: loss", ["unknown reference 'eq: loss'; did you mean 'eq:loss'?"]),
        ("the loss", ["unknown reference 'the loss'; write a label such as 'eq:loss' or a number such as 'Eq. 3'"]),
        ("Eq.", ["'Eq.' needs a number, e.g. 'Eq. 3'"]),
        ("Section", ["'Section' needs a number, e.g. 'Section 3.2'"]),
        ("§", ["'§' needs a number, e.g. '§3.2'"]),
        ("Lemma", ["'Lemma' needs a number, e.g. 'Lemma 1'"]),
        ("Appendix", ["'Appendix' needs a number, e.g. 'Appendix A.1'"]),
        ("Alg. 1 line", ["'line' needs a number, e.g. 'Alg. 1 line 4'"]),
        ("Eq. foo", ["'foo' is not an equation number; write a \\tag in parentheses, e.g. 'Eq. (foo)'"]),
        ("Sec. intro", ["'intro' is not a section number; write e.g. 'Sec. 3.2'"]),
        ("Alg. 1 line 4b", ["'4b' is not a line number; write e.g. 'Alg. 1 line 4'"]),
        ("(3)", ["'(3)' is ambiguous on its own; write e.g. 'Eq. (3)'"]),
        ("3", ["'3' is ambiguous on its own; write e.g. 'Eq. 3' or 'Sec. 3'"]),
        ("line 4", ["'line 4' needs an algorithm, e.g. 'Alg. 1 line 4'"]),
        ("Eq. 3, line 4", ["'line 4' needs an algorithm, e.g. 'Alg. 1 line 4'"]),
        ("Eqs. (3a)-(3c)", ["cannot expand the range '(3a)-(3c)': only whole numbers make a range; list each one"]),
        ("Eqs. 5-3", ["the range '5-3' runs backwards"]),
        ("Eqs. 1-1000", ["the range '1-1000' spans more than 100 numbers"]),
        ("Eq. 3,, Sec. 2", ["empty reference"]),
        ("Eq. 3,", ["empty reference"]),
        ("Eq. 3 and", ["empty reference"]),
        ("eq:a, , eq:b", ["empty reference"]),
    ],
)
def test_malformed(text, expected):
    assert messages(text) == expected


def test_good_references_survive_a_bad_neighbour():
    references, errors = parse_references("Eqn 3, 4, Eq. 5")
    assert [format_reference(r) for r in references] == ["Eq. (5)"]
    # the continuation "4" of a malformed item is not reported a second time
    assert errors == (MalformedReference("Eqn 3", 0, 5, "unknown reference 'Eqn 3'; did you mean 'Eq. 3'?", "Eq. 3"),)


def test_empty_reference_points_at_the_separator():
    _, errors = parse_references("Eq. 3,, Sec. 2")
    assert errors == (MalformedReference(",", 6, 7, "empty reference"),)


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_blank_text_gives_nothing(text):
    assert parse_references(text) == ((), ())


def test_upper_case_letters_after_a_label_are_a_label():
    assert canonical("eq:loss, DQN") == ["eq:loss", "DQN"]


# ---- properties -----------------------------------------------------------------------

ALPHABET = st.sampled_from(list("Eq.Sec§AlgTabFigLemmaline ()-–,;&and~\u00a0:hp_0123456789abAB\n\t'\"\\/"))
TEXT = st.one_of(st.text(), st.text(ALPHABET))


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_never_raises_and_spans_are_sound(text):
    references, errors = parse_references(text)
    for found in (*references, *errors):
        assert 0 <= found.start < found.end <= len(text)
        assert text[found.start : found.end].strip()
    for reference in references:
        assert reference.text == text[reference.start : reference.end]


NUMBER = st.from_regex(r"\A(?:[1-9][0-9]{0,2}|[A-Z][0-9]?)(?:\.[0-9]{1,2}){0,2}[a-z]?\Z")
TAG = st.from_regex(r"\A[A-Za-z0-9*'+]{1,6}\Z")
# labels ending in "." are read as ending a sentence, so none is generated
LABEL = st.from_regex(r"\A[a-z]{1,5}:[\w\-/+]([\w\-./+]{0,10}[\w\-/+])?\Z").filter(
    lambda s: not s.lower().startswith("hp:")
)
HP_KEY = st.from_regex(r"\A[a-z_][a-z0-9_.]{0,10}[a-z0-9_]\Z")
WORDS = st.sampled_from(["Theorem", "Lemma", "Proposition", "Corollary", "Definition", "Assumption", "Remark", "Claim"])
LINE = st.integers(min_value=1, max_value=999).map(str)

REFERENCES = st.one_of(
    st.builds(lambda n: Reference(K.EQUATION, "", number=n), st.one_of(NUMBER, TAG)),
    *(
        st.builds(lambda n, k=kind: Reference(k, "", number=n), NUMBER)
        for kind in (K.SECTION, K.ALGORITHM, K.TABLE, K.FIGURE)
    ),
    st.builds(lambda n: Reference(K.APPENDIX, "", number=n), st.from_regex(r"\A[A-Z](?:\.[0-9]{1,2}){0,2}\Z")),
    st.builds(lambda n, line: Reference(K.ALGORITHM_LINE, "", number=n, line=line), NUMBER, LINE),
    st.builds(lambda n, w: Reference(K.THEOREM, "", number=n, theorem_word=w), NUMBER, WORDS),
    st.builds(lambda label: Reference(K.LABEL, "", label=label), LABEL),
    st.builds(lambda key: Reference(K.HYPERPARAMETER, "", label="hp:" + key), HP_KEY),
)


def bare(reference: Reference) -> Reference:
    return dataclasses.replace(reference, text="", start=0, end=0)


@settings(max_examples=300, deadline=None)
@given(REFERENCES)
def test_format_then_parse_gives_the_reference_back(reference):
    references, errors = parse_references(format_reference(reference))
    assert errors == ()
    assert [bare(r) for r in references] == [reference]


@settings(max_examples=100, deadline=None)
@given(st.lists(REFERENCES, min_size=1, max_size=5), st.sampled_from([", ", "; ", " and ", ",and ", ", and "]))
def test_lists_of_canonical_references_read_back_in_order(references, separator):
    text = separator.join(format_reference(r) for r in references)
    parsed, errors = parse_references(text)
    assert errors == ()
    assert [bare(r) for r in parsed] == references


@pytest.mark.parametrize(
    "case",
    [
        lambda n: "Alg. 1" + " " * n + "x",
        lambda n: "x" + " " * n + "." + " " * n + "y",
        lambda n: "Eq. 3" + " ~" * n + ".",
    ],
    ids=["algorithm-then-spaces", "spaces-around-a-dot", "spaced-tildes"],
)
def test_long_text_is_read_in_linear_time(monkeypatch, case):
    # Each of these once took quadratic time in a backtracking pattern. Work, not time: four
    # times the text may cost at most four times the function calls and four times the
    # characters handed to the patterns (backtracking inside one match is beyond any count:
    # benchmarks/stress.py times these texts).
    scanned = count_regex_characters(monkeypatch, grammar)
    work = []
    for size in (5000, 20000):
        scanned[0] = 0
        calls = function_calls(partial(parse_references, case(size)))
        work.append((calls, scanned[0]))
    (small_calls, small_scanned), (large_calls, large_scanned) = work
    assert small_scanned > 0
    assert large_calls < 4 * small_calls
    assert large_scanned < 4 * small_scanned
