"""paperlink.source.near_misses: near-miss annotations (PL102) and unreadable directives (PL114),
each with its correct spelling, and no false alarm on prose that mentions the paper."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperlink.source.annotations import collect_annotations
from paperlink.source.files import SourceText
from paperlink.source.near_misses import near_misses
from paperlink.source.parse import ParsedSource, parse_source


def _parsed(text: str) -> ParsedSource:
    parsed = parse_source(SourceText(Path("m.py"), "m.py", text))
    assert isinstance(parsed, ParsedSource)
    return parsed


def _found(comment: str) -> list[str]:
    return [f"{d.code} {d.message}" for d in near_misses(_parsed(f"x = 1  {comment}\n"))]


NEAR_MISS_ANNOTATIONS = [
    ("# papers: eq:x", "PL102 comment '# papers: eq:x' is not read ('papers' is not 'paper'); write '# paper: eq:x'"),
    ("# pape: eq:x", "PL102 comment '# pape: eq:x' is not read ('pape' is not 'paper'); write '# paper: eq:x'"),
    ("# Paper eq:x", "PL102 comment '# Paper eq:x' has no colon; write '# paper: eq:x'"),
    ("# paper eq:x", "PL102 comment '# paper eq:x' has no colon; write '# paper: eq:x'"),
    (
        "# paper Eq. 3, Sec. 4.1",
        "PL102 comment '# paper Eq. 3, Sec. 4.1' has no colon; write '# paper: Eq. 3, Sec. 4.1'",
    ),
    ("# paper[simclr] eq:x", "PL102 comment '# paper[simclr] eq:x' has no colon; write '# paper[simclr]: eq:x'"),
    ("# papre: hp:lr", "PL102 comment '# papre: hp:lr' is not read ('papre' is not 'paper'); write '# paper: hp:lr'"),
]


@pytest.mark.parametrize("comment, expected", NEAR_MISS_ANNOTATIONS)
def test_a_near_miss_annotation_is_reported_with_its_spelling(comment: str, expected: str) -> None:
    assert _found(comment) == [expected]


DIRECTIVE_TYPOS = [
    (
        "# paperlink: stopgrad target branch",
        "PL114 unknown directive 'stopgrad' in '# paperlink: stopgrad target branch'; write '# paperlink: stop-grad target branch'",
    ),
    (
        "# paperlink: stop_grad",
        "PL114 unknown directive 'stop_grad' in '# paperlink: stop_grad'; write '# paperlink: stop-grad <reason>'",
    ),
    (
        "# paperlink: ignroe[PL201] legacy",
        "PL114 unknown directive 'ignroe' in '# paperlink: ignroe[PL201] legacy'; write '# paperlink: ignore[PL201] legacy'",
    ),
    (
        "# paperlink: ignore_file[PL201]",
        "PL114 unknown directive 'ignore_file' in '# paperlink: ignore_file[PL201]'; write '# paperlink: ignore-file[PL201]'",
    ),
    (
        "# paperlink: nondeterminstic speed",
        "PL114 unknown directive 'nondeterminstic' in '# paperlink: nondeterminstic speed'; write '# paperlink: nondeterministic speed'",
    ),
    (
        "# paperlink ignore[PL201]",
        "PL114 directive '# paperlink ignore[PL201]' has no colon; write '# paperlink: ignore[PL201]'",
    ),
    (
        "# paperlink: stop-grad",
        "PL114 directive '# paperlink: stop-grad' has no reason; write '# paperlink: stop-grad <reason>'",
    ),
    (
        "# paperlink: global",
        "PL114 directive '# paperlink: global' has no reason; write '# paperlink: global <reason>'",
    ),
    ("# paperlink: seed  ", "PL114 directive '# paperlink: seed' has no reason; write '# paperlink: seed <reason>'"),
    (
        "# paper: eq:x  # paperlink: import-time",
        "PL114 directive '# paperlink: import-time' has no reason; write '# paperlink: import-time <reason>'",
    ),
]


@pytest.mark.parametrize("comment, expected", DIRECTIVE_TYPOS)
def test_a_directive_typo_or_missing_reason_is_reported_with_its_spelling(comment: str, expected: str) -> None:
    assert _found(comment) == [expected]


READ_AS_WRITTEN = [
    "# paper: eq:x",
    "#paper:eq:x",
    "# paper[simclr]: Eq. 1",
    "# Paper: https://arxiv.org/abs/2011.10566",
    "# paperlink: ignore[PL201] kept from v1",
    "# paperlink: ignore",
    "# paperlink: ignore-file[PL3]",
    "# paperlink: stop-grad target branch, Sec. 3.2",
    "# paperlink: env set by the cluster",
    "# paper: eq:x  # paperlink: ignore[PL101]",
]


@pytest.mark.parametrize("comment", READ_AS_WRITTEN)
def test_annotations_and_directives_as_documented_are_not_reported(comment: str) -> None:
    assert _found(comment) == []


def test_the_colon_less_form_without_spaces_is_an_annotation_already() -> None:
    """``#paper:eq:x`` is read as written (the reader allows no space after '#')."""
    (annotation,) = collect_annotations(_parsed("x = 1  #paper:eq:x\n"))
    assert annotation.text == "eq:x"


PROSE = [
    "# see the paper for details",
    "# paper reproduced from Smith et al. (2020)",
    "# Papers: Attention Is All You Need",
    "# paper trail",
    "# the paper's Eq. 3 uses a sum; we take the mean",
    "# paper: https://example.org/paper.pdf",
    "# papers with code: https://paperswithcode.com",
    "# paperlink reads this file",
    "# paperwork",
    "# as in the paper",
    "# newspaper: eq:x is not ours",
]


@pytest.mark.parametrize("comment", PROSE)
def test_no_false_alarm_on_prose_mentioning_the_paper(comment: str) -> None:
    assert _found(comment) == []


_WORDS = st.sampled_from(
    [
        "the",
        "paper",
        "Paper",
        "papers",
        "see",
        "for",
        "details",
        "reproduced",
        "from",
        "our",
        "model",
        "is",
        "as",
        "in",
        "results",
        "figure",
        "table",
        "uses",
        "a",
        "loss",
        "we",
        "follow",
        "code",
        "authors",
        "original",
        "trail",
        "-",
        "(",
        ")",
        ",",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_WORDS, min_size=1, max_size=8))
def test_no_false_alarm_on_any_sentence_of_ordinary_words(words: list[str]) -> None:
    """Sentences of ordinary words that mention the paper, with or without a colon after the
    first word, never read as references: nothing is reported."""
    for comment in (f"# {' '.join(words)}", f"# {words[0]}: {' '.join(words[1:])}"):
        assert _found(comment) == [], comment


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["papers", "pape", "papr", "paper", "Paper", "PAPER", "papper"]),
    st.sampled_from(["eq:loss", "hp:lr", "Eq. 3", "Sec. 3.2", "Alg. 1 line 4", "eq:a, eq:b", "Table 2"]),
    st.booleans(),
)
def test_every_near_miss_spelling_gets_the_correct_one(word: str, references: str, colon: bool) -> None:
    comment = f"# {word}{':' if colon else ''} {references}"
    found = _found(comment)
    if word.lower() == "paper" and colon:
        assert found == []  # the annotation itself
    else:
        assert len(found) == 1 and found[0].startswith("PL102 ")
        assert found[0].endswith(f"write '# paper: {references}'")
