"""A content-addressed cache of what reading each file found, like ruff's ``.ruff_cache``.

What a file yields (its annotations, suppressions, the code analyses' facts, or why it
cannot be read) depends only on its bytes, its project-relative path and paperlink's own
code (its version and a digest of its source, so an edited checkout does not read stale
facts), never on the paper: so
a file whose bytes did not change is not parsed again, and resolving links against the
paper, which is cheap, runs every time. The cache is JSON (never pickle: a cache folder can
arrive with a cloned repository) and best effort: a cache that cannot be read or written
is ignored. Entries are written and read by one generic codec guided by the dataclasses'
type hints, so a new field or a new analysis needs no cache code. A diagnostic is the one
exception: its rule makes it again (:meth:`~paperlink.rules.base.Rule.at`), as every
diagnostic is made.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import hashlib
import json
import os
import tempfile
import types
import typing
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from paperlink import __version__
from paperlink.diagnostics import Diagnostic, Severity
from paperlink.rules import rule_by_code
from paperlink.spans import Span

if TYPE_CHECKING:
    from paperlink.engine import _Scanned

__all__ = ["CACHE_FOLDER", "ScanCache", "digest", "to_data", "from_data"]

CACHE_FOLDER = ".paperlink_cache"


_CODE_KEY = "@code"  # not a path: paths have no "@" prefix


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@functools.cache
def code_digest() -> str:
    """A digest of paperlink's own code and data: what a file yields depends on it too.

    Reading the package's ~150 small files costs a few milliseconds, once per run.
    """
    package = Path(__file__).resolve().parent
    hasher = hashlib.sha256(__version__.encode())
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".json") and "__pycache__" not in path.parts:
            hasher.update(path.relative_to(package).as_posix().encode())
            hasher.update(path.read_bytes())
    return hasher.hexdigest()


class ScanCache:
    """Scan results by relative path, each valid for one digest of the file's bytes."""

    def __init__(self, root: Path) -> None:
        self.folder = root / CACHE_FOLDER
        self.file = self.folder / __version__ / "scan.json"
        self.entries: dict[str, tuple[str, dict[str, Any]]] = self._load()
        self.changed = False

    def _load(self) -> dict[str, tuple[str, dict[str, Any]]]:
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get(_CODE_KEY) != code_digest():
            return {}  # written by other code: a development checkout changes without a version bump
        return {key: (value[0], value[1]) for key, value in data.items() if isinstance(value, list) and len(value) == 2}

    def get(self, relative: str, file_digest: str, analyses: Sequence[str] = ()) -> _Scanned | None:
        """The cached scan of ``relative`` if its bytes are unchanged and it holds the
        facts of ``analyses`` (by name), else None."""
        entry = self.entries.get(relative)
        if entry is None or entry[0] != file_digest:
            return None
        try:
            return _decode_scan(entry[1], analyses)
        except (KeyError, TypeError, ValueError):
            return None

    def put(self, relative: str, file_digest: str, scanned: _Scanned, analyses: Sequence[str] = ()) -> None:
        self.entries[relative] = (file_digest, _encode_scan(scanned, analyses))
        self.changed = True

    def save(self) -> None:
        """Write the cache atomically; a read-only project simply goes uncached."""
        if not self.changed:
            return
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            ignore = self.folder / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# Created by paperlink\n*\n", encoding="utf-8")
            handle, temporary = tempfile.mkstemp(dir=self.file.parent, suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                entries: dict[str, Any] = {key: list(value) for key, value in self.entries.items()}
                json.dump({**entries, _CODE_KEY: code_digest()}, stream, sort_keys=True)
            os.replace(temporary, self.file)
        except OSError:
            pass


def to_data(value: Any) -> Any:
    """A frozen dataclass (or a tuple, enum, plain value...) as JSON-ready data."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_data(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (tuple, list)):
        return [to_data(item) for item in value]
    if isinstance(value, frozenset):
        return sorted(to_data(item) for item in value)
    if isinstance(value, dict):
        return {str(key): to_data(item) for key, item in value.items()}
    return value


def from_data(kind: Any, data: Any) -> Any:
    """The inverse of :func:`to_data`, guided by the type ``kind`` (a dataclass or a hint).

    Raises TypeError, ValueError or KeyError on data of another shape (a cache written by
    another version of the code), which the cache treats as a miss.
    """
    return _decoder(kind)(data)


Decoder = Callable[[Any], Any]


@functools.cache
def _decoder(kind: Any) -> Decoder:
    """A function decoding data of type ``kind``, built once per type: a warm run decodes
    hundreds of thousands of values, and asking ``typing`` about each hint every time was
    most of its cost."""
    origin, arguments = typing.get_origin(kind), typing.get_args(kind)
    if kind is Any:
        return _unchanged
    if origin is typing.Literal:  # a closed vocabulary of plain values: "config" | "mutable" | "rebound"
        return functools.partial(_literal, arguments)
    if origin in (typing.Union, types.UnionType):
        options = tuple(_decoder(argument) for argument in arguments if argument is not type(None))
        return functools.partial(_union, kind, type(None) in arguments, options)
    if origin is tuple:
        if len(arguments) == 2 and arguments[1] is Ellipsis:
            return functools.partial(_tuple_of, _decoder(arguments[0]))
        return functools.partial(_fixed_tuple, tuple(_decoder(argument) for argument in arguments))
    if origin in (frozenset, list):
        return functools.partial(_collection, origin, _decoder(arguments[0]))
    if origin is dict:
        return functools.partial(_mapping, _decoder(arguments[1]))
    if kind is Diagnostic:
        return _diagnostic
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return _DataclassDecoder(kind)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return kind
    return functools.partial(_plain, kind)


def _unchanged(data: Any) -> Any:
    return data


def _literal(values: tuple[Any, ...], data: Any) -> Any:
    if any(data == value and type(data) is type(value) for value in values):
        return data
    raise ValueError(f"{data!r} is none of {values}")


def _union(kind: Any, optional: bool, options: tuple[Decoder, ...], data: Any) -> Any:
    if data is None and optional:
        return None
    for option in options:
        try:
            return option(data)
        except (TypeError, ValueError, KeyError):
            continue
    raise TypeError(f"{data!r} is none of {kind}")


def _tuple_of(item: Decoder, data: Any) -> tuple[Any, ...]:
    return tuple(item(value) for value in _sequence(data))


def _fixed_tuple(items: tuple[Decoder, ...], data: Any) -> tuple[Any, ...]:
    return tuple(item(value) for item, value in zip(items, _sequence(data), strict=True))


def _collection(origin: type, item: Decoder, data: Any) -> Any:
    return origin(item(value) for value in _sequence(data))


def _mapping(value: Decoder, data: Any) -> dict[Any, Any]:
    return {key: value(item) for key, item in data.items()}


def _plain(kind: Any, data: Any) -> Any:
    if kind is float and isinstance(data, (int, float)) and not isinstance(data, bool):
        return float(data)
    if isinstance(kind, type) and isinstance(data, kind) and not (kind is int and isinstance(data, bool)):
        return data
    raise TypeError(f"{data!r} is not a {kind}")


class _DataclassDecoder:
    """Decodes one dataclass; its fields' decoders are looked up on first use, so a type that
    refers to itself (a tree) does not recurse while its decoder is built."""

    def __init__(self, kind: type) -> None:
        self.kind = kind
        self.fields: list[tuple[str, Decoder]] | None = None

    def __call__(self, data: Any) -> Any:
        if self.fields is None:
            hints = _hints(self.kind)
            self.fields = [(f.name, _decoder(hints[f.name])) for f in dataclasses.fields(self.kind) if f.init]
        return self.kind(**{name: decode(data[name]) for name, decode in self.fields if name in data})


def _diagnostic(data: Any) -> Diagnostic:
    """A stored diagnostic made again by its rule, which refuses a severity it does not declare."""
    rule = rule_by_code(data["code"])
    if rule is None or rule.code != data["code"]:
        raise KeyError(data["code"])
    return rule.at(from_data(Span, data["span"]), data["message"], Severity(data["severity"]))


def _sequence(data: Any) -> list[Any]:
    if not isinstance(data, list):
        raise TypeError(f"{data!r} is not a list")
    return data


@functools.cache
def _hints(kind: type) -> dict[str, Any]:
    return typing.get_type_hints(kind)


def _encode_scan(scanned: _Scanned, analyses: Sequence[str]) -> dict[str, Any]:
    data = to_data(dataclasses.replace(scanned, facts=()))
    data["facts"] = {name: to_data(facts) for name, facts in scanned.facts}
    data["analyses"] = list(analyses)  # what was asked: a file the rules could not read has no facts
    return data


def _decode_scan(data: dict[str, Any], analyses: Sequence[str]) -> _Scanned:
    from paperlink.analysis import analysis_by_name
    from paperlink.engine import _Scanned  # the engine owns the type; imported late to avoid a cycle

    facts = []
    for name in analyses:
        analysis = analysis_by_name(name)
        if analysis is None or name not in data["analyses"]:
            raise KeyError(name)  # this entry was scanned without that analysis
        if name in data["facts"]:
            facts.append((name, from_data(analysis.facts, data["facts"][name])))
    scanned = from_data(_Scanned, {**data, "facts": []})
    return dataclasses.replace(scanned, facts=tuple(facts))
