"""PL4xx: every hyperparameter in code, tied to the paper and checked against it.

``scan`` (per file, :mod:`.scan`) finds hyperparameter sites: arguments of known APIs
(:mod:`.vocabulary`, with torch's defaults from the generated table), configuration
declarations and what ``args.x`` stands for (:mod:`.config`), loss-term coefficients and
moving-average decays. ``conclude`` (:mod:`.table`) joins them with the paper and builds the
``hyperparameters`` section, the table ``paperlink hparams`` prints
(:mod:`paperlink.hyperparameter_formats`).
"""

from __future__ import annotations

from paperlink.analysis.base import Analysis
from paperlink.analysis.hyperparameters.facts import HyperparameterFacts, Site, SiteKind, Source
from paperlink.analysis.hyperparameters.scan import scan
from paperlink.analysis.hyperparameters.table import conclude

__all__ = ["HYPERPARAMETERS", "HyperparameterFacts", "Site", "SiteKind", "Source", "scan", "conclude"]

HYPERPARAMETERS: Analysis[HyperparameterFacts] = Analysis(
    name="hyperparameters",
    facts=HyperparameterFacts,
    scan=scan,
    conclude=conclude,
)
