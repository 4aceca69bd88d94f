"""Data files generated from other software, read lazily.

``torch_defaults.json``: the signatures of torch's optimizers, schedulers, losses, layers
and functions with hyperparameters, written by ``scripts/generate_torch_defaults.py``
from the installed torch. The static checker reads it and never imports torch.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

__all__ = ["TORCH_DEFAULTS", "torch_defaults"]

TORCH_DEFAULTS = Path(__file__).with_name("torch_defaults.json")


@functools.cache
def torch_defaults() -> dict[str, Any]:
    """The generated table: ``{"torch": version, "apis": {qualified name: {family, parameters}}}``."""
    return json.loads(TORCH_DEFAULTS.read_text(encoding="utf-8"))
