"""``paperlink suggest`` output: text, JSON and Markdown, deterministic."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable

from paperlink.escaping import json_safe, visible
from paperlink.paper.model import display_name
from paperlink.suggest import Suggestions, accepted
from paperlink.suggest.rank import Candidate
from paperlink.suggest.targets import Target

__all__ = ["SUGGEST_FORMATS", "JSON_VERSION"]

JSON_VERSION = 1


def _where(target: Target) -> str:
    if target.cell is not None:
        return f"{target.path}:cell {target.cell[0]}:{target.cell[1]}"
    return f"{target.path}:{target.line}"


def _what(target: Target) -> str:
    if target.kind == "statement":
        code = target.code if len(target.code) <= 60 else target.code[:57] + "..."
        return f"`{code}`"
    return f"{'class' if target.kind == 'class' else 'def'} {target.name}"


def render_text(suggestions: Suggestions, min_score: float) -> str:
    chosen = {id(candidate) for _, candidate in accepted(suggestions, min_score)}
    out = []
    for ranking in suggestions.rankings:
        linked = "  (linked already)" if ranking.item.key in suggestions.linked else ""
        out.append(f"{ranking.item.key}  {display_name(ranking.item)}{linked}")
        for candidate in ranking.candidates:
            mark = "*" if id(candidate) in chosen else " "
            out.append(f" {mark}{candidate.score:5.2f}  {_where(candidate.target)}  {_what(candidate.target)}")
            out.append(f"         {'; '.join(candidate.evidence)}")
    written = len(chosen)
    out.append(
        f"{len(suggestions.rankings)} items ranked; {written} at score >= {min_score:g} (*) would be written by --write"
    )
    return "\n".join(visible(line) for line in out) + "\n"


def _candidate(candidate: Candidate) -> dict[str, object]:
    target = candidate.target
    return {
        "path": target.path,
        "line": target.line,
        "end_line": target.end_line,
        "kind": target.kind,
        "name": target.name,
        "code": target.code,
        "score": candidate.score,
        "specific": candidate.specific,
        "evidence": list(candidate.evidence),
        **({"cell": target.cell[0], "cell_line": target.cell[1]} if target.cell is not None else {}),
    }


def render_json(suggestions: Suggestions, min_score: float) -> str:
    chosen = {id(candidate) for _, candidate in accepted(suggestions, min_score)}
    items = []
    functions: dict[tuple[str, int], list[dict[str, object]]] = defaultdict(list)
    for ranking in suggestions.rankings:
        items.append(
            {
                "item": ranking.item.key,
                "kind": ranking.item.kind.value,
                "number": ranking.item.number,
                "display": display_name(ranking.item),
                "linked": ranking.item.key in suggestions.linked,
                "write": any(id(c) in chosen for c in ranking.candidates),
                "candidates": [_candidate(c) for c in ranking.candidates],
            }
        )
        for candidate in ranking.candidates:
            if candidate.target.kind != "statement":
                key = (candidate.target.path, candidate.target.line)
                functions[key].append({"item": ranking.item.key, "score": candidate.score})
    targets = [
        {"path": path, "line": line, "items": sorted(found, key=lambda f: (-float(str(f["score"])), str(f["item"])))}
        for (path, line), found in sorted(functions.items())
    ]
    document = {
        "version": JSON_VERSION,
        "paper": suggestions.paper,
        "min_score": min_score,
        "items": items,
        "targets": targets,
    }
    return json_safe(json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False)) + "\n"


def _cell(text: str) -> str:
    return visible(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(suggestions: Suggestions, min_score: float) -> str:
    chosen = {id(candidate) for _, candidate in accepted(suggestions, min_score)}
    out = [
        f"# Suggested links: {_cell(suggestions.paper)}",
        "",
        "| item | score | target | evidence |",
        "|---|---|---|---|",
    ]
    for ranking in suggestions.rankings:
        for rank, candidate in enumerate(ranking.candidates):
            item = f"{_cell(ranking.item.key)} ({_cell(display_name(ranking.item))})" if rank == 0 else ""
            score = f"**{candidate.score:.2f}**" if id(candidate) in chosen else f"{candidate.score:.2f}"
            where = f"`{_cell(_where(candidate.target))}` {_cell(_what(candidate.target))}"
            out.append(f"| {item} | {score} | {where} | {_cell('; '.join(candidate.evidence))} |")
    out += ["", f"Bold: score >= {min_score:g}, written by `--write`."]
    return "\n".join(out) + "\n"


SUGGEST_FORMATS: dict[str, Callable[[Suggestions, float], str]] = {
    "text": render_text,
    "json": render_json,
    "markdown": render_markdown,
}
