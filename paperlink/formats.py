"""Output formats of ``paperlink check``: a registry of functions from Report to text.

A format exists when it is in :data:`FORMATS`. Paths in the output are relative to the
project root (the folder of the configuration file), so output does not depend on where
paperlink runs; JSON keys are sorted, so the same inputs give byte-identical output.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from paperlink import __version__
from paperlink.engine import Report

__all__ = ["FORMATS", "JSON_VERSION", "report_to_text", "report_to_json", "coverage_summary"]

JSON_VERSION = 1


def report_to_text(report: Report) -> str:
    """One line per diagnostic: ``path:line:column: CODE message``."""
    return "".join(f"{d.span}: {d.code} {d.message}\n" for d in report.diagnostics)


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
    return json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def coverage_summary(report: Report) -> str:
    """A few lines for stderr, like coverage.py's total line."""
    lines = []
    for row in report.coverage:
        if row.total:
            percent = 100 * (row.implemented + row.exempt) / row.total
            lines.append(f"{row.paper}: {row.kind}s {row.implemented}/{row.total - row.exempt} implemented ({percent:.0f}%)")
    return "\n".join(lines)


FORMATS: dict[str, Callable[[Report], str]] = {
    "text": report_to_text,
    "json": report_to_json,
}
