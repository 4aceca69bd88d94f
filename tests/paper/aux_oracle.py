"""Reading pdflatex's .aux files: the oracle for printed numbers."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

# \newlabel{key}{{number}{page}...}; rotating's \newlabel{RF1}{22} holds only a page.
_NEWLABEL = re.compile(r"^\\newlabel\{(?P<key>.*?)\}\{(?=\{)", re.M)
_FONT_SWITCH = re.compile(r"\\(?:itshape|upshape|rmfamily|sffamily|ttfamily|bfseries|mdseries|normalfont|relax)\b\s*")


def _balanced(text: str, start: int) -> tuple[str, int]:
    """The inside of the brace group opening at ``start`` and the position after it."""
    depth = 0
    for index in range(start, len(text)):
        char = text[index]
        if char == "\\":
            continue
        if char == "{" and (index == 0 or text[index - 1] != "\\"):
            depth += 1
        elif char == "}" and text[index - 1] != "\\":
            depth -= 1
            if depth == 0:
                return text[start + 1 : index], index + 1
    return text[start + 1 :], len(text)


def normalise(number: str) -> str | None:
    """The number as printed: outer braces, font switches and spacing after macros removed."""
    if "\\caption@xref" in number:
        return None  # the caption package's marker for a label with no number
    number = number.strip()
    while number.startswith("{") and _balanced(number, 0)[1] == len(number):
        number = number[1:-1].strip()
    number = _FONT_SWITCH.sub("", number)
    number = re.sub(r"[{}]", "", number) if number.count("{") == number.count("}") and "\\" not in number else number
    return re.sub(r"(\\[A-Za-z]+)\s+", r"\1", number)


def labels_from_aux(text: str) -> dict[str, str | None]:
    """Each ``\\newlabel`` key mapped to its normalised number (cleveref twins skipped)."""
    labels: dict[str, str | None] = {}
    for match in _NEWLABEL.finditer(text):
        key = match.group("key")
        if key.endswith("@cref") or key.startswith("sub@"):
            continue
        number, _ = _balanced(text, match.end())  # {{number}{page}...}
        labels[key] = normalise(number)  # normalise opens a group around the whole number, and no other
    return labels


def compile_labels(main: Path) -> dict[str, str | None]:
    """Compile ``main`` twice with pdflatex in a scratch copy and read every .aux it wrote."""
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "src"
        shutil.copytree(main.parent, copy)
        source = copy / main.name
        for _ in range(2):
            subprocess.run(
                ["pdflatex", "-interaction=nonstopmode", "-draftmode", source.name],
                cwd=copy,
                capture_output=True,
                timeout=180,
                check=False,
            )
        texts = [aux.read_text(errors="replace") for aux in sorted(copy.rglob("*.aux"))]
    return labels_from_aux("\n".join(texts))


def comparable(ours: str | None) -> str | None:
    return None if ours is None else re.sub(r"(\\[A-Za-z]+)\s+", r"\1", ours)
