"""The project's environment files, found and read: the one place they are read from disk.

:func:`read_environment` looks at the project root, its ``requirements/``, ``docker/`` and
``environment/`` folders, and the checked folders, for the files that record what a run
needs: ``requirements*.txt`` (and the files they include with ``-r``), conda's
``environment.yml``, ``pyproject.toml`` with a ``[project]`` or ``[tool.poetry]`` table,
``setup.py``, ``setup.cfg``, ``Pipfile``, Dockerfiles, lock files (``uv.lock``,
``poetry.lock``, ``pdm.lock``, ``Pipfile.lock``, ``conda-lock.yml``), ``.python-version``
and ``runtime.txt``. A file that cannot be read or parsed is a PL006 diagnostic at the
problem's position; the rest is read.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path

from paperlink import boundary
from paperlink.rules.source_input import UnreadableEnvironmentFile
from paperlink.source.comments import Comment
from paperlink.source.environment.conda import parse_conda_file, parse_conda_lock
from paperlink.source.environment.docker import parse_dockerfile
from paperlink.source.environment.locks import parse_pipfile_lock, parse_python_version, parse_toml_lock
from paperlink.source.environment.model import Environment, EnvironmentFile, Parsed, Pin, Version, point
from paperlink.source.environment.packaging_files import parse_pipfile, parse_pyproject, parse_setup_cfg, parse_setup_py
from paperlink.source.environment.requirements import parse_requirements_file
from paperlink.source.suppression_comments import Suppression, parse_suppression
from paperlink.spans import Span, relative_path

__all__ = ["Environment", "EnvironmentFile", "Pin", "Version", "read_environment", "environment_kind"]

Parser = Callable[[str, str], Parsed]
_BY_NAME: dict[str, tuple[str, Parser]] = {
    "environment.yml": ("conda", parse_conda_file),
    "environment.yaml": ("conda", parse_conda_file),
    "conda.yml": ("conda", parse_conda_file),
    "conda.yaml": ("conda", parse_conda_file),
    "conda-lock.yml": ("lock", parse_conda_lock),
    "conda-lock.yaml": ("lock", parse_conda_lock),
    "pyproject.toml": ("pyproject", parse_pyproject),
    "setup.py": ("setup.py", parse_setup_py),
    "setup.cfg": ("setup.cfg", parse_setup_cfg),
    "Pipfile": ("pipfile", parse_pipfile),
    "Pipfile.lock": ("lock", parse_pipfile_lock),
    "uv.lock": ("lock", parse_toml_lock),
    "poetry.lock": ("lock", parse_toml_lock),
    "pdm.lock": ("lock", parse_toml_lock),
    ".python-version": ("python-version", parse_python_version),
    "runtime.txt": ("python-version", parse_python_version),
}
_REQUIREMENTS = re.compile(r"^requirements[\w.-]*\.txt$")
_DOCKERFILE = re.compile(r"^(Dockerfile([.-][\w.-]+)?|[\w.-]+\.[Dd]ockerfile)$")
_PACKAGING_TABLE = re.compile(r"^\s*\[(project|tool\.poetry)\]", re.MULTILINE)
_SUPPRESSION = re.compile(r"#\s*paperlink\s*:\s*ignore", re.IGNORECASE)
_SUBFOLDERS = ("requirements", "docker", "environment", "env")
_COMMENTED_KINDS = frozenset(
    {"requirements", "conda", "pyproject", "setup.cfg", "pipfile", "dockerfile", "python-version"}
)
_MAX_BYTES = 4_000_000  # a larger "requirements.txt" is not one a person wrote


def environment_kind(name: str, in_requirements_folder: bool = False) -> tuple[str, Parser] | None:
    """The kind and parser of an environment file named ``name``, or None."""
    if name in _BY_NAME:
        return _BY_NAME[name]
    if _REQUIREMENTS.match(name) or (in_requirements_folder and name.endswith(".txt")):
        return "requirements", parse_requirements_file
    if _DOCKERFILE.match(name):
        return "dockerfile", parse_dockerfile
    return None


def read_environment(root: Path, targets: Sequence[Path] = ()) -> Environment:
    """Every environment file at the root (and in the checked folders), parsed."""
    queue = [(path, kind, parser) for path, kind, parser in _candidates(root, targets)]
    seen = {path for path, _, _ in queue}
    files, problems, suppressions = [], [], []
    while queue:
        path, kind, parser = queue.pop(0)
        relative = relative_path(path, root)
        text, problem, line = _read(path, root)
        if problem:
            problems.append(UnreadableEnvironmentFile.at(point(relative, line), problem))
        if text is None:
            continue
        if kind == "pyproject" and not _PACKAGING_TABLE.search(text):
            continue  # settings only (a [tool.paperlink] table): it records no environment
        parsed = parser(text, relative)
        problems += [
            UnreadableEnvironmentFile.at(point(relative, line, column), message)
            for line, column, message in parsed.problems
        ]
        for line, written in parsed.includes:
            included = boundary.within(path.parent / written)
            why = _not_includable(included, _boundary(path, root))
            if why:
                problems.append(
                    UnreadableEnvironmentFile.at(point(relative, line), f"includes '{written}', which {why}")
                )
            elif included not in seen and included.is_relative_to(boundary.within(root)):
                seen.add(included)
                queue.append((included, "requirements", parse_requirements_file))
        files.append(EnvironmentFile(relative, kind, parsed.pins, parsed.versions, kind == "lock"))
        if kind in _COMMENTED_KINDS:
            suppressions += _suppressions(text, relative)
    return Environment(tuple(sorted(files, key=lambda f: f.path)), tuple(sorted(problems)), tuple(suppressions))


def _candidates(root: Path, targets: Sequence[Path]) -> list[tuple[Path, str, Parser]]:
    folders = [root, *(root / name for name in _SUBFOLDERS)]
    folders += [target for target in targets if target.is_dir() and target.resolve() != root.resolve()]
    found: dict[Path, tuple[Path, str, Parser]] = {}
    for folder in folders:
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError:
            continue
        for entry in entries:
            known = environment_kind(entry.name, folder.name == "requirements" and folder.parent == root)
            if known is not None and (entry.is_symlink() or entry.is_file()):  # reading checks where a link leads
                path = boundary.within(Path(entry.path))
                found.setdefault(path, (path, *known))
    return list(found.values())


def _boundary(path: Path, root: Path) -> Path:
    """The project root; for a file in a folder named on the command line outside it, that file's folder."""
    return root if boundary.within(path).is_relative_to(boundary.within(root)) else boundary.within(path).parent


def _not_includable(included: Path, root: Path) -> str:
    """Why a ``-r`` include cannot be read ("is a symbolic-link loop", "does not exist"), or ""."""
    try:
        real = boundary.check_inside(included, root)
    except boundary.OutsideBoundary as refusal:
        return f"is {refusal}; not read" if "outside" in str(refusal) else f"is {refusal}"
    except OSError:
        return "does not exist"
    return "" if real.is_file() else "is not a file"


def _read(path: Path, root: Path) -> tuple[str | None, str, int]:
    """(text, "", 1); or the text with undecodable bytes replaced, what is wrong and on which
    line; or (None, why not, 1) when the file cannot be read at all."""
    try:
        if boundary.check_inside(path, _boundary(path, root)).stat().st_size > _MAX_BYTES:
            return None, f"environment file too large to read ({path.stat().st_size} bytes)", 1
        data = boundary.read_bytes(path, _boundary(path, root))
    except OSError as error:
        return None, f"cannot read environment file: {error.strerror or error}", 1
    try:
        return data.decode("utf-8-sig"), "", 1
    except UnicodeDecodeError as error:
        message = f"cannot decode environment file: byte 0x{data[error.start]:02x} is not UTF-8; read with it replaced"
        return data.decode("utf-8-sig", errors="replace"), message, data[: error.start].count(b"\n") + 1


def _suppressions(text: str, path: str) -> list[Suppression]:
    """``# paperlink: ignore[PL505] reason`` comments: a suppression covers its own line, or,
    written alone on its line, the next line that holds something other than comments."""
    if "paperlink" not in text.lower():
        return []
    lines = text.splitlines()
    found = []
    for index, line in enumerate(lines):
        match = _SUPPRESSION.search(line)
        if match is None:
            continue
        comment_text = line[match.start() :]
        span = Span(path, index + 1, match.start() + 1, index + 1, len(line) + 1)
        own_line = not line[: match.start()].strip()
        below = next(
            (
                (n + 1, n + 1)
                for n in range(index + 1, len(lines))
                if lines[n].strip() and not lines[n].lstrip().startswith("#")
            ),
            None,
        )
        suppression = parse_suppression(Comment(span, comment_text, own_line, below if own_line else None))
        if suppression is not None:
            found.append(suppression)
    return found
