"""``paperlink suggest``: rank, for each paper item, the code most likely to implement it.

Pure: papers, source texts and the links already written in, rankings out
(:func:`suggest`). Reading the project is :func:`paperlink.suggest.project.read_project`;
writing accepted suggestions as ``# paper:`` comments is :mod:`paperlink.suggest.write`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from paperlink.paper.model import ItemKind, Paper, PaperItem
from paperlink.source.notebook_layout import NotebookLayout
from paperlink.suggest.items import queries
from paperlink.suggest.rank import Candidate, Link, Ranking, rank
from paperlink.suggest.targets import Target, read_targets

__all__ = ["Candidate", "Link", "Ranking", "Target", "Suggestions", "suggest", "accepted", "DEFAULT_MIN_SCORE"]

# The score --write needs by default: tuned on the opened repositories of
# benchmarks/suggest_labels for precision (a wrong annotation costs more than a missing one)
DEFAULT_MIN_SCORE = 0.6

SUGGESTED_KINDS = frozenset(
    {
        ItemKind.SECTION,
        ItemKind.EQUATION,
        ItemKind.ALGORITHM,
        ItemKind.ALGORITHM_LINE,
        ItemKind.HYPERPARAMETER,
        ItemKind.TABLE,
        ItemKind.FIGURE,
        ItemKind.THEOREM,
    }
)


@dataclass(frozen=True)
class Suggestions:
    """The rankings of one paper, in the paper's order, and the items already linked."""

    paper: str
    rankings: tuple[Ranking, ...]
    linked: frozenset[str]  # keys of the items some annotation already names
    items: tuple[PaperItem, ...] = ()  # every item of the paper, ranked or not


def suggest(
    paper: Paper,
    sources: Sequence[tuple[str, str]],
    paper_lines: Mapping[str, Sequence[str]] | None = None,
    links: Sequence[Link] = (),
    top: int = 3,
    layouts: Mapping[str, NotebookLayout] | None = None,
) -> Suggestions:
    """Rank targets in ``sources`` (relative path, text) for the items of ``paper``.

    ``paper_lines`` holds the paper's files as lines (for algorithm lines, whose text the
    model does not keep); ``links`` the annotations already written, as evidence of where
    neighbouring items live. Items already linked are ranked too but never written.
    ``layouts`` maps a notebook (whose text is its Python text) to its cells, for the targets'
    cell positions.
    """
    targets = [_placed(target, layouts or {}) for path, text in sources for target in read_targets(path, text)]
    found = queries(paper, paper_lines or {}, SUGGESTED_KINDS)
    rankings = tuple(rank(found, targets, links, top))
    return Suggestions(paper.name, rankings, frozenset(link.item for link in links), paper.items)


def _placed(target: Target, layouts: Mapping[str, NotebookLayout]) -> Target:
    """``target`` with its cell position when it is in a notebook."""
    layout = layouts.get(target.path)
    cell = layout.cell_at(target.line) if layout is not None else None
    return target if cell is None else replace(target, cell=(cell.number, target.line - cell.first_line + 1))


# How far the best target must lead the best rival (a target elsewhere) for --write: two targets
# scoring alike are a guess between them, and a wrong annotation costs more than a missing one
MARGIN = 0.1
# Figures show results: the script that draws one is seldom what its authors link (on the opened
# benchmark repositories, none of the ones --write wrote was). A table is written only where a
# definition holds most of its hyperparameters (rank._SPECIFIC), not for the numbers it reports
UNWRITTEN_KINDS = frozenset({ItemKind.FIGURE})


def accepted(suggestions: Suggestions, min_score: float = DEFAULT_MIN_SCORE) -> list[tuple[Ranking, Candidate]]:
    """What ``--write`` writes: each unlinked item's best candidate with evidence specific to its
    kind of item (:attr:`Candidate.specific`), scoring at least ``min_score`` and ahead of every
    rival (another candidate with such evidence, elsewhere) by :data:`MARGIN`."""
    chosen = []
    # a key several items share (a hyperparameter the paper states twice) names the first of them:
    # no annotation can name a later one (write.reference finds no spelling for it)
    first: dict[str, PaperItem] = {}
    for item in suggestions.items:
        first.setdefault(item.key, item)
    for ranking in suggestions.rankings:
        if ranking.item.key in suggestions.linked or ranking.item.kind in UNWRITTEN_KINDS:
            continue
        if first.get(ranking.item.key, ranking.item) != ranking.item and not ranking.item.labels:
            continue
        specific = [candidate for candidate in ranking.candidates if candidate.specific]
        # a notebook's cells are strings in JSON, where a comment line cannot simply be inserted:
        # its candidates are shown (with their cell), for the user to annotate the cell
        if specific and specific[0].target.cell is None and specific[0].score >= min_score:
            if specific[0].score - _rival(specific) >= MARGIN:
                chosen.append((ranking, specific[0]))
    return _one_value_one_item(chosen)


def _one_value_one_item(chosen: list[tuple[Ranking, Candidate]]) -> list[tuple[Ranking, Candidate]]:
    """Hyperparameters claiming a statement that sets fewer numbers than they are ("transformer layers",
    "encoder layers" and "layers" all at ``num_layers=2``): a guess between them, unless the best lead
    the rest by :data:`MARGIN` (then only they are kept)."""
    claims: dict[tuple[str, int], list[tuple[Ranking, Candidate]]] = {}
    for pair in chosen:
        if pair[0].item.kind is ItemKind.HYPERPARAMETER:
            claims.setdefault((pair[1].target.path, pair[1].target.line), []).append(pair)
    dropped: set[int] = set()
    for claimed in claims.values():
        room = max(len(claimed[0][1].target.literals), 1)
        if len({_fact(ranking.item) for ranking, _ in claimed}) <= room:
            continue
        claimed.sort(key=lambda pair: -pair[1].score)
        lead = claimed[room - 1][1].score - claimed[room][1].score >= MARGIN
        dropped.update(id(pair) for pair in (claimed[room:] if lead else claimed))
    return [pair for pair in chosen if id(pair) not in dropped]


def _fact(item: PaperItem) -> float | str:
    """What a hyperparameter statement states: items for one value (the text's "dimension $d = 2048$"
    and the table's "Projection dim 2048") claim one number consistently."""
    value = item.hyperparameter.value if item.hyperparameter is not None else None
    return value if value is not None else item.key


def _rival(specific: list[Candidate]) -> float:
    """The score of the best candidate after the first that is not nested with it."""
    best = specific[0].target
    for candidate in specific[1:]:
        other = candidate.target
        nested = other.path == best.path and (
            best.line <= other.line <= other.end_line <= best.end_line
            or other.line <= best.line <= best.end_line <= other.end_line
        )
        if not nested:
            return candidate.score
    return 0.0
