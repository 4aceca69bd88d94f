"""How displayed equations are numbered: amsmath's environments and the kernel's eqnarray.

Each family has its own rules for where the counter steps and which number a
``\\label`` gets; they were worked out against pdflatex's .aux output
(tests/paper/latex_cases/02-05).
"""

from __future__ import annotations

from pylatexenc.latexwalker import LatexEnvironmentNode, LatexMacroNode, LatexNode

from paperlink.paper.latex.host import _ReaderHost
from paperlink.paper.latex.nodes import (
    _LABEL,
    _ROW_MARKERS,
    _argument_text,
    _content_start,
    _find_macros,
    _label_key,
    _last_tag,
    _math_source,
    _rows,
)
from paperlink.paper.latex.state import _ROW_NUMBERS, _Anchor, _File, _Item
from paperlink.paper.model import ItemKind
from paperlink.rules.paper_input import DroppedLabel


class DisplayMath(_ReaderHost):
    """Mixin of the LaTeX reader: numbering of equation, align, gather, eqnarray, subequations."""

    def _math(self, node: LatexEnvironmentNode, current: _File) -> None:
        """Number a display as amsmath (or the kernel, for eqnarray) would."""
        name = node.environmentname
        family = name.rstrip("*")
        numbered = not name.endswith("*")
        with self._group():
            if family in ("equation", "multline"):
                self._single_display(node, current, numbered=numbered)
            elif family == "eqnarray":
                self._eqnarray(node, current, numbered=numbered)
            elif family == "gather":
                self._gather(node, current, numbered=numbered)
            elif family in _ROW_NUMBERS:
                self._align(node, current, numbered=numbered)
            else:
                for label in _find_macros(node.nodelist, _LABEL):
                    self._bind_label(label, current)

    def _display_item(
        self, env: LatexEnvironmentNode, row: list[LatexNode], current: _File, tag: LatexMacroNode | None
    ) -> _Item:
        start = _content_start(row, env.pos)
        latex = _math_source(current.text, row)
        item = self._new_item(
            ItemKind.EQUATION, None, current.span(start), environment=env.environmentname, latex=latex
        )
        if tag is not None:
            item.number = (_argument_text(tag, 1) or "").strip()
            self.anchors[-1] = _Anchor(item.number, item)
        else:
            item.number = self._refstep("equation", item)
        return item

    def _single_display(self, env: LatexEnvironmentNode, current: _File, *, numbered: bool) -> None:
        """equation and multline: the counter steps at the start, and steps back if suppressed."""
        body = [n for n in env.nodelist if n is not None]
        markers = _find_macros(body, _ROW_MARKERS)
        tag = _last_tag(markers)
        labels = [m for m in markers if m.macroname == "label"]
        suppressed = any(m.macroname in ("nonumber", "notag") for m in markers)
        if tag is not None or (numbered and not suppressed):
            item = self._display_item(env, body, current, tag)
            pending, self.pending_labels = self.pending_labels, []
            for label in pending + labels:
                self._bind_label(label, current, _Anchor(item.number, item))
        elif numbered:  # \nonumber: labels see the number it would have had
            self.counters.add("equation", 1)
            anchor = _Anchor(self.counters.label_text("equation"), None)
            self.counters.add("equation", -1)
            for label in labels:
                self._bind_label(label, current, anchor)
        elif env.environmentname == "multline*":
            self.pending_labels.extend(labels)  # amsmath keeps them for the next tag
        else:
            for label in labels:
                self._bind_label(label, current)

    def _align(self, env: LatexEnvironmentNode, current: _File, *, numbered: bool) -> None:
        """align and friends: a label waits for the next row of the display that has a number."""
        pending: list = []
        for row in _rows(env.nodelist):
            markers = _find_macros(row, _ROW_MARKERS)
            pending.extend(m for m in markers if m.macroname == "label")
            tag = _last_tag(markers)
            suppressed = any(m.macroname in ("nonumber", "notag") for m in markers)
            if tag is None and (not numbered or suppressed):
                continue
            item = self._display_item(env, row, current, tag)
            for label in pending:
                self._bind_label(label, current, _Anchor(item.number, item))
            pending = []
        for label in pending:
            self._diagnose(
                current.span(label.pos),
                DroppedLabel,
                f"label '{_label_key(label)}' is on a row without a number; LaTeX drops it",
            )

    def _gather(self, env: LatexEnvironmentNode, current: _File, *, numbered: bool) -> None:
        """gather: each row is a group, so a label in an unnumbered row sees the outer label."""
        outer = self.anchors[-1]
        for row in _rows(env.nodelist):
            markers = _find_macros(row, _ROW_MARKERS)
            tag = _last_tag(markers)
            suppressed = any(m.macroname in ("nonumber", "notag") for m in markers)
            anchor = outer
            if tag is not None or (numbered and not suppressed):
                item = self._display_item(env, row, current, tag)
                anchor = _Anchor(item.number, item)
            for label in (m for m in markers if m.macroname == "label"):
                self._bind_label(label, current, anchor)
            self.anchors[-1] = outer

    def _eqnarray(self, env: LatexEnvironmentNode, current: _File, *, numbered: bool) -> None:
        """The kernel's eqnarray steps before each row and steps back once at the end."""
        self.counters.step("equation")
        for row in _rows(env.nodelist):
            markers = _find_macros(row, _ROW_MARKERS)
            row_numbered = numbered and not any(m.macroname in ("nonumber", "notag") for m in markers)
            anchor = _Anchor(self.counters.label_text("equation"), None)
            if row_numbered:
                start = _content_start(row, env.pos)
                item = self._new_item(
                    ItemKind.EQUATION,
                    anchor.number,
                    current.span(start),
                    environment=env.environmentname,
                    latex=_math_source(current.text, row),
                )
                anchor = _Anchor(anchor.number, item)
            for label in (m for m in markers if m.macroname == "label"):
                self._bind_label(label, current, anchor)
            if row_numbered:
                self.counters.step("equation")
        self.counters.add("equation", -1)

    def _subequations(self, node: LatexEnvironmentNode, current: _File) -> None:
        counters = self.counters
        item = self._new_item(ItemKind.EQUATION, None, current.span(node.pos), environment="subequations")
        with self._group():
            item.number = self._refstep("equation", item)
            parent_value = counters.value("equation")
            # amsmath freezes the parent's printed number in \theparentequation.
            counters.new("parentequation")
            counters.set_template("parentequation", (("text", counters.the("equation")),))
            self._set_template_locally("equation", (("the", "parentequation"), ("value", "equation", "alph")))
            counters.set("equation", 0)
            outer, self.equation_group = self.equation_group, item
            try:
                self._walk(node.nodelist, current, prose=True)
            finally:
                counters.set("equation", parent_value)
                self.equation_group = outer
        item.latex = "\n".join(i.latex for i in self.items if i.parent is item)
