"""Which Python frames are the user's code, and where they are.

An event is reported at the first frame outside torch, paperlink, the standard library and
installed packages (``site-packages``): the line of the user's own code that asked for it.
Decisions are cached per file name, so the walk costs a dictionary lookup per frame.
"""

from __future__ import annotations

import functools
import linecache
import os
import sys
import sysconfig
from collections.abc import Iterator
from pathlib import Path
from types import CodeType, FrameType, FunctionType

from paperlink.runtime.result import Location
from paperlink.spans import relative_path

__all__ = ["FrameFilter"]

_PAPERLINK = str(Path(__file__).resolve().parents[1]) + os.sep
_USER: dict[tuple[str, ...], dict[str, bool]] = {}
_IN_TORCH: dict[str, bool] = {}
_PATHS: dict[Path, dict[str, str]] = {}


@functools.lru_cache(maxsize=4)
def _torch_folder(torch_file: str) -> str:
    return os.path.dirname(os.path.realpath(torch_file)) + os.sep


@functools.lru_cache(maxsize=4)
def _library_prefixes(torch_file: str) -> tuple[str, ...]:
    paths = sysconfig.get_paths()
    prefixes = {_torch_folder(torch_file), _PAPERLINK}
    for key in ("stdlib", "platstdlib"):
        if paths.get(key):
            prefixes.add(os.path.realpath(paths[key]) + os.sep)
    return tuple(sorted(prefixes))


class FrameFilter:
    """Tells user frames from library frames and turns them into :class:`Location` s."""

    def __init__(self, torch_file: str, root: Path) -> None:
        self._prefixes = _library_prefixes(torch_file)
        self._torch = _torch_folder(torch_file)
        self._root = root
        # decisions about files outlive one audit: auditing every step of a loop pays once
        self._user = _USER.setdefault(self._prefixes, {})
        self._in_torch = _IN_TORCH
        self._paths = _PATHS.setdefault(root, {})
        self.boundary: FrameType | None = None  # the frame that started the audit: walks stop there

    def is_user(self, code: CodeType) -> bool:
        name = code.co_filename
        known = self._user.get(name)
        if known is None:
            real = os.path.realpath(name) if not name.startswith("<") else name
            known = not (
                name.startswith("<")
                or real.startswith(self._prefixes)
                or f"{os.sep}site-packages{os.sep}" in real
                or f"{os.sep}dist-packages{os.sep}" in real
            )
            self._user[name] = known
        return known

    def torch_file(self, code: CodeType, suffix: str) -> bool:
        """Whether ``code`` lives in torch's file ``suffix`` (``autograd/grad_mode.py``)."""
        name = code.co_filename
        inside = self._in_torch.get(name)
        if inside is None:
            inside = self._in_torch[name] = os.path.realpath(name).startswith(self._torch)
        return inside and name.endswith(suffix)

    def path(self, filename: str) -> str:
        found = self._paths.get(filename)
        if found is None:
            found = self._paths[filename] = relative_path(Path(filename), self._root)
        return found

    def location(self, frame: FrameType) -> Location:
        code = frame.f_code
        # co_qualname (Class.method) is new in 3.11; 3.10 has the bare name
        if sys.version_info >= (3, 11):
            name = code.co_qualname
        else:
            name = code.co_name
        return Location(self.path(code.co_filename), frame.f_lineno, frame.f_lineno, name)

    def function_location(self, function: FunctionType) -> Location:
        """A decorated function: from its first decorator line to its ``def`` line."""
        code = function.__code__
        first = code.co_firstlineno
        end = first
        for line in range(first, first + 50):
            text = linecache.getline(code.co_filename, line).lstrip()
            if text.startswith(("def ", "async def ")):
                end = line
                break
        return Location(self.path(code.co_filename), first, end, function.__qualname__)

    def user_frames(self, frame: FrameType | None) -> Iterator[FrameType]:
        """The user frames from ``frame`` outwards, up to the audit's boundary."""
        seen_user = False
        while frame is not None:
            if self.is_user(frame.f_code):
                seen_user = True
                yield frame
            elif seen_user and frame.f_code.co_filename.startswith(_PAPERLINK):
                return  # the CLI's runner called the entry: nothing of the user's lies further out
            if frame is self.boundary:
                return
            frame = frame.f_back

    def innermost(self, frame: FrameType | None) -> FrameType | None:
        return next(self.user_frames(frame), None)
