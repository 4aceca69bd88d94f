"""numbers.py: the LaTeX and Python spellings of one value compare equal; nothing raises."""

from __future__ import annotations

import math
import re
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperlink.numbers import LATEX_NUMBER_IN_TEXT, format_number, parse_latex_number, parse_python_number, same_value

_FINITE = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e300, max_value=1e300)


@pytest.mark.parametrize(
    ("python", "latex"),
    [
        ("3e-4", r"3\times10^{-4}"),
        ("0.0003", r"$3 \times 10^{-4}$"),
        ("1e-4", "10^{-4}"),
        ("1_000", "1{,}000"),
        ("4_000", "4k"),
        ("0.1", r"10\%"),
        ("1/256", r"\frac{1}{256}"),
        ("2**10", "2^{10}"),
        ("-0.5", "\u22120.5"),
        ("1.5e-4", "1.5\u00d710^{-4}"),
        ("5 * 10**-4", r"5\cdot 10^{-4}"),
    ],
)
def test_python_and_latex_spellings_agree(python: str, latex: str) -> None:
    assert same_value(parse_python_number(python), parse_latex_number(latex))


@pytest.mark.parametrize(
    "text", ["True", "None", "lr", "args.lr", "f(3)", "1 if x else 2", "10 ^ 4", "'0.1'", "2**99999", "1/0", ""]
)
def test_python_number_is_none_for_what_is_not_a_constant(text: str) -> None:
    assert parse_python_number(text) is None


@given(_FINITE)
def test_python_round_trips_repr(x: float) -> None:
    assert parse_python_number(repr(x)) == x


@given(st.integers(min_value=1, max_value=999_999), st.integers(min_value=-20, max_value=20))
def test_scientific_spellings_are_one_value(mantissa: int, exponent: int) -> None:
    python = f"{mantissa}e{exponent}"
    latex = rf"{mantissa}\times10^{{{exponent}}}"
    decimal = format(Decimal(mantissa).scaleb(exponent), "f")  # 0.000123, 12300000
    values = [
        parse_python_number(python),
        parse_latex_number(latex),
        parse_latex_number(f"${latex}$"),
        parse_python_number(decimal),
    ]
    assert all(v is not None and same_value(v, values[0]) for v in values)


@given(st.integers(min_value=0, max_value=10**9))
def test_thousands_spellings_are_one_value(n: int) -> None:
    grouped = f"{n:_d}"
    assert parse_python_number(grouped) == n
    assert parse_latex_number(f"{n:,d}".replace(",", "{,}")) == n
    if n % 1000 == 0 and n:
        assert parse_latex_number(f"{n // 1000}k") == n


@given(st.integers(min_value=0, max_value=10_000))
def test_percentages_are_fractions(percent: int) -> None:
    assert same_value(parse_latex_number(rf"{percent}\%"), parse_python_number(f"{percent}/100"))


@given(st.integers(min_value=-10_000, max_value=10_000), st.integers(min_value=1, max_value=10_000))
def test_fractions(top: int, bottom: int) -> None:
    assert same_value(parse_latex_number(rf"\frac{{{top}}}{{{bottom}}}"), parse_python_number(f"{top}/{bottom}"))


@given(_FINITE)
def test_format_number_reads_back_as_the_same_value(x: float) -> None:
    assert same_value(parse_python_number(format_number(x)), x)


@given(st.text(max_size=60))
@settings(max_examples=300)
def test_python_parser_never_raises(text: str) -> None:
    result = parse_python_number(text)
    assert result is None or math.isfinite(result)


@given(_FINITE, _FINITE)
def test_same_value_is_symmetric(a: float, b: float) -> None:
    assert same_value(a, b) == same_value(b, a)


def test_same_value_tolerates_rounding_only() -> None:
    assert same_value(1 / 3, 0.3333333)
    assert not same_value(1e-4, 1.01e-4)
    assert not same_value(0.0, 1e-8)


# --- LaTeX numbers, as papers write them (moved from tests/paper/test_hyperparams.py) ------


@pytest.mark.parametrize(
    ("latex", "expected"),
    [
        ("0.5", 0.5),
        ("512", 512.0),
        (".9", 0.9),
        ("1e-4", 1e-4),
        ("1E-4", 1e-4),
        ("1e{-4}", 1e-4),
        (r"3\times10^{-4}", 3e-4),
        (r"3 \times 10^{-4}", 3e-4),
        (r"3\cdot 10^{-4}", 3e-4),
        ("10^{-6}", 1e-6),
        ("10^6", 1e6),
        ("2^{10}", 1024.0),
        (r"$3\times10^{-4}$", 3e-4),
        (r"\(3\times10^{-4}\)", 3e-4),
        (r"\num{1e-4}", 1e-4),
        (r"\num{3e-4}", 3e-4),
        (r"\SI{0.1}{}", 0.1),
        (r"\SI{10}{\percent}", 0.1),
        ("1{,}000", 1000.0),
        ("1,000", 1000.0),
        ("4{,}096", 4096.0),
        (r"1\,000", 1000.0),
        ("1,000,000", 1e6),
        ("4k", 4000.0),
        ("4K", 4000.0),
        ("1M", 1e6),
        (r"10\%", 0.1),
        ("10%", 0.1),
        ("-0.5", -0.5),
        ("\u22120.5", -0.5),
        (r"\mathbf{0.9}", 0.9),
        (r"\textbf{0.9}", 0.9),
        (r"$\mathbf{0.9}$", 0.9),
        ("  0.9  ", 0.9),
        ("~0.9~", 0.9),
        (r"\,0.9\,", 0.9),
        ("\u20090.9\u202f", 0.9),
        (r"0.9\phantom{0}", 0.9),
        (r"\multicolumn{2}{c}{0.1}", 0.1),
        (r"$10^{-4}$ \\", 1e-4),
        ("3x10^-4", 3e-4),
        ("1.5\u00d710^{-4}", 1.5e-4),
    ],
)
def test_parse_number_reads_latex_and_plain_spellings(latex, expected):
    assert parse_latex_number(latex) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    "latex",
    [
        "Adam",
        "cosine",
        "",
        "   ",
        "N/A",
        "--",
        "-",
        "yes",
        "(0.9, 0.999)",
        "0.9, 0.999",
        "0.9 0.999",
        r"\cite{adam}",
        "1e400",  # overflows to infinity
        "2^{99999}",
        "0^{-1}",
        "inf",
        "nan",
        "1_000",
        "0,999",
        "x" * 1000,
    ],
)
def test_parse_number_returns_none_for_non_numbers(latex):
    assert parse_latex_number(latex) is None


@given(st.text())
@settings(max_examples=300)
def test_parse_number_never_raises_on_arbitrary_text(text):
    result = parse_latex_number(text)
    assert result is None or math.isfinite(result)


_NUMBERISH = st.text(alphabet="0123456789.,eE+-^{}$\\%kKMB timescdotnum~ ()x", max_size=40)


@given(_NUMBERISH)
@settings(max_examples=300)
def test_parse_number_never_raises_on_number_like_text(text):
    result = parse_latex_number(text)
    assert result is None or math.isfinite(result)


_ANY_FINITE = st.floats(allow_nan=False, allow_infinity=False)


def _latex_scientific(x: float) -> str:
    mantissa, exponent = f"{x:.17e}".split("e")
    return f"{mantissa}\\times10^{{{int(exponent)}}}"


@given(_ANY_FINITE)
def test_parse_number_round_trips_repr(x):
    assert math.isclose(parse_latex_number(repr(x)), x, rel_tol=1e-12)


@given(_ANY_FINITE)
def test_parse_number_round_trips_scientific_format(x):
    written = f"{x:e}"  # six digits: compare with what was written, not with x
    assert math.isclose(parse_latex_number(written), float(written), rel_tol=1e-12)
    assert math.isclose(parse_latex_number(f"{x:.17e}"), x, rel_tol=1e-12)


@given(_ANY_FINITE)
def test_parse_number_round_trips_latex_times_ten(x):
    latex = _latex_scientific(x)
    for spelling in (latex, f"${latex}$", latex.replace("\\times", " \\times "), latex + r"\\"):
        assert math.isclose(parse_latex_number(spelling), x, rel_tol=1e-12), spelling


@given(st.floats(min_value=-1e15, max_value=1e15, allow_nan=False))
def test_parse_number_round_trips_siunitx(x):
    assert math.isclose(parse_latex_number(rf"\num{{{x!r}}}"), x, rel_tol=1e-12)


# --- LaTeX numbers inside text: found by one pattern, valued by one parser ------------------

_IN_TEXT = re.compile(LATEX_NUMBER_IN_TEXT, re.IGNORECASE | re.ASCII)


@pytest.mark.parametrize(
    ("spelling", "expected"),
    [
        (r"3\times10^{-4}", 3e-4),
        (r"3 \times 10^{-4}", 3e-4),
        ("1.5\u00d710^{-4}", 1.5e-4),
        ("10^{-9}", 1e-9),
        ("1{,}000", 1000.0),
        ("1,000,000", 1e6),
        ("4k", 4000.0),
        (r"10\%", 0.1),
        ("2e{-5}", 2e-5),
        ("\u22120.5", -0.5),
        (r"\num{0.1}", 0.1),
        (r"\SI{5}{\percent}", 0.05),
        (r"\mathbf{0.9}", 0.9),
    ],
)
def test_a_number_found_in_text_is_the_whole_spelling_and_the_parser_values_it(spelling: str, expected: float) -> None:
    found = _IN_TEXT.search(f"we set it to {spelling} for all runs")
    assert found is not None and found.group() == spelling
    assert same_value(parse_latex_number(found.group()), expected)
