"""Encoder f = g(b(x)) and predictor h of the stop-gradient Siamese model.

Paper: Sec. 2.1
"""

from __future__ import annotations

import paperlink
import torch
import torchvision
from torch import nn


def _linear_bn(in_dim: int, out_dim: int, relu: bool = True) -> list[nn.Module]:
    layers: list[nn.Module] = [nn.Linear(in_dim, out_dim, bias=False), nn.BatchNorm1d(out_dim)]
    if relu:
        layers.append(nn.ReLU(inplace=True))
    return layers


class Projector(nn.Module):
    """Three-layer projection MLP g; the last batch norm is not followed by a ReLU."""

    def __init__(self, in_dim: int, dim: int) -> None:
        super().__init__()
        self.net = nn.Sequential(
            *_linear_bn(in_dim, dim),
            *_linear_bn(dim, dim),
            *_linear_bn(dim, dim, relu=False),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


# paper: eq:predictor
class Predictor(nn.Module):
    """Bottleneck MLP h: dim -> hidden_dim -> dim."""

    def __init__(self, dim: int, hidden_dim: int) -> None:
        super().__init__()
        self.net = nn.Sequential(*_linear_bn(dim, hidden_dim), nn.Linear(hidden_dim, dim))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z)


class SimSiam(nn.Module):
    def __init__(self, dim: int, pred_dim: int) -> None:
        super().__init__()
        backbone = torchvision.models.resnet50()
        feat_dim = backbone.fc.in_features
        backbone.fc = nn.Identity()
        self.backbone = backbone
        self.projector = Projector(feat_dim, dim)
        self.predictor = Predictor(dim, pred_dim)

    @paperlink.implements("eq:encoder")
    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.projector(self.backbone(x))

    def forward(
        self, x1: torch.Tensor, x2: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """Predictions and projections for both views; the loss applies the stop-gradient.

        Paper: Eq. 1, Eq. 2, Alg. 1 line 3, Alg. 1 line 4
        """
        z1 = self.encode(x1)
        with torch.no_grad():
            z2 = self.encode(x2)
        p1, p2 = self.predictor(z1), self.predictor(z2)
        return p1, p2, z1, z2
