"""Entries for `paperlink audit`: the DQN sample's loss, and its whole training step."""

from __future__ import annotations

import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "sample_papers" / "dqn" / "src"))

from agent import td_loss
from networks import QNetwork, make_target, sync_target


def _setup():
    online = QNetwork(4, 2, 8)
    batch = {
        "obs": torch.randn(8, 4),
        "actions": torch.randint(0, 2, (8,)),
        "rewards": torch.randn(8),
        "next_obs": torch.randn(8, 4),
        "dones": torch.zeros(8),
    }
    return online, make_target(online), batch


def loss():
    """Returns the loss: the audit calls backward()."""
    online, target, batch = _setup()
    return td_loss(online, target, batch, 0.99)


def step():
    """A whole step, backward and target sync included; returns None."""
    online, target, batch = _setup()
    optimizer = torch.optim.Adam(online.parameters(), lr=1e-4)
    optimizer.zero_grad()
    td_loss(online, target, batch, 0.99).backward()
    optimizer.step()
    sync_target(target, online)
