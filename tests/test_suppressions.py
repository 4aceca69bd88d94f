"""Tests for suppressions (read in source/suppression_comments.py, applied in suppressions.py): the comment grammar, what a suppression covers, PL112 and PL113.

End-to-end cases run ``check`` on a small project (pyproject, a YAML paper with one
equation, Python files) and compare every diagnostic line.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from paperlink.config import load_config
from paperlink.diagnostics import Diagnostic, Severity
from paperlink.engine import check
from paperlink.source.comments import Comment
from paperlink.source.files import SourceText
from paperlink.source.parse import ParsedSource, parse_source
from paperlink.source.suppression_comments import Suppression, collect_suppressions, parse_suppression
from paperlink.spans import Span
from paperlink.suppressions import apply_suppressions

PAPER = "items:\n  - kind: equation\n    label: eq:a\n    number: '1'\n"
LINKED = "def f(x):  # paper: Eq. 1\n    return x\n"  # keeps PL110 out of the way


def project(tmp_path: Path, files: dict[str, str], config: str = "") -> Path:
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.paperlink]\npapers = {{ p = "paper.yaml" }}\n{config}', encoding="utf-8"
    )
    (tmp_path / "paper.yaml").write_text(PAPER, encoding="utf-8")
    for name, text in {"linked.py": LINKED, **files}.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def lines(root: Path, **options) -> list[str]:
    return [str(d) for d in check(load_config(None, root), [root], **options).diagnostics]


def suppressions_in(text: str) -> list[Suppression]:
    parsed = parse_source(SourceText(Path("m.py"), "m.py", text))
    assert isinstance(parsed, ParsedSource), parsed
    return collect_suppressions(parsed)


# --- the grammar -------------------------------------------------------------------------


def comment(text: str, column: int = 1) -> Comment:
    return Comment(Span("m.py", 3, column, 3, column + len(text)), text, False)


@pytest.mark.parametrize(
    ("text", "codes", "whole_file", "reason"),
    [
        ("# paperlink: ignore[PL101]", ("PL101",), False, ""),
        ("# paperlink: ignore[PL101, PL2] renamed in v2", ("PL101", "PL2"), False, "renamed in v2"),
        ("# paperlink: ignore[PL101 PL2,PL3]", ("PL101", "PL2", "PL3"), False, ""),
        ("# paperlink: ignore [PL101]", ("PL101",), False, ""),
        ("# paperlink: ignore", (), False, ""),
        ("# paperlink: ignore generated code", (), False, "generated code"),
        ("# paperlink: ignore-file[PL1]", ("PL1",), True, ""),
        ("# paperlink: ignore-file", (), True, ""),
        ("#paperlink:ignore[PL101]", ("PL101",), False, ""),
        ("# PaperLink: IGNORE[PL101]", ("PL101",), False, ""),
        ("# paperlink: ignore[PL101, PL101]", ("PL101",), False, ""),
    ],
)
def test_grammar(text, codes, whole_file, reason):
    found = parse_suppression(comment(text))
    assert found == Suppression(Span("m.py", 3, 1, 3, 1 + len(text)), codes, whole_file, reason)


@pytest.mark.parametrize(
    "text",
    [
        "# paperlink: stop-grad scalar copy for logging",
        "# paperlink: ignored",
        "# paper: eq:a",
        "# see paperlink: ignore",
        "# noqa",
    ],
)
def test_other_comments_are_not_suppressions(text):
    assert parse_suppression(comment(text)) is None


def test_a_directive_after_another_comment_starts_at_its_own_hash():
    found = parse_suppression(comment("# paper: eq:x  # paperlink: ignore[PL101]", column=8))
    assert found is not None
    assert (found.span.line, found.span.column, found.codes) == (3, 8 + 15, ("PL101",))


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "# paperlink: ignore[]",
            "suppression lists no codes between '[' and ']'; name codes such as PL101 or drop the brackets",
        ),
        ("# paperlink: ignore[PL101", "suppression has '[' without ']'; write '# paperlink: ignore[PL101]'"),
        (
            "# paperlink: ignore:PL101",
            "cannot read suppression '# paperlink: ignore:PL101'; write '# paperlink: ignore[PL101]'",
        ),
        (
            "# paperlink: ignore-files",
            "cannot read suppression '# paperlink: ignore-files'; write '# paperlink: ignore[PL101]'",
        ),
    ],
)
def test_unreadable_directives_carry_their_problem(text, problem):
    found = parse_suppression(comment(text))
    assert found is not None
    assert (found.codes, found.problem) == ((), problem)


def test_collected_from_comments_only_with_the_line_below():
    text = (
        's = "# paperlink: ignore[PL101]"\n'  # 1: a string, not a comment
        '"""\n# paperlink: ignore-file\n"""\n'  # 2-4: a docstring-like string
        "x = 1  # paperlink: ignore[PL101]\n"  # 5: trailing
        "# paperlink: ignore[PL102] why\n"  # 6: own line
        "\n"
        "# paper: eq:a\n"
        "@decorator\n"  # 9: the statement's first line
        "def f(): pass\n"
    )
    assert suppressions_in(text) == [
        Suppression(Span("m.py", 5, 8, 5, 34), ("PL101",), False, ""),
        Suppression(Span("m.py", 6, 1, 6, 31), ("PL102",), False, "why", below=(9, 10)),
    ]


def test_suppressions_cross_process_boundaries():
    found = suppressions_in("# paperlink: ignore-file[PL1] generated\nx = 1\n")
    assert pickle.loads(pickle.dumps(found)) == found


# --- apply_suppressions (pure) -----------------------------------------------------------


def diagnostic(line: int, code: str, path: str = "m.py") -> Diagnostic:
    return Diagnostic(Span(path, line, 1), code, "m", Severity.ERROR)


def test_apply_keeps_what_nothing_covers_and_reports_nothing_when_all_are_used():
    suppressions = [
        Suppression(Span("m.py", 3, 10), ("PL101",), False, ""),
        Suppression(Span("m.py", 5, 1), ("PL10",), False, "", below=(6, 8)),
    ]
    diagnostics = [
        diagnostic(3, "PL101"),
        diagnostic(3, "PL102"),
        diagnostic(8, "PL102"),
        diagnostic(6, "PL110"),
        diagnostic(9, "PL101"),
        diagnostic(3, "PL101", "n.py"),
    ]
    kept, about = apply_suppressions(diagnostics, suppressions)
    assert kept == [
        diagnostic(3, "PL102"),
        diagnostic(6, "PL110"),
        diagnostic(9, "PL101"),
        diagnostic(3, "PL101", "n.py"),
    ]
    assert about == []


def test_a_diagnostic_covered_twice_uses_both_suppressions():
    suppressions = [
        Suppression(Span("m.py", 1, 1), ("PL1",), True, ""),
        Suppression(Span("m.py", 4, 8), ("PL101",), False, ""),
    ]
    assert apply_suppressions([diagnostic(4, "PL101")], suppressions) == ([], [])


def test_apply_never_suppresses_pl112_or_pl113():
    suppressions = [Suppression(Span("m.py", 1, 1), (), True, "")]
    about_suppressions = [diagnostic(2, "PL112"), diagnostic(2, "PL113")]
    kept, about = apply_suppressions(about_suppressions, suppressions)
    assert kept == about_suppressions
    assert [str(d) for d in about] == ["m.py:1:1: PL112 unused suppression: nothing reported in this file"]


def test_apply_reports_unknown_codes_once_each_and_not_as_unused():
    suppressions = [Suppression(Span("m.py", 2, 5), ("PL999", "X1"), False, "")]
    kept, about = apply_suppressions([diagnostic(2, "PL101")], suppressions)
    assert kept == [diagnostic(2, "PL101")]
    assert [(d.code, d.severity, d.message) for d in about] == [
        (
            "PL113",
            Severity.ERROR,
            "unknown rule code or prefix 'PL999' in suppression; `paperlink rule --all` lists the codes",
        ),
        (
            "PL113",
            Severity.ERROR,
            "unknown rule code or prefix 'X1' in suppression; `paperlink rule --all` lists the codes",
        ),
    ]


def test_an_unreadable_suppression_suppresses_nothing():
    broken = Suppression(Span("m.py", 2, 5), (), False, "", problem="suppression has '[' without ']'")
    kept, about = apply_suppressions([diagnostic(2, "PL101")], [broken])
    assert kept == [diagnostic(2, "PL101")]
    assert [(d.code, d.message) for d in about] == [("PL113", "suppression has '[' without ']'")]


# --- end to end --------------------------------------------------------------------------


def test_a_trailing_suppression_covers_its_line_only(tmp_path):
    root = project(
        tmp_path,
        {
            "m.py": (
                "x = 1  # paper: eq:nope  # paperlink: ignore[PL101] renamed in the camera-ready\n"
                "y = 2  # paper: eq:other\n"
            )
        },
    )
    assert lines(root) == ["m.py:2:8: PL101 eq:other is not a label of paper 'p'"]


def test_an_own_line_suppression_covers_the_statement_below(tmp_path):
    root = project(
        tmp_path,
        {
            "m.py": (
                "import paperlink\n"
                "# paperlink: ignore[PL101]\n"
                '@paperlink.implements("eq:gone")\n'  # 3: the decorated definition's first line
                "@staticmethod\n"
                "def f(x):  # paper: eq:gone_too\n"  # 5: its header runs to the `def` line
                "    return x  # paper: eq:in_the_body\n"
                "# paperlink: ignore[PL101]\n"
                "\n"
                "def g(x):  # paper: eq:nope\n"  # 9: blank lines between still bind
                "    return x\n"
                "h = 1  # paper: eq:late\n"
            )
        },
    )
    assert lines(root) == [
        "m.py:6:15: PL101 eq:in_the_body is not a label of paper 'p'",
        "m.py:11:8: PL101 eq:late is not a label of paper 'p'; did you mean eq:a?",
    ]


def test_an_own_line_suppression_does_not_reach_past_the_next_statement(tmp_path):
    root = project(tmp_path, {"m.py": "# paperlink: ignore[PL101]\nx = 1\ny = 2  # paper: eq:nope\n"})
    assert lines(root) == [
        "m.py:1:1: PL112 unused suppression of PL101: nothing reported on this line or line 2",
        "m.py:3:8: PL101 eq:nope is not a label of paper 'p'",
    ]


def test_a_suppression_after_an_own_line_annotation_covers_the_annotation(tmp_path):
    root = project(tmp_path, {"m.py": "# paper: eq:nope  # paperlink: ignore[PL101]\ndef f(x):\n    return x\n"})
    assert lines(root) == []


def test_an_unused_suppression_above_a_decorated_definition_names_its_header_lines(tmp_path):
    root = project(tmp_path, {"m.py": "# paperlink: ignore[PL104]\n@decorator(\n    1,\n)\ndef f(x):\n    return x\n"})
    assert lines(root) == ["m.py:1:1: PL112 unused suppression of PL104: nothing reported on this line or lines 2-5"]


def test_file_level_suppression_covers_the_whole_file_and_only_it(tmp_path):
    root = project(
        tmp_path,
        {
            "m.py": "# paperlink: ignore-file[PL1] vendored from upstream\nx = 1  # paper: eq:nope\n# paper: Eqn 1\ny = 2\n",
            "n.py": "z = 3  # paper: eq:nope\n",
        },
    )
    assert lines(root) == ["n.py:1:8: PL101 eq:nope is not a label of paper 'p'"]


def test_prefixes_cover_the_codes_they_start(tmp_path):
    root = project(
        tmp_path,
        {
            "m.py": (
                "x = 1  # paper: Eqn 1  # paperlink: ignore[PL10]\n"  # PL102
                "y = 2  # paper: eq:nope  # paperlink: ignore[PL11]\n"  # PL101 is not PL11x
            )
        },
    )
    assert lines(root) == [
        "m.py:2:8: PL101 eq:nope is not a label of paper 'p'",
        "m.py:2:26: PL112 unused suppression of PL11: nothing reported on this line",
    ]


def test_a_bare_ignore_covers_every_code_on_its_line(tmp_path):
    root = project(
        tmp_path, {"m.py": "x = 1  # paper: eq:nope, Eqn 2, Eq. 9  # paperlink: ignore\ny = 2  # paperlink: ignore\n"}
    )
    assert lines(root) == ["m.py:2:8: PL112 unused suppression: nothing reported on this line"]


def test_unused_codes_are_named_at_the_comment(tmp_path):
    root = project(
        tmp_path,
        {"m.py": ("# paperlink: ignore-file[PL104]\nx = 1  # paper: eq:nope  # paperlink: ignore[PL101, PL102]\n")},
    )
    assert lines(root) == [
        "m.py:1:1: PL112 unused suppression of PL104: nothing reported in this file",
        "m.py:2:26: PL112 unused suppression of PL102: nothing reported on this line",
    ]


def test_unknown_and_unreadable_codes_are_pl113_and_known_ones_still_work(tmp_path):
    root = project(
        tmp_path,
        {
            "m.py": (
                "x = 1  # paper: eq:nope  # paperlink: ignore[PL101, PL1O1, pl102]\n"
                "y = 2  # paperlink: ignore[]\n"
                "z = 3  # paperlink: ignore:PL101\n"
            )
        },
    )
    assert lines(root) == [
        "m.py:1:26: PL113 unknown rule code or prefix 'PL1O1' in suppression; `paperlink rule --all` lists the codes",
        "m.py:1:26: PL113 unknown rule code or prefix 'pl102' in suppression; did you mean 'PL102'?",
        "m.py:2:8: PL113 suppression lists no codes between '[' and ']'; name codes such as PL101 or drop the brackets",
        "m.py:3:8: PL113 cannot read suppression '# paperlink: ignore:PL101'; write '# paperlink: ignore[PL101]'",
    ]


def test_pl112_and_pl113_are_never_suppressed(tmp_path):
    root = project(tmp_path, {"m.py": "# paperlink: ignore-file\nx = 1  # paperlink: ignore[PL999]\n"})
    assert lines(root) == [
        "m.py:1:1: PL112 unused suppression: nothing reported in this file",
        "m.py:2:8: PL113 unknown rule code or prefix 'PL999' in suppression; `paperlink rule --all` lists the codes",
    ]


def test_a_directive_inside_a_string_is_not_a_suppression(tmp_path):
    root = project(
        tmp_path,
        {
            "m.py": (
                'x = "# paperlink: ignore[PL101]"  # paper: eq:nope\n'
                'HELP = """\n# paperlink: ignore-file\n"""\n'
                'y = f"{x} # paperlink: ignore[PL999]"\n'
            )
        },
    )
    assert lines(root) == ["m.py:1:35: PL101 eq:nope is not a label of paper 'p'"]


def test_a_stop_grad_justification_is_not_a_suppression(tmp_path):
    root = project(
        tmp_path,
        {
            "m.py": (
                "t = x.detach()  # paperlink: stop-grad copy for logging\n"
                "u = x.detach()  # paper: eq:nope  # paperlink: stop-grad target network\n"
            )
        },
    )
    assert lines(root) == ["m.py:2:17: PL101 eq:nope is not a label of paper 'p'"]


def test_paper_diagnostics_cannot_be_suppressed_from_python(tmp_path):
    root = project(tmp_path, {"linked.py": "# paperlink: ignore-file[PL110]\n"})
    assert lines(root) == [
        "linked.py:1:1: PL112 unused suppression of PL110: nothing reported in this file",
        "paper.yaml:2:5: PL110 Eq. (1) eq:a has no implementing code",
    ]


def test_whether_a_suppression_is_used_does_not_depend_on_the_selection(tmp_path):
    root = project(
        tmp_path, {"m.py": "x = 1  # paper: eq:nope  # paperlink: ignore[PL101]\ny = 2  # paperlink: ignore[PL104]\n"}
    )
    assert lines(root, ignore=["PL101"]) == [
        "m.py:2:8: PL112 unused suppression of PL104: nothing reported on this line"
    ]
    assert lines(root, select=["PL104"]) == []
    assert lines(root, ignore=["PL112"]) == []


def test_worker_processes_agree_with_a_serial_run(tmp_path):
    files = {}
    for i in range(40):  # enough files for the worker pool to be used
        if i % 4 == 0:
            files[f"m{i:02d}.py"] = f"x = {i}  # paper: eq:nope{i}  # paperlink: ignore[PL101]\n"
        elif i % 4 == 1:
            files[f"m{i:02d}.py"] = f"# paperlink: ignore-file[PL1]\nx = {i}  # paper: Eqn {i}\n"
        elif i % 4 == 2:
            files[f"m{i:02d}.py"] = f"x = {i}  # paperlink: ignore[PL104, PL99]\n"
        else:
            files[f"m{i:02d}.py"] = f"x = {i}  # paper: eq:nope{i}\n"
    config = load_config(None, project(tmp_path, files))
    serial = check(config, [tmp_path], jobs=1)
    parallel = check(config, [tmp_path], jobs=2)
    assert serial == parallel
    assert sorted({d.code for d in parallel.diagnostics}) == ["PL101", "PL112", "PL113"]
    assert [d.code for d in parallel.diagnostics].count("PL101") == 10
    assert [d.code for d in parallel.diagnostics].count("PL112") == 10
