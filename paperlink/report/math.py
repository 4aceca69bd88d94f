"""Equations as MathML: the paper's macros expanded, latex2mathml, then a whitelist.

latex2mathml copies ``\\text{...}`` verbatim into the markup and turns ``\\href`` into an
attribute, so its output is never trusted: it is parsed as XML and rebuilt from MathML
elements and presentation attributes only. Anything that fails on the way gives ``None``,
and the page shows the LaTeX source as text instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import escape
from xml.etree import ElementTree

from markupsafe import Markup

from paperlink.paper.model import MacroDefinition
from paperlink.paper.texscan import MacroTable, expand_in_prose, read_group

__all__ = ["MathRenderer"]

_MATHML = "http://www.w3.org/1998/Math/MathML"
_ELEMENTS = frozenset(
    "math mrow mi mn mo mtext mspace ms mfrac msqrt mroot mstyle merror mpadded mphantom menclose "
    "msub msup msubsup munder mover munderover mtable mtr mtd mlabeledtr semantics annotation".split()
)
_ATTRIBUTES = frozenset(
    "display mathvariant stretchy fence separator lspace rspace width height depth linethickness "
    "columnalign columnspacing rowspacing columnlines rowlines displaystyle scriptlevel accent "
    "accentunder movablelimits largeop symmetric minsize maxsize notation form align "
    "mathsize mathcolor mathbackground".split()
)
_SAFE_VALUE = re.compile(r"^[A-Za-z0-9 .%#,+-]*$")  # no url(), no javascript:, no quotes
_DROPPED = re.compile(r"\\(?:label|tag\*?)\s*\{[^{}]*\}|\\(?:nonumber|notag)(?![A-Za-z])")
_NESTED_ENVIRONMENT = re.compile(r"\\begin\{(\w+\*?)\}.*?\\end\{\1\}", re.DOTALL)
_OPERATOR_NAME = re.compile(r"[A-Za-z]{2,}")
# \\nolimits with no script after it (stacks' \\def\\Ob{\\mathop{\\mathrm{Ob}}\\nolimits}): latex2mathml keeps it raw
_LONE_LIMITS = re.compile(r"\\(?:no)?limits(?![A-Za-z])(?!\s*[_^])")
_AMSMATH_BLOCK = re.compile(
    r"\\(begin|end)\{(aligned|alignedat|split|gathered|dcases\*?|rcases)\}(?(1)(?:\[[a-z]\])?(?:\{\d+\})?)"
)
_AMSMATH_REPLACEMENTS = {
    **{("begin", name): "\\begin{align*}" for name in ("aligned", "alignedat", "split")},
    **{("end", name): "\\end{align*}" for name in ("aligned", "alignedat", "split")},
    ("begin", "gathered"): "\\begin{array}{c}",
    ("end", "gathered"): "\\end{array}",
    **{(edge, name): f"\\{edge}{{cases}}" for edge in ("begin", "end") for name in ("dcases", "dcases*", "rcases")},
}
_TEXT_COMMAND = re.compile(r"\\(?:text|textrm|textit|textbf|textsf|texttt|mbox|hbox)(?![A-Za-z])")
# Package and text-mode macros latex2mathml leaves raw, reduced to what it takes.
_PACKAGE_MACROS = {
    m.name: m
    for m in (
        *(MacroDefinition(name, 0, body) for name, body in (
            ("vcentcolon", ":"), ("ordinarycolon", ":"), ("dblcolon", "::"), ("xspace", ""), ("hfill", ""),
            ("nobreak", ""), ("allowbreak", ""), ("displaybreak", ""), ("protect", ""), ("relax", ""),
            ("tiny", ""), ("scriptsize", ""), ("footnotesize", ""), ("small", ""), ("normalsize", ""),
            ("large", ""), ("Large", ""), ("LARGE", ""), ("huge", ""), ("Huge", ""),
            ("arg", "\\operatorname{arg}"), ("eqqcolon", "\\mathrel{=:}"), ("Coloneqq", "\\mathrel{::=}"),
        )),
        *(MacroDefinition(name, 1, body) for name, body in (
            ("ensuremath", "{#1}"), ("bm", "\\boldsymbol{#1}"), ("mathbbm", "\\mathbb{#1}"),
            ("textsc", "\\text{#1}"), ("textnormal", "\\text{#1}"), ("textup", "\\text{#1}"),
            ("textsl", "\\textit{#1}"), ("emph", "\\textit{#1}"), ("lefteqn", "{#1}"), ("mathllap", "{#1}"),
            ("mathrlap", "{#1}"), ("mathclap", "{#1}"), ("llap", "{#1}"), ("rlap", "{#1}"), ("smash", "{#1}"),
            ("phantom", ""), ("hphantom", ""), ("vphantom", ""), ("hspace", "\\,"), ("vspace", ""),
            ("mathscr", "\\mathcal{#1}"), ("pmb", "\\boldsymbol{#1}"), ("underbar", "\\underline{#1}"),
        )),
        *(MacroDefinition(name, 2, body) for name, body in (
            ("nicefrac", "{#1}/{#2}"), ("sfrac", "{#1}/{#2}"), ("raisebox", "{#2}"),
        )),
    )
}  # fmt: skip


class MathRenderer:
    """Turns one paper's LaTeX into MathML with that paper's macros."""

    def __init__(self, macros: Iterable[MacroDefinition]) -> None:
        self._table = MacroTable({m.name: _as_operator(m) for m in macros}, {}, {})
        # in math, package macros latex2mathml does not know too; the paper's own definitions win
        self._math_table = MacroTable({**_PACKAGE_MACROS, **self._table.macros}, {}, {})

    def expand(self, latex: str) -> str:
        """``latex`` with the paper's macros expanded and labels, tags and ``\\nonumber`` removed."""
        expanded = _DROPPED.sub("", expand_in_prose(latex, self._math_table)).strip()
        return _math_in_text(_amsmath_blocks(_LONE_LIMITS.sub("", expanded)))

    def expand_prose(self, latex: str) -> str:
        """``latex`` (text, not math) with the paper's macros expanded."""
        return expand_in_prose(latex, self._table)

    def display(self, latex: str) -> Markup | None:
        """A displayed equation, or None. Rows of ``align`` keep their alignment points:
        latex2mathml reads ``&`` only inside an environment (and only ``align*`` of the
        aligning ones gives well-formed output)."""
        body = self.expand(latex)
        if _NESTED_ENVIRONMENT.sub("", body).replace("\\&", "").count("&"):
            body = f"\\begin{{align*}}{body}\\end{{align*}}"
        return _convert(body, "block")

    def inline(self, latex: str) -> Markup | None:
        """Inline math (``$...$`` without the dollars), or None."""
        return _convert(self.expand(latex), "inline")


def _amsmath_blocks(latex: str) -> str:
    """amsmath's inner blocks latex2mathml does not know, as ones it does: ``aligned``,
    ``alignedat`` and ``split`` as ``align*``, ``gathered`` as a centred array, ``dcases`` as ``cases``."""
    if "\\begin" not in latex:
        return latex
    return _AMSMATH_BLOCK.sub(lambda match: _AMSMATH_REPLACEMENTS[(match.group(1), match.group(2))], latex)


def _math_in_text(latex: str) -> str:
    """``\\text{for $x$}`` as ``\\text{for }x``: latex2mathml copies a text argument verbatim, math and all."""
    if "$" not in latex:
        return latex
    pieces = []
    position = 0
    for match in _TEXT_COMMAND.finditer(latex):
        if match.start() < position:
            continue
        group = read_group(latex, match.end())
        if group is None or "$" not in group[0]:
            continue
        parts = re.split(r"(?<!\\)\$", group[0])
        pieces.append(latex[position : match.start()])
        for index, part in enumerate(parts):
            if index % 2:
                pieces.append(f"{{{part}}}")
            elif part:
                pieces.append(f"{match.group()}{{{part}}}")
        position = group[1]
    pieces.append(latex[position:])
    return "".join(pieces)


def _as_operator(macro: MacroDefinition) -> MacroDefinition:
    """``\\DeclareMathOperator{\\sg}{sg}`` is kept as body ``sg``: print it upright, as LaTeX does."""
    if macro.arguments == 0 and _OPERATOR_NAME.fullmatch(macro.body):
        return MacroDefinition(macro.name, 0, f"\\operatorname{{{macro.body}}}")
    return macro


def _convert(latex: str, display: str) -> Markup | None:
    if not latex:
        return None
    from latex2mathml.converter import convert  # loaded only when a report has equations

    try:
        tree = ElementTree.fromstring(convert(latex, display=display))
    except Exception:  # noqa: BLE001 - any failure of the converter means: show the LaTeX
        return None
    parts: list[str] = []
    if not _serialize(tree, parts):
        return None
    return Markup("".join(parts))


def _serialize(element: ElementTree.Element, parts: list[str]) -> bool:
    """Append ``element`` as MathML to ``parts``; False when it holds anything not allowed."""
    namespace, _, tag = element.tag.rpartition("}")
    if namespace.lstrip("{") != _MATHML or tag not in _ELEMENTS:
        return False
    attributes = ""
    for name, value in sorted(element.attrib.items()):
        if name not in _ATTRIBUTES or not _SAFE_VALUE.match(value):
            return False
        attributes += f' {name}="{escape(value)}"'
    if tag == "math":
        attributes = f' xmlns="{_MATHML}"' + attributes
    parts.append(f"<{tag}{attributes}>{escape(element.text or '', quote=False)}")
    for child in element:
        if not _serialize(child, parts):
            return False
        parts.append(escape(child.tail or "", quote=False))
    parts.append(f"</{tag}>")
    return True
