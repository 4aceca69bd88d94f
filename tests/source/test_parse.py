"""Tests for paperlink.source.parse: PL001 at CPython's position, line endings, size and depth limits."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from paperlink.diagnostics import Diagnostic, Severity
from paperlink.source.files import SourceText, read_source
from paperlink.source.parse import ParsedSource, parse_source
from paperlink.spans import Span


def parse(text: str, relative: str = "m.py") -> ParsedSource | Diagnostic:
    return parse_source(SourceText(Path(relative), relative, text))


def parsed(text: str, relative: str = "m.py") -> ParsedSource:
    result = parse(text, relative)
    assert isinstance(result, ParsedSource), result
    return result


def syntax_error(line: int, column: int, message: str) -> Diagnostic:
    return Diagnostic(Span("m.py", line, column), "PL001", f"cannot parse this file: {message}", Severity.ERROR)


# -- syntax errors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ("x = 1\ny = 2 +\n", 2, 8, "invalid syntax"),
        ("x = 1\ny = (1,\nz = 3\n", 2, 5, "'(' was never closed"),
        ("x = 1\n\nz = )\n", 3, 5, "unmatched ')'"),
        ('x = 1\ny = "abc\n', 2, 5, "unterminated string literal (detected at line 2)"),
        ("x = 1\ny = 2\nz = $\n", 3, 5, "invalid syntax"),
        ("é = 1\né = $\n", 2, 5, "invalid syntax"),  # columns count characters, not bytes
    ],
    ids=["parser", "never-closed", "unmatched", "unterminated-string", "bad-character", "non-ascii"],
)
def test_syntax_error_is_pl001_at_the_error(text, line, column, message):
    assert parse(text) == syntax_error(line, column, message)


@pytest.mark.parametrize(
    ("text", "line", "kind"),
    [
        ("def f():\n    x = 1\n      y = 2\n", 3, "unexpected indent"),
        ("def f():\n\tif x:\n        pass\n", 3, "inconsistent use of tabs and spaces in indentation"),
        ("if x:\n    y = 1\n  z = 2\n", 3, "unindent does not match any outer indentation level"),
    ],
    ids=["indent", "tabs-and-spaces", "dedent"],
)
def test_indentation_error_is_pl001_at_its_line(text, line, kind):
    result = parse(text)
    assert isinstance(result, Diagnostic)
    assert (result.span.path, result.span.line, result.code, result.severity) == ("m.py", line, "PL001", Severity.ERROR)
    assert result.message == f"cannot parse this file: {kind}"


def test_null_byte_is_pl001_at_the_byte():
    assert parse("x = 1\nyy = 1\x00\n") == syntax_error(2, 7, "null byte in the source")
    assert parse("\x00") == syntax_error(1, 1, "null byte in the source")


def test_null_byte_read_from_a_file_is_decoded_then_pl001(tmp_path):
    path = tmp_path / "nul.py"
    path.write_bytes(b"x = 1\n\x00\n")
    source = read_source(path, tmp_path)
    assert source.diagnostic is None
    assert parse_source(source) == Diagnostic(
        Span("nul.py", 2, 1), "PL001", "cannot parse this file: null byte in the source", Severity.ERROR
    )


def test_syntax_error_keeps_the_project_relative_path():
    result = parse("def (:\n", "pkg/sub/m.py")
    assert isinstance(result, Diagnostic)
    assert result.span == Span("pkg/sub/m.py", 1, 5)


# -- what parses ---------------------------------------------------------------------------


def test_crlf_file_parses_and_round_trips():
    text = "def f(x):\r\n    y = x\r\n    return y\r\n"
    source = parsed(text)
    assert source.module.code == text
    function = source.module.body[0]
    assert source.span(function) == Span("m.py", 1, 1, 3, 13)
    assert source.span(function.body.body[1]) == Span("m.py", 3, 5, 3, 13)


def test_tab_indented_file_parses_and_counts_a_tab_as_one_column():
    text = "def f(x):\n\tif x:\n\t\treturn 1\n\treturn 0\n"
    source = parsed(text)
    assert source.module.code == text
    inner = source.module.body[0].body.body[0].body.body[0]
    assert source.span(inner) == Span("m.py", 3, 3, 3, 11)


def test_empty_file_parses():
    assert parsed("").module.body == ()


# -- lazy positions ------------------------------------------------------------------------


def test_positions_are_computed_on_the_first_span_only():
    source = parsed("x = 1\ny = 2\n")
    assert source._positions is None
    assert source.span(source.module.body[1]) == Span("m.py", 2, 1, 2, 6)
    positions = source._positions
    assert positions
    assert source.span(source.module.body[0]) == Span("m.py", 1, 1, 1, 6)
    assert source._positions is positions


def test_span_of_a_node_from_elsewhere_is_the_first_line():
    source = parsed("x = 1\n")
    assert source.span(cst.parse_statement("y = 2\n")) == Span("m.py", 1)


# -- size and depth ------------------------------------------------------------------------


def ten_megabytes() -> str:
    """Generated-looking code: small annotated functions and large literal tables, 10 MiB in all."""
    parts: list[str] = []
    size = 0
    index = 0
    while size < 10 * 1024 * 1024:
        rows = "".join(f'    "{index * 1000 + row:064x}{"a" * 100}",\n' for row in range(60))
        part = (
            f"# paper: Eq. {index}\n"
            f"def layer_{index}(x, weight=WEIGHTS_{index}):\n"
            f'    """Layer {index}."""\n'
            "    return sum(w * v for w, v in zip(weight, x))\n\n\n"
            f"WEIGHTS_{index} = [\n{rows}]\n\n\n"
        )
        parts.append(part)
        size += len(part)
        index += 1
    return "".join(parts)


@pytest.mark.slow  # about 12 s on an idle core, most of it libcst's position metadata; timed by benchmarks/stress.py
def test_ten_megabyte_file_parses_and_reports_positions():
    text = ten_megabytes()
    lines = text.count("\n")
    source = parsed(text, "big.py")
    span = source.span(source.module.body[-1])
    assert len(text) >= 10 * 1024 * 1024
    assert (span.line, span.column, span.end_line, span.end_column) == (lines - 63, 1, lines - 2, 2)


@pytest.mark.slow  # 2 s on an idle core: libcst through 3000 nested operators
def test_deeply_nested_expression_raises_nothing():
    text = "x = 0\ny = " + " + ".join(["1"] * 3000) + "\n"
    result = parse(text)  # a PL001 would be acceptable; an exception is not
    if isinstance(result, Diagnostic):  # CPython's ast gives up; libcst is not given 3000 operators
        assert (result.code, result.span.line) == ("PL001", 2)
        return
    span = result.span(result.module.body[1])  # positions may give up (RecursionError) and fall back to line 1
    assert span.path == "m.py"
    assert span in (Span("m.py", 1), Span("m.py", 2, 1, 2, len(text) - 5))
    assert result.span(result.module.body[0]).path == "m.py"
