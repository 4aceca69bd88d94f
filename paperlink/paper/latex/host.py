"""What the reader's mixins share: the state and the methods of :class:`_LatexReader`.

:class:`Counting`, :class:`DisplayMath` and :class:`Floats` are halves of one class; each
uses state that ``_LatexReader.__init__`` sets and methods the others define. This base
declares them so that the type checker can follow a mixin on its own. At run time it adds
nothing: the methods are declared only while type checking.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from pylatexenc.latexwalker import LatexEnvironmentNode, LatexMacroNode, LatexNode

from paperlink.paper.latex.state import _Anchor, _File, _Float, _Item
from paperlink.paper.model import ItemKind, Limitation, MacroDefinition
from paperlink.paper.numbering import Counters, Template
from paperlink.paper.texscan import MacroTable
from paperlink.spans import Span

if TYPE_CHECKING:
    from paperlink.paper import hyperparams
    from paperlink.rules.base import Rule


class _ReaderHost:
    """The reader's state and cross-mixin methods, as the mixins see them."""

    main: Path
    paper_dir: Path
    counters: Counters
    macros: MacroTable
    package_macros: dict[str, MacroDefinition]  # from packages shipped with the paper; for rendering only
    items: list[_Item]
    anchors: list[_Anchor]
    floats: list[_Float]
    sections: list[_Item]
    lists: list[str]
    limitations: list[Limitation]
    theorems: dict[str, tuple[str | None, str]]
    document_class: str
    algorithm_counter: str
    algorithm_ends: bool
    algorithm_style: str
    pending_labels: list[LatexMacroNode]  # \label nodes waiting for a tag
    equation_group: _Item | None
    caption_package: bool
    algorithm2e_environment: str
    minipages: int

    if TYPE_CHECKING:

        def _diagnose(self, span: Span, rule: type[Rule], message: str) -> None: ...

        def _walk(self, nodes: Sequence[LatexNode | None], current: _File, *, prose: bool) -> None: ...

        def _environment(self, node: LatexEnvironmentNode, current: _File) -> None: ...

        def _hyperparameter(self, mention: hyperparams.Mention, span: Span, table: _Item | None) -> None: ...

        def _prose(self, current: _File, start: int, end: int, *, diagnose: bool = True) -> None: ...

        def _group(self) -> AbstractContextManager[None]: ...

        def _set_template_locally(self, counter: str, template: Template) -> None: ...

        def _new_item(self, kind: ItemKind, number: str | None, span: Span, **fields: Any) -> _Item: ...

        def _refstep(self, counter: str, item: _Item | None) -> str: ...

        def _bind_label(self, node: LatexMacroNode, current: _File, anchor: _Anchor | None = None) -> None: ...

        def _limitation(self, span: Span, message: str) -> None: ...
