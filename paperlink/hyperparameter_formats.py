"""Output formats of ``paperlink hparams``: the hyperparameter table as text, JSON, CSV and Markdown.

Beside :mod:`paperlink.formats` (the output of ``check``), of which it shares the Markdown
quoting. Each renderer takes the rows of the ``hyperparameters`` section (see
:func:`~paperlink.analysis.hyperparameters.table.hyperparameter_rows`) and returns a string;
the same rows always give the same bytes.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from typing import Any

from paperlink.formats import _markdown_code as markdown_code

__all__ = ["TABLE_FORMATS", "table_to_text", "table_to_json", "table_to_csv", "table_to_markdown"]

Row = dict[str, Any]
_CSV_COLUMNS = (
    "name",
    "status",
    "paper",
    "item",
    "number",
    "paper_value",
    "code_value",
    "numeric",
    "source",
    "configurable",
    "api",
    "path",
    "cell",
    "line",
    "column",
    "scope",
    "link",
)


def _paper_text(row: Row) -> str:
    paper = row["paper"]
    if paper is None:
        return "-"
    where = f", Table {paper['number']}" if paper["number"] else ""
    scope = f", scope {paper['scope']}" if paper.get("scope") else ""
    value = "{" + ", ".join(paper["members"]) + "}" if paper.get("members") else paper["value"]
    return f"{value} ({paper['item']}{where}{scope})"


def _code_text(code: Row) -> str:
    span = code["span"]
    api = f" {code['api']}" if code["api"] else ""
    where = f"cell {span['cell']}:" if "cell" in span else ""  # a notebook: the line is within the cell
    scope = f" (scope {code['scope']})" if code.get("scope") else ""
    return f"{code['value']} [{code['source']}{api}] {span['path']}:{where}{span['line']}{scope}"


def _sites(row: Row) -> list[tuple[str, str]]:
    """(code, status) of each site of a row, each with its own status; ("-", the row's) without one."""
    return [(_code_text(code), str(code.get("status") or row["status"])) for code in row["code"]] or [
        ("-", row["status"])
    ]


def table_to_text(rows: Sequence[Row]) -> str:
    """Aligned columns; a hyperparameter set in several places takes one line per place, each
    with that place's status."""
    lines = [("name", "paper", "code", "status")]
    for row in rows:
        sites = _sites(row)
        lines.append((row["name"], _paper_text(row), *sites[0]))
        lines.extend(("", "", code, status) for code, status in sites[1:])
    widths = [max(len(line[column]) for line in lines) for column in range(3)]
    return "".join(
        ("  ".join(cell.ljust(width) for cell, width in zip(line[:3], widths)) + f"  {line[3]}").rstrip() + "\n"
        for line in lines
    )


def table_to_json(rows: Sequence[Row]) -> str:
    return (
        json.dumps({"version": 1, "hyperparameters": list(rows)}, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    )


def table_to_csv(rows: Sequence[Row]) -> str:
    """One record per code site with its own status (one with empty code columns for a
    paper-only row, with the row's status)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(_CSV_COLUMNS)
    for row in rows:
        paper = row["paper"] or {}
        head = [
            row["name"],
            paper.get("paper", ""),
            paper.get("item", ""),
            paper.get("number") or "",
            paper.get("value", ""),
        ]
        for code in row["code"] or [None]:
            if code is None:
                writer.writerow([head[0], row["status"], *head[1:], *[""] * 11])
                continue
            span = code["span"]
            numeric = "" if code["numeric"] is None else repr(code["numeric"])
            writer.writerow(
                [
                    head[0],
                    code.get("status") or row["status"],
                    *head[1:],
                    code["value"],
                    numeric,
                    code["source"],
                    str(code["configurable"]).lower(),
                    code["api"] or "",
                    span["path"],
                    span.get("cell", ""),
                    span["line"],
                    span["column"],
                    code.get("scope", ""),
                    code.get("link") or "",
                ]
            )
    return buffer.getvalue()


def table_to_markdown(rows: Sequence[Row]) -> str:
    lines = ["| hyperparameter | paper | code | status |", "|---|---|---|---|"]
    for row in rows:
        paper = markdown_code(_paper_text(row)) if row["paper"] else "-"
        for index, (code, status) in enumerate(_sites(row)):
            shown = markdown_code(code) if row["code"] else code
            if index == 0:
                lines.append(f"| {markdown_code(row['name'])} | {paper} | {shown} | {status} |")
            else:  # one table row per site, as the text format's lines
                lines.append(f"| | | {shown} | {status} |")
    return "\n".join(lines) + "\n"


TABLE_FORMATS: dict[str, Callable[[Sequence[Row]], str]] = {
    "text": table_to_text,
    "json": table_to_json,
    "csv": table_to_csv,
    "markdown": table_to_markdown,
}
