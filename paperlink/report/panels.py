"""Panels from the code analyses' JSON sections: gradient stops, hidden inputs, hyperparameters.

A section is present only when its analysis ran; its shape is the one the JSON output
documents. Fields are read with defaults, so a section from an older or newer analysis
shows what it can instead of stopping the report.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from markupsafe import Markup

from paperlink.paper import ItemKind, Paper, display_name
from paperlink.report.anchors import Anchors
from paperlink.report.math import MathRenderer
from paperlink.report.views import (
    CodeValueView,
    EnvironmentFileView,
    EnvironmentView,
    EnvVarView,
    FindingView,
    GlobalView,
    GradientStopView,
    HiddenInputsView,
    HyperparameterRowView,
    NondeterminismView,
    PackageView,
    PinView,
    PlatformVersionView,
    Ref,
    SeedView,
)

__all__ = [
    "gradient_stop_views",
    "hidden_inputs_view",
    "hyperparameter_rows",
    "section_paths",
    "section_places",
    "hyperparameter_sites",
    "environment_view",
    "environment_paths",
]


def section_places(sections: Mapping[str, Any]) -> list[tuple[str, int, int | None]]:
    """Every place the analyses' sections point at: (path, line, end line or None)."""
    found: list[tuple[str, int, int | None]] = []

    def visit(value: Any) -> None:
        if isinstance(value, dict):
            span = value.get("span")
            if isinstance(span, dict) and isinstance(span.get("path"), str) and isinstance(span.get("line"), int):
                end = span.get("end_line")
                found.append((span["path"], span["line"], end if isinstance(end, int) else None))
            for child in value.values():
                visit(child)
        elif isinstance(value, list):
            for child in value:
                visit(child)

    for name in ("gradient_stops", "hidden_inputs", "hyperparameters"):
        visit(sections.get(name))
    return found


def hyperparameter_sites(section: Any) -> list[tuple[str, str, str, int, int | None, str]]:
    """The code sites the hyperparameter analysis paired with a paper statement:
    (paper, item key, path, line, end line, "value, status") for each, in the section's order."""
    found: list[tuple[str, str, str, int, int | None, str]] = []
    for row in section if isinstance(section, list) else ():
        stated = row.get("paper") if isinstance(row, dict) else None
        if not isinstance(stated, dict) or not isinstance(stated.get("item"), str):
            continue
        for site in row.get("code") if isinstance(row.get("code"), list) else ():
            span = site.get("span") if isinstance(site, dict) else None
            if isinstance(span, dict) and isinstance(span.get("path"), str) and isinstance(span.get("line"), int):
                end = span.get("end_line")
                detail = ", ".join(str(site[name]) for name in ("value", "status") if site.get(name))
                found.append(
                    (
                        str(stated.get("paper", "")),
                        stated["item"],
                        span["path"],
                        span["line"],
                        end if isinstance(end, int) else None,
                        detail,
                    )
                )
    return found


def section_paths(sections: Mapping[str, Any]) -> set[str]:
    """Every file a section's spans point into (those files are shown in the code view)."""
    return {path for path, _, _ in section_places(sections)}


def _where(span: Any, anchors: Anchors, detail: str = "") -> Ref:
    if not isinstance(span, dict):
        return Ref("?")
    return anchors.code_ref(str(span.get("path", "?")), _int(span.get("line")), detail)


def _int(value: Any) -> int:
    return value if isinstance(value, int) else 0


def _texts(values: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in values) if isinstance(values, list) else ()


def gradient_stop_views(
    section: Any, anchors: Anchors, findings_at: Mapping[tuple[str, int], Sequence[FindingView]] | None = None
) -> tuple[GradientStopView, ...] | None:
    """The gradient-stop map; ``findings_at`` (path, line) -> diagnostics tells an undocumented stop
    (a gradient rule flagged it) from one the rules leave alone in its context (evaluation, setup)."""
    if not isinstance(section, list):
        return None
    views = []
    for stop in section:
        if not isinstance(stop, dict):
            continue
        span = stop.get("span")
        place = (str(span.get("path", "")), _int(span.get("line"))) if isinstance(span, dict) else ("", 0)
        found = tuple(f for f in (findings_at or {}).get(place, ()) if f.code.startswith("PL2"))
        items = tuple(
            anchors.item_ref(str(i.get("paper", "")), str(i.get("item", "")))
            for i in stop.get("items") or ()
            if isinstance(i, dict)
        )
        views.append(
            GradientStopView(
                where=_where(stop.get("span"), anchors),
                kind=str(stop.get("kind", "")),
                api=str(stop.get("api", "")),
                context=str(stop.get("context", "unknown")),
                function=str(stop.get("function", "")),
                documented_by=stop.get("documented_by") if isinstance(stop.get("documented_by"), str) else None,
                items=items,
                justification=stop.get("justification") if isinstance(stop.get("justification"), str) else None,
                findings=tuple(Ref(f.code, f"#{f.id}", f.severity) for f in found),
                flagged=any(f.severity != "info" for f in found),
            )
        )
    return tuple(views)


def hidden_inputs_view(section: Any, anchors: Anchors) -> HiddenInputsView | None:
    if not isinstance(section, dict):
        return None

    def entries(key: str) -> list[dict]:
        value = section.get(key)
        return [entry for entry in value if isinstance(entry, dict)] if isinstance(value, list) else []

    return HiddenInputsView(
        globals=tuple(
            GlobalView(
                str(g.get("name", "")),
                _where(g.get("span"), anchors),
                str(g.get("kind", "")),
                _texts(g.get("read_by")),
                _texts(g.get("written_by")),
            )
            for g in entries("globals")
        ),
        env_vars=tuple(
            EnvVarView(
                e.get("name") if isinstance(e.get("name"), str) else None,
                _where(e.get("span"), anchors),
                str(e.get("function", "")),
            )
            for e in entries("env_vars")
        ),
        seeds=tuple(
            SeedView(
                str(s.get("library", "")),
                s.get("value") if isinstance(s.get("value"), str) else None,
                _where(s.get("span"), anchors),
                bool(s.get("configurable")),
            )
            for s in entries("seeds")
        ),
        nondeterminism=tuple(
            NondeterminismView(str(n.get("setting", "")), _where(n.get("span"), anchors), bool(n.get("documented")))
            for n in entries("nondeterminism")
        ),
    )


def _dicts(value: Any) -> list[dict]:
    return [entry for entry in value if isinstance(entry, dict)] if isinstance(value, list) else []


def environment_paths(sections: Mapping[str, Any]) -> set[str]:
    """The environment files the run read: the code view may show them (with their findings)."""
    section = sections.get("environment")
    files = section.get("files") if isinstance(section, dict) else None
    return {str(f["path"]) for f in _dicts(files) if isinstance(f.get("path"), str)}


_PLATFORM = (("python", "Python"), ("torch", "torch"), ("cuda", "CUDA"))


def environment_view(section: Any, anchors: Anchors) -> EnvironmentView | None:
    """The environment files and what they pin, the platform versions and the imported packages."""
    if not isinstance(section, dict):
        return None
    recorded: dict[str, Any] = section["versions"] if isinstance(section.get("versions"), dict) else {}
    versions = []
    for key, name in _PLATFORM:
        found = recorded.get(key)
        if isinstance(found, dict):
            versions.append(
                PlatformVersionView(
                    name,
                    str(found.get("version", "")),
                    bool(found.get("fixed")),
                    str(found.get("via", "")),
                    _where(found.get("span"), anchors),
                )
            )
        else:
            versions.append(PlatformVersionView(name, None, False, "", None))
    files = tuple(
        EnvironmentFileView(
            _file_ref(str(f.get("path", "?")), anchors),
            str(f.get("kind", "")),
            bool(f.get("lock")),
            () if f.get("lock") else tuple(_pin_view(p) for p in _dicts(f.get("pins"))),
            len(_dicts(f.get("pins"))),
        )
        for f in _dicts(section.get("files"))
    )
    packages = tuple(
        PackageView(
            str(p.get("module", "")),
            str(p.get("status", "")),
            tuple(
                anchors.code_ref(
                    str(pin.get("path", "?")),
                    _int(pin.get("line")),
                    f"{pin.get('written', '')}{_spaced(pin.get('spec'))}",
                )
                for pin in _dicts(p.get("pins"))
            )
            or (_where(p.get("first_import"), anchors, "first import"),),
        )
        for p in _dicts(section.get("packages"))
    )
    return EnvironmentView(tuple(versions), files, packages)


def _file_ref(path: str, anchors: Anchors) -> Ref:
    return Ref(path, f"#{anchors.file_ids[path]}" if path in anchors.file_ids else None)


def _spaced(spec: Any) -> str:
    text = str(spec or "")
    return text if not text or text[0] in "=<>!~" else f" {text}"


def _pin_view(pin: dict) -> PinView:
    return PinView(f"{pin.get('written', '')}{_spaced(pin.get('spec'))}", bool(pin.get("exact")))


def hyperparameter_rows(
    paper: Paper, section: Any, code: Mapping[tuple[str, str], tuple[Ref, ...]], anchors: Anchors
) -> tuple[bool, tuple[HyperparameterRowView, ...]]:
    """(compared, rows): the analysis's comparison when it ran, else the paper's values alone."""
    if isinstance(section, list):
        rows = tuple(_compared_row(row, anchors) for row in section if _belongs(row, paper))
        return True, _with_math(rows, paper)
    return False, _with_math(_paper_rows(paper, code, anchors), paper)


_LATEX_VALUE = re.compile(r"[\\^_{]")


def _with_math(rows: tuple[HyperparameterRowView, ...], paper: Paper) -> tuple[HyperparameterRowView, ...]:
    """Values written in LaTeX (``3\\times10^{-4}``) also as MathML, with the paper's macros, and
    a statement the paper makes about a symbol (``$\\eta_0 = 0.1$``) named by that symbol in MathML."""
    renderer = MathRenderer(paper.macros)
    shown = []
    for row in rows:
        if row.paper_value and _LATEX_VALUE.search(row.paper_value) and not row.paper_value.startswith("{"):
            row = replace(row, paper_math=renderer.inline(row.paper_value))
        symbol = _SYMBOL_WORDS.match(row.paper_ref.text) if row.paper_ref else None
        if symbol is not None:
            math = renderer.inline(symbol.group(1))
            if math is not None:
                row = replace(row, paper_ref_math=Markup(math) + symbol.group(2))  # the rest is escaped here
        shown.append(row)
    return tuple(shown)


# a statement's words that are a LaTeX symbol, then what the page adds to them ("(1), scope pretraining")
_SYMBOL_WORDS = re.compile(r"(\\[A-Za-z]+(?:[_^]\{?[A-Za-z0-9]+\}?)*)((?: \(\d+\))?(?:, .*)?)$")


def _belongs(row: Any, paper: Paper) -> bool:
    if not isinstance(row, dict):
        return False
    stated = row.get("paper")
    return not isinstance(stated, dict) or stated.get("paper") in (None, paper.name)


def _compared_row(row: dict, anchors: Anchors) -> HyperparameterRowView:
    stated = row.get("paper") if isinstance(row.get("paper"), dict) else None
    paper_ref = None
    if stated is not None:
        paper_ref = anchors.item_ref(str(stated.get("paper", "")), str(stated.get("item", "")))
        if stated.get("number"):
            paper_ref = Ref(f"{paper_ref.text} ({stated['number']})", paper_ref.href, paper_ref.detail)
        if stated.get("scope"):  # the value holds for one experiment: said beside where it is stated
            paper_ref = Ref(f"{paper_ref.text}, scope {stated['scope']}", paper_ref.href, paper_ref.detail)
    values = tuple(
        CodeValueView(
            str(c.get("value", "")),
            _where(c.get("span"), anchors, str(c.get("api") or "")),
            str(c.get("source", "")),
            c.get("configurable") if isinstance(c.get("configurable"), bool) else None,
            str(c.get("status") or ""),
        )
        for c in row.get("code") or ()
        if isinstance(c, dict)
    )
    return HyperparameterRowView(
        name=str(row.get("name", "")),
        paper_value=_stated_value(stated) if stated else None,
        paper_ref=paper_ref,
        code=values,
        status=str(row.get("status", "")),
    )


def _stated_value(stated: dict) -> str:
    """The paper's value as the table shows it: a set in braces (``{0, 1, 10}``)."""
    members = stated.get("members")
    if isinstance(members, list) and members:
        return "{" + ", ".join(str(member) for member in members) + "}"
    return str(stated.get("value", ""))


def _paper_rows(
    paper: Paper, code: Mapping[tuple[str, str], tuple[Ref, ...]], anchors: Anchors
) -> tuple[HyperparameterRowView, ...]:
    """One row per hyperparameter key: its first statement, where the paper states it, linked code."""
    by_key = {item.key: item for item in paper.items}
    rows: dict[str, HyperparameterRowView] = {}
    for item in paper.items:
        if item.kind is not ItemKind.HYPERPARAMETER or item.key in rows:
            continue
        parent = by_key.get(item.parent) if item.parent else None
        where = anchors.item_ref(paper.name, parent.key) if parent else Ref(display_name(item))
        value = item.hyperparameter.raw if item.hyperparameter else item.latex
        linked = tuple(CodeValueView("", ref, "link", None) for ref in code.get((paper.name, item.key), ()))
        rows[item.key] = HyperparameterRowView(item.title or item.key, value, where, linked, "paper")
    return tuple(rows.values())
