"""Numbers as papers and code write them, and when two of them are the same value.

One place for every spelling paperlink compares: LaTeX and plain text in papers
(``3\\times10^{-4}``, ``$10^{-4}$``, ``4k``, ``10\\%``, ``1{,}000``, ``\\frac{1}{256}``) and
Python in code (``3e-4``, ``1_000``, ``1/256``, ``2**-10``, ``-0.5``). Standard library only.
"""

from __future__ import annotations

import ast
import math
import re

__all__ = [
    "LATEX_NUMBER_IN_TEXT",
    "TABLE_RULE",
    "SPANNING_CELL",
    "parse_latex_number",
    "parse_python_number",
    "python_number",
    "same_value",
    "format_number",
    "as_float",
]

# Longer than any value cell; bounds the work done on arbitrary input.
_MAX_NUMBER_LENGTH = 200

TABLE_RULE = re.compile(r"\\\\(?:\[[^\]]*\])?|\\(?:hline|midrule|toprule|bottomrule)(?![A-Za-z])")
_MATH_DELIMITERS = re.compile(r"\$|\\[()\[\]]|\\ensuremath(?![A-Za-z])")
_PHANTOM = re.compile(r"\\[hv]?phantom\s*\{[^{}]*\}")
SPANNING_CELL = re.compile(r"\\multi(?:row|column)\*?\s*\{[^{}]*\}\s*(?:\[[^\]]*\]\s*)?\{[^{}]*\}")
_SIUNITX_QUANTITY = re.compile(r"\\(?:SI|qty)\s*(?:\[[^\]]*\])?\s*\{([^{}]*)\}\s*\{([^{}]*)\}")
_MULTIPLY = re.compile(r"\\(?:times|cdotp|cdot|ast)(?![A-Za-z])|[\u00d7\u00b7\u22c5]")
_WRAPPER = re.compile(
    r"\\(?:num|mathbf|textbf|mathrm|textrm|mathit|textit|mathsf|textsf|mathtt|texttt|text"
    r"|textup|textnormal|mathnormal|emph|bm|boldsymbol|underline|bf|it|rm|small"
    r"|footnotesize|scriptsize|tiny|(?:text)?color\s*\{[^{}]*\})(?![A-Za-z])\s*(?:\[[^\]]*\])?"
)
_SPACING = re.compile(
    r"\\[,;:! ]|\\(?:quad|qquad|thinspace|enspace|medspace|thickspace|negthinspace)(?![A-Za-z])"
    r"|\\hspace\*?\s*\{[^{}]*\}|[~\s\u00a0\u2000-\u200b\u202f\u205f\u3000]"
)
_THOUSANDS_GAP = re.compile(r"(?<=\d) (?=\d{3}(?!\d))")
_SEPARATE_NUMBERS = re.compile(r"[\d.] +[\d.]")
_COMPACT_NUMBER = re.compile(
    r"""(?P<sign>[+-]?)
    (?:
        (?P<base>\d+)\^(?P<power>[+-]?\d+)
      | (?P<mantissa>[1-9]\d{0,2}(?:,\d{3})+(?:\.\d*)?|\d+(?:\.\d*)?|\.\d+)
        (?:[eE](?P<exponent>[+-]?\d+))?
        (?:[*xX](?P<times_base>\d+)\^(?P<times_power>[+-]?\d+))?
    )
    (?P<suffix>%|[kKMB])?""",
    re.VERBOSE | re.ASCII,
)
# Suffixes as powers of ten, so "0.7%" is parsed as 0.7e-2 in one correctly rounded step.
_SUFFIX_EXPONENT = {"%": -2, "k": 3, "K": 3, "M": 6, "B": 9}


# --- LaTeX numbers inside text ------------------------------------------------------------

# Where a value is written in running LaTeX (a regex source, for patterns compiled with
# re.IGNORECASE | re.ASCII): "3\times10^{-4}", "$10^{-9}$", "1{,}000", "4k", "10\%",
# "\num{0.1}", "\SI{5}{\percent}". It only finds the spelling and may accept what is no
# number (an exponent past any float); parse_latex_number decides its value, or None.
# Powers come first so "10^{-9}" is not read as "10".
_SIGN = r"[-+\u2212]?"
_MANTISSA = r"(?:[1-9]\d{0,2}(?:(?:\{,\}|,)\d{3})+|\d+)(?:\.\d+)?|\.\d+"
_EXPONENT = r"[eE]\{?[-+\u2212]?\d+\}?"
_POWER = r"\d+\s*\^\s*(?:\{\s*[-+\u2212]?\s*\d+\s*\}|[-+\u2212]?\d+)"
_TIMES = r"\s*(?:\\times|\\cdot|\u00d7|\u00b7)\s*"
_SCALE = r"(?:\s*\\?%|(?-i:[kKM])(?![A-Za-z]))"
_PLAIN_VALUE = f"{_SIGN}(?:{_POWER}|(?:{_MANTISSA})(?:{_EXPONENT})?(?:{_TIMES}{_POWER})?){_SCALE}?"
LATEX_NUMBER_IN_TEXT = (
    r"(?:\\(?:SI|qty)\s*(?:\[[^\]]{0,40}\])?\s*\{\s*" + _PLAIN_VALUE + r"\s*\}\s*\{[^{}]{0,40}\}"
    r"|\\(?:num|mathbf|textbf|mathrm|bm)\s*(?:\[[^\]]{0,40}\])?\s*\{\s*" + _PLAIN_VALUE + r"\s*\}"
    r"|" + _PLAIN_VALUE + r")(?!\w)"
)


def parse_latex_number(latex: str) -> float | None:
    """The number a LaTeX or plain-text spelling denotes (``3\\times10^{-4}``, ``4k``,
    ``10\\%``, ``\\frac{1}{256}``), or None; never raises."""
    if not isinstance(latex, str) or len(latex) > _MAX_NUMBER_LENGTH:
        return None
    fraction = _FRACTION.fullmatch(latex.strip())
    if fraction is not None:
        return _ratio(parse_latex_number(fraction["top"]), parse_latex_number(fraction["bottom"]))
    compact = _compact_number_text(latex)
    match = _COMPACT_NUMBER.fullmatch(compact) if compact else None
    if match is None:
        return None
    try:
        value = _number_value(match)
    except (ArithmeticError, ValueError):  # e.g. 2^{99999} or 0^{-1}
        return None
    return value if math.isfinite(value) else None


_FRACTION = re.compile(r"\$?\s*\\[dt]?frac\s*\{(?P<top>[^{}]*)\}\s*\{(?P<bottom>[^{}]*)\}\s*\$?")


def _ratio(top: float | None, bottom: float | None) -> float | None:
    if top is None or not bottom:
        return None
    value = top / bottom
    return value if math.isfinite(value) else None


def _compact_number_text(latex: str) -> str | None:
    """The spelling reduced to digits and operators, or None where other markup remains."""
    text = TABLE_RULE.sub("", latex)
    text = _MATH_DELIMITERS.sub("", text)
    text = _PHANTOM.sub("", text)
    text = SPANNING_CELL.sub("", text)
    text = _SIUNITX_QUANTITY.sub(_quantity_with_unit, text)
    text = _MULTIPLY.sub("*", text.replace("\\%", "%").replace("\u2212", "-"))
    text = _SPACING.sub(" ", _WRAPPER.sub("", text))
    if "\\" in text:
        return None
    text = " ".join(text.replace("{", "").replace("}", "").split())
    text = _THOUSANDS_GAP.sub("", text)  # "1\,000" and "1 000" group thousands
    if _SEPARATE_NUMBERS.search(text):  # "0.9 0.999" is two numbers, not one
        return None
    return text.replace(" ", "")


def _quantity_with_unit(match: re.Match[str]) -> str:
    # Only a percent unit changes the number; other units just name what it measures.
    return match[1] + ("%" if "percent" in match[2] else "")


def _number_value(match: re.Match[str]) -> float:
    """Value of a :data:`_COMPACT_NUMBER` match, via one decimal string where possible."""
    mantissa = (match["mantissa"] or "1").replace(",", "")
    base, power = match["base"], match["power"]
    if base is None:
        base, power = match["times_base"], match["times_power"]
    exponent = int(match["exponent"] or 0) + _SUFFIX_EXPONENT.get(match["suffix"] or "", 0)
    if base is not None and int(base) == 10:
        exponent, base = exponent + int(power), None
    value = float(f"{mantissa}e{exponent}")
    if base is not None:
        value *= float(base) ** int(power)
    return -value if match["sign"] == "-" else value


# --- Python ----------------------------------------------------------------------------

_MAX_PYTHON_LENGTH = 100
_MAX_POWER = 400  # 10**400 is already past any float


def parse_python_number(text: str) -> float | None:
    """The value of a Python constant expression such as ``3e-4``, ``1_000``, ``1/256``,
    ``2**-10`` or ``-0.5``; None for anything else (names, calls, booleans); never raises."""
    if not isinstance(text, str) or len(text) > _MAX_PYTHON_LENGTH:
        return None
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return python_number(tree.body)


def python_number(node: ast.AST) -> float | None:
    """The value of a constant arithmetic expression node, or None (never raises)."""
    try:
        value = _evaluate(node, depth=0)
    except (ArithmeticError, ValueError, TypeError, OverflowError):
        return None
    return value if value is not None and math.isfinite(value) else None


_OPERATORS = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
}


def _evaluate(node: ast.AST, depth: int) -> float | None:
    if depth > 8:
        return None
    if isinstance(node, ast.Constant):
        value = node.value
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = _evaluate(node.operand, depth + 1)
        return None if inner is None else (-inner if isinstance(node.op, ast.USub) else inner)
    if isinstance(node, ast.BinOp):
        left, right = _evaluate(node.left, depth + 1), _evaluate(node.right, depth + 1)
        if left is None or right is None:
            return None
        if isinstance(node.op, ast.Pow):
            return left**right if abs(right) <= _MAX_POWER else None
        operator = _OPERATORS.get(type(node.op))
        return float(operator(left, right)) if operator else None
    return None


# --- comparing -------------------------------------------------------------------------

RELATIVE_TOLERANCE = 1e-6


def as_float(value: object) -> float | None:
    """``value`` as a float when it is a number (a bool is not) that a float can hold."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        return float(value)
    except OverflowError:  # an integer of hundreds of digits
        return None


def same_value(a: float, b: float) -> bool:
    """Whether two stated values are the same number, up to the rounding of their spellings
    (``0.0003`` and ``3\\times10^{-4}``; ``1/3`` and ``0.333333``)."""
    return math.isclose(a, b, rel_tol=RELATIVE_TOLERANCE, abs_tol=1e-15)


def format_number(value: float) -> str:
    """A short, stable spelling: ``0.0005`` -> ``5e-4``, ``512.0`` -> ``512``, ``0.9`` -> ``0.9``."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    text = repr(value)
    if "e" in text:
        mantissa, exponent = text.split("e")
        return f"{mantissa}e{int(exponent)}"
    if abs(value) < 1e-3:
        mantissa, exponent = f"{value:.15e}".split("e")
        return f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent)}"
    return text
