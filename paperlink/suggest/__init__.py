"""``paperlink suggest``: rank, for each paper item, the code most likely to implement it.

Pure: papers, source texts and the links already written in, rankings out
(:func:`suggest`). Reading the project is :func:`paperlink.suggest.project.read_project`;
writing accepted suggestions as ``# paper:`` comments is :mod:`paperlink.suggest.write`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from paperlink.paper.model import ItemKind, Paper, PaperItem
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
) -> Suggestions:
    """Rank targets in ``sources`` (relative path, text) for the items of ``paper``.

    ``paper_lines`` holds the paper's files as lines (for algorithm lines, whose text the
    model does not keep); ``links`` the annotations already written, as evidence of where
    neighbouring items live. Items already linked are ranked too but never written.
    """
    targets = [target for path, text in sources for target in read_targets(path, text)]
    found = queries(paper, paper_lines or {}, SUGGESTED_KINDS)
    rankings = tuple(rank(found, targets, links, top))
    return Suggestions(paper.name, rankings, frozenset(link.item for link in links), paper.items)


def accepted(suggestions: Suggestions, min_score: float = DEFAULT_MIN_SCORE) -> list[tuple[Ranking, Candidate]]:
    """What ``--write`` writes: each unlinked item's best candidate scoring at least ``min_score``
    on evidence specific to its kind of item (:attr:`Candidate.specific`)."""
    return [
        (ranking, best)
        for ranking in suggestions.rankings
        if ranking.item.key not in suggestions.linked
        and (best := ranking.candidates[0]).score >= min_score
        and best.specific
    ]
