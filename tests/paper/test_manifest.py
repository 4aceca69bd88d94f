"""Tests for paperlink.paper.manifest: YAML papers, their keys and every schema error."""

from __future__ import annotations

from pathlib import Path

import pytest

from paperlink.errors import ManifestError, PaperlinkError, PaperNotFoundError
from paperlink.paper import Hyperparameter, ItemKind, Paper, PaperItem, parse_paper
from paperlink.paper.manifest import read_manifest
from paperlink.paper.model import Provenance
from paperlink.spans import Span

MANIFEST = r"""title: SimSiam
authors: [A. Author, B. Author]
arxiv: "2011.10566"
items:
  - kind: section
    number: "2"
    label: sec:method
    title: Method
  - kind: equation
    number: 3
    labels: [eq:loss, eq:symmetric]
    latex: L = D(p_1, z_2)/2
    parent: sec:method
  - kind: equation
    number: 3a
  - kind: algorithm
    number: 1
    label: alg:train
  - kind: algorithm_line
    number: 4
    parent: alg:train
  - kind: table
    number: 2
    label: tab:hp
    title: Hyperparameters
  - kind: figure
    number: 1
    label: fig:arch
  - kind: theorem
    number: 1
    label: thm:collapse
  - kind: other
    label: fn:note
  - kind: hyperparameter
    name: learning rate
    value: "3\\times10^{-4}"
  - kind: hyperparameter
    name: predictor learning rate
    key: predictor_lr
    value: 3.0e-4
  - kind: hyperparameter
    label: hp:warmup
    name: warm-up steps
    value: 4000
"""


def read(tmp_path: Path, text: str) -> Paper:
    path = tmp_path / "paper.yaml"
    path.write_text(text, encoding="utf-8")
    return read_manifest(path, name="simsiam", root=tmp_path)


def error(tmp_path: Path, text: str) -> str:
    with pytest.raises(ManifestError) as caught:
        read(tmp_path, text)
    return str(caught.value)


def item(kind: ItemKind, key: str, number: str | None, line: int, **fields) -> PaperItem:
    return PaperItem(kind, key, number, Span("paper.yaml", line, 5), environment="manifest", **fields)


# --- a valid manifest --------------------------------------------------------------------


def test_valid_manifest_paper_fields(tmp_path):
    paper = read(tmp_path, MANIFEST)
    assert (paper.name, paper.source, paper.title, paper.authors, paper.arxiv) == (
        "simsiam",
        "paper.yaml",
        "SimSiam",
        ("A. Author", "B. Author"),
        "2011.10566",
    )
    assert paper.document_class == "manifest"
    assert paper.files == ("paper.yaml",)
    assert paper.macros == paper.limitations == paper.diagnostics == ()


def test_valid_manifest_items(tmp_path):
    assert read(tmp_path, MANIFEST).items == (
        item(ItemKind.SECTION, "sec:method", "2", 5, labels=("sec:method",), title="Method", level=1),
        item(
            ItemKind.EQUATION,
            "eq:loss",
            "3",
            9,
            labels=("eq:loss", "eq:symmetric"),
            latex="L = D(p_1, z_2)/2",
            parent="sec:method",
        ),
        item(ItemKind.EQUATION, "equation:3a", "3a", 14),
        item(ItemKind.ALGORITHM, "alg:train", "1", 16, labels=("alg:train",)),
        item(ItemKind.ALGORITHM_LINE, "algorithm_line:4", "4", 19, parent="alg:train"),
        item(ItemKind.TABLE, "tab:hp", "2", 22, labels=("tab:hp",), title="Hyperparameters"),
        item(ItemKind.FIGURE, "fig:arch", "1", 26, labels=("fig:arch",)),
        item(ItemKind.THEOREM, "thm:collapse", "1", 29, labels=("thm:collapse",)),
        item(ItemKind.OTHER, "fn:note", None, 32, labels=("fn:note",)),
        item(
            ItemKind.HYPERPARAMETER,
            "hp:learning_rate",
            None,
            34,
            title="learning rate",
            hyperparameter=Hyperparameter("learning rate", 3e-4, "3\\times10^{-4}", canonical="learning_rate"),
        ),
        item(
            ItemKind.HYPERPARAMETER,
            "hp:predictor_lr",
            None,
            37,
            title="predictor learning rate",
            hyperparameter=Hyperparameter("predictor learning rate", 3e-4, "3.0e-4"),
        ),
        item(
            ItemKind.HYPERPARAMETER,
            "hp:warmup",
            None,
            41,
            labels=("hp:warmup",),
            title="warm-up steps",
            hyperparameter=Hyperparameter("warm-up steps", 4000.0, "4000"),
        ),
    )


def test_every_kind_is_accepted(tmp_path):
    kinds = {item.kind for item in read(tmp_path, MANIFEST).items}
    assert kinds == set(ItemKind)


def test_the_latex_and_the_float_spelling_give_the_same_value(tmp_path):
    paper = read(
        tmp_path,
        "items:\n"
        "  - {kind: hyperparameter, name: lr, value: '3\\times10^{-4}'}\n"
        "  - {kind: hyperparameter, name: lr, key: lr_float, value: 0.0003}\n"
        "  - {kind: hyperparameter, name: lr, key: lr_exponent, value: 3e-4}\n",
    )
    assert [i.hyperparameter.value for i in paper.items] == [3e-4, 3e-4, 3e-4]
    assert [i.hyperparameter.raw for i in paper.items] == ["3\\times10^{-4}", "0.0003", "3e-4"]


def test_a_non_numeric_value_is_kept_raw(tmp_path):
    paper = read(
        tmp_path, "items:\n  - kind: hyperparameter\n    name: optimiser\n    key: optimizer\n    value: Adam\n"
    )
    assert paper.items[0].hyperparameter == Hyperparameter("optimiser", None, "Adam")


def test_number_is_kept_as_written(tmp_path):
    paper = read(tmp_path, "items:\n  - {kind: section, number: 2.10}\n  - {kind: section, number: A.4}\n")
    assert [(i.key, i.number) for i in paper.items] == [("section:2.10", "2.10"), ("section:A.4", "A.4")]


def test_optional_top_level_fields_default_to_empty(tmp_path):
    paper = read(tmp_path, "authors: Solo Author\nitems: []\n")
    assert (paper.title, paper.authors, paper.arxiv, paper.items) == ("", ("Solo Author",), "", ())


# --- keys --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        ("{kind: equation, number: 3, label: eq:loss}", "eq:loss"),
        ("{kind: equation, number: 3, labels: [eq:a, eq:b]}", "eq:a"),
        ("{kind: equation, number: 3, label: eq:first, labels: [eq:b]}", "eq:first"),
        ("{kind: equation, number: 3}", "equation:3"),
        ("{kind: table, number: 2}", "table:2"),
        ("{kind: hyperparameter, name: learning rate, value: 0.1}", "hp:learning_rate"),
        ("{kind: hyperparameter, name: Batch size, value: 512}", "hp:batch_size"),
        ("{kind: hyperparameter, name: learning rate, key: base_lr, value: 0.1}", "hp:base_lr"),
        ("{kind: hyperparameter, key: hp:beta, value: 0.25}", "hp:beta"),
        ("{kind: hyperparameter, name: learning rate, label: tab:lr, value: 0.1}", "tab:lr"),
    ],
)
def test_item_keys(tmp_path, fields, key):
    assert read(tmp_path, f"items:\n  - {fields}\n").items[0].key == key


def test_hyperparameter_name_defaults_to_its_key(tmp_path):
    paper = read(tmp_path, "items:\n  - {kind: hyperparameter, key: beta, value: 0.25}\n")
    assert paper.items[0].hyperparameter == Hyperparameter("beta", 0.25, "0.25")


# --- errors ------------------------------------------------------------------------------


def test_manifest_error_is_a_paperlink_error():
    assert issubclass(ManifestError, PaperlinkError)


def test_invalid_yaml_names_the_line_of_the_problem(tmp_path):
    text = "items:\n  - kind: equation\n    label: eq: x\n"
    assert error(tmp_path, text) == "paper.yaml:3: invalid YAML: mapping values are not allowed here"


@pytest.mark.parametrize("text", ["", "\n", "# only a comment\n"])
def test_empty_manifest(tmp_path, text):
    assert error(tmp_path, text) == "paper.yaml:1: the manifest is empty; it needs at least 'items'"


@pytest.mark.parametrize("text", ["- kind: equation\n", "just text\n"])
def test_top_level_not_a_mapping(tmp_path, text):
    assert error(tmp_path, text) == "paper.yaml:1: manifest: expected a mapping"


def test_unknown_top_level_key(tmp_path):
    assert error(tmp_path, "title: T\nitem: []\n") == (
        "paper.yaml:2: manifest: unknown key 'item' (allowed: arxiv, authors, items, title)"
    )


def test_missing_items(tmp_path):
    assert error(tmp_path, "title: T\n") == "paper.yaml:1: manifest: missing required key 'items'"


def test_items_not_a_list(tmp_path):
    assert error(tmp_path, "title: T\nitems:\n  kind: equation\n") == "paper.yaml:3: items: expected a list"


def test_item_not_a_mapping(tmp_path):
    text = "items:\n  - {kind: equation, number: 1}\n  - eq:loss\n"
    assert error(tmp_path, text) == "paper.yaml:3: items[1]: expected a mapping"


def test_unknown_item_key(tmp_path):
    text = "items:\n  - kind: equation\n    lable: eq:x\n"
    assert error(tmp_path, text) == (
        "paper.yaml:3: items[0]: unknown key 'lable' "
        "(allowed: appendix, key, kind, label, labels, latex, level, name, number, parent, provenance, scope, symbol, title, value, values)"
    )


def test_item_key_given_twice(tmp_path):
    text = "items:\n  - kind: equation\n    label: eq:a\n    label: eq:b\n"
    assert error(tmp_path, text) == "paper.yaml:4: items[0]: key 'label' given twice"


def test_item_key_not_a_string(tmp_path):
    text = "items:\n  - kind: equation\n    ? [label]\n    : eq:a\n"
    assert error(tmp_path, text) == "paper.yaml:3: items[0]: keys must be strings"


def test_missing_kind(tmp_path):
    assert error(tmp_path, "items:\n  - label: eq:x\n") == "paper.yaml:2: items[0]: missing required key 'kind'"


def test_bad_kind_lists_the_kinds(tmp_path):
    text = "items:\n  - kind: equation\n    number: 1\n  - label: lem:a\n    kind: lemma\n"
    assert error(tmp_path, text) == (
        "paper.yaml:5: items[1].kind: 'lemma' is not one of algorithm, algorithm_line, equation, "
        "figure, hyperparameter, other, section, table, theorem"
    )


def test_field_with_the_wrong_type(tmp_path):
    text = "items:\n  - kind: equation\n    number:\n      - 1\n"
    assert error(tmp_path, text) == "paper.yaml:4: items[0].number: expected a string"


def test_item_without_label_or_number(tmp_path):
    text = "items:\n  - kind: equation\n    latex: a = b\n"
    assert error(tmp_path, text) == "paper.yaml:2: items[0]: an item needs a 'label' or a 'number'"


@pytest.mark.parametrize("value", ["", "    value:\n", "    value: null\n"])
def test_hyperparameter_without_value(tmp_path, value):
    text = f"items:\n  - kind: hyperparameter\n    name: learning rate\n{value}"
    assert error(tmp_path, text) == "paper.yaml:2: items[0]: a hyperparameter needs a 'value' (or 'values')"


def test_hyperparameter_value_not_a_scalar(tmp_path):
    text = "items:\n  - kind: hyperparameter\n    name: betas\n    value: [0.9, 0.999]\n"
    assert error(tmp_path, text) == "paper.yaml:4: items[0].value: expected a number or a string"


def test_hyperparameter_without_a_name(tmp_path):
    text = "items:\n  - kind: hyperparameter\n    value: 0.1\n"
    assert error(tmp_path, text) == "paper.yaml:2: items[0]: a hyperparameter needs a 'name', 'key' or 'label'"


def test_hyperparameter_name_that_makes_no_key(tmp_path):
    text = "items:\n  - kind: hyperparameter\n    name: '!!!'\n    value: 1\n"
    assert error(tmp_path, text) == "paper.yaml:2: items[0]: cannot make a key from the name '!!!'; give 'key'"


@pytest.mark.parametrize(
    ("first", "second", "key"),
    [
        ("{kind: equation, label: eq:x}", "{kind: figure, label: eq:x}", "eq:x"),
        ("{kind: equation, number: 3}", "{kind: equation, number: '3'}", "equation:3"),
        (
            "{kind: hyperparameter, name: learning rate, value: 0.1}",
            "{kind: hyperparameter, name: lr, value: 0.2}",
            "hp:learning_rate",
        ),
    ],
)
def test_duplicate_key_names_both_lines(tmp_path, first, second, key):
    text = f"items:\n  - {first}\n  - {{kind: table, number: 1}}\n  - {second}\n"
    assert error(tmp_path, text) == f"paper.yaml:4: duplicate key '{key}' (first at line 2)"


def test_manifest_outside_the_root_is_named_relatively(tmp_path):
    (tmp_path / "paper").mkdir()
    path = tmp_path / "paper" / "p.yaml"
    path.write_text("items:\n  - kind: equation\n", encoding="utf-8")
    with pytest.raises(ManifestError) as caught:
        read_manifest(path, name="p", root=tmp_path / "elsewhere")
    assert str(caught.value) == "../paper/p.yaml:2: items[0]: an item needs a 'label' or a 'number'"


# --- through parse_paper -----------------------------------------------------------------


def test_parse_paper_reads_yaml_and_yml_manifests(tmp_path):
    for suffix in (".yaml", ".yml"):
        path = tmp_path / f"paper{suffix}"
        path.write_text("items:\n  - {kind: equation, number: 1, label: eq:a}\n", encoding="utf-8")
        paper = parse_paper(path, name="p", root=tmp_path)
        assert [(i.key, i.span) for i in paper.items] == [("eq:a", Span(f"paper{suffix}", 2, 5))]


def test_missing_manifest_is_paper_not_found(tmp_path):
    missing = tmp_path / "nope.yaml"
    with pytest.raises(PaperNotFoundError) as caught:
        parse_paper(missing, name="nope", root=tmp_path)
    assert str(caught.value) == f"paper not found: {missing}"


def test_read_manifest_of_a_missing_file_is_paper_not_found(tmp_path):
    missing = tmp_path / "nope.yaml"
    with pytest.raises(PaperNotFoundError) as caught:
        read_manifest(missing, name="nope", root=tmp_path)
    assert str(caught.value) == f"paper manifest not found: {missing}"


@pytest.mark.parametrize(
    ("fields", "level", "appendix"),
    [
        ("number: '2'", 1, False),
        ("number: '2.1'", 2, False),
        ("number: 'A.1'\n    appendix: true", 2, True),
        ("number: '3'\n    level: 0", 0, False),
        ("label: sec:intro", 1, False),
    ],
)
def test_section_level_and_appendix(tmp_path, fields, level, appendix):
    path = tmp_path / "paper.yaml"
    path.write_text(
        f"items:\n  - kind: section\n    label: sec:x\n    {fields}\n".replace(
            "label: sec:x\n    label: sec:intro", "label: sec:intro"
        ),
        encoding="utf-8",
    )
    (section,) = read_manifest(path, name="p", root=tmp_path).items
    assert (section.level, section.appendix) == (level, appendix)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ("level: deep", "paper.yaml:5: items[0].level: expected an integer (chapter 0, section 1, ...)"),
        ("appendix: maybe", "paper.yaml:5: items[0].appendix: expected true or false"),
    ],
)
def test_section_level_and_appendix_errors(tmp_path, fields, message):
    path = tmp_path / "paper.yaml"
    path.write_text(f"items:\n  - kind: section\n    label: sec:x\n    number: '1'\n    {fields}\n", encoding="utf-8")
    with pytest.raises(ManifestError) as raised:
        read_manifest(path, name="p", root=tmp_path)
    assert str(raised.value) == message


def test_hyperparameters_carry_symbol_scope_provenance_and_sets(tmp_path: Path) -> None:
    path = tmp_path / "paper.yaml"
    path.write_text(
        "items:\n"
        "  - {kind: hyperparameter, name: learning rate, value: 1e-4, scope: Atari  Games, symbol: '\\eta'}\n"
        "  - {kind: hyperparameter, name: learning rate, value: 3e-4, scope: mujoco}\n"
        "  - {kind: hyperparameter, name: penalty, key: lambda, values: [0, 1, 10]}\n"
        "  - {kind: hyperparameter, name: planner samples, key: samples, value: 1000, provenance: cited}\n",
        encoding="utf-8",
    )
    values = [item.hyperparameter for item in read_manifest(path, name="p", root=tmp_path).items]
    assert values == [
        Hyperparameter("learning rate", 1e-4, "1e-4", symbol="\\eta", scope="atari games", canonical="learning_rate"),
        Hyperparameter("learning rate", 3e-4, "3e-4", scope="mujoco", canonical="learning_rate"),
        Hyperparameter("penalty", None, "0, 1, 10", members=("0", "1", "10")),
        Hyperparameter("planner samples", 1000.0, "1000", provenance=Provenance.CITED),
    ]


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ("{kind: hyperparameter, name: lr, value: 1, values: [1]}", "items[0]: give 'value' or 'values', not both"),
        ("{kind: hyperparameter, name: lr, values: []}", "items[0].values: expected at least one value"),
        (
            "{kind: hyperparameter, name: lr, value: 1, provenance: theirs}",
            "items[0].provenance: 'theirs' is not one of baseline, cited, own",
        ),
        (
            "{kind: hyperparameter, name: lr, value: 1}\n  - {kind: hyperparameter, name: lr, value: 2}",
            "duplicate key 'hp:learning_rate' (first at line 2)",
        ),
    ],
)
def test_bad_hyperparameter_fields_name_the_line(tmp_path: Path, item: str, message: str) -> None:
    path = tmp_path / "paper.yaml"
    path.write_text(f"items:\n  - {item}\n", encoding="utf-8")
    with pytest.raises(ManifestError) as raised:
        read_manifest(path, name="p", root=tmp_path)
    assert message in str(raised.value)
