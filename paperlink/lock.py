"""``paperlink.lock``: what each link pointed at when it was last reviewed (stale links, PL111).

For each link the lock records a fingerprint of the paper item (its kind, printed number
aside, and its LaTeX with whitespace normalised) and of the bound code (its ``ast``, so
formatting and comments do not count). ``check`` reports PL111 when either side changed
since the lock, saying which; ``paperlink lock --update`` accepts the current state.

A link is identified by its file, the definition its code sits in, the paper and item, and
its rank among identical links there, so moving code within a file does not make it new.
The file is sorted, tab-separated text, one link a line, so that it reviews well in diffs.

A link written as a printed number (``Eq. 3``, ``Sec. 2.1``, ``Alg. 1 line 4``) also
records that reference, in a ninth column, beside the label it named: when the paper is
renumbered and the same number names another item, PL111 says so with the item's new
number, and its fix rewrites the reference (``Eq. 3`` -> ``Eq. 4``).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from paperlink import boundary
from paperlink.diagnostics import Diagnostic, Edit, Fix
from paperlink.errors import PaperlinkError
from paperlink.paper.model import ItemKind, Paper, PaperItem, display_name
from paperlink.references import Reference, ReferenceKind, format_reference, respell
from paperlink.rules.traceability import StaleLink

if TYPE_CHECKING:
    from paperlink.results import Link, Report
    from paperlink.source.annotations import Annotation
    from paperlink.spans import Span
    from paperlink.trace import Resolution

__all__ = [
    "LOCK_FILE",
    "LockEntry",
    "lock_entries",
    "render_lock",
    "read_lock",
    "stale_links",
    "renumbered_references",
    "follow_renumbering",
]

LOCK_FILE = "paperlink.lock"
_HEADER = "# paperlink.lock: the paper item and code each link pointed at when reviewed.\n# Regenerate with `paperlink lock --update`; review changes like code.\n"
_Items = Mapping[tuple[str, str], PaperItem]
_LABELS = (ReferenceKind.LABEL, ReferenceKind.HYPERPARAMETER)
_FIELDS = (8, 9)  # the ninth, the printed reference, only for links written as a number


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
    reference: str = "-"  # a printed-number reference as format_reference spells it ("Eq. (3)"); "-" for a label

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
        printed = _printed(link)
        entry = LockEntry(
            *key, rank, item.number or "-", item_fingerprint(item), link.code_fingerprint or "-", printed or "-"
        )
        out.append((entry, link))
    return out


def _printed(link: Link) -> str:
    """The link's reference as a printed number in canonical spelling; "" for a label."""
    cited = link.cited
    if cited is None or cited.kind in _LABELS:
        return ""
    return format_reference(cited)


def render_lock(entries: Iterable[LockEntry]) -> str:
    lines = [
        "\t".join(
            map(
                str,
                (e.path, e.scope, e.paper, e.item, e.rank, e.number, e.paper_print, e.code_print)
                + ((e.reference,) if e.reference != "-" else ()),
            )
        )
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
        if len(fields) not in _FIELDS or not fields[4].isdigit():
            raise PaperlinkError(f"{path.name}:{number}: not a lock line; regenerate with `paperlink lock --update`")
        reference = fields[8] if len(fields) > 8 else "-"
        file, scope, paper, item = fields[:4]
        entry = LockEntry(file, scope, paper, item, int(fields[4]), fields[5], fields[6], fields[7], reference)
        locked[entry.identity] = entry
    return locked


def stale_links(
    current: Iterable[tuple[LockEntry, Link]],
    locked: Mapping[tuple[str, str, str, str, int], LockEntry],
    papers: Mapping[str, Paper],
) -> list[Diagnostic]:
    """PL111 for each link whose paper item or code changed since the lock, and for each
    printed number that names another item than it did then (the paper was renumbered)."""
    items = {(name, item.key): item for name, paper in papers.items() for item in paper.items}
    named = _named(locked)
    found = []
    for entry, link in current:
        was = named.get((entry.path, entry.scope, entry.paper, entry.reference))
        if entry.reference != "-" and was is not None and was != entry.item and (entry.paper, was) in items:
            now, meant = items[(entry.paper, entry.item)], items[(entry.paper, was)]
            found.append(_renumbered(link, entry.reference, now, meant, items))
            continue
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


def _renumbered(link: Link, printed: str, now: PaperItem, meant: PaperItem, items: _Items) -> Diagnostic:
    """PL111 for a printed number that names ``now`` where it named ``meant`` when locked,
    with the fix that writes ``meant``'s new number in its place."""
    message = (
        f"{printed} now names {now.key}, not {meant.key} as in {LOCK_FILE}: the paper was renumbered"
        f" and {meant.key} is now {_cite(meant, items, link.paper)}"
    )
    return StaleLink.at(link.span, message, fix=_renumbering_fix(link.cited, link.written, meant, items, link.paper))


def _cite(item: PaperItem, items: _Items, paper: str) -> str:
    """``Eq. (4)``; an algorithm's line with its algorithm: ``Algorithm 2 line 5``."""
    parent = items.get((paper, item.parent)) if item.kind is ItemKind.ALGORITHM_LINE and item.parent else None
    return f"{display_name(parent)} {display_name(item)}" if parent is not None else display_name(item)


def _renumbering_fix(
    cited: Reference | None, written: Span | None, meant: PaperItem, items: _Items, paper: str
) -> Fix | None:
    """``Eq. 3`` -> ``Eq. 4``: the numbers rewritten where the reference is written; None
    when that is not known or a number is not written exactly once."""
    if cited is None or written is None:
        return None
    steps = [(cited.number, meant.number)]
    if cited.kind is ReferenceKind.ALGORITHM_LINE:
        parent = items.get((paper, meant.parent)) if meant.parent else None
        steps = [(cited.line, meant.number), (cited.number, parent.number if parent is not None else None)]
    text = cited.text
    for old, new in steps:
        if old != new:
            text = respell(text, old or "", new or "")
            if not text:
                return None
    return Fix(f"Replace '{cited.text}' with '{text}'", (Edit(written, text),))


def renumbered_references(
    locked: Mapping[tuple[str, str, str, str, int], LockEntry], papers: Mapping[str, Paper]
) -> Callable[[Annotation, Resolution], Diagnostic | None]:
    """For a printed number that names no item now: PL111 when ``paperlink.lock`` recorded
    the item it named, with that item's new number (and the fix), in place of PL101's guess."""
    items: _Items = {(name, item.key): item for name, paper in papers.items() for item in paper.items}
    named = _named(locked)

    def renumbered(annotation: Annotation, resolution: Resolution) -> Diagnostic | None:
        cited, paper = resolution.reference, resolution.paper
        if resolution.problem != "unknown" or paper is None or cited.kind in _LABELS:
            return None
        printed = format_reference(cited)
        meant = items.get((paper, named.get((annotation.span.path, annotation.scope or "-", paper, printed), "")))
        if meant is None:
            return None
        message = (
            f"{printed} names no item now, not {meant.key} as in {LOCK_FILE}: the paper was renumbered"
            f" and {meant.key} is now {_cite(meant, items, paper)}"
        )
        written = annotation.where(cited.start, cited.end)
        return StaleLink.at(annotation.span, message, fix=_renumbering_fix(cited, written, meant, items, paper))

    return renumbered


def _named(locked: Mapping[tuple[str, str, str, str, int], LockEntry]) -> dict[tuple[str, str, str, str], str]:
    """(file, definition, paper, printed reference) -> the label it named when locked."""
    return {(e.path, e.scope, e.paper, e.reference): e.item for e in locked.values() if e.reference != "-"}


def follow_renumbering(report: Report, edits: Iterable[Edit]) -> bool:
    """After ``check --fix`` rewrote references to follow a renumbering (``edits``, as
    applied): record their new numbers in ``paperlink.lock`` beside the same items, as
    ``lock --update`` would but touching nothing else (the fingerprints stay as reviewed).
    Whether the lock changed."""
    lock_file = report.root / LOCK_FILE
    if lock_file.is_symlink() or not lock_file.is_file():
        return False
    rewritten = {(edit.span.path, edit.span.cell, edit.span.line, edit.replacement) for edit in edits}
    locked = read_lock(lock_file)
    changed = False
    for entry, link in lock_entries(report.links, report.papers):
        written = link.written
        before = locked.get(entry.identity)
        if written is None or before is None or before.reference == entry.reference:
            continue
        if (written.path, written.cell, written.line, link.reference) in rewritten:
            locked[entry.identity] = dataclasses.replace(before, number=entry.number, reference=entry.reference)
            changed = True
    if changed:
        try:
            lock_file.write_text(render_lock(locked.values()), encoding="utf-8")
        except OSError as error:
            raise PaperlinkError(f"cannot write {LOCK_FILE}: {error.strerror or error}") from None
    return changed
