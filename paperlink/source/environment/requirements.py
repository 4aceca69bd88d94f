"""pip's requirement lines and requirements files, read without pip.

A requirement is PEP 508's ``name[extras] specifiers ; marker`` or ``name @ url``; a
requirements file adds comments, line continuations, options (``-r other.txt``,
``--extra-index-url``, ``--hash``) and bare URLs (``git+https://...#egg=name``).
A line that is none of these is a problem at its position; the rest of the file is
still read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from paperlink.source.environment.model import Parsed, Pin, Version
from paperlink.source.environment.names import distribution_name
from paperlink.source.environment.versions import cuda_in_url, pin_versions
from paperlink.spans import Span

__all__ = ["Requirement", "parse_requirement", "is_exact", "parse_requirements_file", "url_is_exact"]

_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?")
_OPERATOR = re.compile(r"===|==|~=|!=|<=|>=|<|>")
_VERSION = re.compile(r"[A-Za-z0-9.*+!_-]+")
_COMMENT = re.compile(r"(^|\s)#.*$")
_COMMIT = re.compile(r"@[0-9a-fA-F]{7,40}(?:#|$)")
_ARCHIVE_VERSION = re.compile(r"[-_]\d+(?:\.\d+)+[^/]*\.(?:whl|tar\.gz|zip|tar\.bz2)$")
_EGG = re.compile(r"[#&]egg=([A-Za-z0-9._-]+)")
_OPTION = re.compile(r"^(--[\w-]+|-\w)\s*=?\s*(.*)$")  # "--index-url=URL", "-r base.txt", "-rbase.txt"
_INDEX_OPTIONS = ("--extra-index-url", "--index-url", "-i", "--find-links", "-f")
_INCLUDE_OPTIONS = ("-r", "--requirement", "-c", "--constraint")


@dataclass(frozen=True)
class Requirement:
    """One PEP 508 requirement, its parts as written (blanks removed from the specifier)."""

    name: str
    extras: tuple[str, ...] = ()
    spec: str = ""  # ">=1.0,<2" or "" (a URL requirement keeps its URL in ``url``)
    url: str = ""
    marker: str = ""


class _Reader:
    """A cursor over one requirement's text."""

    def __init__(self, text: str) -> None:
        self.text, self.at = text, 0

    def blank(self) -> None:
        while self.at < len(self.text) and self.text[self.at] in " \t":
            self.at += 1

    def take(self, pattern: re.Pattern[str]) -> str | None:
        match = pattern.match(self.text, self.at)
        if match is None:
            return None
        self.at = match.end()
        return match.group(0)

    def char(self, wanted: str) -> bool:
        if self.text.startswith(wanted, self.at):
            self.at += len(wanted)
            return True
        return False


def parse_requirement(text: str) -> tuple[Requirement | None, tuple[int, str] | None]:
    """``(requirement, None)``, or ``(None, (column, problem))`` with a 0-based column."""
    reader = _Reader(text)
    reader.blank()
    name = reader.take(_NAME)
    if name is None:
        return None, (reader.at, "expected a package name")
    reader.blank()
    extras: tuple[str, ...] = ()
    if reader.char("["):
        extras, problem = _extras(reader)
        if problem:
            return None, problem
    reader.blank()
    if reader.char("@"):
        reader.blank()
        url, _, marker = reader.text[reader.at :].partition(";")
        if not url.strip():
            return None, (reader.at, "expected a URL after '@'")
        return Requirement(name, extras, "", url.strip(), marker.strip()), None
    spec, problem = _specifiers(reader)
    if problem:
        return None, problem
    reader.blank()
    marker = ""
    if reader.char(";"):
        marker = reader.text[reader.at :].strip()
        if not marker:
            return None, (reader.at, "expected an environment marker after ';'")
    elif reader.at < len(reader.text):
        return None, (reader.at, f"unexpected '{reader.text[reader.at :].strip()[:20]}'")
    return Requirement(name, extras, spec, "", marker), None


def _extras(reader: _Reader) -> tuple[tuple[str, ...], tuple[int, str] | None]:
    extras: list[str] = []
    while True:
        reader.blank()
        if reader.char("]"):
            return tuple(extras), None
        extra = reader.take(_NAME)
        if extra is None:
            return (), (reader.at, "expected an extra's name or ']'")
        extras.append(extra)
        reader.blank()
        if not reader.char(",") and not reader.text.startswith("]", reader.at):
            return (), (reader.at, "expected ',' or ']' in the extras")


def _specifiers(reader: _Reader) -> tuple[str, tuple[int, str] | None]:
    parenthesised = reader.char("(")
    clauses: list[str] = []
    while True:
        reader.blank()
        operator = reader.take(_OPERATOR)
        if operator is None:
            if clauses or not parenthesised and (reader.at == len(reader.text) or reader.text[reader.at] == ";"):
                break
            if not parenthesised:
                if reader.text.startswith("=", reader.at):
                    return "", (reader.at, "'=' is conda's spelling; pip's is '=='")
                return "", (reader.at, "expected a version specifier such as '==1.0'")
            break
        reader.blank()
        version = reader.take(_VERSION)
        if version is None:
            return "", (reader.at, f"expected a version after '{operator}'")
        clauses.append(operator + version)
        reader.blank()
        if not reader.char(","):
            break
    if parenthesised:
        reader.blank()
        if not reader.char(")"):
            return "", (reader.at, "expected ')'")
    return ",".join(clauses), None


def is_exact(spec: str) -> bool:
    """One version exactly: ``==2.1.0`` (no wildcard) or ``===2.1.0`` among the clauses."""
    return any(
        (clause.startswith("==") and "*" not in clause) or clause.startswith("===") for clause in spec.split(",")
    )


def url_is_exact(url: str) -> bool:
    """A VCS URL at a commit (``@3f2a9c1``) or an archive whose file name has a version."""
    return bool(_COMMIT.search(url.split("#", 1)[0] + "#") or _ARCHIVE_VERSION.search(url.split("#", 1)[0]))


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """(first physical line, text) with comments dropped and ``\\`` continuations joined."""
    found: list[tuple[int, str]] = []
    pending: tuple[int, str] | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = _COMMENT.sub("", raw)
        start, joined = pending if pending else (number, "")
        if line.rstrip().endswith("\\"):
            pending = (start, joined + line.rstrip()[:-1] + " ")
            continue
        pending = None
        found.append((start, joined + line))
    if pending:
        found.append(pending)
    return found


def parse_requirements_file(text: str, path: str) -> Parsed:
    """Pins, CUDA from index URLs, ``-r`` includes and problems of one requirements file."""
    pins: list[Pin] = []
    versions: list[Version] = []
    problems: list[tuple[int, int, str]] = []
    includes: list[tuple[int, str]] = []
    for number, line in _logical_lines(text):
        stripped = line.strip()
        if not stripped:
            continue
        column = len(line) - len(line.lstrip())
        span = Span(path, number, column + 1, number, column + 1 + len(stripped))
        if stripped.startswith("-"):
            _option(stripped, span, versions, includes, problems)
            continue
        requirement_text = stripped.split(" --", 1)[0].split("\t--", 1)[0].rstrip()  # per-line options: --hash=...
        span = Span(path, number, column + 1, number, column + 1 + len(requirement_text))
        pin, problem = requirement_pin(requirement_text, span)
        if pin is not None:
            pins.append(pin)
        elif problem is not None:
            problems.append(
                (number, column + 1 + problem[0], f"cannot read requirement '{requirement_text[:60]}': {problem[1]}")
            )
    versions += [version for pin in pins for version in pin_versions(pin)]
    return Parsed(tuple(pins), tuple(versions), tuple(problems), tuple(includes))


def _option(line: str, span: Span, versions: list, includes: list, problems: list) -> None:
    match = _OPTION.match(line)
    option, value = (match.group(1), match.group(2).strip()) if match else (line, "")
    if option in _INCLUDE_OPTIONS:
        if not value:
            problems.append((span.line, span.column, f"'{option}' names no file"))
        else:
            includes.append((span.line, value))
    elif option in _INDEX_OPTIONS and (cuda := cuda_in_url(value)) is not None:
        versions.append(Version("cuda", cuda, True, span, value))


def requirement_pin(text: str, span: Span, conda: bool = False) -> tuple[Pin | None, tuple[int, str] | None]:
    """A pin from one requirement (or a bare URL, a local path), or the problem reading it.

    A local path or an editable install names the project itself or a vendored copy: no pin.
    """
    text = text.strip()
    if text.startswith((".", "/", "file:")):
        return None, None
    if "://" in text.split("@", 1)[0].split(" ", 1)[0] or text.startswith("git+"):
        egg = _EGG.search(text)
        if egg is None:
            archive = re.search(r"/([A-Za-z0-9_.]+?)-\d[^/]*\.(?:whl|tar\.gz|zip)$", text)
            if archive is None:
                return None, None  # a URL that names no package: nothing to compare with the imports
            name = archive.group(1)
        else:
            name = egg.group(1)
        return Pin(distribution_name(name, conda), name, f"@ {text}", url_is_exact(text), span), None
    requirement, problem = parse_requirement(text)
    if requirement is None:
        return None, problem
    if requirement.url:
        spec, exact = f"@ {requirement.url}", url_is_exact(requirement.url)
    else:
        spec, exact = requirement.spec, is_exact(requirement.spec)
    return Pin(distribution_name(requirement.name, conda), requirement.name, spec, exact, span), None
