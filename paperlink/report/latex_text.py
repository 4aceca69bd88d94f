"""LaTeX prose as HTML: captions and theorem-like statements as the report shows them.

Text is escaped; inline and displayed math becomes MathML through :class:`MathRenderer`
(LaTeX source in ``<code>`` where it cannot); ``\\ref``, ``\\eqref``, ``\\cref`` and
``\\autoref`` show the printed number (with its name for the last two), ``\\cite`` its keys;
font commands keep their text and every other control word is dropped, so no raw ``\\word``
reaches the page unless it is math latex2mathml could not take.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from html import escape

from markupsafe import Markup

from paperlink.paper.model import PaperItem, display_name
from paperlink.paper.texscan import PLACEHOLDER, read_group
from paperlink.report.math import MathRenderer

__all__ = ["TextRenderer", "reference_names"]

_DISPLAY_ENVIRONMENTS = (
    "equation|equation\\*|align|align\\*|gather|gather\\*|multline|multline\\*|flalign|flalign\\*"
    "|alignat|alignat\\*|eqnarray|eqnarray\\*|displaymath|math"
)
# ``$x \\text{ if $k$ is even}$``: a text argument inside math holds math of its own (up to two
# levels of braces inside; the lookahead makes the alternatives exclusive, so a failed match does not backtrack)
_TEXT_IN_MATH = r"\\(?:text[a-z]*|[mh]box)\{(?:[^{}]|\{(?:[^{}]|\{[^{}]{0,200}\}){0,200}\}){0,500}\}"
# Math is bounded in length (a formula longer than this is shown as text), so that an
# unclosed \\[ repeated in a hostile caption costs linear work, not quadratic.
_TOKEN = re.compile(
    r"(?P<display>\$\$(?P<dd>.{1,2000}?)\$\$|\\\[(?P<db>.{1,2000}?)\\\]"
    r"|\\begin\{(?P<denv>" + _DISPLAY_ENVIRONMENTS + r")\}(?:\{[^{}]*\})?(?P<de>.{0,2000}?)\\end\{(?P=denv)\})"
    r"|(?P<inline>\$(?P<id>(?:" + _TEXT_IN_MATH + r"|\\(?!" + _TEXT_IN_MATH + r").|[^$\\]){1,2000})\$"
    r"|\\\((?P<ip>.{1,2000}?)\\\))"
    r"|(?P<control>\\(?P<word>[A-Za-z@]+\*?|.))"
    r"|(?P<brace>[{}])|(?P<tie>~)|(?P<dash>---?)|(?P<quote>``|'')",
    re.S,
)
_SYMBOLS = {
    "%": "%", "&": "&", "_": "_", "#": "#", "$": "$", "{": "{", "}": "}", " ": " ", ",": "\u2009", ";": " ",
    "\\": " ", "/": "", "-": "", "@": "", "ldots": "\u2026", "dots": "\u2026", "textellipsis": "\u2026", "S": "§",
    "P": "¶", "LaTeX": "LaTeX", "TeX": "TeX", "textendash": "\u2013", "textemdash": "\u2014", "copyright": "©",
    "textbackslash": "\\", "textasciitilde": "~", "textbar": "|", "textless": "<", "textgreater": ">",
    "ss": "ß", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "o": "ø", "O": "Ø", "l": "ł", "L": "Ł", "i": "ı",
    "aa": "å", "AA": "Å", "item": " \u2022 ", "par": " ", "newline": " ", "quad": " ", "qquad": " ",
    "textdegree": "°", "pounds": "£", "euro": "€", "dag": "†", "ddag": "‡",
}  # fmt: skip
_ACCENTS = {"'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303", "=": "\u0304",
            ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328",
            "r": "\u030a", "b": "\u0331", "d": "\u0323"}  # fmt: skip
_FONTS = {
    "emph": "em", "textit": "em", "textsl": "em", "textbf": "strong", "texttt": "code",
    "textrm": "", "textsf": "", "textsc": "", "textnormal": "", "textup": "", "textmd": "", "text": "",
    "mbox": "", "hbox": "", "makebox": "", "fbox": "", "underline": "", "uline": "", "textsuperscript": "",
    "textsubscript": "", "enquote": "", "ensuremath": "", "url": "code", "nolinkurl": "code", "path": "code",
}  # fmt: skip
# commands whose arguments print nothing here (sizes, spacing, bookkeeping, pictures, notes)
_SILENT_ARGUMENTS = {
    "label": 1, "index": 1, "vspace": 1, "vspace*": 1, "hspace": 1, "hspace*": 1, "includegraphics": 1,
    "setlength": 2, "addtolength": 2, "footnote": 1, "footnotetext": 1, "footnotemark": 0, "color": 1,
    "phantomsection": 0, "begin": 1, "end": 1, "setcounter": 2, "addtocounter": 2, "hyperlink": 1,
    "rule": 2, "raisebox": 1, "resizebox": 2, "scalebox": 1, "protect": 0, "nocite": 1, "thanks": 1,
    "textcolor": 1, "colorbox": 1, "hypertarget": 1, "href": 1, "tag": 1, "tag*": 1, "pdfbookmark": 2,
    PLACEHOLDER: 1,  # where a definition inside the text stood
}  # fmt: skip
_REFERENCES = {"ref": "number", "ref*": "number", "eqref": "equation", "cref": "name", "Cref": "name",
               "autoref": "name", "Autoref": "name", "cpageref": "number", "pageref": "number",
               "vref": "name", "Vref": "name", "nameref": "number", "subref": "number"}  # fmt: skip
_CITES = re.compile(r"(?:[Cc]ite[tp]?|[Cc]ite(?:author|year|alp|alt|num)|parencite|textcite|autocite|footcite)\*?")
_MAX_TEXT = 50_000  # characters of a caption or statement rendered; the rest is left out
_SPACES = re.compile(r"[ \t\r\n]+")  # not \s: a tie (no-break space) stays


def reference_names(items: Iterable[PaperItem]) -> dict[str, tuple[str, str]]:
    """Each label -> (printed number, how a reader cites it: ``Eq. (4)``, ``Figure 2``)."""
    return {label: (item.number or "", display_name(item)) for item in items for label in item.labels}


class TextRenderer:
    """One paper's LaTeX prose (a caption, a theorem's statement) as HTML."""

    def __init__(self, math: MathRenderer, references: Mapping[str, tuple[str, str]]) -> None:
        self._math = math
        self._references = references

    def render(self, latex: str) -> Markup:
        pieces: list[str] = []
        self._render(self._math.expand_prose(latex[:_MAX_TEXT]), pieces, 0)
        return Markup(_SPACES.sub(" ", "".join(pieces)).strip())

    def _render(self, text: str, pieces: list[str], depth: int) -> None:
        position = 0
        for match in _TOKEN.finditer(text):
            if match.start() < position:
                continue  # inside an argument already read
            pieces.append(escape(text[position : match.start()], quote=False))
            position = self._token(text, match, pieces, depth)
        pieces.append(escape(text[position:], quote=False))

    def _token(self, text: str, match: re.Match[str], pieces: list[str], depth: int) -> int:
        kind = match.lastgroup if match.lastgroup in ("brace", "tie", "dash", "quote") else None
        if match.group("display"):
            body = match.group("dd") or match.group("db") or match.group("de") or ""
            pieces.append(self._math_markup(body, display=True))
        elif match.group("inline"):
            pieces.append(self._math_markup(match.group("id") or match.group("ip") or "", display=False))
        elif match.group("control"):
            return self._control(text, match, pieces, depth)
        elif kind == "tie":
            pieces.append("\u00a0")
        elif kind == "dash":
            pieces.append("\u2014" if len(match.group()) == 3 else "\u2013")
        elif kind == "quote":
            pieces.append("\u201c" if match.group() == "``" else "\u201d")
        return match.end()  # a brace: TeX's grouping prints nothing

    def _math_markup(self, latex: str, *, display: bool) -> str:
        markup = self._math.display(latex) if display else self._math.inline(latex)
        if markup is not None:
            return str(markup)
        return f"<code>{escape(latex.strip(), quote=False)}</code>"

    def _control(self, text: str, match: re.Match[str], pieces: list[str], depth: int) -> int:
        word = match.group("word")
        end = match.end()
        if word in _ACCENTS and (argument := _argument(text, end)) is not None:
            letters, end = argument
            pieces.append(escape(unicodedata.normalize("NFC", letters[:1] + _ACCENTS[word]) + letters[1:]))
            return end
        if word in _SYMBOLS:
            pieces.append(escape(_SYMBOLS[word]))
            return end
        if word in _REFERENCES or _CITES.fullmatch(word):
            end = _skip_options(text, end)
            group = read_group(text, end)
            if group is None:
                return end
            keys = [key.strip() for key in group[0].split(",") if key.strip()]
            pieces.append(escape(self._cited(word, keys)))
            return group[1]
        if word in _FONTS and depth < 8:
            group = read_group(text, _skip_options(text, end))
            if group is None:
                return end
            tag = _FONTS[word]
            pieces.append(f"<{tag}>" if tag else "")
            self._render(group[0], pieces, depth + 1)
            pieces.append(f"</{tag}>" if tag else "")
            return group[1]
        silent = _SILENT_ARGUMENTS.get(word)
        if silent is not None:
            end = _skip_options(text, end)
            for _ in range(silent):
                group = read_group(text, _skip_options(text, end))
                if group is None:
                    break
                end = group[1]
            if word == "href" and (shown := read_group(text, end)) is not None:
                self._render(shown[0], pieces, depth + 1)
                end = shown[1]
            return end
        return _skip_options(text, end) if word.isalpha() else end  # unknown: its text is read on

    def _cited(self, word: str, keys: list[str]) -> str:
        if _CITES.fullmatch(word):
            return f"[{', '.join(keys)}]"
        style = _REFERENCES[word]
        shown = []
        for key in keys:
            number, name = self._references.get(key, ("??", "??"))
            if style == "name":
                shown.append(name if number else f"{name}")
            elif style == "equation":
                shown.append(f"({number})")
            else:
                shown.append(number)
        return ", ".join(shown)


def _skip_options(text: str, position: int) -> int:
    """Past any ``[...]`` optional arguments (and a star) at ``position``."""
    while True:
        if text.startswith("*", position):
            position += 1
        option = read_group(text, position, "[", "]")
        if option is None:
            return position
        position = option[1]


def _argument(text: str, position: int) -> tuple[str, int] | None:
    """An accent's argument: ``{e}`` or the next letter."""
    group = read_group(text, position)
    if group is not None:
        return group
    stripped = position
    while stripped < len(text) and text[stripped] == " ":
        stripped += 1
    if stripped < len(text) and text[stripped].isalpha():
        return text[stripped], stripped + 1
    return None
