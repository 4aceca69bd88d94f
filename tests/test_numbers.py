"""numbers.py: the LaTeX and Python spellings of one value compare equal; nothing raises."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperlink.numbers import format_number, parse_latex_number, parse_python_number, same_value

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


@pytest.mark.parametrize("text", ["True", "None", "lr", "args.lr", "f(3)", "1 if x else 2", "10 ^ 4", "'0.1'", "2**99999", "1/0", ""])
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
    values = [parse_python_number(python), parse_latex_number(latex), parse_latex_number(f"${latex}$"), parse_python_number(decimal)]
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
