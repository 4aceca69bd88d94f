"""Paper items as queries: the words, symbols, operators and values code would show.

Built from the paper model alone, plus the paper's own lines for items the model keeps
no text for (an algorithm's numbered lines), which the caller reads at the edge.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from paperlink.paper.model import ItemKind, Paper, PaperItem
from paperlink.suggest.words import latex_operators, latex_words, words

__all__ = ["Query", "queries", "math_symbols"]

_SUBSCRIPTED = re.compile(r"(\\?[A-Za-z]+)\s*_\s*\{?\s*([A-Za-z0-9]+)")
_SINGLE = re.compile(r"(?<![\\A-Za-z])([A-Za-z])(?![A-Za-z])")
_GREEK = re.compile(
    r"\\(alpha|beta|gamma|delta|epsilon|varepsilon|eta|theta|lambda|mu|nu|sigma|tau|phi|psi|omega|rho|pi)\b"
)
_MATH = re.compile(r"\$([^$]*)\$|\\\((.*?)\\\)")
_ALGORITHM_MARKUP = re.compile(
    r"\\(?:State|Statex|STATE|For|FOR|EndFor|ENDFOR|While|WHILE|If|IF|Else|Return|RETURN|Require|Ensure|REQUIRE|ENSURE|Comment|COMMENT|label\{[^}]*\}|bfseries|textbf|hfill|vspace\{[^}]*\}|strut)\b"
)

_CONTROL = (
    ("loop", re.compile(r"\\(?:For|FOR|ForAll|ForEach|While|WHILE|Repeat|REPEAT|Loop|LOOP)\b")),
    ("if", re.compile(r"\\(?:If|IF|ElsIf|ELSIF)\b")),
    ("return", re.compile(r"\\(?:Return|RETURN)\b")),
)


@dataclass(frozen=True)
class Query:
    """What to look for in code for one paper item."""

    item: PaperItem
    weights: Mapping[str, float]  # word -> how much it says about the item
    symbols: frozenset[str]  # math identifiers (``k1``, ``h``, ``alpha``)
    operators: frozenset[str]
    values: tuple[float, ...]  # a hyperparameter statement's value(s)
    text: str  # the item's own text, for evidence ("update velocity")
    section: str  # key of the section it sits in
    algorithm: str  # for an algorithm line: its algorithm's key
    control: str = ""  # for an algorithm line: "loop" (\\For, \\While), "if" or "return", as code would show it


def queries(paper: Paper, lines: Mapping[str, Sequence[str]], kinds: frozenset[ItemKind]) -> list[Query]:
    """One query per item of ``kinds`` that has anything to look for."""
    by_key = {item.key: item for item in paper.items}
    macros = {macro.name: macro.body for macro in paper.macros}
    found = []
    section = ""
    for item in paper.items:
        if item.kind is ItemKind.SECTION:
            section = item.key
        if item.kind not in kinds:
            continue
        query = _query(item, by_key, macros, lines, section)
        if query.weights or query.values:
            found.append(query)
    return found


def _query(
    item: PaperItem,
    by_key: Mapping[str, PaperItem],
    macros: Mapping[str, str],
    lines: Mapping[str, Sequence[str]],
    section: str,
) -> Query:
    weights: dict[str, float] = {}

    def add(found: Sequence[str], weight: float) -> None:
        for word in found:
            weights[word] = max(weights.get(word, 0.0), weight)

    text = item.title
    latex = item.latex
    control = ""
    if item.kind is ItemKind.ALGORITHM_LINE:
        raw = _line(item, lines)
        control = next((name for name, pattern in _CONTROL if pattern.search(raw)), "")
        latex = _ALGORITHM_MARKUP.sub(" ", raw)
        text = " ".join(latex_words(latex))
    expanded = _expand(latex, macros)
    for label in item.labels:
        add(words(label.split(":", 1)[-1]), 3.0)
    add(words(item.title), 3.0)
    add(latex_words(latex), 2.0)
    add(latex_words(expanded), 1.5)
    parent = by_key.get(item.parent or "")
    if parent is not None and parent.kind is not ItemKind.SECTION:
        add(words(parent.title), 0.5)
        if parent.kind is ItemKind.EQUATION and item.kind is ItemKind.EQUATION:
            # a sub-equation's lead-in is its group's: "measured by the negative cosine similarity" above
            # a subequations block names its first line as much as the block
            for sentence in parent.prose[:1]:
                add(latex_words(sentence)[:40], 0.7)
    for sentence in item.prose[:2] if item.kind is not ItemKind.ALGORITHM_LINE else ():
        add(latex_words(sentence)[:40], 0.7 if item.kind is not ItemKind.SECTION else 1.0)
    values: tuple[float, ...] = ()
    hyper = item.hyperparameter
    if hyper is not None:
        add(words(hyper.name), 3.0)
        add(latex_words(hyper.symbol), 2.0)
        if hyper.canonical:
            add(words(hyper.canonical), 3.0)
        if hyper.value is not None:
            values = (hyper.value,)
    return Query(
        item=item,
        weights=weights,
        symbols=frozenset(math_symbols(expanded) | math_symbols(latex)),
        operators=frozenset(latex_operators(expanded)),
        values=values,
        text=text or item.title or " ".join(list(weights)[:6]),
        section=section,
        algorithm=(item.parent or "") if item.kind is ItemKind.ALGORITHM_LINE else "",
        control=control,
    )


def _line(item: PaperItem, lines: Mapping[str, Sequence[str]]) -> str:
    """An algorithm line's text: its source line, up to the next ``\\State``."""
    source = lines.get(item.span.path, ())
    if not 0 < item.span.line <= len(source):
        return ""
    return source[item.span.line - 1]


def _expand(latex: str, macros: Mapping[str, str]) -> str:
    """``latex`` with argument-free user macros replaced by their bodies (one level)."""
    if not macros:
        return latex
    return re.sub(r"\\([A-Za-z]+)", lambda m: " " + macros.get(m.group(1), m.group(0)) + " ", latex)


def math_symbols(latex: str) -> set[str]:
    """Identifiers a formula uses, as code would spell them: ``k_1`` is ``k1``, ``\\alpha`` is ``alpha``."""
    pieces = [a or b for a, b in _MATH.findall(latex)] or [latex]
    found: set[str] = set()
    for piece in pieces:
        for base, subscript in _SUBSCRIPTED.findall(piece):
            base = base.lstrip("\\").lower()
            found.add(base)
            found.add(base + subscript.lower())
        found.update(name.lower() for name in _GREEK.findall(piece))
        found.update(letter.lower() for letter in _SINGLE.findall(_GREEK.sub(" ", re.sub(r"\\[A-Za-z]+", " ", piece))))
    return found
