"""Finding and reading the Python files and notebooks to check.

Discovery works like ruff's: directories are walked (symbolic links to directories are
not followed, so a link loop cannot trap the walk), files git ignores are skipped when
the target lies in a git work tree, and the configuration's include/exclude globs apply.
Files named explicitly on the command line are checked even when excluded, unless the
command line asks `--force-exclude` (as ruff), which pre-commit hooks do.

Reading never raises: a file that cannot be read or decoded yields a diagnostic
(PL002) and no text, and the run goes on. Files are read through the project boundary
(``paperlink.boundary``): a link leading outside the project, a dangling link or a link
loop is reported under its own name (PL002) and not read; so is a link to a folder
outside the project that the walk would have entered.
"""

from __future__ import annotations

import codecs
import fnmatch
import functools
import io
import os
import re
import subprocess
import tokenize
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterator

from paperlink import boundary
from paperlink.config import Config
from paperlink.diagnostics import Diagnostic
from paperlink.rules.source_input import SourceNotDecodable
from paperlink.spans import Span, relative_path, relative_paths

__all__ = [
    "SourceText",
    "discover",
    "excluded",
    "glob_match",
    "read_bytes",
    "read_source",
    "relative_path",
    "resolved",
]

# Never worth descending into, with or without a .gitignore.
_SKIPPED_DIRECTORIES = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        "__pycache__",
        "node_modules",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".paperlink_cache",
        "build",
        "dist",
        ".eggs",
        "site-packages",
    }
)

_SOURCE_SUFFIXES = (".py", ".ipynb")  # Python files and Jupyter notebooks


@dataclass(frozen=True)
class SourceText:
    """A file's decoded text, or the diagnostic that explains why there is none."""

    path: Path
    relative: str
    text: str | None
    diagnostic: Diagnostic | None = None


def discover(targets: list[Path], config: Config) -> list[Path]:
    """The Python files and notebooks to check under ``targets``, sorted and without duplicates."""
    found: dict[Path, None] = {}
    for target in targets:
        if target.is_file() or (not target.exists() and target.suffix in _SOURCE_SUFFIXES):
            found[target] = None  # explicit files are always checked (a missing one is reported)
            continue
        inside = boundary.within(target).is_relative_to(boundary.within(config.root))
        walked = list(_walk(target, config.root if inside else target))
        for path, relative in zip(walked, relative_paths(walked, config.root)):
            if _selected(relative, config) or _leads_outside(path, config):
                found[path] = None
    ignored = _git_ignored([p for p in found if p not in targets])
    return sorted((p for p in found if p not in ignored), key=lambda p: p.as_posix())


def _walk(directory: Path, root: Path) -> Iterator[Path]:
    """Source files under ``directory`` (links among them, which reading checks), and the
    links to folders outside ``root`` that the walk would have entered."""
    for folder, subfolders, files in os.walk(directory, followlinks=False):
        subfolders[:] = sorted(
            name
            for name in subfolders
            if name not in _SKIPPED_DIRECTORIES and not name.startswith(".") and not name.endswith(".egg-info")
        )
        for name in subfolders:
            if os.path.islink(os.path.join(folder, name)) and not boundary.inside(Path(folder) / name, root):
                yield Path(folder) / name
        for name in sorted(files):
            if name.endswith(_SOURCE_SUFFIXES) or _dangling_folder_link(folder, name, root):
                yield Path(folder) / name


def _dangling_folder_link(folder: str, name: str, root: Path) -> bool:
    """A link os.walk lists among files because it leads nowhere (or loops) and whose name
    is not a source file's: reported when it could have been a folder of sources."""
    path = os.path.join(folder, name)
    return os.path.islink(path) and not os.path.exists(path) and "." not in name


def _leads_outside(path: Path, config: Config) -> bool:
    """Whether ``path`` is a link to a folder outside the project (or to nothing) under
    which the ``include`` globs would select a Python file."""
    if path.suffix in _SOURCE_SUFFIXES or not os.path.islink(path):
        return False
    relative = relative_path(path, config.root)
    return _selected(f"{relative}/__init__.py", config) or _selected(f"{relative}/x/__init__.py", config)


def _selected(relative: str, config: Config) -> bool:
    posix = PurePosixPath(relative)
    included = any(_glob_match(posix, pattern) for pattern in config.include)
    return included and not any(_glob_match(posix, pattern) for pattern in config.exclude)


def excluded(relative: str, config: Config) -> bool:
    """Whether a project-relative path matches one of the ``exclude`` globs (``--force-exclude``)."""
    posix = PurePosixPath(relative)
    return any(_glob_match(posix, pattern) for pattern in config.exclude)


def glob_match(relative: str, pattern: str) -> bool:
    """Whether a project-relative POSIX path matches a glob as ``include`` reads it."""
    return _glob_match(PurePosixPath(relative), pattern)


def _glob_match(path: PurePosixPath, pattern: str) -> bool:
    """Gitignore-style globs: ``*`` stays within a folder, ``**`` spans folders, and a
    pattern without a slash matches a file name anywhere."""
    if "/" not in pattern:
        return fnmatch.fnmatchcase(path.name, pattern)
    return _glob_regex(pattern.lstrip("/")).fullmatch(path.as_posix()) is not None


@functools.lru_cache(maxsize=256)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    out = []
    index = 0
    while index < len(pattern):
        if pattern.startswith("**/", index):
            out.append("(?:.*/)?")
            index += 3
        elif pattern.startswith("**", index):
            out.append(".*")
            index += 2
        elif pattern[index] == "*":
            out.append("[^/]*")
            index += 1
        elif pattern[index] == "?":
            out.append("[^/]")
            index += 1
        else:
            out.append(re.escape(pattern[index]))
            index += 1
    return re.compile("".join(out))


def _git_ignored(paths: list[Path]) -> set[Path]:
    """The subset of ``paths`` that git ignores: one ``git check-ignore`` per work tree the
    paths lie in (a submodule is a work tree of its own), and no git process at all for
    paths in no work tree."""
    by_tree: dict[Path, list[Path]] = {}
    trees: dict[Path, Path | None] = {}
    for path in paths:
        tree = _work_tree(path.parent, trees)
        if tree is not None:
            by_tree.setdefault(tree, []).append(path)
    ignored: set[Path] = set()
    for tree, members in by_tree.items():
        ignored.update(_git_check_ignore(tree, members))
    return ignored


def _work_tree(folder: Path, known: dict[Path, Path | None]) -> Path | None:
    """The nearest folder at or above ``folder`` holding a ``.git`` entry (a folder, or the file
    a submodule or linked work tree has); ``known`` memoises the answer per folder."""
    seen = []
    current = folder.absolute()
    tree: Path | None = None
    while True:
        if current in known:
            tree = known[current]
            break
        seen.append(current)
        if (current / ".git").exists():
            tree = current
            break
        if current.parent == current:
            break
        current = current.parent
    for visited in seen:
        known[visited] = tree
    return tree


def _git_check_ignore(folder: Path, paths: list[Path]) -> list[Path]:
    # Bytes, not text: a file name may hold any byte the file system allows (not only UTF-8).
    named = {os.fsencode(boundary.within(p)): p for p in paths}
    try:
        result = subprocess.run(
            ["git", "-C", os.fsencode(folder), "check-ignore", "--stdin", "-z"],
            input=b"\0".join(named) + b"\0",
            capture_output=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return []
    if result.returncode not in (0, 1):  # 128: not a git work tree
        return []
    return [named[name] for name in result.stdout.split(b"\0") if name in named]


def resolved(path: Path) -> Path | None:
    """``path`` made absolute with symbolic links followed; None for a link loop or a path
    the system refuses (``Path.resolve`` raises RuntimeError for a loop before Python 3.13)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return None


def read_bytes(path: Path, root: Path) -> bytes:
    """A source file's bytes, through the project boundary: ``root``, or for a file that lies
    outside it (under a folder named on the command line, with ``--config`` from elsewhere),
    its own folder. Links leading out, loops and FIFOs raise ``boundary.OutsideBoundary``."""
    if boundary.within(path).is_relative_to(boundary.within(root)):
        return boundary.read_bytes(path, root)
    return boundary.read_bytes(path, boundary.within(path).parent, where="its folder")


def read_source(path: Path, root: Path, data: bytes | None = None) -> SourceText:
    """Read and decode ``path`` as Python source (PEP 263 coding cookies and BOMs honoured);
    ``data``, when given, is read in its place (``check --stdin-filename``)."""
    relative = relative_path(path, root)
    try:
        data = read_bytes(path, root) if data is None else data
    except OSError as error:
        reason = error.strerror or type(error).__name__
        return SourceText(path, relative, None, _problem(relative, 1, f"cannot read this file: {reason}"))
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        if not error.msg.startswith("invalid or missing encoding declaration"):
            return SourceText(path, relative, None, _problem(relative, 1, f"cannot decode this file: {error.msg}"))
        encoding = "utf-8"  # a non-UTF-8 byte in the first two lines: the decode below names it and its line
    try:
        return SourceText(path, relative, data.decode(encoding).removeprefix("\ufeff"))
    except (UnicodeDecodeError, LookupError) as error:
        start = getattr(error, "start", 0)
        line = data.count(b"\n", 0, start) + 1
        column = start - (data.rfind(b"\n", 0, start) + 1) + 1  # at the offending byte (the line cannot be decoded)
        if line == 1 and data.startswith(codecs.BOM_UTF8):
            column -= len(codecs.BOM_UTF8)  # an editor does not show it
        detail = f"byte 0x{data[start]:02x} is not {encoding}" if isinstance(error, UnicodeDecodeError) else str(error)
        return SourceText(path, relative, None, _problem(relative, line, f"cannot decode this file: {detail}", column))


def _problem(relative: str, line: int, message: str, column: int = 1) -> Diagnostic:
    return SourceNotDecodable.at(Span(relative, line, column), message)
