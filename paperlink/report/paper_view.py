"""The paper side of the page: sections in order, their equations, algorithms and floats.

Each item carries the code that implements it (links into the code view), its coverage
status and the diagnostics at its place in the paper.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from paperlink.paper import ItemKind, Paper, PaperItem, display_name
from paperlink.report.anchors import Anchors
from paperlink.report.latex_text import TextRenderer, reference_names
from paperlink.report.math import MathRenderer
from paperlink.report.texts import algorithm_line_html, paper_header
from paperlink.report.views import (
    AlgorithmLineView,
    FindingView,
    ItemView,
    PaperView,
    Ref,
    SectionView,
    SnippetView,
    StatementView,
)
from paperlink.results import Link, covered_keys, is_exempt

__all__ = ["PaperContext", "paper_views", "code_refs_by_item"]

_FLOW_SKIPPED = frozenset({ItemKind.HYPERPARAMETER, ItemKind.ALGORITHM_LINE})  # shown by their section or algorithm
_FRONT = "front matter"


@dataclass(frozen=True)
class PaperContext:
    """What building one paper's view needs beside the paper."""

    anchors: Anchors
    code: Mapping[tuple[str, str], tuple[Ref, ...]]  # (paper, key) -> linked code
    findings: Mapping[tuple[str, int], tuple[FindingView, ...]]  # (path, line) -> diagnostics there
    counted_kinds: frozenset[str]  # kinds the coverage table counts
    exempt: frozenset[str]
    texts: Mapping[str, Sequence[str]]  # paper file path -> its lines
    snippets: Mapping[tuple[str, str], tuple[SnippetView, ...]] = field(default_factory=dict)  # (paper, key)


def code_refs_by_item(links: Sequence[Link], anchors: Anchors) -> dict[tuple[str, str], tuple[Ref, ...]]:
    found: dict[tuple[str, str], dict[Ref, None]] = defaultdict(dict)  # ordered sets: linear in links
    for link in links:
        ref = anchors.code_ref(link.target.path, link.target.line, link.target_name)
        found[link.paper, link.item_key].setdefault(ref, None)
    return {key: tuple(refs) for key, refs in found.items()}


def paper_views(papers: Mapping[str, Paper], context: PaperContext) -> tuple[PaperView, ...]:
    """Each paper's sections, in name order; the hyperparameter table is added by the caller,
    once every item that can be linked to is known."""
    views = []
    for name in sorted(papers):
        paper = papers[name]
        views.append(
            PaperView(paper_header(paper), context.anchors.paper_ids[name], _sections(paper, context), (), False)
        )
    return tuple(views)


def _sections(paper: Paper, context: PaperContext) -> tuple[SectionView, ...]:
    """Items grouped under the section that precedes them; items before any section come first."""
    renderer = MathRenderer(paper.macros)
    text = TextRenderer(renderer, reference_names(paper.items))
    linked = {key for paper_name, key in context.code if paper_name == paper.name}
    covered = covered_keys(paper, linked)
    children: dict[str, list[PaperItem]] = defaultdict(list)
    for item in paper.items:
        if item.parent:
            children[item.parent].append(item)
    groups: list[tuple[PaperItem | None, list[ItemView], list[StatementView]]] = [(None, [], [])]
    stated: set[str] = set()
    for item in paper.items:
        if item.kind is ItemKind.SECTION:
            groups.append((item, [], []))
        elif item.kind is ItemKind.HYPERPARAMETER:
            groups[-1][2].append(_statement(paper, item, context, stated, renderer))
        elif item.kind not in _FLOW_SKIPPED:
            groups[-1][1].append(_item_view(paper, item, context, renderer, covered, children, text))
    return tuple(
        _section_view(paper, section, items, statements, context, text)
        for section, items, statements in groups
        if section or items or statements
    )


_LATEX_NAME = re.compile(r"\\[A-Za-z]+(?:_\{?[A-Za-z0-9]+\}?)?")  # \eta, \beta_1, \lambda_{wd}
_LATEX_VALUE = re.compile(r"[\\^_{]")


def _statement(
    paper: Paper, item: PaperItem, context: PaperContext, stated: set[str], renderer: MathRenderer
) -> StatementView:
    """A hyperparameter as the section states it; the first statement of a key holds its id.
    A name or value written in LaTeX (``\\eta_0``, ``10^{-4}``) is shown as MathML too."""
    first = item.key not in stated
    stated.add(item.key)
    value = item.hyperparameter.raw if item.hyperparameter else item.latex
    name = item.title or item.key
    return StatementView(
        name_math=renderer.inline(name) if _LATEX_NAME.fullmatch(name) else None,
        value_math=renderer.inline(value) if _LATEX_VALUE.search(value) and not value.startswith("{") else None,
        id=context.anchors.show(paper.name, item.key) if first else None,
        name=name,
        value=value,
        code=context.code.get((paper.name, item.key), ()) if first else (),
        snippets=context.snippets.get((paper.name, item.key), ()) if first else (),
        key=item.key,
    )


def _section_view(
    paper: Paper,
    section: PaperItem | None,
    items: list[ItemView],
    statements: list[StatementView],
    context: PaperContext,
    text: TextRenderer,
) -> SectionView:
    if section is None:
        return SectionView(
            context.anchors.unique(f"{paper.name}-front"), _FRONT, 1, tuple(items), (), tuple(statements)
        )
    number = f"{section.number} " if section.number else ""
    prefix = f"{'Appendix ' if section.appendix and section.level <= 1 else ''}{number}"
    title = rendered(section.latex, text) or escape(section.title)
    return SectionView(
        context.anchors.show(paper.name, section.key),
        Markup((escape(prefix) + title).strip()),
        max(section.level, 1),
        tuple(items),
        context.code.get((paper.name, section.key), ()),
        tuple(statements),
        context.snippets.get((paper.name, section.key), ()),
        section.key,
    )


def _item_view(
    paper: Paper,
    item: PaperItem,
    context: PaperContext,
    renderer: MathRenderer,
    covered: set[str],
    children: Mapping[str, list[PaperItem]],
    text: TextRenderer,
) -> ItemView:
    parts = children.get(item.key, ())
    is_group = item.kind is ItemKind.EQUATION and any(part.kind is ItemKind.EQUATION for part in parts)
    math = renderer.display(item.latex) if item.kind is ItemKind.EQUATION and not is_group else None
    algorithm_lines = [part for part in parts if part.kind is ItemKind.ALGORITHM_LINE]
    numbers = paper.label_numbers() if algorithm_lines else {}
    lines = tuple(_line_view(paper, line, context, renderer, numbers) for line in algorithm_lines)
    return ItemView(
        id=context.anchors.show(paper.name, item.key),
        kind=item.kind.value,
        display=display_name(item),
        number=item.number,
        labels=item.labels,
        title=_title(item, is_group, parts, text),
        math=math,
        latex="" if is_group else _latex(item, renderer),
        status=_status(item, context, covered),
        code=context.code.get((paper.name, item.key), ()),
        findings=_findings_at(item, context),
        lines=lines,
        source=_source_ref(item, context),
        statement=theorem_statement(item, text) if item.kind is ItemKind.THEOREM and item.latex else None,
        snippets=context.snippets.get((paper.name, item.key), ()),
        key=item.key,
    )


def _title(item: PaperItem, is_group: bool, parts: Sequence[PaperItem], text: TextRenderer) -> str:
    if is_group:
        numbers = ", ".join(f"({part.number})" for part in parts if part.number)
        return f"rows {numbers}" if numbers else ""
    if item.kind in (ItemKind.FIGURE, ItemKind.TABLE):
        return rendered(caption_latex(item.latex), text) or item.title
    return item.title if item.kind is not ItemKind.EQUATION else ""


_CAPTION = re.compile(r"\\caption\*?\s*(?:\[[^\]]*\]\s*)?\{")


def caption_latex(latex: str) -> str:
    """The argument of a float's ``\\caption`` (the float's LaTeX is its whole environment:
    placement, tabular and all), or the text as given when it has no caption command."""
    found = _CAPTION.search(latex)
    if found is None:
        return latex if "\\begin{" not in latex else ""
    depth, start = 1, found.end()
    for index in range(start, len(latex)):
        char = latex[index]
        if char in "{}" and latex[index - 1] != "\\":  # \{ and \} are text
            depth += 1 if char == "{" else -1
            if depth == 0:
                return latex[start:index]
    return latex[start:]


def rendered(latex: str, text: TextRenderer) -> Markup | None:
    """A caption or heading as the page shows it, where its LaTeX holds more than plain text."""
    return text.render(latex) if latex and ("\\" in latex or "$" in latex or "~" in latex) else None


def theorem_statement(item: PaperItem, text: TextRenderer) -> Markup:
    """A theorem-like statement as the page shows it: without its environment and label."""
    return text.render(_unwrapped(item.latex))


# Only the statement's own environment is taken off: an array, cases or enumerate inside it is
# part of the statement (taking every \begin off left `\left\{ {ll} ...` that no converter reads).
_OPENING = re.compile(
    r"\s*(?:\\begin\{restatable\*?\}(?:\[[^\]]*\])?\{[^{}]*\}\{[^{}]*\}"  # thmtools: environment and macro names
    r"|\\begin\{[^{}]*\}(?:\[[^\]]*\])?)"
)
_CLOSING = re.compile(r"\\end\{[^{}]*\}\s*$")
_LABEL = re.compile(r"\\label\{[^{}]*\}")


def _unwrapped(latex: str) -> str:
    """A theorem-like statement without its environment and labels."""
    opening = _OPENING.match(latex)
    if opening is not None:
        latex = _CLOSING.sub("", latex[opening.end() :])
    return _LABEL.sub("", latex)


def _latex(item: PaperItem, renderer: MathRenderer) -> str:
    """The LaTeX shown when there is no MathML: equations expanded, floats without their wrapper."""
    if item.kind is ItemKind.EQUATION:
        return renderer.expand(item.latex)
    if item.kind in (ItemKind.TABLE, ItemKind.FIGURE, ItemKind.ALGORITHM):
        return ""  # the caption is the title; the body adds nothing readable
    return _unwrapped(item.latex).strip()


def _status(item: PaperItem, context: PaperContext, covered: set[str]) -> str:
    if item.kind.value not in context.counted_kinds or item.number is None:
        return ""
    if is_exempt(item, context.exempt):
        return "exempt"
    return "implemented" if item.key in covered else "missing"


def _findings_at(item: PaperItem, context: PaperContext) -> tuple[Ref, ...]:
    found = context.findings.get((item.span.path, item.span.line), ())
    return tuple(Ref(f"{f.code} {f.message}", f"#{f.id}", f.severity) for f in found)


def _source_ref(item: PaperItem, context: PaperContext) -> Ref | None:
    if not context.anchors.has_line(item.span.path, item.span.line):
        return None
    return context.anchors.code_ref(item.span.path, item.span.line)


def _line_view(
    paper: Paper,
    line: PaperItem,
    context: PaperContext,
    renderer: MathRenderer,
    numbers: Mapping[str, str | None],
) -> AlgorithmLineView:
    source = context.texts.get(line.span.path, ())
    text = source[line.span.line - 1] if 0 < line.span.line <= len(source) else line.latex
    return AlgorithmLineView(
        id=context.anchors.show(paper.name, line.key),
        number=line.number or "",
        label=line.labels[0] if line.labels else "",
        text=algorithm_line_html(text, renderer, numbers),
        code=context.code.get((paper.name, line.key), ()),
        snippets=context.snippets.get((paper.name, line.key), ()),
        key=line.key,
    )
