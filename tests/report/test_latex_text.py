"""Captions and theorem-like statements as the report shows them: text with MathML, no raw control word."""

from __future__ import annotations

import re

from paperlink.paper.model import MacroDefinition
from paperlink.report.latex_text import TextRenderer
from paperlink.report.math import MathRenderer

_RAW = re.compile(r"\\[A-Za-z]+")
REFERENCES = {"eq:loss": ("4", "Eq. (4)"), "fig:curve": ("2", "Figure 2"), "sec:method": ("3.1", "Section 3.1")}


def render(latex: str, macros: tuple[MacroDefinition, ...] = ()) -> str:
    return str(TextRenderer(MathRenderer(macros), REFERENCES).render(latex))


def without_tags(markup: str) -> str:
    return re.sub(r"<[^>]*>", "", markup)


def test_references_show_the_printed_number_with_its_name() -> None:
    shown = render(r"The scaling of Eq.~\eqref{eq:loss}, as in \cref{fig:curve} and Section~\ref{sec:method}.")
    assert shown == "The scaling of Eq.\u00a0(4), as in Figure 2 and Section\u00a03.1."


def test_an_unknown_reference_prints_question_marks_as_latex_does() -> None:
    assert render(r"see \ref{missing}") == "see ??"


def test_citations_show_their_keys() -> None:
    assert render(r"following \citet{smith20} and \cite[p.~3]{a,b}") == "following [smith20] and [a, b]"


def test_inline_math_becomes_mathml_with_the_paper_macros() -> None:
    macros = (MacroDefinition("defeq", 0, r"\coloneqq"), MacroDefinition("loss", 0, r"\mathcal{L}"))
    shown = render(r"where $\loss \defeq \frac{1}{2}\|x\|^2$ holds", macros)
    assert shown.startswith('where <math xmlns="http://www.w3.org/1998/Math/MathML" display="inline">')
    assert "<mo>≔</mo>" in shown and "<mi>ℒ</mi>" in shown and shown.endswith("</math> holds")


def test_font_commands_keep_their_text_and_other_commands_print_nothing() -> None:
    shown = render(
        r"\centering\small An \emph{important} \textbf{bold} \textsc{Name}\xspace result\label{x}\footnote{n}."
    )
    assert shown == "An <em>important</em> <strong>bold</strong> Name result."


def test_lists_accents_dashes_and_escapes_read_as_text() -> None:
    shown = render(r"\begin{itemize}\item Erd\H{o}s--R\'enyi \item 50\% of ``all'' \& more\end{itemize}")
    assert shown == "\u2022 Erdős\u2013Rényi \u2022 50% of \u201call\u201d &amp; more"


def test_displayed_math_in_a_statement_is_mathml() -> None:
    shown = render(r"Then \[ a \le b \] and \begin{align*} x &= y \\ z &= w \end{align*} hold.")
    assert shown.count('display="block"') == 2 and _RAW.search(without_tags(shown)) is None


def test_math_latex2mathml_cannot_take_is_shown_as_code() -> None:
    shown = render(r"bad $\frac{a}{$ math")
    assert shown == r"bad <code>\frac{a}{</code> math"


def test_text_is_escaped() -> None:
    assert render("a <script> & b") == "a &lt;script&gt; &amp; b"


def test_unclosed_math_in_a_long_caption_is_shown_as_text() -> None:
    # the math tokens are bounded in length: work stays linear in the caption
    shown = render("\\[a " * 2_000)
    assert shown.count("a") == 2_000 and "<math" not in shown


def test_math_with_text_holding_math_is_one_formula() -> None:
    shown = render(r"$f(k) = 1 \text{ if $k$ is even}$ and $\text{\underline{$A$}}^1$ here")
    assert shown.count("<math") == 2 and "<code>" not in shown and shown.endswith("</math> here")
    assert not _RAW.search(without_tags(shown))


def test_a_theorem_statement_keeps_the_environments_inside_it() -> None:
    from paperlink.paper.model import ItemKind, PaperItem
    from paperlink.report.paper_view import theorem_statement
    from paperlink.spans import Span

    latex = (
        "\\begin{theorem}[Bound]\\label{thm:b}\n\\begin{enumerate}\n\\item Then\n"
        "$$f = \\left\\{ \\begin{array}{ll} 1 & \\text{if $n$ is odd} \\\\ 0 & \\text{else} \\end{array} \\right.$$"
        "\n\\end{enumerate}\n\\end{theorem}"
    )
    item = PaperItem(ItemKind.THEOREM, "thm:b", "1", Span("paper.tex", 1, 1), ("thm:b",), latex=latex)
    shown = str(theorem_statement(item, TextRenderer(MathRenderer(()), REFERENCES)))
    assert shown.startswith("• Then <math") and "<mtable>" in shown and "<code>" not in shown
    assert not _RAW.search(without_tags(shown))
