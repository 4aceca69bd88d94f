"""PL505 and PL506 from the imports and the environment files, and the ``environment`` section.

An imported package is *pinned* when some environment file lists it with one version
(``==2.1.0``, conda's ``=2.1.0``, a lock file's entry, a VCS URL at a commit); *unpinned*
when files list it only with ranges or no version (PL505 at each such line); *unlisted*
when no file names it (PL505 at its first import); *optional* when every import of it is
guarded (never reported). Without any environment file there is one PL505, at the first
third-party import.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from paperlink.diagnostics import Diagnostic
from paperlink.rules.environment import UnpinnedEnvironment, UnrecordedPlatformVersion
from paperlink.source.code import module_name
from paperlink.source.environment.model import Environment, EnvironmentFile, Pin, Version, point
from paperlink.source.environment.names import providers
from paperlink.spans import Span

if TYPE_CHECKING:
    from paperlink.analysis.environment import EnvironmentFacts, ImportedPackage

__all__ = ["environment_diagnostics", "environment_section", "imported_packages"]

_LISTED = 4  # packages named in the no-manifest message before "and N more"


def imported_packages(files: Sequence[EnvironmentFacts]) -> dict[str, ImportedPackage]:
    """Each third-party module the checked code imports -> its first import (required ones
    before optional ones), leaving out the project's own modules."""
    own = {part for f in files for part in module_name(f.path).split(".")}
    found: dict[str, ImportedPackage] = {}
    for f in files:
        if f.test:
            continue
        for imported in f.imports:
            known = found.get(imported.module)
            if imported.module not in own and (known is None or (known.optional and not imported.optional)):
                found[imported.module] = imported
    return dict(sorted(found.items()))


def _pins_for(module: str, environment: Environment) -> list[Pin]:
    names = providers(module)
    return [pin for f in environment.files for pin in f.pins if pin.package in names]


def _status(module: str, environment: Environment) -> tuple[str, list[Pin]]:
    pins = _pins_for(module, environment)
    if any(pin.exact for pin in pins):
        return "pinned", [pin for pin in pins if pin.exact]
    return ("unpinned", pins) if pins else ("unlisted", [])


def environment_diagnostics(files: Sequence[EnvironmentFacts], environment: Environment | None) -> list[Diagnostic]:
    environment = environment or Environment()
    diagnostics = list(environment.problems)
    imported = {m: i for m, i in imported_packages(files).items() if not i.optional}
    if not environment.files:
        if imported:
            names = sorted(imported)
            shown = ", ".join(names[:_LISTED]) + (f" and {len(names) - _LISTED} more" if len(names) > _LISTED else "")
            first = min(imported.values(), key=lambda i: i.span)
            message = (
                f"no environment file records the versions of the {len(names)} imported "
                f"package{'s' if len(names) > 1 else ''} ({shown}): add a requirements.txt, environment.yml "
                "or pyproject.toml that pins them"
            )
            diagnostics.append(UnpinnedEnvironment.at(first.span, message))
    else:
        diagnostics += _package_diagnostics(imported, environment)
    diagnostics += _version_diagnostics(files, environment, imported)
    return diagnostics


def _package_diagnostics(imported: dict[str, ImportedPackage], environment: Environment) -> list[Diagnostic]:
    found = []
    listing = ", ".join(f.path for f in environment.files[:3]) + (", ..." if len(environment.files) > 3 else "")
    for module, first in imported.items():
        status, pins = _status(module, environment)
        if status == "unlisted":
            message = f"{module} is imported but no environment file lists it ({listing})"
            found.append(UnpinnedEnvironment.at(first.span, message))
        elif status == "unpinned":
            reported: set[str] = set()
            for pin in pins:
                if pin.span.path not in reported:
                    reported.add(pin.span.path)
                    found.append(UnpinnedEnvironment.at(pin.span, _unpinned_message(module, pin)))
    return found


def _unpinned_message(module: str, pin: Pin) -> str:
    file = pin.span.path.rsplit("/", 1)[-1]
    if not pin.spec:
        why = f"'{pin.written}' has no version"
    elif pin.spec.startswith("@"):
        why = f"'{pin.written}' comes from a URL at no fixed commit"
    else:
        written = f"{pin.written}{pin.spec}" if pin.spec[0] in "=<>!~" else f"{pin.written} {pin.spec}"
        why = f"'{written}' allows more than one version"
    return f"{module} is imported but {file} does not pin its version ({why})"


def best_versions(environment: Environment) -> dict[str, Version]:
    """The record of each platform version to show: a fixed one first, else the first one."""
    best: dict[str, Version] = {}
    for version in (v for f in environment.files for v in f.versions):
        known = best.get(version.name)
        if known is None or (version.fixed and not known.fixed):
            best[version.name] = version
    return best


def _version_diagnostics(
    files: Sequence[EnvironmentFacts], environment: Environment, imported: dict[str, ImportedPackage]
) -> list[Diagnostic]:
    code = [f for f in files if not f.test]
    if not code or not (imported or environment.files):
        return []  # standard-library code with no environment file: no environment to reproduce
    best = best_versions(environment)
    found = []
    python = best.get("python")
    if python is None:
        message = f"the Python version is not recorded in any environment file ({_PYTHON_HINT})"
        found.append(UnrecordedPlatformVersion.at(_python_place(code, environment, imported), message))
    elif not python.fixed:
        message = f"the Python version is not recorded: {python.via} does not fix a minor version"
        found.append(UnrecordedPlatformVersion.at(python.span, message))
    cuda_use = min(((f.cuda, f.cuda_use) for f in code if f.cuda is not None), default=None)
    cuda = best.get("cuda")
    if cuda_use is not None and cuda is None:
        message = f"the code uses CUDA ({cuda_use[1]}) but no environment file records the CUDA version ({_CUDA_HINT})"
        found.append(UnrecordedPlatformVersion.at(cuda_use[0], message))
    elif cuda_use is not None and cuda is not None and not cuda.fixed:
        message = f"the code uses CUDA ({cuda_use[1]}) but {cuda.via} does not fix the CUDA version's minor release"
        found.append(UnrecordedPlatformVersion.at(cuda.span, message))
    return found


_PYTHON_HINT = 'a .python-version file, python=3.X in environment.yml or requires-python = "==3.X.*" would'
_CUDA_HINT = "pytorch-cuda=X.Y in environment.yml, torch==V+cuXY in requirements.txt or an nvidia/cuda base image would"


def _python_place(
    code: Sequence[EnvironmentFacts], environment: Environment, imported: dict[str, ImportedPackage]
) -> Span:
    """Where to say Python's version is missing: the first environment file (not a lock
    file, which tools write), else the first third-party import, else the first file."""
    written = [f for f in environment.files if not f.lock] or list(environment.files)
    if written:
        return point(written[0].path, 1)
    if imported:
        return min(i.span for i in imported.values())
    return point(code[0].path, 1)


def environment_section(files: Sequence[EnvironmentFacts], environment: Environment | None) -> dict[str, Any]:
    """The JSON ``environment`` section: the files and what they pin, the platform versions
    recorded, and each imported package's status."""
    environment = environment or Environment()
    best = best_versions(environment)
    packages = []
    for module, first in imported_packages(files).items():
        status, pins = ("optional", []) if first.optional else _status(module, environment)
        packages.append(
            {
                "module": module,
                "status": status,
                "first_import": first.span.to_dict(),
                "pins": [
                    {"path": p.span.path, "line": p.span.line, "written": p.written, "spec": p.spec} for p in pins
                ],
            }
        )
    cuda = min(((f.cuda, f.cuda_use) for f in files if f.cuda is not None and not f.test), default=None)
    return {
        "files": [_file_data(f) for f in environment.files],
        "versions": {name: _version_data(best[name]) if name in best else None for name in ("python", "torch", "cuda")},
        "packages": packages,
        "cuda_use": {"use": cuda[1], "span": cuda[0].to_dict()} if cuda else None,
    }


def _file_data(file: EnvironmentFile) -> dict[str, Any]:
    return {
        "path": file.path,
        "kind": file.kind,
        "lock": file.lock,
        "pins": [
            {"package": p.package, "written": p.written, "spec": p.spec, "exact": p.exact, "span": p.span.to_dict()}
            for p in file.pins
        ],
        "versions": [_version_data(v) for v in file.versions],
    }


def _version_data(version: Version) -> dict[str, Any]:
    return {
        "name": version.name,
        "version": version.version,
        "fixed": version.fixed,
        "via": version.via,
        "span": version.span.to_dict(),
    }
