"""Dockerfiles: the base image (``FROM pytorch/pytorch:2.1.0-cuda11.8-cudnn8-runtime``,
``nvidia/cuda:11.8.0-...``, ``python:3.10-slim``, NVIDIA's ``nvcr.io/nvidia/pytorch:23.10-py3``)
and the packages ``RUN pip install`` / ``conda install`` lines install."""

from __future__ import annotations

import re
import shlex

from paperlink.source.environment.conda import parse_conda_spec
from paperlink.source.environment.model import Parsed, Pin, Version, point
from paperlink.source.environment.requirements import requirement_pin
from paperlink.source.environment.versions import cuda_in_url, cuda_of_tag, pin_versions
from paperlink.spans import Span

__all__ = ["parse_dockerfile"]

_FROM = re.compile(r"^\s*FROM\s+(?:--\S+\s+)*(\S+)", re.IGNORECASE)
_RUN = re.compile(r"^\s*RUN\s", re.IGNORECASE)
_LEADING_VERSION = re.compile(r"^v?(\d+(?:\.\d+)+)")
_NGC = re.compile(r"^(\d{2}\.\d{2})")
_INSTALLERS = {
    ("pip", "install"): "pip",
    ("pip3", "install"): "pip",
    ("conda", "install"): "conda",
    ("mamba", "install"): "conda",
    ("micromamba", "install"): "conda",
}
_VALUE_OPTIONS = frozenset(
    {
        "-r",
        "--requirement",
        "-c",
        "--constraint",
        "-i",
        "--index-url",
        "--extra-index-url",
        "-f",
        "--find-links",
        "--channel",
        "-n",
        "--name",
        "-p",
        "--prefix",
        "--target",
        "-t",
        "--python",
    }
)


def parse_dockerfile(text: str, path: str) -> Parsed:
    pins: list[Pin] = []
    versions: list[Version] = []
    problems: list[tuple[int, int, str]] = []
    for number, logical in _instructions(text):
        if match := _FROM.match(logical):
            image = _image_versions(match.group(1), point(path, number, match.start(1) + 1))
            versions += image
            # an image that fixes torch's version installs that torch: a pin as good as torch==V
            pins += [Pin("torch", match.group(1), f":{v.version}", True, v.span) for v in image if v.name == "torch"]
        elif run := _RUN.match(logical):
            try:
                words = shlex.split(logical[run.end() :], comments=False, posix=True)
            except ValueError as error:
                problems.append((number, 1, f"cannot split RUN command: {error}"))
                continue
            _installs(words, point(path, number, 1), pins, versions)
    return Parsed(
        tuple(p for p in pins if p.package != "python"),
        tuple(versions + [v for p in pins for v in pin_versions(p)]),
        tuple(problems),
    )


def _instructions(text: str) -> list[tuple[int, str]]:
    """(first line, instruction) with ``\\`` continuations joined and comment lines dropped."""
    found, pending = [], None
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("#"):
            continue
        start, joined = pending if pending else (number, "")
        if line.rstrip().endswith("\\"):
            pending = (start, joined + line.rstrip()[:-1] + " ")
        else:
            pending = None
            found.append((start, joined + line))
    if pending:
        found.append(pending)
    return found


def _image_versions(image: str, span: Span) -> list[Version]:
    """What a base image's tag records. A tag names versions only by convention, so only
    the images whose conventions are known are read."""
    name, _, tag = image.partition("@")[0].rpartition(":") if ":" in image.split("/")[-1] else (image, "", "")
    repository = name.split("/", 1)[1] if name.startswith(("docker.io/", "nvcr.io/")) else name
    via = f"FROM {image}"
    found = []
    leading = _LEADING_VERSION.match(tag)
    if repository in ("python", "library/python") and leading:
        found.append(Version("python", leading.group(1), True, span, via))
    elif repository in ("pytorch/pytorch", "pytorch/manylinux-cuda") and leading:
        found.append(Version("torch", leading.group(1), True, span, via))
    elif repository in ("nvidia/cuda", "nvidia/cudagl") and leading:
        found.append(Version("cuda", leading.group(1), True, span, via))
    elif repository == "nvidia/pytorch" and (release := _NGC.match(tag)):
        # an NGC release fixes Python, torch and CUDA together; its tag gives the release only
        found += [Version(name, f"NGC {release.group(1)}", True, span, via) for name in ("python", "torch", "cuda")]
    if (
        repository != "nvidia/pytorch"
        and (cuda := cuda_of_tag(tag)) is not None
        and not any(v.name == "cuda" for v in found)
    ):
        found.append(Version("cuda", cuda, True, span, via))
    return found


def _installs(words: list[str], span: Span, pins: list[Pin], versions: list[Version]) -> None:
    """Packages named by the install commands of one RUN line (``&&``/``;`` separate commands)."""
    manager, skip = None, False
    for previous, word in zip(["", *words], words):
        if word in ("&&", ";", "||", "|") or word.endswith(";"):
            manager = None
            continue
        if (previous, word) in _INSTALLERS:
            manager = _INSTALLERS[previous, word]
            continue
        if manager is None:
            continue
        if skip:
            skip = False
            if previous in ("-i", "--index-url", "--extra-index-url", "-f", "--find-links") and (
                cuda := cuda_in_url(word)
            ):
                versions.append(Version("cuda", cuda, True, span, word))
            continue
        if word.startswith("-"):
            skip = word in _VALUE_OPTIONS
            if word.startswith("--") and "=" in word and (cuda := cuda_in_url(word)):
                versions.append(Version("cuda", cuda, True, span, word))
            continue
        pin = parse_conda_spec(word, span)[0] if manager == "conda" else requirement_pin(word, span)[0]
        if pin is not None:
            pins.append(pin)
