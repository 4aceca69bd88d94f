"""``check --add-noqa``'s writer: where a suppression goes, what it keeps, and what it refuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from paperlink.rules.suppression import UnusedSuppression
from paperlink.rules.traceability import UnknownReference
from paperlink.source.suppression_writer import add_suppressions, add_to_files
from paperlink.spans import Span

TODO = "TODO: explain"

CASES = [
    # (text, {line: codes}, text after, lines refused)
    ("x = 1\n", {1: ["PL402"]}, f"x = 1  # paperlink: ignore[PL402] {TODO}\n", []),
    ("x = 1", {1: ["PL402"]}, f"x = 1  # paperlink: ignore[PL402] {TODO}", []),  # no final newline
    ("x = 1\r\ny = 2\r\n", {2: ["PL1"]}, f"x = 1\r\ny = 2  # paperlink: ignore[PL1] {TODO}\r\n", []),
    ("x = 1\ry = 2\r", {1: ["PL1"]}, f"x = 1  # paperlink: ignore[PL1] {TODO}\ry = 2\r", []),
    ("x = 1   \t\n", {1: ["PL1"]}, f"x = 1  # paperlink: ignore[PL1] {TODO}\n", []),  # trailing blanks
    ("x = 1\n", {1: ["PL402", "PL201", "PL402"]}, f"x = 1  # paperlink: ignore[PL201, PL402] {TODO}\n", []),
    (  # after an annotation: the directive ends its references
        "f(x)  # paper: eq:nope\n",
        {1: ["PL101"]},
        f"f(x)  # paper: eq:nope  # paperlink: ignore[PL101] {TODO}\n",
        [],
    ),
    (  # merged into the list already there, its reason kept
        "f(x)  # paperlink: ignore[PL101] renamed\n",
        {1: ["PL402"]},
        "f(x)  # paperlink: ignore[PL101, PL402] renamed\n",
        [],
    ),
    (  # the same text in a string is not a comment
        's = "# paperlink: ignore[PL101]"\n',
        {1: ["PL402"]},
        f's = "# paperlink: ignore[PL101]"  # paperlink: ignore[PL402] {TODO}\n',
        [],
    ),
    (  # inside a multi-line string: refused; on its last line: written
        's = """a\nb"""\n',
        {1: ["PL1"], 2: ["PL2"]},
        f's = """a\nb"""  # paperlink: ignore[PL2] {TODO}\n',
        [1],
    ),
    ("x = 1 + \\\n    2\n", {1: ["PL1"]}, "x = 1 + \\\n    2\n", [1]),  # a backslash continuation
    ("x = 1\n", {3: ["PL1"]}, "x = 1\n", [3]),  # past the end
    ("\n", {1: ["PL1"]}, f"# paperlink: ignore[PL1] {TODO}\n", []),  # a blank line
]


@pytest.mark.parametrize(("text", "codes", "expected", "refused"), CASES)
def test_add_suppressions(text: str, codes: dict[int, list[str]], expected: str, refused: list[int]) -> None:
    assert add_suppressions(text, codes) == (expected, refused)


def test_adding_twice_the_same_codes_changes_nothing_more() -> None:
    once, _ = add_suppressions("x = 1\n", {1: ["PL402"]})
    assert add_suppressions(once, {1: ["PL402"]}) == (once, [])


def test_files_keep_their_encoding_and_byte_order_mark(tmp_path: Path) -> None:
    (tmp_path / "latin.py").write_bytes(b"# -*- coding: latin-1 -*-\nname = '\xe9'\n")
    (tmp_path / "bom.py").write_bytes(b"\xef\xbb\xbfx = 1\n")
    (tmp_path / "notes.ipynb").write_text("{}", encoding="utf-8")
    found = [
        UnknownReference.at(Span("latin.py", 2, 1), "m"),
        UnknownReference.at(Span("bom.py", 1, 1), "m"),
        UnknownReference.at(Span("notes.ipynb", 1, 1, cell=1), "m"),  # a notebook: left
        UnknownReference.at(Span("paper.tex", 3, 1), "m"),  # not Python: left
        UnusedSuppression.at(Span("bom.py", 1, 8), "m"),  # never suppressed: left
    ]
    added = add_to_files(tmp_path, found)
    assert (added.suppressions, added.files) == (2, 2)
    assert [(d.code, d.span.path) for d in added.left] == [
        ("PL112", "bom.py"),
        ("PL101", "notes.ipynb"),
        ("PL101", "paper.tex"),
    ]
    assert (tmp_path / "latin.py").read_bytes() == (
        b"# -*- coding: latin-1 -*-\nname = '\xe9'  # paperlink: ignore[PL101] TODO: explain\n"
    )
    assert (tmp_path / "bom.py").read_bytes() == b"\xef\xbb\xbfx = 1  # paperlink: ignore[PL101] TODO: explain\n"


def test_no_suppression_is_written_through_a_link(tmp_path: Path) -> None:
    outside = tmp_path / "outside.py"
    outside.write_text("x = 1\n", encoding="utf-8")
    project = tmp_path / "project"
    project.mkdir()
    (project / "linked.py").symlink_to(outside)
    added = add_to_files(project, [UnknownReference.at(Span("linked.py", 1, 1), "m")])
    assert (added.suppressions, added.files) == (0, 0)
    assert [(d.code, d.span.path) for d in added.left] == [("PL101", "linked.py")]
    assert outside.read_text(encoding="utf-8") == "x = 1\n"
