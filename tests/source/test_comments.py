"""Tests for paperlink.source.comments: comments from the syntax tree, own-line or trailing, and the code below."""

from __future__ import annotations

from pathlib import Path

from paperlink.source.comments import Comment, collect_comments
from paperlink.source.files import SourceText
from paperlink.source.parse import ParsedSource, parse_source
from paperlink.spans import Span


def parsed(text: str) -> ParsedSource:
    result = parse_source(SourceText(Path("m.py"), "m.py", text))
    assert isinstance(result, ParsedSource), result
    return result


def test_comments_with_the_needle_in_source_order():
    text = (
        "# paperlink: a\n"  # 1: the module header
        "x = f(  # paperlink: b\n"
        "    # paperlink: c\n"  # 3: inside brackets: the next line of code is the argument
        "    1,\n"
        ")\n"
        "# other\n"
        "def g():\n"
        "    s = '# paperlink: in a string'\n"
        "    # paperlink: d\n"  # 9: after the last statement of the block
    )
    assert collect_comments(parsed(text), "paperlink") == [
        Comment(Span("m.py", 1, 1, 1, 15), "# paperlink: a", True, (2, 2)),
        Comment(Span("m.py", 2, 9, 2, 23), "# paperlink: b", False),
        Comment(Span("m.py", 3, 5, 3, 19), "# paperlink: c", True, (4, 4)),
        Comment(Span("m.py", 9, 5, 9, 19), "# paperlink: d", True, None),
    ]


def test_the_lines_below_skip_blank_and_comment_lines_and_counts_crlf():
    text = "# paperlink: a\r\n\r\n# paper: eq:x\r\n\r\ny = 1\r\n"
    assert [c.below for c in collect_comments(parsed(text), "paperlink")] == [(5, 5)]


def test_above_a_decorated_definition_the_lines_below_run_to_def():
    text = "class C:\n    # paperlink: a\n    @property\n    # paperlink: b\n    @cached(\n        1)\n    def f(self): ...\n"
    assert [c.below for c in collect_comments(parsed(text), "paperlink")] == [(3, 7), (5, 7)]


def test_the_needle_is_case_insensitive_on_the_comment():
    assert [c.text for c in collect_comments(parsed("x = 1  # PaperLink: x\n"), "paperlink")] == ["# PaperLink: x"]


def test_positions_are_computed_only_when_a_comment_matches():
    source = parsed("x = 'paperlink'  # an ordinary comment\n")
    assert collect_comments(source, "paperlink") == []
    assert source._positions is None
