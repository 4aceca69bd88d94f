"""The LaTeX reader: files in document order, one pylatexenc parse each, one walk.

Sectioning, labels, counters, theorems, lists and footnotes live here; displayed
equations in :mod:`.displays`, floats and algorithms in :mod:`.floats`.
"""

from __future__ import annotations

import bisect
import re
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from pylatexenc.latexwalker import (
    LatexCharsNode,
    LatexEnvironmentNode,
    LatexGroupNode,
    LatexMacroNode,
    LatexMathNode,
    LatexNode,
)

from paperlink import boundary
from paperlink.diagnostics import Diagnostic
from paperlink.paper import hpdirectives, hyperparams
from paperlink.paper.latex.counting import Counting
from paperlink.paper.latex.displays import DisplayMath
from paperlink.paper.latex.floats import Floats
from paperlink.paper.latex.nodes import (
    _LABEL,
    ParseBudgetExceeded,
    _Walker,
    _argument,
    _argument_text,
    _children,
    _find_macros,
    _has_argument,
    _label_key,
    _leading_option,
    _plain,
    context_for,
)
from paperlink.paper.latex.state import (
    _FLOATS,
    _LIST_COUNTERS,
    _LISTS,
    _MAX_INCLUDE_DEPTH,
    _MAX_NESTING,
    _MAX_SYNTAX_DIAGNOSTICS,
    _ROW_NUMBERS,
    _SECTION_LEVELS,
    _SINGLE_NUMBER,
    _SKIPPED_ENVIRONMENTS,
    _TABULARS,
    _UNNUMBERED_MATH,
    _Anchor,
    _assign_keys,
    _conflicting_hyperparameters,
    _File,
    _Float,
    _freeze,
    _Item,
)
from paperlink.paper.model import ItemKind, Limitation, MacroDefinition, Paper
from paperlink.paper.numbering import Counters, Template
from paperlink.paper.prose import ProseFinder
from paperlink.paper.texscan import PLACEHOLDER, MacroTable, expand_in_prose, generated_definitions, prepare
from paperlink.rules.base import Rule
from paperlink.rules.paper_input import (
    DuplicateLabel,
    IncludeCycle,
    IncludeOutsidePaper,
    MalformedLatex,
    NumberingUnknown,
    PaperFileMissing,
    PaperNotUtf8,
)
from paperlink.spans import LineIndex, Span, relative_path

__all__ = ["read_latex_paper"]


class _LatexReader(Counting, DisplayMath, Floats):
    """Reads one paper. Holds the mutable state of a single pass over the document."""

    def __init__(self, main: Path, root: Path) -> None:
        self.main = main
        self.root = root
        self.paper_dir = main.parent.resolve()
        self.counters = Counters()
        self.items: list[_Item] = []
        self.anchors: list[_Anchor] = [_Anchor("", None)]
        self.sections: list[_Item] = []
        self.floats: list[_Float] = []
        self.lists: list[str] = []
        self.diagnostics: list[Diagnostic] = []
        self.limitations: list[Limitation] = []
        self.files: list[str] = []
        self.prose: dict[str, ProseFinder] = {}  # each file's raw lines, for the prose around its items
        self.include_stack: list[Path] = []
        self.macros = MacroTable.empty()
        self.package_macros: dict[str, MacroDefinition] = {}
        self.theorems: dict[str, tuple[str | None, str]] = {}  # env -> (counter, printed name)
        self.labels_seen: dict[str, Span] = {}
        self.label_owners: dict[str, _Item] = {}  # the item each label is on now
        self.document_class = ""
        self.title = ""
        self.authors: tuple[str, ...] = ()
        self.mainmatter = True
        self.in_appendix = False
        self.algorithm_counter = "algorithm"
        self.algorithm_ends = True
        self.algorithm_style = "algpseudocode"
        self.depth = 0
        self.pending_labels: list = []  # multline* labels waiting for a tag
        self.template_frames: list[dict] = []  # per open group: \the<counter> to restore
        self.chapter_folder: Path | None = None  # chapterfolder's current folder
        self.exempt_lines: set[tuple[str, int]] = set()  # lines with `% paperlink: not-implemented`
        self.hp_directives: list[hpdirectives.Directive] = []  # `% paperlink: hp ...` and `not-hp`
        self.equation_group: _Item | None = None  # the open subequations block: parent of its rows
        self.caption_package = False
        self.algorithm2e_environment = ""  # "algorithm", or "algorithm2e" with the algo2e option
        self.minipages = 0
        self.document_ended = False
        self._setup_article()

    # -- document class -------------------------------------------------------------

    def relative(self, path: Path) -> str:
        return relative_path(path, self.root)

    def read_main(self) -> None:
        self._read_file(self.main, self.main.parent, None, subfile=False)

    def _read_file(self, path: Path, base: Path, origin: Span | None, *, subfile: bool) -> None:
        text = self._decode(path, origin)
        if text is None:
            return
        relative = self.relative(path)
        self.files.append(relative)
        self.prose.setdefault(relative, ProseFinder(text))
        self.exempt_lines.update((relative, line) for line in _exemption_lines(text))
        self.hp_directives.extend(hpdirectives.directives_in(text, relative))
        prepared = prepare(text, self.macros)
        index = LineIndex(relative, prepared.text)
        current = _File(path, relative, prepared.text, index, prepared.definitions, base)
        for offset, message in prepared.problems:
            self._diagnose(current.span(offset), MalformedLatex, message)
        walker = _Walker(prepared.text, context_for(self.macros.macros))
        try:
            nodes = walker.get_latex_nodes()[0]
        except (RecursionError, Exception) as error:  # noqa: BLE001 - pylatexenc on hostile input
            if isinstance(error, ParseBudgetExceeded):
                self._diagnose(current.span(error.pos), MalformedLatex, f"cannot parse this file: {error}")
                return
            self._diagnose(current.span(0), MalformedLatex, f"cannot parse this file: {type(error).__name__}")
            return
        self._report_syntax(current, walker.errors)
        known = len(self.macros.macros)
        self.include_stack.append(path.resolve())
        try:
            if subfile:
                nodes = self._subfile_body(nodes)
            self._walk(nodes, current, prose=True)
        finally:
            self.include_stack.pop()
        if len(self.macros.macros) > known:  # prepare() saw every definer known before the walk
            # uses of a defining macro that a file \input here declared (duvenaud's \declareHumble)
            for macro in generated_definitions(prepared.text, self.macros.macros):
                self.macros.macros.setdefault(macro.name, macro)

    def _decode(self, path: Path, origin: Span | None) -> str | None:
        try:
            data = boundary.read_bytes(path, self.paper_dir, where="the paper's folder")
        except OSError as error:
            span = origin or Span(self.relative(path), 1)
            self._diagnose(span, PaperFileMissing, f"cannot read {self.relative(path)}: {error.strerror or error}")
            return None
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1  # read as Latin-1: a byte is a character
            self._diagnose(
                Span(self.relative(path), line, column),
                PaperNotUtf8,
                f"file is not valid UTF-8 (byte 0x{data[error.start]:02x}); read as Latin-1",
            )
            return data.decode("latin-1")

    def _report_syntax(self, current: _File, errors: list[tuple[int, str]]) -> None:
        seen: set[int] = set()
        for offset, message in errors:
            span = current.span(offset)
            if span.line in seen or len(seen) >= _MAX_SYNTAX_DIAGNOSTICS:
                continue
            seen.add(span.line)
            self._diagnose(span, MalformedLatex, f"malformed LaTeX: {message.strip().rstrip('.')}")

    def _subfile_body(self, nodes: Sequence[LatexNode | None]) -> Sequence[LatexNode | None]:
        for node in nodes:
            if isinstance(node, LatexEnvironmentNode) and node.environmentname == "document":
                return node.nodelist
        return nodes

    def _include(
        self, node: LatexMacroNode, current: _File, name: str | None, base: Path, *, subfile: bool = False
    ) -> None:
        span = current.span(node.pos)
        if not name or not name.strip():
            return
        name = name.strip()
        if Path(name).suffix.lower() in _PICTURE_FILES:  # drawing code (matplotlib's .pgf): no structure
            return
        candidates = [base / name] if name.endswith(".tex") else [base / f"{name}.tex", base / name]
        target = next((c for c in candidates if _is_file(c)), None)
        # kpathsea (TeX Live's default texmf_casefold_search) falls back to a file whose name differs in case
        target = target or next((f for f in map(_case_folded, candidates) if f is not None), None)
        if target is None:
            self._diagnose(
                span, PaperFileMissing, f"included file '{name}' not found (looked in {self.relative(base) or '.'})"
            )
            return
        resolved = target.resolve()
        if not resolved.is_relative_to(self.paper_dir):
            self._diagnose(span, IncludeOutsidePaper, f"included file '{name}' is outside the paper folder; not read")
            return
        if resolved in self.include_stack:
            self._diagnose(span, IncludeCycle, f"include cycle: '{name}' is already being read")
            return
        if len(self.include_stack) >= _MAX_INCLUDE_DEPTH:
            self._diagnose(
                span, IncludeCycle, f"includes nested more than {_MAX_INCLUDE_DEPTH} deep; '{name}' not read"
            )
            return
        self._read_file(target, base if not subfile else self.main.parent, span, subfile=subfile)

    # -- diagnostics --------------------------------------------------------------------

    def _diagnose(self, span: Span, rule: type[Rule], message: str) -> None:
        self.diagnostics.append(rule.at(span, message))

    # -- the walk -----------------------------------------------------------------------

    def _walk(self, nodes: Sequence[LatexNode | None], current: _File, *, prose: bool) -> None:
        if self.depth >= _MAX_NESTING:
            if nodes:
                first = next((n for n in nodes if n is not None), None)
                if first is not None:
                    self._diagnose(
                        current.span(first.pos),
                        MalformedLatex,
                        "LaTeX nested too deeply; the rest of this group is skipped",
                    )
            return
        self.depth += 1
        try:
            self._walk_nodes(nodes, current, prose)
        finally:
            self.depth -= 1

    def _walk_nodes(self, nodes: Sequence[LatexNode | None], current: _File, prose: bool) -> None:
        run_start: int | None = None
        run_end = 0
        for node in nodes:
            if node is None:
                continue
            if self.document_ended:  # TeX stops reading at \end{document}
                return
            if isinstance(node, LatexCharsNode):
                run_start = node.pos if run_start is None else run_start
                run_end = node.pos + node.len
                continue
            if isinstance(node, LatexMathNode):
                if node.displaytype == "inline":
                    run_start = node.pos if run_start is None else run_start
                    run_end = node.pos + node.len
                else:
                    for label in _find_macros(node.nodelist, _LABEL):
                        self._bind_label(label, current)
                continue
            if isinstance(node, LatexMacroNode) and node.macroname not in _MACRO_HANDLERS:
                if node.nodeargd is not None and node.nodeargd.argnlist:
                    self._walk(_children(node), current, prose=False)
                run_start = node.pos if run_start is None else run_start
                run_end = node.pos + node.len
                continue
            if isinstance(node, LatexGroupNode):
                with self._group():
                    self._walk(node.nodelist, current, prose=False)
                run_start = node.pos if run_start is None else run_start
                run_end = node.pos + node.len
                continue
            if prose and run_start is not None:
                self._prose(current, run_start, run_end)
            run_start = None
            if isinstance(node, LatexMacroNode):
                _MACRO_HANDLERS[node.macroname](self, node, current)
            elif isinstance(node, LatexEnvironmentNode):
                self._environment(node, current)
            for problem in dict.fromkeys(self.counters.problems):  # budgets hit while numbering this node
                self._diagnose(current.span(node.pos), MalformedLatex, problem)
            self.counters.problems.clear()
        if prose and run_start is not None:
            self._prose(current, run_start, run_end)

    def _prose(self, current: _File, start: int, end: int, *, diagnose: bool = True) -> None:
        text = current.text[start:end]
        problems: list[tuple[int, str]] = []
        expanded = expand_in_prose(text, self.macros, problems)
        same_place = None if expanded is text else _same_places(text, expanded)
        for offset, message in problems if diagnose else ():  # at offsets in the expanded text
            place = offset if same_place is None else same_place(offset)
            self._diagnose(current.span(start + place), MalformedLatex, message)
        for mention in hyperparams.mentions_in_text(expanded):
            offset = mention.start if same_place is None else same_place(mention.start)
            self._hyperparameter(mention, current.span(start + offset), None)

    def _hyperparameter(self, mention: hyperparams.Mention, span: Span, table: _Item | None) -> None:
        value = hyperparams.statement(mention, [s.title for s in self.sections], appendix=self.in_appendix)
        item = _Item(
            ItemKind.HYPERPARAMETER,
            None,
            span,
            environment="table" if table else "text",
            title=mention.name,
            latex=mention.raw,
            parent=table or self._section(),
            hyperparameter=value,
            key=f"hp:{mention.key}",
        )
        self.items.append(item)

    @contextmanager
    def _group(self) -> Iterator[None]:
        """A TeX group: ``\\@currentlabel`` and ``\\the<counter>`` definitions made inside
        are undone at its end (counter values are global, as in TeX)."""
        self.anchors.append(self.anchors[-1])
        self.template_frames.append({})
        try:
            yield
        finally:
            self.anchors.pop()
            for counter, template in self.template_frames.pop().items():
                self.counters.set_template(counter, template)

    def _set_template_locally(self, counter: str, template: Template) -> None:
        """``\\renewcommand{\\the<counter>}``: in force until the current group ends."""
        if self.template_frames:
            self.template_frames[-1].setdefault(counter, self.counters.template(counter))
        self.counters.set_template(counter, template)

    def _section(self) -> _Item | None:
        return self.sections[-1] if self.sections else None

    def _new_item(self, kind: ItemKind, number: str | None, span: Span, **fields: Any) -> _Item:
        group = self.equation_group if kind is ItemKind.EQUATION else None
        fields.setdefault("parent", group or self._section())
        fields.setdefault("appendix", self.in_appendix)
        item = _Item(kind, number, span, **fields)
        self.items.append(item)
        return item

    def _refstep(self, counter: str, item: _Item | None) -> str:
        """``\\refstepcounter``: step, and make the new value what ``\\label`` sees."""
        self.counters.step(counter)
        number = self.counters.label_text(counter)
        self.anchors[-1] = _Anchor(number, item)
        return number

    def _bind_label(self, node: LatexMacroNode, current: _File, anchor: _Anchor | None = None) -> None:
        key = _label_key(node)
        if not key:
            return
        span = current.span(node.pos)
        anchor = anchor or self.anchors[-1]
        if key in self.labels_seen:
            first = self.labels_seen[key]
            self._diagnose(span, DuplicateLabel, f"label '{key}' is also defined at {first}; LaTeX uses the last one")
            earlier = self.label_owners[key]  # as LaTeX does: the last \newlabel read from the .aux is the one used
            earlier.labels.remove(key)
            earlier.keep = earlier.keep and (bool(earlier.labels) or earlier.environment != "label")
        self.labels_seen[key] = span
        item = anchor.item
        if item is None or item.kind is ItemKind.HYPERPARAMETER:
            item = self._new_item(ItemKind.OTHER, anchor.number, span, environment="label")
        item.labels.append(key)
        self.label_owners[key] = item
        item.keep = True

    # -- macros -------------------------------------------------------------------------

    def _on_section(self, node: LatexMacroNode, current: _File, name: str | None = None) -> None:
        name = name or node.macroname
        if not _has_argument(node, 2):  # \titleformat{\section}...: named, not used
            return
        level = _SECTION_LEVELS[name]
        starred = _argument(node, 0) is not None
        depth = self.counters.value("secnumdepth")
        numbered = not starred and level <= depth and (name != "chapter" or self.mainmatter)
        span = current.span(node.pos)
        title_latex = _argument_text(node, 2) or ""
        while self.sections and self.sections[-1].level >= level:
            self.sections.pop()
        item = self._new_item(
            ItemKind.SECTION,
            None,
            span,
            environment=name,
            title=_plain(title_latex),
            latex=title_latex,
            level=level,
        )
        if numbered:
            item.number = self._refstep(name, item)
        self.sections.append(item)
        title = _argument(node, 2)
        if title is not None:
            self._walk([title], current, prose=False)

    def _on_chapter_folder(self, node: LatexMacroNode, current: _File) -> None:
        """chapterfolder: ``\\cfchapter{title}{folder}{file}`` is a chapter read from its folder,
        whose ``\\cfinput{file}`` lines are relative to that folder."""
        folder = (_argument_text(node, 3) or "").strip()
        self._on_section(node, current, name=node.macroname.removeprefix("cf"))
        saved, self.chapter_folder = self.chapter_folder, current.base / folder
        try:
            self._include(node, current, _argument_text(node, 4), self.chapter_folder)
        finally:
            self.chapter_folder = saved

    def _on_chapter_folder_input(self, node: LatexMacroNode, current: _File) -> None:
        self._include(node, current, _argument_text(node, 0), self.chapter_folder or current.base)

    def _on_label(self, node: LatexMacroNode, current: _File) -> None:
        self._bind_label(node, current)

    def _on_appendix(self, node: LatexNode, current: _File) -> None:
        self.in_appendix = True
        counters = self.counters
        if "chapter" in counters:  # a chapter class, or a class shipped with the paper built on one
            counters.set("chapter", 0)
            counters.set("section", 0)
            counters.set_template("chapter", (("value", "chapter", "Alph"),))
        else:
            counters.set("section", 0)
            counters.set("subsection", 0)
            counters.set_template("section", (("value", "section", "Alph"),))
        if self.document_class == "elsarticle":  # its \appendix numbers floats and equations within appendices
            counters.set("equation", 0)
            counters.add_reset("equation", "section")
            for counter in ("subsection", "figure", "table", "equation", "theorem"):
                if counter in counters:
                    counters.set_template(
                        counter, (("value", "section", "Alph"), ("text", "."), ("value", counter, "arabic"))
                    )

    def _on_matter(self, node: LatexMacroNode, current: _File) -> None:
        self.mainmatter = node.macroname == "mainmatter"

    def _on_input(self, node: LatexMacroNode, current: _File) -> None:
        self._include(node, current, _argument_text(node, 0), current.base)

    def _on_subfile(self, node: LatexMacroNode, current: _File) -> None:
        self._include(node, current, _argument_text(node, 0), current.base, subfile=True)

    def _on_import(self, node: LatexMacroNode, current: _File) -> None:
        relative = node.macroname.startswith("sub")
        directory = _argument_text(node, 1 if node.macroname == "subimport" else 0) or ""
        name = _argument_text(node, 2 if node.macroname == "subimport" else 1)
        origin = current.path.parent if relative else self.main.parent
        base = origin / directory.strip()
        self._include(node, current, name, base)

    def _on_title(self, node: LatexMacroNode, current: _File) -> None:
        text = _argument_text(node, 0) or ""
        if node.macroname == "title":
            self.title = _plain(text)
        else:
            self.authors = tuple(a for a in (_plain(p) for p in re.split(r"\\and\b|\\\\", text)) if a)

    def _on_ignored(self, node: LatexMacroNode, current: _File) -> None:
        """Macros that only matter inside math or algorithms, where they are read directly."""

    # -- environments -------------------------------------------------------------------

    def _environment(self, node: LatexEnvironmentNode, current: _File) -> None:
        name = node.environmentname
        if name in _SINGLE_NUMBER or name in _ROW_NUMBERS or name in _UNNUMBERED_MATH:
            self._math(node, current)
        elif name == "subequations":
            self._subequations(node, current)
        elif name in _FLOATS:
            self._float(node, current, _FLOATS[name])
        elif name == "algorithmic":
            self._algorithmic(node, current)
        elif name in self.theorems:
            self._theorem(node, current)
        elif name in ("restatable", "restatable*") and (_argument_text(node, 1) or "").strip() in self.theorems:
            self._theorem(node, current, (_argument_text(node, 1) or "").strip())  # thmtools: a theorem kept to restate
        # the appendix package's environment form of \appendix, and \begin{appendix}, which runs \appendix
        elif name in ("appendices", "appendix"):
            self._on_appendix(node, current)
            self._walk(node.nodelist, current, prose=True)
        elif name in _LISTS:
            self._list(node, current)
        elif name in _TABULARS:
            self._tabular(node, current)
        elif name in _SKIPPED_ENVIRONMENTS or name in self.macros.excluded:
            return
        elif name == "minipage":
            self.minipages += 1
            self.counters.set("mpfootnote", 0)
            with self._group():
                self._walk(node.nodelist, current, prose=True)
            self.minipages -= 1
        elif name == "document":
            self._walk(node.nodelist, current, prose=True)
            self.document_ended = True
        else:
            with self._group():
                self._walk(node.nodelist, current, prose=True)

    def _theorem(self, node: LatexEnvironmentNode, current: _File, name: str | None = None) -> None:
        counter, printed = self.theorems[name or node.environmentname]
        with self._group():
            if counter is not None:
                title = _leading_option(node)
                item = self._new_item(ItemKind.THEOREM, None, current.span(node.pos), environment=printed, title=title)
                item.number = self._refstep(counter, item)
                item.latex = current.text[node.pos : node.pos + node.len]
            self._walk(node.nodelist, current, prose=True)

    def _list(self, node: LatexEnvironmentNode, current: _File) -> None:
        numbered = node.environmentname.rstrip("*") == "enumerate"
        self.lists.append("enumerate" if numbered else "other")
        with self._group():
            depth = sum(1 for k in self.lists if k == "enumerate")
            if numbered and depth <= 4:
                counter = _LIST_COUNTERS[depth - 1]
                self.counters.set(counter, 0)
                template = _list_label_template(_argument_text(node, 0) or "", counter)
                if template is not None:
                    self._set_template_locally(counter, template)
            try:
                self._walk(node.nodelist, current, prose=True)
            finally:
                self.lists.pop()

    def _limitation(self, span: Span, message: str) -> None:
        self.limitations.append(Limitation(message, span))
        self._diagnose(span, NumberingUnknown, message)

    # -- result ---------------------------------------------------------------------------

    def _prose_around(self, span: Span) -> tuple[str, ...]:
        finder = self.prose.get(span.path)
        return finder.around(span) if finder is not None else ()

    def paper(self, name: str) -> Paper:
        kept = [item for item in self.items if item.keep]
        _unify_adam_keys(kept)
        _assign_keys(kept)
        items = tuple(_freeze(item, self._prose_around(item.span)) for item in kept)
        items, problems = hpdirectives.apply_directives(items, self.hp_directives)
        diagnostics = [*self.diagnostics, *problems]
        diagnostics.extend(_conflicting_hyperparameters(items))
        return Paper(
            name=name,
            source=self.relative(self.main),
            title=self.title,
            authors=self.authors,
            document_class=self.document_class,
            items=items,
            macros=tuple(sorted({**self.package_macros, **self.macros.macros}.values(), key=lambda m: m.name)),
            limitations=tuple(self.limitations),
            diagnostics=tuple(sorted(set(diagnostics))),
            files=tuple(self.files),
            not_implemented=tuple(
                sorted(key for key, span in self.labels_seen.items() if (span.path, span.line) in self.exempt_lines)
            ),
        )


_LIST_STYLE = re.compile(r"\\(arabic|alph|Alph|roman|Roman)\*")
_SHORT_LABEL = re.compile(r"(?<!\\)[1aAiI]")
_SHORT_STYLES = {"1": "arabic", "a": "alph", "A": "Alph", "i": "roman", "I": "Roman"}


_EXEMPTION = re.compile(r"(?<!\\)%[^\n]*?paperlink\s*:\s*not-implemented\b", re.IGNORECASE)


def _exemption_lines(text: str) -> list[int]:
    """Lines holding ``% paperlink: not-implemented``: labels on them are exempt from PL110.

    Read from the raw text, because comments are blanked before parsing."""
    if "not-implemented" not in text:
        return []
    return [text.count("\n", 0, match.start()) + 1 for match in _EXEMPTION.finditer(text)]


def _same_places(original: str, expanded: str) -> Callable[[int], int]:
    """Maps an offset in ``expanded`` to the offset in ``original`` on the same line (expansion
    keeps lines, not columns); the lines are found once, so many mentions cost no more."""
    original_starts = _line_starts(original)
    expanded_starts = _line_starts(expanded)

    def same_place(offset: int) -> int:
        line = bisect.bisect_right(expanded_starts, offset) - 1
        column = offset - expanded_starts[line]
        start = original_starts[min(line, len(original_starts) - 1)]
        end = original_starts[line + 1] - 1 if line + 1 < len(original_starts) else len(original)
        return start + min(column, end - start)

    return same_place


def _line_starts(text: str) -> list[int]:
    return [0, *(match.end() for match in re.finditer("\n", text))]


_PICTURE_FILES = frozenset({".pgf", ".tikz", ".pdf_tex", ".pstex_t", ".eps_tex", ".pgf_tex"})


def _list_label_template(options: str, counter: str) -> Template | None:
    """The reference format an enumerate's options give its items, or None to keep the default.

    enumitem's ``label=``/``ref=`` (``(\\alph*)``) and the short form of enumitem and the
    enumerate package (``[(1)]``, ``[a)]``, ``[(i), mode=unboxed]``), whose first 1, a, A, i
    or I is the number.
    """
    keys: dict[str, str] = {}
    short = None
    for key, value in _option_items(options):
        if value is None:
            short = short if short is not None else key
        else:
            keys[key] = value
    if "ref" in keys or "label" in keys:
        return _starred_label(keys.get("ref", keys.get("label", "")), counter)
    if not short:
        return None
    number = _SHORT_LABEL.search(short)
    if number is None or "\\" in short:
        return None
    outside = lambda text: text.replace("{", "").replace("}", "")  # noqa: E731
    return (
        ("text", outside(short[: number.start()])),
        ("value", counter, _SHORT_STYLES[number.group()]),
        ("text", outside(short[number.end() :])),
    )


def _starred_label(form: str, counter: str) -> Template | None:
    """``(\\alph*)`` as a template; None when other macros format it."""
    parts: list[tuple[str, ...]] = []
    for piece in re.split(r"(\\(?:arabic|alph|Alph|roman|Roman)\*)", form.replace("{", "").replace("}", "")):
        style = _LIST_STYLE.fullmatch(piece)
        if style:
            parts.append(("value", counter, style.group(1)))
        elif "\\" in piece:
            return None
        elif piece:
            parts.append(("text", piece))
    return tuple(parts)


def _option_items(options: str) -> Iterator[tuple[str, str | None]]:
    """``(key, value)`` for ``key=value`` and ``(item, None)`` for a bare item; commas in braces kept."""
    depth = 0
    start = 0
    for index, char in enumerate(options + ","):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if char == "," and depth == 0:
            item = options[start:index].strip()
            start = index + 1
            if not item:
                continue
            key, equals, value = item.partition("=")
            yield (key.strip(), value.strip()) if equals else (item, None)


def _unify_adam_keys(items: list[_Item]) -> None:
    """A bare ``beta_1`` in a table of a paper whose text says Adam's is Adam's ``beta_1``."""
    keys = {item.key for item in items if item.kind is ItemKind.HYPERPARAMETER}
    for item in items:
        if item.kind is ItemKind.HYPERPARAMETER and item.key in ("hp:beta1", "hp:beta2", "hp:eps"):
            adam_key = "hp:adam." + item.key.removeprefix("hp:")
            if adam_key in keys:
                item.key = adam_key


_MACRO_HANDLERS = {
    **{name: _LatexReader._on_section for name in _SECTION_LEVELS},
    "label": _LatexReader._on_label,
    "cfchapter": _LatexReader._on_chapter_folder,
    "cfsection": _LatexReader._on_chapter_folder,
    "cfinput": _LatexReader._on_chapter_folder_input,
    "caption": _LatexReader._on_caption,
    "subcaptionbox": _LatexReader._on_subcaptionbox,
    "subfloat": _LatexReader._on_subcaptionbox,
    "ContinuedFloat": _LatexReader._on_continued_float,
    "captionof": _LatexReader._on_captionof,
    "appendix": _LatexReader._on_appendix,
    "frontmatter": _LatexReader._on_matter,
    "mainmatter": _LatexReader._on_matter,
    "backmatter": _LatexReader._on_matter,
    "input": _LatexReader._on_input,
    "include": _LatexReader._on_input,
    "subfile": _LatexReader._on_subfile,
    "import": _LatexReader._on_import,
    "subimport": _LatexReader._on_import,
    "inputfrom": _LatexReader._on_import,
    "subinputfrom": _LatexReader._on_import,
    "numberwithin": _LatexReader._on_numberwithin,
    "counterwithin": _LatexReader._on_counterwithin,
    "counterwithout": _LatexReader._on_counterwithin,
    "setcounter": _LatexReader._on_counter_value,
    "addtocounter": _LatexReader._on_counter_value,
    "stepcounter": _LatexReader._on_stepcounter,
    "refstepcounter": _LatexReader._on_stepcounter,
    "newcounter": _LatexReader._on_newcounter,
    "newtheorem": _LatexReader._on_newtheorem,
    "spnewtheorem": _LatexReader._on_newtheorem,
    "item": _LatexReader._on_item,
    "footnote": _LatexReader._on_footnote,
    "footnotemark": _LatexReader._on_footnotemark,
    "footnotetext": _LatexReader._on_footnotetext,
    PLACEHOLDER: _LatexReader._on_definition,
    "documentclass": _LatexReader._on_documentclass,
    "usepackage": _LatexReader._on_usepackage,
    "title": _LatexReader._on_title,
    "author": _LatexReader._on_title,
    "tag": _LatexReader._on_ignored,
    "nonumber": _LatexReader._on_ignored,
    "notag": _LatexReader._on_ignored,
}


def _is_file(path: Path) -> bool:
    """``path.is_file()``, false where the name itself is impossible (too long, a null byte)."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def _case_folded(path: Path) -> Path | None:
    """The one file whose name equals ``path``'s but for case, in a folder that exists as written."""
    try:
        folder = path.parent
        wanted = path.name.casefold()
        matches = [entry for entry in folder.iterdir() if entry.name.casefold() == wanted and entry.is_file()]
    except (OSError, ValueError):
        return None
    return matches[0] if len(matches) == 1 else None


def read_latex_paper(main: Path, *, name: str, root: Path) -> Paper:
    """Read the paper whose main file is ``main``; spans are relative to ``root``."""
    reader = _LatexReader(main, root)
    reader.read_main()
    return reader.paper(name)
