"""Equations to MathML: macros first, then latex2mathml, then the whitelist; LaTeX when anything fails."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from paperlink.paper.model import MacroDefinition
from paperlink.paper.texscan import read_group
from paperlink.report.diagrams import xymatrix_as_array
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


def test_a_line_break_and_an_extensible_arrow_pass_the_whitelist() -> None:
    renderer = MathRenderer([])
    assert '<mspace linebreak="newline"></mspace>' in renderer.display(r"a \leq \\ b")
    arrow = renderer.inline(r"0 \to M \xrightarrow{f} N")
    assert arrow is not None and 'voffset="-.2em"' in arrow and "\\" not in arrow


def test_an_unknown_command_is_shown_as_its_name_and_counted() -> None:
    renderer = MathRenderer([])
    math = renderer.display(r"\kSE + \var{x} + \text{a \inv b}")
    assert math is not None and "\\" not in math
    assert '<mi mathvariant="normal">kSE</mi>' in math and '<mi mathvariant="normal">var</mi>' in math
    assert '<mtext>a\u00a0</mtext><mi mathvariant="normal">inv</mi><mtext>\u00a0b</mtext>' in math
    assert renderer.unknown_commands == {"kSE": 1, "var": 1, "inv": 1}
    renderer.display(r"\kSE")
    assert renderer.unknown_commands["kSE"] == 2


def test_an_alias_kept_before_a_redefinition_keeps_the_package_meaning() -> None:
    # \let\oldul\ul \renewcommand{\ul}[1]{\text{\oldul{$#1$}}}: \oldul is soul's underline, not the new \ul
    renderer = MathRenderer([MacroDefinition("oldul", 0, r"\ul"), MacroDefinition("ul", 1, r"\text{\oldul{$#1$}}")])
    assert renderer.expand(r"\ul{A}") == r"\underline{{A}}"
    math = renderer.inline(r"\ul{A}^1")
    assert math is not None and "<munder>" in math and "\\" not in math and renderer.unknown_commands == {}


def test_an_alias_of_a_command_no_package_explains_prints_its_argument() -> None:
    renderer = MathRenderer([MacroDefinition("oldfoo", 0, r"\foo"), MacroDefinition("foo", 1, r"[\oldfoo{#1}]")])
    assert renderer.expand(r"\foo{x}").replace(" ", "") == "[{x}]"  # padded: expansions keep the source length


def test_a_macro_drawing_with_box_primitives_shows_what_it_draws() -> None:
    # the Crossno thesis's slanted pi: \newcommand{\slantbox}[2][0]{\mbox{\sbox{\foobox}{#2}...\pdfsetmatrix...}}
    renderer = MathRenderer(
        [
            MacroDefinition(
                "slantbox", 2, r"\mbox{\sbox{\foobox}{#2}\hskip\wd\foobox\pdfsave\pdfsetmatrix{1 0 #1 1}}", "0"
            ),
            MacroDefinition("unslant", 2, r"\slantbox[#1]{$#2$}", "-.25"),
            MacroDefinition("mpi", 0, r"\text{\unslant[-.18]\pi}"),
        ]
    )
    math = renderer.display(r"4\mpi T")
    assert math is not None and "<mi>π</mi>" in math and "\\" not in math and renderer.unknown_commands == {}


def test_a_macro_sizing_a_box_shows_the_box() -> None:
    # duvenaud's \declareHumble{kSE}{SE}: \kSE is \@humbleformat{SE}, which measures SE and resizes it
    humble = r"{\settoheight{\nonHumbleHeight}{#1}\resizebox{!}{0.94\nonHumbleHeight}{#1}}"
    renderer = MathRenderer([MacroDefinition("humble", 1, humble), MacroDefinition("kSE", 0, r"\humble{SE}")])
    math = renderer.display(r"k = \kSE \times \scalebox{0.5}{\kSE}")
    assert math is not None and "\\" not in math and renderer.unknown_commands == {}
    assert math.count("<mi>S</mi><mi>E</mi>") == 2


def test_text_holding_commands_and_math_is_taken_apart() -> None:
    renderer = MathRenderer([])
    assert renderer.expand(r"\text{\textbf{all} $x$}") == r"\textbf{all}\text{ }{x}"
    assert renderer.expand(r"\ulcorner\text{\text{$f$ is invertible}}\urcorner") == (
        r"\ulcorner{f}\text{ is invertible}\urcorner"
    )
    assert renderer.expand(r"x^\text{a $b$}") == r"x^{\text{a }{b}}"
    for latex in (r"\text{50\% of \textbf{all}}", r"\text{\underline{$A$} and \emph{b}}", r"\text{{a $b$} c}"):
        math = renderer.display(latex)
        assert math is not None and "\\" not in math and renderer.unknown_commands == {}, latex


def test_an_xymatrix_diagram_becomes_an_array_with_its_arrows() -> None:
    renderer = MathRenderer([])
    square = r"\xymatrix{ F(x) \ar[r]^{t_x} \ar[d]_{F(\phi)} & G(x) \ar[d]^{G(\phi)} \\ F(y) \ar[r]^{t_y} & G(y) }"
    assert renderer.expand(square) == (
        r"\begin{array}{ccc} F(x) & \xrightarrow{t_x} & G(x) \\ "
        r"\downarrow{\scriptstyle F(\phi)} &  & \downarrow{\scriptstyle G(\phi)} \\ "
        r"F(y) & \xrightarrow{t_y} & G(y) \end{array}"
    )
    styled = r"\xymatrix@C=2em{ A \ar@{^{(}->}[r]\ar[d] & B \ar@{-->}@/^/[ld] \\ I }"
    assert renderer.expand(styled) == (
        r"\begin{array}{ccc} A & \xrightarrow{} & B \\ \downarrow & \swarrow &  \\ I &  &  \end{array}"
    )
    for latex in (square, styled):
        math = renderer.display(latex)
        assert math is not None and "<mtable>" in math and "\\" not in math, latex


def test_an_unclosed_xymatrix_is_left_as_it_is() -> None:
    assert MathRenderer([]).expand(r"\xymatrix{ A \ar[r] & B") == r"\xymatrix{ A \ar[r] & B"


_PIECES = [
    "A",
    "B",
    "x",
    " ",
    "&",
    "\\\\",
    "{",
    "}",
    "\\ar",
    "[r]",
    "[d]",
    "[ld]",
    "^{f}",
    "_g",
    "@{-->}",
    "$",
    "\\text{",
    "\\emph{",
]


@given(st.lists(st.sampled_from(_PIECES), max_size=30))
@settings(max_examples=300, deadline=None)
def test_diagrams_and_text_in_math_never_fail_and_never_show_a_control_word(pieces: list[str]) -> None:
    """Whatever the diagram or text argument: no exception, a diagram with balanced braces
    becomes an array (or nothing, when empty), and the MathML (when there is some) holds no raw control word."""
    latex = "".join(pieces)
    renderer = MathRenderer([])
    source = "\\xymatrix{" + latex + "}"
    group = read_group(source, len("\\xymatrix"))
    diagram = xymatrix_as_array(source)
    if group is None:
        assert diagram == source
    else:
        shown = diagram[: len(diagram) - (len(source) - group[1])]
        assert diagram.endswith(source[group[1] :])
        assert shown == "{}" or shown.startswith("\\begin{array}{") and shown.endswith("\\end{array}")
        assert not re.search(r"\\ar(?![A-Za-z])", shown)
    for text in ("\\text{" + latex + "}", latex):
        math = renderer.display(text)
        assert math is None or not re.search(r"\\[A-Za-z]", math)


def test_escapes_and_accents_in_taken_apart_text_print_their_character() -> None:
    renderer = MathRenderer([])
    assert renderer.expand(r"\text{50\% caf\'e $x$}") == r"\text{50}\%\text{ caf}\text{é}\text{ }{x}"
    math = renderer.display(r"\text{50\% caf\'e $x$}")
    assert math is not None and "\\" not in math


def test_math_in_text_in_math_in_text_is_taken_apart_at_every_level() -> None:
    renderer = MathRenderer([])
    latex = r"\text{the ideal generated by $\{ s \mid \text{$f$ inv.} \}$.}"
    assert renderer.expand(latex) == r"\text{the ideal generated by }{\{ s \mid {f}\text{ inv.} \}}\text{.}"
    math = renderer.display(latex)
    assert math is not None and "\\" not in math and "$" not in math


def test_a_table_inside_math_becomes_an_array_without_its_rules() -> None:
    renderer = MathRenderer([])
    latex = r"\begin{tabular}{cc} \toprule \multicolumn{2}{c}{Methods} \\ \midrule a & b \\ \bottomrule \end{tabular}"
    math = renderer.display(latex)
    assert math is not None and "<mtable>" in math and "<mtext>Methods</mtext>" in math and "\\" not in math
    assert renderer.unknown_commands == {}


def test_package_symbols_and_the_placeholder_of_a_definition_print_as_latex_does() -> None:
    renderer = MathRenderer([])
    assert renderer.expand(r"\PLd{144} \AA \Join R") == r"\text{Å} \mathrel{⋈} R"
    math = renderer.display(r"\PLd{144} 0.1\,\mbox{\normalfont\AA} \Join R")
    assert math is not None and "Å" in math and "\\" not in math and renderer.unknown_commands == {}


def test_a_diagram_label_holding_a_matrix_stays_in_its_cell() -> None:
    latex = r"\xymatrix{ A \ar[d]_{\begin{matrix} a \\ b \end{matrix}} \\ B }"
    assert MathRenderer([]).expand(latex) == (
        r"\begin{array}{c} A \\ \downarrow{\scriptstyle \begin{matrix} a \\ b \end{matrix}} \\ B \end{array}"
    )


def test_a_row_opening_with_a_bracket_is_not_read_as_an_option() -> None:
    for latex in (
        r"[f+g_\mathbf{k}^+] &= p",
        r"\begin{aligned}[t] [a] &= b \end{aligned}",
        r"\begin{matrix} [(a, b)] \mapsto x \\ [r] \end{matrix}",  # stacks' diagram label
    ):
        math = MathRenderer([]).display(latex)
        assert math is not None and "<mtable" in math and "\\" not in math, latex


def test_the_rendering_fixture_shows_every_construct_as_mathml() -> None:
    """tests/paper/latex_cases/rendering (compiled by pdflatex in the numbering tests): each
    construct gives its MathML element, and no control word is raw or unknown."""
    from pathlib import Path

    from paperlink.paper.latex import read_latex_paper
    from paperlink.paper.model import ItemKind
    from paperlink.report.latex_text import TextRenderer, reference_names
    from paperlink.report.paper_view import rendered, theorem_statement

    root = Path(__file__).parents[1] / "paper" / "latex_cases" / "rendering"
    paper = read_latex_paper(root / "main.tex", name="rendering", root=root)
    renderer = MathRenderer(paper.macros)
    text = TextRenderer(renderer, reference_names(paper.items))
    shown = {}
    for item in paper.items:
        if item.kind is ItemKind.EQUATION:
            shown[item.key] = str(renderer.display(item.latex))
        elif item.kind is ItemKind.THEOREM:
            shown[item.key] = str(theorem_statement(item, text))
        elif item.kind is ItemKind.FIGURE:
            shown[item.key] = str(rendered(item.latex, text))
    expected = {
        # \renewcommand wins, mathtools' \coloneqq, \E with an optional argument, \abs, nicefrac, \def with two
        "eq:objective": ["<mi>ℒ</mi>", "<mo>≔</mo>", "<mi>𝔼</mi>", 'stretchy="true">|</mo>', "<mo>/</mo>", "⟨"],
        # \DeclareMathOperator(*) upright, \operatorname* with limits under, \bm, \tfrac, \dfrac, notation.sty's \eps
        "eq:operators": [
            '<mi mathvariant="normal">g</mi><mspace',
            "<munder>",
            "<mo>sg</mo>",
            "bold-italic",
            "<mi>ε</mi>",
        ],
        # aligned, gathered, cases with \text holding math, pmatrix, bmatrix, array; \DeclarePairedDelimiterX
        "eq:blocks": [
            "<mtext>if\u00a0</mtext><mrow><mi>x</mi><mo>≥</mo>",
            "<mtext>otherwise</mtext>",
            "<mo>(</mo><mtable>",
        ],
        "eq:split": ['<mtext mathvariant="bold">bold</mtext>', '<mtext mathvariant="italic">it</mtext>'],
        "lem:diagram": ["<mtable>", "<mo>→</mo>", "<mo>↓</mo>"],  # the xymatrix square
        "thm:cases": ["<mtable>", "Eq.\u00a0(1) and Lemma\u00a01 state"],
        "fig:loss": ["(see (1))", "<mi>:</mi><mo>=</mo>"],  # \vcentcolon=
    }
    assert sorted(shown) == sorted(expected)
    for key, elements in expected.items():
        assert not re.search(r"\\[A-Za-z]+", re.sub(r"<[^>]*>", "", shown[key])), key
        assert "<code>" not in shown[key], key
        for element in elements:
            assert element in shown[key], (key, element)
    assert shown["eq:blocks"].count("<mtable") == 6
    assert renderer.unknown_commands == {}
