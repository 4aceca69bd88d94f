"""Epsilon-greedy acting, the Huber TD loss and the training loop.

Paper: Sec. 3, Alg. 1
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import paperlink
import torch
import torch.nn.functional as F
from torch import nn

from networks import QNetwork, make_target, sync_target
from replay import ReplayBuffer


@dataclass
class DQNConfig:
    """Paper: Table 1"""

    lr: float = 1e-4  # paper: hp:learning_rate
    gamma: float = 0.99  # paper: hp:discount
    batch_size: int = 32  # paper: hp:batch_size
    buffer_size: int = 100_000  # paper: hp:replay_capacity
    target_update: int = 10_000  # paper: hp:target_update_period
    epsilon: float = 0.01  # paper: hp:final_exploration
    hidden: int = 256  # paper: hp:hidden_units
    total_steps: int = 500_000  # paper: hp:training_steps


@torch.no_grad()
def select_action(q_net: QNetwork, obs: torch.Tensor, epsilon: float, num_actions: int) -> int:
    """Paper: Eq. 5, Alg. 1 line 3"""
    if random.random() < epsilon:
        return random.randrange(num_actions)
    return int(q_net(obs.unsqueeze(0)).argmax(dim=1).item())


@paperlink.implements("eq:loss")
def td_loss(
    q_net: QNetwork, target_net: QNetwork, batch: dict[str, torch.Tensor], gamma: float
) -> torch.Tensor:
    """Minibatch mean of the Huber loss between Q(s, a) and the bootstrapped target."""
    q_sa = q_net(batch["obs"]).gather(1, batch["actions"].unsqueeze(1)).squeeze(1)
    with torch.no_grad():  # paper: Eq. (TD), eq:bellman
        next_q = target_net(batch["next_obs"]).max(dim=1).values
        target = batch["rewards"] + gamma * (1.0 - batch["dones"]) * next_q
    loss = F.smooth_l1_loss(q_sa, target)  # paper: eq:huber
    scale = (target - q_sa).abs().mean().item()
    return loss / max(scale, 1.0)


def train(env, cfg: DQNConfig, device: torch.device) -> QNetwork:
    """Paper: Alg. 1"""
    obs_dim = env.observation_space.shape[0]
    num_actions = env.action_space.n
    q_net = QNetwork(obs_dim, num_actions, cfg.hidden).to(device)
    target_net = make_target(q_net)
    optimizer = torch.optim.Adam(q_net.parameters(), lr=cfg.lr)  # paper: Sec. 3.2
    buffer = ReplayBuffer(cfg.buffer_size, obs_dim)

    obs, _ = env.reset()
    for step in range(1, cfg.total_steps + 1):
        obs_t = torch.as_tensor(obs, dtype=torch.float32, device=device)
        action = select_action(q_net, obs_t, cfg.epsilon, num_actions)
        next_obs, reward, terminated, truncated, _ = env.step(action)
        buffer.add(obs, action, reward, next_obs, terminated)  # paper: Alg. 2 line 4
        obs = env.reset()[0] if terminated or truncated else next_obs
        if buffer.size < cfg.batch_size:
            continue

        batch = buffer.sample(cfg.batch_size, device)
        loss = td_loss(q_net, target_net, batch, cfg.gamma)  # paper: Alg. 1 line 7
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(q_net.parameters(), 10.0)
        optimizer.step()

        if step % cfg.target_update == 0:  # paper: Alg. 1 line 8
            sync_target(target_net, q_net)
    return q_net
