"""Small pieces of paper text made readable for the page: headers and algorithm lines."""

from __future__ import annotations

import re
from collections.abc import Mapping
from html import escape

from markupsafe import Markup

from paperlink.paper import Paper
from paperlink.report.math import MathRenderer
from paperlink.report.views import PaperHeader

__all__ = ["paper_header", "algorithm_line_html"]

_ARXIV_ID = re.compile(r"^(?:\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?$")
# algorithmicx and algorithm2e commands, as the words a reader would see in the PDF
_KEYWORDS = {
    "State": "",
    "Statex": "",
    "Require": "Require:",
    "Ensure": "Ensure:",
    "Input": "Input:",
    "Output": "Output:",
    "For": "for",
    "ForAll": "for all",
    "EndFor": "end for",
    "While": "while",
    "EndWhile": "end while",
    "If": "if",
    "ElsIf": "else if",
    "Else": "else",
    "EndIf": "end if",
    "Repeat": "repeat",
    "Until": "until",
    "Loop": "loop",
    "EndLoop": "end loop",
    "Return": "return",
    "Function": "function",
    "EndFunction": "end function",
    "Procedure": "procedure",
    "EndProcedure": "end procedure",
    "Call": "",
    "Comment": "\u25b7",
    "KwIn": "Input:",
    "KwOut": "Output:",
    "KwData": "Data:",
    "KwResult": "Result:",
    "KwRet": "return",
    "ForEach": "for each",
    "uIf": "if",
    "lIf": "if",
    "lElse": "else",
    "tcp": "\u25b7",
    "tcc": "\u25b7",
}
_MATH = re.compile(r"(?<!\\)\$(.+?)(?<!\\)\$")
_COMMAND = re.compile(r"\\([A-Za-z]+)\*?")
_REFERENCE = re.compile(r"\\(eq|c|auto)?ref\s*\{([^{}]*)\}")
_NOISE = re.compile(r"\\label\s*\{[^{}]*\}|\\;|%.*$")


def paper_header(paper: Paper) -> PaperHeader:
    arxiv = paper.arxiv.strip()
    url = f"https://arxiv.org/abs/{arxiv}" if _ARXIV_ID.match(arxiv) else None
    return PaperHeader(paper.name, paper.title, paper.authors, arxiv, url, paper.source)


def algorithm_line_html(latex: str, renderer: MathRenderer, numbers: Mapping[str, str | None]) -> Markup:
    """One line of an algorithm: inline math as MathML, references as printed numbers,
    known commands as words, braces gone."""
    text = _REFERENCE.sub(lambda m: _printed(m, numbers), _NOISE.sub("", latex)).strip()
    parts: list[str] = []
    position = 0
    for match in _MATH.finditer(text):
        parts.append(_words(text[position : match.start()]))
        math = renderer.inline(match.group(1))
        parts.append(str(math) if math is not None else f"<code>{escape(match.group(0))}</code>")
        position = match.end()
    parts.append(_words(text[position:]))
    return Markup(" ".join(part for part in parts if part.strip()))


def _printed(match: re.Match[str], numbers: Mapping[str, str | None]) -> str:
    number = numbers.get(match.group(2).strip())
    if number is None:
        return "??"  # as LaTeX prints an unknown reference
    return f"({number})" if match.group(1) == "eq" else number


def _words(text: str) -> str:
    """Escaped prose of an algorithm line, its commands replaced by keywords."""
    pieces: list[str] = []
    position = 0
    for match in _COMMAND.finditer(text):
        pieces.append(escape(_unbraced(text[position : match.start()])))
        word = _KEYWORDS.get(match.group(1))
        if word is None:
            pieces.append(escape(match.group(0)))  # unknown: keep it as written
        elif word:
            pieces.append(f'<b class="kw">{escape(word)}</b>')
        position = match.end()
    pieces.append(escape(_unbraced(text[position:])))
    return " ".join(" ".join(pieces).split())


def _unbraced(text: str) -> str:
    return text.replace("{", " ").replace("}", " ").replace("~", " ")
