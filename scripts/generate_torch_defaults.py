"""Write ``paperlink/data/torch_defaults.json``: the signatures of the torch APIs that take
hyperparameters, read from the installed torch (never typed by hand).

    python scripts/generate_torch_defaults.py            # rewrite the table
    python scripts/generate_torch_defaults.py --check    # exit 1 when the table is stale

Families come from torch's own class hierarchy: every optimizer (an ``Optimizer``
subclass in ``torch.optim``), every learning-rate scheduler, every ``*Loss`` module, and
the modules and functions of ``torch.nn`` with a floating-point default (dropout rates,
norm epsilons and momenta, activation slopes), the initialisers of ``torch.nn.init``, plus
gradient clipping and ``DataLoader``.
The static checker reads the JSON lazily and never imports torch.
"""

from __future__ import annotations

import importlib
import inspect
import json
import math
import sys
from pathlib import Path

TABLE = Path(__file__).resolve().parent.parent / "paperlink" / "data" / "torch_defaults.json"
_SINGLE_APIS = {
    "torch.nn.utils.clip_grad_norm_": "clip",
    "torch.nn.utils.clip_grad_value_": "clip",
    "torch.utils.data.DataLoader": "data",
}


def _default(value: object) -> object:
    """A default as JSON: numbers, booleans, strings, None and tuples of them; else its repr."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)):
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, (tuple, list)) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
        return list(value)
    # Objects (functions, tensors) are named, never repr'd: a repr may hold a memory address.
    return {"object": getattr(value, "__qualname__", type(value).__qualname__)}


def _signature(api: object) -> list[dict[str, object]] | None:
    try:
        signature = inspect.signature(api)
    except (TypeError, ValueError):
        return None
    parameters = []
    for parameter in signature.parameters.values():
        if parameter.name == "self" or parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        entry: dict[str, object] = {"name": parameter.name}
        if parameter.kind is parameter.KEYWORD_ONLY:
            entry["keyword_only"] = True
        if parameter.default is not parameter.empty:
            entry["default"] = _default(parameter.default)
        parameters.append(entry)
    return parameters


def _has_float_default(parameters: list[dict[str, object]]) -> bool:
    return any(isinstance(p.get("default"), float) for p in parameters)


def _families(torch: object) -> dict[str, tuple[str, object]]:
    """Public qualified name -> (family, the class or function), from torch's hierarchy."""
    import torch.nn.functional as functional
    from torch.optim import lr_scheduler

    found: dict[str, tuple[str, object]] = {}
    for name in dir(torch.optim):
        api = getattr(torch.optim, name)
        if inspect.isclass(api) and issubclass(api, torch.optim.Optimizer) and api is not torch.optim.Optimizer:
            found[f"torch.optim.{name}"] = ("optimizer", api)
    schedulers = (lr_scheduler.LRScheduler, lr_scheduler.ReduceLROnPlateau)
    for name in dir(lr_scheduler):
        api = getattr(lr_scheduler, name)
        # ReduceLROnPlateau is a scheduler of its own (no LRScheduler base), not a base to leave out
        if (
            inspect.isclass(api)
            and issubclass(api, schedulers)
            and not name.startswith("_")
            and api is not schedulers[0]
        ):
            found[f"torch.optim.lr_scheduler.{name}"] = ("scheduler", api)
    for name in dir(torch.nn.init):
        api = getattr(torch.nn.init, name)
        # the in-place initialisers (`normal_`, `orthogonal_`); the old names without `_` are deprecated aliases
        if inspect.isfunction(api) and name.endswith("_") and not name.startswith("_"):
            found[f"torch.nn.init.{name}"] = ("init", api)
    for name in dir(torch.nn):
        api = getattr(torch.nn, name)
        if inspect.isclass(api) and issubclass(api, torch.nn.Module) and not name.startswith("_"):
            found[f"torch.nn.{name}"] = ("loss" if name.endswith("Loss") else "layer", api)
    for name in dir(functional):
        api = getattr(functional, name)
        if callable(api) and not inspect.isclass(api) and not name.startswith("_"):
            found[f"torch.nn.functional.{name}"] = ("functional", api)
    for qualified, family in _SINGLE_APIS.items():
        module, _, name = qualified.rpartition(".")
        found[qualified] = (family, getattr(importlib.import_module(module), name))
    return found


def build_table() -> dict[str, object]:
    """The table as it should be for the installed torch."""
    import torch

    apis: dict[str, object] = {}
    for qualified, (family, api) in sorted(_families(torch).items()):
        parameters = _signature(api)
        if parameters is None:
            continue
        if family in ("layer", "functional") and not _has_float_default(parameters):
            continue  # shapes and flags only: no hyperparameter to default
        apis[qualified] = {"family": family, "parameters": parameters}
    return {
        "generated_by": "scripts/generate_torch_defaults.py",
        "torch": torch.__version__.split("+")[0],
        "apis": apis,
    }


def render(table: dict[str, object]) -> str:
    return json.dumps(table, indent=1, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    text = render(build_table())
    if "--check" in argv:
        current = TABLE.read_text(encoding="utf-8") if TABLE.is_file() else ""
        if current != text:
            print(f"{TABLE} is stale; run scripts/generate_torch_defaults.py", file=sys.stderr)
            return 1
        return 0
    TABLE.write_text(text, encoding="utf-8")
    print(f"wrote {TABLE}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
