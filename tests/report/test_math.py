"""Equations to MathML: macros first, then latex2mathml, then the whitelist; LaTeX when anything fails."""

from __future__ import annotations

from paperlink.paper.model import MacroDefinition
from paperlink.report.math import MathRenderer


def test_macros_are_expanded_before_conversion() -> None:
    renderer = MathRenderer(
        [
            MacroDefinition("Loss", 0, r"\mathcal{L}"),
            MacroDefinition("sg", 0, "sg"),  # as \DeclareMathOperator leaves it
            MacroDefinition("norm", 1, r"\lVert #1 \rVert"),
        ]
    )
    assert (
        renderer.expand(r"\Loss = \sg(\norm{z}) \label{eq:x}\nonumber")
        == r"\mathcal{L} = \operatorname{sg}(\lVert z \rVert)"
    )
    math = renderer.display(r"\Loss = \sg(z)")
    assert math.startswith('<math xmlns="http://www.w3.org/1998/Math/MathML" display="block">')
    assert "<mi>\u2112</mi>" in math and "<mo>sg</mo>" in math


def test_align_rows_keep_their_alignment() -> None:
    math = MathRenderer([]).display(r"a &= b + c,")
    assert "<mtable" in math and 'columnalign="right"' in math


def test_ampersands_inside_environments_are_not_alignment_points() -> None:
    math = MathRenderer([]).display(r"x = \begin{cases} 1 & a \\ 0 & b \end{cases}")
    assert math is not None and "<mtable" in math


def test_markup_smuggled_through_text_or_href_falls_back_to_latex() -> None:
    renderer = MathRenderer([MacroDefinition("evil", 0, r"\text{<img src=x onerror=alert(1)>}")])
    assert renderer.display(r"x = \evil") is None
    assert renderer.display(r"\href{javascript:alert(1)}{x}") is None
    assert renderer.display(r"\text{</textarea><script>alert(1)</script>}") is None


def test_plain_angle_brackets_are_escaped_operators() -> None:
    math = MathRenderer([]).display(r"a < b > c")
    assert "<mo>&lt;</mo>" in math and "<mo>&gt;</mo>" in math


def test_unconvertible_latex_gives_none() -> None:
    assert MathRenderer([]).display(r"\frac{a}{") is None
    assert MathRenderer([]).display("") is None


def test_package_macros_latex2mathml_leaves_raw_are_reduced() -> None:
    renderer = MathRenderer([MacroDefinition("defeq", 0, r"\vcentcolon=")])
    for latex in (
        r"x \defeq y",
        r"\ensuremath{\alpha}\xspace",
        r"\nicefrac{1}{2} + \bm{x}",
        r"\textsc{SE}(x, y) \tiny",
        r"\mathop{\mathrm{Ob}}\nolimits(\mathcal{C})",
        r"\lefteqn{a} = b",
        r"\arg\max_x f",
    ):
        math = renderer.display(latex)
        assert math is not None and "\\" not in math, latex


def test_math_inside_text_is_converted_not_copied() -> None:
    renderer = MathRenderer([])
    assert renderer.expand(r"\text{for all $i \le n$}") == r"\text{for all }{i \le n}"
    math = renderer.display(r"x_i \quad \text{for all $i \le n$}")
    assert math is not None and "\\le" not in math and "<mo>≤</mo>" in math


def test_a_paper_definition_wins_over_the_package_reduction() -> None:
    assert MathRenderer([MacroDefinition("bm", 1, r"\mathbf{#1}")]).expand(r"\bm{x}") == r"\mathbf{x}"


def test_a_macro_ending_in_a_control_word_keeps_the_space_tex_swallowed() -> None:
    renderer = MathRenderer([MacroDefinition("colim", 0, r"\mathop{\mathrm{colim}}\nolimits")])
    assert renderer.expand(r"\colim M_i") == r"\mathop{\mathrm{colim}} M_i"  # not \nolimitsM_i
    math = renderer.display(r"\colim M_i = \colim_i M_i")
    assert math is not None and "\\" not in math


def test_amsmath_inner_blocks_latex2mathml_does_not_know_become_tables() -> None:
    renderer = MathRenderer([])
    for latex in (
        r"\begin{aligned}[t] a &= b \\ c &= d \end{aligned}",
        r"\begin{alignedat}{2} a &= b & c &= d \end{alignedat}",
        r"\begin{split} a &= b \\ &= c \end{split}",
        r"\begin{gathered} a \\ b \end{gathered}",
        r"f = \begin{dcases} a & b \\ c & d \end{dcases}",
    ):
        math = renderer.display(latex)
        assert math is not None and "<mtable" in math and "\\" not in math, latex
