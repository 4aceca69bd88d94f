"""Label-smoothed training with Adam and the warmup schedule.

Paper: Sec. 3, Alg. 1
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import paperlink
import torch
import torch.nn.functional as F
from torch import nn
from torch.optim.lr_scheduler import LambdaLR

from layers import TransformerLM

Batch = dict[str, torch.Tensor]


@dataclass
class TrainConfig:
    """Paper: Table 1"""

    num_layers: int = 6  # paper: hp:layers
    d_model: int = 512  # paper: hp:model_dimension
    d_ff: int = 2048  # paper: hp:ffn_dimension
    num_heads: int = 8  # paper: hp:attention_heads
    dropout: float = 0.1  # paper: hp:dropout
    label_smoothing: float = 0.1  # paper: hp:label_smoothing
    warmup_steps: int = 8000  # paper: hp:warmup_steps
    beta1: float = 0.9  # paper: Table 1
    beta2: float = 0.98  # paper: Table 1
    max_len: int = 256  # paper: hp:maximum_length


CONFIG = TrainConfig()


@paperlink.implements("eq:ls_loss")
def label_smoothed_nll(
    logits: torch.Tensor, targets: torch.Tensor, loss_mask: torch.Tensor, eps: float
) -> torch.Tensor:
    """Paper: Alg. 1 line 3"""
    log_probs = F.log_softmax(logits, dim=-1)
    nll = -log_probs.gather(-1, targets.unsqueeze(-1)).squeeze(-1)
    uniform = -log_probs.detach().mean(dim=-1)
    per_token = (1.0 - eps) * nll + eps * uniform  # paper: eq:smoothed_target, eq:ls_loss
    return (per_token * loss_mask).sum() / loss_mask.sum()


# paper: eq:lr_schedule, Alg. 1 line 4
def inverse_sqrt_warmup(step: int) -> float:
    step = max(step, 1)
    return CONFIG.d_model ** -0.5 * min(step ** -0.5, step * CONFIG.warmup_steps ** -1.5)


def make_optimizer(model: nn.Module, cfg: TrainConfig) -> tuple[torch.optim.Adam, LambdaLR]:
    """Paper: Section 3.2"""
    optimizer = torch.optim.Adam(model.parameters(), lr=1.0, betas=(cfg.beta1, cfg.beta2))
    scheduler = LambdaLR(optimizer, inverse_sqrt_warmup)  # the factor is the learning rate
    return optimizer, scheduler


def train_step(
    model: TransformerLM, batch: Batch, optimizer: torch.optim.Optimizer,
    scheduler: LambdaLR, cfg: TrainConfig,
) -> float:
    """Paper: Alg. 1"""
    model.train()
    tokens, loss_mask = batch["tokens"], batch["loss_mask"]
    logits = model(tokens[:, :-1])
    loss = label_smoothed_nll(logits, tokens[:, 1:], loss_mask[:, 1:], cfg.label_smoothing)
    loss = loss + 1e-4 * torch.logsumexp(logits, dim=-1).pow(2).mean()
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()  # paper: Alg. 1 line 5
    scheduler.step()
    return loss.item()  # paperlink: stop-grad scalar returned for logging


@torch.no_grad()
def evaluate(model: TransformerLM, batches: Iterable[Batch], cfg: TrainConfig) -> float:
    """Token-averaged label-smoothed loss on held-out data, dropout off."""
    model.eval()
    total, count = 0.0, 0.0
    for batch in batches:
        tokens, mask = batch["tokens"], batch["loss_mask"][:, 1:]
        loss = label_smoothed_nll(model(tokens[:, :-1]), tokens[:, 1:], mask, cfg.label_smoothing)
        total += loss.item() * mask.sum().item()
        count += mask.sum().item()
    return total / max(count, 1.0)
