"""The paper model as text or JSON, for ``paperlink paper show``.

The JSON form is documented in docs/paper-model.md and versioned by ``"version"``.
Both are deterministic: items in document order, keys sorted, paths relative.
"""

from __future__ import annotations

import json

from paperlink.paper.model import Paper, PaperItem

__all__ = ["PAPER_JSON_VERSION", "paper_to_json", "paper_to_text"]

PAPER_JSON_VERSION = 1


def _item_dict(item: PaperItem) -> dict[str, object]:
    data: dict[str, object] = {
        "kind": item.kind.value,
        "key": item.key,
        "number": item.number,
        "labels": list(item.labels),
        "title": item.title,
        "latex": item.latex,
        "parent": item.parent,
        "environment": item.environment,
        "span": item.span.to_dict(),
    }
    if item.kind.value == "section":
        data["level"] = item.level
        data["appendix"] = item.appendix
    if item.hyperparameter is not None:
        stated = item.hyperparameter
        data["hyperparameter"] = {
            "name": stated.name,
            "value": stated.value,
            "raw": stated.raw,
            "symbol": stated.symbol,
            "values": list(stated.members) if stated.members else None,
            "scope": stated.scope,
            "provenance": stated.provenance.value,
            "canonical": stated.canonical,
        }
    return data


def paper_to_json(paper: Paper) -> str:
    document = {
        "version": PAPER_JSON_VERSION,
        "paper": {
            "name": paper.name,
            "source": paper.source,
            "title": paper.title,
            "authors": list(paper.authors),
            "arxiv": paper.arxiv,
            "document_class": paper.document_class,
            "files": list(paper.files),
        },
        "items": [_item_dict(item) for item in paper.items],
        "limitations": [{"message": l.message, "span": l.span.to_dict()} for l in paper.limitations],
        "diagnostics": [d.to_dict() for d in paper.diagnostics],
    }
    return json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def _describe(item: PaperItem) -> str:
    # Raw values and names may span lines in the source; a table row must not.
    if item.hyperparameter is not None:
        stated = item.hyperparameter
        shown = f"{{{', '.join(stated.members)}}}" if stated.members else stated.raw
        notes = [f"scope: {stated.scope}"] if stated.scope else []
        if stated.provenance.value != "own":
            notes.append(stated.provenance.value)
        if item.environment in ("directive", "config"):
            notes.append(f"from the {item.environment}")
        suffix = f" ({'; '.join(notes)})" if notes else ""
        return " ".join(f"{stated.name} = {shown}{suffix}".split())
    text = item.title or item.latex
    return " ".join(text.split())[:60]


def paper_to_text(paper: Paper) -> str:
    """An aligned table: kind, number, key, title (or value), where."""
    rows = [("KIND", "NUMBER", "KEY", "TITLE / VALUE", "WHERE")]
    for item in paper.items:
        number = "-" if item.number is None else item.number
        rows.append((item.kind.value, number, item.key, _describe(item), f"{item.span.path}:{item.span.line}"))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:4])) + "  " + row[4] for row in rows]
    title = f' "{" ".join(paper.title.split())}"' if paper.title else ""
    header = f"paper {paper.name}: {paper.source}{title} ({len(paper.items)} items)"
    body = [header, *lines]
    for limitation in paper.limitations:
        body.append(f"limitation: {limitation.span}: {limitation.message}")
    return "\n".join(body) + "\n"
