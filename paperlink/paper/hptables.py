"""Hyperparameter statements in the cells of a table, whatever its layout.

Papers lay settings out three ways, and each cell that states a value is one statement:

* one setting per row (``Learning rate & 3e-4``): the name cell and its first value;
  a row whose name cell is empty continues the name above (``\\multirow``): the rows are the
  arms of a sweep, each one member of a set, so they never conflict;
* several name/value pairs per row (``Optimizer & AdamW & Batch size & 4096``);
* configurations in rows and settings in columns (``Size & Hidden & Layers`` over
  ``Tiny & 64 & 2``): each value cell is named by its column and scoped by its row; where the
  rows are model sizes or a sweep's arms (a first column "Size", "Variant", "Configuration",
  or a column counting parameters) each cell is one arm, a member of a set.

Results tables state no settings; only vocabulary names are read from them, as before. A
two-column table whose value column is a measurement ("Configuration & Accuracy") is one.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from paperlink.numbers import parse_latex_number
from paperlink.paper import hpcontext
from paperlink.paper.hyperparams import (
    Mention,
    _HEADER_NAME,
    _name_key,
    _phrase,
    _plain_name,
    _slug,
    _without_row_end,
    is_hyperparameter_table,
    mention_from_row,
)

__all__ = ["mentions_in_table"]

# Columns that count the model or report results, never a setting.
_NOT_A_SETTING = re.compile(
    r"^(?:#?\s*params?|#?\s*parameters|flops|size \(?mb\)?|acc(?:uracy)?|loss|error|score|time|runtime|speed"
    r"|memory|top-?1|top-?5|bleu|ppl|perplexity|reward|return|mse|mae|rmse|auc|f1)\b",
    re.IGNORECASE,
)
# A value cell may carry its unit: "1M frames", "300 epochs".
_UNIT = re.compile(r"^(?P<value>.+?)\s+(?:frames|steps|epochs|iterations|tokens|samples|episodes|updates)$")


def mentions_in_table(rows: Sequence[Sequence[str]], caption: str, heading: str = "") -> list[tuple[int, Mention]]:
    """Each statement of a table as (row index, mention); a table without a caption under a
    heading such as "Hyperparameters" lists settings too."""
    header = rows[0] if rows else []
    is_table = (
        is_hyperparameter_table(caption, header)
        or (not caption and bool(heading) and is_hyperparameter_table(heading, ()))
    ) and not _measures(header)
    scope = hpcontext.caption_scope(caption) if caption else None
    return [(index, _scoped(mention, scope)) for index, mention in _mentions(rows, caption, is_table)]


def _measures(header: Sequence[str]) -> bool:
    """A two-column table whose value column is a measurement ("Configuration & Accuracy"):
    its rows are the arms of an ablation with their results, not settings."""
    return len(header) == 2 and _NOT_A_SETTING.match(_plain_name(header[1])) is not None


def _scoped(mention: Mention, scope: str | None) -> Mention:
    """A cell's scope: its configuration (grid tables), else the table's caption, else the headings'."""
    return mention if mention.scope is not None or scope is None else dataclasses.replace(mention, scope=scope)


def _mentions(rows: Sequence[Sequence[str]], caption: str, is_table: bool) -> list[tuple[int, Mention]]:
    adam = "adam" in caption.lower() or any("adam" in cell.lower() for cells in rows for cell in cells)
    if is_table and _is_grid(rows):
        return _grid(rows, adam=adam)
    found: list[tuple[int, Mention]] = []
    arm_name: str | None = None
    for index, cells in enumerate(rows):
        if is_table and _is_pairs(cells):
            found.extend((index, m) for m in _pairs(cells, adam=adam))
            continue
        name = _plain_name(cells[0]) if cells else ""
        if is_table and not name and arm_name is not None and len(cells) > 1:
            mention = mention_from_row([arm_name, *cells[1:]], hyperparameter_table=True, adam=adam)
            if mention is not None:  # another arm of the sweep the row above began
                found.append((index, _arm(mention)))
                if found[-2:-1] and found[-2][0] == index - 1 and not found[-2][1].members:
                    found[-2] = (index - 1, _arm(found[-2][1]))
            continue
        mention = mention_from_row(list(cells), hyperparameter_table=is_table, adam=adam) or _with_unit(
            cells, is_table=is_table, adam=adam
        )
        arm_name = cells[0] if mention is not None else None
        if mention is not None:
            found.append((index, mention))
    return found


def _arm(mention: Mention) -> Mention:
    """One arm of a sweep laid out over rows: a member of a set, not a single value."""
    return dataclasses.replace(mention, value=None, members=(mention.raw,))


def _with_unit(cells: Sequence[str], *, is_table: bool, adam: bool) -> Mention | None:
    """A row whose value cell carries a unit word: "$\\epsilon$ decay horizon & 1M frames"."""
    if len(cells) < 2:
        return None
    match = _UNIT.match(_without_row_end(cells[1]))
    if match is None or parse_latex_number(match["value"]) is None:
        return None
    return mention_from_row([cells[0], match["value"]], hyperparameter_table=is_table, adam=adam)


def _is_name(cell: str) -> bool:
    plain = _plain_name(cell)
    return bool(plain) and re.search(r"[A-Za-z]", plain) is not None and parse_latex_number(cell) is None


def _is_pairs(cells: Sequence[str]) -> bool:
    """``name & value & name & value``: an even row of at least two pairs."""
    cells = [cell for cell in cells]
    if len(cells) < 4 or len(cells) % 2:
        return False
    return all(_is_name(cells[i]) for i in range(0, len(cells), 2)) and any(
        parse_latex_number(_without_row_end(cells[i])) is not None for i in range(1, len(cells), 2)
    )


def _pairs(cells: Sequence[str], *, adam: bool) -> list[Mention]:
    found = []
    for i in range(0, len(cells) - 1, 2):
        mention = mention_from_row([cells[i], cells[i + 1]], hyperparameter_table=True, adam=adam)
        if mention is not None:
            found.append(mention)
    return found


def _is_grid(rows: Sequence[Sequence[str]]) -> bool:
    """Configurations in rows, settings in columns: a header naming three or more columns,
    and rows whose cells after the first are mostly numbers."""
    header_index = _header_index(rows)
    if header_index is None:
        return False
    body = [cells for cells in rows[header_index + 1 :] if len(cells) >= 3]
    if len(body) < 2:
        return False
    numeric = sum(parse_latex_number(_without_row_end(cell)) is not None for cells in body for cell in cells[1:])
    total = sum(len(cells) - 1 for cells in body)
    return numeric * 2 > total and all(_is_name(cells[0]) for cells in body)


def _header_index(rows: Sequence[Sequence[str]]) -> int | None:
    """The header row: the last of the leading rows with no number in it (a group row above it
    spans columns)."""
    index = None
    for i, cells in enumerate(rows[:3]):
        if len(cells) < 3 or any(parse_latex_number(_without_row_end(cell)) is not None for cell in cells):
            break
        if sum(_is_name(cell) for cell in cells[1:]) >= 2:
            index = i
    return index


def _grid(rows: Sequence[Sequence[str]], *, adam: bool) -> list[tuple[int, Mention]]:
    header_index = _header_index(rows)
    assert header_index is not None
    header = [_plain_name(cell) for cell in rows[header_index]]
    groups = _groups(rows[header_index - 1]) if header_index > 0 else {}
    sweep = _is_sweep(header)
    found = []
    for index in range(header_index + 1, len(rows)):
        cells = rows[index]
        configuration = _plain_name(cells[0]) if cells else ""
        for column in range(1, min(len(cells), len(header))):
            name = header[column]
            raw = _without_row_end(cells[column])
            value = parse_latex_number(raw)
            if value is None or not name or _NOT_A_SETTING.match(name) or _HEADER_NAME.fullmatch(_phrase(name)):
                continue
            group = groups.get(column, "")
            full_name = f"{group} {name}".strip()
            # under a group heading ("MLP" over "Hidden") the column is that model's setting
            key = _slug(full_name) if group else _name_key(full_name, adam=adam, allow_slug=True)
            if key is None:
                continue
            scope = hpcontext.scope_words(f"{group} {configuration}".strip())
            mention = Mention(key, full_name, value, raw, 0, len(cells[0]), scope=scope)
            found.append((index, _arm(mention) if sweep else mention))
    return found


# A grid whose rows are model sizes or the arms of a sweep: its first column names the size or
# configuration, or a column counts the model's parameters.
_SWEEP_ROWS = re.compile(r"^(?:size|scale|model size|variant|configuration|config|arm|setting)s?$", re.IGNORECASE)
_PARAMETER_COUNT = re.compile(r"^#?\s*(?:params?|parameters|flops)\b", re.IGNORECASE)


def _is_sweep(header: Sequence[str]) -> bool:
    """Whether a grid's rows are the members of a set of configurations (Tiny, Small, ... XL),
    each row one arm, rather than one experiment's settings per row."""
    return bool(header) and (
        _SWEEP_ROWS.match(header[0]) is not None or any(_PARAMETER_COUNT.match(cell) for cell in header[1:])
    )


_MULTICOLUMN = re.compile(r"\\multicolumn\s*\{\s*(\d+)\s*\}\s*\{[^{}]*\}\s*\{(?P<text>.*)\}\s*$", re.DOTALL)


def _groups(cells: Sequence[str]) -> dict[int, str]:
    """Column index -> the group heading spanning it (``\\multicolumn{3}{c}{MLP}``)."""
    groups: dict[int, str] = {}
    column = 0
    for cell in cells:
        match = _MULTICOLUMN.match(cell.strip())
        span = int(match[1]) if match else 1
        text = _plain_name(match["text"]) if match else _plain_name(cell)
        for offset in range(span):
            if text:
                groups[column + offset] = text
        column += span
    return groups
