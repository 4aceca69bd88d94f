"""``paperlink.lock``: what each link pointed at when it was last reviewed (stale links, PL111).

For each link the lock records a fingerprint of the paper item (its kind, printed number
aside, and its LaTeX with whitespace normalised) and of the bound code (its ``ast``, so
formatting and comments do not count). ``check`` reports PL111 when either side changed
since the lock, saying which; ``paperlink lock --update`` accepts the current state.

A link is identified by its file, the definition its code sits in, the paper and item, and
its rank among identical links there, so moving code within a file does not make it new.
The file is sorted, tab-separated text, one link a line, so that it reviews well in diffs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from paperlink import boundary
from paperlink.diagnostics import Diagnostic
from paperlink.errors import PaperlinkError
from paperlink.paper.model import Paper, PaperItem, display_name
from paperlink.rules.traceability import StaleLink

if TYPE_CHECKING:
    from paperlink.results import Link

__all__ = ["LOCK_FILE", "LockEntry", "lock_entries", "render_lock", "read_lock", "stale_links"]

LOCK_FILE = "paperlink.lock"
_HEADER = "# paperlink.lock: the paper item and code each link pointed at when reviewed.\n# Regenerate with `paperlink lock --update`; review changes like code.\n"
_FIELDS = 8


@dataclass(frozen=True, order=True)
class LockEntry:
    """One link as locked."""

    path: str
    scope: str  # the definition the code sits in, "-" at module level
    paper: str
    item: str
    rank: int  # among links with the same identity, in source order
    number: str  # the item's printed number then, for messages ("-" when none)
    paper_print: str
    code_print: str

    @property
    def identity(self) -> tuple[str, str, str, str, int]:
        return (self.path, self.scope, self.paper, self.item, self.rank)


def item_fingerprint(item: PaperItem) -> str:
    """The paper side: what the item says, not where it stands or what it is numbered."""
    text = f"{item.kind.value}\n{' '.join(item.latex.split())}\n{' '.join(item.title.split())}"
    if item.hyperparameter is not None:
        text += f"\n{item.hyperparameter.raw}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def lock_entries(links: Iterable[Link], papers: Mapping[str, Paper]) -> list[tuple[LockEntry, Link]]:
    """Each link with its lock entry (the link is kept for the span of a PL111)."""
    items = {(name, item.key): item for name, paper in papers.items() for item in paper.items}
    ranks: dict[tuple[str, str, str, str], int] = {}
    out = []
    for link in links:
        item = items.get((link.paper, link.item_key))
        if item is None:
            continue
        key = (link.span.path, link.scope or "-", link.paper, link.item_key)
        rank = ranks.get(key, 0)
        ranks[key] = rank + 1
        entry = LockEntry(*key, rank, item.number or "-", item_fingerprint(item), link.code_fingerprint or "-")
        out.append((entry, link))
    return out


def render_lock(entries: Iterable[LockEntry]) -> str:
    lines = [
        "\t".join(map(str, (e.path, e.scope, e.paper, e.item, e.rank, e.number, e.paper_print, e.code_print)))
        for e in sorted(set(entries))
    ]
    return _HEADER + "".join(f"{line}\n" for line in lines)


def read_lock(path: Path) -> dict[tuple[str, str, str, str, int], LockEntry]:
    """The locked entries by identity; a malformed lock stops the run (exit 2)."""
    locked: dict[tuple[str, str, str, str, int], LockEntry] = {}
    try:
        text = boundary.read_text(path, path.parent)
    except (OSError, UnicodeDecodeError) as error:
        raise PaperlinkError(f"{path.name}: cannot read the lock: {error}") from None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != _FIELDS or not fields[4].isdigit():
            raise PaperlinkError(f"{path.name}:{number}: not a lock line; regenerate with `paperlink lock --update`")
        entry = LockEntry(fields[0], fields[1], fields[2], fields[3], int(fields[4]), fields[5], fields[6], fields[7])
        locked[entry.identity] = entry
    return locked


def stale_links(
    current: Iterable[tuple[LockEntry, Link]],
    locked: Mapping[tuple[str, str, str, str, int], LockEntry],
    papers: Mapping[str, Paper],
) -> list[Diagnostic]:
    """PL111 for each link whose paper item or code changed since the lock."""
    items = {(name, item.key): item for name, paper in papers.items() for item in paper.items}
    found = []
    for entry, link in current:
        before = locked.get(entry.identity)
        if before is None:
            continue  # a new link: `lock --update` records it
        item = items[(entry.paper, entry.item)]
        cited = f"{display_name(item)} {item.key}"
        if before.paper_print != entry.paper_print:
            was = f" (it was number {before.number} when locked)" if before.number != entry.number else ""
            found.append(
                StaleLink.at(
                    link.span,
                    f"the paper changed {cited} since {LOCK_FILE}{was}; review the link, then `paperlink lock --update`",
                )
            )
        if before.code_print != entry.code_print:
            found.append(
                StaleLink.at(
                    link.span,
                    f"the code linked to {cited} changed since {LOCK_FILE}; review it, then `paperlink lock --update`",
                )
            )
    return found
