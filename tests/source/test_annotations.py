"""Tests for paperlink.source.annotations: the three forms and every binding rule.

Fixture files under ``fixtures/`` sit next to a ``.expected`` file, one annotation a line::

    14:1-14:24 comment[simsiam] 'Eq. 2' -> 17:1-20:13 cached
    <where it is written> <form>[<paper>] <text> -> <target> <target name> [! problem]

A target without an end (``1:1``) is the module. Regenerate after a deliberate change with
``PAPERLINK_REGENERATE=1 python3 -m pytest tests/source/test_annotations.py`` and read the diff.
"""

from __future__ import annotations

import dataclasses

import os
from pathlib import Path

import pytest

from paperlink.references import ReferenceKind, parse_references
from paperlink.source.annotations import Annotation, collect_annotations
from paperlink.source.files import SourceText, read_source
from paperlink.source.parse import ParsedSource, parse_source
from paperlink.spans import Span

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CASES = sorted(path.name for path in FIXTURES.glob("*.py"))


def annotations_of(text: str, relative: str = "m.py") -> list[Annotation]:
    source = parse_source(SourceText(Path(relative), relative, text))
    assert isinstance(source, ParsedSource), source
    return collect_annotations(source)


def where(span: Span) -> str:
    if span.end_line is None:
        return f"{span.line}:{span.column}"
    return f"{span.line}:{span.column}-{span.end_line}:{span.end_column}"


def render(annotation: Annotation) -> str:
    paper = f"[{annotation.paper}]" if annotation.paper is not None else ""
    line = f"{where(annotation.span)} {annotation.form}{paper} {annotation.text!r} -> {where(annotation.target)}"
    line += f" {annotation.target_name}" if annotation.target_name else ""
    return line + (f" ! {annotation.problem}" if annotation.problem else "")


def expected_lines(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]


def test_every_fixture_has_an_expected_file():
    assert CASES
    assert [name for name in CASES if not (FIXTURES / name).with_suffix(".expected").is_file()] == []


@pytest.mark.parametrize("name", CASES)
def test_fixture(name):
    source = parse_source(read_source(FIXTURES / name, FIXTURES))
    assert isinstance(source, ParsedSource), source
    found = collect_annotations(source)
    assert {a.span.path for a in found} | {a.target.path for a in found} <= {name}
    lines = [render(annotation) for annotation in found]
    expected = FIXTURES / name.replace(".py", ".expected")
    if os.environ.get("PAPERLINK_REGENERATE"):
        expected.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    assert lines == expected_lines(expected)


# -- whole objects, inline -----------------------------------------------------------------


def test_annotation_fields_for_each_form():
    text = (
        "from paperlink import implements\n"
        "\n"
        "\n"
        "class Model:\n"
        '    """Paper[simsiam]: Eq. 3, Sec. 4.1"""\n'
        "\n"
        '    @implements("eq:loss", "hp:beta", paper="simsiam")\n'
        "    def forward(self, x):  # paper: Alg. 1\n"
        "        return x\n"
    )
    method = Span("m.py", 8, 5, 9, 17)  # a definition starts at `def`, below its decorators
    found = annotations_of(text)
    assert [dataclasses.replace(a, fingerprint="") for a in found] == [
        Annotation(
            "Eq. 3, Sec. 4.1",
            "simsiam",
            "docstring",
            Span("m.py", 5, 5, 5, 42),
            Span("m.py", 4, 1, 9, 17),
            "Model",
            scope="Model",
        ),
        Annotation(
            "eq:loss, hp:beta",
            "simsiam",
            "decorator",
            Span("m.py", 7, 5, 7, 55),
            method,
            "Model.forward",
            scope="Model.forward",
        ),
        Annotation(
            "Alg. 1", None, "comment", Span("m.py", 8, 28, 8, 43), method, "Model.forward", scope="Model.forward"
        ),
    ]
    assert found[1].fingerprint == found[2].fingerprint != found[0].fingerprint  # both bind to forward
    assert all(len(a.fingerprint) == 16 for a in found)


def test_the_code_fingerprint_ignores_formatting_and_comments_but_not_code():
    def fingerprint(body: str) -> str:
        (annotation,) = annotations_of(f"def f(x):  # paper: Eq. 1\n{body}")
        return annotation.fingerprint

    plain = fingerprint("    return x + 1\n")
    assert fingerprint("    # a new comment\n    return (x\n            + 1)\n") == plain
    assert fingerprint("    return x + 2\n") != plain


def test_a_statement_link_knows_the_definition_it_sits_in():
    text = "class A:\n    def f(self):\n        y = 1  # paper: Eq. 1\n        return y\n"
    (annotation,) = annotations_of(text)
    assert (annotation.target_name, annotation.scope) == ("", "A.f")


def test_non_literal_decorator_argument_is_reported_as_a_problem():
    text = (
        'import paperlink\n\nNAME = "eq:1"\n\n\n@paperlink.implements(NAME, "eq:2", paper=NAME)\ndef f():\n    pass\n'
    )
    assert [dataclasses.replace(a, fingerprint="") for a in annotations_of(text)] == [
        Annotation(
            "eq:2",
            None,
            "decorator",
            Span("m.py", 6, 1, 6, 48),
            Span("m.py", 7, 1, 8, 9),
            "f",
            "the arguments of implements(...) must be string literals",
            scope="f",
        ),
    ]


def test_annotation_on_the_last_line_without_a_trailing_newline():
    def found(text: str) -> list[Annotation]:
        return [dataclasses.replace(a, fingerprint="") for a in annotations_of(text)]

    assert found("x = 1\ny = 2  # paper: Eq. 9") == [
        Annotation("Eq. 9", None, "comment", Span("m.py", 2, 8, 2, 22), Span("m.py", 2, 1, 2, 6)),
    ]
    assert found("x = 1\n# paper: Eq. 9") == [
        Annotation("Eq. 9", None, "comment", Span("m.py", 2, 1, 2, 15), Span("m.py", 1)),
    ]
    assert found("def f():\n    return 1\n    # paper: Eq. 9") == [
        Annotation("Eq. 9", None, "comment", Span("m.py", 3, 5, 3, 19), Span("m.py", 1, 1, 2, 13), "f", scope="f"),
    ]


def test_last_line_without_a_trailing_newline_read_from_a_file(tmp_path):
    path = tmp_path / "tail.py"
    path.write_bytes(b"x = 1\n\ndef f():\n    pass  # paper: Eq. 1")
    source = parse_source(read_source(path, tmp_path))
    assert isinstance(source, ParsedSource)
    assert [render(a) for a in collect_annotations(source)] == ["4:11-4:25 comment 'Eq. 1' -> 4:5-4:9"]


def test_crlf_comments_do_not_keep_the_carriage_return():
    text = "def f(x):\r\n    # paper: Eq. 1\r\n    return x  # paper: Eq. 2\r\n"
    assert [render(a) for a in annotations_of(text)] == [
        "2:5-2:19 comment 'Eq. 1' -> 3:5-3:13",
        "3:15-3:29 comment 'Eq. 2' -> 3:5-3:13",
    ]


def test_match_statement_and_its_cases_own_their_comments():
    text = (
        "match x:  # paper: Eq. 0\n"
        "    case 1:  # paper: Eq. 1\n"
        "        y = 1\n"
        "    # paper: Eq. 2\n"
        "    case _:\n"
        "        y = 2\n"
        "        # paper: Eq. 3\n"
        "    # paper: Eq. 4\n"
    )
    assert [render(a) for a in annotations_of(text)] == [
        "1:11-1:25 comment 'Eq. 0' -> 1:1-6:14",
        "2:14-2:28 comment 'Eq. 1' -> 2:5-3:14",
        "4:5-4:19 comment 'Eq. 2' -> 5:5-6:14",
        "7:9-7:23 comment 'Eq. 3' -> 5:5-6:14",
        "8:5-8:19 comment 'Eq. 4' -> 1:1-6:14",
    ]


@pytest.mark.parametrize(
    ("imports", "decorator"),
    [
        ("import paperlink.markers", "paperlink.markers.implements"),
        ("import paperlink.markers", "paperlink.implements"),
        ("import paperlink", "paperlink.markers.implements"),
        ("import paperlink as pl", "pl.markers.implements"),
        ("from paperlink import markers as mk", "mk.implements"),
        ("from paperlink.markers import *", "implements"),
    ],
)
def test_each_way_of_importing_implements(imports, decorator):
    text = f'{imports}\n\n\n@{decorator}("eq:1")\ndef f():\n    pass\n'
    assert [render(a) for a in annotations_of(text)] == [f"4:1-4:{len(decorator) + 10} decorator 'eq:1' -> 5:1-6:9 f"]


@pytest.mark.parametrize(
    "text",
    [
        "from other import implements\n\n\n@implements('eq:1')\ndef f():\n    pass\n",
        "import other.paperlink\n\n\n@other.paperlink.implements('eq:1')\ndef f():\n    pass\n",
        "from paperlink import implements\n\n\n@implements.paperlink('eq:1')\ndef f():\n    pass\n",
        "import paperlink\n\n\n@paperlink.implement('eq:1')\ndef f():\n    pass\n",
        "x = 'paper: Eq. 1'\n",
        "x = '''\nPaper: Eq. 1\n'''\n",
        "x = 1  # paperlink: ignore[PL201]\n",
    ],
    ids=[
        "other-package",
        "other-module",
        "attribute-of-implements",
        "misspelt",
        "string",
        "not-a-docstring",
        "suppression",
    ],
)
def test_not_an_annotation(text):
    assert annotations_of(text) == []


def test_a_file_without_the_word_paper_is_not_walked():
    assert annotations_of("x = 1  # Eq. 1\n") == []


def test_identical_comments_in_two_places_are_two_annotations():
    text = "x = 1  # paper: Eq. 1\ny = f(\n    x,  # paper: Eq. 1\n)\n"
    assert [render(a) for a in annotations_of(text)] == [
        "1:8-1:22 comment 'Eq. 1' -> 1:1-1:6",
        "3:9-3:23 comment 'Eq. 1' -> 2:1-4:2",
    ]


def test_a_paperlink_directive_after_the_references_ends_them():
    text = "x = 1  # paper: eq:a, Eq. 2  # paperlink: ignore[PL101] why\ny = 2  # paper: eq:b # PaperLink: stop-grad logging\n"
    assert [a.text for a in annotations_of(text)] == ["eq:a, Eq. 2", "eq:b"]


@pytest.mark.parametrize(
    "text",
    [
        '"""Vision Transformer.\n\nPaper: https://arxiv.org/abs/2010.11929\n"""\n',
        '"""Lion optimizer.\n\nPaper: Symbolic Discovery of Optimization Algorithms\n"""\n',
        "# Paper: Deep Residual Learning for Image Recognition\nx = 1\n",
        "# paper: arXiv:1706.03762\nx = 1\n",
        'def f():\n    """Paper: `Swin Transformer V2` - https://arxiv.org/abs/2111.09883"""\n',
    ],
    ids=["url-docstring", "title-docstring", "title-comment", "arxiv-id", "title-and-url"],
)
def test_citations_of_a_paper_are_not_annotations(text):
    """Research code cites papers with `Paper: <title or URL>`; that links no item."""
    assert annotations_of(text) == []


def test_a_short_unreadable_annotation_is_still_an_annotation():
    """`Eqn 3` is a typo for `Eq. 3`, not a citation: the engine reports it as PL102."""
    assert [render(a) for a in annotations_of("x = 1  # paper: Eqn 3\n")] == [
        "1:8-1:22 comment 'Eqn 3' -> 1:1-1:6",
    ]


def test_annotations_carry_their_parsed_references():
    """The text is parsed once, when the annotation is made; the engine reads these fields."""
    [good, bad] = annotations_of("x = 1  # paper: Eq. 3, Sec. 4.1\ny = 2  # paper: Eqn 3\n")
    assert (good.references, good.malformed) == parse_references("Eq. 3, Sec. 4.1")
    assert [r.kind for r in good.references] == [ReferenceKind.EQUATION, ReferenceKind.SECTION]
    assert not bad.references and [m.text for m in bad.malformed] == ["Eqn 3"]
    # made by hand (config comments, tests), an annotation parses its text itself
    made = Annotation("Eq. 3, Sec. 4.1", None, "comment", Span("m.py", 1), Span("m.py", 1))
    assert (made.references, made.malformed) == (good.references, good.malformed)
