"""What an editor asks of a checked project: pure functions over a :class:`Report`.

The language server (:mod:`paperlink.server`) turns these answers into LSP messages; here
nothing knows the protocol. Positions are 1-based lines and columns counted in characters,
as :class:`~paperlink.spans.Span` counts them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from paperlink.diagnostics import Diagnostic
from paperlink.paper import ItemKind, Paper, PaperItem, display_name
from paperlink.references import parse_references
from paperlink.results import Link, Report
from paperlink.source.suppression_writer import add_suppressions
from paperlink.spans import split_lines
from paperlink.trace import resolve_all

__all__ = [
    "Target",
    "Completion",
    "LineEdit",
    "Action",
    "item_at",
    "hover_text",
    "references_to_label",
    "completion_context",
    "completions",
    "code_actions",
    "insert_above",
    "citation",
]


@dataclass(frozen=True)
class Target:
    """A paper item named at a place in code: which paper, which item, and the words naming it."""

    paper: Paper
    item: PaperItem
    start: int  # 1-based columns of the reference on its line, end exclusive
    end: int


@dataclass(frozen=True)
class Completion:
    label: str  # what is inserted
    detail: str  # the item's printed name and title
    kind: str  # the item's kind (ItemKind value)


@dataclass(frozen=True)
class LineEdit:
    """Replace ``text`` lines ``first_line``..``last_line`` (1-based, inclusive) with ``new_text``
    (which ends with a newline when it is not empty)."""

    first_line: int
    last_line: int
    new_text: str


@dataclass(frozen=True)
class Action:
    title: str
    edit: LineEdit
    diagnostic: Diagnostic | None = None
    preferred: bool = False


# Where annotation text starts on a line: a `# paper:` comment, a `Paper:` docstring line or
# the decorator's first string argument. Completion offers items only after one of these.
_ANNOTATION_START = re.compile(
    r"(?:#\s*paper\s*(?:\[[^\]]*\])?\s*:|^\s*Paper\s*(?:\[[^\]]*\])?\s*:|implements\(\s*['\"])\s*", re.IGNORECASE
)


def _annotation_text(line: str) -> tuple[int, str] | None:
    """Where the annotation text on ``line`` starts (0-based) and that text, if any."""
    match = _ANNOTATION_START.search(line)
    if match is None:
        return None
    return match.end(), line[match.end() :]


def item_at(report: Report, path: str, line_number: int, line: str, column: int) -> Target | None:
    """The paper item the reference at ``column`` of ``line`` names, if any.

    The report's links say what each annotation resolved to; an annotation typed since the
    last check is read and resolved here, with the same grammar and the same papers.
    """
    for link in report.links:
        paper = report.papers.get(link.paper)
        item = paper.item(link.item_key) if paper is not None else None
        if paper is None or item is None or link.span.path != path:
            continue
        written = link.written
        if written is not None and written.line == line_number and written.end_column is not None:
            if written.column <= column <= written.end_column:  # where the check found the reference
                return Target(paper, item, written.column, written.end_column)
            continue
        if link.span.line != line_number:
            continue
        for start in _occurrences(line, link.reference):
            if start < column <= start + len(link.reference) + 1:
                return Target(paper, item, start + 1, start + 1 + len(link.reference))
    found = _annotation_text(line)
    if found is None:
        return None
    offset, text = found
    references, _ = parse_references(text)
    for resolution in resolve_all(references, report.papers, None, None):
        reference = resolution.reference
        if resolution.item is None or resolution.paper is None:
            continue
        if offset + reference.start < column <= offset + reference.end + 1:
            paper = report.papers[resolution.paper]
            return Target(paper, resolution.item, offset + reference.start + 1, offset + reference.end + 1)
    return None


def _occurrences(line: str, text: str) -> Iterator[int]:
    start = line.find(text)
    while text and start >= 0:
        yield start
        start = line.find(text, start + 1)


def citation(item: PaperItem, paper: Paper) -> str:
    """How an annotation cites the item by number (``Eq. 3``, ``Alg. 1 line 4``), else its key."""
    if item.kind is ItemKind.HYPERPARAMETER or item.number is None:
        return item.labels[0] if item.labels else item.key
    if item.kind is ItemKind.EQUATION:
        return f"Eq. {item.number}"
    if item.kind is ItemKind.ALGORITHM_LINE:
        algorithm = paper.item(item.parent or "")
        if algorithm is not None and algorithm.number is not None:
            return f"Alg. {algorithm.number} line {item.number}"
        return item.labels[0] if item.labels else item.key
    if item.kind is ItemKind.ALGORITHM:
        return f"Alg. {item.number}"
    if item.kind is ItemKind.SECTION:
        return f"App. {item.number}" if item.appendix else f"Sec. {item.number}"
    return display_name(item)


def hover_text(target: Target, links: tuple[Link, ...]) -> str:
    """Markdown for a hover: what the item is, its LaTeX or value, and where code implements it."""
    item, paper = target.item, target.paper
    name = display_name(item)
    label = f" `{item.labels[0]}`" if item.labels else ("" if item.key == name else f" `{item.key}`")
    lines = [f"**{_plain(name)}**{label} · {item.kind.value.replace('_', ' ')} · {paper.name}"]
    if item.title and item.title != name:
        lines += ["", _plain(item.title)]
    stated = item.hyperparameter
    if stated is not None:
        value = ", ".join(stated.members) if stated.members else stated.raw
        scope = f" (scope: {stated.scope})" if stated.scope else ""
        lines += ["", f"Paper value: `{' '.join(value.split())}`{scope}"]
    elif item.kind is ItemKind.ALGORITHM_LINE and item.latex.strip():
        lines += ["", _plain(" ".join(item.latex.split()))]
    elif item.latex.strip():
        lines += ["", "```latex", item.latex.strip("\n"), "```"]
    lines += ["", f"Defined at {item.span.path}:{item.span.line}"]
    sites = sorted({link.span.location for link in links if link.paper == paper.name and link.item_key == item.key})
    if sites:
        lines += ["", "Implemented at: " + ", ".join(sites)]
    return "\n".join(lines)


def _plain(text: str) -> str:
    """Text shown as Markdown without becoming markup."""
    return re.sub(r"([\\`*_{}\[\]<>#|])", r"\\\1", text)


def references_to_label(report: Report, path: str, line_number: int, line: str, column: int) -> list[Link]:
    """The code sites linking the item whose ``\\label`` is under ``column`` in a paper file."""
    for match in re.finditer(r"\\label\s*\{([^}]*)\}", line):
        if not match.start() < column <= match.end() + 1:
            continue
        label = match.group(1).strip()
        found = []
        for name, paper in sorted(report.papers.items()):
            keys = {item.key for item in paper.items if label in item.labels and item.span.path == path}
            found += [link for link in report.links if link.paper == name and link.item_key in keys]
        return sorted(found, key=lambda link: link.span)
    del line_number  # the label's own line is enough: items are matched by label and file
    return []


def completion_context(line: str, column: int) -> tuple[int, str] | None:
    """Where the reference being typed starts (1-based) and its text so far, when the cursor
    at ``column`` sits in annotation text."""
    before = line[: column - 1]
    found = _annotation_text(before)
    if found is None:
        return None
    offset, text = found
    last = max(text.rfind(","), text.rfind(";"))
    start = offset + last + 1
    while start < len(before) and before[start] == " ":
        start += 1
    return start + 1, before[start:]


def completions(papers: Mapping[str, Paper], typed: str) -> list[Completion]:
    """Labels, printed numbers and hyperparameter keys that start with what was typed."""
    wanted = typed.strip()
    found: dict[str, Completion] = {}
    for _, paper in sorted(papers.items()):
        for item in paper.items:
            detail = " ".join(f"{display_name(item)} {item.title if item.title != display_name(item) else ''}".split())
            names = [item.key] if item.kind is ItemKind.HYPERPARAMETER else [*item.labels, citation(item, paper)]
            for name in names:
                if name.lower().startswith(wanted.lower()) and name not in found:
                    found[name] = Completion(name, detail, item.kind.value)
    # What matches as typed first ("Alg" -> "Alg. 1" before "alg:main"), then document order
    return sorted(found.values(), key=lambda completion: not completion.label.startswith(wanted))


_STOP_CODES = frozenset({"PL201"})


def code_actions(text: str, diagnostics: list[Diagnostic]) -> list[Action]:
    """Quick fixes for the diagnostics on a file: a suppression with a reason to fill in, and
    for an undocumented gradient stop the directive that documents it."""
    lines = split_lines(text)
    actions: list[Action] = []
    for diagnostic in diagnostics:
        number = diagnostic.span.line
        if not 0 < number <= len(lines):
            continue
        if diagnostic.code in _STOP_CODES:
            line = lines[number - 1]
            indent = line[: len(line) - len(line.lstrip())]
            directive = insert_above(
                text, number, f"{indent}# paperlink: stop-grad TODO: say why the gradient stops here"
            )
            if directive is not None:
                actions.append(Action("Document this gradient stop", directive, diagnostic, True))
        new_text, refused = add_suppressions(text, {number: [diagnostic.code]})
        if not refused:
            new_line = split_lines(new_text)[number - 1]
            actions.append(
                Action(f"Suppress {diagnostic.code} on this line", LineEdit(number, number, new_line), diagnostic)
            )
    return actions


def insert_above(text: str, number: int, new_line: str) -> LineEdit | None:
    """The edit inserting ``new_line`` (without a newline) above line ``number`` of ``text``,
    which is kept as it is; the newline is that line's own, else the file's. None when
    ``text`` has no such line."""
    lines = split_lines(text)
    if not 0 < number <= len(lines):
        return None
    line = lines[number - 1]
    if line.endswith(("\n", "\r")):
        ending = line[len(line.rstrip("\r\n")) :]
    else:  # the last line, without a newline
        ending = "\r\n" if "\r\n" in text else "\n"
    return LineEdit(number, number, new_line + ending + line)
