import argparse

import torch
from torch import nn

parser = argparse.ArgumentParser()
parser.add_argument("--lr", type=float, default=3e-4)
parser.add_argument("--tau", type=float, default=0.005)
args = parser.parse_args()
model = nn.Linear(4, 2)
target = nn.Linear(4, 2)
optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)


def update(batch):
    with torch.no_grad():
        goal = target(batch).max(1).values
    loss = ((model(batch).max(1).values - goal) ** 2).mean() + 0.01 * model.weight.norm()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    with torch.no_grad():
        for p_t, p in zip(target.parameters(), model.parameters()):
            p_t.data.mul_(1 - args.tau).add_(args.tau * p.data)
    print("loss", loss.item(), batch.view(-1, 4).shape)


@torch.no_grad()
def evaluate(batch):
    return model(batch).argmax(1)
