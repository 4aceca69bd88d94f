"""What the hyperparameter scan finds in one file: sites, as plain frozen data (cached as JSON)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from paperlink.configfiles.model import HydraMain  # the scan records it; the engine reads its tree
from paperlink.spans import Span

__all__ = ["Source", "SiteKind", "Site", "HydraMain", "HyperparameterFacts"]


class Source(enum.Enum):
    """Where a site's value comes from."""

    LITERAL = "literal"  # written in the code, here or in a constant it names
    CONFIG = "config"  # a flag, a config field, a parameter: someone can change it without editing code
    DEFAULT = "default"  # not written at all: the library's default applies


class SiteKind(enum.Enum):
    """What kind of code sets the hyperparameter."""

    OPTIMIZER = "optimizer"
    SCHEDULER = "scheduler"
    LOSS = "loss"
    LAYER = "layer"
    CLIP = "clip"
    DATA = "data"
    EMA = "ema"
    AUGMENTATION = "augmentation"
    ENVIRONMENT = "environment"  # frame skip, frame stack, no-op starts: the environment's settings
    LOSS_TERM = "loss_term"  # a coefficient in `loss = a + 0.5 * b`
    INIT = "init"  # an initialisation scale: `normal_(w, std=0.02)`, `bias.zero_()`
    SAMPLING = "sampling"  # a sampling temperature, top-k/top-p, an epsilon-greedy epsilon
    STABILITY = "stability"  # an epsilon keeping a denominator off zero: `x / (x.std() + 1e-8)`
    CONFIG = "config"  # a declaration: argparse/click flag, dataclass field, OmegaConf key
    CONFIG_FILE = "config_file"  # a key of a YAML/JSON/TOML config file (a Hydra tree composed)


@dataclass(frozen=True)
class Site:
    """One place in code that sets (or, for a default, leaves) a hyperparameter."""

    name: str  # canonical: learning_rate, adam.eps, weight_decay, loss_weight.kl
    value: str  # as written (``5e-4``, ``args.lr``), or the default (``1e-8``)
    numeric: float | None  # None when symbolic: the code does not say the number
    span: Span
    source: Source
    configurable: bool
    kind: SiteKind
    api: str | None = None  # qualified name of the call, or the declaring API (argparse, click, dataclass)
    label: str = ""  # what the code calls it: the parameter, flag or field (``eps``, ``--weight-decay``)
    anchors: tuple[int, ...] = ()  # lines of the statements an annotation can bind to
    origin: Span | None = None  # where the value is written, when not at ``span`` (a flag's default)
    origin_label: str = ""  # the flag or field at ``origin``
    default: float | None = None  # the library's default for this argument, where known
    scope: str = ""  # for a value that is a bare name left symbolic: the definition it is in (``Agent.__init__``)
    # the value is read here from a setting written elsewhere (``lr=args.lr``, ``lr=self.lr``): the
    # setting is the site, so the table lists this one where the value is written (``origin``), or not at all
    read: bool = False


@dataclass(frozen=True)
class HyperparameterFacts:
    """Every hyperparameter site of one file, in source order, and the Hydra configs it loads."""

    sites: tuple[Site, ...] = ()
    hydra: tuple[HydraMain, ...] = ()
