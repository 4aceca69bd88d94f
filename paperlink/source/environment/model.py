"""What the environment files of a project record, as frozen data.

A :class:`Pin` is one package an environment file lists, with its version specifier as
written; a :class:`Version` is a recorded version of the platform (Python, CUDA, torch),
found in a pin (``python=3.10``, ``torch==2.1.0+cu118``) or elsewhere (``.python-version``,
``FROM nvidia/cuda:11.8.0-runtime``, an index URL ending in ``/cu118``).
"""

from __future__ import annotations

from dataclasses import dataclass

from paperlink.diagnostics import Diagnostic
from paperlink.source.suppression_comments import Suppression
from paperlink.spans import Span

__all__ = ["Pin", "Version", "EnvironmentFile", "Environment", "Parsed", "point"]


@dataclass(frozen=True)
class Pin:
    """One package listed by an environment file."""

    package: str  # the distribution, normalised (PEP 503; conda's "pytorch" is "torch")
    written: str  # the name as written
    spec: str  # the version specifier as written: "==2.1.0", ">=1.7", "=2.1.0=py3.10_0", "@ git+https://...", ""
    exact: bool  # installs one version: "==2.1.0", conda "=2.1.0", a lock file's entry, a VCS commit
    span: Span


@dataclass(frozen=True)
class Version:
    """A recorded version of Python, CUDA or torch."""

    name: str  # "python", "cuda" or "torch"
    version: str  # as written: "3.10", ">=3.8", "11.8"
    fixed: bool  # fixes at least major.minor ("3.10", "==3.10.*", ">=3.10,<3.11"); a lower bound does not
    span: Span
    via: str  # what records it, as written: "python=3.10", "FROM python:3.10-slim", "/whl/cu118"


@dataclass(frozen=True)
class EnvironmentFile:
    """One environment file and what it records."""

    path: str  # project-relative POSIX path
    kind: str  # "requirements", "conda", "pyproject", "setup.py", "setup.cfg", "pipfile", "dockerfile", "lock", "python-version"
    pins: tuple[Pin, ...] = ()
    versions: tuple[Version, ...] = ()
    lock: bool = False  # a lock file: every package it lists, it lists exactly


@dataclass(frozen=True)
class Environment:
    """Every environment file of the project, the problems reading them (PL006), and the
    ``# paperlink: ignore[...]`` comments written in them."""

    files: tuple[EnvironmentFile, ...] = ()
    problems: tuple[Diagnostic, ...] = ()
    suppressions: tuple[Suppression, ...] = ()


@dataclass(frozen=True)
class Parsed:
    """What one parser makes of one file's text: its pins and versions, problems as
    (line, column, message), and other files it includes (``-r base.txt``)."""

    pins: tuple[Pin, ...] = ()
    versions: tuple[Version, ...] = ()
    problems: tuple[tuple[int, int, str], ...] = ()
    includes: tuple[tuple[int, str], ...] = ()  # (line, file as written)


def point(path: str, line: int, column: int = 1) -> Span:
    """A position with its end set to itself, so that spans of environment files order
    against any other span (a missing end does not compare with a number)."""
    return Span(path, line, column, line, column)
