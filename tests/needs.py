"""Skips for tests that need an optional package, each saying how to run them."""

from __future__ import annotations

from types import ModuleType

import pytest

TORCH_HINT = "needs torch: pip install 'paperlink[torch]' numpy (the CPU build, as .ci/run installs it, is enough)"


def torch() -> ModuleType:
    """``torch``, or a skip naming the command that installs it (it is not in the test extra)."""
    return pytest.importorskip("torch", reason=TORCH_HINT)


def numpy() -> ModuleType:
    """``numpy`` (the sample DQN's replay buffer), or a skip saying how to install it."""
    return pytest.importorskip("numpy", reason=TORCH_HINT)
