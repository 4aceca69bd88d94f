"""Benchmark: one training step with the runtime gradient audit, against the same step without it.

    python3 benchmarks/audit.py [--repeat N] [--threads T]

Steps of the sample papers' own models on CPU, at small sizes: the DQN's TD loss with the
paper's Q-network (hidden 256, batch 32, target network under no_grad, the seeded
``.item()``), and the Transformer sample's language model (2 blocks, d_model 64, 4 heads,
sequences of 32 tokens, batch 8: a dropout, a masked softmax and a ``detach`` per block).
Each step is forward, loss and backward from zeroed gradients. It prints the best of N
steps each way (after one warm-up step), wall time and this thread's CPU time, and their
ratios; the target is <= 3x.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from paperlink.runtime import audit  # noqa: E402


def _load(path: Path, name: str):
    sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def dqn_step():
    networks = _load(ROOT / "sample_papers/dqn/src/networks.py", "networks")
    agent = _load(ROOT / "sample_papers/dqn/src/agent.py", "agent")
    online = networks.QNetwork(8, 4, 256)
    target = networks.make_target(online)
    batch = {
        "obs": torch.randn(32, 8),
        "actions": torch.randint(0, 4, (32,)),
        "rewards": torch.randn(32),
        "next_obs": torch.randn(32, 8),
        "dones": torch.zeros(32),
    }

    def step():
        online.zero_grad(set_to_none=True)
        agent.td_loss(online, target, batch, 0.99).backward()

    return online, step


def transformer_step():
    layers = _load(ROOT / "sample_papers/transformer/src/layers.py", "layers")
    model = layers.TransformerLM(
        vocab_size=100, d_model=64, num_heads=4, d_ff=128, num_layers=2, dropout=0.1, max_len=64
    )
    tokens = torch.randint(0, 100, (8, 33))

    def step():
        model.zero_grad(set_to_none=True)
        logits = model(tokens[:, :-1])
        F.cross_entropy(logits.reshape(-1, 100), tokens[:, 1:].reshape(-1)).backward()

    return model, step


def _best(step, repeat: int, model=None) -> tuple[float, float]:
    """Best wall time and best CPU time of this thread (steadier on a shared machine)."""
    walls, cpus = [], []
    for _ in range(repeat + 1):  # the first is a warm-up
        wall, cpu = time.perf_counter(), time.thread_time()
        if model is None:
            step()
        else:
            with audit(model):
                step()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.thread_time() - cpu)
    return min(walls[1:]), min(cpus[1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    print(f"torch {torch.__version__}, {args.threads} thread(s), best of {args.repeat}")
    print(
        f"{'step':<34} {'plain ms':>9} {'audited ms':>11} {'ratio':>6} {'plain cpu':>10} {'audited cpu':>12} {'ratio':>6}"
    )
    for label, build in (
        ("DQN TD loss (hidden 256, batch 32)", dqn_step),
        ("Transformer LM (2x64, 8x32 tokens)", transformer_step),
    ):
        model, step = build()
        plain, plain_cpu = _best(step, args.repeat)
        audited, audited_cpu = _best(step, args.repeat, model)
        print(
            f"{label:<34} {plain * 1000:9.2f} {audited * 1000:11.2f} {audited / plain:6.2f}"
            f" {plain_cpu * 1000:10.2f} {audited_cpu * 1000:12.2f} {audited_cpu / plain_cpu:6.2f}"
        )


if __name__ == "__main__":
    main()
