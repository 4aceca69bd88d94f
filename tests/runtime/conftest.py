"""The sample papers' PyTorch code, imported by path, with tiny sizes so each step takes milliseconds.

``sample_papers/simsiam/src/model.py`` builds a torchvision ResNet-50 backbone; the tests
replace torchvision with a stub whose ``resnet50()`` is a two-layer MLP, so the sample's
own ``Projector``, ``Predictor`` and ``SimSiam.forward`` (with its seeded ``torch.no_grad()``
on line 70) run unchanged. ``train.py`` parses its command line at import time, so it is
imported with ``sys.argv`` holding only its name.
"""

from __future__ import annotations

import importlib.util
import sys
import types
from pathlib import Path

import pytest

from tests import needs

REPO = Path(__file__).resolve().parents[2]
SIMSIAM = REPO / "sample_papers" / "simsiam"
DQN = REPO / "sample_papers" / "dqn"


def _stub_torchvision() -> types.ModuleType:
    """torchvision with ``models.resnet50()`` a two-layer MLP: SimSiam reads ``fc.in_features``."""
    import torch
    from torch import nn

    class TinyBackbone(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.body = nn.Linear(6, 16)
            self.fc = nn.Linear(16, 1000)

        def forward(self, x):
            return self.fc(torch.relu(self.body(x)))

    stub = types.ModuleType("torchvision")
    stub.models = types.SimpleNamespace(resnet50=TinyBackbone)
    return stub


def load(path: Path, name: str):
    """Import ``path`` as module ``name`` with its folder on sys.path (for sibling imports)."""
    if name in sys.modules:
        return sys.modules[name]
    folder = str(path.parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def simsiam():
    """(model module, train module) of the SimSiam sample."""
    needs.torch()
    saved_vision, saved_argv = sys.modules.get("torchvision"), sys.argv
    sys.modules["torchvision"] = _stub_torchvision()
    sys.argv = ["train.py"]
    try:
        model = load(SIMSIAM / "src" / "model.py", "model")
        train = load(SIMSIAM / "src" / "train.py", "train")
    finally:
        sys.argv = saved_argv
        if saved_vision is None:
            sys.modules.pop("torchvision", None)
        else:
            sys.modules["torchvision"] = saved_vision
    return model, train


@pytest.fixture(scope="session")
def dqn():
    """(agent, networks) modules of the DQN sample."""
    needs.torch()
    needs.numpy()
    networks = load(DQN / "src" / "networks.py", "networks")
    agent = load(DQN / "src" / "agent.py", "agent")
    return agent, networks


@pytest.fixture(autouse=True)
def one_thread():
    """The machine is shared: small models, one thread, a fixed seed (tests with torch only)."""
    if "torch" not in sys.modules:
        yield
        return
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    yield
    torch.set_num_threads(threads)


def grad_mode_is_routed() -> bool:
    """Whether this torch sends ``_set_grad_enabled`` to function modes (it does in 2.13).

    Without it the audit cannot tell the user's ``torch.no_grad()`` from an optimizer's and
    places no-grad operations at the innermost user frame; the tests that assert the
    region's own line are skipped then.
    """
    try:
        import torch
        from torch.overrides import TorchFunctionMode
    except ImportError:
        return False
    seen = []

    class Probe(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            seen.append(func)
            return func(*args, **(kwargs or {}))

    with Probe(), torch.no_grad():
        pass
    return torch._C._set_grad_enabled in seen


needs_grad_mode = pytest.mark.skipif(
    not grad_mode_is_routed(), reason="this torch does not route grad mode to function modes"
)
