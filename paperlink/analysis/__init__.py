"""The registry of code analyses (the PL2xx-PL5xx rule families): :data:`ANALYSES`.

What an analysis is, and how the engine runs it, is in :mod:`paperlink.analysis.base`.
"""

from __future__ import annotations

from typing import Any

from paperlink.analysis.base import Analysis, Conclusion, Project
from paperlink.analysis.environment import ENVIRONMENT
from paperlink.analysis.gradients import GRADIENTS
from paperlink.analysis.hidden_inputs import HIDDEN_INPUTS
from paperlink.analysis.hyperparameters import HYPERPARAMETERS

__all__ = ["ANALYSES", "Analysis", "Conclusion", "Project", "analysis_by_name"]

ANALYSES: tuple[Analysis[Any], ...] = (GRADIENTS, HIDDEN_INPUTS, HYPERPARAMETERS, ENVIRONMENT)


def analysis_by_name(name: str) -> Analysis[Any] | None:
    return next((analysis for analysis in ANALYSES if analysis.name == name), None)
