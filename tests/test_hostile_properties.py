"""Properties of the readers hardened against hostile input (issue 24): whatever the text,
each returns its result or its own refusal, never another exception, and its budgets hold.
``benchmarks/fuzz.py`` runs the same readers on mutants of real files at scale."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paperlink.config import load_config
from paperlink.configfiles.read import parse_config_text
from paperlink.diagnostics import Diagnostic
from paperlink.errors import PaperlinkError
from paperlink.nesting import MAX_NESTING, brackets_too_deep, yaml_too_deep
from paperlink.paper import parse_paper
from paperlink.paper.numbering import Counters, parse_template
from paperlink.paper.texscan import MacroTable, prepare
from paperlink.source.files import SourceText
from paperlink.source.parse import ParsedSource, parse_source

_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _nested(depth: int, leaf: object) -> object:
    value = leaf
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


# --- nesting ----------------------------------------------------------------------------------------


@_SETTINGS
@given(st.integers(0, 2 * MAX_NESTING), st.text(alphabet="[]{}\"'\\#ab\n", max_size=20))
def test_json_nesting_is_found_exactly_and_strings_never_count(depth: int, leaf: str) -> None:
    text = json.dumps(_nested(depth, leaf))
    assert (brackets_too_deep(text, toml=False) is None) == (depth <= MAX_NESTING)
    if depth <= MAX_NESTING:
        json.loads(text)  # within the budget, the parser itself is safe


@_SETTINGS
@given(st.integers(0, 2 * MAX_NESTING), st.booleans(), st.text(alphabet="[]{}:-#ab ", max_size=10))
def test_yaml_nesting_is_found_before_the_parser_recurses(depth: int, flow: bool, leaf: str) -> None:
    text = yaml.safe_dump(_nested(depth, leaf), default_flow_style=flow)
    found = yaml_too_deep(text)
    if depth <= MAX_NESTING // 2:
        assert found is None
        yaml.safe_load(text)
    if depth > MAX_NESTING:
        assert found is not None and found.line >= 1 and found.column >= 1


@_SETTINGS
@given(st.integers(0, 2 * MAX_NESTING), st.text(alphabet="[]{}ab#", max_size=12))
def test_toml_brackets_in_strings_and_comments_never_count(depth: int, noise: str) -> None:
    text = f"a = \"{noise}\"  # {noise}\nb = '{noise}'\nc = " + "[" * depth + "1" + "]" * depth + "\n"
    assert (brackets_too_deep(text, toml=True) is None) == (depth <= MAX_NESTING)


# --- Python -----------------------------------------------------------------------------------------

_PYTHON_PIECES = st.sampled_from(
    ["x", " = ", "(", ")", "[", "]", "+1", ".a", "not ", "\n", "    ", "if x:\n", '"', "'''", "#", "\\\n", "1e-5", ","]
)


@_SETTINGS
@given(st.lists(_PYTHON_PIECES, max_size=80), st.sampled_from([1, 10, 300]))
def test_parse_source_returns_a_tree_or_a_diagnostic(pieces: list[str], repeat: int) -> None:
    text = "".join(pieces) * repeat
    parsed = parse_source(SourceText(Path("a.py"), "a.py", text))
    assert isinstance(parsed, (ParsedSource, Diagnostic))
    if isinstance(parsed, Diagnostic):
        assert parsed.code == "PL001"


# --- LaTeX --------------------------------------------------------------------------------------------

_COUNTERS = ["section", "subsection", "equation", "a", "b"]


@_SETTINGS
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["reset", "set", "step", "template"]),
            st.sampled_from(_COUNTERS),
            st.sampled_from(_COUNTERS),
            st.integers(-(2**31), 2**31 - 1),
            st.sampled_from(["arabic", "roman", "Roman", "alph", "fnsymbol"]),
        ),
        max_size=30,
    )
)
def test_counters_never_loop_and_print_within_their_budget(operations: list[tuple[str, str, str, int, str]]) -> None:
    counters = Counters()
    for name in _COUNTERS:
        counters.new(name)
    for operation, name, other, value, style in operations:
        if operation == "reset":
            cycle = counters.add_reset(name, other)
            assert not cycle or (cycle[0] == cycle[-1] == name)
        elif operation == "set":
            counters.set(name, value)
        elif operation == "step":
            counters.step(name)
        else:
            template = parse_template(f"\\the{other}.\\{style}{{{name}}}\\the{other}")
            assert template is not None
            counters.set_template(name, template)
        for counter in _COUNTERS:
            printed = counters.label_text(counter)
            assert len(printed) <= 2_000  # the prefix and the number, each at most 1,000


_LATEX_PIECES = st.sampled_from(
    [
        "\\newcommand{\\m}{",
        "\\newcommand{\\s}{\\section{",
        "\\m",
        "\\s",
        "\\m\\m",
        "}",
        "{",
        "\\section{A}",
        "\\label{x}",
        "\n",
        "y" * 50,
        "#1",
        "\\def\\d{\\d\\d}",
        "\\d",
    ]
)


@_SETTINGS
@given(st.lists(_LATEX_PIECES, max_size=60), st.sampled_from([1, 20]))
def test_macro_expansion_keeps_lines_and_stays_within_its_size_budget(pieces: list[str], repeat: int) -> None:
    text = "".join(pieces) * repeat
    prepared = prepare(text, MacroTable.empty())
    assert prepared.text.count("\n") == text.count("\n")
    assert len(prepared.text) <= 1_000_000 + 9 * len(text)


# --- configuration and manifests ------------------------------------------------------------------------

_YAML_PIECES = st.sampled_from(
    [
        "papers:",
        " {main: p.tex}",
        "select:",
        " [PL1",
        "]",
        "ignore:",
        "\n",
        "  - ",
        "x: 1" + "0" * 4400,
        "[" * 120,
        "&a",
        "*a",
    ]
)


@_SETTINGS
@given(st.lists(_YAML_PIECES, max_size=20))
def test_a_paperlink_yaml_is_a_config_or_one_config_error(pieces: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "paperlink.yaml"
        path.write_text("".join(pieces), encoding="utf-8")
        try:
            load_config(path)
        except PaperlinkError as error:
            assert "\n" not in str(error)


@_SETTINGS
@given(st.lists(_YAML_PIECES | st.sampled_from(["items:", "key: eq:a", "kind: equation", "title: t"]), max_size=20))
def test_a_manifest_is_a_paper_or_one_manifest_error(pieces: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "paper.yaml"
        path.write_text("".join(pieces), encoding="utf-8")
        try:
            parse_paper(path, name="p", root=Path(folder))
        except PaperlinkError as error:
            assert "\n" not in str(error)


@_SETTINGS
@given(st.lists(_YAML_PIECES | st.sampled_from(['{"a": ', "[", "]", "}", "a = ", '"', "=", "1"]), max_size=30))
def test_config_files_are_leaves_or_one_problem(pieces: list[str]) -> None:
    text = "".join(pieces)
    for name in ("configs/a.yaml", "configs/a.json", "configs/a.toml"):
        read = parse_config_text(name, text)
        assert read.problem is None or read.problem.code in ("PL002", "PL005")


@_SETTINGS
@given(
    st.lists(
        _YAML_PIECES | st.sampled_from(["dependencies:", "[project]", "i{", "torch==2.1", '{"default": ']), max_size=30
    )
)
def test_environment_files_are_pins_or_problems(pieces: list[str]) -> None:
    from paperlink.source.environment import conda, locks, packaging_files

    text = "".join(pieces)
    for parse in (
        conda.parse_conda_file,
        locks.parse_pipfile_lock,
        packaging_files.parse_pyproject,
        packaging_files.parse_setup_py,
        packaging_files.parse_pipfile,
    ):
        parse(text, "env")  # problems are returned, never raised
