"""Equations as MathML: the paper's macros expanded, latex2mathml, then a whitelist.

latex2mathml copies ``\\text{...}`` verbatim into the markup and turns ``\\href`` into an
attribute, so its output is never trusted: it is parsed as XML and rebuilt from MathML
elements and presentation attributes only. Anything that fails on the way gives ``None``,
and the page shows the LaTeX source as text instead.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from html import escape
from xml.etree import ElementTree

from markupsafe import Markup

from paperlink.paper.model import MacroDefinition
from paperlink.paper.texscan import PLACEHOLDER, MacroTable, expand_in_prose, read_group
from paperlink.report.diagrams import xymatrix_as_array

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
    "mathsize mathcolor mathbackground linebreak voffset".split()
)
_SAFE_VALUE = re.compile(r"^[A-Za-z0-9 .%#,+-]*$")  # no url(), no javascript:, no quotes
# labels, tags, and where a definition inside the statement stood (the reader's placeholder)
_DROPPED = re.compile(rf"\\(?:label|tag\*?|{PLACEHOLDER})\s*\{{[^{{}}]*\}}|\\(?:nonumber|notag)(?![A-Za-z])")
_NESTED_ENVIRONMENT = re.compile(r"\\begin\{(\w+\*?)\}.*?\\end\{\1\}", re.DOTALL)
_OPERATOR_NAME = re.compile(r"[A-Za-z]{2,}")
_SPACED_OPERATOR_NAME = re.compile(r"[A-Za-z]+(?:\s*\\[,;:!]\s*[A-Za-z]+)+")  # arg\,min
# \operatorname* (limits under it in display): latex2mathml reads only the unstarred form
_STARRED_OPERATOR = re.compile(r"\\operatorname\*\s*\{([^{}]*)\}(\s*[_^])?")
# \\nolimits with no script after it (stacks' \\def\\Ob{\\mathop{\\mathrm{Ob}}\\nolimits}): latex2mathml keeps it raw
_LONE_LIMITS = re.compile(r"\\(?:no)?limits(?![A-Za-z])(?!\s*[_^])")
_AMSMATH_BLOCK = re.compile(
    r"\\(begin|end)\{(aligned|alignedat|split|gathered|dcases\*?|rcases|tabular)\}(?(1)(?:\[[a-z]\])?(?:\{\d+\})?)"
)
_BRACKET_AFTER_BEGIN = re.compile(r"(\\begin\{(?:[pbBvV]?matrix|smallmatrix|cases|align\*?|gather\*?)\})(\s*\[)")
_AMSMATH_REPLACEMENTS = {
    **{("begin", name): "\\begin{align*}{}" for name in ("aligned", "alignedat", "split")},
    **{("end", name): "\\end{align*}" for name in ("aligned", "alignedat", "split")},
    ("begin", "gathered"): "\\begin{array}{c}",
    ("end", "gathered"): "\\end{array}",
    ("begin", "tabular"): "\\begin{array}",  # a table inside math (its rules and spans are dropped above)
    ("end", "tabular"): "\\end{array}",
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
            ("arg", "\\operatorname{arg}"), ("AA", "\\text{Å}"), ("normalfont", ""), ("Join", "\\mathrel{⋈}"),
            ("varbigcirc", "\\bigcirc"), ("toprule", ""), ("midrule", ""), ("bottomrule", ""), ("centering", ""),
            ("eqqcolon", "\\mathrel{=:}"), ("Coloneqq", "\\mathrel{::=}"),
        )),
        *(MacroDefinition(name, 1, body) for name, body in (
            ("ensuremath", "{#1}"), ("bm", "\\boldsymbol{#1}"), ("mathbbm", "\\mathbb{#1}"),
            ("textsc", "\\text{#1}"), ("textnormal", "\\text{#1}"), ("textup", "\\text{#1}"),
            ("textsl", "\\textit{#1}"), ("emph", "\\textit{#1}"), ("lefteqn", "{#1}"), ("mathllap", "{#1}"),
            ("mathrlap", "{#1}"), ("mathclap", "{#1}"), ("llap", "{#1}"), ("rlap", "{#1}"), ("smash", "{#1}"),
            ("phantom", ""), ("hphantom", ""), ("vphantom", ""), ("hspace", "\\,"), ("vspace", ""),
            ("mathscr", "\\mathcal{#1}"), ("pmb", "\\boldsymbol{#1}"), ("underbar", "\\underline{#1}"),
            ("ul", "\\underline{#1}"), ("uline", "\\underline{#1}"), ("vcenter", "{#1}"),
        )),
        *(MacroDefinition(name, 2, body) for name, body in (
            ("nicefrac", "{#1}/{#2}"), ("sfrac", "{#1}/{#2}"), ("raisebox", "{#2}"), ("scalebox", "{#2}"),
            ("settoheight", ""), ("settowidth", ""), ("settodepth", ""),  # measuring a box draws nothing
        )),
        *(MacroDefinition(name, 3, body) for name, body in (
            ("multicolumn", "\\text{#3}"), ("multirow", "\\text{#3}"),  # a table heading in math: text
            ("resizebox", "{#3}"),
        )),
    )
}  # fmt: skip


class MathRenderer:
    """Turns one paper's LaTeX into MathML with that paper's macros."""

    def __init__(self, macros: Iterable[MacroDefinition]) -> None:
        own = {m.name: _as_drawn(_as_operator(m)) for m in macros}
        self._table = MacroTable(_aliases_resolved(own), {}, {})
        # in math, package macros latex2mathml does not know too; the paper's own definitions win
        self._math_table = MacroTable({**_PACKAGE_MACROS, **self._table.macros}, {}, {})
        # control words no definition explains, shown as their name (counted here, per name)
        self.unknown_commands: Counter[str] = Counter()

    def expand(self, latex: str) -> str:
        """``latex`` with the paper's macros expanded and labels, tags and ``\\nonumber`` removed."""
        expanded = _DROPPED.sub("", expand_in_prose(latex, self._math_table)).strip()
        blocks = _amsmath_blocks(xymatrix_as_array(_starred_operators(_LONE_LIMITS.sub("", expanded))))
        return _math_in_text(blocks)

    def expand_prose(self, latex: str) -> str:
        """``latex`` (text, not math) with the paper's macros expanded."""
        return expand_in_prose(latex, self._table)

    def display(self, latex: str) -> Markup | None:
        """A displayed equation, or None. Rows of ``align`` keep their alignment points:
        latex2mathml reads ``&`` only inside an environment (and only ``align*`` of the
        aligning ones gives well-formed output)."""
        body = self.expand(latex)
        if _NESTED_ENVIRONMENT.sub("", body).replace("\\&", "").count("&"):
            body = f"\\begin{{align*}}{{}}{body}\\end{{align*}}"  # {}: a row opening with [ is no option
        return _convert(body, "block", self.unknown_commands)

    def inline(self, latex: str) -> Markup | None:
        """Inline math (``$...$`` without the dollars), or None."""
        return _convert(self.expand(latex), "inline", self.unknown_commands)


def _amsmath_blocks(latex: str) -> str:
    """amsmath's inner blocks latex2mathml does not know, as ones it does: ``aligned``,
    ``alignedat`` and ``split`` as ``align*``, ``gathered`` as a centred array, ``dcases`` as ``cases``;
    a first cell opening with ``[`` is kept from being read as an option (``{}`` before it)."""
    if "\\begin" not in latex:
        return latex
    blocks = _AMSMATH_BLOCK.sub(lambda match: _AMSMATH_REPLACEMENTS[(match.group(1), match.group(2))], latex)
    return _BRACKET_AFTER_BEGIN.sub(r"\1{}\2", blocks)


def _math_in_text(latex: str, depth: int = 0) -> str:
    """``\\text{for $x$}`` as ``\\text{for }x``: latex2mathml copies a text argument verbatim, math
    and commands and all, so a text argument holding either is taken apart (:func:`_text_as_math`)."""
    if "$" not in latex and not _COMMAND_IN_TEXT.search(latex):
        return latex
    pieces = []
    position = 0
    for match in _TEXT_COMMAND.finditer(latex):
        if match.start() < position:
            continue
        group = read_group(latex, match.end())
        if group is None or ("$" not in group[0] and "\\" not in group[0]):
            continue
        pieces.append(latex[position : match.start()])
        shown = _text_as_math(match.group(), group[0], depth)
        pieces.append(f"{{{shown}}}" if latex[: match.start()].rstrip().endswith(("^", "_")) else shown)
        position = group[1]
    pieces.append(latex[position:])
    return "".join(pieces)


_TEXT = "\\text"
_COMMAND_IN_TEXT = re.compile(r"\\(?:text|textrm|textit|textbf|textsf|texttt|mbox|hbox)\s*\{[^{}]*\\")
_TEXT_PIECE = re.compile(r"(?P<dollar>\$)|\\(?P<word>[A-Za-z]+\*?|.)|(?P<open>\{)|(?P<text>[^$\\{]+)")


def _closing_dollar(content: str, position: int) -> int | None:
    """Where the math opened just before ``position`` ends: the next ``$`` outside braces (math
    in a text argument in this math has dollars of its own)."""
    depth = 0
    while position < len(content):
        char = content[position]
        if char == "\\":
            position += 2
            continue
        if char == "$" and depth == 0:
            return position
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return None
        position += 1
    return None


def _text_as_math(command: str, content: str, depth: int) -> str:
    """The text argument ``content`` of ``command`` as math latex2mathml reads: plain runs stay
    text, ``$...$`` becomes a group, a command keeps its (converted) arguments."""
    if depth > 8 or ("$" not in content and "\\" not in content):
        return f"{command}{{{content}}}"
    pieces = []
    position = 0
    while position < len(content):
        match = _TEXT_PIECE.match(content, position)
        if match is None:  # a closing brace: the rest as text
            pieces.append(f"{command}{{{content[position:]}}}")
            break
        position = match.end()
        if match.group("dollar") is not None:
            close = _closing_dollar(content, position)
            if close is None:  # a lone $: the rest as text
                pieces.append(f"{command}{{{content[position:]}}}")
                break
            pieces.append(f"{{{_math_in_text(content[position:close], depth + 1)}}}")
            position = close + 1
        elif match.group("text") is not None:
            pieces.append(f"{command}{{{match.group('text')}}}")
        elif match.group("open") is not None:
            group = read_group(content, match.start())
            if group is None:
                continue
            pieces.append(f"{{{_text_as_math(command, group[0], depth + 1)}}}")
            position = group[1]
        elif not match.group("word")[0].isalpha():
            symbol, position = _text_symbol(content, match.group("word"), position)
            pieces.append(f"{command}{{{symbol}}}" if symbol else match.group())
        else:
            word = "\\" + match.group("word")
            group = read_group(content, position)
            if group is None:
                pieces.append(word + " ")
            else:
                if _TEXT_COMMAND.fullmatch(word):  # text in text: its own font, taken apart the same way
                    pieces.append(_text_as_math(word, group[0], depth + 1))
                else:
                    pieces.append(f"{word}{{{_text_as_math(_TEXT, group[0], depth + 1)}}}")
                position = group[1]
    return "".join(pieces)


_ACCENTS = {"'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303", "=": "\u0304", ".": "\u0307"}


def _text_symbol(content: str, symbol: str, position: int) -> tuple[str, int]:
    """An accent in text (``\\'e``) as the character it prints, and where it ends; "" for any other
    control symbol (an escape such as ``\\%`` reads the same in math: latex2mathml takes a bare % as a comment)."""
    group = read_group(content, position)
    letter, end = (group[0], group[1]) if group is not None else (content[position : position + 1], position + 1)
    if symbol in _ACCENTS and len(letter) == 1 and letter.isalpha():
        return unicodedata.normalize("NFC", letter + _ACCENTS[symbol]), end
    return "", position


# A user macro drawing with TeX's box primitives (a slanted \pi made with \pdfsetmatrix) has no
# MathML counterpart: it is shown as its last argument, what it draws.
_DRAWING = re.compile(
    r"\\(?:sbox|savebox|usebox|setbox|pdfsave|pdfrestore|pdfsetmatrix|pdfliteral|special|rotatebox)(?![A-Za-z])"
)


def _as_drawn(macro: MacroDefinition) -> MacroDefinition:
    if not _DRAWING.search(macro.body):
        return macro
    return MacroDefinition(
        macro.name, macro.arguments, f"{{#{macro.arguments}}}" if macro.arguments else "", macro.default
    )


def _aliases_resolved(macros: dict[str, MacroDefinition]) -> dict[str, MacroDefinition]:
    """``\\let\\oldul\\ul`` then ``\\renewcommand{\\ul}[1]{...\\oldul{#1}...}``: the alias keeps the
    package's meaning of ``\\ul``, not the new one (which would use itself through the alias)."""
    resolved = dict(macros)
    for name, macro in macros.items():
        target = macro.body[1:] if macro.arguments == 0 and _ALIAS.fullmatch(macro.body) else None
        if target in macros and re.search(rf"\\{re.escape(name)}(?![A-Za-z@])", macros[target].body):
            package = _PACKAGE_MACROS.get(target)
            resolved[name] = (
                MacroDefinition(name, package.arguments, package.body) if package else MacroDefinition(name, 0, "")
            )
    return resolved


_ALIAS = re.compile(r"\\[A-Za-z@]+")


def _as_operator(macro: MacroDefinition) -> MacroDefinition:
    """``\\DeclareMathOperator{\\sg}{sg}`` is kept as body ``sg``: print it upright, as LaTeX does."""
    if macro.arguments == 0 and _OPERATOR_NAME.fullmatch(macro.body):
        return MacroDefinition(macro.name, 0, f"\\operatorname{{{macro.body}}}")
    if macro.arguments == 0 and _SPACED_OPERATOR_NAME.fullmatch(macro.body.strip()):
        return MacroDefinition(macro.name, 0, f"\\mathop{{\\mathrm{{{macro.body.strip()}}}}}")
    return macro


def _starred_operators(latex: str) -> str:
    """``\\operatorname*{lim\\,sup}_n`` as ``\\mathop{\\mathrm{lim\\,sup}}\\limits_n``."""
    if "\\operatorname*" not in latex:
        return latex
    return _STARRED_OPERATOR.sub(
        lambda m: f"\\mathop{{\\mathrm{{{m.group(1)}}}}}" + (f"\\limits{m.group(2)}" if m.group(2) else ""), latex
    )


def _convert(latex: str, display: str, unknown: Counter[str]) -> Markup | None:
    if not latex:
        return None
    from latex2mathml.converter import convert  # loaded only when a report has equations

    try:
        tree = ElementTree.fromstring(convert(latex, display=display))
    except Exception:  # noqa: BLE001 - any failure of the converter means: show the LaTeX
        return None
    parts: list[str] = []
    found: list[str] = []
    if not _serialize(tree, parts, found):
        return None
    unknown.update(found)
    return Markup("".join(parts))


# latex2mathml keeps a control word it does not know as the text of an <mi> (or inside an <mtext>)
_UNKNOWN_WORD = re.compile(r"\\([A-Za-z]+)\*?")


def _serialize(element: ElementTree.Element, parts: list[str], unknown: list[str]) -> bool:
    """Append ``element`` as MathML to ``parts``; False when it holds anything not allowed.
    A control word latex2mathml did not know is shown as its name, upright, and listed in ``unknown``."""
    namespace, _, tag = element.tag.rpartition("}")
    if namespace.lstrip("{") != _MATHML or tag not in _ELEMENTS:
        return False
    attributes = ""
    for name, value in sorted(element.attrib.items()):
        if name not in _ATTRIBUTES or not _SAFE_VALUE.match(value):
            return False
        attributes += f' {name}="{escape(value)}"'
    text = element.text or ""
    if "\\" in text and tag in ("mi", "mo", "mtext"):
        word = _UNKNOWN_WORD.fullmatch(text.strip())
        if word is not None and tag != "mtext":
            tag, attributes, text = "mi", ' mathvariant="normal"', word.group(1)
            unknown.append(word.group(1))
        else:
            unknown.extend(_UNKNOWN_WORD.findall(text))
            text = re.sub(r"[{}\\]", "", _UNKNOWN_WORD.sub("", text))  # TeX's leftovers, not text
    if tag == "math":
        attributes = f' xmlns="{_MATHML}"' + attributes
    parts.append(f"<{tag}{attributes}>{escape(text, quote=False)}")
    for child in element:
        if not _serialize(child, parts, unknown):
            return False
        parts.append(escape(child.tail or "", quote=False))
    parts.append(f"</{tag}>")
    return True
