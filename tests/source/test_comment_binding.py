"""Annotations and directive comments read from the ``ast`` and the text, bound as libcst binds.

There is one reader. Every case runs twice: from the file's ``ast``, the path every file
this Python parses takes, and from its outline, the path of files with newer syntax
(``tree=None`` forces it: libcst's tree, the newer syntax blanked, the ``ast`` of that).
Both must give the same annotations (spans, targets, scopes, fingerprints) and the same
directive comments. The bindings were first checked against libcst's own tree, through a
second reader that walked it; ``NEWER_SYNTAX`` keeps what that reader bound in files with
syntax newer than Python 3.11, which the outline reads alike.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from paperlink.source.annotations import collect_annotations
from paperlink.source.comments import Comment, collect_comments
from paperlink.source.files import SourceText
from paperlink.source.parse import ParsedSource, parse_source
from paperlink.spans import Span

READERS = ["ast", "outline"]


def parsed(text: str, reader: str) -> ParsedSource:
    source = parse_source(SourceText(Path("m.py"), "m.py", text))
    assert isinstance(source, ParsedSource), source
    return source if reader == "ast" else dataclasses.replace(source, tree=None)


def where(span: Span) -> str:
    if span.end_line is None:
        return f"{span.line}:{span.column}"
    return f"{span.line}:{span.column}-{span.end_line}:{span.end_column}"


def bound(text: str, reader: str) -> list[str]:
    """Each annotation as `<span> <text> -> <target> <name or scope>`."""
    found = collect_annotations(parsed(text, reader))
    return [f"{where(a.span)} {a.text} -> {where(a.target)} {a.target_name or a.scope}".rstrip() for a in found]


@pytest.fixture(params=READERS)
def reader(request) -> str:
    return request.param


# -- a `#` in a string is no comment -------------------------------------------------------


def test_hashes_inside_strings_are_not_comments(reader):
    text = (
        's = "# paper: Eq. 1"  # paper: Eq. 2\n'
        "b = b'#' + f'{s}#{s!r:#>4}'  # paper: Eq. 3\n"
        'm = """\n'
        "# paper: Eq. 4\n"
        '"""  # paper: Eq. 5\n'
        "r = rb'''#\n"
        "''' # paper: Eq. 6\n"
    )
    assert bound(text, reader) == [
        "1:23-1:37 Eq. 2 -> 1:1-1:21",
        "2:30-2:44 Eq. 3 -> 2:1-2:28",
        "5:6-5:20 Eq. 5 -> 3:1-5:4",
        "7:5-7:19 Eq. 6 -> 6:1-7:4",
    ]


def test_comments_in_implicit_concatenation_are_skipped_as_libcst_did(reader):
    """libcst's readers never looked inside a concatenation, nor the parentheses grouping it."""
    text = (
        "x = (  # paper: Eq. 1\n"
        '    "a"  # paper: Eq. 2\n'
        '    "b"  # paper: Eq. 3\n'
        ")\n"
        'y = f(  # paper: Eq. 4\n    "a" "b")\n'
        'z = ("a"  # paper: Eq. 5\n     "b",)\n'
    )
    assert bound(text, reader) == ["5:9-5:23 Eq. 4 -> 5:1-6:13"]  # Eq. 5 lies between two parts


def test_non_ascii_lines_count_characters(reader):
    text = 'é = "ü#"  # paper: Eq. 1\nclass Ä:\n    ö = "ß"  # paper: Eq. 2\n'
    assert bound(text, reader) == ["1:11-1:25 Eq. 1 -> 1:1-1:9", "3:14-3:28 Eq. 2 -> 3:5-3:12 Ä"]


# -- binding -------------------------------------------------------------------------------


def test_comments_inside_brackets_bind_to_the_statement_around_them(reader):
    text = (
        "def f(\n"
        "    a,  # paper: Eq. 1\n"
        "    # paper: Eq. 2\n"
        ") -> int:  # paper: Eq. 3\n"
        "    x = g(a,\n"
        "          # paper: Eq. 4\n"
        "          1); y = 2  # paper: Eq. 5\n"
        "    if a: h(1,  # paper: Eq. 6\n"
        "            2)\n"
        "    return x\n"
    )
    assert bound(text, reader) == [
        "2:9-2:23 Eq. 1 -> 1:1-10:13 f",
        "3:5-3:19 Eq. 2 -> 1:1-10:13 f",
        "4:12-4:26 Eq. 3 -> 1:1-10:13 f",
        "6:11-6:25 Eq. 4 -> 5:5-7:20 f",
        "7:22-7:36 Eq. 5 -> 5:5-7:20 f",
        "8:17-8:31 Eq. 6 -> 8:5-9:15 f",  # a body on the header's line: the `if`
    ]


def test_else_and_finally_clauses_own_their_comments(reader):
    text = (
        "if a:\n"
        "    x = 1\n"
        "elif b:  # paper: Eq. 1\n"
        "    x = 2\n"
        "# paper: Eq. 2\n"
        "else:  # paper: Eq. 3\n"
        "    x = 3\n"
        "    # paper: Eq. 4\n"
        "try:\n"
        "    pass\n"
        "    # paper: Eq. 5\n"
        "except (A,  # paper: Eq. 6\n"
        "        B):\n"
        "    pass\n"
        "else: pass  # paper: Eq. 7\n"
        "  # paper: Eq. 8\n"
        "finally:\n"
        "    pass\n"
        "    # paper: Eq. 9\n"
        "for i in x: pass\n"
        "else:\n"
        "    pass\n"
        "\n"
        "    # paper: Eq. 10\n"
        "# paper: Eq. 11\n"
    )
    assert bound(text, reader) == [
        "3:10-3:24 Eq. 1 -> 3:1-7:10",
        "5:1-5:15 Eq. 2 -> 6:1-7:10",
        "6:8-6:22 Eq. 3 -> 6:1-7:10",
        "8:5-8:19 Eq. 4 -> 6:1-7:10",
        "11:5-11:19 Eq. 5 -> 9:1-18:9",
        "12:13-12:27 Eq. 6 -> 12:1-14:9",
        "15:13-15:27 Eq. 7 -> 15:1-15:11",
        "16:3-16:17 Eq. 8 -> 17:1-18:9",
        "19:5-19:19 Eq. 9 -> 17:1-18:9",
        "24:5-24:20 Eq. 10 -> 21:1-22:9",
        "25:1-25:16 Eq. 11 -> 1:1",
    ]


def test_footers_take_lines_up_to_the_last_one_indented_at_their_level(reader):
    text = (
        "def f():\n"
        "    if x:\n"
        "        pass\n"
        "        # paper: Eq. 1\n"
        "    # paper: Eq. 2\n"
        "# paper: Eq. 3\n"
        "    \n"
        "# paper: Eq. 4\n"
        "\n"
        "@dec\n"
        "# paper: Eq. 5\n"
        "@(other)\n"
        "class A: pass\n"
    )
    assert bound(text, reader) == [
        "4:9-4:23 Eq. 1 -> 2:5-3:13 f",
        "5:5-5:19 Eq. 2 -> 1:1-3:13 f",
        "6:1-6:15 Eq. 3 -> 1:1-3:13 f",
        "8:1-8:15 Eq. 4 -> 13:1-13:14 A",
        "11:1-11:15 Eq. 5 -> 13:1-13:14 A",
    ]


def test_module_header_and_a_file_of_comments(reader):
    assert bound("# paper: Eq. 1\nimport x\n", reader) == ["1:1-1:15 Eq. 1 -> 1:1"]
    assert bound("\n# paper: Eq. 1", reader) == ["2:1-2:15 Eq. 1 -> 1:1"]


def test_decorators_and_one_line_docstrings(reader):
    text = (
        "import paperlink\n"
        "@(paperlink.implements('eq:1'))\n"
        "def f(): 'Paper: Eq. 2'\n"
        "@paperlink.implements(*['eq:3'], paper='p')\n"
        "def g():\n"
        "    pass\n"
    )
    found = collect_annotations(parsed(text, reader))
    assert [(where(a.span), a.form, a.text, a.paper, a.problem != "") for a in found] == [
        ("2:1-2:32", "decorator", "eq:1", None, False),
        ("3:1-3:24", "docstring", "Eq. 2", None, False),
        ("4:1-4:44", "decorator", "", "p", True),
    ]


# -- fingerprints --------------------------------------------------------------------------


def test_fingerprints_agree_between_readers_and_ignore_formatting():
    text = (
        "class A:\n"
        "    def f(self):  # paper: Eq. 1\n"
        '        """Doc.\n'
        "        \n"  # a line of spaces in the docstring: dedent empties it
        '        """\n'
        "        return 1\n"
        "    x = 1; y = (2,  # paper: Eq. 2\n"
        "                3)\n"
        "    if x:\n"
        "        pass\n"
        "    elif y:  # paper: Eq. 3\n"
        "        pass\n"
        "    else:  # paper: Eq. 4\n"
        "        pass\n"
    )
    by_reader = {r: [a.fingerprint for a in collect_annotations(parsed(text, r))] for r in READERS}
    assert by_reader["ast"] == by_reader["outline"]
    assert [len(p) for p in by_reader["ast"]] == [16, 16, 16, 0]  # an `else:` clause is no code alone
    reformatted = text.replace("y = (2,  # paper: Eq. 2\n                3)", "y = (2, 3)  # paper: Eq. 2")
    assert collect_annotations(parsed(reformatted, "ast"))[1].fingerprint == by_reader["ast"][1]


def test_crlf_fingerprints_agree_between_readers():
    text = "class A:\r\n    def f(self):  # paper: Eq. 1\r\n        '''x\r\n        \r\n        '''\r\n"
    fingerprints = {r: collect_annotations(parsed(text, r))[0].fingerprint for r in READERS}
    assert fingerprints["ast"] == fingerprints["outline"] != ""


# -- directive comments --------------------------------------------------------------------


def test_directive_comments_agree_between_readers(reader):
    text = (
        "x = f(  # paperlink: a\n"
        "    '# paperlink: not a comment',\n"
        "    # paperlink: b\n"
        "    1)\n"
        "@(\n"
        "  dec)\n"
        "# PaperLink: c\n"
        "@other\n"
        "def g(): ...  # paperlink: d\n"
        "é = 'ü'  # paperlink: e\n"
    )
    assert collect_comments(parsed(text, reader), "paperlink") == [
        Comment(Span("m.py", 1, 9, 1, 23), "# paperlink: a", False),
        Comment(Span("m.py", 3, 5, 3, 19), "# paperlink: b", True, (4, 4)),
        Comment(Span("m.py", 7, 1, 7, 15), "# PaperLink: c", True, (8, 9)),
        Comment(Span("m.py", 9, 15, 9, 29), "# paperlink: d", False),
        Comment(Span("m.py", 10, 10, 10, 24), "# paperlink: e", False),
    ]


def test_the_ast_reader_never_builds_libcst_trees():
    source = parsed("x = 1  # paper: Eq. 1\ny = 2  # paperlink: ignore[PL101]\n", "ast")
    assert [a.text for a in collect_annotations(source)] == ["Eq. 1"]
    assert len(collect_comments(source, "paperlink")) == 1
    assert source._module is None and source._positions is None


def test_syntax_newer_than_this_python_is_read_from_its_outline():
    text = "def f[T](x: T):  # paper: Eq. 1\n    return x  # paperlink: ignore[PL101]\n"
    source = parse_source(SourceText(Path("m.py"), "m.py", text))
    assert isinstance(source, ParsedSource) and source.tree is None  # PEP 695: Python 3.12
    assert source.outline is not None and source.outline[0].startswith("def f   (x: T):")
    assert bound(text, "ast") == ["1:18-1:32 Eq. 1 -> 1:1-2:13 f"]
    assert [c.text for c in collect_comments(source, "paperlink")] == ["# paperlink: ignore[PL101]"]


# What the libcst reader bound in files with syntax newer than Python 3.11 (on a newer
# Python, some of these parse with its ``ast``; the bindings are the same).
NEWER_SYNTAX = {
    "type parameters": (
        (
            '# paper: Eq. 2\nclass Box[T]:\n    """Paper: Sec. 3"""\n\n'
            "    def get[U](self, u: U) -> T:  # paper: Eq. 3\n        return self.x  # paper: Eq. 4\n"
        ),
        [
            "1:1-1:15 Eq. 2 -> 1:1",
            "3:5-3:24 Sec. 3 -> 2:1-6:22 Box",
            "5:35-5:49 Eq. 3 -> 5:5-6:22 Box.get",
            "6:24-6:38 Eq. 4 -> 6:9-6:22 Box.get",
        ],
    ),
    "type aliases": (
        "import os\n\ntype Vector = list[float]  # paper: Eq. 5\ntype Pair[T] = tuple[T, T]\n# paper: Eq. 6\nx = 1\n",
        ["3:28-3:42 Eq. 5 -> 3:1-3:26", "5:1-5:15 Eq. 6 -> 6:1-6:6"],
    ),
    "an alias in a block": (
        "if True:\n    type A = int  # paper: Eq. 18\n    z = 1\n",
        ["2:19-2:34 Eq. 18 -> 2:5-2:17"],
    ),
    "type parameters over lines": (
        "def g[\n    T,\n    U,\n](a: T, b: U):  # paper: Eq. 7\n    # paper: Eq. 8\n    return a\n",
        ["4:17-4:31 Eq. 7 -> 1:1-6:13 g", "5:5-5:19 Eq. 8 -> 6:5-6:13 g"],
    ),
    "f-strings of 3.12": (
        (
            'd = {\'a\': 1}\nx = f"{d["a"]}"  # paper: Eq. 9\ny = f"{\'#\'}"  # paper: Eq. 10\n\n\n'
            'def h():\n    s = f"{x!r:>{d["a"]}}"  # paper: Eq. 11\n    return s\n'
        ),
        ["2:18-2:32 Eq. 9 -> 2:1-2:16", "3:15-3:30 Eq. 10 -> 3:1-3:13", "7:29-7:44 Eq. 11 -> 7:5-7:27 h"],
    ),
    "a line break in an f-string's field": (
        'x = f"{\n    1 + 1\n}"  # paper: Eq. 12\ny = 2  # paper: Eq. 13\n',
        ["3:5-3:20 Eq. 12 -> 1:1-3:3", "4:8-4:23 Eq. 13 -> 4:1-4:6"],
    ),
    "decorators": (
        (
            'from paperlink import implements\n\n\n@implements("eq:loss")\ndef f[T](x):\n    return x\n\n\n'
            'class C[T]:\n    @implements("Eq. 1", paper="p")\n    def m(self):\n        pass  # paper: Eq. 14\n'
        ),
        [
            "4:1-4:23 eq:loss -> 5:1-6:13 f",
            "10:5-10:36 Eq. 1 -> 11:5-12:13 C.m",
            "12:15-12:30 Eq. 14 -> 12:9-12:13 C.m",
        ],
    ),
    "a t-string": ("name = 'a'\nx = t\"{name}\"  # paper: Eq. 15\n", ["2:16-2:31 Eq. 15 -> 2:1-2:14"]),
    "clauses": (
        "def f[T](x):\n    if x:\n        pass\n    else:  # paper: Eq. 16\n        y = 1\n    # paper: Eq. 17\n",
        ["4:12-4:27 Eq. 16 -> 4:5-5:14 f", "6:5-6:20 Eq. 17 -> 1:1-5:14 f"],
    ),
    "except without parentheses": (
        "try:\n    pass\nexcept ValueError, TypeError:  # paper: Eq. 21\n    x = 1  # paper: Eq. 22\n",
        ["3:32-3:47 Eq. 21 -> 3:1-4:10", "4:12-4:27 Eq. 22 -> 4:5-4:10"],
    ),
}


@pytest.mark.parametrize("case", sorted(NEWER_SYNTAX))
def test_newer_syntax_binds_as_libcst_bound_it_and_has_fingerprints(case):
    text, expected = NEWER_SYNTAX[case]
    assert bound(text, "ast") == expected
    source = parse_source(SourceText(Path("m.py"), "m.py", text))
    assert isinstance(source, ParsedSource)
    clauses = {"4:12-4:27 Eq. 16", "1:1-1:15 Eq. 2", "3:32-3:47 Eq. 21"}  # a clause or the module: no code alone
    for annotation in collect_annotations(source):
        fingerprinted = f"{where(annotation.span)} {annotation.text}" not in clauses
        assert bool(annotation.fingerprint) is fingerprinted, annotation


def test_an_outline_keeps_every_line_and_column():
    text = 'x = f"{\n    1}"  # paper: Eq. 1\ntype=1\ntry:\n    pass\nexcept* E:  # paper: Eq. 2\n    pass\n'
    source = parse_source(SourceText(Path("m.py"), "m.py", text))
    assert isinstance(source, ParsedSource)
    if source.tree is None:  # an f-string field over two lines: Python 3.12
        outline, _ = source.outline
        assert [len(line) for line in outline.splitlines()] == [len(line) for line in text.splitlines()]
        assert outline.splitlines()[1].endswith('"  # paper: Eq. 1')
