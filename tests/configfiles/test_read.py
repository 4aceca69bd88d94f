"""Reading one config file: leaves with key paths and exact spans, comments, problems."""

from __future__ import annotations

import string
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from paperlink.configfiles.read import parse_config_text, read_config_file


def leaves(relative: str, text: str) -> list[tuple[str, str, float | None, str]]:
    """(key, text, number, line:column-end_line:end_column) of every leaf."""
    found = parse_config_text(relative, text)
    assert found.problem is None, found.problem
    return [
        (v.key, v.text, v.numeric, f"{v.span.line}:{v.span.column}-{v.span.end_line}:{v.span.end_column}")
        for v in found.values
    ]


def test_yaml_leaves_have_key_paths_numbers_as_omegaconf_reads_them_and_spans() -> None:
    text = "optimizer:\n  lr: 1e-4\n  name: sgd\n  betas: [0.9, 0.99]\nbatch_size: 0x10\nflag: true\nq: '0.5'\nx: ${optimizer.lr}\n"
    assert leaves("c.yaml", text) == [
        ("optimizer.lr", "1e-4", 1e-4, "2:7-2:11"),  # a string to YAML 1.1, a float to OmegaConf
        ("optimizer.name", "sgd", None, "3:9-3:12"),
        ("batch_size", "0x10", 16.0, "5:13-5:17"),
        ("flag", "true", None, "6:7-6:11"),
        ("q", "0.5", None, "7:4-7:9"),  # quoted: a string
        ("x", "${optimizer.lr}", None, "8:4-8:19"),
    ]
    assert parse_config_text("c.yaml", text).values[-1].interpolation == "optimizer.lr"


def test_yaml_defaults_list_and_package_header_are_read_apart_from_the_values() -> None:
    text = (
        "# @package _global_\ndefaults:\n  - _self_\n  - optimizer: sgd\n  - optional db@backup: null\n"
        "  - override hydra/launcher: local\n  - model/resnet\n  - aug: [flip, crop]\nlr: 0.1\n"
    )
    found = parse_config_text("c.yaml", text)
    assert found.package == "_global_"
    assert [(e.kind, e.group, e.option, e.package, e.optional, e.override) for e in found.defaults] == [
        ("self", "", None, None, False, False),
        ("group", "optimizer", "sgd", None, False, False),
        ("group", "db", None, "backup", True, False),
        ("group", "hydra/launcher", "local", None, False, True),
        ("config", "model", "resnet", None, False, False),
        ("group", "aug", "flip", None, False, False),
        ("group", "aug", "crop", None, False, False),
    ]
    assert [v.key for v in found.values] == ["lr"]


def test_yaml_comments_bind_annotations_to_the_key_on_their_line_or_below() -> None:
    text = "opt:\n  # paper: hp:momentum\n\n  momentum: 0.9\n  lr: 0.05  # paper[simsiam]: hp:learning_rate\n  s: 'a # paper: no'\n"
    found = parse_config_text("c.yaml", text)
    assert [
        (a.text, a.paper, a.form, str(a.span), a.target.line, a.target.column, a.target_name) for a in found.annotations
    ] == [
        ("hp:momentum", None, "config", "c.yaml:2:3", 4, 13, "opt.momentum"),
        ("hp:learning_rate", "simsiam", "config", "c.yaml:5:13", 5, 7, "opt.lr"),
    ]
    assert all(a.fingerprint for a in found.annotations)


def test_yaml_comments_hold_suppressions_covering_their_line_or_the_key_below() -> None:
    text = "lr: 0.1  # paperlink: ignore[PL402] tuned\n# paperlink: ignore[PL402]\nmomentum: 0.8\n"
    found = parse_config_text("c.yaml", text)
    assert [(s.codes, s.reason, s.covers(1), s.covers(3)) for s in found.suppressions] == [
        (("PL402",), "tuned", True, False),
        (("PL402",), "", False, True),
    ]


def test_a_hash_inside_a_block_scalar_is_text() -> None:
    found = parse_config_text("c.yaml", "doc: |\n  see # paper: hp:lr\nlr: 1\n")
    assert found.annotations == ()


def test_json_leaves_have_spans_of_the_scalars() -> None:
    text = '{\n  "optimizer": {"lr": 0.05, "name": "sgd"},\n  "layers": [1, 2],\n  "bs": -1e2, "on": false\n}\n'
    assert leaves("c.json", text) == [
        ("optimizer.lr", "0.05", 0.05, "2:23-2:27"),
        ("optimizer.name", "sgd", None, "2:37-2:42"),
        ("bs", "-1e2", -100.0, "4:9-4:13"),
        ("on", "false", None, "4:21-4:26"),
    ]


def test_toml_leaves_have_spans_from_their_lines_and_comments_annotate() -> None:
    text = "lr = 0.05  # paper: hp:learning_rate\n[optimizer]\nmomentum = 0.9\nname = 'a # b'\n[model.head]\ndropout = 1e-1\n"
    assert leaves("c.toml", text) == [
        ("lr", "0.05", 0.05, "1:6-1:10"),
        ("optimizer.momentum", "0.9", 0.9, "3:12-3:15"),
        ("optimizer.name", "'a # b'", None, "4:8-4:15"),
        ("model.head.dropout", "1e-1", 0.1, "6:11-6:15"),
    ]
    assert [(a.text, a.target_name) for a in parse_config_text("c.toml", text).annotations] == [
        ("hp:learning_rate", "lr")
    ]


def test_malformed_files_are_pl005_at_the_parsers_position() -> None:
    cases = {
        "a.yaml": (
            "a:\n  b: 1\n c: 2\n",
            "a.yaml:3:2: PL005 cannot read config file: invalid YAML: expected <block end>, but found '<block mapping start>'",
        ),
        "a.json": (
            '{"a": 1,\n}',
            "a.json:2:1: PL005 cannot read config file: invalid JSON: Expecting property name enclosed in double quotes",
        ),
        "a.toml": (
            "a = 1\na = 2\n",
            "a.toml:2:6: PL005 cannot read config file: invalid TOML: Cannot overwrite a value",
        ),
    }
    for name, (text, expected) in cases.items():
        found = parse_config_text(name, text)
        assert (str(found.problem), found.values) == (expected, ())


def test_objects_are_never_constructed_and_nesting_is_no_traceback() -> None:
    found = parse_config_text("a.yaml", "x: !!python/object/apply:os.system ['echo hi']\ny: 2\n")
    assert found.problem is None and [(v.key, v.numeric) for v in found.values] == [("y", 2.0)]
    deep = parse_config_text("a.json", "[" * 100_000 + "]" * 100_000)
    assert deep.problem is not None and deep.problem.code == "PL005"


def test_scalars_whose_tag_lies_are_no_numbers() -> None:
    text = "a: !!int x\nb: !!float .\nc: 0x_\nd: !!int\ne: 0o17\n"
    assert [(v.key, v.numeric) for v in parse_config_text("c.yaml", text).values] == [
        ("a", None),
        ("b", None),
        ("c", None),
        ("d", None),
        ("e", 15.0),
    ]


def test_a_file_that_is_not_utf8_is_pl002_and_a_missing_one_too(tmp_path: Path) -> None:
    (tmp_path / "latin.yaml").write_bytes(b"a: 1\nname: caf\xe9\n")
    found = read_config_file(tmp_path / "latin.yaml", tmp_path)
    assert str(found.problem) == "latin.yaml:2:1: PL002 cannot decode this file: byte 0xe9 is not utf-8"
    assert read_config_file(tmp_path / "gone.yaml", tmp_path).problem.code == "PL002"


_KEYS = st.text(string.ascii_lowercase + "_", min_size=1, max_size=8)
_SCALARS = st.one_of(
    st.integers(-(10**6), 10**6).map(str),
    st.floats(allow_nan=False, allow_infinity=False, width=32).map(repr),
    st.sampled_from(["true", "null", "sgd", "'quoted # text'", '"double"', "1e-4", "${a.b}"]),
)
_MAPPINGS = st.recursive(
    st.dictionaries(_KEYS, _SCALARS, min_size=1, max_size=4),
    lambda inner: st.dictionaries(_KEYS, st.one_of(_SCALARS, inner), min_size=1, max_size=4),
    max_leaves=12,
)


def _render(mapping: dict, indent: int, flow: bool) -> list[str]:
    lines = []
    for key, value in mapping.items():
        if isinstance(value, dict):
            lines.append(" " * indent + f"{key}:")
            lines.extend(_render(value, indent + 2, flow))
        else:
            lines.append(" " * indent + f"{key}: {value}" + ("  # paper: hp:x" if flow else ""))
    return lines


@settings(max_examples=150, deadline=None)
@given(_MAPPINGS, st.booleans())
def test_every_value_span_covers_exactly_the_scalar_as_written(mapping: dict, comments: bool) -> None:
    text = "\n".join(_render(mapping, 0, comments)) + "\n"
    found = parse_config_text("c.yaml", text)
    assert found.problem is None
    lines = text.splitlines()
    for value in found.values:
        span = value.span
        assert span.line == span.end_line
        written = lines[span.line - 1][span.column - 1 : span.end_column - 1]
        node_text = value.text if not written.startswith(("'", '"')) else written[1:-1]
        assert node_text == value.text
        assert yaml.safe_load(f"k: {written}")["k"] == yaml.safe_load(text_value(mapping, value.key))


def text_value(mapping: dict, key: str) -> str:
    node = mapping
    for part in key.split("."):
        node = node[part]
    return f"{node}"


_PIECES = [
    "NaN",
    "-Infinity",
    '{"a": ',
    *"ab:-#[]{},'\"!&*|>%@ \n\t0123456789.eE+_$\\\u00e9",
    "null",
    "0x",
    "0o",
    "1e",
    ": ",
    "a: ",
    "key = ",
    "[t]\n",
    "!!int ",
    "!!float ",
    "!!python/name:os.system ",
    "&x ",
    "*x",
    "defaults:\n  - ",
    "${",
]
_YAMLISH = st.lists(st.sampled_from(_PIECES), max_size=40).map("".join)


@settings(max_examples=400, deadline=None)
@given(_YAMLISH, st.sampled_from(["c.yaml", "c.json", "c.toml"]))
def test_any_text_gives_leaves_or_one_pl005_never_an_exception(text: str, name: str) -> None:
    found = parse_config_text(name, text)
    assert found.problem is None or (found.problem.code == "PL005" and found.values == ())
