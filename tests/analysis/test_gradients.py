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


def _entries(tmp_path: Path, files: dict[str, str]) -> list[tuple[str, int, str, str, str]]:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    config = Config(root=tmp_path, papers=(PaperSource("paper", FIXTURE_PAPER),))
    report = check(config, [tmp_path], jobs=1, select=["PL2"])
    return [
        (e["span"]["path"], e["span"]["line"], e["kind"], e["api"], e["context"])
        for e in report.sections["gradient_stops"]
    ]


MOCO = (
    "import torch\n"
    "class MoCo(torch.nn.Module):\n"
    "    @torch.no_grad()\n"
    "    def _momentum_update_key_encoder(self):\n"
    "        for q, k in zip(self.encoder_q.parameters(), self.encoder_k.parameters()):\n"
    "            k.mul_(0.999).add_(q, alpha=0.001)\n"
    "    @torch.no_grad()\n"
    "    def _shuffle(self, x):\n"
    "        return x[torch.randperm(x.shape[0])]\n"
    "    def forward(self, im_q, im_k):\n"
    "        q = self.encoder_q(im_q)\n"
    "        self._momentum_update_key_encoder()\n"
    "        k = self.encoder_k(self._shuffle(im_k))\n"
    "        return (q * k).sum(1)\n"
)


def test_a_call_to_a_helper_of_the_file_is_a_stop_naming_it() -> None:
    assert _stops(MOCO) == [
        (3, "no_grad", "torch.no_grad", "target_update"),
        (7, "no_grad", "torch.no_grad", "training"),
        (12, "helper", "MoCo._momentum_update_key_encoder", "target_update"),
        (13, "helper", "MoCo._shuffle", "training"),
    ]


def test_a_function_holding_a_stop_among_other_work_is_no_helper() -> None:
    text = (
        "import torch\n"
        "class Agent:\n"
        "    def learn(self, batch):\n"
        "        with torch.no_grad():\n"
        "            target = self.target_net(batch).max(1)[0]\n"
        "        loss = (self.online_net(batch) - target).pow(2).mean()\n"
        "        loss.backward()\n"
        "        self.optimiser.step()\n"
        "    def update_target_net(self):\n"
        "        self.target_net.load_state_dict(self.online_net.state_dict())\n"
        "def main(agent, batches):\n"
        "    for batch in batches:\n"
        "        agent.learn(batch)\n"
        "        agent.update_target_net()\n"
    )
    assert _stops(text) == [(4, "no_grad", "torch.no_grad", "training")]


def test_helpers_of_other_files_through_imports_objects_star_imports_and_apply(tmp_path: Path) -> None:
    files = {
        "pkg/__init__.py": "",
        "pkg/utils.py": (
            "import torch\n"
            "def polyak_update(params, target_params, tau):\n"
            "    with torch.no_grad():\n"
            "        for p, t in zip(params, target_params):\n"
            "            t.mul_(1 - tau)\n"
            "            torch.add(t, p, alpha=tau, out=t)\n"
            "def weights_init(m):\n"
            "    m.weight.data.normal_(0.0, 0.02)\n"
        ),
        "pkg/agent.py": (
            "import torch\n"
            "class Agent:\n"
            "    @torch.no_grad()\n"
            "    def act(self, state):\n"
            "        return self.net(state).argmax(1)\n"
        ),
        "pkg/train.py": (
            "from pkg.utils import *\n"
            "from pkg.agent import Agent\n"
            "from pkg.utils import polyak_update\n"
            "def train(net, target, optimizer, env, batches, model):\n"
            "    model.apply(weights_init)\n"
            "    agent = Agent()\n"
            "    for batch in batches:\n"
            "        action = agent.act(batch)\n"
            "        env.step(action)\n"
            "        loss = net(batch).sum()\n"
            "        loss.backward()\n"
            "        optimizer.step()\n"
            "        polyak_update(net.parameters(), target.parameters(), 0.005)\n"
        ),
    }
    helpers = [e for e in _entries(tmp_path, files) if e[2] == "helper"]
    assert helpers == [
        ("pkg/train.py", 5, "helper", "pkg.utils.weights_init", "setup"),
        ("pkg/train.py", 8, "helper", "pkg.agent.Agent.act", "evaluation"),
        ("pkg/train.py", 13, "helper", "pkg.utils.polyak_update", "target_update"),
    ]


def test_contexts_of_acting_phases_and_the_code_around_a_training_loop() -> None:
    text = (
        "import torch\n"
        "def run(agent, envs, optimizer, obs, model, loader, phase, log_alpha):\n"
        "    target_entropy = -torch.prod(torch.Tensor((2,))).item()\n"
        "    alpha = log_alpha.exp().item()\n"
        "    for step in range(10):\n"
        "        with torch.no_grad():\n"
        "            action, value = agent(obs)\n"
        "        obs, reward, done, info = envs.step(action)\n"
        "        loss = (value - reward).pow(2).mean() * alpha + target_entropy * log_alpha\n"
        "        loss.backward()\n"
        "        optimizer.step()\n"
        "        alpha = log_alpha.exp().item()\n"
        "        print(loss.item())\n"
        "    with torch.set_grad_enabled(phase == 'train'):\n"
        "        out = model(obs)\n"
        "    with torch.set_grad_enabled(flag):\n"
        "        out = model(obs)\n"
        "    return out\n"
    )
    assert _stops(text) == [
        (3, "item", ".item()", "setup"),
        (4, "item", ".item()", "training"),
        (6, "no_grad", "torch.no_grad", "evaluation"),
        (12, "item", ".item()", "training"),
        (14, "set_grad_enabled", "torch.set_grad_enabled", "evaluation"),
    ]


def test_gan_idioms_variables_freezes_in_the_loop_and_what_is_not_a_stop() -> None:
    text = (
        "import torch\n"
        "from torch.autograd import Variable\n"
        "def train(G, D, opt_G, batches):\n"
        "    for imgs in batches:\n"
        "        valid = Variable(torch.ones(4, 1), requires_grad=False)\n"
        "        z = Variable(torch.randn(4, 8))\n"
        "        w = torch.zeros(3, requires_grad=True)\n"
        "        for p in D.parameters():\n"
        "            p.requires_grad = False\n"
        "        loss = (D(G(z)) - valid).pow(2).mean() + w.sum()\n"
        "        loss.backward()\n"
        "        opt_G.step()\n"
        "        print(loss.item())\n"
    )
    assert _stops(text) == [
        (5, "requires_grad", "torch.autograd.Variable", "training"),
        (9, "requires_grad", ".requires_grad = False", "training"),
    ]


def test_a_function_that_only_returns_a_stopped_value_is_a_helper_a_method_returning_one_among_others_not() -> None:
    text = (
        "import torch\n"
        "def sg(x):\n"
        "    return x.detach()\n"
        "class Agent(torch.nn.Module):\n"
        "    def get_value(self, x):\n"
        "        hidden = self.body(x)\n"
        "        return self.actor(hidden), self.critic(hidden.detach())\n"
        "    def forward(self, p, z, x):\n"
        "        logits, value = self.get_value(x)\n"
        "        return (p * sg(z)).sum() + value.sum() + logits.sum()\n"
    )
    assert [(line, kind, api) for line, kind, api, _ in _stops(text)] == [
        (3, "detach", ".detach()"),
        (7, "detach", ".detach()"),
        (10, "helper", "sg"),
    ]


def test_a_local_tensor_scaled_in_place_under_no_grad_and_then_used_is_training() -> None:
    text = (
        "import torch\n"
        "class DropBlock(torch.nn.Module):\n"
        "    def forward(self, x):\n"
        "        keep_mask = (torch.rand_like(x) > 0.1).to(x.dtype)\n"
        "        with torch.no_grad():\n"
        "            keep_mask.mul_(keep_mask.numel() / keep_mask.sum())\n"
        "        return x * keep_mask\n"
    )
    assert _stops(text) == [(5, "no_grad", "torch.no_grad", "training")]


def test_helpers_and_calls_into_other_files_round_trip_through_the_cache_codec() -> None:
    facts = _scan(
        "import torch\n"
        "from pkg.utils import polyak_update\n"
        "def toggle_grad(model, on):\n"
        "    for p in model.parameters():\n"
        "        p.requires_grad = on\n"
        "def train(q, target, opt, x):\n"
        "    toggle_grad(target, False)\n"
        "    loss = q(x).sum()\n"
        "    loss.backward()\n"
        "    opt.step()\n"
        "    polyak_update(q.parameters(), target.parameters(), 0.005)\n"
    )
    assert [h.name for h in facts.helpers] == ["toggle_grad"]
    assert [(c.span.line, c.targets) for c in facts.helper_calls] == [(11, ("pkg.utils.polyak_update",))]
    assert from_data(GradientFacts, json.loads(json.dumps(to_data(facts)))) == facts


def test_a_gan_step_freezes_and_writes_gradients_in_training_and_its_flag_site_follows_the_calls(
    tmp_path: Path,
) -> None:
    text = (
        Path(__file__).resolve().parent.parent / "rules" / "fixtures" / "PL201_undocumented_stop" / "gan_step.py"
    ).read_text()
    assert _entries(tmp_path, {"gan.py": text}) == [
        ("gan.py", 6, "requires_grad", ".requires_grad = on_or_off", "training"),
        ("gan.py", 11, "no_grad", "torch.no_grad", "training"),
        ("gan.py", 24, "set_grad_enabled", "torch.set_grad_enabled", "training"),
        ("gan.py", 31, "helper", "toggle_grad", "training"),
        ("gan.py", 37, "helper", "toggle_grad", "training"),
        ("gan.py", 42, "helper", "ortho", "training"),
    ]


def test_phase_switched_grad_stays_evaluation_in_a_function_that_steps() -> None:
    text = (
        "import torch\n"
        "def run_epoch(model, loader, opt, phase):\n"
        "    for x in loader:\n"
        "        with torch.set_grad_enabled(phase == 'train'):\n"
        "            loss = model(x).mean()\n"
        "        if phase == 'train':\n"
        "            loss.backward()\n"
        "            opt.step()\n"
    )
    assert _stops(text) == [(4, "set_grad_enabled", "torch.set_grad_enabled", "evaluation")]


def test_an_ema_class_updates_a_target_and_sampling_functions_are_evaluation_helpers(tmp_path: Path) -> None:
    text = (
        Path(__file__).resolve().parent.parent
        / "rules"
        / "fixtures"
        / "PL206_stop_outside_training"
        / "ema_and_sampling.py"
    ).read_text()
    assert _entries(tmp_path, {"train.py": text}) == [
        ("train.py", 12, "no_grad", "torch.no_grad", "setup"),
        ("train.py", 17, "no_grad", "torch.no_grad", "target_update"),
        ("train.py", 24, "no_grad", "torch.no_grad", "evaluation"),
        ("train.py", 32, "no_grad", "torch.no_grad", "evaluation"),
        ("train.py", 44, "helper", "ema.update", "target_update"),
        ("train.py", 45, "helper", "accumulate_standing_stats", "evaluation"),
        ("train.py", 46, "helper", "sample_sheet", "evaluation"),
    ]


def test_every_data_of_a_statement_updating_data_in_place_and_sizes_read_for_a_count() -> None:
    text = (
        "import torch\n"
        "def ema_update(target_dict, source_dict, decay):\n"
        "    with torch.no_grad():\n"
        "        for key in source_dict:\n"
        "            target_dict[key].data.copy_(target_dict[key].data * decay\n"
        "                                        + source_dict[key].data * (1 - decay))\n"
        "def count_parameters(module):\n"
        "    print(sum(p.data.nelement() for p in module.parameters()))\n"
        "def scale(batch):\n"
        "    return batch['x'].data\n"
    )
    assert [(line, kind, context) for line, kind, _, context in _stops(text)] == [
        (3, "no_grad", "target_update"),
        (5, "data", "target_update"),
        (6, "data", "target_update"),
        (8, "data", "evaluation"),
    ]


def test_tensorflow_and_jax_losses_and_values_made_without_gradient() -> None:
    text = (
        Path(__file__).resolve().parent.parent
        / "rules"
        / "fixtures"
        / "PL201_undocumented_stop"
        / "tf1_and_jax_losses.py"
    ).read_text()
    assert _stops(text) == [
        (6, "requires_grad", "tensorflow.get_variable", "setup"),
        (11, "stop_gradient", "tensorflow.stop_gradient", "training"),
        (18, "stop_gradient", "jax.lax.stop_gradient", "training"),
        (25, "stop_gradient", "jax.lax.stop_gradient", "evaluation"),
    ]
    factories = (
        "import torch\n"
        "def sample_1hot(batch_size, num_classes):\n"
        "    return torch.randint(0, num_classes, (batch_size,), requires_grad=False)\n"
        "def draw(G, n):\n"
        "    y = sample_1hot(n, 10)\n"
        "    z = torch.randn(n, 128, requires_grad=True)\n"
        "    return G(z, y)\n"
    )
    # a fresh tensor made without gradient is listed, but returning one makes no helper
    assert _stops(factories) == [(3, "requires_grad", "torch.randint", "evaluation")]


def test_wrappers_of_helpers_are_helpers_and_a_frozen_copy_factory_is_setup(tmp_path: Path) -> None:
    files = {
        "byol/__init__.py": "from byol.byol import BYOL\n",
        "byol/byol.py": (
            "import copy\n"
            "import torch\n"
            "def set_requires_grad(model, val):\n"
            "    for p in model.parameters():\n"
            "        p.requires_grad = val\n"
            "def update_moving_average(updater, ma_model, current_model):\n"
            "    for current, ma in zip(current_model.parameters(), ma_model.parameters()):\n"
            "        ma.data = updater(ma.data, current.data)\n"
            "class BYOL(torch.nn.Module):\n"
            "    def _get_target_encoder(self):\n"
            "        target = copy.deepcopy(self.online)\n"
            "        set_requires_grad(target, False)\n"
            "        return target\n"
            "    def update_moving_average(self):\n"
            "        assert self.target is not None, 'no target encoder yet'\n"
            "        update_moving_average(self.updater, self.target, self.online)\n"
            "    def forward(self, x):\n"
            "        target = self._get_target_encoder()\n"
            "        return (self.online(x) - target(x)).pow(2).mean()\n"
        ),
        "train.py": (
            "from byol import BYOL\n"
            "def train(net, loader, opt):\n"
            "    learner = BYOL(net)\n"
            "    for x in loader:\n"
            "        loss = learner(x)\n"
            "        loss.backward()\n"
            "        opt.step()\n"
            "        learner.update_moving_average()\n"
        ),
    }
    assert [e for e in _entries(tmp_path, files) if e[2] in ("helper", "requires_grad")] == [
        ("byol/byol.py", 5, "requires_grad", ".requires_grad = val", "setup"),
        ("byol/byol.py", 12, "helper", "set_requires_grad", "setup"),
        ("byol/byol.py", 16, "helper", "update_moving_average", "target_update"),
        ("byol/byol.py", 18, "helper", "BYOL._get_target_encoder", "setup"),
        ("train.py", 8, "helper", "byol.BYOL.update_moving_average", "target_update"),
    ]


def test_objects_built_from_a_parameter_default_class_and_helpers_of_a_module_import(tmp_path: Path) -> None:
    files = {
        "algo/core.py": (
            "import torch\n"
            "class ActorCritic(torch.nn.Module):\n"
            "    def step(self, obs):\n"
            "        with torch.no_grad():\n"
            "            a = self.pi(obs).sample()\n"
            "            return a.numpy()\n"
        ),
        "algo/ppo.py": (
            "import algo.core as core\n"
            "def ppo(env_fn, actor_critic=core.ActorCritic, steps=4000):\n"
            "    env = env_fn()\n"
            "    ac = actor_critic(env.observation_space, env.action_space)\n"
            "    o = env.reset()\n"
            "    for t in range(steps):\n"
            "        a = ac.step(o)\n"
            "        o, r, d, _ = env.step(a)\n"
        ),
        "utils.py": (
            "import torch\n"
            "def toggle_grad(model, on_or_off):\n"
            "    for param in model.parameters():\n"
            "        param.requires_grad = on_or_off\n"
        ),
        "train_fns.py": (
            "import utils\n"
            "def train(G, D, z, x):\n"
            "    utils.toggle_grad(G, False)\n"
            "    loss = D(x).mean() - D(G(z)).mean()\n"
            "    loss.backward()\n"
            "    D.optim.step()\n"
        ),
    }
    assert [e for e in _entries(tmp_path, files) if e[2] in ("helper", "requires_grad")] == [
        ("algo/ppo.py", 7, "helper", "algo.core.ActorCritic.step", "evaluation"),
        ("train_fns.py", 3, "helper", "utils.toggle_grad", "training"),
        ("utils.py", 4, "requires_grad", ".requires_grad = on_or_off", "training"),
    ]


def test_a_loss_dict_filled_by_update_carries_its_values_and_metrics_stay_evaluation() -> None:
    text = (
        "import torch\n"
        "@torch.no_grad()\n"
        "def accuracy(output, target):\n"
        "    return (output.argmax(-1) == target).float().mean() * 100\n"
        "class SetCriterion(torch.nn.Module):\n"
        "    def forward(self, outputs, targets, num_boxes, meter):\n"
        "        num_boxes = torch.clamp(num_boxes, min=1).item()\n"
        "        losses = {}\n"
        "        losses.update(self.get_loss(outputs, targets, num_boxes))\n"
        "        losses['class_error'] = 100 - accuracy(outputs, targets)\n"
        "        meter.update(loss=outputs.sum().item())\n"
        "        return losses\n"
    )
    assert _stops(text) == [
        (2, "no_grad", "torch.no_grad", "evaluation"),
        (7, "item", ".item()", "training"),
        (10, "helper", "accuracy", "evaluation"),
    ]


def test_noise_drawn_for_a_model_is_sampling_and_an_in_place_initialiser_is_setup() -> None:
    text = (
        "import torch\n"
        "def accumulate_standing_stats(net, z, n):\n"
        "    for _ in range(n):\n"
        "        with torch.no_grad():\n"
        "            z.normal_()\n"
        "            net(z)\n"
        "def variance_scaling(tensor, std):\n"
        "    with torch.no_grad():\n"
        "        tensor.normal_(std=std)\n"
        "def trunc_normal_(tensor, std):\n"
        "    with torch.no_grad():\n"
        "        return tensor.normal_(std=std).clamp_(-2 * std, 2 * std)\n"
    )
    assert [(line, context) for line, _, _, context in _stops(text)] == [
        (4, "evaluation"),
        (8, "setup"),
        (11, "setup"),
    ]


def test_an_optimizer_step_updates_outside_the_loss_graph_and_builds_its_state_on_first_use(tmp_path: Path) -> None:
    text = (
        "import math\n"
        "import torch\n"
        "class Adam16(torch.optim.Optimizer):\n"
        "    def step(self, closure=None):\n"
        "        k = self.state['k'].item()\n"
        "        n = self.state['n'].item()\n"
        "        print(n)\n"
        "        for group in self.param_groups:\n"
        "            lamb = group['lr'] * math.pow(k + 1, 0.5)\n"
        "            for p in group['params']:\n"
        "                state = self.state[p]\n"
        "                if len(state) == 0:\n"
        "                    state['exp_avg'] = torch.zeros_like(p.data).detach()\n"
        "                if 'x0' not in state:\n"
        "                    state['x0'] = torch.clone(p.data)\n"
        "                buf = torch.clone(p.grad).detach()\n"
        "                p.add_(buf, alpha=-lamb)\n"
        "def clip(parameters, c):\n"
        "    for p in parameters:\n"
        "        p.grad.detach().clamp_(-c, c)\n"
    )
    assert [e[1:] for e in _entries(tmp_path, {"optim.py": text})] == [
        (5, "item", ".item()", "target_update"),  # the step count scales the update; `n` is only printed
        (13, "data", ".data", "setup"),
        (15, "data", ".data", "setup"),
        (16, "detach", ".detach()", "target_update"),
        (20, "detach", ".detach()", "training"),
    ]
    config = Config(root=tmp_path, papers=(PaperSource("paper", FIXTURE_PAPER),))
    report = check(config, [tmp_path], jobs=1, select=["PL201"])
    assert [d.code for d in report.diagnostics] == []


def test_an_averaging_helper_called_on_the_training_step_updates_a_target_and_a_clip_helper_trains(
    tmp_path: Path,
) -> None:
    files = {
        "utils.py": (
            "import torch\n"
            "def accumulate(model1, model2, decay=0.999):\n"
            "    par1 = dict(model1.named_parameters())\n"
            "    par2 = dict(model2.named_parameters())\n"
            "    for k in par1.keys():\n"
            "        par1[k].data.mul_(decay).add_(par2[k].data, alpha=1 - decay)\n"
            "def clip_gradients(model, clip):\n"
            "    norms = []\n"
            "    for p in model.parameters():\n"
            "        norms.append(p.grad.data.norm(2).item())\n"
            "        p.grad.data.mul_(clip)\n"
            "    return norms\n"
            "class EMA:\n"
            "    def update(self, model):\n"
            "        with torch.no_grad():\n"
            "            for e, p in zip(self.ema.parameters(), model.parameters()):\n"
            "                e.copy_(e * 0.99 + p * 0.01)\n"
        ),
        "train.py": (
            "from utils import EMA, accumulate, clip_gradients\n"
            "\n"
            "\n"
            "\n"
            "def train(generator, g_ema, loader, opt):\n"
            "    ema = EMA(g_ema) if opt else None\n"
            "    accumulate(g_ema, generator, 0)\n"
            "    for x in loader:\n"
            "        loss = generator(x).mean()\n"
            "        loss.backward()\n"
            "        clip_gradients(generator, 3.0)\n"
            "        opt.step()\n"
            "        accumulate(g_ema, generator)\n"
            "        ema.update(generator)\n"
        ),
    }
    assert _entries(tmp_path, files) == [
        ("train.py", 7, "helper", "utils.accumulate", "setup"),
        ("train.py", 11, "helper", "utils.clip_gradients", "training"),
        ("train.py", 13, "helper", "utils.accumulate", "target_update"),
        ("train.py", 14, "helper", "utils.EMA.update", "target_update"),
        ("utils.py", 6, "data", ".data", "target_update"),
        ("utils.py", 10, "data", ".data", "training"),
        ("utils.py", 11, "data", ".data", "training"),
        ("utils.py", 15, "no_grad", "torch.no_grad", "target_update"),
    ]


def test_a_running_statistic_updated_without_gradients_from_the_loss_and_a_keras_freeze() -> None:
    text = (
        "import torch\n"
        "class DINOLoss(torch.nn.Module):\n"
        "    def forward(self, student, teacher):\n"
        "        loss = -(teacher.softmax(-1) * student.log_softmax(-1)).sum(-1).mean()\n"
        "        self.update_center(teacher)\n"
        "        return loss\n"
        "    @torch.no_grad()\n"
        "    def update_center(self, teacher):\n"
        "        self.center = self.center * 0.9 + teacher.mean(0) * 0.1\n"
        "def build(base_model, head):\n"
        "    base_model.trainable = False\n"
        "    return head(base_model)\n"
    )
    assert _stops(text) == [
        (5, "helper", "DINOLoss.update_center", "target_update"),
        (7, "no_grad", "torch.no_grad", "target_update"),
        (11, "requires_grad", ".trainable = False", "setup"),
    ]


def test_a_no_grad_sampler_whose_result_is_trained_on_stays_training_and_main_is_no_helper() -> None:
    text = (
        "import torch\n"
        "@torch.no_grad()\n"
        "def sample_negatives(bank, n):\n"
        "    return bank[torch.randint(0, len(bank), (n,))]\n"
        "def contrastive_loss(q, bank):\n"
        "    negatives = sample_negatives(bank, 128)\n"
        "    return -(q @ negatives.T).logsumexp(-1).mean()\n"
        "def main(model, loader):\n"
        "    with torch.no_grad():\n"
        "        outputs = [model(x) for x in loader]\n"
        "    print(len(outputs))\n"
        "if __name__ == '__main__':\n"
        "    main(None, [])\n"
    )
    assert _stops(text) == [
        (2, "no_grad", "torch.no_grad", "training"),
        (6, "helper", "sample_negatives", "training"),
        (9, "no_grad", "torch.no_grad", "evaluation"),
    ]


def test_a_keras_call_and_a_flax_call_are_forwards_and_a_tape_gradient_trains() -> None:
    text = (
        "import flax.linen as nn\n"
        "import jax\n"
        "import tensorflow as tf\n"
        "class LinearEval(tf.keras.Model):\n"
        "    def call(self, x):\n"
        "        return self.head(tf.stop_gradient(self.encoder(x)))\n"
        "class Head(nn.Module):\n"
        "    def __call__(self, x):\n"
        "        return nn.Dense(10)(jax.lax.stop_gradient(x))\n"
        "class Plain:\n"
        "    def call(self, x):\n"
        "        return tf.stop_gradient(x)\n"
        "def step(model, optimizer, x, y):\n"
        "    with tf.GradientTape() as tape:\n"
        "        loss = tf.reduce_mean(tf.square(model(x) - tf.stop_gradient(y)))\n"
        "    grads = tape.gradient(loss, model.trainable_variables)\n"
        "    optimizer.apply_gradients(zip(grads, model.trainable_variables))\n"
        "def evaluate(x):\n"
        "    return tf.stop_gradient(x)\n"
    )
    assert [(line, context) for line, _, _, context in _stops(text)] == [
        (6, "training"),
        (9, "training"),
        # no forward; but JAX and TensorFlow keep no graph unless a gradient is taken: a stop_gradient in
        # code off every known path is there for a differentiated loss (EasyLM's blockwise attention)
        (12, "training"),
        (15, "training"),
        (19, "evaluation"),  # named for evaluation
    ]


def test_a_loss_shared_by_both_phases_keeps_the_phase_reading_of_set_grad_enabled() -> None:
    text = (
        "import torch\n"
        "def compute_loss(model, x, y, is_train):\n"
        "    with torch.set_grad_enabled(is_train):\n"
        "        out = model(x)\n"
        "    return torch.nn.functional.cross_entropy(out, y)\n"
    )
    assert _stops(text) == [(3, "set_grad_enabled", "torch.set_grad_enabled", "evaluation")]


def test_an_ema_class_swapping_its_weights_in_for_evaluation_is_no_target_update() -> None:
    text = (
        "import torch\n"
        "class LitEma(torch.nn.Module):\n"
        "    @torch.no_grad()\n"
        "    def store(self, parameters):\n"
        "        self.collected = [p.clone() for p in parameters]\n"
        "    @torch.no_grad()\n"
        "    def update(self, model):\n"
        "        for s, p in zip(self.shadow, model.parameters()):\n"
        "            s.sub_((1 - self.decay) * (s - p))\n"
    )
    assert _stops(text) == [
        (3, "no_grad", "torch.no_grad", "evaluation"),
        (6, "no_grad", "torch.no_grad", "target_update"),
    ]


def test_a_call_to_a_target_update_method_holding_a_stop_among_other_work_is_a_target_update() -> None:
    text = (
        "import torch\n"
        "class ModelEMA:\n"
        "    def update(self, model):\n"
        "        self.updates += 1\n"
        "        d = self.decay(self.updates)\n"
        "        msd = model.state_dict()\n"
        "        for k, v in self.ema.state_dict().items():\n"
        "            v *= d\n"
        "            v += (1 - d) * msd[k].detach()\n"
        "def train(model, loader, optimizer):\n"
        "    ema = ModelEMA()\n"
        "    for x in loader:\n"
        "        model(x).mean().backward()\n"
        "        optimizer.step()\n"
        "        ema.update(model)\n"
        "def log(record, **kwargs):\n"
        "    record.update(kwargs)\n"
    )
    # `record.update(kwargs)` is a dict's update, though one class of the file defines an `update`
    assert _stops(text) == [
        (9, "detach", ".detach()", "target_update"),
        (15, "helper", "ModelEMA.update", "target_update"),
    ]


SMART_MODE = (
    "import torch\n"
    "def smart_inference_mode(torch_1_9=True):\n"
    "    def decorate(fn):\n"
    "        return (torch.inference_mode if torch_1_9 else torch.no_grad)()(fn)\n"
    "    return decorate\n"
)


def test_a_project_decorator_applying_a_grad_mode_is_a_stop_in_its_file_and_in_others(tmp_path: Path) -> None:
    files = {
        "utils/__init__.py": "",
        "utils/torch_utils.py": SMART_MODE + ("@smart_inference_mode()\ndef profile(model, x):\n    return model(x)\n"),
        "val.py": (
            "from utils.torch_utils import smart_inference_mode\n"
            "import functools\n"
            "@smart_inference_mode()\n"
            "def run(model, loader):\n"
            "    return [model(x) for x in loader]\n"
            "@functools.lru_cache()\n"
            "def names(model):\n"
            "    return model.names\n"
        ),
        "train.py": (
            "import val as validate\n"
            "def train(model, loader, opt):\n"
            "    for x in loader:\n"
            "        model(x).mean().backward()\n"
            "        opt.step()\n"
            "    results = validate.run(model, loader)\n"
        ),
    }
    assert _entries(tmp_path, files) == [
        ("train.py", 6, "helper", "val.run", "evaluation"),
        ("utils/torch_utils.py", 6, "inference_mode", "smart_inference_mode()", "evaluation"),
        ("val.py", 3, "inference_mode", "utils.torch_utils.smart_inference_mode", "evaluation"),
    ]


def test_grad_decorators_and_their_uses_elsewhere_round_trip_through_the_cache_codec() -> None:
    facts = _scan(
        SMART_MODE
        + "from utils.torch_utils import smart_inference_mode as sim\n@sim()\ndef run(model, x):\n    return model(x)\n"
    )
    assert [(d.name, d.kind) for d in facts.grad_decorators] == [("smart_inference_mode", "inference_mode")]
    assert [(s.span.line, s.api) for s in facts.decorated_elsewhere] == [(7, "utils.torch_utils.smart_inference_mode")]
    assert from_data(GradientFacts, json.loads(json.dumps(to_data(facts)))) == facts


def test_the_call_of_a_loss_class_is_a_loss_and_what_it_returns_beside_the_loss_is_monitoring() -> None:
    fixture = Path(__file__).resolve().parent.parent / "rules" / "fixtures" / "PL201_undocumented_stop"
    stops = _stops((fixture / "loss_class_call.py").read_text(encoding="utf-8"))
    assert [s for s in stops if s[0] < 30] == [
        (22, "detach", ".detach()", "training"),
        (26, "detach", ".detach()", "training"),
        (26, "item", ".item()", "training"),
        (27, "detach", ".detach()", "evaluation"),
    ]
    assert [s for s in stops if s[0] >= 30] == [(32, "detach", ".detach()", "evaluation")]  # a `LossLogger`


def test_configuration_data_is_no_tensor_and_tensorflow_compat_names_are_tensorflow_s() -> None:
    text = (
        "import tensorflow.compat.v1 as tf\n"
        "def main(opt, config):\n"
        "    opt.data = check_file(opt.data)\n"
        "    config.evals.v2.data.split = 'test'\n"
        "    eps = tf.get_variable('eps', (), trainable=False)\n"
        "    return tf.stop_gradient(opt.w.data)\n"
    )
    assert _stops(text) == [
        (5, "requires_grad", "tensorflow.get_variable", "setup"),
        (6, "stop_gradient", "tensorflow.stop_gradient", "training"),  # off every known path: for a gradient
    ]


def test_a_project_optimizer_s_step_is_the_update_rule_not_a_helper_to_call(tmp_path: Path) -> None:
    files = {
        "utils.py": (
            "import torch\n"
            "class LARS(torch.optim.Optimizer):\n"
            "    @torch.no_grad()\n"
            "    def step(self):\n"
            "        for g in self.param_groups:\n"
            "            for p in g['params']:\n"
            "                p.add_(p.grad, alpha=-g['lr'])\n"
        ),
        "train.py": (
            "import utils\n"
            "def train(model, loader):\n"
            "    optimizer = utils.LARS(model.parameters(), {})\n"
            "    for x in loader:\n"
            "        model(x).mean().backward()\n"
            "        optimizer.step()\n"
        ),
    }
    assert _entries(tmp_path, files) == [("utils.py", 3, "no_grad", "torch.no_grad", "target_update")]


def test_constructors_freezing_what_they_are_given_state_updates_initialisers_and_running_means(
    tmp_path: Path,
) -> None:
    folder = Path(__file__).resolve().parent.parent / "rules" / "fixtures" / "PL206_stop_outside_training"
    files = {p.name: p.read_text(encoding="utf-8") for p in (folder / "project_helpers").glob("*.py")}
    assert _entries(tmp_path, files) == [
        ("augment.py", 12, "no_grad", "torch.no_grad", "evaluation"),
        ("augment.py", 25, "no_grad", "torch.no_grad", "evaluation"),
        ("torch_utils.py", 14, "requires_grad", ".requires_grad_(False)", "setup"),
        ("torch_utils.py", 22, "requires_grad", ".requires_grad = False", "setup"),
        ("torch_utils.py", 34, "no_grad", "torch.no_grad", "setup"),
        ("torch_utils.py", 42, "helper", "_no_grad_trunc_normal_", "setup"),
        ("train.py", 12, "detach", ".detach()", "target_update"),
        ("train.py", 16, "helper", "torch_utils.trunc_normal_", "setup"),
        ("train.py", 17, "helper", "torch_utils.ModelEMA.__init__", "setup"),
        # `Agent(args, generator)` freezes a network it builds itself: no stop at the construction
        ("train.py", 24, "helper", "augment.AdaptiveAugment.tune", "target_update"),
        # `meter.update(...)` is a metric's: kept, never trained on
        ("train.py", 28, "helper", "augment.AccuracyMeter.update", "evaluation"),
    ]


def test_a_function_named_for_losses_whose_work_is_one_no_grad_block_is_no_loss_by_its_name() -> None:
    fixture = Path(__file__).resolve().parent.parent / "rules" / "fixtures" / "PL201_undocumented_stop"
    assert _stops((fixture / "no_grad_block_named_loss.py").read_text(encoding="utf-8")) == [
        (12, "no_grad", "torch.no_grad", "evaluation"),
        (20, "no_grad", "torch.no_grad", "training"),
        (31, "helper", "reduce_loss_dict", "evaluation"),
        (31, "detach", ".detach()", "evaluation"),
    ]


def test_a_called_model_carries_no_loss_flow_from_what_built_it() -> None:
    text = (
        "import torch\n"
        "def train(loader, optimizer, ckpt):\n"
        "    config = ckpt['config'].detach()\n"
        "    model = Net(config)\n"
        "    raw = model.module\n"
        "    for x, y in loader:\n"
        "        model(x, y)\n"
        "        loss = raw.last_loss\n"
        "        loss.backward()\n"
        "        optimizer.step()\n"
    )
    assert _stops(text) == [(3, "detach", ".detach()", "evaluation")]


def test_a_state_writing_method_called_to_act_stays_acting(tmp_path: Path) -> None:
    files = {
        "agent.py": (
            "import torch\n"
            "class Agent:\n"
            "    @torch.no_grad()\n"
            "    def select_action(self, obs):\n"
            "        self.epsilon = max(0.01, self.epsilon * 0.995)\n"
            "        return self.q(obs).argmax(1)\n"
        ),
        "train.py": (
            "from agent import Agent\n"
            "def train(env, q, optimizer, batches):\n"
            "    agent = Agent()\n"
            "    obs = env.reset()\n"
            "    for batch in batches:\n"
            "        action = agent.select_action(obs)\n"
            "        obs, reward, done, info = env.step(action)\n"
            "        q(batch).mean().backward()\n"
            "        optimizer.step()\n"
        ),
    }
    assert [e for e in _entries(tmp_path, files) if e[2] == "helper"] == [
        ("train.py", 6, "helper", "agent.Agent.select_action", "evaluation")
    ]


def test_a_decorated_matcher_assigns_targets_for_the_loss_and_a_post_processor_evaluates() -> None:
    fixture = Path(__file__).resolve().parent.parent / "rules" / "fixtures" / "PL201_undocumented_stop"
    assert _stops((fixture / "target_assignment.py").read_text(encoding="utf-8")) == [
        (9, "no_grad", "torch.no_grad", "training"),
        (16, "no_grad", "torch.no_grad", "evaluation"),
    ]


def test_initialisers_through_detach_and_wrappers_looping_over_a_helper_are_helpers() -> None:
    fixture = Path(__file__).resolve().parent.parent / "rules" / "fixtures" / "PL206_stop_outside_training"
    assert _stops((fixture / "detach_updates.py").read_text(encoding="utf-8")) == [
        (10, "detach", ".detach()", "setup"),
        (16, "detach", ".detach()", "target_update"),
        (22, "helper", "zero_module", "setup"),  # `self.out = zero_module(nn.Conv2d(...))`
        (35, "helper", "TrainLoop._update_ema", "target_update"),  # a loop over the EMA rates
        (39, "helper", "update_ema", "target_update"),
    ]


def test_a_function_made_only_of_guarded_returns_of_a_stopped_chain_is_a_helper() -> None:
    fixture = Path(__file__).resolve().parent.parent / "rules" / "fixtures" / "PL206_stop_outside_training"
    facts = _scan((fixture / "conversion_helpers.py").read_text(encoding="utf-8"))
    assert sorted(h.name for h in facts.helpers) == ["sg", "to_np"]
    assert [(s.span.line, s.kind, s.api, s.context) for s in facts.stops if s.kind == "helper"] == [
        (26, "helper", "to_np", "evaluation")  # the action sent to the environment
    ]


def test_the_update_rule_fp16_gradient_writes_and_weight_copies_on_the_step(tmp_path: Path) -> None:
    fixture = Path(__file__).resolve().parent.parent / "rules" / "fixtures" / "PL206_stop_outside_training"
    files = {"update_rule.py": (fixture / "update_rule.py").read_text(encoding="utf-8")}
    assert [e[1:] for e in _entries(tmp_path, files)] == [
        (12, "item", ".item()", "target_update"),  # the step count scales the update
        (18, "data", ".data", "setup"),  # the optimizer's state, built on first use
        (20, "data", ".data", "target_update"),
        (27, "detach_", ".detach_()", "training"),
        (32, "data", ".data", "training"),
        (32, "detach", ".detach()", "training"),
        (38, "detach", ".detach()", "setup"),
        (43, "detach", ".detach()", "target_update"),
        (49, "helper", "zero_grad", "training"),  # before the micro-batches, still the step's
        (52, "helper", "model_grads_to_master_grads", "training"),
        (54, "helper", "master_params_to_model_params", "training"),  # the trained weights written back
        (55, "helper", "accumulate", "target_update"),  # an average named as one
    ]


def test_an_object_named_as_a_class_of_an_imported_module_and_state_updated_from_the_losses(tmp_path: Path) -> None:
    folder = Path(__file__).resolve().parent.parent / "rules" / "fixtures" / "PL206_stop_outside_training"
    files = {p.name: p.read_text(encoding="utf-8") for p in (folder / "state_updates").glob("*.py")}
    assert _entries(tmp_path, files) == [
        ("train.py", 9, "detach", ".detach()", "target_update"),  # the sampler's loss history
        ("train.py", 10, "detach", ".detach()", "evaluation"),  # a meter's
        ("train.py", 14, "helper", "utils.ema.update", "target_update"),  # `ema` passed in, `class ema` in utils
        ("utils.py", 10, "no_grad", "torch.no_grad", "target_update"),
    ]


def test_volatile_variables_and_a_grad_switch_written_as_a_statement_are_stops() -> None:
    fixture = Path(__file__).resolve().parent.parent / "rules" / "fixtures" / "PL201_undocumented_stop"
    assert _stops((fixture / "legacy_grad_switches.py").read_text(encoding="utf-8")) == [
        (11, "no_grad", "torch.autograd.Variable", "training"),  # the critic's step
        (17, "no_grad", "torch.autograd.Variable", "evaluation"),  # after the loop: an image sheet
        (22, "set_grad_enabled", "torch.set_grad_enabled", "evaluation"),  # the rest of `main`
    ]


def test_a_parameter_made_with_a_requires_grad_flag_is_a_freeze_in_one_configuration() -> None:
    fixture = Path(__file__).resolve().parent.parent / "rules" / "fixtures" / "PL204_undocumented_freeze"
    assert _stops((fixture / "configurable_parameter.py").read_text(encoding="utf-8")) == [
        (10, "requires_grad", "torch.nn.Parameter", "setup"),  # requires_grad=not is_random
        (11, "requires_grad", "torch.nn.Parameter", "setup"),  # requires_grad=learnable; True is no stop
    ]


def test_a_bootstrap_value_handed_to_the_rollout_is_training_and_acting_stays_acting() -> None:
    fixture = Path(__file__).resolve().parent.parent / "rules" / "fixtures" / "PL201_undocumented_stop"
    assert _stops((fixture / "rollout_bootstrap.py").read_text(encoding="utf-8")) == [
        (19, "no_grad", "torch.no_grad", "evaluation"),  # acting, though stored in the rollout
        (23, "no_grad", "torch.no_grad", "training"),  # rollouts.compute_returns(next_value, ...)
        (26, "no_grad", "torch.no_grad", "evaluation"),  # for the log
    ]


def test_a_returned_chain_may_end_in_an_index() -> None:
    text = "def first_np(t):\n    return t.detach().cpu().numpy()[0]\ndef act(actor, obs):\n    return first_np(actor(obs))\n"
    assert [(h.name, h.context) for h in _scan(text).helpers] == [("first_np", "evaluation"), ("act", "evaluation")]


def test_an_ema_helper_called_before_the_loop_copies_and_on_the_step_averages() -> None:
    fixture = Path(__file__).resolve().parent.parent / "rules" / "fixtures" / "PL206_stop_outside_training"
    assert _stops((fixture / "ema_first_copy.py").read_text(encoding="utf-8")) == [
        (8, "no_grad", "torch.no_grad", "target_update"),
        (12, "data", ".data", "target_update"),
        (22, "helper", "requires_grad", "setup"),
        (23, "helper", "update_ema", "setup"),  # update_ema(ema, model, decay=0): the first copy
        (26, "no_grad", "torch.no_grad", "training"),
        (32, "helper", "update_ema", "target_update"),
    ]


def test_a_base_class_method_labelling_proposals_assigns_targets_for_the_subclass_loss() -> None:
    fixture = Path(__file__).resolve().parent.parent / "rules" / "fixtures" / "PL201_undocumented_stop"
    assert _stops((fixture / "inherited_labelling.py").read_text(encoding="utf-8")) == [
        (8, "no_grad", "torch.no_grad", "training"),
        (13, "no_grad", "torch.no_grad", "evaluation"),  # plot_labels
        (21, "helper", "ROIHeads.label_and_sample_proposals", "training"),  # self.<method of the base class>
    ]


def test_a_stop_function_handed_to_a_tree_map_or_aliased_is_a_stop() -> None:
    fixture = Path(__file__).resolve().parent.parent / "rules" / "fixtures" / "PL201_undocumented_stop"
    assert _stops((fixture / "stop_function_passed.py").read_text(encoding="utf-8")) == [
        (12, "stop_gradient", "jax.lax.stop_gradient", "training"),
        (15, "stop_gradient", "jax.lax.stop_gradient", "training"),  # SG(...)
        (20, "stop_gradient", "tensorflow.stop_gradient", "training"),
    ]


def test_a_name_bound_again_before_the_loss_reads_it_carries_no_stop_into_the_loss() -> None:
    fixture = Path(__file__).resolve().parent.parent / "rules" / "fixtures" / "PL201_undocumented_stop"
    assert _stops((fixture / "reused_name_sample_sheet.py").read_text(encoding="utf-8")) == [
        (14, "data", ".data", "training"),  # weight clipping: the critic's own weights projected
        (16, "no_grad", "torch.autograd.Variable", "training"),  # the critic's fakes
        (17, "data", ".data", "training"),
        (28, "no_grad", "torch.autograd.Variable", "evaluation"),  # `fake` bound again before the critic reads it
        (29, "data", ".data", "evaluation"),  # `.data` of a model's output, not weights
        (30, "data", ".data", "evaluation"),
    ]


def test_a_value_carried_to_the_next_iteration_still_reaches_the_loss() -> None:
    text = (
        "import torch\n"
        "def train(model, opt, loader):\n"
        "    prev = None\n"
        "    for x in loader:\n"
        "        if prev is not None:\n"
        "            loss = (model(x) - prev).pow(2).mean()\n"
        "            loss.backward()\n"
        "            opt.step()\n"
        "        with torch.no_grad():\n"
        "            prev = model(x)\n"
        "        shown = model(x).detach()\n"
        "        shown = None\n"
        "        print(shown)\n"
    )
    assert _stops(text) == [(9, "no_grad", "torch.no_grad", "training"), (11, "detach", ".detach()", "evaluation")]


def test_a_new_leaf_for_a_penalty_is_training_and_for_guidance_setup() -> None:
    fixture = Path(__file__).resolve().parent.parent / "rules" / "fixtures" / "PL201_undocumented_stop"
    assert _stops((fixture / "r1_input_leaf.py").read_text(encoding="utf-8")) == [
        (9, "detach", ".detach()", "training"),  # R1's input in D's step
        (19, "detach", ".detach()", "setup"),  # a sampler's guidance
    ]


def test_rollout_returns_computed_for_an_update_in_another_file_are_training() -> None:
    fixture = Path(__file__).resolve().parent.parent / "rules" / "fixtures" / "PL201_undocumented_stop"
    assert _stops((fixture / "rollout_returns_elsewhere.py").read_text(encoding="utf-8")) == [
        (12, "no_grad", "torch.no_grad", "evaluation"),  # acting
        (16, "no_grad", "torch.no_grad", "training"),  # the bootstrap value of `rollouts.compute_returns`
        (17, "detach", ".detach()", "training"),
        (19, "detach", ".detach()", "training"),  # GAIL's rewards written into the rollout
    ]


def test_a_frozen_copy_is_a_snapshot_a_target_or_set_up_by_where_it_is_made() -> None:
    text = (
        "import copy\n"
        "def train(G, D, q, opt, loader, snapshots):\n"
        "    G_ema = copy.deepcopy(G).eval().requires_grad_(False)\n"
        "    for step, x in enumerate(loader):\n"
        "        D(G(x)).mean().backward()\n"
        "        opt.step()\n"
        "        if step % 1000 == 0:\n"
        "            snapshots.append(copy.deepcopy(G).eval().requires_grad_(False).cpu())\n"
        "            q_target = copy.deepcopy(q).requires_grad_(False)\n"
        "        G.requires_grad_(False)\n"
    )
    assert _stops(text) == [
        (3, "requires_grad", ".requires_grad_(False)", "setup"),  # an average built before the loop
        (8, "requires_grad", ".requires_grad_(False)", "evaluation"),  # a snapshot to save
        (9, "requires_grad", ".requires_grad_(False)", "target_update"),  # a target network replaced
        (10, "requires_grad", ".requires_grad_(False)", "training"),  # the trained module itself
    ]


def test_a_target_update_helper_only_called_to_build_the_target_copies_at_set_up(tmp_path: Path) -> None:
    files = {
        "utils.py": (
            "def soft_update(target, source, tau):\n"
            "    for t, s in zip(target.parameters(), source.parameters()):\n"
            "        t.data.copy_(t.data * (1.0 - tau) + s.data * tau)\n"
            "def hard_update(target, source):\n"
            "    for t, s in zip(target.parameters(), source.parameters()):\n"
            "        t.data.copy_(s.data)\n"
        ),
        "sac.py": (
            "from utils import soft_update, hard_update\n"
            "class SAC:\n"
            "    def __init__(self, critic, critic_target, optim):\n"
            "        self.critic, self.critic_target, self.optim = critic, critic_target, optim\n"
            "        hard_update(self.critic_target, self.critic)\n"
            "    def update_parameters(self, batch):\n"
            "        loss = self.critic(batch).mean()\n"
            "        loss.backward()\n"
            "        self.optim.step()\n"
            "        soft_update(self.critic_target, self.critic, 0.005)\n"
        ),
    }
    assert _entries(tmp_path, files) == [
        ("sac.py", 5, "helper", "utils.hard_update", "setup"),
        ("sac.py", 10, "helper", "utils.soft_update", "target_update"),
        ("utils.py", 3, "data", ".data", "target_update"),
        ("utils.py", 6, "data", ".data", "setup"),  # every call builds the target: a copy at set-up
    ]


def test_an_optimizers_non_trainable_slot_variables_are_its_state_not_stops() -> None:
    text = (
        "import tensorflow as tf\n"
        "class AdamWeightDecayOptimizer(tf.train.Optimizer):\n"
        "    def apply_gradients(self, grads_and_vars, global_step=None, name=None):\n"
        "        for grad, param in grads_and_vars:\n"
        "            m = tf.get_variable(name=param.name + '/adam_m', shape=param.shape, trainable=False)\n"
        "            m.assign(0.9 * m + 0.1 * grad)\n"
        "def build(x):\n"
        "    eps = tf.get_variable('eps', (), trainable=False)\n"
        "    return x + eps\n"
    )
    assert _stops(text) == [(8, "requires_grad", "tensorflow.get_variable", "setup")]


GRAD_SWITCH = (
    "import contextlib\n"
    "import torch\n"
    "weight_gradients_disabled = False\n"
    "@contextlib.contextmanager\n"
    "def no_weight_gradients():\n"
    "    global weight_gradients_disabled\n"
    "    old = weight_gradients_disabled\n"
    "    weight_gradients_disabled = True\n"
    "    yield\n"
    "    weight_gradients_disabled = old\n"
    "@contextlib.contextmanager\n"
    "def verbose():\n"
    "    global chatty\n"
    "    chatty = True\n"
    "    yield\n"
    "class Conv2d(torch.autograd.Function):\n"
    "    @staticmethod\n"
    "    def backward(ctx, grad_output):\n"
    "        grad_weight = None\n"
    "        if ctx.needs_input_grad[1] and not weight_gradients_disabled:\n"
    "            grad_weight = grad_output.sum()\n"
    "        return grad_output, grad_weight\n"
)


def test_a_context_manager_switching_a_custom_backward_off_is_a_helper(tmp_path: Path) -> None:
    files = {
        "op/conv2d_gradfix.py": GRAD_SWITCH,
        "op/__init__.py": "",
        "train.py": (
            "from torch import autograd\n"
            "from op import conv2d_gradfix\n"
            "def d_r1_loss(real_pred, real_img):\n"
            "    with conv2d_gradfix.no_weight_gradients():\n"
            "        grad_real, = autograd.grad(outputs=real_pred.sum(), inputs=real_img, create_graph=True)\n"
            "    return grad_real.pow(2).sum()\n"
            "def sample(G, z):\n"
            "    with conv2d_gradfix.verbose():\n"
            "        return G(z)\n"
        ),
    }
    assert [(h.name, h.context) for h in _scan(GRAD_SWITCH).helpers] == [("no_weight_gradients", "training")]
    # `verbose` sets a flag no backward reads: no switch
    assert _entries(tmp_path, files) == [
        ("train.py", 4, "helper", "op.conv2d_gradfix.no_weight_gradients", "training"),  # R1's gradient
    ]


def test_a_context_manager_without_a_yield_at_its_top_level_is_no_switch() -> None:
    text = (
        GRAD_SWITCH
        + "@contextlib.contextmanager\ndef guarded():\n    try:\n        yield\n    finally:\n        pass\n"
    )
    assert [h.name for h in _scan(text).helpers] == ["no_weight_gradients"]


def test_a_stopped_value_handed_to_a_training_function_of_the_file_is_training() -> None:
    fixture = Path(__file__).resolve().parent.parent / "rules" / "fixtures" / "PL201_undocumented_stop"
    assert _stops((fixture / "detached_encoder_argument.py").read_text(encoding="utf-8")) == [
        (10, "no_grad", "torch.no_grad", "training"),
        (26, "no_grad", "torch.no_grad", "training"),  # `next_obs` for the critic's target
        (29, "detach", ".detach()", "training"),  # the encoder detached from the actor's loss
        (30, "detach", ".detach()", "evaluation"),  # for the log
    ]


def test_weights_rewritten_from_themselves_are_a_projection_and_a_read_feeding_a_copy_is_the_copy() -> None:
    fixture = Path(__file__).resolve().parent.parent / "rules" / "fixtures" / "PL206_stop_outside_training"
    assert _stops((fixture / "prototype_projection.py").read_text(encoding="utf-8")) == [
        (12, "no_grad", "torch.no_grad", "training"),  # the centroids renormalised in place
        (13, "data", ".data", "training"),  # read for that projection
        (19, "no_grad", "torch.no_grad", "target_update"),  # online weights copied into the target
        (20, "data", ".data", "target_update"),  # read for that copy
    ]


def test_a_function_whose_result_is_handed_to_a_training_function_is_on_the_training_path() -> None:
    fixture = Path(__file__).resolve().parent.parent / "rules" / "fixtures" / "PL201_undocumented_stop"
    assert _stops((fixture / "target_handed_to_training.py").read_text(encoding="utf-8")) == [
        (21, "no_grad", "torch.no_grad", "training"),  # `soft_td_target`: its result goes to `critic.fit`
        (29, "no_grad", "torch.no_grad", "evaluation"),  # acting
        (38, "helper", "act", "evaluation"),
    ]


def test_a_tensorflow_loop_without_back_prop_is_a_stop() -> None:
    fixture = Path(__file__).resolve().parent.parent / "rules" / "fixtures" / "PL201_undocumented_stop"
    assert _stops((fixture / "tf_loop_back_prop.py").read_text(encoding="utf-8")) == [
        (9, "no_grad", "tensorflow.while_loop", "training"),  # a target unrolled for the loss
        (15, "no_grad", "tensorflow.while_loop", "evaluation"),  # sampling; `back_prop=True` is no stop
    ]
