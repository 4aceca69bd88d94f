"""What a code analysis is: what the PL2xx-PL5xx rules know about the code, file by file, then as a whole.

An :class:`Analysis` works in two steps, so that the expensive one runs in worker
processes and is cached by file content:

* ``scan(CodeModule) -> facts``: what one file holds (gradient stops, hyperparameter sites,
  module globals...), as a frozen dataclass of typed fields, never a loose dictionary (it
  crosses processes and is stored as JSON in ``.paperlink_cache`` by one generic codec);
* ``conclude(facts of every file, Project) -> Conclusion``: diagnostics, which may need the
  papers and links or other files (an import graph), and the section this analysis adds to
  the JSON output and the HTML report (the gradient-stop map, the hidden inputs, the
  hyperparameter table). It is pure: it reasons over typed facts, the papers (whose items
  carry what conclusions need of the paper's text) and the :class:`Project`, reads no file,
  and turns its results into JSON-ready data only when it builds the section.

An analysis runs only when one of its codes is selected.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from paperlink.diagnostics import Diagnostic
from paperlink.rules import ALL_RULES

if TYPE_CHECKING:
    from paperlink.config import Config
    from paperlink.configfiles import ConfigSource
    from paperlink.paper import Paper
    from paperlink.results import Link
    from paperlink.source.code import CodeModule
    from paperlink.source.environment import Environment
    from paperlink.source.notebook_layout import NotebookLayout
    from paperlink.spans import Span

__all__ = ["Analysis", "Conclusion", "Project"]


@dataclass(frozen=True)
class Project:
    """What a conclusion may use besides the facts: the papers, the links, the settings, the environment files."""

    papers: Mapping[str, Paper]
    links: Sequence[Link]
    default_paper: str | None
    config: Config
    configs: tuple[ConfigSource, ...] = ()  # the config files (Hydra trees composed) the code runs with
    environment: Environment | None = None  # the environment files, read when an analysis needs them
    notebooks: Mapping[str, NotebookLayout] = field(default_factory=dict)  # the notebooks read, by path

    def where(self, span: Span, seen_from: str = "") -> str:
        """``span`` for a message: ``line 12`` (``cell 4, line 2`` in a notebook) when it is
        in the file ``seen_from``, else ``path:12`` (``path:cell 4:2``). Facts keep notebook
        positions as lines of the notebook's whole text, so they are converted here."""
        layout = self.notebooks.get(span.path)
        shown = layout.to_cells(span) if layout is not None else span
        if span.path != seen_from:
            return shown.location
        return f"line {shown.line}" if shown.cell is None else f"cell {shown.cell}, line {shown.line}"


@dataclass(frozen=True)
class Conclusion:
    """An analysis's diagnostics and its section of the output (JSON-ready data, or None)."""

    diagnostics: tuple[Diagnostic, ...] = ()
    section: Any = None


Facts = TypeVar("Facts")  # an analysis's facts about one file: a frozen dataclass of typed fields


@dataclass(frozen=True)
class Analysis(Generic[Facts]):
    """One family of code rules, as the engine runs it: ``conclude`` receives exactly what
    ``scan`` returned for each file (or what the cache decoded into ``facts``)."""

    name: str  # its section in the JSON output: "gradient_stops", "hidden_inputs", ...
    facts: type[Facts]  # the frozen dataclass ``scan`` returns (the cache decodes into it)
    scan: Callable[[CodeModule], Facts]
    conclude: Callable[[Sequence[Facts], Project], Conclusion]

    @property
    def codes(self) -> tuple[str, ...]:
        """Every code it reports, in code order: the rules that name it as their ``analysis``.
        It runs when one of them is selected."""
        return tuple(rule.code for rule in ALL_RULES if rule.analysis == self.name)
