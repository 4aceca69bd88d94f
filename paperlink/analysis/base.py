"""What a code analysis is: what the PL2xx-PL5xx rules know about the code, file by file, then as a whole.

An :class:`Analysis` works in two steps, so that the expensive one runs in worker
processes and is cached by file content:

* ``scan(CodeModule) -> facts``: what one file holds (gradient stops, hyperparameter sites,
  module globals...), as a frozen dataclass of plain fields (it crosses processes and is
  stored as JSON in ``.paperlink_cache``);
* ``conclude(facts of every file, Project) -> Conclusion``: diagnostics, which may need the
  papers and links or other files (an import graph), and the section this analysis adds to
  the JSON output and the HTML report (the gradient-stop map, the hidden inputs, the
  hyperparameter table).

An analysis runs only when one of its codes is selected.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from paperlink.diagnostics import Diagnostic

if TYPE_CHECKING:
    from paperlink.config import Config
    from paperlink.engine import Link
    from paperlink.paper import Paper
    from paperlink.source.code import CodeModule
    from paperlink.source.environment import Environment

__all__ = ["Analysis", "Conclusion", "Project"]


@dataclass(frozen=True)
class Project:
    """What a conclusion may use besides the facts: the papers, the links, the settings, the environment files."""

    papers: Mapping[str, Paper]
    links: Sequence[Link]
    default_paper: str | None
    config: Config
    environment: Environment | None = None  # the environment files, read when an analysis needs them


@dataclass(frozen=True)
class Conclusion:
    """An analysis's diagnostics and its section of the output (JSON-ready data, or None)."""

    diagnostics: tuple[Diagnostic, ...] = ()
    section: Any = None


@dataclass(frozen=True)
class Analysis:
    """One family of code rules, as the engine runs it."""

    name: str  # its section in the JSON output: "gradient_stops", "hidden_inputs", ...
    codes: tuple[str, ...]  # every code it reports; it runs when one of them is selected
    facts: type  # the frozen dataclass ``scan`` returns (the cache decodes into it)
    scan: Callable[[CodeModule], Any]
    conclude: Callable[[Sequence[Any], Project], Conclusion]

