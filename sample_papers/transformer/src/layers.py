"""Causal Transformer blocks: attention, feed-forward sublayers and positions.

Paper: Sec. 2
"""

from __future__ import annotations

import math

import paperlink
import torch
from torch import nn


@paperlink.implements("eq:attention")
def attention_weights(q: torch.Tensor, k: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
    """softmax(Q K^T / sqrt(d_k)); the caller multiplies the result by V."""
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    return torch.softmax(scores, dim=-1)


class MultiHeadAttention(nn.Module):
    """Paper: Eq. (2.2), Eq. (2.3)"""

    def __init__(self, d_model: int, num_heads: int, dropout: float) -> None:
        super().__init__()
        self.num_heads = num_heads
        self.d_k = d_model // num_heads
        self.w_qkv = nn.Linear(d_model, 3 * d_model)  # paper: eq:head
        self.w_o = nn.Linear(d_model, d_model)
        self.attn_drop = nn.Dropout(dropout)
        self.last_attn: torch.Tensor | None = None

    def _split(self, x: torch.Tensor) -> torch.Tensor:
        b, t, _ = x.shape
        return x.view(b, t, self.num_heads, self.d_k).transpose(1, 2)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        q, k, v = map(self._split, self.w_qkv(x).chunk(3, dim=-1))  # paper: eq:head
        attn = attention_weights(q, k, mask)
        self.last_attn = attn.detach()  # paperlink: stop-grad copy kept for attention plots only
        out = self.attn_drop(attn) @ v
        b, _, t, _ = out.shape
        heads = out.transpose(1, 2).reshape(b, t, self.num_heads * self.d_k)
        return self.w_o(heads)  # paper: eq:multihead


def sinusoidal_positions(max_len: int, d_model: int) -> torch.Tensor:
    """Paper: Eq. (2.5a), Eq. (2.5b)"""
    pos = torch.arange(max_len, dtype=torch.float32).unsqueeze(1)
    two_i = torch.arange(0, d_model, 2, dtype=torch.float32)
    inv_freq = torch.exp(-math.log(10000.0) * two_i / d_model)  # paper: eq:posenc
    pe = torch.zeros(max_len, d_model)
    pe[:, 0::2] = torch.sin(pos * inv_freq)
    pe[:, 1::2] = torch.cos(pos * inv_freq)
    return pe


class DecoderBlock(nn.Module):
    """Post-norm block: LayerNorm(x + Dropout(sublayer(x))) for attention, then FFN.

    Paper: Section 2.3, Section 3.3
    """

    def __init__(self, d_model: int, num_heads: int, d_ff: int, dropout: float) -> None:
        super().__init__()
        self.attn = MultiHeadAttention(d_model, num_heads, dropout)
        # paper: Eq. 2.4
        self.ffn = nn.Sequential(nn.Linear(d_model, d_ff), nn.ReLU(), nn.Linear(d_ff, d_model))
        self.norm1 = nn.LayerNorm(d_model)
        self.norm2 = nn.LayerNorm(d_model)
        self.drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        x = self.norm1(x + self.drop(self.attn(x, mask)))
        return self.norm2(x + self.drop(self.ffn(x)))


class TransformerLM(nn.Module):
    """Decoder-only model over source <sep> target sequences.

    Paper: Sec. 1, Sec. 2.3
    """

    def __init__(
        self, vocab_size: int, d_model: int, num_heads: int, d_ff: int, num_layers: int,
        dropout: float, max_len: int,
    ) -> None:
        super().__init__()
        self.d_model = d_model
        self.embed = nn.Embedding(vocab_size, d_model)
        self.register_buffer("pe", sinusoidal_positions(max_len, d_model), persistent=False)
        self.drop = nn.Dropout(dropout)  # paper: Sec. 3.4
        self.blocks = nn.ModuleList(
            DecoderBlock(d_model, num_heads, d_ff, dropout) for _ in range(num_layers)
        )
        self.out = nn.Linear(d_model, vocab_size)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        t = tokens.size(1)
        causal = torch.ones(t, t, dtype=torch.bool, device=tokens.device).tril()
        x = self.drop(self.embed(tokens) * math.sqrt(self.d_model) + self.pe[:t])
        for block in self.blocks:
            x = block(x, causal)
        return self.out(x)
