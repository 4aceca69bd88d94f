"""Read a paper's LaTeX source into a :class:`Paper`, numbered as pdflatex prints it.

The only module that imports pylatexenc. Files are read in document order, following
``\\input``/``\\include``/``\\subfile``/``\\import``; each is prepared by
:mod:`paperlink.paper.texscan` (comments and definitions lifted, structural macros
expanded), parsed once by pylatexenc and walked once. Counters live in
:mod:`paperlink.paper.numbering`; which environment steps what is decided here.

Problems in the source are diagnostics (PL010-PL017) and reading goes on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pylatexenc.latexwalker import (
    LatexCharsNode,
    LatexEnvironmentNode,
    LatexGroupNode,
    LatexMacroNode,
    LatexMathNode,
    LatexToken,
    LatexWalker,
    get_default_latex_context_db,
)
from pylatexenc.macrospec import MacroSpec, std_environment

from paperlink.diagnostics import Diagnostic, Severity
from paperlink.paper import hyperparams
from paperlink.paper.model import Hyperparameter, ItemKind, Limitation, MacroDefinition, Paper, PaperItem
from paperlink.paper.numbering import CLASS_SECNUMDEPTH, Counters, Template, arabic, parse_template, within
from paperlink.paper.texscan import DOLLAR_IN_LABEL, PLACEHOLDER, Definition, MacroTable, prepare
from paperlink.spans import LineIndex, Span

__all__ = ["read_latex_paper"]

_MAX_INCLUDE_DEPTH = 32
_MAX_NESTING = 150
_MAX_SYNTAX_DIAGNOSTICS = 20

_SECTION_LEVELS = {
    "part": -1, "chapter": 0, "section": 1, "subsection": 2,
    "subsubsection": 3, "paragraph": 4, "subparagraph": 5,
}
_SECTION_PARENTS = {
    "subsection": "section", "subsubsection": "subsection",
    "paragraph": "subsubsection", "subparagraph": "paragraph",
}
# amsmath: environments numbered once, and those numbered per row.
_SINGLE_NUMBER = frozenset({"equation", "multline"})
_ROW_NUMBERS = frozenset({"align", "gather", "flalign", "alignat", "xalignat", "xxalignat", "eqnarray"})
_UNNUMBERED_MATH = frozenset({
    "equation*", "multline*", "align*", "gather*", "flalign*", "alignat*", "xalignat*",
    "eqnarray*", "displaymath", "math", "split", "dmath*",
})
_FLOATS = {
    "figure": "figure", "figure*": "figure", "wrapfigure": "figure", "SCfigure": "figure",
    "table": "table", "table*": "table", "wraptable": "table", "SCtable": "table",
    "algorithm": "algorithm", "algorithm*": "algorithm",
    "subfigure": "subfigure", "subtable": "subtable",
}
_FLOAT_KINDS = {
    "figure": ItemKind.FIGURE, "subfigure": ItemKind.FIGURE,
    "table": ItemKind.TABLE, "subtable": ItemKind.TABLE,
    "algorithm": ItemKind.ALGORITHM, "algocf": ItemKind.ALGORITHM,
}
_TABULARS = frozenset({"tabular", "tabular*", "tabularx", "tabulary", "longtable", "supertabular"})
_LIST_COUNTERS = ("enumi", "enumii", "enumiii", "enumiv")
_SKIPPED_ENVIRONMENTS = frozenset({"thebibliography", "tikzpicture", "pgfpicture", "filecontents"})
# Lines of algorithmic (upper case) and algpseudocode (algorithmicx) that get a number.
_ALGORITHMIC_LINES = frozenset({
    "STATE", "IF", "ELSIF", "ELSE", "ENDIF", "FOR", "FORALL", "ENDFOR", "WHILE",
    "ENDWHILE", "REPEAT", "UNTIL", "LOOP", "ENDLOOP", "RETURN", "PRINT", "ENDFUNCTION",
    "FUNCTION", "PROCEDURE", "ENDPROCEDURE",
})
_ALGORITHMIC_ENDS = frozenset({"ENDIF", "ENDFOR", "ENDWHILE", "ENDLOOP", "ENDFUNCTION", "ENDPROCEDURE"})
_ALGPSEUDOCODE_LINES = frozenset({
    "State", "If", "ElsIf", "Else", "EndIf", "For", "ForAll", "EndFor", "While", "EndWhile",
    "Repeat", "Until", "Loop", "EndLoop", "Function", "EndFunction", "Procedure", "EndProcedure",
})
_ALGPSEUDOCODE_ENDS = frozenset({"EndIf", "EndFor", "EndWhile", "EndLoop", "EndFunction", "EndProcedure"})
_KNOWN_CLASSES = frozenset({
    "article", "report", "book", "amsart", "amsbook", "amsproc", "scrartcl", "scrreprt",
    "scrbook", "extarticle", "extreport", "extbook", "memoir", "llncs", "elsarticle",
    "acmart", "IEEEtran", "revtex4", "revtex4-1", "revtex4-2", "subfiles", "standalone",
})
_CHAPTER_CLASSES = frozenset({"report", "book", "amsbook", "scrreprt", "scrbook", "extreport", "extbook", "memoir"})


def _context_db():
    """pylatexenc's defaults plus the macros whose arguments structure depends on."""
    db = get_default_latex_context_db()
    macros = [
        MacroSpec(PLACEHOLDER, "{"),
        MacroSpec("label", "[{"),
        MacroSpec("caption", "*[{"),
        MacroSpec("subcaptionbox", "*[{[[[{"),
        MacroSpec("subfloat", "[[{"),
        MacroSpec("captionof", "*{[{"),
        MacroSpec("tag", "*{"),
        MacroSpec("numberwithin", "[{{"),
        MacroSpec("counterwithin", "*{{"),
        MacroSpec("counterwithout", "*{{"),
        MacroSpec("setcounter", "{{"),
        MacroSpec("addtocounter", "{{"),
        MacroSpec("stepcounter", "{"),
        MacroSpec("refstepcounter", "{"),
        MacroSpec("newcounter", "{["),
        MacroSpec("newtheorem", "*{[{["),
        MacroSpec("paragraph", "*[{"),
        MacroSpec("part", "*[{"),
        MacroSpec("footnote", "[{"),
        MacroSpec("footnotemark", "["),
        MacroSpec("footnotetext", "[{"),
        MacroSpec("subfile", "{"),
        MacroSpec("import", "{{"),
        MacroSpec("subimport", "*{{"),
        MacroSpec("inputfrom", "{{"),
        MacroSpec("subinputfrom", "{{"),
        MacroSpec("includeonly", "{"),
        MacroSpec("documentclass", "[{"),
        MacroSpec("usepackage", "[{"),
    ]
    environments = [
        std_environment("algorithmic", "["),
        std_environment("algorithm", "["),
        std_environment("subfigure", "[{"),
        std_environment("subtable", "[{"),
        std_environment("minipage", "[{"),
        std_environment("wrapfigure", "[{{"),
        std_environment("wraptable", "[{{"),
        std_environment("enumerate", "["),
        std_environment("longtable", "[{"),
        std_environment("tabulary", "{{"),
    ]
    db.add_context_category("paperlink", macros=macros, environments=environments, prepend=True)
    # Specials (``--``, ``~``, ``&``) only cost time here: structure never depends on them.
    db.test_for_specials = lambda *args, **kwargs: None
    return db


_CONTEXT = _context_db()
# A run of characters that can never start a macro, group, math or comment: read at once
# instead of one pylatexenc token per character (a ~2x faster parse).
_PLAIN_RUN = re.compile(r"[^\\{}$%\[\]\s][^\\{}$%\[\]\n]+")


class _Walker(LatexWalker):
    """A pylatexenc walker that reads plain text in runs and keeps its parse errors."""

    def __init__(self, text: str) -> None:
        super().__init__(text, latex_context=_CONTEXT, tolerant_parsing=True)
        self.errors: list[tuple[int, str]] = []

    def get_token(self, pos, *args, **kwargs):  # noqa: ANN001 - pylatexenc's signature
        text = self.s
        run = _PLAIN_RUN.match(text, pos)
        if run is not None and not _after_control_word(text, pos):
            chars = run.group()
            return LatexToken(tok="char", arg=chars, pos=pos, len=len(chars), pre_space="")
        return super().get_token(pos, *args, **kwargs)

    def _report_ignore_parse_error(self, exc) -> None:  # noqa: ANN001
        self.errors.append((getattr(exc, "pos", None) or 0, getattr(exc, "msg", str(exc))))


def _after_control_word(text: str, pos: int) -> bool:
    """Whether ``pos`` directly follows ``\\word``: then one character is an argument (``\\frac12``)."""
    index = pos - 1
    while index >= 0 and text[index].isalpha():
        index -= 1
    return index >= 0 and index < pos - 1 and text[index] == "\\"


@dataclass
class _Item:
    """A paper item while it is being read; frozen into :class:`PaperItem` at the end."""

    kind: ItemKind
    number: str | None
    span: Span
    environment: str = ""
    title: str = ""
    latex: str = ""
    parent: _Item | None = None
    level: int = 0
    labels: list[str] = field(default_factory=list)
    appendix: bool = False
    hyperparameter: Hyperparameter | None = None
    keep: bool = True  # list items and footnotes are kept only when labelled
    key: str = ""


@dataclass(frozen=True)
class _Anchor:
    """LaTeX's ``\\@currentlabel``: what a ``\\label`` here would print, and its item.

    ``number`` is None where LaTeX writes no usable number (a label before a caption
    under the caption package).
    """

    number: str | None
    item: _Item | None


@dataclass
class _File:
    """The file being walked: where its positions point and how it resolves includes."""

    path: Path
    relative: str
    text: str
    index: LineIndex
    definitions: tuple[Definition, ...]
    base: Path  # directory \input paths are relative to

    def span(self, offset: int) -> Span:
        return self.index.span(offset)


@dataclass
class _Float:
    counter: str
    items: list[_Item] = field(default_factory=list)
    rows: list[tuple[list[str], Span]] = field(default_factory=list)
    lines: list[_Item] = field(default_factory=list)


def _plain(latex: str) -> str:
    """Readable text of a short LaTeX fragment (a title or caption)."""
    text = re.sub(r"\\(?:label|ref|eqref|cite[tp]?|footnote)\s*\{[^{}]*\}", "", latex)
    text = re.sub(r"\\[A-Za-z@]+\*?\s*", "", text)
    text = re.sub(r"[{}~]", " ", text).replace("\\", "")
    return " ".join(text.split())


def _argument(node: LatexMacroNode, index: int):
    arguments = node.nodeargd.argnlist if node.nodeargd is not None else []
    return arguments[index] if index < len(arguments) else None


def _argument_text(node, index: int) -> str | None:
    """The verbatim text of argument ``index`` without its braces, or None when absent."""
    argument = _argument(node, index)
    if argument is None:
        return None
    if isinstance(argument, LatexGroupNode):
        return "".join(child.latex_verbatim() for child in argument.nodelist if child is not None)
    return argument.latex_verbatim()


def _children(node) -> list:
    """Every node directly inside ``node``: its arguments, then its body."""
    out = []
    if getattr(node, "nodeargd", None) is not None:
        out.extend(arg for arg in node.nodeargd.argnlist if arg is not None)
    nodelist = getattr(node, "nodelist", None)
    if nodelist:
        out.extend(child for child in nodelist if child is not None)
    return out


def _find_macros(nodes, names: frozenset[str]) -> list[LatexMacroNode]:
    """Macros named ``names`` anywhere inside ``nodes``, in document order."""
    found = []
    stack = list(reversed([n for n in nodes if n is not None]))
    while stack:
        node = stack.pop()
        if isinstance(node, LatexMacroNode) and node.macroname in names:
            found.append(node)
        stack.extend(reversed(_children(node)))
    return found


_ROW_MARKERS = frozenset({"label", "tag", "nonumber", "notag"})
_LABEL = frozenset({"label"})
_ALGORITHM2E_LABELS = frozenset({"label", "nllabel"})


def _label_key(node) -> str:
    """The key of ``\\label{key}`` (or cleveref's ``\\label[type]{key}``), exactly as written."""
    arguments = node.nodeargd.argnlist if node.nodeargd is not None else []
    index = 1 if len(arguments) > 1 else 0
    text = _argument_text(node, index)
    return text.replace(DOLLAR_IN_LABEL, "$") if text is not None and text.strip() else ""


def _blank_node(node) -> bool:
    return isinstance(node, LatexCharsNode) and not node.chars.strip()


def _last_tag(markers: list) -> LatexMacroNode | None:
    tags = [m for m in markers if m.macroname == "tag"]
    return tags[-1] if tags else None


class _LatexReader:
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
        self.include_stack: list[Path] = []
        self.macros = MacroTable.empty()
        self.theorems: dict[str, tuple[str | None, str]] = {}  # env -> (counter, printed name)
        self.labels_seen: dict[str, Span] = {}
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
        self.caption_package = False
        self.minipages = 0
        self.document_ended = False
        self._setup_article()

    # -- document class -------------------------------------------------------------

    def _setup_article(self) -> None:
        counters = self.counters
        counters.new("secnumdepth")
        counters.set("secnumdepth", 3)
        counters.new("part", template=(("value", "part", "Roman"),))
        for name, parent in (("section", None), *_SECTION_PARENTS.items()):
            counters.new(name, parent, within(parent, name) if parent else None)
        for name in ("equation", "figure", "table", "footnote", "algorithm", "algocf"):
            counters.new(name)
        counters.new("mpfootnote", template=(("value", "mpfootnote", "alph"),))
        counters.new("subfigure", "figure", (("value", "subfigure", "alph"),))
        counters.new("subtable", "table", (("value", "subtable", "alph"),))
        counters.prefixes["subfigure"] = (("the", "figure"),)
        counters.prefixes["subtable"] = (("the", "table"),)
        for depth, name in enumerate(_LIST_COUNTERS):
            style = ("arabic", "alph", "roman", "Alph")[depth]
            counters.new(name, template=(("value", name, style),))
        counters.prefixes["enumii"] = (("the", "enumi"),)
        counters.prefixes["enumiii"] = (("the", "enumi"), ("text", "("), ("the", "enumii"), ("text", ")"))
        counters.prefixes["enumiv"] = (("the", "enumi"), ("text", "("), ("the", "enumii"), ("text", ")"), ("the", "enumiii"))

    def _setup_class(self, name: str, span: Span) -> None:
        self.document_class = name
        counters = self.counters
        if name in _CHAPTER_CLASSES:
            counters.set("secnumdepth", 2)
            counters.new("chapter")
            counters.add_reset("section", "chapter")
            counters.set_template("section", within("chapter", "section"))
            counters.add_reset("footnote", "chapter")
            for counter in ("equation", "figure", "table"):
                counters.add_reset(counter, "chapter")
                counters.set_template(
                    counter,
                    (("positive", "chapter", (("the", "chapter"), ("text", "."))), ("value", counter, "arabic")),
                )
        if name == "IEEEtran":
            counters.set_template("section", (("value", "section", "Roman"),))
            counters.set_template("subsection", (("the", "section"), ("text", "-"), ("value", "subsection", "Alph")))
            counters.set_template("subsubsection", (("the", "subsection"), ("value", "subsubsection", "arabic")))
        if name not in _KNOWN_CLASSES:
            self.limitations.append(Limitation(
                f"document class '{name}' is not modelled; numbers assume the article class", span))
            self._diagnose(span, "PL015", f"document class '{name}' is not modelled; numbers assume the article class", Severity.INFO)
        elif name.startswith("revtex") or name == "memoir":
            self.limitations.append(Limitation(
                f"document class '{name}' numbers some items its own way; those numbers may differ", span))

    # -- reading files ----------------------------------------------------------------

    def relative(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return path.resolve().as_posix()

    def read_main(self) -> None:
        self._read_file(self.main, self.main.parent, None, subfile=False)

    def _read_file(self, path: Path, base: Path, origin: Span | None, *, subfile: bool) -> None:
        text = self._decode(path, origin)
        if text is None:
            return
        relative = self.relative(path)
        self.files.append(relative)
        prepared = prepare(text, self.macros)
        index = LineIndex(relative, prepared.text)
        current = _File(path, relative, prepared.text, index, prepared.definitions, base)
        for offset, message in prepared.problems:
            self._diagnose(current.span(offset), "PL013", message)
        walker = _Walker(prepared.text)
        try:
            nodes = walker.get_latex_nodes()[0]
        except (RecursionError, Exception) as error:  # pylatexenc on hostile input
            self._diagnose(current.span(0), "PL013", f"cannot parse this file: {type(error).__name__}")
            return
        self._report_syntax(current, walker.errors)
        self.include_stack.append(path.resolve())
        try:
            if subfile:
                nodes = self._subfile_body(nodes)
            self._walk(nodes, current, prose=True)
        finally:
            self.include_stack.pop()

    def _decode(self, path: Path, origin: Span | None) -> str | None:
        try:
            data = path.read_bytes()
        except OSError as error:
            span = origin or Span(self.relative(path), 1)
            self._diagnose(span, "PL010", f"cannot read {self.relative(path)}: {error.strerror or error}")
            return None
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            self._diagnose(
                Span(self.relative(path), line), "PL014",
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
            self._diagnose(span, "PL013", f"malformed LaTeX: {message.strip().rstrip('.')}")

    def _subfile_body(self, nodes):
        for node in nodes:
            if isinstance(node, LatexEnvironmentNode) and node.environmentname == "document":
                return node.nodelist
        return nodes

    def _include(self, node, current: _File, name: str | None, base: Path, *, subfile: bool = False) -> None:
        span = current.span(node.pos)
        if not name or not name.strip():
            return
        name = name.strip()
        candidates = [base / name] if name.endswith(".tex") else [base / f"{name}.tex", base / name]
        target = next((c for c in candidates if c.is_file()), None)
        if target is None:
            self._diagnose(span, "PL010", f"included file '{name}' not found (looked in {self.relative(base) or '.'})")
            return
        resolved = target.resolve()
        if not resolved.is_relative_to(self.paper_dir):
            self._diagnose(span, "PL012", f"included file '{name}' is outside the paper folder; not read")
            return
        if resolved in self.include_stack:
            self._diagnose(span, "PL011", f"include cycle: '{name}' is already being read")
            return
        if len(self.include_stack) >= _MAX_INCLUDE_DEPTH:
            self._diagnose(span, "PL011", f"includes nested more than {_MAX_INCLUDE_DEPTH} deep; '{name}' not read")
            return
        self._read_file(target, base if not subfile else self.main.parent, span, subfile=subfile)

    # -- diagnostics --------------------------------------------------------------------

    def _diagnose(self, span: Span, code: str, message: str, severity: Severity = Severity.WARNING) -> None:
        self.diagnostics.append(Diagnostic(span, code, message, severity))

    # -- the walk -----------------------------------------------------------------------

    def _walk(self, nodes, current: _File, *, prose: bool) -> None:
        if self.depth >= _MAX_NESTING:
            if nodes:
                first = next((n for n in nodes if n is not None), None)
                if first is not None:
                    self._diagnose(current.span(first.pos), "PL013", "LaTeX nested too deeply; the rest of this group is skipped")
            return
        self.depth += 1
        try:
            self._walk_nodes(nodes, current, prose)
        finally:
            self.depth -= 1

    def _walk_nodes(self, nodes, current: _File, prose: bool) -> None:
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
                self.anchors.append(self.anchors[-1])
                self._walk(node.nodelist, current, prose=False)
                self.anchors.pop()
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
        if prose and run_start is not None:
            self._prose(current, run_start, run_end)

    def _prose(self, current: _File, start: int, end: int) -> None:
        text = current.text[start:end]
        for mention in hyperparams.mentions_in_text(text):
            self._hyperparameter(mention, current.span(start + mention.start), None)

    def _hyperparameter(self, mention: hyperparams.Mention, span: Span, table: _Item | None) -> None:
        value = Hyperparameter(mention.name, mention.value, mention.raw)
        item = _Item(
            ItemKind.HYPERPARAMETER, None, span, environment="table" if table else "text",
            title=mention.name, latex=mention.raw, parent=table or self._section(),
            hyperparameter=value, key=f"hp:{mention.key}",
        )
        self.items.append(item)

    def _section(self) -> _Item | None:
        return self.sections[-1] if self.sections else None

    def _new_item(self, kind: ItemKind, number: str | None, span: Span, **fields) -> _Item:
        fields.setdefault("parent", self._section())
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

    def _bind_label(self, node, current: _File, anchor: _Anchor | None = None) -> None:
        key = _label_key(node)
        if not key:
            return
        span = current.span(node.pos)
        anchor = anchor or self.anchors[-1]
        if key in self.labels_seen:
            first = self.labels_seen[key]
            self._diagnose(span, "PL016", f"label '{key}' is also defined at {first}; LaTeX uses the last one")
        self.labels_seen[key] = span
        item = anchor.item
        if item is None or item.kind is ItemKind.HYPERPARAMETER:
            item = self._new_item(ItemKind.OTHER, anchor.number, span, environment="label")
        item.labels.append(key)
        item.keep = True

    # -- macros -------------------------------------------------------------------------

    def _on_section(self, node, current: _File) -> None:
        name = node.macroname
        level = _SECTION_LEVELS[name]
        starred = _argument(node, 0) is not None
        depth = self.counters.value("secnumdepth")
        numbered = not starred and level <= depth and (name != "chapter" or self.mainmatter)
        span = current.span(node.pos)
        title_latex = _argument_text(node, 2) or ""
        while self.sections and self.sections[-1].level >= level:
            self.sections.pop()
        item = self._new_item(
            ItemKind.SECTION, None, span, environment=name, title=_plain(title_latex),
            latex=title_latex, level=level,
        )
        if numbered:
            item.number = self._refstep(name, item)
        self.sections.append(item)
        title = _argument(node, 2)
        if title is not None:
            self._walk([title], current, prose=False)

    def _on_label(self, node, current: _File) -> None:
        self._bind_label(node, current)

    def _on_caption(self, node, current: _File, counter: str | None = None) -> None:
        if counter is None:
            if not self.floats:
                return
            counter = self.floats[-1].counter
        caption = _argument_text(node, 2) or ""
        host = self.floats[-1] if self.floats else None
        if _argument(node, 0) is not None:  # \caption*: no number, and labels get none
            self.anchors[-1] = _Anchor(None, None)
        elif counter == "algocf" and host is not None and host.items:
            host.items[0].title, host.items[0].latex = _plain(caption), caption  # stepped at \begin
        else:
            self._captioned(counter, caption, current.span(node.pos))
        for argument in (_argument(node, 1), _argument(node, 2)):
            if argument is not None:
                self._walk([argument], current, prose=False)

    def _captioned(self, counter: str, caption: str, span: Span) -> _Item:
        """A numbered caption: step the float's counter and make it what labels see."""
        kind = _FLOAT_KINDS.get(counter, ItemKind.OTHER)
        item = self._new_item(kind, None, span, environment=counter, title=_plain(caption), latex=caption)
        parent_float = counter.replace("sub", "", 1) if counter.startswith("sub") else None
        ahead = parent_float is not None and not any(
            i.environment == parent_float for f in self.floats for i in f.items
        )
        if ahead:  # subcaption numbers a sub-float by the caption its float will get
            self.counters.add(parent_float, 1)
        item.number = self._refstep(counter, item)
        if ahead:
            self.counters.add(parent_float, -1)
        if self.floats:
            self.floats[-1].items.append(item)
        return item

    def _captioned_algorithm2e(self, node, current: _File) -> _Item:
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
        unknown: list = []
        for child in node.nodelist:
            if not isinstance(child, LatexMacroNode):
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
            elif child.macroname == ";" or child.nodeargd is not None and child.nodeargd.argnlist or child.macroname in ("KwRet", "Return"):
                after_line = True
                unknown.extend(_find_macros(_children(child), _ALGORITHM2E_LABELS))
            elif _children(child):
                unknown.extend(_find_macros(_children(child), _ALGORITHM2E_LABELS))
        for label in unknown:
            self._bind_label(label, current, _Anchor(None, None))
        if unknown:
            self._limitation(current.span(node.pos), "algorithm2e line numbers are not modelled; labels on its lines get no number")

    def _on_subcaptionbox(self, node, current: _File) -> None:
        """``\\subcaptionbox{caption}{body}`` (subcaption) and ``\\subfloat[caption]{body}`` (subfig)."""
        if not self.floats:
            return
        counter = "subtable" if self.floats[-1].counter == "table" else "subfigure"
        caption_index = 2 if node.macroname == "subcaptionbox" else 1
        caption = _argument_text(node, caption_index)
        self.anchors.append(self.anchors[-1])
        if caption is not None:
            self._captioned(counter, caption, current.span(node.pos))
        self._walk(_children(node), current, prose=False)
        self.anchors.pop()

    def _on_continued_float(self, node, current: _File) -> None:
        """``\\ContinuedFloat``: the next caption repeats the previous number."""
        if self.floats:
            self.counters.add(self.floats[-1].counter, -1)

    def _on_captionof(self, node, current: _File) -> None:
        kind = (_argument_text(node, 1) or "").strip()
        counter = {"figure": "figure", "table": "table", "algorithm": self.algorithm_counter}.get(kind, kind)
        if counter not in self.counters:
            return
        caption_node = _RenamedArguments(node, {2: 3, 1: 2})
        self._on_caption(caption_node, current, counter)

    def _on_appendix(self, node, current: _File) -> None:
        self.in_appendix = True
        counters = self.counters
        if "chapter" in counters and self.document_class in _CHAPTER_CLASSES:
            counters.set("chapter", 0)
            counters.set("section", 0)
            counters.set_template("chapter", (("value", "chapter", "Alph"),))
        else:
            counters.set("section", 0)
            counters.set("subsection", 0)
            counters.set_template("section", (("value", "section", "Alph"),))

    def _on_matter(self, node, current: _File) -> None:
        self.mainmatter = node.macroname == "mainmatter"

    def _on_input(self, node, current: _File) -> None:
        self._include(node, current, _argument_text(node, 0), current.base)

    def _on_subfile(self, node, current: _File) -> None:
        self._include(node, current, _argument_text(node, 0), current.base, subfile=True)

    def _on_import(self, node, current: _File) -> None:
        relative = node.macroname.startswith("sub")
        directory = _argument_text(node, 1 if node.macroname == "subimport" else 0) or ""
        name = _argument_text(node, 2 if node.macroname == "subimport" else 1)
        origin = current.path.parent if relative else self.main.parent
        base = origin / directory.strip()
        self._include(node, current, name, base)

    def _on_numberwithin(self, node, current: _File) -> None:
        style = (_argument_text(node, 0) or "").strip().lstrip("\\") or "arabic"
        counter = (_argument_text(node, 1) or "").strip()
        parent = (_argument_text(node, 2) or "").strip()
        if counter not in self.counters or parent not in self.counters:
            return
        self.counters.add_reset(counter, parent)
        self.counters.set_template(counter, within(parent, counter, style))

    def _on_counterwithin(self, node, current: _File) -> None:
        starred = _argument(node, 0) is not None
        counter = (_argument_text(node, 1) or "").strip()
        parent = (_argument_text(node, 2) or "").strip()
        if counter not in self.counters or parent not in self.counters:
            return
        if node.macroname == "counterwithin":
            self.counters.add_reset(counter, parent)
            if not starred:
                self.counters.set_template(counter, within(parent, counter))
        else:
            self.counters.remove_reset(counter)
            if not starred:
                self.counters.set_template(counter, arabic(counter))

    def _on_counter_value(self, node, current: _File) -> None:
        counter = (_argument_text(node, 0) or "").strip()
        value_text = (_argument_text(node, 1) or "").strip()
        value = _integer(value_text, self.counters)
        if counter not in self.counters:
            return
        if value is None:
            span = current.span(node.pos)
            self._limitation(span, f"\\{node.macroname}{{{counter}}}{{{value_text}}}: value not understood; later numbers of '{counter}' may be wrong")
            return
        if node.macroname == "setcounter":
            self.counters.set(counter, value)
        else:
            self.counters.add(counter, value)

    def _on_stepcounter(self, node, current: _File) -> None:
        counter = (_argument_text(node, 0) or "").strip()
        if not counter:
            return
        if node.macroname == "stepcounter":
            self.counters.step(counter)
            return
        item = self._new_item(ItemKind.OTHER, None, current.span(node.pos), environment=counter, keep=False)
        item.number = self._refstep(counter, item)

    def _on_newcounter(self, node, current: _File) -> None:
        counter = (_argument_text(node, 0) or "").strip()
        parent = (_argument_text(node, 1) or "").strip() or None
        if counter:
            self.counters.new(counter, parent if parent in self.counters else None)

    def _on_newtheorem(self, node, current: _File) -> None:
        starred = _argument(node, 0) is not None
        name = (_argument_text(node, 1) or "").strip()
        shared = (_argument_text(node, 2) or "").strip() or None
        printed = _plain(_argument_text(node, 3) or name)
        parent = (_argument_text(node, 4) or "").strip() or None
        if not name:
            return
        if starred:
            self.theorems[name] = (None, printed)
            return
        if shared:
            self.theorems[name] = (shared if shared in self.counters else None, printed)
            return
        self.counters.new(name, parent if parent in self.counters else None)
        self.theorems[name] = (name, printed)

    def _on_item(self, node, current: _File) -> None:
        if not self.lists or self.lists[-1] != "enumerate" or _argument(node, 0) is not None:
            return
        depth = sum(1 for kind in self.lists if kind == "enumerate")
        counter = _LIST_COUNTERS[min(depth, 4) - 1]
        item = self._new_item(ItemKind.OTHER, None, current.span(node.pos), environment="item", keep=False)
        item.number = self._refstep(counter, item)

    def _on_footnote(self, node, current: _File) -> None:
        self.anchors.append(self.anchors[-1])
        counter = "mpfootnote" if self.minipages else "footnote"
        explicit = _argument_text(node, 0)
        item = self._new_item(ItemKind.OTHER, None, current.span(node.pos), environment="footnote", keep=False)
        if explicit is not None and _integer(explicit, self.counters) is not None:
            saved = self.counters.value(counter)
            self.counters.set(counter, _integer(explicit, self.counters) - 1)
            item.number = self._refstep(counter, item)
            self.counters.set(counter, saved)
        else:
            item.number = self._refstep(counter, item)
        body = _argument(node, 1)
        if body is not None:
            self._walk([body], current, prose=False)
        self.anchors.pop()

    def _on_footnotemark(self, node, current: _File) -> None:
        """``\\footnotemark`` uses up a number without changing what labels see."""
        if _argument(node, 0) is None:
            self.counters.step("mpfootnote" if self.minipages else "footnote")

    def _on_footnotetext(self, node, current: _File) -> None:
        """``\\footnotetext``: labels inside get the number of the last mark."""
        counter = "mpfootnote" if self.minipages else "footnote"
        self.anchors.append(self.anchors[-1])
        item = self._new_item(ItemKind.OTHER, None, current.span(node.pos), environment="footnote", keep=False)
        explicit = _integer(_argument_text(node, 0) or "", self.counters)
        if explicit is not None:
            saved = self.counters.value(counter)
            self.counters.set(counter, explicit)
            item.number = self.counters.label_text(counter)
            self.counters.set(counter, saved)
        else:
            item.number = self.counters.label_text(counter)
        self.anchors[-1] = _Anchor(item.number, item)
        body = _argument(node, 1)
        if body is not None:
            self._walk([body], current, prose=False)
        self.anchors.pop()

    def _on_definition(self, node, current: _File) -> None:
        index = _integer((_argument_text(node, 0) or "").strip(), self.counters)
        if index is None or index >= len(current.definitions):
            return
        definition = current.definitions[index]
        name = definition.macro.name
        if definition.environment_end is not None:
            return
        if name.startswith("the") and name[3:] in self.counters:
            template = parse_template(definition.macro.body)
            if template is None:
                self._limitation(current.span(node.pos), f"\\{name} is defined in a way paperlink cannot evaluate; '{name[3:]}' numbers are not known")
                self.counters.set_template(name[3:], (("text", "?"),))
            else:
                self.counters.set_template(name[3:], template)
        elif name.startswith("p@") and name[2:] in self.counters:
            template = parse_template(definition.macro.body)
            if template is not None:
                self.counters.prefixes[name[2:]] = template

    def _on_documentclass(self, node, current: _File) -> None:
        name = (_argument_text(node, 1) or "").strip()
        if name and not self.document_class:
            self._setup_class(name, current.span(node.pos))

    def _on_usepackage(self, node, current: _File) -> None:
        options = {o.strip() for o in (_argument_text(node, 0) or "").split(",")}
        for package in (p.strip() for p in (_argument_text(node, 1) or "").split(",")):
            if package == "algorithm2e":
                self.algorithm_counter = "algocf"
                if "chapter" in options and "chapter" in self.counters:
                    self.counters.add_reset("algocf", "chapter")
                    self.counters.set_template("algocf", within("chapter", "algocf"))
            elif package == "algorithm":
                for parent in ("chapter", "section"):
                    if parent in options and parent in self.counters:
                        self.counters.add_reset("algorithm", parent)
                        self.counters.set_template("algorithm", within(parent, "algorithm"))
            elif package in ("caption", "subcaption", "subfig"):
                self.caption_package = True
            elif package in ("algorithmic", "algpseudocode", "algorithmicx"):
                self.algorithm_style = "algorithmic" if package == "algorithmic" else "algpseudocode"
                self.algorithm_ends = "noend" not in options

    def _on_title(self, node, current: _File) -> None:
        text = _argument_text(node, 0) or ""
        if node.macroname == "title":
            self.title = _plain(text)
        else:
            self.authors = tuple(a for a in (_plain(p) for p in re.split(r"\\and\b|\\\\", text)) if a)

    def _on_ignored(self, node, current: _File) -> None:
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
        elif name in ("enumerate", "itemize", "description"):
            self._list(node, current)
        elif name in _TABULARS:
            self._tabular(node, current)
        elif name in _SKIPPED_ENVIRONMENTS:
            return
        elif name == "minipage":
            self.minipages += 1
            self.counters.set("mpfootnote", 0)
            self.anchors.append(self.anchors[-1])
            self._walk(node.nodelist, current, prose=True)
            self.anchors.pop()
            self.minipages -= 1
        elif name == "document":
            self._walk(node.nodelist, current, prose=True)
            self.document_ended = True
        else:
            self.anchors.append(self.anchors[-1])
            self._walk(node.nodelist, current, prose=True)
            self.anchors.pop()

    def _math(self, node: LatexEnvironmentNode, current: _File) -> None:
        """Number a display as amsmath (or the kernel, for eqnarray) would."""
        name = node.environmentname
        family = name.rstrip("*")
        numbered = not name.endswith("*")
        self.anchors.append(self.anchors[-1])
        try:
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
        finally:
            self.anchors.pop()

    def _display_item(self, env: LatexEnvironmentNode, row: list, current: _File, tag) -> _Item:
        start = next((n.pos for n in row if not _blank_node(n)), env.pos)
        latex = _math_source(current.text, row)
        item = self._new_item(ItemKind.EQUATION, None, current.span(start), environment=env.environmentname, latex=latex)
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
            self._diagnose(current.span(label.pos), "PL018", f"label '{_label_key(label)}' is on a row without a number; LaTeX drops it")

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
                start = next((n.pos for n in row if not _blank_node(n)), env.pos)
                item = self._new_item(
                    ItemKind.EQUATION, anchor.number, current.span(start),
                    environment=env.environmentname, latex=_math_source(current.text, row),
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
        self.anchors.append(self.anchors[-1])
        item.number = self._refstep("equation", item)
        parent_value = counters.value("equation")
        saved = counters.template("equation")
        # amsmath freezes the parent's printed number in \theparentequation.
        counters.new("parentequation")
        counters.set_template("parentequation", (("text", counters.the("equation")),))
        counters.set_template("equation", (("the", "parentequation"), ("value", "equation", "alph")))
        counters.set("equation", 0)
        try:
            self._walk(node.nodelist, current, prose=True)
        finally:
            counters.set_template("equation", saved)
            counters.set("equation", parent_value)
            self.anchors.pop()
        item.latex = "\n".join(i.latex for i in self.items if i.parent is item)

    def _float(self, node: LatexEnvironmentNode, current: _File, counter: str) -> None:
        if counter == "algorithm":
            counter = self.algorithm_counter
        record = _Float(counter)
        self.floats.append(record)
        self.anchors.append(self.anchors[-1])
        if self.caption_package:  # caption marks a label before the caption as undefined
            self.anchors[-1] = _Anchor(None, None)
        if counter == "algocf":  # algorithm2e numbers the float at \begin, not at \caption
            record.items.append(self._captioned_algorithm2e(node, current))
        try:
            if counter == "algocf":
                self._algorithm2e_body(node, current)
            else:
                self._walk(node.nodelist, current, prose=False)
        finally:
            self.anchors.pop()
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
        self.anchors.append(self.anchors[-1])
        self._walk(node.nodelist, current, prose=False)
        self.anchors.pop()
        host = next((f for f in reversed(self.floats) if f.counter in ("table", "subtable")), None)
        if host is not None:
            host.rows.extend(rows)
        else:
            self._table_hyperparameters(rows, None)

    def _table_hyperparameters(self, rows: list[tuple[list[str], Span]], table: _Item | None) -> None:
        caption = table.title if table else ""
        header = rows[0][0] if rows else []
        is_table = hyperparams.is_hyperparameter_table(caption, header)
        for cells, span in rows:
            mention = hyperparams.mention_from_row(cells, hyperparameter_table=is_table)
            if mention is not None:
                self._hyperparameter(mention, span, table)

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
        self.anchors.append(self.anchors[-1])
        if self.algorithm_style == "algpseudocode":  # algorithmicx makes line 0 current at the start
            self.anchors[-1] = _Anchor(self.counters.label_text(counter), None)
        try:
            for child in node.nodelist:
                if isinstance(child, LatexMacroNode) and child.macroname in lines:
                    item = self._new_item(ItemKind.ALGORITHM_LINE, None, current.span(child.pos), environment="line", keep=numbered)
                    item.number = self._refstep(counter, item)
                    if host is not None:
                        host.lines.append(item)
                        if host.items:
                            item.parent = host.items[0]
                if child is not None and not isinstance(child, LatexCharsNode):
                    if isinstance(child, LatexMacroNode) and child.macroname == "label":
                        self._bind_label(child, current)
                    else:
                        for label in _find_macros([child], frozenset({"label"})):
                            self._bind_label(label, current)
        finally:
            self.anchors.pop()

    def _theorem(self, node: LatexEnvironmentNode, current: _File) -> None:
        counter, printed = self.theorems[node.environmentname]
        self.anchors.append(self.anchors[-1])
        try:
            if counter is not None:
                title = _leading_option(node)
                item = self._new_item(ItemKind.THEOREM, None, current.span(node.pos), environment=printed, title=title)
                item.number = self._refstep(counter, item)
                item.latex = current.text[node.pos : node.pos + node.len]
            self._walk(node.nodelist, current, prose=True)
        finally:
            self.anchors.pop()

    def _list(self, node: LatexEnvironmentNode, current: _File) -> None:
        kind = node.environmentname
        self.lists.append("enumerate" if kind == "enumerate" else "other")
        if kind == "enumerate":
            depth = sum(1 for k in self.lists if k == "enumerate")
            if depth <= 4:
                self.counters.set(_LIST_COUNTERS[depth - 1], 0)
        self.anchors.append(self.anchors[-1])
        try:
            self._walk(node.nodelist, current, prose=True)
        finally:
            self.anchors.pop()
            self.lists.pop()

    def _limitation(self, span: Span, message: str) -> None:
        self.limitations.append(Limitation(message, span))
        self._diagnose(span, "PL015", message, Severity.INFO)

    # -- result ---------------------------------------------------------------------------

    def paper(self, name: str) -> Paper:
        kept = [item for item in self.items if item.keep]
        _assign_keys(kept)
        items = tuple(_freeze(item) for item in kept)
        diagnostics = list(self.diagnostics)
        diagnostics.extend(_conflicting_hyperparameters(items))
        return Paper(
            name=name,
            source=self.relative(self.main),
            title=self.title,
            authors=self.authors,
            document_class=self.document_class,
            items=items,
            macros=tuple(sorted(self.macros.macros.values(), key=lambda m: m.name)),
            limitations=tuple(self.limitations),
            diagnostics=tuple(sorted(set(diagnostics))),
            files=tuple(self.files),
        )


class _RenamedArguments:
    """A view of a macro node whose arguments are renumbered (``\\captionof`` as ``\\caption``)."""

    def __init__(self, node: LatexMacroNode, mapping: dict[int, int]) -> None:
        self.pos = node.pos
        self.len = node.len
        arguments = node.nodeargd.argnlist if node.nodeargd else []
        renamed = [None, None, None]
        for target, source in mapping.items():
            renamed[target] = arguments[source] if source < len(arguments) else None
        self.nodeargd = type("Args", (), {"argnlist": renamed})()


def _integer(text: str, counters: Counters) -> int | None:
    text = text.strip()
    value_of = re.fullmatch(r"\\value\s*\{\s*([A-Za-z@*]+)\s*\}", text)
    if value_of:
        return counters.value(value_of.group(1))
    try:
        return int(text)
    except ValueError:
        return None


def _rows(nodes) -> list[list]:
    """Split the body of a multi-row math environment at its top-level ``\\\\``.

    A ``\\\\`` at the very end still starts a row: LaTeX numbers that empty row too.
    """
    rows: list[list] = [[]]
    for node in nodes:
        if node is None:
            continue
        if isinstance(node, LatexMacroNode) and node.macroname in ("\\", "cr"):
            rows.append([])
            continue
        rows[-1].append(node)
    return rows


def _math_source(text: str, row: list) -> str:
    if not row:
        return ""
    start = row[0].pos
    end = row[-1].pos + row[-1].len
    source = text[start:end]
    source = re.sub(r"\\(?:label|tag\*?)\s*\{[^{}]*\}|\\(?:nonumber|notag)(?![A-Za-z])", "", source)
    return " ".join(source.split())


def _plain_tag(tag: str) -> str:
    return tag.strip()


def _leading_option(node: LatexEnvironmentNode) -> str:
    """The ``[Name]`` right after ``\\begin{theorem}``, which pylatexenc leaves as text."""
    for child in node.nodelist:
        if child is None:
            continue
        if isinstance(child, LatexCharsNode):
            if not child.chars.strip():
                continue
            return ""
        if isinstance(child, LatexGroupNode) and child.delimiters == ("[", "]"):
            return _plain(child.latex_verbatim()[1:-1])
        return ""
    return ""


def _table_rows(node: LatexEnvironmentNode, current: _File) -> list[tuple[list[str], Span]]:
    """Rows of a tabular as lists of cell sources, with the span of each row."""
    body = [n for n in node.nodelist if n is not None]
    rows: list[tuple[list[str], Span]] = []
    row: list = []
    for child in body + [None]:
        if child is None or (isinstance(child, LatexMacroNode) and child.macroname in ("\\", "tabularnewline")):
            cells = _cells(current.text, row)
            if cells and any(cells):
                first = next(n for n in row if not (isinstance(n, LatexCharsNode) and not n.chars.strip()))
                rows.append((cells, current.span(first.pos)))
            row = []
            continue
        row.append(child)
    return rows


_RULES = re.compile(r"\\(?:hline|toprule|midrule|bottomrule|cline|cmidrule|addlinespace|rowcolor|specialrule)(?:\([^)]*\))?(?:\s*\{[^{}]*\})*")


def _cells(text: str, row: list) -> list[str]:
    content = [n for n in row if not (isinstance(n, LatexCharsNode) and not n.chars.strip())]
    if not content:
        return []
    source = text[content[0].pos : content[-1].pos + content[-1].len]
    source = _RULES.sub(" ", source)
    cells: list[str] = []
    depth = 0
    start = 0
    index = 0
    while index < len(source):
        char = source[index]
        if char == "\\":
            index += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == "&" and depth == 0:
            cells.append(source[start:index].strip())
            start = index + 1
        index += 1
    cells.append(source[start:].strip())
    return cells


_KEY_PREFIX = {
    ItemKind.SECTION: "section", ItemKind.EQUATION: "equation", ItemKind.ALGORITHM: "algorithm",
    ItemKind.TABLE: "table", ItemKind.FIGURE: "figure", ItemKind.THEOREM: "theorem", ItemKind.OTHER: "other",
}


def _assign_keys(items: list[_Item]) -> None:
    """Give each item a stable key: its first label, else kind and number (made unique)."""
    used: set[str] = set()
    for item in items:
        if item.labels:
            key = item.labels[0]
        elif item.key:
            key = item.key
        elif item.kind is ItemKind.ALGORITHM_LINE:
            owner = item.parent.key if item.parent is not None and item.parent.kind is ItemKind.ALGORITHM else "algorithm"
            key = f"{owner}:line:{item.number}"
        elif item.number is not None:
            key = f"{_KEY_PREFIX[item.kind]}:{item.number}"
        else:
            key = f"{_KEY_PREFIX[item.kind]}:*:{_slug(item.title) or item.span.line}"
        if item.kind is ItemKind.HYPERPARAMETER and key in used:
            item.key = key  # a repeated statement of the same hyperparameter; kept for conflicts
            continue
        unique = key
        suffix = 2
        while unique in used:
            unique = f"{key}#{suffix}"
            suffix += 1
        used.add(unique)
        item.key = unique


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40]


def _freeze(item: _Item) -> PaperItem:
    return PaperItem(
        kind=item.kind,
        key=item.key,
        number=item.number,
        span=item.span,
        labels=tuple(item.labels),
        title=item.title,
        latex=item.latex,
        parent=item.parent.key if item.parent is not None else None,
        environment=item.environment,
        level=item.level,
        hyperparameter=item.hyperparameter,
        appendix=item.appendix,
    )


def _conflicting_hyperparameters(items: tuple[PaperItem, ...]) -> list[Diagnostic]:
    """PL017 where the paper states one hyperparameter with two different values."""
    first: dict[str, PaperItem] = {}
    found = []
    for item in items:
        if item.hyperparameter is None or item.hyperparameter.value is None:
            continue
        earlier = first.setdefault(item.key, item)
        if earlier is item:
            continue
        a, b = earlier.hyperparameter.value, item.hyperparameter.value
        if a is not None and b is not None and abs(a - b) > 1e-12 * max(abs(a), abs(b), 1e-300):
            found.append(Diagnostic(
                item.span, "PL017",
                f"{item.key} is stated as {item.hyperparameter.raw} here and as {earlier.hyperparameter.raw} at {earlier.span}",
                Severity.INFO,
            ))
    return found


_MACRO_HANDLERS = {
    **{name: _LatexReader._on_section for name in _SECTION_LEVELS},
    "label": _LatexReader._on_label,
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


def read_latex_paper(main: Path, *, name: str, root: Path) -> Paper:
    """Read the paper whose main file is ``main``; spans are relative to ``root``."""
    reader = _LatexReader(main, root)
    reader.read_main()
    return reader.paper(name)
