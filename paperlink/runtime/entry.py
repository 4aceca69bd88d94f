"""``paperlink audit ENTRY``: find the user's step function, run it once on CPU, audited.

ENTRY is ``module:function`` (imported with the current folder on ``sys.path``) or
``path/to/file.py:function`` (imported by path with the file's folder on ``sys.path``, so
its sibling imports work). The function takes no arguments and either returns a scalar
loss, on which the audit calls ``backward()``, or runs a whole step itself (``backward()``
included) and returns None. While the file is imported and run, ``sys.argv`` holds only
its name, so an ``argparse`` parser at module level sees its defaults.
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import os
import random
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import reduce
from pathlib import Path
from typing import Any

from paperlink.errors import AuditError
from paperlink.runtime.audit import GradientAudit, require_torch
from paperlink.runtime.result import AuditResult

__all__ = ["load_entry", "run_entry", "hide_accelerators", "seed_everything"]

# words of the errors torch raises for a model or input on an accelerator (a CUDA build on a machine
# without a GPU says "Found no NVIDIA driver"; a CPU build says "Torch not compiled with CUDA")
_DEVICE_WORDS = ("cuda", "device", "mps", "xpu", "nvidia", "gpu")


def load_entry(spec: str) -> Callable[[], Any]:
    """The function ENTRY names; every way of not finding it is an :class:`AuditError`."""
    target, colon, name = spec.rpartition(":")
    if not colon or not target or not name:
        raise AuditError(f"ENTRY must be module:function or path/to/file.py:function, got '{spec}'")
    is_path = target.endswith(".py") or "/" in target or os.sep in target
    with _argv(target):
        module = _import_path(Path(target)) if is_path else _import_module(target)
    try:
        function = reduce(getattr, name.split("."), module)
    except AttributeError:
        raise AuditError(f"{target} has no function '{name}'") from None
    if not callable(function):
        raise AuditError(f"{spec} is a {type(function).__name__}, not a function")
    return function


@contextmanager
def _argv(program: str) -> Iterator[None]:
    saved = sys.argv
    sys.argv = [program]
    try:
        yield
    finally:
        sys.argv = saved


def _import_path(path: Path) -> Any:
    if not path.is_file():
        raise AuditError(f"entry file not found: {path}")
    folder = str(path.resolve().parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    name = path.stem if path.stem not in sys.modules else f"paperlink_entry_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling look the module up by name
    try:
        spec.loader.exec_module(module)
    except BaseException as error:  # a script's SystemExit is a failure to import, too
        sys.modules.pop(name, None)
        if isinstance(error, KeyboardInterrupt):
            raise
        raise AuditError(f"importing {path} failed: {_describe(error)}") from error
    return module


def _import_module(name: str) -> Any:
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name and name.startswith(error.name):
            raise AuditError(f"cannot import module '{name}': {error}") from None
        raise AuditError(f"importing {name} failed: {_describe(error)}") from error
    except BaseException as error:
        if isinstance(error, KeyboardInterrupt):
            raise
        raise AuditError(f"importing {name} failed: {_describe(error)}") from error


def _describe(error: BaseException) -> str:
    """``ValueError: message (at train.py:12)``: the innermost line of the user's code."""
    text = f"{type(error).__name__}: {error}".rstrip(": ")
    place = _user_line(error)
    if place:
        text += f" (at {place})"
    if any(word in str(error).lower() for word in _DEVICE_WORDS):
        text += "; the audit runs on CPU: build the model and its inputs on 'cpu'"
    return text


def _user_line(error: BaseException) -> str:
    paperlink_dir = str(Path(__file__).resolve().parents[1])
    found = ""
    for frame in traceback.extract_tb(error.__traceback__):
        name = frame.filename
        if name.startswith(paperlink_dir) or "site-packages" in name or name.startswith("<"):
            continue
        found = f"{_shown(name)}:{frame.lineno}"
    return found


def _shown(filename: str) -> str:
    try:
        return Path(filename).resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return filename


def hide_accelerators() -> None:
    """Make a not-yet-imported torch see no GPU, so the audited step runs on CPU as documented.

    A step that asks for ``cuda`` then fails with a clear error instead of silently running
    elsewhere. Call it before torch is imported (the CLI does, in its own process).
    """
    if "torch" not in sys.modules:
        os.environ["CUDA_VISIBLE_DEVICES"] = ""


def seed_everything(seed: int) -> None:
    """Python's, torch's and (when installed) numpy's generators, so the step is repeatable."""
    torch = require_torch()
    random.seed(seed)
    torch.manual_seed(seed)
    try:
        import numpy
    except ImportError:
        return
    numpy.random.seed(seed)


def run_entry(spec: str, *, seed: int = 0, group_depth: int = 1, root: Path | None = None) -> AuditResult:
    """Load ENTRY, seed, and audit one call of it (then its loss's ``backward()``)."""
    torch = require_torch()
    function = load_entry(spec)
    seed_everything(seed)
    with _argv(spec.rpartition(":")[0]), GradientAudit(group_depth=group_depth, root=root) as run:
        try:
            value = function()
        except Exception as error:  # the user's step failing is a reportable outcome
            raise AuditError(f"the entry {spec} raised {_describe(error)}") from error
        loss = _backward(spec, value, run, torch)
    assert run.result is not None
    return dataclasses.replace(run.result, loss=loss, entry=spec, seed=seed)


def _backward(spec: str, value: Any, run: GradientAudit, torch: Any) -> float | None:
    """Call ``backward()`` on the returned loss unless the entry already did; the loss value."""
    already = run.backward_calls > 0
    if value is None:
        if not already:
            raise AuditError(f"the entry {spec} returned None without calling backward(); return the loss tensor")
        return None
    if not isinstance(value, torch.Tensor):
        raise AuditError(
            f"the entry {spec} returned {type(value).__name__}, not a tensor; "
            "return the loss, or None after calling backward() yourself"
        )
    if value.numel() != 1:
        raise AuditError(f"the entry {spec} returned a tensor of shape {tuple(value.shape)}; return a scalar loss")
    if not already:
        if not value.requires_grad:
            raise AuditError(
                f"the loss the entry {spec} returned does not require grad: no parameter can get a gradient"
            )
        try:
            value.backward()
        except RuntimeError as error:
            raise AuditError(f"backward() on the loss of {spec} failed: {_describe(error)}") from error
    with torch.no_grad():
        return float(value.detach().reshape(()).double())
