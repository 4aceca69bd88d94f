"""Output formats of ``paperlink check``: a registry of functions from Report to text.

A format exists when it is in :data:`FORMATS`. Paths in the output are relative to the
project root (the folder of the configuration file), so output does not depend on where
paperlink runs; JSON keys are sorted and nothing carries a timestamp, so the same inputs
give byte-identical output in every format.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Callable, Mapping
from json.encoder import encode_basestring  # the C escaper json uses with ensure_ascii=False
from typing import TYPE_CHECKING
from urllib.parse import quote

from paperlink import __version__
from paperlink.diagnostics import Diagnostic, Fix, Severity
from paperlink.escaping import json_safe, visible
from paperlink.report.summary import Summary, summarize
from paperlink.rules import ALL_RULES, Rule
from paperlink.spans import Span

if TYPE_CHECKING:  # the CLI reads FORMATS at start-up; the engine (and libcst) loads only for `check`
    from paperlink.results import Report
    from paperlink.source.notebook_layout import NotebookLayout

__all__ = [
    "FORMATS",
    "JSON_VERSION",
    "SARIF_SCHEMA",
    "report_to_text",
    "statistics",
    "statistics_json",
    "report_to_json",
    "report_to_sarif",
    "report_to_github",
    "report_to_markdown",
    "coverage_summary",
]

JSON_VERSION = 1
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
SRCROOT = "%SRCROOT%"

_SARIF_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_LINE_BREAK = re.compile("([\r\n])")
_BREAKS = {"\r": "%0D", "\n": "%0A"}
_GITHUB_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _dumps(document: object) -> str:
    return json_safe(indented_json(document)) + "\n"


class _Unusual(Exception):
    """A value :func:`indented_json` leaves to ``json.dumps`` (a key that is not a string, an
    object ``json`` cannot write)."""


def indented_json(document: object) -> str:
    """``json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False)``, byte for byte.

    With an indent, ``json`` runs its pure-Python encoder, a generator per container; the
    JSON of a large project (megabytes of sections) took a sixth of a warm run. This writes
    scalars with the same C string escaper and ``repr`` and each container in one loop, in
    about half the time; anything unusual goes to ``json.dumps`` itself.
    """
    parts: list[str] = []
    try:
        _emit(document, parts, "\n")
    except _Unusual:
        return json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False)
    return "".join(parts)


def _scalar(value: object) -> str | None:
    """A string, number, boolean or None as ``json.dumps`` writes it; None for a container."""
    if isinstance(value, str):
        return encode_basestring(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        if value != value:
            return "NaN"
        if value in (math.inf, -math.inf):
            return "Infinity" if value > 0 else "-Infinity"
        return float.__repr__(value)
    return None


def _emit(value: object, parts: list[str], newline: str) -> None:
    inner = newline + "  "
    if isinstance(value, (list, tuple)):
        if not value:
            parts.append("[]")
            return
        separator = "[" + inner
        for item in value:
            text = _scalar(item)
            if text is None:
                parts.append(separator)
                _emit(item, parts, inner)
            else:
                parts.append(separator + text)
            separator = "," + inner
        parts.append(newline + "]")
    elif isinstance(value, dict):
        if not value:
            parts.append("{}")
            return
        if not all(isinstance(key, str) for key in value):
            raise _Unusual
        separator = "{" + inner
        for key, item in sorted(value.items()):
            text = _scalar(item)
            if text is None:
                parts.append(separator + encode_basestring(key) + ": ")
                _emit(item, parts, inner)
            else:
                parts.append(separator + encode_basestring(key) + ": " + text)
            separator = "," + inner
        parts.append(newline + "}")
    else:
        text = _scalar(value)
        if text is None:
            raise _Unusual
        parts.append(text)


def _rule(code: str) -> type[Rule] | None:
    return next((rule for rule in ALL_RULES if rule.code == code), None)


# --- text and json ----------------------------------------------------------------------


def report_to_text(
    report: Report, style: Callable[[str, str], str] | None = None, path: Callable[[str], str] | None = None
) -> str:
    """One line per diagnostic: ``path:line:column: CODE message`` (clickable in terminals).

    ``style(text, role)`` colours the parts (roles: ``location``, and the severity for the
    code); without it the text is plain. ``path`` rewrites each project-relative path (the
    command line makes them relative to the current folder).
    """
    paint = style or (lambda text, role: text)
    where = path or (lambda text: text)
    return "".join(
        f"{paint(visible(_location(d.span, where)), 'location')}: {paint(d.code, d.severity.value)} {visible(d.message)}\n"
        for d in report.diagnostics
    )


def _location(span: Span, path: Callable[[str], str]) -> str:
    text = str(span)
    return path(span.path) + text[len(span.path) :] if text.startswith(span.path) else text


def statistics(report: Report) -> str:
    """Diagnostics counted by code, most frequent first (ruff's ``--statistics``)."""
    from paperlink.rules import rule_by_code

    counts = Counter(d.code for d in report.diagnostics)
    lines = []
    for code, count in sorted(counts.items(), key=lambda pair: (-pair[1], pair[0])):
        rule = rule_by_code(code)
        lines.append(f"{count:>5}  {code}  {rule.name if rule else ''}".rstrip())
    return "".join(f"{line}\n" for line in lines)


def statistics_json(report: Report) -> str:
    """``--statistics --format json``: ``[{"code", "name", "count"}]``, most frequent first (as ruff)."""
    from paperlink.rules import rule_by_code

    counts = Counter(d.code for d in report.diagnostics)
    rows = []
    for code, count in sorted(counts.items(), key=lambda pair: (-pair[1], pair[0])):
        rule = rule_by_code(code)
        rows.append({"code": code, "name": rule.name if rule else None, "count": count})
    return json.dumps(rows, indent=2, sort_keys=True) + "\n"


def report_to_json(report: Report) -> str:
    document = {
        "version": JSON_VERSION,
        "paperlink": __version__,
        "files": report.files,
        "diagnostics": [d.to_dict() for d in report.diagnostics],
        "links": [
            {
                "paper": link.paper,
                "item": link.item_key,
                "reference": link.reference,
                "form": link.form,
                "span": link.span.to_dict(),
                "target": link.target.to_dict(),
                "target_name": link.target_name,
            }
            for link in report.links
        ],
        "coverage": [
            {
                "paper": row.paper,
                "kind": row.kind,
                "total": row.total,
                "implemented": row.implemented,
                "exempt": row.exempt,
                "missing": row.missing,
            }
            for row in report.coverage
        ],
    }
    # Each code analysis that ran adds its section: "gradient_stops", "hidden_inputs", ...
    document.update(sorted(report.sections.items()))
    return _dumps(document)


def coverage_summary(report: Report) -> str:
    """A few lines for stderr, like coverage.py's total line."""
    rows = summarize(report).coverage
    return "\n".join(
        f"{r.paper}: {r.kind}s {r.implemented}/{r.needed} implemented ({r.percent_text})" for r in rows if r.total
    )


# --- sarif ------------------------------------------------------------------------------


def _sarif_rule(rule: type[Rule]) -> dict[str, object]:
    documentation = rule.documentation()
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": documentation},
        "help": {"text": documentation, "markdown": documentation},
        "defaultConfiguration": {"level": _SARIF_LEVELS[rule.severity]},
    }


def _region(span: Span) -> dict[str, int] | None:
    """SARIF's region: 1-based like Span, end column exclusive like Span; only valid values.

    GitHub's annotations use the same numbers, so the ``github`` format reads them here too.
    """
    if span.line < 1:
        return None
    region = {"startLine": span.line}
    if span.column >= 1:
        region["startColumn"] = span.column
    if span.end_line is None or span.end_line < span.line:
        return region
    region["endLine"] = span.end_line
    end_column = span.end_column
    if (
        end_column is not None
        and end_column >= 1
        and (span.end_line > span.line or end_column >= region.get("startColumn", 1))
    ):
        region["endColumn"] = end_column
    return region


def _file_region(span: Span, notebooks: Mapping[str, NotebookLayout]) -> dict[str, int] | None:
    """:func:`_region`, except that a notebook position becomes the lines of the ``.ipynb``
    file where the cell's source lines are written (columns in the JSON text would mislead)."""
    layout = notebooks.get(span.path) if span.cell is not None else None
    if layout is None:
        return _region(span)
    start = layout.file_line(span)
    end = layout.file_line(Span(span.path, span.end_line or span.line, cell=span.cell))
    return {"startLine": start, "endLine": max(start, end)}


def _sarif_result(
    diagnostic: Diagnostic, index: dict[str, int], notebooks: Mapping[str, NotebookLayout]
) -> dict[str, object]:
    physical: dict[str, object] = {
        # A name that is not UTF-8 keeps its own bytes in the URI (%FF), as the file system has them.
        "artifactLocation": {
            "uri": quote(diagnostic.span.path, safe="/", errors="surrogateescape"),
            "uriBaseId": SRCROOT,
        },
    }
    region = _file_region(diagnostic.span, notebooks)
    if region is not None:
        physical["region"] = region
    result: dict[str, object] = {
        "ruleId": diagnostic.code,
        "level": _SARIF_LEVELS[diagnostic.severity],
        "message": {"text": diagnostic.message},
        "locations": [{"physicalLocation": physical}],
    }
    if diagnostic.code in index:
        result["ruleIndex"] = index[diagnostic.code]
    if diagnostic.fix is not None and diagnostic.span.cell is None:  # a cell's edits have no file region
        result["fixes"] = [_sarif_fix(diagnostic.fix)]
    if diagnostic.span.cell is not None:  # SARIF has no notebook cells: the cell position rides along
        result["properties"] = {
            "cell": diagnostic.span.cell,
            "cellLine": diagnostic.span.line,
            "cellColumn": diagnostic.span.column,
        }
    return result


def _sarif_fix(fix: Fix) -> dict[str, object]:
    """A SARIF ``fix``: the edits as replacements of regions, grouped by file."""
    changes: dict[str, list[dict[str, object]]] = {}
    for edit in fix.edits:
        region = _region(edit.span) or {"startLine": edit.span.line}
        replacement = {"deletedRegion": region, "insertedContent": {"text": edit.replacement}}
        changes.setdefault(edit.span.path, []).append(replacement)
    return {
        "description": {"text": fix.title},
        "artifactChanges": [
            {
                "artifactLocation": {"uri": quote(path, safe="/", errors="surrogateescape"), "uriBaseId": SRCROOT},
                "replacements": replacements,
            }
            for path, replacements in sorted(changes.items())
        ],
    }


def report_to_sarif(report: Report) -> str:
    """A SARIF 2.1.0 log with one run, for GitHub code scanning and other SARIF viewers.

    URIs are relative to ``%SRCROOT%``, which is left for the consumer to define (the
    project root), so the log carries no machine-specific absolute path.
    """
    index = {rule.code: position for position, rule in enumerate(ALL_RULES)}
    driver = {
        "name": "paperlink",
        "version": __version__,
        "semanticVersion": __version__,
        "rules": [_sarif_rule(rule) for rule in ALL_RULES],
    }
    run = {
        "tool": {"driver": driver},
        "columnKind": "unicodeCodePoints",
        "results": [_sarif_result(d, index, report.notebooks) for d in report.diagnostics],
    }
    return _dumps({"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]})


# --- github -----------------------------------------------------------------------------


def _escape_data(text: str) -> str:
    """The escaping GitHub's runner undoes in a workflow command's message (line breaks as
    %0D and %0A, which it turns back into line breaks), over :func:`visible` for every other
    control and bidi character."""
    pieces = _LINE_BREAK.split(text)
    return "".join(_BREAKS.get(piece) or visible(piece).replace("%", "%25") for piece in pieces)


def _escape_property(text: str) -> str:
    """A property value also ends at ``,`` and the message starts after ``::``."""
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _github_line(diagnostic: Diagnostic, notebooks: Mapping[str, NotebookLayout]) -> str:
    properties = [("file", diagnostic.span.path)]
    region = _file_region(diagnostic.span, notebooks) or {}
    for key, name in (("startLine", "line"), ("startColumn", "col"), ("endLine", "endLine")):
        if key in region:
            properties.append((name, str(region[key])))
    # GitHub annotates a column range only within one line
    if "endColumn" in region and region["endLine"] == region["startLine"]:
        properties.append(("endColumn", str(region["endColumn"])))
    rule = _rule(diagnostic.code)
    title = f"{diagnostic.code} {rule.name}" if rule else diagnostic.code
    if diagnostic.span.cell is not None:
        title += f" (cell {diagnostic.span.cell}, line {diagnostic.span.line})"
    properties.append(("title", title))
    fields = ",".join(f"{key}={_escape_property(value)}" for key, value in properties)
    return f"::{_GITHUB_COMMANDS[diagnostic.severity]} {fields}::{_escape_data(diagnostic.message)}\n"


def report_to_github(report: Report) -> str:
    """GitHub Actions workflow commands: each diagnostic becomes an annotation on the diff."""
    return "".join(_github_line(d, report.notebooks) for d in report.diagnostics)


# --- markdown ---------------------------------------------------------------------------

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|&~])")


def _markdown_text(text: str) -> str:
    """Plain text for a table cell: markup characters escaped, line breaks kept as <br>."""
    return "<br>".join(_MARKDOWN_SPECIAL.sub(r"\\\1", visible(line)) for line in text.splitlines())


def _markdown_code(text: str) -> str:
    """A code span in a table cell: a fence longer than any backtick run, pipes escaped."""
    text = visible(text).replace("|", "\\|")  # a line break escaped: the table row stays one line
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 or word == 'info' else 's'}"


def _markdown_counts(summary: Summary) -> str:
    by_severity = ", ".join(_plural(entry.count, entry.severity) for entry in summary.by_severity)
    return f"**{_plural(summary.diagnostics, 'diagnostic')}** in {_plural(summary.files, 'file')}: {by_severity}"


def _markdown_diagnostics(report: Report) -> list[str]:
    lines = ["| severity | code | location | message |", "|---|---|---|---|"]
    for d in report.diagnostics:
        location = _markdown_code(d.span.location)
        lines.append(f"| {d.severity.value} | {d.code} | {location} | {_markdown_text(d.message)} |")
    return lines


def _markdown_coverage(summary: Summary) -> list[str]:
    if not summary.coverage:
        return []
    lines = ["### Coverage", "", "| paper | kind | implemented | % |", "|---|---|---:|---:|"]
    for row in summary.coverage:
        lines.append(
            f"| {_markdown_text(row.paper)} | {row.kind} | {row.implemented}/{row.needed} | {row.percent_text} |"
        )
    return lines + [""]


def report_to_markdown(report: Report) -> str:
    """A summary for a pull-request comment: counts, a table of diagnostics, coverage.

    It reads the same :class:`~paperlink.report.summary.Summary` view model as the HTML
    report's header and coverage table.
    """
    summary = summarize(report)
    lines = ["## paperlink", ""]
    if report.diagnostics:
        lines += [_markdown_counts(summary), "", *_markdown_diagnostics(report), ""]
    else:
        lines += [f"No problems found in {_plural(summary.files, 'file')}.", ""]
    lines += _markdown_coverage(summary)
    return "\n".join(lines)


FORMATS: dict[str, Callable[[Report], str]] = {
    "text": report_to_text,
    "json": report_to_json,
    "sarif": report_to_sarif,
    "github": report_to_github,
    "markdown": report_to_markdown,
}
