"""Pretraining loop for the stop-gradient Siamese objective.

Paper: Sec. 2.2, Sec. 2.3, Alg. 1
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable

import paperlink
import torch
import torch.nn.functional as F
from torch import nn

from model import SimSiam

parser = argparse.ArgumentParser(description="stop-gradient Siamese pretraining")
parser.add_argument("--lr", type=float, default=0.05)  # paper: hp:learning_rate
parser.add_argument("--batch-size", type=int, default=512)  # paper: hp:batch_size
parser.add_argument("--momentum", type=float, default=0.9)  # paper: hp:momentum
parser.add_argument("--weight-decay", type=float, default=5e-4)  # paper: hp:weight_decay
parser.add_argument("--epochs", type=int, default=100)  # paper: hp:epochs
parser.add_argument("--dim", type=int, default=2048)  # paper: hp:projection_dim
parser.add_argument("--pred-dim", type=int, default=512)  # paper: hp:predictor_dim
parser.add_argument("--device", default="cuda")
args = parser.parse_args()


@paperlink.implements("eq:negcos")
def negative_cosine(p: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    """D(p, z) averaged over the minibatch."""
    return -(F.normalize(p, dim=1) * F.normalize(z, dim=1)).sum(dim=1).mean()


def symmetric_loss(
    p1: torch.Tensor, p2: torch.Tensor, z1: torch.Tensor, z2: torch.Tensor
) -> torch.Tensor:
    """Symmetrised loss; each projection is only a target for the other branch.

    Paper: Eq. (3b), Eq. 4, Alg. 1 line 5
    """
    loss_12 = negative_cosine(p1, z2.detach())  # paper: eq:symloss
    loss_21 = negative_cosine(p2, z1.detach())  # paper: eq:symloss
    return 0.5 * loss_12 + 0.5 * loss_21  # paper: eq:symloss


@torch.no_grad()
def output_std(z: torch.Tensor) -> torch.Tensor:
    """Mean per-coordinate std of the unit-normalised projections; ~0 means collapse.

    Paper: Appendix A.1, Eq. 7
    """
    return F.normalize(z, dim=1).std(dim=0).mean()


def build_optimizer(model: nn.Module, cfg: argparse.Namespace) -> torch.optim.SGD:
    """Paper: Sec. 2.3, Table 1"""
    lr = cfg.lr * cfg.batch_size / 256  # paper: eq:lr_scale
    return torch.optim.SGD(
        model.parameters(), lr=lr, momentum=cfg.momentum, weight_decay=cfg.weight_decay
    )


Views = Iterable[tuple[torch.Tensor, torch.Tensor]]


def train_one_epoch(
    model: SimSiam, loader: Views, optimizer: torch.optim.Optimizer
) -> tuple[float, float]:
    """Paper: Alg. 1"""
    model.train()
    total_loss, total_std, steps = 0.0, 0.0, 0
    for x1, x2 in loader:
        x1, x2 = x1.to(args.device, non_blocking=True), x2.to(args.device, non_blocking=True)
        p1, p2, z1, z2 = model(x1, x2)
        loss = symmetric_loss(p1, p2, z1, z2)  # paper: eq:loss, eq:symmetric_loss
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0)
        optimizer.step()  # paper: Alg. 1 line 6
        total_loss += loss.item()  # paperlink: stop-grad scalar copy for logging only
        total_std += output_std(z1).item()  # paperlink: stop-grad monitor only, not in the loss
        steps += 1
    return total_loss / max(steps, 1), total_std / max(steps, 1)


def main(cfg: argparse.Namespace, loader: Views) -> SimSiam:
    """Pretrain for cfg.epochs epochs; `loader` yields pairs of augmented views (Appendix A.2)."""
    model = SimSiam(cfg.dim, cfg.pred_dim).to(cfg.device)
    optimizer = build_optimizer(model, cfg)
    for epoch in range(cfg.epochs):
        loss, std = train_one_epoch(model, loader, optimizer)
        print(f"epoch {epoch:3d}  loss {loss:+.4f}  output std {std:.4f}")
    return model
