"""Floats and what is numbered inside them: captions, sub-floats, tables, algorithms.

A caption steps its float's counter (algorithm2e steps at ``\\begin``); a table's rows
are offered to the hyperparameter reader once the caption is known.
"""

from __future__ import annotations

import re

from pylatexenc.latexwalker import LatexCharsNode, LatexEnvironmentNode, LatexGroupNode, LatexMacroNode

from paperlink.paper import hptables
from paperlink.paper.latex.host import _ReaderHost
from paperlink.paper.latex.nodes import (
    _ALGORITHM2E_LABELS,
    _LABEL,
    _RenamedArguments,
    _argument,
    _argument_text,
    _children,
    _find_macros,
    _plain,
    _table_rows,
)
from paperlink.paper.latex.state import (
    _ALGORITHMIC_ENDS,
    _ALGORITHMIC_LINES,
    _ALGPSEUDOCODE_ENDS,
    _ALGPSEUDOCODE_LINES,
    _FLOAT_KINDS,
    _Anchor,
    _File,
    _Float,
    _Item,
)
from paperlink.paper.model import ItemKind
from paperlink.spans import Span


def _placement(node: LatexEnvironmentNode) -> str:
    """The ``[htbp]``/``[H]`` option of a float, as written."""
    option = node.nodeargd.argnlist[0] if node.nodeargd is not None and node.nodeargd.argnlist else None
    return option.latex_verbatim().strip("[] ") if option is not None else ""


_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


class Floats(_ReaderHost):
    """Mixin of the LaTeX reader: figures, tables, sub-floats, captions and algorithms."""

    def _on_caption(self, node: LatexMacroNode, current: _File, counter: str | None = None) -> None:
        if counter is None:
            if not self.floats:  # a caption LaTeX would reject; its labels still count
                for argument in (_argument(node, 1), _argument(node, 2)):
                    if argument is not None:
                        self._walk([argument], current, prose=False)
                return
            counter = self.floats[-1].counter
        caption = _argument_text(node, 2) or ""
        host = self.floats[-1] if self.floats else None
        if _argument(node, 0) is not None:  # \caption*: no number, and labels get none
            self.anchors[-1] = _Anchor(None, None)
        elif (
            counter == "algocf"
            and host is not None
            and host.items
            and host.items[0].environment == "algocf"
            and not host.items[0].title
        ):
            host.items[0].title, host.items[0].latex = _plain(caption), caption  # stepped at \begin
        else:
            self._captioned(counter, caption, current.span(node.pos))
        for argument in (_argument(node, 1), _argument(node, 2)):
            if argument is not None:
                self._walk([argument], current, prose=False)
        text = _argument(node, 2)
        if text is not None:  # "averaged over 5 seeds", "at $D = 1$M": captions state settings too
            self._prose(current, text.pos, text.pos + text.len, diagnose=False)

    def _captioned(self, counter: str, caption: str, span: Span) -> _Item:
        """A numbered caption: step the float's counter and make it what labels see."""
        kind = _FLOAT_KINDS.get(counter, ItemKind.OTHER)
        item = self._new_item(kind, None, span, environment=counter, title=_plain(caption), latex=caption)
        parent = counter.replace("sub", "", 1) if counter.startswith("sub") else counter
        host = next((f for f in reversed(self.floats) if f.counter == parent), None)
        if host is not None and parent == counter and host.stepped_ahead:  # its sub-captions stepped it already
            item.number = self.counters.label_text(counter)
            self.anchors[-1] = _Anchor(item.number, item)
            host.stepped_ahead = host.captioned_above = False
        else:
            if host is not None and parent != counter and not (host.stepped_ahead or host.captioned_above):
                # caption numbers sub-floats by the caption that follows them: the first sub-caption of
                # a group steps the float's counter (restarting the letters) and that caption keeps the
                # number; a float with sub-captions and no caption of its own still takes a number
                if host.continued:
                    self.counters.add(parent, 1)
                else:
                    self.counters.step(parent)
                host.stepped_ahead = True
            item.number = self._refstep(counter, item)
            if host is not None and parent == counter:
                host.captioned_above = True
        if self.floats:
            self.floats[-1].items.append(item)
        return item

    def _captioned_algorithm2e(self, node: LatexMacroNode, current: _File) -> _Item:
        item = self._new_item(ItemKind.ALGORITHM, None, current.span(node.pos), environment="algocf")
        item.number = self._refstep("algocf", item)
        return item

    def _algorithm2e_body(self, node: LatexEnvironmentNode, current: _File) -> None:
        """Walk an algorithm2e float whose lines are numbered.

        Its line numbers are not modelled (lines count even when not printed, ``\\nl``
        counts twice): a label after a line (``\\;``) or inside a block gets no number,
        and the paper says so as a limitation.
        """
        after_line = False
        content = False  # text since the last line ended: a blank line ends it too
        unknown: list = []
        for child in node.nodelist:
            if isinstance(child, LatexCharsNode):
                if content and _PARAGRAPH_BREAK.search(child.chars):
                    after_line = True
                content = content or bool(child.chars.strip())
                continue
            if not isinstance(child, LatexMacroNode):
                content = True
                if isinstance(child, LatexGroupNode):
                    unknown.extend(_find_macros([child], _ALGORITHM2E_LABELS))
                continue
            if child.macroname == "caption":
                self._on_caption(child, current)
                after_line = False
            elif child.macroname in _ALGORITHM2E_LABELS:
                if after_line or child.macroname == "nllabel":
                    unknown.append(child)
                else:
                    self._bind_label(child, current)
            elif (
                child.macroname == ";"
                or child.nodeargd is not None
                and child.nodeargd.argnlist
                or child.macroname in ("KwRet", "Return")
            ):
                after_line = True
                content = False
                unknown.extend(_find_macros(_children(child), _ALGORITHM2E_LABELS))
            elif _children(child):
                unknown.extend(_find_macros(_children(child), _ALGORITHM2E_LABELS))
        for label in unknown:
            self._bind_label(label, current, _Anchor(None, None))
        if unknown:
            self._limitation(
                current.span(node.pos), "algorithm2e line numbers are not modelled; labels on its lines get no number"
            )

    def _on_subcaptionbox(self, node: LatexMacroNode, current: _File) -> None:
        """``\\subcaptionbox{caption}{body}`` (subcaption) and ``\\subfloat[caption]{body}`` (subfig)."""
        if not self.floats:
            return
        counter = "subtable" if self.floats[-1].counter == "table" else "subfigure"
        if node.macroname == "subcaptionbox":
            caption = _argument_text(node, 2)
        else:  # \subfloat[list entry][caption]{body}: a single optional argument is the caption
            caption = _argument_text(node, 1) if _argument(node, 1) is not None else _argument_text(node, 0)
        with self._group():
            if caption is not None:
                self._captioned(counter, caption, current.span(node.pos))
            self._walk(_children(node), current, prose=False)

    def _on_continued_float(self, node: LatexMacroNode, current: _File) -> None:
        """``\\ContinuedFloat``: the next caption repeats the previous number."""
        if self.floats:
            self.counters.add(self.floats[-1].counter, -1)
            self.floats[-1].continued = True

    def _on_captionof(self, node: LatexMacroNode, current: _File) -> None:
        kind = (_argument_text(node, 1) or "").strip()
        counter = {"figure": "figure", "table": "table", "algorithm": self.algorithm_counter}.get(kind, kind)
        if counter not in self.counters:
            return
        caption_node = _RenamedArguments(node, {2: 3, 1: 2})
        self._on_caption(caption_node, current, counter)

    def _float(self, node: LatexEnvironmentNode, current: _File, counter: str) -> None:
        if counter == "algorithm":  # algorithm2e's float is "algorithm", or "algorithm2e" with algo2e
            counter = "algocf" if node.environmentname == self.algorithm2e_environment else "algorithm"
        record = _Float(counter)
        self.floats.append(record)
        with self._group():
            if self.caption_package:  # caption marks a label before the caption as undefined
                self.anchors[-1] = _Anchor(None, None)
            if counter == "algocf" and _placement(node) == "H":
                # algorithm2e numbers a non-floating [H] algorithm at \begin, not at \caption
                record.items.append(self._captioned_algorithm2e(node, current))
            try:
                if counter == "algocf":
                    self._algorithm2e_body(node, current)
                else:
                    self._walk(node.nodelist, current, prose=False)
            finally:
                self.floats.pop()
        owner = record.items[0] if record.items else None
        for line in record.lines:
            if owner is not None:
                line.parent = owner
        if record.rows:
            self._table_hyperparameters(record.rows, owner)
        if owner is not None and owner.kind is ItemKind.TABLE:
            owner.latex = current.text[node.pos : node.pos + node.len]

    def _tabular(self, node: LatexEnvironmentNode, current: _File) -> None:
        rows = _table_rows(node, current)
        with self._group():
            self._walk(node.nodelist, current, prose=False)
        host = next((f for f in reversed(self.floats) if f.counter in ("table", "subtable")), None)
        if host is not None:
            host.rows.extend(rows)
        else:
            self._table_hyperparameters(rows, None)

    def _table_hyperparameters(self, rows: list[tuple[list[str], Span]], table: _Item | None) -> None:
        caption = table.title if table else ""
        heading = self.sections[-1].title if self.sections else ""
        for index, mention in hptables.mentions_in_table([cells for cells, _ in rows], caption, heading):
            self._hyperparameter(mention, rows[index][1], table)

    def _algorithmic(self, node: LatexEnvironmentNode, current: _File) -> None:
        options = node.nodeargd.argnlist[0] if node.nodeargd and node.nodeargd.argnlist else None
        counter = "ALC@line" if self.algorithm_style == "algorithmic" else "ALG@line"
        if counter not in self.counters:
            self.counters.new(counter)
        self.counters.set(counter, 0)
        lines = _ALGORITHMIC_LINES if self.algorithm_style == "algorithmic" else _ALGPSEUDOCODE_LINES
        ends = _ALGORITHMIC_ENDS if self.algorithm_style == "algorithmic" else _ALGPSEUDOCODE_ENDS
        if not self.algorithm_ends:
            lines = lines - ends
        numbered = options is not None
        host = self.floats[-1] if self.floats else None
        with self._group():
            if self.algorithm_style == "algpseudocode":  # algorithmicx makes line 0 current at the start
                self.anchors[-1] = _Anchor(self.counters.label_text(counter), None)
            for child in node.nodelist:
                if isinstance(child, LatexMacroNode) and child.macroname in lines:
                    item = self._new_item(
                        ItemKind.ALGORITHM_LINE, None, current.span(child.pos), environment="line", keep=numbered
                    )
                    item.number = self._refstep(counter, item)
                    if host is not None:
                        host.lines.append(item)
                        if host.items:
                            item.parent = host.items[0]
                if isinstance(child, LatexEnvironmentNode):
                    self._environment(child, current)  # a displayed equation inside a step
                elif isinstance(child, LatexMacroNode) and child.macroname == "label":
                    self._bind_label(child, current)
                elif child is not None and not isinstance(child, LatexCharsNode):
                    for label in _find_macros([child], _LABEL):
                        self._bind_label(label, current)
