"""Element ids of the page, and links to them that exist by construction.

Paper items get readable ids from their keys (``eq-loss``), code lines short ones from the
file's position (``f2-41``); an id is made only of ``[A-Za-z0-9_-]``, so no key or file
name, however hostile, can leave the attribute. A link is made only to an id that is on
the page (items are marked with :meth:`Anchors.show` as their views are built, so build
the paper view before anything that links to it); otherwise the reference stays plain text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from paperlink.paper import Paper, display_name
from paperlink.report.forge import Forge
from paperlink.report.views import Ref
from paperlink.source.notebook_layout import NotebookLayout
from paperlink.spans import Span

__all__ = ["Anchors", "slug"]

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def slug(text: str) -> str:
    return _UNSAFE.sub("-", text).strip("-")[:60] or "x"


class Anchors:
    """Ids for paper items and shown code lines; refs from spans and item keys.

    ``line_counts`` names the shown files in the order the page shows them.
    """

    def __init__(
        self,
        papers: Mapping[str, Paper],
        line_counts: Mapping[str, int],
        notebooks: Mapping[str, NotebookLayout] | None = None,
        forge: Forge | None = None,
        shown_lines: Mapping[str, frozenset[int]] | None = None,
    ) -> None:
        self.forge = forge
        self.shown_lines = dict(shown_lines or {})  # files the page shows only some lines of
        self.notebooks = dict(notebooks or {})  # shown notebooks: their lines are those of all cells in turn
        self._taken: set[str] = set()
        self._items: dict[tuple[str, str], tuple[str, str]] = {}  # (paper, key) -> (id, display)
        self.paper_ids = {name: self.unique(f"paper-{name}") for name in sorted(papers)}
        prefix = len(papers) > 1
        for name in sorted(papers):
            for item in papers[name].items:
                if (name, item.key) not in self._items:
                    base = f"{name}-{item.key}" if prefix else item.key
                    self._items[name, item.key] = (self.unique(base), display_name(item))
        self.file_ids = {path: self.unique(f"file-{path}") for path in line_counts}
        self._line_prefix = {path: f"f{index}" for index, path in enumerate(line_counts)}
        self._line_counts = dict(line_counts)
        self._shown: set[tuple[str, str]] = set()

    def show(self, paper: str, key: str) -> str:
        """The item's id, recorded as present on the page: only such items are linked to."""
        self._shown.add((paper, key))
        return self._items[paper, key][0]

    def unique(self, text: str) -> str:
        """A fresh id from ``text``: slugged, and numbered when the slug is already taken."""
        base = slug(text)
        candidate, number = base, 1
        while candidate in self._taken:
            number += 1
            candidate = f"{base}-{number}"
        self._taken.add(candidate)
        return candidate

    def item_ref(self, paper: str, key: str) -> Ref:
        found = self._items.get((paper, key))
        if found is None:
            return Ref(key)
        return Ref(found[1], f"#{found[0]}" if (paper, key) in self._shown else None, key)

    def line_id(self, path: str, line: int) -> str:
        return f"{self._line_prefix[path]}-{line}"

    def has_line(self, path: str, line: int) -> bool:
        shown = self.shown_lines.get(path)
        return 1 <= line <= self._line_counts.get(path, 0) and (shown is None or line in shown)

    def code_ref(self, path: str, line: int, detail: str = "") -> Ref:
        """``path:line``, linked to the line when the file is shown and has that line, and to the forge."""
        layout = self.notebooks.get(path)
        text = layout.to_cells(Span(path, line)).location if layout is not None else f"{path}:{line}"
        # a notebook's lines on the page are its cells' lines in turn, not the lines of its JSON
        permalink = self.forge.permalink(path, None if layout is not None else line) if self.forge else None
        if self.has_line(path, line):
            return Ref(text, f"#{self.line_id(path, line)}", detail, permalink)
        if path in self.file_ids:
            return Ref(text, f"#{self.file_ids[path]}", detail, permalink)
        return Ref(text, None, detail, permalink)
