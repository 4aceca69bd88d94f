"""Recognising versions of Python, CUDA and torch, and whether a specifier fixes one.

A version is *fixed* when it names at least major.minor: ``3.10``, ``==3.10.*``,
``~=3.10.4``, poetry's ``~3.10``, or a range closed within one minor release
(``>=3.10,<3.11``). A lower bound (``>=3.8``), a caret range (``^3.8``) or a wildcard
major (``3.*``) leaves the version open.
"""

from __future__ import annotations

import re

from paperlink.source.environment.model import Pin, Version

__all__ = ["is_fixed", "cuda_in_url", "pin_versions", "cuda_of_tag"]

_CLAUSE = re.compile(r"^\s*(===|==|~=|!=|<=|>=|<|>|=|~|\^)?\s*v?([0-9][0-9A-Za-z.*+!_-]*)\s*$")
_CUDA_TAG = re.compile(r"\bcu(\d{2,3})\b")
_CUDA_DOTTED = re.compile(r"cuda[-_]?(\d+)\.(\d+)")
_CUDA_PACKAGES = frozenset(
    {
        "cudatoolkit",
        "pytorch-cuda",
        "cuda-version",
        "cuda-toolkit",
        "cuda-runtime",
        "cuda",
        "cuda-nvcc",
        "nvidia-cuda-runtime-cu11",
        "nvidia-cuda-runtime-cu12",
        "nvidia-cuda-runtime-cu13",
    }
)


def _release(text: str) -> list[str]:
    return re.split(r"[+!_-]", text, maxsplit=1)[0].split(".")


def _minor_fixed(version: str) -> bool:
    parts = _release(version)
    return len(parts) >= 2 and parts[0].isdigit() and parts[1].isdigit()


def is_fixed(spec: str) -> bool:
    """Whether ``spec`` (clauses separated by commas or spaces, as pip, conda and poetry
    write them) fixes at least major.minor."""
    clauses = [c for c in re.split(r"[,\s]+(?=[=<>~!^]|\d)", spec.strip()) if c.strip()]
    lower = upper = None
    for clause in clauses:
        match = _CLAUSE.match(clause)
        if match is None:
            continue
        operator, version = match.group(1) or "", match.group(2)
        if operator in ("", "=", "==", "===", "~") and _minor_fixed(version):
            return True
        if operator == "~=" and len(_release(version)) >= 3:
            return True
        if operator == ">=":
            lower = _release(version)
        elif operator == "<":
            upper = _release(version)
    return _closed_within_minor(lower, upper)


def _closed_within_minor(lower: list[str] | None, upper: list[str] | None) -> bool:
    """``>=3.10,<3.11``: the range holds one minor release."""
    if lower is None or upper is None or len(lower) < 2 or len(upper) < 2:
        return False
    if not all(p.isdigit() for p in lower[:2] + upper[:2]):
        return False
    return lower[0] == upper[0] and int(upper[1]) - int(lower[1]) == 1 and all(p == "0" for p in upper[2:])


def cuda_in_url(url: str) -> str | None:
    """``11.8`` for a PyTorch wheel index such as ``https://download.pytorch.org/whl/cu118``."""
    match = _CUDA_TAG.search(url)
    return _dotted(match.group(1)) if match else None


def _dotted(digits: str) -> str:
    return f"{digits[:-1]}.{digits[-1]}"


def cuda_of_tag(tag: str) -> str | None:
    """The CUDA version a Docker tag or a build string names: ``cuda11.8``, ``cu118``."""
    if match := _CUDA_DOTTED.search(tag):
        return f"{match.group(1)}.{match.group(2)}"
    return cuda_in_url(tag)


def pin_versions(pin: Pin) -> list[Version]:
    """The platform versions a pin records: a ``python`` pin, an exact ``torch`` pin, and
    CUDA from ``torch==2.1.0+cu118``, a conda build string or a CUDA package."""
    found = []
    version = _CLAUSE.match(pin.spec)
    bare = version.group(2) if version else pin.spec.lstrip("=<>~!^ ")
    written = f"{pin.written}{pin.spec}" if pin.spec[:1] in "=<>~!^" else f"{pin.written} {pin.spec}".strip()
    if pin.package == "python":
        shown = pin.spec.lstrip("=") if re.match(r"^==?\d", pin.spec) and "," not in pin.spec else pin.spec
        found.append(Version("python", shown or "(any)", is_fixed(pin.spec), pin.span, written))
    if pin.package == "torch" and pin.exact:
        found.append(Version("torch", bare.split("=")[0], True, pin.span, written))
        if (cuda := cuda_of_tag(pin.spec)) is not None:
            found.append(Version("cuda", cuda, True, pin.span, written))
    if pin.package in _CUDA_PACKAGES and pin.spec:
        found.append(Version("cuda", bare.split("=")[0], is_fixed(pin.spec) or pin.exact, pin.span, written))
    return found
