"""Hyperparameter statements as the paper means them (issue 17): fixture papers with golden
statement lists, the author's directive and config table, and properties of the parsers.

Each ``hp_cases/NAME.tex`` is read as a paper; ``NAME.expected`` lists its statements and
diagnostics, one per line. Regenerate with ``PAPERLINK_REGENERATE=1`` and review the diff.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperlink.config import load_config
from paperlink.errors import ConfigError
from paperlink.paper import parse_paper
from paperlink.paper.hpcontext import is_cited, is_generic, is_qualified, scope_of, scope_words
from paperlink.paper.hpdirectives import directives_in
from paperlink.paper.hpphrases import phrases_in_text
from paperlink.paper.hyperparams import canonical_key, mentions_in_text
from paperlink.paper.latex import read_latex_paper
from paperlink.paper.model import Paper

CASES = Path(__file__).resolve().parent / "hp_cases"


def statements(paper: Paper) -> str:
    """One line per statement: where, key, value or set, scope, provenance, canonical, source."""
    lines = []
    for item in paper.items:
        stated = item.hyperparameter
        if stated is None:
            continue
        value = "{" + ", ".join(stated.members) + "}" if stated.members else stated.raw
        symbol = f" symbol={stated.symbol}" if stated.symbol else ""
        lines.append(
            f"{item.span.line} {item.key} = {' '.join(value.split())} ({stated.name}){symbol}"
            f" scope={stated.scope or 'global'} {stated.provenance.value}"
            f" canonical={stated.canonical or '-'} [{item.environment}]"
        )
    lines.extend(f"{d.span.line} {d.code} {d.message}" for d in paper.diagnostics)
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("case", sorted(p.stem for p in CASES.glob("*.tex")))
def test_fixture_papers_state_their_hyperparameters_as_expected(case: str, tmp_path: Path) -> None:
    shutil.copy(CASES / f"{case}.tex", tmp_path / "paper.tex")
    got = statements(read_latex_paper(tmp_path / "paper.tex", name=case, root=tmp_path))
    expected = CASES / f"{case}.expected"
    if os.environ.get("PAPERLINK_REGENERATE"):
        expected.write_text(got, encoding="utf-8")
    assert got == expected.read_text(encoding="utf-8"), f"{expected.name} is stale"


# --- the config table ------------------------------------------------------------------


def _project(tmp_path: Path, table: str) -> Path:
    shutil.copy(CASES / "directive.tex", tmp_path / "paper.tex")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.paperlink]\npapers = { main = "paper.tex" }\n\n[tool.paperlink.paper-hyperparameters]\n' + table,
        encoding="utf-8",
    )
    return tmp_path


def test_the_config_table_renames_scopes_adds_and_drops_paper_values(tmp_path: Path) -> None:
    project = _project(
        tmp_path,
        '"hp:learning_rate" = { scope = "atari games", rename = "lr" }\n'
        '"hp:horizon" = { drop = true }\n'
        '"hp:batch_size" = { value = 64, name = "batch size", scope = "atari" }\n'
        '"hp:tau" = { value = [0.1, 0.5] }\n',
    )
    config = load_config(project / "pyproject.toml")
    paper = parse_paper(project / "paper.tex", name="main", root=project, edits=config.paper_hyperparameters)
    assert statements(paper).splitlines()[:3] == [
        "5 hp:lr = 1e-4 (lr) symbol=\\eta scope=atari own canonical=learning_rate [directive]",  # "games" says nothing
        "7 hp:batch_size = 64 (batch size) scope=atari own canonical=batch_size [config]",
        "8 hp:tau = {0.1, 0.5} (tau) scope=global own canonical=tau [config]",
    ]
    shown = [(item.span.path, item.span.line) for item in paper.items if item.environment == "config"]
    assert shown == [("pyproject.toml", 7), ("pyproject.toml", 8)]


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('"hp:lr" = { scale = 2 }\n', "unknown field 'scale'"),
        ('"hp:lr" = 3\n', "must be a table"),
        ('"hp:lr" = { drop = "yes" }\n', "drop must be true or false"),
        ('"hp:lr" = { value = true }\n', "value must be a number"),
        ('"hp:lr" = { scope = 3 }\n', "scope must be a string"),
    ],
)
def test_a_bad_config_table_is_a_clear_error(tmp_path: Path, table: str, message: str) -> None:
    project = _project(tmp_path, table)
    with pytest.raises(ConfigError, match=message):
        load_config(project / "pyproject.toml")


# --- the words around a statement ------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "cited"),
    [
        (r"\citet{x} set the target $t = .45$.", True),
        (r"[12] runs its planner with 1000 samples.", True),
        (r"SimCLR~\cite{simclr}: contrastive learning with batch size 4096.", True),
        (r"They use a learning rate of 0.1.", True),
        (r"We follow \citet{x} and use a learning rate of 0.1.", False),
        (r"All models were trained with Adam~\citep{kingma}, with $\beta_1=0.9$.", False),
    ],
)
def test_a_sentence_about_other_work_is_cited(sentence: str, cited: bool) -> None:
    assert is_cited(sentence) is cited


@pytest.mark.parametrize(
    ("name", "qualified"),
    [
        ("inner step size", True),
        ("critic learning rate", True),
        ("final learning rate", True),
        ("decoder dropout", True),
        ("learning rate", False),
        ("initial learning rate", False),
        ("minimum learning rate", False),
        ("max grad norm", False),
    ],
)
def test_qualifiers_change_what_a_name_means(name: str, qualified: bool) -> None:
    assert is_qualified(name) is qualified


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Dropout rate", "dropout"),
        ("Discount factor $\\gamma$", "gamma"),
        ("Learning rate $\\alpha$", "learning_rate"),
        ("$\\epsilon$ initial", "epsilon_initial"),
        ("$\\epsilon$ decay horizon", "epsilon_decay_horizon"),
        ("Dropout rate convolutions", "dropout_rate_convolutions"),
        ("Batch size per device", "batch_size_per_device"),
        ("Inner batch size (to estimate $L$)", "inner_batch_size"),
    ],
)
def test_words_after_a_vocabulary_name_make_it_another_setting(name: str, key: str) -> None:
    assert canonical_key(name) == key


@pytest.mark.parametrize(
    ("headings", "scope"),
    [
        (["Experiments", "Atari"], "atari"),
        (["Experiments", "Implementation details"], ""),
        (["Method", "Encoder"], ""),
        (["Appendix", "Continuous OT hyper-parameters"], "continuous ot"),
        (["Additional experimental and implementation details"], ""),
        ([], ""),
    ],
)
def test_scope_is_the_innermost_heading_that_names_an_experiment(headings: list[str], scope: str) -> None:
    assert scope_of(headings) == scope


def test_mentions_carry_symbol_set_and_provenance() -> None:
    found = mentions_in_text(r"\citet{x} use $k = 2$. We try $k \in \{4, 8\}$ and set $N=64$.")
    assert [(m.key, m.value, m.members, m.symbol, m.cited) for m in found] == [
        ("k", 2.0, (), "k", True),
        ("k", None, ("4", "8"), "k", False),
        ("N", 64.0, (), "N", False),
    ]


# --- properties ------------------------------------------------------------------------

_TEXT = st.text(alphabet=st.sampled_from(list("abk N=$\\{},.;:0123456789 -~%()\ninlayersepoch")), max_size=200)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_phrases_never_raise_and_stay_inside_the_text(text: str) -> None:
    for phrase in phrases_in_text(text):
        assert 0 <= phrase.start < phrase.end <= len(text)
        assert phrase.value is not None or len(phrase.members) >= 2


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["N", "k", r"\tau", r"\lambda_{\text{gp}}", "H"]), st.integers(1, 10**6))
def test_a_symbol_assignment_states_its_value(symbol: str, value: int) -> None:
    [mention] = mentions_in_text(f"We set ${symbol} = {value}$.")
    assert (mention.value, mention.symbol) == (float(value), symbol)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(2, 10**4), min_size=2, max_size=6, unique=True))
def test_a_stated_set_is_one_statement_with_every_member(members: list[int]) -> None:
    written = ", ".join(str(m) for m in members)
    [mention] = mentions_in_text(f"We sweep $k \\in \\{{{written}\\}}$.")
    assert mention.members == tuple(str(m) for m in members) and mention.value is None


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=120))
def test_directives_never_raise(text: str) -> None:
    for directive in directives_in("% paperlink: hp " + text, "p.tex"):
        assert directive.kind == "hp"
        assert directive.problem or directive.statements


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(categories=["L", "N", "Zs", "P"]), max_size=30), max_size=4))
def test_scope_words_are_lowercase_words_of_the_headings(headings: list[str]) -> None:
    scope = scope_of(headings)
    assert scope == scope.lower() and scope == " ".join(scope.split())
    assert not scope or not is_generic(scope)
    assert scope_words(scope) == scope
