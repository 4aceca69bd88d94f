"""``paperlink check --fix`` and ``--diff``: each fix kind, idempotence, the exact diff, files
with CRLF line endings, a byte-order mark and notebooks, and fixes as data in the outputs."""

from __future__ import annotations

import io
import json
import tokenize
from pathlib import Path

import pytest
from click.testing import CliRunner

from paperlink.cache import ScanCache, from_data, to_data
from paperlink.cli import cli
from paperlink.config import load_config
from paperlink.diagnostics import Diagnostic, Edit, Fix
from paperlink.engine import check
from paperlink.rules.traceability import UnknownReference
from paperlink.spans import Span
from tests.notebooks import notebook_json
from tests.samples import copy_sample

PAPER = r"""\documentclass{article}
\usepackage{amsmath}
\begin{document}
\section{Method}\label{sec:method}
\begin{equation}\label{eq:loss} L = a + b \end{equation}
\begin{equation}\label{eq:reg} R = c \end{equation}
\end{document}
"""

# One of each fix kind, and a guess (the nearest number) that only --unsafe-fixes applies.
CODE = '''import paperlink


def loss(a, b):  # paper: eq:LOSS
    return a + b


def reg(c):
    """Weight decay.

    Paper: eq:REG
    """
    return c  # paper: Eqn 2


@paperlink.implements("eq: loss")
def both(a, c):
    return loss(a, c) + reg(c)  # paper: Eq. 5


def plain(x):
    # paperlink: ignore[PL101] nothing here
    return x  # papers eq:reg


def listed(x):
    return x  # paper: eq:zzz  # paperlink: ignore[PL101, PL102] a label to come
'''

FIXED = '''import paperlink


def loss(a, b):  # paper: eq:loss
    return a + b


def reg(c):
    """Weight decay.

    Paper: eq:reg
    """
    return c  # paper: Eq. 2


@paperlink.implements("eq:loss")
def both(a, c):
    return loss(a, c) + reg(c)  # paper: Eq. 5


def plain(x):
    return x  # paper: eq:reg


def listed(x):
    return x  # paper: eq:zzz  # paperlink: ignore[PL101] a label to come
'''

DIFF = """\
--- a/model.py
+++ b/model.py
@@ -1,27 +1,26 @@
 import paperlink
 
 
-def loss(a, b):  # paper: eq:LOSS
+def loss(a, b):  # paper: eq:loss
     return a + b
 
 
 def reg(c):
     \"\"\"Weight decay.
 
-    Paper: eq:REG
+    Paper: eq:reg
     \"\"\"
-    return c  # paper: Eqn 2
+    return c  # paper: Eq. 2
 
 
-@paperlink.implements("eq: loss")
+@paperlink.implements("eq:loss")
 def both(a, c):
     return loss(a, c) + reg(c)  # paper: Eq. 5
 
 
 def plain(x):
-    # paperlink: ignore[PL101] nothing here
-    return x  # papers eq:reg
+    return x  # paper: eq:reg
 
 
 def listed(x):
-    return x  # paper: eq:zzz  # paperlink: ignore[PL101, PL102] a label to come
+    return x  # paper: eq:zzz  # paperlink: ignore[PL101] a label to come
"""


def _project(root: Path, code: str = CODE, name: str = "model.py") -> Path:
    root.mkdir(exist_ok=True)
    (root / "pyproject.toml").write_text('[tool.paperlink]\npapers = { p = "paper.tex" }\n', encoding="utf-8")
    (root / "paper.tex").write_text(PAPER, encoding="utf-8")
    (root / name).write_text(code, encoding="utf-8", newline="")
    return root


def _run(root: Path, *options: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["check", "--no-cache", "--output-format", "concise", *options, str(root)])
    return result.exit_code, result.stdout, result.stderr


def _fixes(root: Path) -> list[tuple[str, str, Fix | None]]:
    report = check(load_config(None, root), [root], jobs=1, cache=False)
    return [(str(d.span), d.code, d.fix) for d in report.diagnostics if d.span.path.endswith((".py", ".ipynb"))]


def test_each_fix_kind_is_data_on_its_diagnostic(tmp_path: Path) -> None:
    root = _project(tmp_path)

    def fix(title: str, line: int, column: int, end: int, text: str, safe: bool = True) -> Fix:
        return Fix(title, (Edit(Span("model.py", line, column, line, end), text),), safe)

    assert _fixes(root) == [
        ("model.py:4:18", "PL101", fix("Replace 'eq:LOSS' with 'eq:loss'", 4, 27, 34, "eq:loss")),
        ("model.py:9:5", "PL101", fix("Replace 'eq:REG' with 'eq:reg'", 11, 12, 18, "eq:reg")),
        ("model.py:13:15", "PL102", fix("Replace 'Eqn 2' with 'Eq. 2'", 13, 24, 29, "Eq. 2")),
        ("model.py:16:1", "PL102", fix("Replace 'eq: loss' with 'eq:loss'", 16, 24, 32, "eq:loss")),
        # the nearest number is a guess: offered (an editor's code action), not applied by --fix
        ("model.py:18:33", "PL101", fix("Replace 'Eq. 5' with 'Eq. 2'", 18, 42, 47, "Eq. 2", safe=False)),
        ("model.py:22:5", "PL112", Fix("Remove the unused suppression", (Edit(Span("model.py", 22, 1, 23, 1), ""),))),
        ("model.py:23:15", "PL102", fix("Replace '# papers' with '# paper:'", 23, 15, 24, "# paper: ")),
        ("model.py:27:32", "PL112", fix("Remove the unused PL102 from the suppression", 27, 52, 64, "PL101")),
    ]


def test_fix_applies_the_safe_fixes_and_reports_what_is_left(tmp_path: Path) -> None:
    root = _project(tmp_path)
    code, stdout, stderr = _run(root, "--fix")
    assert (root / "model.py").read_text(encoding="utf-8") == FIXED
    assert stdout == "model.py:18:33: PL101 Eq. (5) is not in paper 'p'; did you mean Eq. (2) eq:reg?\n"
    assert stderr.splitlines()[-2:] == [
        "Found 8 diagnostics (7 fixed, 1 remaining)",
        "(1 hidden fix can be enabled with the `--unsafe-fixes` option)",
    ]
    assert code == 1


def test_a_second_fix_changes_nothing(tmp_path: Path) -> None:
    root = _project(tmp_path)
    _run(root, "--fix")
    code, stdout, stderr = _run(root, "--fix")
    assert (root / "model.py").read_text(encoding="utf-8") == FIXED
    assert stderr.splitlines()[-2:] == [
        "Found 1 diagnostic (0 fixed, 1 remaining)",
        "(1 hidden fix can be enabled with the `--unsafe-fixes` option)",
    ]
    assert _run(root, "--diff")[:2] == (0, "")


def test_check_without_fix_says_how_many_fixes_it_would_apply(tmp_path: Path) -> None:
    """ruff's hint: the safe fixes count toward ``--fix``, the guesses toward ``--unsafe-fixes``."""
    root = _project(tmp_path)
    assert _run(root)[2].splitlines()[-2:] == [
        "[*] 7 fixable with the `--fix` option",
        "(1 hidden fix can be enabled with the `--unsafe-fixes` option)",
    ]
    assert _run(root, "--unsafe-fixes")[2].splitlines()[-1] == "[*] 8 fixable with the `--fix` option"
    assert _run(root, "-q")[2] == ""


def test_unsafe_fixes_apply_the_guesses_too(tmp_path: Path) -> None:
    root = _project(tmp_path)
    code, stdout, stderr = _run(root, "--fix", "--unsafe-fixes")
    assert (root / "model.py").read_text(encoding="utf-8") == FIXED.replace("# paper: Eq. 5", "# paper: Eq. 2")
    assert (code, stdout) == (0, "")
    assert stderr.splitlines()[-1] == "Found 8 diagnostics (8 fixed, 0 remaining)"


def test_diff_prints_the_fixes_and_writes_nothing(tmp_path: Path) -> None:
    root = _project(tmp_path)
    code, stdout, stderr = _run(root, "--diff")
    assert stdout == DIFF
    assert stderr == "Would fix 7 diagnostics in 1 file\n"
    assert code == 1
    assert (root / "model.py").read_text(encoding="utf-8") == CODE
    assert _run(root, "--fix", "--diff")[1] == DIFF  # --diff wins: nothing written
    assert (root / "model.py").read_text(encoding="utf-8") == CODE


def test_diff_marks_a_last_line_without_a_newline(tmp_path: Path) -> None:
    root = _project(tmp_path, "def f(x):\n    return x  # paper: eq:LOSS")
    assert _run(root, "--diff")[1] == (
        "--- a/model.py\n+++ b/model.py\n@@ -1,2 +1,2 @@\n def f(x):\n"
        "-    return x  # paper: eq:LOSS\n\\ No newline at end of file\n"
        "+    return x  # paper: eq:loss\n\\ No newline at end of file\n"
    )


def test_crlf_line_endings_are_kept(tmp_path: Path) -> None:
    root = _project(tmp_path, CODE.replace("\n", "\r\n"))
    _run(root, "--fix")
    assert (root / "model.py").read_bytes() == FIXED.replace("\n", "\r\n").encode("utf-8")


def test_a_byte_order_mark_and_a_coding_cookie_are_kept(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "model.py").write_bytes(b"\xef\xbb\xbf" + CODE.encode("utf-8"))
    _run(root, "--fix")
    assert (root / "model.py").read_bytes() == b"\xef\xbb\xbf" + FIXED.encode("utf-8")
    latin = "# -*- coding: latin-1 -*-\n# café\n" + CODE
    (root / "model.py").write_bytes(latin.encode("latin-1"))
    _run(root, "--fix")
    assert (root / "model.py").read_bytes() == ("# -*- coding: latin-1 -*-\n# café\n" + FIXED).encode("latin-1")


def test_non_ascii_text_before_a_reference_counts_in_characters(tmp_path: Path) -> None:
    root = _project(tmp_path, 'def f(x):\n    return "λé" + x  # paper: eq:LOSS\n')
    _run(root, "--fix")
    assert (root / "model.py").read_text(encoding="utf-8") == 'def f(x):\n    return "λé" + x  # paper: eq:loss\n'


NOTEBOOK_CELLS = [
    ("markdown", "# Training\nPaper: eq:LOSS\n"),
    ("code", "import torch\n\nx = 1  # paper: eq:LOSS\n# paperlink: ignore[PL101]\ny = 2  # paper: Eqn 2"),
]


def test_a_notebook_s_cells_are_fixed_in_place(tmp_path: Path) -> None:
    root = _project(tmp_path, notebook_json(NOTEBOOK_CELLS), name="train.ipynb")
    before = (root / "train.ipynb").read_text(encoding="utf-8")
    code, stdout, stderr = _run(root, "--diff")
    assert stdout == (
        "--- a/train.ipynb\n+++ b/train.ipynb\n"
        "@@ -16,9 +16,8 @@\n"
        '    "source": [\n'
        '     "import torch\\n",\n'
        '     "\\n",\n'
        '-    "x = 1  # paper: eq:LOSS\\n",\n'
        '-    "# paperlink: ignore[PL101]\\n",\n'
        '-    "y = 2  # paper: Eqn 2"\n'
        '+    "x = 1  # paper: eq:loss\\n",\n'
        '+    "y = 2  # paper: Eq. 2"\n'
        "    ]\n"
        "   }\n"
        "  ],\n"
    )
    _run(root, "--fix")
    after = (root / "train.ipynb").read_text(encoding="utf-8")
    # the markdown cell is left as written: its annotation is read through a rewriting
    expected = [NOTEBOOK_CELLS[0], ("code", "import torch\n\nx = 1  # paper: eq:loss\ny = 2  # paper: Eq. 2")]
    assert after == notebook_json(expected)
    assert after != before
    assert _run(root, "--diff")[1] == ""


def test_fixes_in_json_and_sarif(tmp_path: Path) -> None:
    root = _project(tmp_path, "def f(x):\n    return x  # paper: eq:LOSS\n")
    document = json.loads(_run(root, "--format", "json")[1])
    assert [d.get("fix") for d in document["diagnostics"]] == [
        {
            "edits": [
                {
                    "replacement": "eq:loss",
                    "span": {"column": 24, "end_column": 31, "end_line": 2, "line": 2, "path": "model.py"},
                }
            ],
            "safe": True,
            "title": "Replace 'eq:LOSS' with 'eq:loss'",
        },
        None,  # PL110 of eq:loss and eq:reg: nothing to fix mechanically
        None,
    ]
    sarif = json.loads(_run(root, "--format", "sarif")[1])
    results = sarif["runs"][0]["results"]
    assert results[0]["fixes"] == [
        {
            "description": {"text": "Replace 'eq:LOSS' with 'eq:loss'"},
            "artifactChanges": [
                {
                    "artifactLocation": {"uri": "model.py", "uriBaseId": "%SRCROOT%"},
                    "replacements": [
                        {
                            "deletedRegion": {"startLine": 2, "startColumn": 24, "endLine": 2, "endColumn": 31},
                            "insertedContent": {"text": "eq:loss"},
                        }
                    ],
                }
            ],
        }
    ]
    assert "fixes" not in results[1]


def test_a_fix_survives_the_cache_codec() -> None:
    diagnostic = UnknownReference.at(
        Span("m.py", 3, 5, 3, 9),
        "m",
        fix=Fix("Replace 'a' with 'b'", (Edit(Span("m.py", 3, 7, 3, 8, cell=2), "b"),), False),
    )
    assert from_data(Diagnostic, json.loads(json.dumps(to_data(diagnostic)))) == diagnostic
    assert from_data(Diagnostic, {**to_data(diagnostic), "fix": None}).fix is None


def test_fixes_survive_the_scan_cache(tmp_path: Path) -> None:
    """A near-miss PL102 is found while reading the file (its diagnostic is cached), the other
    fixes from the annotations' positions (cached too): both come back from the cache."""
    root = _project(tmp_path)
    config = load_config(None, root)
    fresh = check(config, [root], jobs=1, cache=True).diagnostics
    assert ScanCache(root).entries  # written
    cached = check(config, [root], jobs=1, cache=True).diagnostics
    assert [d.fix for d in cached] == [d.fix for d in fresh]
    assert sum(d.fix is not None for d in cached) == 8


def test_fix_cannot_be_combined_with_stdin_or_add_noqa(tmp_path: Path) -> None:
    root = _project(tmp_path)
    result = CliRunner().invoke(cli, ["check", "--fix", "--add-noqa", str(root)])
    assert result.exit_code == 2
    assert "--fix and --diff cannot be used with --add-noqa" in result.stderr
    result = CliRunner().invoke(cli, ["check", "--diff", "--stdin-filename", "m.py"], input="x = 1\n")
    assert result.exit_code == 2
    assert "--fix and --diff cannot be used with --stdin-filename" in result.stderr


# --- fixes never touch code -------------------------------------------------------------


def _comment_and_string_offsets(text: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    tokens = tokenize.generate_tokens(io.StringIO(text).readline)
    return [(t.start, t.end) for t in tokens if t.type in (tokenize.COMMENT, tokenize.STRING)]


def _inside(edit: Edit, tokens: list[tuple[tuple[int, int], tuple[int, int]]], lines: list[str]) -> bool:
    """Whether the edit replaces text in one comment or string, or deletes a line of only a comment."""
    span = edit.span
    if span.column == 1 and span.end_line == span.line + 1 and span.end_column == 1 and not edit.replacement:
        return lines[span.line - 1].lstrip().startswith("#")
    start, end = (span.line, span.column - 1), (span.end_line, (span.end_column or 1) - 1)
    if not edit.replacement:  # a trailing directive goes with the blanks before it
        before = lines[span.line - 1][: span.column - 1]
        gap = lines[span.line - 1][span.column - 1 :].index("#")
        start = (span.line, len(before) + gap)
    return any(first <= start and end <= last for first, last in tokens)


@pytest.mark.parametrize("sample", ["simsiam", "dqn", "transformer"])
def test_every_fix_of_a_sample_touches_only_comments_and_strings(sample: str, tmp_path: Path) -> None:

    root = tmp_path / sample
    copy_sample(sample, root)
    report = check(load_config(None, root), [root], jobs=1, cache=False)
    fixes = [d.fix for d in report.diagnostics if d.fix is not None]
    assert bool(fixes) == (sample != "dqn")  # eq:symmetric_loss in simsiam, Sec. 3.4 in transformer
    for fix in fixes:
        for edit in fix.edits:
            text = (root / edit.span.path).read_text(encoding="utf-8")
            assert _inside(edit, _comment_and_string_offsets(text), text.splitlines()), (fix, edit)


def test_the_writer_refuses_an_edit_of_code(tmp_path: Path) -> None:
    """Whatever made it, a fix that would change code is not applied."""
    from paperlink.source.fix_writer import plan_fixes

    root = _project(tmp_path, "x = 1  # paper: eq:LOSS\n")
    code_edit = Fix("Rename", (Edit(Span("model.py", 1, 1, 1, 2), "y"),))
    comment_edit = Fix("Respell", (Edit(Span("model.py", 1, 17, 1, 24), "eq:loss"),))
    diagnostics = [UnknownReference.at(Span("model.py", 1), "m", fix=fix) for fix in (code_edit, comment_edit)]
    (change,) = plan_fixes(root, diagnostics)
    assert change.fixes == (comment_edit,)
    assert change.after == "x = 1  # paper: eq:loss\n"


def test_an_unused_suppression_after_code_or_a_comment_goes_with_its_blanks(tmp_path: Path) -> None:
    root = _project(tmp_path, "x = 1   # paperlink: ignore\ny = 2  # paper: eq:loss  # paperlink: ignore[PL101]\n")
    _run(root, "--fix")
    assert (root / "model.py").read_text(encoding="utf-8") == "x = 1\ny = 2  # paper: eq:loss\n"


def test_a_fix_whose_new_text_would_leave_its_string_is_refused(tmp_path: Path) -> None:
    """The replacement comes from the paper: a printed number that closes the string and
    adds code must not reach the file, however the edit's own range looked."""
    root = _project(
        tmp_path, 'import paperlink\n\n\n@paperlink.implements("Eq. 1")\ndef loss(a, b):\n    return a + b\n'
    )
    assert CliRunner().invoke(cli, ["lock", str(root)]).exit_code == 0
    hostile = PAPER.replace(
        r"\begin{equation}\label{eq:loss}",
        "\\begin{equation}\\label{eq:first} F = 0 \\end{equation}\n"
        '\\begin{equation}\\label{eq:loss}\\tag{2") or print("pwned}',
    )
    (root / "paper.tex").write_text(hostile, encoding="utf-8")
    before = (root / "model.py").read_text(encoding="utf-8")
    code, stdout, _ = _run(root, "--fix")
    assert (root / "model.py").read_text(encoding="utf-8") == before
    assert "PL111" in stdout
    assert code == 1


def test_a_lone_carriage_return_keeps_the_rows_of_the_tokenizer(tmp_path: Path) -> None:
    """Lines end at \\r too (as Python reads them): the comment on the line after is fixed
    where it is, and the code before it stays."""
    root = _project(tmp_path, "x = 1\ry = 2\nz = 3  # paper: eq:LOSS\n")
    _run(root, "--fix")
    assert (root / "model.py").read_bytes() == b"x = 1\ry = 2\nz = 3  # paper: eq:loss\n"


def test_a_file_changed_after_planning_is_left_alone(tmp_path: Path) -> None:
    from paperlink.source.fix_writer import plan_fixes, write_changes

    root = _project(tmp_path, "x = 1  # paper: eq:LOSS\n")
    respell = Fix("Respell", (Edit(Span("model.py", 1, 17, 1, 24), "eq:loss"),))
    changes = plan_fixes(root, [UnknownReference.at(Span("model.py", 1), "m", fix=respell)])
    (root / "model.py").write_text("x = 2  # paper: eq:LOSS\n", encoding="utf-8")
    assert write_changes(root, changes) == ([], ["model.py"])
    assert (root / "model.py").read_text(encoding="utf-8") == "x = 2  # paper: eq:LOSS\n"


def test_fix_says_which_file_changed_while_it_was_fixed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from paperlink.source import fix_writer

    root = _project(tmp_path, "x = 1  # paper: eq:LOSS\n")
    planned = fix_writer.plan_fixes

    def plan_then_edit(*args: object, **options: bool) -> list[fix_writer.Change]:
        changes = planned(*args, **options)  # type: ignore[arg-type]
        if changes:  # someone saves the file between the plan and the write
            (root / "model.py").write_text("x = 2  # paper: eq:LOSS\n", encoding="utf-8")
        return changes

    monkeypatch.setattr(fix_writer, "plan_fixes", plan_then_edit)
    code, stdout, stderr = _run(root, "--fix")
    assert "model.py changed while it was being fixed: left alone\n" in stderr
    assert (root / "model.py").read_text(encoding="utf-8") == "x = 2  # paper: eq:LOSS\n"
    assert stderr.splitlines()[-1] == "Found 3 diagnostics (0 fixed, 3 remaining)"
    assert "model.py:1:8: PL101 eq:LOSS is not a label of paper 'p'; did you mean eq:loss?\n" in stdout
    assert code == 1


def test_a_close_label_is_a_guess_that_fix_leaves(tmp_path: Path) -> None:
    """eq:loss_v1 is not eq:loss_v2: --fix says so and leaves it; --unsafe-fixes applies it."""
    root = _project(tmp_path, "x = 1  # paper: eq:loss_v1\n")
    (root / "paper.tex").write_text(PAPER.replace("{eq:loss}", "{eq:loss_v2}"), encoding="utf-8")
    code, stdout, stderr = _run(root, "--fix")
    assert (root / "model.py").read_text(encoding="utf-8") == "x = 1  # paper: eq:loss_v1\n"
    assert "model.py:1:8: PL101 eq:loss_v1 is not a label of paper 'p'; did you mean eq:loss_v2?\n" in stdout
    assert (
        "(0 fixed" in stderr.splitlines()[-2]
        and stderr.splitlines()[-1] == "(1 hidden fix can be enabled with the `--unsafe-fixes` option)"
    )
    assert code == 1
    _run(root, "--fix", "--unsafe-fixes")
    assert (root / "model.py").read_text(encoding="utf-8") == "x = 1  # paper: eq:loss_v2\n"
