"""A content-addressed cache of what reading each file found, like ruff's ``.ruff_cache``.

What a file yields (its annotations, suppressions, the code analyses' facts, or why it
cannot be read) depends only on its bytes, its project-relative path and paperlink's own
code (its version and a digest of its source, so an edited checkout does not read stale
facts), never on the paper: so
a file whose bytes did not change is not parsed again, and resolving links against the
paper, which is cheap, runs every time. The cache is JSON (never pickle: a cache folder can
arrive with a cloned repository) and best effort: a cache that cannot be read or written
is ignored.

The cache is untrusted input too (docs/security.md): only a regular file inside the project
of at most :data:`MAX_CACHE_BYTES` is read, JSON nested past the decoder's depth bound (the
interpreter's recursion limit, checked before each level) is a bad cache, not a crash, and each entry carries a digest of its own stored text (keyed with ``PAPERLINK_CACHE_KEY``
when that is set, as CI can do), so an entry changed after it was written is never trusted.
A cache that fails any of these is discarded and rebuilt, and :attr:`ScanCache.problem`
says why (one warning on stderr). Entries are written and read by one generic codec guided by the dataclasses'
type hints, so a new field or a new analysis needs no cache code. A diagnostic is the one
exception: its rule makes it again (:meth:`~paperlink.rules.base.Rule.at`), as every
diagnostic is made.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import hashlib
import hmac
import json
import os
import tempfile
import time
import types
import typing
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from paperlink import __version__, boundary
from paperlink.diagnostics import Diagnostic, Fix, Severity
from paperlink.paper.model import Paper
from paperlink.rules import rule_by_code
from paperlink.rules.paper_input import IncludeOutsidePaper, PaperFileMissing
from paperlink.spans import Span

if TYPE_CHECKING:
    from paperlink.engine import _Scanned

__all__ = ["CACHE_FOLDER", "MAX_CACHE_BYTES", "PaperCache", "ScanCache", "digest", "signature", "to_data", "from_data"]

CACHE_FOLDER = ".paperlink_cache"
MAX_CACHE_BYTES = 128 * 2**20  # a cache beyond this is discarded, never read (about 9,000 files of cache)
_KEY_VARIABLE = "PAPERLINK_CACHE_KEY"


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


class _Store:
    """One JSON file of entries under ``.paperlink_cache/<version>/``: each entry a key, the
    digest of what it was made from, and its stored text, checked as untrusted input."""

    def __init__(self, root: Path, name: str) -> None:
        self.root = root
        self.folder = root / CACHE_FOLDER
        self.file = self.folder / __version__ / name
        self.problem = ""  # why the cache found was discarded ("" when it was fine or absent)
        self.entries: dict[str, tuple[str, str]] = self._load()
        self.changed = bool(self.problem)  # a discarded cache is rewritten

    def _load(self) -> dict[str, tuple[str, str]]:
        """Each entry's file digest and stored text, all checked against their entry digests."""
        if not os.path.lexists(self.file):
            return {}
        try:
            data = json.loads(boundary.read_bytes(self.file, self.root, limit=MAX_CACHE_BYTES))
        except OSError as error:
            return self._discard(str(error))
        except ValueError:
            return self._discard("not valid JSON")
        except RecursionError:  # json's decoder stops at the recursion limit before going deeper
            return self._discard("nested too deeply")
        if not isinstance(data, dict) or data.get(_CODE_KEY) != code_digest():
            return {}  # written by other code: a development checkout changes without a version bump
        entries = {}
        for key, value in data.items():
            if key == _CODE_KEY:
                continue
            if not (isinstance(value, list) and len(value) == 3 and all(isinstance(part, str) for part in value)):
                return self._discard(f"an entry of another shape ({key!r})")
            file_digest, entry_digest, stored = value
            if not hmac.compare_digest(entry_digest, _entry_digest(key, file_digest, stored)):
                return self._discard(f"an entry changed after it was written ({key!r})")
            entries[key] = (file_digest, stored)
        return entries

    def _discard(self, why: str) -> dict[str, tuple[str, str]]:
        self.problem = f"{CACHE_FOLDER} discarded and rebuilt: {why}"
        return {}

    def save(self) -> None:
        """Write the cache atomically; a read-only project simply goes uncached, and so does
        one whose cache folder is a link (writing through it would write outside the project)."""
        if not self.changed:
            return
        try:
            if os.path.islink(self.folder):
                return
            self.file.parent.mkdir(parents=True, exist_ok=True)
            boundary.check_inside(self.file.parent, self.root)
            _write_new(self.folder / ".gitignore", "# Created by paperlink\n*\n")
            handle, temporary = tempfile.mkstemp(dir=self.file.parent, suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                entries: dict[str, Any] = {
                    key: [file_digest, _entry_digest(key, file_digest, stored), stored]
                    for key, (file_digest, stored) in self.entries.items()
                }
                json.dump({**entries, _CODE_KEY: code_digest()}, stream, sort_keys=True)
            os.replace(temporary, self.file)
            self.changed = False  # a store kept open (engine.Memory) writes again only what changes next
        except OSError:
            pass


class ScanCache(_Store):
    """Scan results by relative path, each valid for one digest of the file's bytes."""

    def __init__(self, root: Path) -> None:
        super().__init__(root, "scan.json")
        # what get() decoded, by path, with the stored text and analyses it was decoded from: a
        # store kept open between checks (the language server's) decodes an entry once
        self.decoded: dict[str, tuple[str, tuple[str, ...], _Scanned]] = {}

    def get(
        self, relative: str, file_digest: str, analyses: Sequence[str] = (), signature: str = ""
    ) -> _Scanned | None:
        """The cached scan of ``relative`` if its bytes are unchanged (``file_digest``; or, with
        ``file_digest`` empty, its :func:`signature` is the one stored) and it holds the facts of
        ``analyses`` (by name), else None."""
        entry = self.entries.get(relative)
        if entry is None:
            return None
        stored_digest, _, stored_signature = entry[0].partition(" ")
        if file_digest != stored_digest and not (not file_digest and signature and signature == stored_signature):
            return None
        decoded = self.decoded.get(relative)
        if decoded is not None and decoded[0] is entry[1] and decoded[1] == tuple(analyses):
            return decoded[2]
        try:
            scanned = _decode_scan(json.loads(entry[1]), analyses)
        except (KeyError, TypeError, ValueError, AttributeError, RecursionError):
            return None
        self.decoded[relative] = (entry[1], tuple(analyses), scanned)
        return scanned

    def put(
        self, relative: str, file_digest: str, scanned: _Scanned, analyses: Sequence[str] = (), signature: str = ""
    ) -> None:
        stored = json.dumps(_encode_scan(scanned, analyses), sort_keys=True)
        self.entries[relative] = (f"{file_digest} {signature}" if signature else file_digest, stored)
        self.changed = True

    def note_signature(self, relative: str, file_digest: str, signature: str) -> None:
        """Store ``signature`` with the entry of ``relative`` (found by its digest), so that the
        next run takes it on the file's status alone."""
        entry = self.entries.get(relative)
        if signature and entry is not None and entry[0] != f"{file_digest} {signature}":
            self.entries[relative] = (f"{file_digest} {signature}", entry[1])
            self.changed = True


_SETTLED_NS = 2_000_000_000  # a file changed more recently may change again within the clock's granularity


def signature(path: Path) -> str:
    """A file's status as the stat fast path compares it (size, modification and change times,
    inode, device), or "" when the file cannot be stat-ed or changed too recently to be
    told apart from a change after it is read (git's "racy" files)."""
    try:
        status = os.stat(path)
    except (OSError, ValueError):
        return ""
    if time.time_ns() - max(status.st_mtime_ns, status.st_ctime_ns) < _SETTLED_NS:
        return ""
    return f"{status.st_size}:{status.st_mtime_ns}:{status.st_ctime_ns}:{status.st_ino}:{status.st_dev}"


_UNREAD_INCLUDES = frozenset({PaperFileMissing.code, IncludeOutsidePaper.code})


class PaperCache(_Store):
    """Parsed papers, each valid while every file its reader asked for is as it was.

    An entry holds the digest of each file read (the main file, ``\\input`` files, class
    files; a file that could not be read, as such) and of the ``.tex`` names in each folder
    read from (a new ``x.tex`` beside ``x`` would be read instead). A paper with an include
    not found is not stored: a file created later could be that include.
    """

    def __init__(self, root: Path) -> None:
        super().__init__(root, "papers.json")
        # as ScanCache.decoded: key -> the stored text, the files and folders it records, the paper
        self.decoded: dict[str, tuple[str, Any, Any, Paper]] = {}

    def get(self, path: Path, name: str) -> Paper | None:
        """The paper cached for the main file ``path``, if nothing it was read from changed
        (checked on every call, also for a paper decoded before)."""
        key = _paper_key(path, name, self.root)
        entry = self.entries.get(key)
        if entry is None:
            return None
        decoded = self.decoded.get(key)
        if decoded is not None and decoded[0] is entry[1]:
            _, files, folders, paper = decoded
            return paper if _inputs(path.parent, files, folders) == (files, folders) else None
        try:
            data = json.loads(entry[1])
            if _inputs(path.parent, data["files"], data["folders"]) != (data["files"], data["folders"]):
                return None
            paper = from_data(Paper, data["paper"])
        except (KeyError, TypeError, ValueError, AttributeError, RecursionError):
            return None
        self.decoded[key] = (entry[1], data["files"], data["folders"], paper)
        return paper

    def put(self, path: Path, name: str, paper: Paper, reads: Sequence[boundary.Read]) -> None:
        """Store ``paper``, read from ``reads`` (what :func:`boundary.recording` saw)."""
        # An include not found, or refused as outside the paper's folder, was never read: what
        # would change it (the file appearing, a link replaced by a file) leaves no digest to compare
        if any(diagnostic.code in _UNREAD_INCLUDES for diagnostic in paper.diagnostics):
            return
        folder = path.parent
        files = sorted({os.path.relpath(read, folder): data for read, data in reads}.items())
        recorded = [[relative, digest(data) if data is not None else None] for relative, data in files]
        folders = sorted({os.path.dirname(relative) for relative, data in files if data is not None})
        _, listings = _inputs(folder, [], [[relative, ""] for relative in folders])
        stored = json.dumps({"files": recorded, "folders": listings, "paper": to_data(paper)}, sort_keys=True)
        self.entries[_paper_key(path, name, self.root)] = ("", stored)
        self.changed = True


def _paper_key(path: Path, name: str, root: Path) -> str:
    """What a paper's reading depends on besides its files: its name, main file and the project root."""
    return json.dumps([name, os.path.abspath(path), os.path.abspath(root)])


def _inputs(folder: Path, files: list[list[Any]], folders: list[list[Any]]) -> tuple[list[list[Any]], list[list[Any]]]:
    """The digests of ``files`` and ``folders`` (paths relative to the paper's folder) as they are now."""
    now = []
    for relative, _ in files:
        try:
            found: str | None = digest(boundary.read_bytes(folder / relative, folder, where="the paper's folder"))
        except OSError:
            found = None
        now.append([relative, found])
    listings = []
    for relative, _ in folders:
        listings.append([relative, _tex_names(folder / relative, folder)])
    return now, listings


def _tex_names(folder: Path, paper_folder: Path) -> str:
    """A digest of the ``.tex`` names in ``folder`` ("" when it is not a folder inside the paper's)."""
    if not boundary.inside(folder, paper_folder):
        return ""
    try:
        names = sorted(entry for entry in os.listdir(folder) if entry.lower().endswith(".tex"))
    except OSError:
        return ""
    return digest("\0".join(names).encode("utf-8", "surrogateescape"))


def _entry_digest(key: str, file_digest: str, stored: str) -> str:
    """A digest of one stored entry (its path, file digest and text), keyed with
    ``PAPERLINK_CACHE_KEY`` when it is set."""
    secret = os.environ.get(_KEY_VARIABLE, "").encode()
    message = "\0".join((key, file_digest, stored)).encode("utf-8", "surrogatepass")
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def _write_new(path: Path, text: str) -> None:
    """Create ``path`` unless something (a link included) is already there; never follows a link."""
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
    except FileExistsError:
        return
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write(text)


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
            if arguments[0] in _PASSED_THROUGH:
                return functools.partial(_tuple_of_plain, arguments[0], _decoder(arguments[0]))
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
        return functools.partial(_member, kind._value2member_map_, kind)
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
    return tuple([item(value) for value in _sequence(data)])


def _tuple_of_plain(kind: type, item: Decoder, data: Any) -> tuple[Any, ...]:
    if data.__class__ is list and all(value.__class__ is kind for value in data):
        return tuple(data)
    return _tuple_of(item, data)


def _member(members: dict[Any, Any], kind: type[enum.Enum], data: Any) -> Any:
    """The enum member of value ``data`` (ValueError for another value, as ``kind(data)`` raises)."""
    try:
        return members[data]
    except (KeyError, TypeError):  # TypeError: an unhashable value
        return kind(data)


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
    refers to itself (a tree) does not recurse while its decoder is built.

    A warm run decodes a few hundred thousand values, so the first use also compiles one
    function for the class that reads every field by name and passes a value of the field's
    plain type (``str``, ``int``, ``float``, ``bool``, or None where allowed) through without
    a call; data missing a field takes the general path, which leaves its default."""

    def __init__(self, kind: type) -> None:
        self.kind = kind
        self.fields: list[tuple[str, Decoder]] | None = None
        self.fast: Decoder | None = None

    def __call__(self, data: Any) -> Any:
        if self.fast is None:
            hints = _hints(self.kind)
            init = [f.name for f in dataclasses.fields(self.kind) if f.init]
            self.fields = [(name, _decoder(hints[name])) for name in init]
            self.fast = _compiled(self.kind, [(name, hints[name]) for name in init], self._general)
        return self.fast(data)

    def _general(self, data: Any) -> Any:
        assert self.fields is not None
        return self.kind(**{name: decode(data[name]) for name, decode in self.fields if name in data})


_PASSED_THROUGH = (str, int, float, bool)


def _compiled(kind: type, fields: list[tuple[str, Any]], general: Decoder) -> Decoder:
    """``general``'s equal for data holding every field, as one generated function."""
    namespace: dict[str, Any] = {"kind": kind, "general": general}
    reads, arguments = [], []
    for index, (name, hint) in enumerate(fields):
        value, decode = f"v{index}", f"d{index}"
        namespace[decode] = _decoder(hint)
        reads.append(f"        {value} = data[{name!r}]")
        options = set(typing.get_args(hint)) if typing.get_origin(hint) in (typing.Union, types.UnionType) else {hint}
        plain = [option for option in options if option in _PASSED_THROUGH]
        if len(plain) == 1 and options <= {plain[0], type(None)}:
            passed = f"{value}.__class__ is {plain[0].__name__}"
            if type(None) in options:
                passed = f"{value} is None or {passed}"
            arguments.append(f"{name}={value} if {passed} else {decode}({value})")
        else:
            arguments.append(f"{name}={decode}({value})")
    source = "\n".join(
        [
            "def decode(data):",
            "    try:",
            *(reads or ["        pass"]),
            "    except (KeyError, TypeError):",
            "        return general(data)",
            f"    return kind({', '.join(arguments)})",
        ]
    )
    # the text is ours: field names (identifiers) and repr'd keys, never data from the cache
    exec(compile(source, f"<decoder of {kind.__qualname__}>", "exec"), namespace)
    decoded: Decoder = namespace["decode"]
    return decoded


def _diagnostic(data: Any) -> Diagnostic:
    """A stored diagnostic made again by its rule, which refuses a severity it does not declare."""
    rule = rule_by_code(data["code"])
    if rule is None or rule.code != data["code"]:
        raise KeyError(data["code"])
    fix = from_data(Fix | None, data.get("fix"))
    return rule.at(from_data(Span, data["span"]), data["message"], Severity(data["severity"]), fix=fix)


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
