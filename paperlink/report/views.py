"""The report page as plain frozen data: everything the templates show, already decided.

Templates only loop and print; every link target, number, status and piece of markup is
computed here. ``Markup`` fields hold HTML built by this package from escaped text (code
lines) or whitelisted MathML; every other string is escaped by the templates.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from paperlink.report.summary import CoverageRowView, Summary

__all__ = [
    "Ref",
    "Header",
    "PaperHeader",
    "ItemView",
    "AlgorithmLineView",
    "SnippetLineView",
    "SnippetView",
    "StatementView",
    "SectionView",
    "PaperView",
    "CodeValueView",
    "HyperparameterRowView",
    "LineView",
    "CodeFileView",
    "FindingView",
    "RuleView",
    "CoverageView",
    "GradientStopView",
    "GlobalView",
    "EnvVarView",
    "SeedView",
    "NondeterminismView",
    "HiddenInputsView",
    "PinView",
    "PlatformVersionView",
    "EnvironmentFileView",
    "PackageView",
    "EnvironmentView",
    "BlueprintNodeView",
    "BlueprintEdgeView",
    "BlueprintView",
    "Page",
]


@dataclass(frozen=True)
class Ref:
    """A link into the page (``href`` is ``#id``), or plain text when the target is not shown."""

    text: str
    href: str | None = None
    detail: str = ""  # e.g. the name of the function a code location sits in
    permalink: str | None = None  # the location on the code forge at the page's commit


@dataclass(frozen=True)
class PaperHeader:
    name: str
    title: str
    authors: tuple[str, ...]
    arxiv: str
    arxiv_url: str | None  # https://arxiv.org/abs/ID when the id is well formed
    source: str


@dataclass(frozen=True)
class Header:
    project: str
    version: str
    commit: str | None
    generated_at: str | None
    papers: tuple[PaperHeader, ...]
    summary: Summary
    dirty: bool = False  # the work tree differs from the commit: the page shows code not in it
    forge: str | None = None  # the forge's name ("GitHub") when locations link to it
    commit_url: str | None = None  # the commit on that forge


@dataclass(frozen=True)
class SnippetLineView:
    number: int
    html: Markup  # the line as the code view shows it (escaped, highlighted)
    bound: bool  # inside the span the annotation binds (the rest is context)


@dataclass(frozen=True)
class SnippetView:
    """The code a link binds, shown beside (or, without JavaScript, after) its paper item."""

    where: Ref  # file:line of the bound span's first line, with the forge permalink
    span: str  # "lines 43-52" or "line 48"
    lines: tuple[SnippetLineView, ...]
    cut: int = 0  # bound lines left out at the end (a long function shows its first lines)


@dataclass(frozen=True)
class AlgorithmLineView:
    id: str
    number: str
    label: str
    text: Markup  # the line's LaTeX made readable: inline math as MathML, commands as words
    code: tuple[Ref, ...]
    snippets: tuple[SnippetView, ...] = ()
    key: str = ""  # the item key, for a URL fragment naming it (#alg:dqn:line:3)


@dataclass(frozen=True)
class ItemView:
    """One paper item in the paper view (equation, algorithm, table, figure, theorem, ...)."""

    id: str
    kind: str
    display: str  # "Eq. (3b)", "Algorithm 1"
    number: str | None
    labels: tuple[str, ...]
    title: str
    math: Markup | None  # MathML of an equation; None when not an equation or conversion failed
    latex: str  # the LaTeX source, shown when there is no MathML
    status: str  # implemented, missing, exempt or "" (kinds coverage does not count)
    code: tuple[Ref, ...]  # the code locations linked to it
    findings: tuple[Ref, ...]  # diagnostics at the item's place in the paper
    lines: tuple[AlgorithmLineView, ...] = ()
    source: Ref | None = None  # the LaTeX line, when the paper file is in the code view
    statement: Markup | None = None  # a theorem-like statement as text with MathML
    snippets: tuple[SnippetView, ...] = ()  # the linked code, trimmed
    key: str = ""  # the item key, for a URL fragment naming it (#eq:loss)


@dataclass(frozen=True)
class StatementView:
    """A hyperparameter value the section states."""

    id: str | None  # only the first statement of a key carries the id links point to
    name: str
    value: str
    code: tuple[Ref, ...]
    snippets: tuple[SnippetView, ...] = ()
    key: str = ""
    name_math: Markup | None = None  # a name written in LaTeX (\eta_0) as MathML
    value_math: Markup | None = None  # a value written in LaTeX (10^{-4}) as MathML


@dataclass(frozen=True)
class SectionView:
    id: str
    display: str  # "2.1 Objective"
    level: int
    items: tuple[ItemView, ...]
    code: tuple[Ref, ...]
    hyperparameters: tuple[StatementView, ...] = ()
    snippets: tuple[SnippetView, ...] = ()
    key: str = ""


@dataclass(frozen=True)
class CodeValueView:
    value: str
    where: Ref
    source: str  # literal, config, default, or "link" for a plain annotation
    configurable: bool | None
    status: str = ""  # the site's own status against the paper (match, mismatch, ...); "" when not compared


@dataclass(frozen=True)
class HyperparameterRowView:
    name: str
    paper_value: str | None
    paper_ref: Ref | None
    code: tuple[CodeValueView, ...]
    status: str  # match, mismatch, only-in-code, only-in-paper, or "paper" (no comparison ran)
    paper_math: Markup | None = None  # the paper's value as MathML when it is LaTeX (10^{-4})
    paper_ref_math: Markup | None = None  # the statement's words as MathML when the paper names a symbol (\eta_0)


@dataclass(frozen=True)
class PaperView:
    header: PaperHeader
    id: str
    sections: tuple[SectionView, ...]
    hyperparameters: tuple[HyperparameterRowView, ...]
    compared: bool  # the hyperparameter rows come from the hyperparameters analysis


@dataclass(frozen=True)
class FindingView:
    id: str
    code: str
    name: str  # the rule's name
    severity: str
    message: str
    location: Ref
    rule_href: str | None


@dataclass(frozen=True)
class LineView:
    number: int
    id: str
    html: Markup
    linked: bool  # inside code a link binds to
    refs: tuple[Ref, ...]  # paper items linked at this line
    findings: tuple[FindingView, ...]
    label: int = 0  # the line number shown: within its cell in a notebook
    cell: str = ""  # in a notebook, on a cell's first shown line: "cell 3 · code"
    gap_before: int = 0  # lines left out of the page just before this one (--include-code)


@dataclass(frozen=True)
class CodeFileView:
    id: str
    path: str
    lines: tuple[LineView, ...]
    note: str  # why the file is shown without lines, or ""
    links: int
    findings: int
    file_findings: tuple[FindingView, ...]  # diagnostics with no line in the file
    permalink: str | None = None  # the file on the code forge at the page's commit
    gap_after: int = 0  # lines left out of the page after the last shown one


@dataclass(frozen=True)
class RuleView:
    id: str
    code: str
    name: str
    severity: str
    summary: str
    documentation: str
    found: int  # how many diagnostics of this code the report has


@dataclass(frozen=True)
class CoverageView:
    row: CoverageRowView
    missing_items: tuple[Ref, ...]


@dataclass(frozen=True)
class GradientStopView:
    where: Ref
    kind: str
    api: str
    context: str
    function: str
    documented_by: str | None
    items: tuple[Ref, ...]
    justification: str | None
    findings: tuple[Ref, ...] = ()  # the gradient rules' diagnostics at the stop
    flagged: bool = False  # a warning or error among them: the stop needs a paper item or justification


@dataclass(frozen=True)
class GlobalView:
    name: str
    where: Ref
    kind: str
    read_by: tuple[str, ...]
    written_by: tuple[str, ...]


@dataclass(frozen=True)
class EnvVarView:
    name: str | None
    where: Ref
    function: str


@dataclass(frozen=True)
class SeedView:
    library: str
    value: str | None
    where: Ref
    configurable: bool


@dataclass(frozen=True)
class NondeterminismView:
    setting: str
    where: Ref
    documented: bool


@dataclass(frozen=True)
class HiddenInputsView:
    globals: tuple[GlobalView, ...]
    env_vars: tuple[EnvVarView, ...]
    seeds: tuple[SeedView, ...]
    nondeterminism: tuple[NondeterminismView, ...]


@dataclass(frozen=True)
class PinView:
    text: str  # as written: "pytorch =2.1.0", "torch>=1.7"
    exact: bool


@dataclass(frozen=True)
class PlatformVersionView:
    name: str  # "Python", "torch", "CUDA"
    version: str | None  # None: no environment file records it
    fixed: bool
    via: str
    where: Ref | None


@dataclass(frozen=True)
class EnvironmentFileView:
    where: Ref
    kind: str
    lock: bool
    pins: tuple[PinView, ...]  # empty for a lock file, whose count says enough
    count: int


@dataclass(frozen=True)
class PackageView:
    module: str
    status: str  # "pinned", "unpinned", "unlisted", "optional"
    where: tuple[Ref, ...]  # the lines listing it, or its first import when no file lists it


@dataclass(frozen=True)
class EnvironmentView:
    versions: tuple[PlatformVersionView, ...]
    files: tuple[EnvironmentFileView, ...]
    packages: tuple[PackageView, ...]


@dataclass(frozen=True)
class BlueprintNodeView:
    x: str  # SVG coordinates of the box's top left corner, as written
    y: str
    label: str  # "Eq. (3)"
    title: str  # the tooltip: label and title
    href: str | None  # the item on the page
    status: str  # implemented, missing, exempt or other: the node's colour


@dataclass(frozen=True)
class BlueprintEdgeView:
    x1: str  # from the bottom of the used item
    y1: str
    x2: str  # to the top of the item using it
    y2: str
    title: str  # "Algorithm 1 line 4 uses Eq. (3)"


@dataclass(frozen=True)
class BlueprintView:
    """A paper's items as a graph: an edge where one item's text refers to another."""

    width: str
    height: str
    nodes: tuple[BlueprintNodeView, ...]
    edges: tuple[BlueprintEdgeView, ...]
    node_width: int
    node_height: int
    paper: str = ""


@dataclass(frozen=True)
class Page:
    header: Header
    papers: tuple[PaperView, ...]
    coverage: tuple[CoverageView, ...]
    files: tuple[CodeFileView, ...]
    findings: tuple[FindingView, ...]
    rules: tuple[RuleView, ...]
    gradient_stops: tuple[GradientStopView, ...] | None  # None: the analysis did not run
    hidden_inputs: HiddenInputsView | None
    environment: EnvironmentView | None = None  # None: the environment analysis did not run
    blueprints: tuple[BlueprintView, ...] = ()  # one per paper with numbered items
