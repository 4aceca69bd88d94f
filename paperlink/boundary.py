"""The project boundary: the one way paperlink opens a file of the project it checks.

paperlink runs on untrusted repositories (a pull request in CI, a contributor's branch in
pre-commit) and its output may be published, so a file is read only when its real path
(every symbolic link followed) lies inside the boundary: the project root, or the paper's
folder for LaTeX. A link that leads elsewhere, a dangling link, a link loop and anything
that is not a regular file (a FIFO would block, a device never ends) are refused with an
:class:`OutsideBoundary` error, an ``OSError`` whose text names neither the target nor an
absolute path, so that every reader's existing ``except OSError`` reports it as a
diagnostic at the link's own name and the run goes on (docs/security.md).
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["OutsideBoundary", "check_inside", "inside", "read_bytes", "read_text", "recording", "within"]

Read = tuple[Path, "bytes | None"]  # a file asked for, and its bytes (None: it could not be read)
_recordings: list[list[Read]] = []


class OutsideBoundary(OSError):
    """A file paperlink refuses to read; ``strerror`` says why without naming where a link leads."""

    def __init__(self, reason: str) -> None:
        super().__init__(errno.EACCES, reason)

    def __str__(self) -> str:
        return self.strerror or ""


def within(path: Path) -> Path:
    """``path`` made absolute without following a link in its last component: the name the
    project gives a file, which is how every report names it (a link under its own name)."""
    absolute = Path(os.path.abspath(path))
    try:
        return Path(os.path.realpath(absolute.parent)) / absolute.name if absolute.name else absolute
    except (OSError, ValueError):
        return absolute


def check_inside(path: Path, root: Path, *, where: str = "the project") -> Path:
    """The real path of ``path`` when it is a file or folder inside ``root``; otherwise
    :class:`OutsideBoundary` (or the ``OSError`` of a path that does not exist at all)."""
    absolute = Path(os.path.abspath(path))
    try:
        real = Path(os.path.realpath(absolute, strict=True))
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise OutsideBoundary("a symbolic-link loop") from None
        if os.path.lexists(absolute) or _link_on_the_way(absolute):
            raise OutsideBoundary("a symbolic link to nothing") from None
        raise
    except (RuntimeError, ValueError):  # a loop before Python 3.13; a NUL byte
        raise OutsideBoundary("a symbolic-link loop") from None
    if not real.is_relative_to(_real(root)):
        lexically = absolute.is_relative_to(Path(os.path.abspath(root)))
        raise OutsideBoundary(f"a symbolic link leading outside {where}" if lexically else f"outside {where}")
    return real


def inside(path: Path, root: Path) -> bool:
    """Whether ``path`` exists and lies inside ``root`` once links are followed."""
    try:
        check_inside(path, root)
    except OSError:
        return False
    return True


@contextmanager
def recording() -> Iterator[list[Read]]:
    """Every file :func:`read_bytes` is asked for while the block runs, with what it gave:
    what a result cached by content (the paper model) depends on."""
    reads: list[Read] = []
    _recordings.append(reads)
    try:
        yield reads
    finally:
        _recordings.remove(reads)


def read_bytes(path: Path, root: Path, *, limit: int | None = None, where: str = "the project") -> bytes:
    """The bytes of the regular file ``path``, which must lie inside ``root``; at most
    ``limit`` bytes are read (more is :class:`OutsideBoundary`: "too large")."""
    if not _recordings:
        return _read_bytes(path, root, limit, where)
    try:
        data = _read_bytes(path, root, limit, where)
    except OSError:
        for reads in _recordings:
            reads.append((path, None))
        raise
    for reads in _recordings:
        reads.append((path, data))
    return data


def _read_bytes(path: Path, root: Path, limit: int | None, where: str) -> bytes:
    real = check_inside(path, root, where=where)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    descriptor = os.open(real, flags)
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise OutsideBoundary("a folder" if stat.S_ISDIR(status.st_mode) else "not a regular file")
        if limit is not None and status.st_size > limit:
            raise OutsideBoundary(f"too large to read ({status.st_size} bytes, more than {limit})")
    except BaseException:
        os.close(descriptor)
        raise
    with os.fdopen(descriptor, "rb") as stream:
        data = stream.read() if limit is None else stream.read(limit + 1)
    if limit is not None and len(data) > limit:
        raise OutsideBoundary(f"too large to read (more than {limit} bytes)")
    return data


def read_text(path: Path, root: Path, *, where: str = "the project", errors: str = "strict") -> str:
    """:func:`read_bytes` decoded as UTF-8 (``UnicodeDecodeError`` as ``bytes.decode`` raises it)."""
    return read_bytes(path, root, where=where).decode("utf-8", errors)


def _real(root: Path) -> Path:
    return Path(os.path.realpath(os.path.abspath(root)))


def _link_on_the_way(absolute: Path) -> bool:
    """Whether a folder above ``absolute`` is a link that leads nowhere."""
    return any(os.path.islink(parent) and not os.path.exists(parent) for parent in absolute.parents)
