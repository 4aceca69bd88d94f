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
)


def _paper_text(row: Row) -> str:
    paper = row["paper"]
    if paper is None:
        return "-"
    where = f", Table {paper['number']}" if paper["number"] else ""
    return f"{paper['value']} ({paper['item']}{where})"


def _code_text(code: Row) -> str:
    span = code["span"]
    api = f" {code['api']}" if code["api"] else ""
    where = f"cell {span['cell']}:" if "cell" in span else ""  # a notebook: the line is within the cell
    return f"{code['value']} [{code['source']}{api}] {span['path']}:{where}{span['line']}"


def table_to_text(rows: Sequence[Row]) -> str:
    """Aligned columns; a hyperparameter set in several places takes one line per place."""
    lines = [("name", "paper", "code", "status")]
    for row in rows:
        codes = [_code_text(code) for code in row["code"]] or ["-"]
        lines.append((row["name"], _paper_text(row), codes[0], row["status"]))
        lines.extend(("", "", code, "") for code in codes[1:])
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
    """One record per code site (one with empty code columns for a paper-only row)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(_CSV_COLUMNS)
    for row in rows:
        paper = row["paper"] or {}
        head = [
            row["name"],
            row["status"],
            paper.get("paper", ""),
            paper.get("item", ""),
            paper.get("number") or "",
            paper.get("value", ""),
        ]
        for code in row["code"] or [None]:
            if code is None:
                writer.writerow([*head, *[""] * 9])
                continue
            span = code["span"]
            numeric = "" if code["numeric"] is None else repr(code["numeric"])
            writer.writerow(
                [
                    *head,
                    code["value"],
                    numeric,
                    code["source"],
                    str(code["configurable"]).lower(),
                    code["api"] or "",
                    span["path"],
                    span.get("cell", ""),
                    span["line"],
                    span["column"],
                ]
            )
    return buffer.getvalue()


def table_to_markdown(rows: Sequence[Row]) -> str:
    lines = ["| hyperparameter | paper | code | status |", "|---|---|---|---|"]
    for row in rows:
        paper = markdown_code(_paper_text(row)) if row["paper"] else "-"
        code = "<br>".join(markdown_code(_code_text(code)) for code in row["code"]) or "-"
        lines.append(f"| {markdown_code(row['name'])} | {paper} | {code} | {row['status']} |")
    return "\n".join(lines) + "\n"


TABLE_FORMATS: dict[str, Callable[[Sequence[Row]], str]] = {
    "text": table_to_text,
    "json": table_to_json,
    "csv": table_to_csv,
    "markdown": table_to_markdown,
}
