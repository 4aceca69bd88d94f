"""The pylatexenc boundary: the parsing context, the walker and helpers over its nodes.

pylatexenc is imported in this package and nowhere else in paperlink.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping

from pylatexenc.latexwalker import (
    LatexCharsNode,
    LatexEnvironmentNode,
    LatexGroupNode,
    LatexMacroNode,
    LatexNode,
    LatexToken,
    LatexWalker,
    LatexWalkerEndOfStream,
    get_default_latex_context_db,
)
from pylatexenc.macrospec import LatexContextDb, MacroSpec, std_environment

from typing import TYPE_CHECKING, Any, Sequence

from paperlink.paper.model import MacroDefinition
from paperlink.paper.texscan import DOLLAR_IN_LABEL, PLACEHOLDER
from paperlink.spans import Span

if TYPE_CHECKING:
    from paperlink.paper.latex.state import _File


def _context_db() -> LatexContextDb:
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
        MacroSpec("spnewtheorem", "*{[{[{{"),  # llncs: the same arguments, then two fonts
        MacroSpec("paragraph", "*[{"),
        MacroSpec("part", "*[{"),
        MacroSpec("footnote", "[{"),
        MacroSpec("footnotemark", "["),
        MacroSpec("footnotetext", "[{"),
        MacroSpec("subfile", "{"),
        MacroSpec("cfchapter", "*[{{{"),
        MacroSpec("cfsection", "*[{{{"),
        MacroSpec("cfinput", "{"),
        MacroSpec("import", "{{"),
        MacroSpec("subimport", "*{{"),
        MacroSpec("inputfrom", "{{"),
        MacroSpec("subinputfrom", "{{"),
        MacroSpec("includeonly", "{"),
        MacroSpec("documentclass", "[{"),
        MacroSpec("usepackage", "[{"),
        # titlesec: the heading command is an argument here, not a heading
        MacroSpec("titlespacing", "*{{{{["),
        MacroSpec("titleformat", "*{[{{{{["),
    ]
    environments = [
        std_environment("algorithmic", "["),
        std_environment("algorithm", "["),
        std_environment("algorithm2e", "["),
        std_environment("subfigure", "[{"),
        std_environment("subtable", "[{"),
        std_environment("minipage", "[{"),
        std_environment("wrapfigure", "[{{"),
        std_environment("wraptable", "[{{"),
        std_environment("enumerate", "["),
        std_environment("enumerate*", "["),
        std_environment("longtable", "[{"),
        std_environment("tabulary", "{{"),
        std_environment("restatable", "[{{"),
        std_environment("restatable*", "[{{"),
    ]
    db.add_context_category("paperlink", macros=macros, environments=environments, prepend=True)
    # Specials (``--``, ``~``, ``&``) only cost time here: structure never depends on them.
    db.test_for_specials = lambda *args, **kwargs: None
    return db


_CONTEXT = _context_db()
# Macros whose arguments the reader's structure depends on: a user redefinition of one is
# expanded by texscan or read by its handler, never re-specified.
_STRUCTURAL_SPECS = frozenset(
    {
        "label", "caption", "captionof", "tag", "part", "chapter", "section", "subsection", "subsubsection",
        "paragraph", "subparagraph", "item", "input", "include", "begin", "end", "footnote", "usepackage",
        "documentclass", "newtheorem", "spnewtheorem", "setcounter", "addtocounter", "stepcounter", "refstepcounter", PLACEHOLDER,
    }
)  # fmt: skip


def context_for(macros: Mapping[str, MacroDefinition]) -> LatexContextDb:
    """The parsing context with pylatexenc's built-in macros that the paper redefines taking
    the arguments the paper gives them: notes that ``\\renewcommand{\\H}{\\mathcal{H}}`` (the
    Hungarian accent takes one argument) use ``\\H`` bare, and reading its old argument swallows
    what follows."""
    overrides = []
    for name, macro in macros.items():
        spec = _CONTEXT.get_macro_spec(name)
        if spec is None or name in _STRUCTURAL_SPECS or macro.arguments > 9:
            continue
        wanted = ("[" if macro.default is not None else "") + "{" * (macro.arguments - (macro.default is not None))
        if getattr(spec.args_parser, "argspec", wanted) != wanted:
            overrides.append((name, wanted))
    return _context_with(tuple(sorted(overrides))) if overrides else _CONTEXT


@functools.lru_cache(maxsize=16)
def _context_with(overrides: tuple[tuple[str, str], ...]) -> LatexContextDb:
    db = _context_db()
    db.add_context_category("paper", macros=[MacroSpec(n, spec) for n, spec in overrides], prepend=True)
    return db


# A run of characters that can never start a macro, group, math or comment: read at once
# instead of one pylatexenc token per character (a ~2x faster parse).
_PLAIN_RUN = re.compile(r"[^\\{}$%\[\]\s][^\\{}$%\[\]\n]+")


class ParseBudgetExceeded(Exception):
    """pylatexenc read far more tokens than the text holds: its tolerant mode re-reads what
    follows each unclosed group that a macro takes as an argument, which doubles the work at
    each one (16 unclosed ``\\frac{`` in a row: a minute)."""

    def __init__(self, pos: int) -> None:
        super().__init__("its unclosed groups make it too costly to parse")
        self.pos = pos


class _Walker(LatexWalker):
    """A pylatexenc walker that reads plain text in runs and keeps its parse errors."""

    def __init__(self, text: str, context: LatexContextDb = _CONTEXT) -> None:
        super().__init__(text, latex_context=context, tolerant_parsing=True)
        self.errors: list[tuple[int, str]] = []
        self.at_end = False  # get_token met the end of the text
        # Tokens pylatexenc may read: real papers read one per four characters or fewer.
        self.tokens_left = 10_000 + 4 * len(text)

    def get_token(self, pos: int, *args: Any, **kwargs: Any) -> LatexToken:
        self.tokens_left -= 1
        if self.tokens_left < 0:
            raise ParseBudgetExceeded(pos)
        text = self.s
        run = _PLAIN_RUN.match(text, pos)
        if run is not None and not _after_control_word(text, pos):
            chars = run.group()
            return LatexToken(tok="char", arg=chars, pos=pos, len=len(chars), pre_space="")
        try:
            return super().get_token(pos, *args, **kwargs)
        except LatexWalkerEndOfStream:
            self.at_end = True
            raise

    def get_latex_nodes(
        self,
        pos: int = 0,
        stop_upon_closing_brace: str | None = None,
        stop_upon_end_environment: str | None = None,
        stop_upon_closing_mathmode: str | None = None,
        **kwargs: Any,
    ) -> Any:
        """pylatexenc's, plus the error its tolerant mode drops: the text ends inside a group."""
        self.at_end = False
        result = super().get_latex_nodes(
            pos,
            stop_upon_closing_brace=stop_upon_closing_brace,
            stop_upon_end_environment=stop_upon_end_environment,
            stop_upon_closing_mathmode=stop_upon_closing_mathmode,
            **kwargs,
        )
        if self.at_end:
            # reported at the command that opened the group (pos is where its body starts)
            if stop_upon_end_environment:
                start = self.s.rfind("\\begin", 0, pos)
                where = start if start != -1 else pos
                self.errors.append((where, f"\\begin{{{stop_upon_end_environment}}} here is never closed"))
            elif closer := stop_upon_closing_brace or stop_upon_closing_mathmode:
                opener = _OPENERS.get(closer, closer[0])
                where = pos - len(opener) if self.s.startswith(opener, pos - len(opener)) else pos
                self.errors.append((where, f"'{opener}' here is never closed"))
        return result

    def _report_ignore_parse_error(self, exc: Exception) -> None:
        self.errors.append((getattr(exc, "pos", None) or 0, getattr(exc, "msg", str(exc))))


_OPENERS = {"}": "{", "]": "[", ")": "(", ">": "<", "\\)": "\\(", "\\]": "\\[", "$": "$", "$$": "$$"}


def _after_control_word(text: str, pos: int) -> bool:
    """Whether ``pos`` follows ``\\word`` (and spaces): then one character is an argument
    (``\\frac12``, ``\\frac c t``)."""
    index = pos - 1
    while index >= 0 and text[index] in " \t":
        index -= 1
    pos = index + 1
    while index >= 0 and text[index].isalpha():
        index -= 1
    return index >= 0 and index < pos - 1 and text[index] == "\\"


def _plain(latex: str) -> str:
    """Readable text of a short LaTeX fragment (a title or caption)."""
    text = re.sub(r"\\(?:label|ref|eqref|cite[tp]?|footnote)\s*\{[^{}]*\}", "", latex)
    text = re.sub(r"\\[A-Za-z@]+\*?\s*", "", text)
    text = re.sub(r"[{}~]", " ", text).replace("\\", "")
    return " ".join(text.split())


def _argument(node: LatexMacroNode, index: int) -> LatexNode | None:
    arguments = node.nodeargd.argnlist if node.nodeargd is not None else []
    return arguments[index] if index < len(arguments) else None


def _has_argument(node: LatexMacroNode, index: int) -> bool:
    """Whether argument ``index`` was given: pylatexenc puts an empty placeholder where a
    mandatory argument is missing (``\\titleformat{\\section}`` names \\section, no title)."""
    argument = _argument(node, index)
    return argument is not None and not (isinstance(argument, LatexCharsNode) and argument.len == 0)


def _argument_text(node: LatexMacroNode, index: int) -> str | None:
    """The verbatim text of argument ``index`` without its braces, or None when absent."""
    argument = _argument(node, index)
    if argument is None:
        return None
    if isinstance(argument, LatexGroupNode):
        return "".join(child.latex_verbatim() for child in argument.nodelist if child is not None)
    return argument.latex_verbatim()


def _children(node: LatexNode) -> list[LatexNode]:
    """Every node directly inside ``node``: its arguments, then its body."""
    out: list[Any] = []
    if getattr(node, "nodeargd", None) is not None:
        out.extend(arg for arg in node.nodeargd.argnlist if arg is not None)
    nodelist = getattr(node, "nodelist", None)
    if nodelist:
        out.extend(child for child in nodelist if child is not None)
    return out


def _find_macros(nodes: Sequence[LatexNode | None], names: frozenset[str]) -> list[LatexMacroNode]:
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


def _label_key(node: LatexMacroNode) -> str:
    """The key of ``\\label{key}`` (or cleveref's ``\\label[type]{key}``), exactly as written."""
    arguments = node.nodeargd.argnlist if node.nodeargd is not None else []
    index = 1 if len(arguments) > 1 else 0
    text = _argument_text(node, index)
    return text.replace(DOLLAR_IN_LABEL, "$") if text is not None and text.strip() else ""


def _blank_node(node: LatexNode | None) -> bool:
    return isinstance(node, LatexCharsNode) and not node.chars.strip()


_RULE_MACROS = frozenset(
    {"hline", "toprule", "midrule", "bottomrule", "cline", "cmidrule", "addlinespace", "specialrule", "hhline"}
)
_RULE_TRIM = re.compile(r"\s*(?:\([a-z]*\)|\[[^\]]*\])?\s*")


def _content_start(row: list, default: int) -> int:
    """Offset of the first character of ``row`` that is not white space (``default`` if none).

    A row's first text node starts with the line break after ``\\\\`` or ``\\begin{...}``,
    so its own offset is on the line before the row; rules (``\\midrule``) above the row are
    skipped for the same reason, with their arguments.
    """
    after_rule = False
    for node in row:
        if node is None or _blank_node(node):
            continue
        if isinstance(node, LatexMacroNode) and node.macroname in _RULE_MACROS:
            after_rule = True
            continue
        if after_rule and (
            isinstance(node, LatexGroupNode) or isinstance(node, LatexCharsNode) and _RULE_TRIM.fullmatch(node.chars)
        ):
            continue
        after_rule = False
        if isinstance(node, LatexCharsNode):
            return node.pos + len(node.chars) - len(node.chars.lstrip())
        return node.pos
    return default


def _last_tag(markers: list) -> LatexMacroNode | None:
    tags = [m for m in markers if m.macroname == "tag"]
    return tags[-1] if tags else None


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


def _rows(nodes: Sequence[LatexNode | None]) -> list[list[LatexNode]]:
    """Split the body of a multi-row math environment at its top-level ``\\\\``.

    A ``\\\\`` at the very end still starts a row: LaTeX numbers that empty row too.
    """
    rows: list[list[LatexNode]] = [[]]
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
                rows.append((cells, current.span(_content_start(row, row[0].pos))))
            row = []
            continue
        row.append(child)
    return rows


_RULES = re.compile(
    r"\\(?:hline|toprule|midrule|bottomrule|cline|cmidrule|addlinespace|rowcolor|specialrule)(?:\([^)]*\))?(?:\s*\{[^{}]*\})*"
)


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
