"""paperlink.source.fix_writer: edits applied to text, overlapping fixes, notebook sources."""

from __future__ import annotations

import json
from pathlib import Path

from paperlink.diagnostics import Edit, Fix
from paperlink.rules.traceability import UnknownReference
from paperlink.source.fix_writer import apply_edits, plan_fixes, unified_diff
from paperlink.spans import Span


def _edit(line: int, column: int, end_line: int, end_column: int | None, text: str, path: str = "m.py") -> Edit:
    return Edit(Span(path, line, column, end_line, end_column), text)


def test_edits_apply_in_characters_whatever_their_order() -> None:
    text = "a = 1  # é: eq:x\r\nb = 2  # eq:y\n"
    edits = [_edit(2, 10, 2, 14, "eq:yy"), _edit(1, 13, 1, 17, "eq:xx")]
    assert apply_edits(text, edits) == "a = 1  # é: eq:xx\r\nb = 2  # eq:yy\n"


def test_a_line_deleted_with_its_break_and_past_the_end() -> None:
    text = "# one\n# two\n# three"
    assert apply_edits(text, [_edit(2, 1, 3, 1, "")]) == "# one\n# three"
    assert apply_edits(text, [_edit(3, 1, 4, 1, "")]) == "# one\n# two\n"
    assert apply_edits(text, [_edit(1, 3, 1, None, "")]) == "# \n# two\n# three"  # no end column: the line's end


def test_overlapping_fixes_wait_for_the_next_round(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text("x = 1  # paper: eq:los\n", encoding="utf-8")
    first = Fix("one", (_edit(1, 17, 1, 23, "eq:loss"),))
    second = Fix("two", (_edit(1, 20, 1, 23, "ss"),))
    diagnostics = [UnknownReference.at(Span("m.py", 1), "m", fix=fix) for fix in (second, first)]
    (change,) = plan_fixes(tmp_path, diagnostics)
    assert change.fixes == (first,)
    assert unified_diff([change]) == (
        "--- a/m.py\n+++ b/m.py\n@@ -1 +1 @@\n-x = 1  # paper: eq:los\n+x = 1  # paper: eq:loss\n"
    )


def test_unsafe_fixes_only_when_asked(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text("x = 1  # paper: Eq. 5\n", encoding="utf-8")
    guess = Fix("guess", (_edit(1, 17, 1, 22, "Eq. 2"),), safe=False)
    diagnostics = [UnknownReference.at(Span("m.py", 1), "m", fix=guess)]
    assert plan_fixes(tmp_path, diagnostics) == []
    assert plan_fixes(tmp_path, diagnostics, unsafe=True)[0].after == "x = 1  # paper: Eq. 2\n"


def _notebook(source: object, cell_type: str = "code") -> str:
    cell = {"cell_type": cell_type, "execution_count": None, "metadata": {}, "outputs": [], "source": source}
    return json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=2) + "\n"


def test_a_cell_source_written_as_one_string(tmp_path: Path) -> None:
    (tmp_path / "n.ipynb").write_text(_notebook("x = 1  # paper: eq:los\ny = 2"), encoding="utf-8")
    fix = Fix("f", (Edit(Span("n.ipynb", 1, 17, 1, 23, cell=1), "eq:loss"),))
    (change,) = plan_fixes(tmp_path, [UnknownReference.at(Span("n.ipynb", 1, cell=1), "m", fix=fix)])
    assert change.after == _notebook("x = 1  # paper: eq:loss\ny = 2")


def test_the_last_lines_of_a_cell_deleted(tmp_path: Path) -> None:
    source = ["x = 1\n", "# paperlink: ignore[PL101]\n", "# paperlink: ignore[PL102]"]
    (tmp_path / "n.ipynb").write_text(_notebook(source), encoding="utf-8")
    fixes = [
        Fix("a", (Edit(Span("n.ipynb", 2, 1, 3, 1, cell=1), ""),)),
        Fix("b", (Edit(Span("n.ipynb", 3, 1, 3, 27, cell=1), ""),)),
    ]
    diagnostics = [UnknownReference.at(Span("n.ipynb", 1, cell=1), "m", fix=fix) for fix in fixes]
    (change,) = plan_fixes(tmp_path, diagnostics)
    assert json.loads(change.after)["cells"][0]["source"] == ["x = 1\n"]


def test_a_markdown_cell_is_never_edited(tmp_path: Path) -> None:
    (tmp_path / "n.ipynb").write_text(_notebook(["Paper: eq:los"], "markdown"), encoding="utf-8")
    fix = Fix("f", (Edit(Span("n.ipynb", 1, 8, 1, 14, cell=1), "eq:loss"),))
    assert plan_fixes(tmp_path, [UnknownReference.at(Span("n.ipynb", 1, cell=1), "m", fix=fix)]) == []
