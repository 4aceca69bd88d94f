"""The gradient-stop model: kinds by qualified name, contexts, the cached facts and the JSON map."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from paperlink.analysis.gradients import GradientFacts, scan_gradients
from paperlink.cache import from_data, to_data
from paperlink.config import Config, PaperSource
from paperlink.engine import check
from paperlink.source.code import CodeModule, read_code
from paperlink.source.files import SourceText
from paperlink.source.parse import parse_source

FIXTURE_PAPER = Path(__file__).resolve().parent.parent / "rules" / "fixtures" / "paper.tex"
MAP_KEYS = {"span", "kind", "api", "context", "function", "documented_by", "items", "justification"}


def _scan(text: str) -> GradientFacts:
    parsed = parse_source(SourceText(Path("m.py"), "m.py", text))
    code = read_code(parsed)
    assert isinstance(code, CodeModule)
    return scan_gradients(code)


def _stops(text: str) -> list[tuple[int, str, str, str]]:
    return [(s.span.line, s.kind, s.api, s.context) for s in _scan(text).stops]


def test_grad_modes_resolve_through_aliases_and_decorators() -> None:
    text = (
        "import torch as T\n"
        "from torch import inference_mode as im, set_grad_enabled\n"
        "from torch.autograd import no_grad\n"
        "@no_grad()\n"
        "def evaluate(m, x):\n"
        "    return m(x)\n"
        "def predict(m, x):\n"
        "    with im():\n"
        "        a = m(x)\n"
        "    with set_grad_enabled(False):\n"
        "        b = m(x)\n"
        "    with set_grad_enabled(True), T.inference_mode(False):\n"
        "        c = m(x)\n"
        "    return a, b, c\n"
    )
    assert _stops(text) == [
        (4, "no_grad", "torch.autograd.no_grad", "evaluation"),
        (8, "inference_mode", "torch.inference_mode", "evaluation"),
        (10, "set_grad_enabled", "torch.set_grad_enabled", "evaluation"),
    ]


def test_a_local_name_that_looks_like_an_api_is_not_a_stop() -> None:
    assert _stops("def no_grad():\n    pass\ndef loss(x):\n    with no_grad():\n        y = x\n    return y\n") == []


def test_enable_grad_inside_no_grad_reenables_the_flow_into_the_loss() -> None:
    text = (
        "import torch\n"
        "def guided_loss(model, x):\n"
        "    with torch.no_grad():\n"
        "        stats = model.stats(x)\n"
        "        with torch.enable_grad():\n"
        "            out = model(x)\n"
        "    return out.sum()\n"
    )
    assert _stops(text) == [(3, "no_grad", "torch.no_grad", "evaluation")]


def test_methods_are_matched_on_any_receiver_and_conversions_only_on_the_way_to_a_loss() -> None:
    text = (
        "def train(model, opt, x, log):\n"
        "    target = model.target(x).detach()\n"
        "    weight = model.weight(x).item()\n"
        "    loss = (model(x) - target).pow(2).mean() * weight\n"
        "    log(loss.item(), model(x).detach())\n"
        "    loss.backward()\n"
        "    opt.step()\n"
    )
    assert _stops(text) == [
        (2, "detach", ".detach()", "training"),
        (3, "item", ".item()", "training"),
        (5, "detach", ".detach()", "evaluation"),
    ]


def test_target_updates_on_the_training_step_and_weight_init_at_setup() -> None:
    text = (
        "import torch\n"
        "def train(q, target, opt, x):\n"
        "    loss = q(x).sum()\n"
        "    loss.backward()\n"
        "    opt.step()\n"
        "    with torch.no_grad():\n"
        "        for t, p in zip(target.parameters(), q.parameters()):\n"
        "            t.data.copy_(0.99 * t.data + 0.01 * p.data)\n"
        "def init_weights(m):\n"
        "    m.weight.data.normal_(0, 0.02)\n"
    )
    assert _stops(text) == [
        (6, "no_grad", "torch.no_grad", "target_update"),
        (8, "data", ".data", "target_update"),
        (10, "data", ".data", "setup"),
    ]


def test_facts_round_trip_through_the_cache_codec() -> None:
    facts = _scan(
        "import torch\n"
        "def loss(p, z):  # paperlink: stop-grad target branch\n"
        "    return (p - z.detach()).sum()  # paperlink: stop-grad target branch\n"
    )
    assert facts.stops and facts.stops[0].justification == "target branch"
    assert from_data(GradientFacts, json.loads(json.dumps(to_data(facts)))) == facts


def _report(tmp_path: Path, text: str, select: list[str] | None):
    (tmp_path / "model.py").write_text(text, encoding="utf-8")
    config = Config(root=tmp_path, papers=(PaperSource("paper", FIXTURE_PAPER),))
    return check(config, [tmp_path], jobs=1, select=select)


SIMSIAM = (
    "import torch\n"
    "def loss(p, z):\n"
    "    return -(p * z.detach()).sum()  # paper: eq:loss\n"
    "@torch.no_grad()\n"
    "def evaluate(model, x):\n"
    "    return model(x)\n"
)


def test_the_map_has_exactly_the_documented_shape(tmp_path: Path) -> None:
    report = _report(tmp_path, SIMSIAM, ["PL2"])
    entries = report.sections["gradient_stops"]
    assert [set(entry) for entry in entries] == [MAP_KEYS, MAP_KEYS]
    assert entries[0] == {
        "span": {"path": "model.py", "line": 3, "column": 18, "end_line": 3, "end_column": 28},
        "kind": "detach",
        "api": ".detach()",
        "context": "training",
        "function": "loss",
        "documented_by": "annotation",
        "items": [{"paper": "paper", "item": "eq:loss"}],
        "justification": None,
    }
    assert (entries[1]["kind"], entries[1]["context"], entries[1]["documented_by"]) == ("no_grad", "evaluation", None)


@pytest.mark.parametrize(
    ("select", "codes"), [(None, []), (["PL2"], ["PL206"]), (["PL206"], ["PL206"]), (["PL201"], [])]
)
def test_the_listing_of_stops_outside_training_is_off_unless_selected(tmp_path: Path, select, codes) -> None:
    report = _report(tmp_path, SIMSIAM, select)
    assert [d.code for d in report.diagnostics if d.code.startswith("PL2")] == codes
