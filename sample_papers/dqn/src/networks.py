"""Online Q-network and the target-network helpers.

Paper: Sec. 3.1, Appendix A.2
"""

from __future__ import annotations

import copy

import paperlink
import torch
from torch import nn


class QNetwork(nn.Module):
    """MLP mapping a state vector to one action value per action.

    Paper: Appendix A.2
    """

    def __init__(self, obs_dim: int, num_actions: int, hidden: int) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(obs_dim, hidden),
            nn.ReLU(),
            nn.Linear(hidden, hidden),
            nn.ReLU(),
            nn.Linear(hidden, num_actions),
        )

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        return self.net(obs)


# paper: Alg. 1 line 1
def make_target(online: QNetwork) -> QNetwork:
    """Create theta^- as a frozen copy of the online network."""
    target = copy.deepcopy(online)
    target.requires_grad_(False)
    return target


@paperlink.implements("eq:target_sync")
def sync_target(target: QNetwork, online: QNetwork) -> None:
    """Overwrite theta^- with theta in place (Alg. 1 line 9)."""
    with torch.no_grad():
        for target_param, param in zip(target.parameters(), online.parameters()):
            target_param.copy_(param)
