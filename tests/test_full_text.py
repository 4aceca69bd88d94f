"""The text format's ``full`` view: the caret under the span, whatever the span looks like."""

from __future__ import annotations

from pathlib import Path

import pytest

from paperlink.full_text import line_reader, snippet
from paperlink.rules.traceability import UnknownReference
from paperlink.spans import Span


@pytest.mark.parametrize(
    ("span", "line", "caret"),
    [
        (Span("a.py", 7, 5, 7, 8), "x = abc", "  |     ^^^ PL101"),
        (Span("a.py", 7, 5, 9, 2), "x = abc", "  |     ^ PL101"),  # over several lines: its start
        (Span("a.py", 7, 5, 7, 99), "x = abc", "  |     ^^^ PL101"),  # to the line's end at most
        (Span("a.py", 7, 40), "x = abc", "  |        ^ PL101"),  # a column past the end: after the text
        (Span("a.py", 7, 2, 7, 3), "\tx", "  |     ^ PL101"),  # a tab is four columns wide
    ],
)
def test_the_caret_sits_under_the_span(span: Span, line: str, caret: str) -> None:
    lines = snippet(UnknownReference.at(span, "m"), line).splitlines()
    assert lines[1] == f"7 | {line.replace(chr(9), '    ')}"
    assert lines[2] == caret


def test_lines_are_counted_as_python_counts_them(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_bytes(b"\xef\xbb\xbfone\r\ntwo\rthree\x0cstill three\nfour")
    read = line_reader(tmp_path, {"b.py": b"buffer"})
    assert [read("a.py", n) for n in (1, 2, 3, 4, 5)] == ["one", "two", "three\x0cstill three", "four", None]
    assert (read("b.py", 1), read("gone.py", 1)) == ("buffer", None)


def test_a_bidi_override_in_the_source_line_is_escaped_and_the_caret_follows() -> None:
    line = 'x = "\u202e" + abc'
    lines = snippet(UnknownReference.at(Span("a.py", 7, 11, 7, 14), "m"), line).splitlines()
    assert lines[1] == '7 | x = "\\u202e" + abc'
    assert lines[2] == "  | " + " " * len('x = "\\u202e" + ') + "^^^ PL101"


def test_a_line_is_never_read_through_a_link_leading_out(tmp_path: Path) -> None:
    (tmp_path / "outside.py").write_text("SECRET = 1\n", encoding="utf-8")
    project = tmp_path / "project"
    project.mkdir()
    (project / "linked.py").symlink_to(tmp_path / "outside.py")
    assert line_reader(project)("linked.py", 1) is None
