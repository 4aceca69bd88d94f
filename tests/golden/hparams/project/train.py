from dataclasses import dataclass

import torch
from torch import nn
from torch.utils.data import DataLoader


@dataclass
class Inner:
    inner_step_size: float = 0.1  # the paper's words, but no canonical name: listed as differing, no PL402


def penalised(
    loss,
    lam=5,  # paper: hp:lambda
    weight=1.0,
):
    return loss + lam * weight


def ablation(loss, lam=0):  # paper: hp:lambda
    return loss * lam  # 0 is a member of the paper's set {0, 1, 10}: no PL402


def sample(model, n=32, temperature=1.0):
    return model.sample(
        n,
        # paper: hp:N
        count=100,
    )


def train(params, data):
    opt = torch.optim.SGD(params, lr=0.01, momentum=0.9)  # learning rate is stated for atari and mujoco only
    loader = DataLoader(data, batch_size=64)  # the cited work's batch size is not the paper's
    head = nn.Dropout(0.5)  # a baseline's dropout is not compared either
    gamma = 0.9  # paper: hp:gamma
    return opt, loader, head, gamma
