"""paperlink.runtime.audit on the sample papers' own models: exact events, lines and gradients."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import needs

pytestmark = pytest.mark.slow  # torch: the sample papers' models, run
torch = needs.torch()
nn = torch.nn
F = torch.nn.functional

from paperlink.errors import AuditError  # noqa: E402
from paperlink.runtime import audit  # noqa: E402
from paperlink.runtime.diagnostics import audit_diagnostics  # noqa: E402
from tests.runtime.conftest import DQN, REPO, SIMSIAM, needs_grad_mode  # noqa: E402

HERE = "tests/runtime/test_audit.py"


def line_of(marker: str) -> int:
    """The line of this file that holds ``marker`` (so the tests survive edits above them)."""
    lines = Path(__file__).read_text(encoding="utf-8").splitlines()
    return next(number for number, text in enumerate(lines, 1) if marker in text and "line_of" not in text)


def events(result):
    return [(str(e.location), e.kind, e.api, e.count, e.cut, e.ops) for e in result.events]


def statuses(result):
    return {p.name: p.status for p in result.parameters}


def diagnostics(result):
    return [str(d) + f" {d.severity.value}" for d in audit_diagnostics(result)]


def views():
    return torch.randn(4, 6), torch.randn(4, 6)


def simsiam_step(model, loss_fn, network, x1, x2):
    p1, p2, z1, z2 = network(x1, x2)
    loss = loss_fn(p1, p2, z1, z2)
    loss.backward()
    return loss


def without_stop_gradient(train):
    """Eq. (3b) with the stop-gradient left out: both branches receive gradient."""
    return lambda p1, p2, z1, z2: 0.5 * train.negative_cosine(p1, z2) + 0.5 * train.negative_cosine(p2, z1)


def fixed_simsiam(model):
    class FixedSimSiam(model.SimSiam):
        """The sample without its seeded defect: the second branch is encoded with gradients."""

        def forward(self, x1, x2):
            z1, z2 = self.encode(x1), self.encode(x2)
            return self.predictor(z1), self.predictor(z2), z1, z2

    return FixedSimSiam(8, 4)


# --- the siamese network ------------------------------------------------------------------


@needs_grad_mode
def test_simsiam_as_shipped_its_no_grad_makes_the_papers_detach_of_z2_a_no_op(simsiam):
    model, train = simsiam
    network = model.SimSiam(8, 4)
    with audit(network, root=SIMSIAM) as run:
        simsiam_step(model, train.symmetric_loss, network, *views())
    assert events(run.result) == [
        (
            "src/model.py:70",
            "no-grad",
            "torch.no_grad",
            1,
            True,
            ("torch.nn.functional.batch_norm", "torch.nn.functional.linear"),
        ),
        ("src/train.py:43", "detach", "Tensor.detach", 1, False, ()),
        ("src/train.py:44", "detach", "Tensor.detach", 1, True, ()),
    ]
    assert set(statuses(run.result).values()) == {"ok"}
    assert [(g.name, g.parameters, g.with_gradient) for g in run.result.groups] == [
        ("backbone", 2, 2),
        ("projector", 9, 9),
        ("predictor", 5, 5),
    ]
    assert run.result.backward_calls == 1
    assert audit_diagnostics(run.result) == []


def test_simsiam_with_the_papers_stop_gradient_cuts_both_targets(simsiam):
    model, train = simsiam
    network = fixed_simsiam(model)
    with audit(network, root=SIMSIAM) as run:
        simsiam_step(model, train.symmetric_loss, network, *views())
    assert events(run.result) == [
        ("src/train.py:43", "detach", "Tensor.detach", 1, True, ()),
        ("src/train.py:44", "detach", "Tensor.detach", 1, True, ()),
    ]
    assert set(statuses(run.result).values()) == {"ok"}


def test_simsiam_without_the_stop_gradient_has_no_stop_at_all(simsiam):
    model, train = simsiam
    network = fixed_simsiam(model)
    with audit(network, root=SIMSIAM) as run:
        simsiam_step(model, without_stop_gradient(train), network, *views())
    assert events(run.result) == []
    assert "src/train.py" in run.result.files and "src/model.py" in run.result.files


# --- the target-network DQN -------------------------------------------------------------------


def dqn_batch():
    return {
        "obs": torch.randn(8, 4),
        "actions": torch.randint(0, 2, (8,)),
        "rewards": torch.randn(8),
        "next_obs": torch.randn(8, 4),
        "dones": torch.zeros(8),
    }


@needs_grad_mode
def test_dqn_step_target_network_item_rescaling_and_target_sync(dqn):
    agent, networks = dqn
    online = networks.QNetwork(4, 2, 8)
    target = networks.make_target(online)
    optimizer = torch.optim.Adam(online.parameters(), lr=1e-4)
    batch = dqn_batch()
    with audit(root=DQN) as run:  # the models are found as they run
        loss = agent.td_loss(online, target, batch, 0.99)
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(online.parameters(), 10.0)
        optimizer.step()
        networks.sync_target(target, online)
    # the Bellman target's no_grad cuts nothing (the target network is frozen); the seeded
    # .item() of agent.py:52 does; clipping and Adam turn gradients off inside torch: not stops
    assert events(run.result) == [
        ("src/agent.py:48", "no-grad", "torch.no_grad", 1, False, ()),
        ("src/agent.py:52", "item", "Tensor.item", 1, True, ()),
        ("src/networks.py:46", "no-grad", "torch.no_grad", 1, True, ("Tensor.copy_",)),
    ]
    assert statuses(run.result) == {
        **{f"QNetwork.net.{i}.{p}": "ok" for i in (0, 2, 4) for p in ("weight", "bias")},
        **{f"QNetwork[2].net.{i}.{p}": "frozen" for i in (0, 2, 4) for p in ("weight", "bias")},
    }
    assert [(g.name, g.with_gradient) for g in run.result.groups] == [("QNetwork.net", 6), ("QNetwork[2].net", 0)]
    assert audit_diagnostics(run.result) == []


def test_named_models_prefix_parameter_names(dqn):
    _, networks = dqn
    online = networks.QNetwork(4, 2, 8)
    target = networks.make_target(online)
    with audit({"online": online, "target": target}, root=DQN) as run:
        online(torch.randn(3, 4)).sum().backward()
    assert [p.name for p in run.result.parameters][:2] == ["online.net.0.weight", "online.net.0.bias"]
    assert statuses(run.result)["target.net.4.bias"] == "frozen"


# --- frozen layers and parameters without gradient ---------------------------------------------


def test_a_layer_frozen_with_requires_grad_false_is_frozen_not_a_diagnostic(dqn):
    _, networks = dqn
    network = networks.QNetwork(4, 2, 8)
    network.net[0].requires_grad_(False)
    with audit(network, root=DQN) as run:
        network(torch.randn(3, 4)).sum().backward()
    assert statuses(run.result) == {
        "net.0.weight": "frozen",
        "net.0.bias": "frozen",
        "net.2.weight": "ok",
        "net.2.bias": "ok",
        "net.4.weight": "ok",
        "net.4.bias": "ok",
    }
    assert audit_diagnostics(run.result) == []


class FrozenByAccident(nn.Module):
    """A backbone under no_grad that was meant to train, and a head whose output is zeroed."""

    def __init__(self) -> None:
        super().__init__()
        self.backbone = nn.Linear(4, 3)
        self.head = nn.Linear(3, 1)
        self.aux = nn.Linear(3, 1)
        self.unused = nn.Linear(3, 1)

    def forward(self, x):
        with torch.no_grad():  # stop: no_grad
            features = self.backbone(x)  # call: backbone
        return self.head(features) + 0.0 * self.aux(features)  # call: head


@needs_grad_mode
def test_parameters_without_gradient_are_pl902_where_their_module_ran():
    network = FrozenByAccident()
    with audit(network, root=REPO) as run:
        network(torch.randn(5, 4)).sum().backward()  # call: network
    stop, backbone, head, network_call = (
        line_of(f"# {m}") for m in ("stop: no_grad", "call: backbone", "call: head", "call: network")
    )
    assert events(run.result) == [
        (f"{HERE}:{stop}", "no-grad", "torch.no_grad", 1, True, ("torch.nn.functional.linear",))
    ]
    assert statuses(run.result) == {
        "backbone.weight": "no-gradient",
        "backbone.bias": "no-gradient",
        "head.weight": "ok",
        "head.bias": "ok",
        "aux.weight": "zero-gradient",
        "aux.bias": "zero-gradient",
        "unused.weight": "no-gradient",
        "unused.bias": "no-gradient",
    }
    assert diagnostics(run.result) == [
        f"{HERE}:{backbone}:1: PL902 parameter backbone.bias received no gradient in the audited step warning",
        f"{HERE}:{backbone}:1: PL902 parameter backbone.weight received no gradient in the audited step warning",
        f"{HERE}:{head}:1: PL902 parameter aux.bias received an all-zero gradient in the audited step warning",
        f"{HERE}:{head}:1: PL902 parameter aux.weight received an all-zero gradient in the audited step warning",
        # never called: placed where its model was called
        f"{HERE}:{network_call}:1: PL902 parameter unused.bias received no gradient in the audited step warning",
        f"{HERE}:{network_call}:1: PL902 parameter unused.weight received no gradient in the audited step warning",
    ]


# --- NaN and Inf ---------------------------------------------------------------------------------


def positive_log_value(q):
    """log(0) injected on purpose: torch.where hides it in forward, not in backward."""
    positive = torch.relu(q - q.median())
    return torch.where(positive > 0, torch.log(positive), 0.0).sum()  # inject: log


def distance_to_itself(q):
    """sqrt at 0: finite forward, infinite derivative in backward."""
    return torch.sqrt(((q - q.detach()) ** 2).sum())  # inject: sqrt


def test_log_of_zero_is_the_origin_in_forward_and_in_backward(dqn):
    _, networks = dqn
    network = networks.QNetwork(4, 2, 8)
    with audit(network, root=REPO) as run:
        positive_log_value(network(torch.randn(6, 4))).backward()
    line = line_of("# inject: log")
    forward, backward = run.result.non_finite
    assert (forward.phase, forward.op, str(forward.location), forward.value) == (
        "forward",
        "torch.log",
        f"{HERE}:{line}",
        "inf",
    )
    assert [(s.shape, s.minimum, s.has_nan, s.has_inf) for s in forward.inputs] == [((6, 2), 0.0, False, False)]
    assert (backward.phase, backward.op, backward.forward_op, str(backward.location), backward.value) == (
        "backward",
        "LogBackward0",
        "torch.log",
        f"{HERE}:{line}",
        "nan",
    )
    assert not any(s.has_nan or s.has_inf for s in backward.inputs)  # the incoming gradient was finite
    assert [d.code for d in run.diagnostics] == ["PL903", "PL903"]
    in_backward, in_forward = (d.message for d in audit_diagnostics(run.result))
    assert in_forward.startswith("first NaN/Inf of the step: torch.log produced inf from finite inputs (6x2 min 0 max ")
    assert in_backward == (
        "first NaN/Inf gradient of the step: LogBackward0, the backward of torch.log, "
        "produced nan from finite incoming gradients (6x2 min 0 max 1 mean 0.5)"
    )


def test_sqrt_at_zero_is_finite_forward_and_infinite_backward(dqn):
    _, networks = dqn
    network = networks.QNetwork(4, 2, 8)
    with audit(network, root=REPO) as run:
        distance_to_itself(network(torch.randn(6, 4))).backward()
    (origin,) = run.result.non_finite
    assert (origin.phase, origin.op, origin.forward_op, str(origin.location), origin.value) == (
        "backward",
        "SqrtBackward0",
        "torch.sqrt",
        f"{HERE}:{line_of('# inject: sqrt')}",
        "inf",
    )
    assert set(statuses(run.result).values()) == {"non-finite"}
    assert str(audit_diagnostics(run.result)[0]) == (
        f"{HERE}:{line_of('# inject: sqrt')}:1: PL903 first NaN/Inf gradient of the step: SqrtBackward0, the backward of "
        "torch.sqrt, produced inf from finite incoming gradients (scalar min 1 max 1 mean 1)"
    )


# --- the audit never changes the step ----------------------------------------------------------


def gradients(module):
    return [p.grad.clone() for p in module.parameters() if p.grad is not None]


def run_twice(build, step):
    """The same step from the same weights and inputs, without and with the audit."""
    outcomes = []
    for audited in (False, True):
        torch.manual_seed(1)
        module, inputs = build()
        if audited:
            with audit(module):
                loss = step(module, inputs)
        else:
            loss = step(module, inputs)
        outcomes.append((loss.detach(), gradients(module)))
    return outcomes


def test_simsiam_loss_and_gradients_are_bitwise_equal_with_and_without_the_audit(simsiam):
    model, train = simsiam
    build = lambda: (model.SimSiam(8, 4), views())  # noqa: E731
    step = lambda net, xs: simsiam_step(model, train.symmetric_loss, net, *xs)  # noqa: E731
    (plain_loss, plain), (audited_loss, watched) = run_twice(build, step)
    assert torch.equal(plain_loss, audited_loss)
    assert len(plain) == len(watched) == 16
    assert all(torch.equal(a, b) for a, b in zip(plain, watched))


def test_dqn_and_nan_steps_are_bitwise_equal_with_and_without_the_audit(dqn):
    agent, networks = dqn

    def build():
        online = networks.QNetwork(4, 2, 8)
        return online, (networks.make_target(online), dqn_batch())

    def step(online, inputs):
        loss = agent.td_loss(online, inputs[0], inputs[1], 0.99) + positive_log_value(online(inputs[1]["obs"]))
        loss.backward()
        return loss

    (plain_loss, plain), (audited_loss, watched) = run_twice(build, step)
    assert torch.equal(plain_loss, audited_loss)
    assert len(plain) == 6 and all(torch.equal(a, b) for a, b in zip(plain, watched))


# --- the context manager --------------------------------------------------------------------------


def test_everything_is_removed_on_exit_even_when_the_step_raises():
    network = nn.Linear(3, 1)
    with pytest.raises(ValueError, match="boom"):
        with audit(network, root=REPO) as run:
            loss = network(torch.randn(2, 3)).sum()
            raise ValueError("boom")
    assert run.result is not None and run.result.backward_calls == 0
    assert torch.overrides._get_current_function_mode_stack() == []
    loss.backward()  # the node hooks are gone: nothing records any more
    assert run.result.non_finite == () and statuses(run.result) == {"weight": "no-gradient", "bias": "no-gradient"}


def test_an_audit_watches_one_block():
    network = nn.Linear(3, 1)
    run = audit(network)
    with run:
        network(torch.randn(2, 3)).sum().backward()
    with pytest.raises(AuditError, match="an audit watches one block"):
        with run:
            pass


def test_inference_mode_is_placed_at_the_innermost_user_frame_with_the_outer_ones():
    network = nn.Linear(3, 1)

    def score(x):
        return network(x)  # inner: inference

    with audit(network, root=REPO) as run:
        with torch.inference_mode():
            score(torch.randn(2, 3))  # outer: inference
        network(torch.randn(2, 3)).sum().backward()
    (event,) = run.result.events
    assert (str(event.location), event.kind, event.api, event.cut) == (
        f"{HERE}:{line_of('# inner: inference')}",
        "inference-mode",
        "torch.inference_mode",
        True,
    )
    assert [str(place) for place in event.via] == [f"{HERE}:{line_of('# outer: inference')}"]


@pytest.mark.filterwarnings("ignore:Converting a tensor with requires_grad=True to a scalar")
def test_detach_data_and_values_leaving_autograd_are_reported_where_the_user_wrote_them():
    weight = nn.Parameter(torch.ones(3))
    with audit(root=REPO) as run:
        doubled = weight * 2
        doubled.detach()  # leave: detach
        weight.data  # noqa: B018  # leave: data
        doubled.sum().item()  # leave: item
        doubled.tolist()  # leave: tolist
        float(doubled.sum())  # leave: float
        doubled.detach().numpy()  # leave: numpy
    kinds = {(e.location.line, e.kind, e.api, e.cut) for e in run.result.events}
    assert kinds == {
        (line_of("# leave: detach"), "detach", "Tensor.detach", True),
        (line_of("# leave: data"), "data", "Tensor.data", True),
        (line_of("# leave: item"), "item", "Tensor.item", True),
        (line_of("# leave: tolist"), "tolist", "Tensor.tolist", True),
        (line_of("# leave: float"), "float", "Tensor.__float__", True),
        (line_of("# leave: numpy"), "detach", "Tensor.detach", True),
        (line_of("# leave: numpy"), "numpy", "Tensor.numpy", False),
    }


def test_paperlink_audit_is_the_same_function():
    import paperlink

    assert paperlink.audit is audit


def test_a_model_that_never_ran_is_placed_at_its_class(dqn):
    _, networks = dqn
    network = networks.QNetwork(4, 2, 8)
    with audit(network, root=DQN) as run:
        pass
    assert {(str(p.location), p.status) for p in run.result.parameters} == {("src/networks.py:15", "no-gradient")}
    assert run.result.files == () and run.result.backward_calls == 0


def test_an_infinity_passed_in_is_not_an_origin_but_a_fully_masked_softmax_is():
    scores = nn.Parameter(torch.randn(2, 3))
    with audit(root=REPO) as run:
        masked = scores.masked_fill(torch.tensor([[True, False, True], [False, False, False]]), float("-inf"))
        masked.softmax(dim=-1).sum().backward()  # mask: partial
    assert run.result.non_finite == ()
    with audit(root=REPO) as run:
        masked = scores.masked_fill(torch.ones(2, 3, dtype=torch.bool), float("-inf"))
        masked.softmax(dim=-1).sum().backward()  # mask: full
    (origin, _) = run.result.non_finite
    assert (origin.op, str(origin.location), origin.value) == (
        "Tensor.softmax",
        f"{HERE}:{line_of('# mask: full')}",
        "nan",
    )
