"""paperlink/data/torch_defaults.json is what scripts/generate_torch_defaults.py makes from the installed torch."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from tests import needs

from paperlink.data import TORCH_DEFAULTS, torch_defaults

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "generate_torch_defaults.py"


def _generator():
    spec = importlib.util.spec_from_file_location("generate_torch_defaults", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow  # torch
def test_table_matches_the_installed_torch() -> None:
    torch = needs.torch()
    generator = _generator()
    table = generator.build_table()
    if table["torch"] != torch_defaults()["torch"]:
        pytest.skip(f"the table is for torch {torch_defaults()['torch']}, this is {torch.__version__}")
    assert generator.render(table) == TORCH_DEFAULTS.read_text(encoding="utf-8")


def test_table_holds_the_defaults_the_rules_rely_on() -> None:
    apis = torch_defaults()["apis"]
    adam = {p["name"]: p.get("default") for p in apis["torch.optim.Adam"]["parameters"]}
    assert adam["eps"] == 1e-8 and adam["betas"] == [0.9, 0.999]
    assert {p["name"] for p in apis["torch.nn.utils.clip_grad_norm_"]["parameters"]} >= {"parameters", "max_norm"}
    assert "default" not in apis["torch.nn.utils.clip_grad_norm_"]["parameters"][1]  # max_norm is required
