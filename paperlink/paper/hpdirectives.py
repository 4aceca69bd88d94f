"""The author's word on the paper's hyperparameters, where reading the prose is not enough.

Two LaTeX comment directives (comments do not print, so the PDF is unchanged):

* ``% paperlink: hp lr=1e-4 scope=atari`` states a value (or several, ``hp lr=1e-4
  batch_size=32``; a set as ``{1e-4, 3e-4}``) at the comment's line. ``scope=``, ``symbol=``,
  ``provenance=`` (own, baseline, cited) and ``name=`` qualify every value of the directive;
  quote a value holding spaces (``scope="imagenet linear probe"``).
* ``% paperlink: not-hp`` drops every statement read from its line (a comment after text), or
  from the next line that holds text (a comment on a line of its own).

The config table ``[tool.paperlink.paper-hyperparameters]`` edits the paper's statements by
key (:func:`apply_edits`): ``rename``, ``scope``, ``drop``, or ``value`` to state one.
Both kinds of statement show in ``paperlink paper show`` with environment ``directive`` or
``config``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from paperlink.diagnostics import Diagnostic
from paperlink.numbers import parse_latex_number
from paperlink.paper.model import Hyperparameter, ItemKind, PaperItem, Provenance
from paperlink.rules.paper_input import MalformedLatex
from paperlink.spans import Span

__all__ = ["Directive", "HyperparameterEdit", "directives_in", "apply_directives", "apply_edits"]

_DIRECTIVE = re.compile(
    r"(?<!\\)(?P<percent>%)[^\n]*?paperlink\s*:\s*(?P<kind>not-hp|hp)(?![\w-])(?P<rest>[^\n]*)", re.IGNORECASE
)
_QUALIFIERS = frozenset({"scope", "symbol", "provenance", "name"})
_KEY = re.compile(r"[A-Za-z_][\w.]*")


@dataclass(frozen=True)
class Directive:
    """One ``% paperlink: hp`` or ``not-hp`` comment."""

    span: Span  # the comment
    kind: str  # "hp" or "not-hp"
    target_line: int  # for not-hp: the line whose statements are dropped
    statements: tuple[tuple[str, str], ...] = ()  # (name, value as written)
    qualifiers: tuple[tuple[str, str], ...] = ()  # scope, symbol, provenance, name
    problem: str = ""  # why the directive cannot be read, else ""


def directives_in(text: str, path: str) -> list[Directive]:
    """The directives of one file's raw text (comments are blanked before parsing)."""
    if "paperlink" not in text:
        return []
    found = []
    lines = text.splitlines()
    for match in _DIRECTIVE.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        column = match.start("percent") - (text.rfind("\n", 0, match.start("percent")) + 1) + 1
        span = Span(path, line, column)
        own_line = not lines[line - 1][: column - 1].strip()
        if match["kind"].lower() == "not-hp":
            target = _next_text_line(lines, line) if own_line else line
            found.append(Directive(span, "not-hp", target))
            continue
        found.append(_hp(match["rest"], span))
    return found


def _next_text_line(lines: Sequence[str], line: int) -> int:
    for index in range(line, len(lines)):
        stripped = lines[index].strip()
        if stripped and not stripped.startswith("%"):
            return index + 1
    return line


_TOKEN = re.compile(r"""\s*(?:(?P<name>[^\s=]+)=(?P<value>"[^"]*"|'[^']*'|\{[^{}]*\}|\S+)|(?P<other>\S+))""")


def _hp(rest: str, span: Span) -> Directive:
    statements, qualifiers = [], []
    for token in _TOKEN.finditer(rest.rstrip()):
        name, value = token["name"], token["value"]
        if token["other"] is not None or not _KEY.fullmatch(name or ""):
            return Directive(
                span, "hp", span.line, problem=f"paperlink hp directive: expected NAME=VALUE, got {token[0].strip()!r}"
            )
        value = value[1:-1] if value[:1] in "\"'" and value[-1:] == value[:1] and len(value) > 1 else value
        if name.lower() in _QUALIFIERS:
            qualifiers.append((name.lower(), value))
        else:
            statements.append((name, value))
    problem = "" if statements else "paperlink hp directive states no value (write NAME=VALUE)"
    provenance = dict(qualifiers).get("provenance", "own").lower()
    if provenance not in {p.value for p in Provenance}:
        problem = f"paperlink hp directive: provenance is own, baseline or cited, not {provenance!r}"
    return Directive(span, "hp", span.line, tuple(statements), tuple(qualifiers), problem)


def _stated(name: str, written: str, qualifiers: Mapping[str, str]) -> tuple[str, Hyperparameter] | str:
    """The key and statement a ``NAME=VALUE`` states, or why it cannot."""
    from paperlink.paper.hpcontext import scope_words
    from paperlink.paper.hyperparams import VOCABULARY_KEYS, canonical_key

    members: tuple[str, ...] = ()
    value = None
    text = written.strip()
    if text.startswith("{") and text.endswith("}"):
        members = tuple(part.strip() for part in text[1:-1].split(",") if part.strip())
        if not members or any(parse_latex_number(member) is None for member in members):
            return f"paperlink hp directive: {name}={written} is not a set of numbers"
    else:
        value = parse_latex_number(text)
        if value is None:
            return f"paperlink hp directive: {name}={written} is not a number"
    shown = qualifiers.get("name", name.replace("_", " "))
    key = canonical_key(name.replace("_", " ")) or name
    if key not in VOCABULARY_KEYS:
        key = name  # the author's key, as written
    statement = Hyperparameter(
        shown,
        value,
        text,
        symbol=qualifiers.get("symbol", ""),
        members=members,
        scope=scope_words(qualifiers["scope"]) if "scope" in qualifiers else "",
        provenance=Provenance(qualifiers.get("provenance", "own").lower()),
        canonical=key if key in VOCABULARY_KEYS else None,
    )
    return key, statement


def apply_directives(
    items: Sequence[PaperItem], directives: Sequence[Directive]
) -> tuple[tuple[PaperItem, ...], list[Diagnostic]]:
    """``items`` with the directives applied: ``not-hp`` lines dropped, ``hp`` statements
    placed in document order; a directive that cannot be read is a PL013 diagnostic."""
    dropped = {(d.span.path, d.target_line) for d in directives if d.kind == "not-hp"}
    kept = [
        item
        for item in items
        if not (item.kind is ItemKind.HYPERPARAMETER and (item.span.path, item.span.line) in dropped)
    ]
    problems = []
    for directive in directives:
        if directive.kind != "hp":
            continue
        if directive.problem:
            problems.append(MalformedLatex.at(directive.span, directive.problem))
            continue
        qualifiers = dict(directive.qualifiers)
        for name, written in directive.statements:
            stated = _stated(name, written, qualifiers)
            if isinstance(stated, str):
                problems.append(MalformedLatex.at(directive.span, stated))
                continue
            _insert(kept, directive.span, *stated, environment="directive")
    return tuple(kept), problems


def _insert(items: list[PaperItem], span: Span, key: str, statement: Hyperparameter, *, environment: str) -> None:
    """Add a statement after the last item of its file at or before its line; its parent is
    the section above it."""
    position, parent = None, None
    for index, item in enumerate(items):
        if item.span.path == span.path and item.span.line <= span.line:
            position = index + 1
            if item.kind is ItemKind.SECTION:
                parent = item.key
    if position is None:
        position = next((i for i, item in enumerate(items) if item.span.path == span.path), len(items))
    items.insert(
        position,
        PaperItem(
            kind=ItemKind.HYPERPARAMETER,
            key=f"hp:{key}",
            number=None,
            span=span,
            title=statement.name,
            latex=statement.raw,
            parent=parent,
            environment=environment,
            hyperparameter=statement,
        ),
    )


@dataclass(frozen=True)
class HyperparameterEdit:
    """One entry of ``[tool.paperlink.paper-hyperparameters]``: what to do with a key."""

    key: str  # without "hp:"
    rename: str | None = None
    scope: str | None = None
    drop: bool = False
    value: str | None = None  # a number or "{a, b}" as written: states the value
    name: str | None = None
    span: Span | None = None  # where the config states it


def apply_edits(items: Sequence[PaperItem], edits: Sequence[HyperparameterEdit]) -> tuple[PaperItem, ...]:
    """``items`` with the config's edits applied, in the order the config lists them.

    ``drop`` removes the key's statements; ``value`` replaces them with one statement at the
    config's line (``scope`` and ``name`` qualify it); otherwise ``scope`` re-scopes and
    ``rename`` re-keys every statement of the key."""
    result = list(items)
    from paperlink.paper.hpcontext import scope_words

    for edit in edits:
        key = f"hp:{edit.key}"
        mine = [i for i, item in enumerate(result) if item.kind is ItemKind.HYPERPARAMETER and item.key == key]
        if edit.drop or edit.value is not None:
            result = [item for i, item in enumerate(result) if i not in set(mine)]
        if edit.value is not None and edit.span is not None:
            qualifiers = {"scope": edit.scope} if edit.scope is not None else {}
            if edit.name:
                qualifiers["name"] = edit.name
            stated = _stated(edit.rename or edit.key, edit.value, qualifiers)
            if not isinstance(stated, str):
                result.append(
                    PaperItem(
                        kind=ItemKind.HYPERPARAMETER,
                        key=f"hp:{edit.rename or edit.key}",
                        number=None,
                        span=edit.span,
                        title=stated[1].name,
                        latex=stated[1].raw,
                        environment="config",
                        hyperparameter=stated[1],
                    )
                )
            continue
        if edit.drop:
            continue
        for i in mine:
            item = result[i]
            stated = item.hyperparameter
            if stated is not None and edit.scope is not None:
                stated = dataclasses.replace(stated, scope=scope_words(edit.scope))
            result[i] = dataclasses.replace(
                item, key=f"hp:{edit.rename}" if edit.rename else item.key, hyperparameter=stated
            )
    return tuple(result)
