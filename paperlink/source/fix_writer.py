"""Applying fixes: ``paperlink check --fix`` and ``--diff`` (ruff's).

A fix is data on its diagnostic (:class:`~paperlink.diagnostics.Fix`): edits at spans of
the file as paperlink reads it (1-based lines, columns in characters, end exclusive). Here
they are applied to the file's text, keeping everything else as it was: the encoding, a
byte-order mark, the line endings. A notebook's edits address a cell (``Span.cell``): they
are applied to that cell's source, and only that cell's ``"source"`` strings are rewritten
in the ``.ipynb`` JSON, so its formatting stays as the notebook's editor wrote it.

Fixes only ever touch comments, docstrings and decorator arguments: every edit must lie
inside a comment or a string literal of the file as the tokenizer reads it (blanks around
a comment, and the line of a comment that stands alone, may go with it), and the text it
writes must stay there: tokenized again, the file has the same code outside its comments
and strings, as many strings and no comment more (a replacement comes from the paper, and
a printed number such as ``2") or print("x`` must not become code). A fix that fails either
test is refused, whatever made it. Fixes whose edits overlap an earlier one's are left for
the next round (``--fix`` checks again after writing). A file that changed between planning
and writing is left alone.
"""

from __future__ import annotations

import bisect
import difflib
import io
import json
import re
import tokenize
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from paperlink import boundary
from paperlink.diagnostics import Diagnostic, Edit, Fix
from paperlink.errors import PaperlinkError
from paperlink.source.notebook_layout import locate_sources
from paperlink.source.tokens import CodeShape, code_shape, comments_and_strings
from paperlink.spans import line_starts, split_lines

__all__ = ["Change", "apply_edits", "plan_fixes", "unified_diff", "write_changes"]

_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_FIXABLE_SUFFIXES = (".py", ".ipynb")


@dataclass(frozen=True)
class Change:
    """One file's text before and after its fixes, and the fixes that made the difference."""

    path: str  # project-relative
    before: str
    after: str
    encoding: str
    fixes: tuple[Fix, ...]


def apply_edits(text: str, edits: Sequence[Edit]) -> str:
    """``text`` with ``edits`` applied (positions in its own lines; they must not overlap).

    A line past the end is the end of the text; an end without a column is the end of its line.
    """
    starts = line_starts(text)
    pieces: list[str] = []
    position = 0
    for edit in sorted(edits, key=lambda e: (e.span.line, e.span.column)):
        start, end = _offsets(text, starts, edit)
        pieces.extend((text[position:start], edit.replacement))
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def plan_fixes(root: Path, diagnostics: Iterable[Diagnostic], *, unsafe: bool = False) -> list[Change]:
    """What applying the fixes of ``diagnostics`` (the safe ones, or all with ``unsafe``)
    would change, file by file, in path order. Nothing is written."""
    by_path: dict[str, list[Fix]] = {}
    for diagnostic in diagnostics:
        fix = diagnostic.fix
        if fix is None or not (fix.safe or unsafe) or not fix.edits:
            continue
        paths = {edit.span.path for edit in fix.edits}
        path = paths.pop()
        if not paths and path.endswith(_FIXABLE_SUFFIXES) and fix not in by_path.get(path, ()):
            by_path.setdefault(path, []).append(fix)
    changes = []
    for path, fixes in sorted(by_path.items()):
        change = _plan_file(root, path, fixes)
        if change is not None:
            changes.append(change)
    return changes


def write_changes(root: Path, changes: Iterable[Change]) -> tuple[list[Change], list[str]]:
    """Write each changed file in its own encoding (a notebook as UTF-8 JSON text): the
    changes written, and the paths left alone because they changed since they were planned."""
    written, skipped = [], []
    for change in changes:
        path = root / change.path
        try:
            if path.is_symlink():
                raise boundary.OutsideBoundary("a symbolic link: not rewritten")
            boundary.check_inside(path.parent, root)
            if not _unchanged(path, change):
                skipped.append(change.path)
                continue
            path.write_bytes(change.after.encode(change.encoding))
        except (OSError, UnicodeEncodeError) as error:
            raise PaperlinkError(f"cannot write {change.path}: {getattr(error, 'strerror', None) or error}") from None
        written.append(change)
    return written, skipped


def _unchanged(path: Path, change: Change) -> bool:
    """Whether the file still holds the text its change was planned from."""
    try:
        return path.read_bytes().decode(change.encoding) == change.before
    except (OSError, UnicodeDecodeError):
        return False


def unified_diff(changes: Iterable[Change]) -> str:
    """The changes as one unified diff (``a/`` and ``b/`` paths, as git writes them)."""
    out: list[str] = []
    for change in changes:
        lines = difflib.unified_diff(
            split_lines(change.before), split_lines(change.after), f"a/{change.path}", f"b/{change.path}"
        )
        for line in lines:
            out.append(line if line.endswith(("\n", "\r")) else f"{line}\n\\ No newline at end of file\n")
    return "".join(out)


# --- one file ---------------------------------------------------------------------------


def _plan_file(root: Path, path: str, fixes: list[Fix]) -> Change | None:
    try:
        target = root / path
        if target.is_symlink():
            return None  # a link is never written through
        data = boundary.read_bytes(target, root)
    except OSError:
        return None
    if path.endswith(".ipynb"):
        return _plan_notebook(path, data, fixes)
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return None
    chosen = _chosen(text, fixes)
    after = apply_edits(text, [edit for fix in chosen for edit in fix.edits])
    return Change(path, text, after, encoding, tuple(chosen)) if after != text else None


def _chosen(text: str, fixes: Sequence[Fix]) -> list[Fix]:
    """The fixes that touch only comments and strings, without overlapping one taken before."""
    starts = line_starts(text)
    allowed = _comment_and_string_ranges(text, starts)
    shape = code_shape(text)
    if allowed is None or shape is None:
        return []
    taken: list[tuple[int, int]] = []  # sorted, disjoint
    chosen = []
    for fix in sorted(fixes, key=lambda f: min((e.span.line, e.span.column) for e in f.edits)):
        ranges = sorted((*_offsets(text, starts, edit), edit.replacement) for edit in fix.edits)
        if not all(_only_comments(text, allowed, start, end, new) for start, end, new in ranges):
            continue
        if any(_overlaps(taken, start, end) for start, end, _ in ranges):
            continue
        if not _same_code(shape, apply_edits(text, fix.edits)):
            continue  # its new text (from the paper) would leave the comment or string it is in
        for start, end, _ in ranges:
            bisect.insort(taken, (start, end))
        chosen.append(fix)
    if chosen and not _same_code(shape, apply_edits(text, [edit for fix in chosen for edit in fix.edits])):
        return []  # each alone keeps the code, together they would not: none is applied
    return chosen


def _same_code(before: CodeShape, after_text: str) -> bool:
    """Whether ``after_text`` has the same code as the text whose shape is ``before``: the same
    tokens outside comments and strings, the same strings, and no comment more (one may go)."""
    after = code_shape(after_text)
    return after is not None and after.code == before.code and after.comments <= before.comments


def _overlaps(taken: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether ``start..end`` overlaps a range taken (two insertions at one place do too)."""
    index = bisect.bisect_left(taken, (start, end))
    neighbours = taken[max(index - 1, 0) : index + 1]
    return any(start < b and a < end or a == start for a, b in neighbours)


def _comment_and_string_ranges(text: str, starts: list[int]) -> list[tuple[int, int]] | None:
    """Offsets of every comment and string literal, in order; None when the text cannot be tokenized."""
    found, complete = comments_and_strings(text)
    if not complete:
        return None
    return [(starts[p.start[0] - 1] + p.start[1], starts[p.end[0] - 1] + p.end[1]) for p in found]


def _only_comments(text: str, allowed: list[tuple[int, int]], start: int, end: int, replacement: str) -> bool:
    """Whether replacing ``text[start:end]`` changes nothing but comments and strings: text
    outside them that goes is blank, and new text lands inside one."""
    index = bisect.bisect_right(allowed, (start, len(text) + 1))
    inside = []
    for a, b in allowed[max(index - 1, 0) :]:  # the token holding start, then those after it
        if a >= end and not (a == start == end):
            break
        if b > start or a == start:
            inside.append((a, b))
    if replacement and not any(a <= start and end <= b for a, b in inside):
        return False
    outside = text[start:end]
    for a, b in sorted(inside, reverse=True):
        outside = outside[: max(a - start, 0)] + outside[min(b, end) - start :]
    return not outside.strip()


def _offsets(text: str, starts: list[int], edit: Edit) -> tuple[int, int]:
    span = edit.span
    start = _offset(text, starts, span.line, span.column)
    end_line = span.end_line if span.end_line is not None else span.line
    end = _offset(text, starts, end_line, span.end_column if span.end_column is not None else len(text) + 1)
    return start, max(start, end)


def _offset(text: str, starts: list[int], line: int, column: int) -> int:
    """The offset of a 1-based line and column; past the last line, the end of the text;
    past a line's end, the end of that line (its break kept)."""
    if line >= len(starts):
        return len(text)
    first = starts[line - 1]
    body = text[first : starts[line]].rstrip("\r\n")
    return first + min(max(column - 1, 0), len(body))


# --- notebooks --------------------------------------------------------------------------


def _plan_notebook(path: str, data: bytes, fixes: list[Fix]) -> Change | None:
    """Apply each cell's fixes to its source; rewrite only the changed cells' strings."""
    try:
        text = data.decode("utf-8")
        cells = json.loads(text).get("cells")
    except (UnicodeDecodeError, ValueError, AttributeError, RecursionError):
        return None
    if not isinstance(cells, list):
        return None
    by_cell: dict[int, list[Fix]] = {}
    for fix in fixes:
        numbers = {edit.span.cell for edit in fix.edits}
        if len(numbers) == 1 and (number := numbers.pop()) is not None:
            by_cell.setdefault(number, []).append(fix)
    locations = locate_sources(text, [cell.get("source") if isinstance(cell, dict) else None for cell in cells])
    replacements: list[tuple[int, int, str]] = []
    applied: list[Fix] = []
    for number, cell_fixes in sorted(by_cell.items()):
        cell = cells[number - 1] if 0 < number <= len(cells) else None
        located = locations[number - 1] if 0 < number <= len(cells) else None
        if not isinstance(cell, dict) or cell.get("cell_type") != "code" or located is None:
            continue  # markdown annotations are read through a rewriting: their columns are not the cell's
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        chosen = _chosen(source, cell_fixes)
        new_source = apply_edits(source, [edit for fix in chosen for edit in fix.edits])
        if new_source != source:
            replacements.extend(_rewritten_source(text, located, cell["source"], new_source))
            applied.extend(chosen)
    after = text
    for start, end, new in sorted(replacements, reverse=True):
        after = after[:start] + new + after[end:]
    return Change(path, text, after, "utf-8", tuple(applied)) if after != text else None


def _rewritten_source(
    text: str, located: tuple[int, int], old: str | list[str], new_source: str
) -> list[tuple[int, int, str]]:
    """Replacements in the JSON text turning the source value ``old`` into ``new_source``:
    changed strings replaced in place, removed lines deleted with their separator."""
    start, end = located
    if isinstance(old, str):
        return [(start, end, _json_string(new_source, text[start:end]))]
    literals = list(_JSON_STRING.finditer(text, start, end))
    new = re.findall(r"[^\n]*\n|[^\n]+\Z", new_source)
    if len(literals) != len(old):
        return [(start, end, json.dumps(new, ensure_ascii=False))]
    out: list[tuple[int, int, str]] = []
    deleted: list[int] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        pairs = _paired(old[i1:i2], new[j1:j2]) if tag != "insert" else None
        if pairs is None:  # lines joined or split: this cell's list is written again, on one line
            return [(start, end, json.dumps(new, ensure_ascii=False))]
        for offset, partner in enumerate(pairs):
            i = i1 + offset
            if partner is None:
                deleted.append(i)
            else:
                out.append(
                    (literals[i].start(), literals[i].end(), _json_string(new[j1 + partner], literals[i].group()))
                )
    if not new:
        return [(start, end, "[]")]
    return out + _deletions(literals, deleted)


def _paired(old: list[str], new: list[str]) -> list[int | None] | None:
    """For each old line, the new line it became (an index into ``new``) or None when it
    went; None when some new line is no edit of an old one. In order, by similarity."""
    pairs: list[int | None] = []
    j = 0
    for line in old:
        if j < len(new) and len(old) - len(pairs) > len(new) - j and not _similar(line, new[j]):
            pairs.append(None)
        elif j < len(new):
            pairs.append(j)
            j += 1
        else:
            pairs.append(None)
    return pairs if j == len(new) else None


def _similar(a: str, b: str) -> bool:
    return difflib.SequenceMatcher(a=a, b=b, autojunk=False).ratio() > 0.6


def _deletions(literals: list[re.Match[str]], deleted: list[int]) -> list[tuple[int, int, str]]:
    """Delete the list's strings at ``deleted`` with the separators that go with them: each run
    up to the next string kept, or a run at the end from the string before it."""
    out = []
    runs: list[list[int]] = []
    for index in deleted:
        if runs and runs[-1][-1] == index - 1:
            runs[-1].append(index)
        else:
            runs.append([index])
    for run in runs:
        first, last = run[0], run[-1]
        if last + 1 < len(literals):
            out.append((literals[first].start(), literals[last + 1].start(), ""))
        else:  # first > 0: a list left empty is written "[]" by the caller
            out.append((literals[first - 1].end(), literals[last].end(), ""))
    return out


def _json_string(value: str, written: str) -> str:
    """``value`` as a JSON string, escaping non-ASCII text only when the original did."""
    return json.dumps(value, ensure_ascii="\\u" in written and written.isascii())
