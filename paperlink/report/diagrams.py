"""xy-pic's ``\\xymatrix`` as an array latex2mathml reads: objects in a grid, arrows between them.

A diagram's objects go to the even rows and columns of an array; an arrow ``\\ar[r]^{f}`` goes to
the cell between its source and the next object in its direction, as ``\\xrightarrow{f}``,
``\\downarrow`` or a diagonal arrow. Longer and curved arrows keep only their first step and
their style (dashed, hooked, doubled) is not drawn: the page shows what maps to what, not the
drawing.
"""

from __future__ import annotations

import re

from paperlink.paper.texscan import read_group

__all__ = ["xymatrix_as_array"]

_XYMATRIX = re.compile(r"\\xymatrix(?![A-Za-z])(?P<options>(?:\s*@[^{\\]{0,30}?)*)\s*(?=\{)")
_ARROW = re.compile(r"\\ar(?![A-Za-z])")
# what may follow \ar before its direction: @{-->}, @/^/, @<1ex>, @^{(}, @2, @!
_ARROW_STYLE = re.compile(r"\s*@(?:\{|/[^/]{0,20}/|<[^>]{0,20}>|[\^_|]?\S?)")
_LABEL = re.compile(r"\s*(?P<side>[\^_|])\s*")
_EDGE = re.compile(r"\\(begin|end)(?![A-Za-z])")
_MAX_CELLS = 400  # a larger "diagram" is left as it is
_SYMBOLS = {
    (0, 1): "\\xrightarrow{{{}}}",
    (0, -1): "\\xleftarrow{{{}}}",
    (1, 0): "\\downarrow",
    (-1, 0): "\\uparrow",
    (1, 1): "\\searrow",
    (1, -1): "\\swarrow",
    (-1, 1): "\\nearrow",
    (-1, -1): "\\nwarrow",
}


def xymatrix_as_array(latex: str) -> str:
    """Every ``\\xymatrix{...}`` in ``latex`` as a ``\\begin{array}``; the rest unchanged."""
    if "\\xymatrix" not in latex:
        return latex
    pieces = []
    position = 0
    for match in _XYMATRIX.finditer(latex):
        if match.start() < position:
            continue
        body = read_group(latex, match.end())
        if body is None:
            continue
        array = _array(body[0])
        if array is None:
            continue
        pieces.append(latex[position : match.start()])
        pieces.append(array)
        position = body[1]
    pieces.append(latex[position:])
    return "".join(pieces)


def _array(body: str) -> str | None:
    rows = [_split(row, "&") for row in _split(body, "\\\\")]
    while rows and rows[-1] == [""]:
        rows.pop()
    if not rows:
        return "{}"  # an empty diagram draws nothing
    width = max(len(row) for row in rows)
    if width * len(rows) > _MAX_CELLS:
        return None
    grid = [[""] * (2 * width - 1) for _ in range(2 * len(rows) - 1)]
    for i, row in enumerate(rows):
        for j, cell in enumerate(row):
            shown, arrows = _objects_and_arrows(cell)
            grid[2 * i][2 * j] = shown
            for (down, right), label in arrows:
                step = ((down > 0) - (down < 0), (right > 0) - (right < 0))
                target = (2 * i + step[0], 2 * j + step[1])
                if step in _SYMBOLS and 0 <= target[0] < len(grid) and 0 <= target[1] < len(grid[0]):
                    symbol = _SYMBOLS[step].format(label) if step[0] == 0 else _SYMBOLS[step]
                    if step[0] != 0 and label:
                        symbol += f"{{\\scriptstyle {label}}}"
                    grid[target[0]][target[1]] = f"{grid[target[0]][target[1]]} {symbol}".strip()
    lines = " \\\\ ".join(" & ".join(row) for row in grid)
    return f"\\begin{{array}}{{{'c' * len(grid[0])}}} {lines} \\end{{array}}"


def _split(text: str, separator: str) -> list[str]:
    """``text`` split at ``separator`` outside braces and environments (a matrix in a label)."""
    parts = []
    depth = 0
    start = 0
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and not (depth == 0 and text.startswith(separator, index)):
            edge = _EDGE.match(text, index)
            depth += 0 if edge is None else 1 if edge.group(1) == "begin" else -1
            index += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif depth == 0 and text.startswith(separator, index):
            parts.append(text[start:index].strip())
            index += len(separator)
            start = index
            continue
        index += 1
    parts.append(text[start:].strip())
    return parts


def _objects_and_arrows(cell: str) -> tuple[str, list[tuple[tuple[int, int], str]]]:
    """A cell's object (its text without arrows) and its arrows: (rows down, columns right), label."""
    arrows = []
    kept = []
    position = 0
    for match in _ARROW.finditer(cell):
        if match.start() < position:
            continue
        kept.append(cell[position : match.start()])
        position = match.end()
        while style := _ARROW_STYLE.match(cell, position):
            position = style.end()
            if style.group().rstrip().endswith("{"):
                group = read_group(cell, position - 1)
                position = group[1] if group else position
        direction = read_group(cell, position, "[", "]")
        if direction is None:
            continue
        position = direction[1]
        labels = []
        while label := _LABEL.match(cell, position):
            argument = read_group(cell, label.end())
            if argument is None:
                token = re.match(r"\\[A-Za-z]+|[^\s\\{}]", cell[label.end() :])
                if token is None:
                    break
                argument = (token.group(), label.end() + token.end())
            labels.append(argument[0])
            position = argument[1]
        steps = direction[0]
        arrows.append(((steps.count("d") - steps.count("u"), steps.count("r") - steps.count("l")), ", ".join(labels)))
    kept.append(cell[position:])
    return " ".join(part.strip() for part in kept if part.strip()), arrows
