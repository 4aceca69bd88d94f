"""Which arguments of which APIs are hyperparameters, and what they are called.

Two sources, kept apart on purpose:

* the *signatures and defaults* of torch's APIs come from the installed torch, through
  the generated ``paperlink/data/torch_defaults.json`` (never typed here);
* the *vocabulary* below says which parameters of those APIs are hyperparameters and
  gives each a canonical name shared with the paper reader (``learning_rate``,
  ``adam.eps``, ``weight_decay``, ``dropout``...). Third-party APIs without a generated
  signature list their parameter order here; their defaults are unknown, so they yield
  no implicit sites.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from paperlink.analysis.hyperparameters.optimizers import EXTRA_APIS

__all__ = [
    "Api",
    "api_for",
    "api_names",
    "config_name",
    "known_names",
    "is_neutral",
    "optimizer_names",
    "same_hyperparameter",
]


@dataclass(frozen=True)
class Api:
    """A callable taking hyperparameters: its parameter order, defaults and their names."""

    qualified: str
    kind: str  # optimizer, scheduler, loss, layer, clip, data, ema, augmentation
    parameters: tuple[str, ...]  # positional order, keyword-only ones excluded
    hyperparameters: dict[str, tuple[str, ...]]  # parameter -> canonical name(s); two for betas
    defaults: dict[str, Any]  # parameter -> default (JSON data), only where torch says


_ADAM_FAMILY = frozenset({"Adam", "AdamW", "Adamax", "NAdam", "RAdam", "SparseAdam", "FusedAdam", "Lamb", "Lion"})
_OPTIMIZER_SKIP = frozenset({"params", "foreach", "maximize", "capturable", "differentiable", "fused"})
_SCHEDULER_SKIP = frozenset(
    {"optimizer", "last_epoch", "verbose", "lr_lambda", "anneal_strategy", "mode", "threshold_mode", "eps"}
)
_SCHEDULER_NAMES = {"gamma": "lr_decay", "eta_min": "min_lr", "min_lr": "min_lr", "max_lr": "learning_rate"}
_LOSS_NAMES = {"label_smoothing": "label_smoothing", "margin": "margin", "beta": "huber_delta", "delta": "huber_delta"}
_CLIP_NAMES = {"max_norm": "max_grad_norm", "clip_value": "max_grad_value"}


def _optimizer_names(class_name: str, parameter: str) -> tuple[str, ...]:
    family = "adam" if class_name in _ADAM_FAMILY else class_name.lower()
    if parameter in ("lr", "learning_rate"):
        return ("learning_rate",)
    if parameter in ("weight_decay", "momentum"):
        return (parameter,)
    if parameter == "betas":
        return (f"{family}.beta1", f"{family}.beta2")
    return (f"{family}.{parameter}",)


def optimizer_names(class_name: str, parameter: str) -> tuple[str, ...]:
    """Canonical names of an optimizer's parameter (a project's own optimizer class too); none for
    what is not a hyperparameter (``params``, ``foreach``)."""
    return () if parameter in _OPTIMIZER_SKIP else _optimizer_names(class_name, parameter)


def _layer_names(qualified: str, parameter: str) -> tuple[str, ...]:
    """Hyperparameters of layers and functions, by the name of the API and the parameter."""
    api = qualified.rsplit(".", 1)[-1].lower()
    if "dropout" in api and parameter == "p":
        return ("dropout",)
    if parameter in ("dropout", "attn_dropout"):
        return ("attention_dropout" if "attention" in api else "dropout",)
    if parameter == "layer_norm_eps" or (parameter == "eps" and "layer_norm" in api.replace("layernorm", "layer_norm")):
        return ("ln.eps",)
    if parameter in ("eps", "momentum"):
        for marker, prefix in (("batch", "bn"), ("group", "gn"), ("instance", "in"), ("rms", "rms_norm")):
            if marker in api:
                return ("bn_momentum",) if (prefix, parameter) == ("bn", "momentum") else (f"{prefix}.{parameter}",)
        return ()
    if parameter == "negative_slope":
        return ("leaky_relu.negative_slope",)
    if parameter == "tau" and "gumbel" in api:
        return ("gumbel.tau",)
    if parameter == "dim_feedforward":
        return ("d_ff",)
    return ()


def _init_names(function: str, parameter: str) -> tuple[str, ...]:
    """``normal_(w, std=0.02)`` is ``init.std``; kaiming's ``a`` is an activation's slope, not a scale."""
    if parameter in ("std", "mean", "gain", "val", "sparsity") or (
        parameter in ("a", "b") and "kaiming" not in function
    ):
        return ({"val": "init.value", "a": "init.low", "b": "init.high"}.get(parameter, f"init.{parameter}"),)
    return ()


def _torch_hyperparameters(qualified: str, kind: str, parameters: list[dict[str, Any]]) -> dict[str, tuple[str, ...]]:
    names: dict[str, tuple[str, ...]] = {}
    class_name = qualified.rsplit(".", 1)[-1]
    for parameter in parameters:
        name = parameter["name"]
        if kind == "optimizer" and name not in _OPTIMIZER_SKIP:
            found = _optimizer_names(class_name, name)
        elif kind == "scheduler" and name not in _SCHEDULER_SKIP:
            found = (_SCHEDULER_NAMES.get(name, f"lr_schedule.{name}"),)
        elif kind == "loss" or (kind == "functional" and name in _LOSS_NAMES and "loss" in class_name):
            found = (_LOSS_NAMES[name],) if name in _LOSS_NAMES else ()
        elif kind == "clip":
            found = (_CLIP_NAMES[name],) if name in _CLIP_NAMES else ()
        elif kind == "data":
            found = ("batch_size",) if name == "batch_size" else ()
        elif kind == "init":
            found = _init_names(class_name, name)
        else:
            found = _layer_names(qualified, name)
        if found:
            names[name] = found
    return names


# Third-party APIs: (qualified name, kind, positional order, {parameter: canonical name}).
_OPTIMIZER_KEYWORDS = {"lr": "learning_rate", "weight_decay": "weight_decay", "momentum": "momentum", "eps": "adam.eps"}
_THIRD_PARTY: tuple[tuple[str, str, tuple[str, ...], dict[str, str]], ...] = (
    (
        "timm.optim.create_optimizer_v2",
        "optimizer",
        ("model_or_params", "opt", "lr", "weight_decay", "momentum"),
        _OPTIMIZER_KEYWORDS,
    ),
    ("timm.optim.create_optimizer", "optimizer", ("args", "model"), {}),
    ("timm.utils.ModelEmaV2", "ema", ("model", "decay"), {"decay": "ema_decay"}),
    ("timm.utils.ModelEmaV3", "ema", ("model", "decay"), {"decay": "ema_decay"}),
    ("timm.utils.ModelEma", "ema", ("model", "decay"), {"decay": "ema_decay"}),
    ("timm.loss.LabelSmoothingCrossEntropy", "loss", ("smoothing",), {"smoothing": "label_smoothing"}),
    (
        "timm.data.Mixup",
        "augmentation",
        ("mixup_alpha", "cutmix_alpha"),
        {
            "mixup_alpha": "mixup_alpha",
            "cutmix_alpha": "cutmix_alpha",
            "prob": "mixup_prob",
            "switch_prob": "mixup_switch_prob",
            "label_smoothing": "label_smoothing",
        },
    ),
    (
        "transformers.AdamW",
        "optimizer",
        ("params", "lr", "betas", "eps", "weight_decay"),
        {
            "lr": "learning_rate",
            "eps": "adam.eps",
            "weight_decay": "weight_decay",
        },
    ),
    (
        "transformers.get_linear_schedule_with_warmup",
        "scheduler",
        ("optimizer", "num_warmup_steps", "num_training_steps"),
        {
            "num_warmup_steps": "warmup_steps",
            "num_training_steps": "training_steps",
        },
    ),
    (
        "transformers.get_cosine_schedule_with_warmup",
        "scheduler",
        ("optimizer", "num_warmup_steps", "num_training_steps"),
        {
            "num_warmup_steps": "warmup_steps",
            "num_training_steps": "training_steps",
        },
    ),
    (
        "apex.parallel.LARC.LARC",
        "optimizer",
        ("optimizer", "trust_coefficient", "clip", "eps"),
        {
            "trust_coefficient": "lars.trust_coefficient",
        },
    ),
    ("ema_pytorch.EMA", "ema", ("model",), {"beta": "ema_decay", "update_every": "ema_update_every"}),
    ("torch_ema.ExponentialMovingAverage", "ema", ("parameters", "decay"), {"decay": "ema_decay"}),
    (
        "lion_pytorch.Lion",
        "optimizer",
        ("params", "lr", "betas", "weight_decay"),
        {
            "lr": "learning_rate",
            "weight_decay": "weight_decay",
        },
    ),
    ("gymnasium.wrappers.FrameStack", "environment", ("env", "num_stack"), {"num_stack": "frame_stack"}),
    ("gymnasium.wrappers.FrameStackObservation", "environment", ("env", "stack_size"), {"stack_size": "frame_stack"}),
    ("gym.wrappers.FrameStack", "environment", ("env", "num_stack"), {"num_stack": "frame_stack"}),
    (
        "gymnasium.wrappers.AtariPreprocessing",
        "environment",
        ("env", "noop_max", "frame_skip"),
        {
            "noop_max": "noop_max",
            "frame_skip": "frame_skip",
        },
    ),
    (
        "stable_baselines3.common.atari_wrappers.NoopResetEnv",
        "environment",
        ("env", "noop_max"),
        {"noop_max": "noop_max"},
    ),
    ("stable_baselines3.common.atari_wrappers.MaxAndSkipEnv", "environment", ("env", "skip"), {"skip": "frame_skip"}),
    (
        "torchvision.transforms.RandomResizedCrop",
        "augmentation",
        ("size", "scale", "ratio"),
        {"scale": "aug.crop_scale"},
    ),
    (
        "torchvision.transforms.ColorJitter",
        "augmentation",
        ("brightness", "contrast", "saturation", "hue"),
        {
            "brightness": "aug.brightness",
            "contrast": "aug.contrast",
            "saturation": "aug.saturation",
            "hue": "aug.hue",
        },
    ),
    ("torchvision.transforms.RandomGrayscale", "augmentation", ("p",), {"p": "aug.grayscale_p"}),
    ("torchvision.transforms.RandomHorizontalFlip", "augmentation", ("p",), {"p": "aug.flip_p"}),
    ("torchvision.transforms.RandomApply", "augmentation", ("transforms", "p"), {"p": "aug.apply_p"}),
    (
        "torchvision.transforms.RandAugment",
        "augmentation",
        ("num_ops", "magnitude"),
        {
            "num_ops": "aug.randaugment_ops",
            "magnitude": "aug.randaugment_magnitude",
        },
    ),
    ("torchvision.transforms.RandomErasing", "augmentation", ("p",), {"p": "aug.erasing_p"}),
    # PyTorch Lightning's Trainer (https://lightning.ai/docs/pytorch/stable/common/trainer.html):
    # the training length, gradient clipping and accumulation it runs with
    *(
        (
            f"{module}.Trainer",
            "data",
            (),
            {
                "max_epochs": "epochs",
                "max_steps": "training_steps",
                "gradient_clip_val": "max_grad_norm",
                "accumulate_grad_batches": "accumulate_grad_batches",
            },
        )
        for module in ("pytorch_lightning", "lightning.pytorch", "lightning")
    ),
    (
        "torchvision.transforms.GaussianBlur",
        "augmentation",
        ("kernel_size", "sigma"),
        {"kernel_size": "aug.blur_kernel_size", "sigma": "aug.blur_sigma"},
    ),
)
_THIRD_PARTY_BETAS = frozenset({"transformers.AdamW", "lion_pytorch.Lion"})


# documented defaults of third-party APIs where a call may write part of one (torchvision's
# RandomResizedCrop crops a fraction (0.08, 1.0) of the image: `scale=(args.crop_min, 1.)` sets only
# the lower end)
_THIRD_PARTY_DEFAULTS: dict[str, dict[str, Any]] = {"torchvision.transforms.RandomResizedCrop": {"scale": [0.08, 1.0]}}


@functools.cache
def _registry() -> dict[str, Api]:
    """Every known API by qualified name (the generated torch table is read on first use)."""
    from paperlink.data import torch_defaults

    apis: dict[str, Api] = {}
    for qualified, entry in torch_defaults()["apis"].items():
        parameters = entry["parameters"]
        names = _torch_hyperparameters(qualified, entry["family"], parameters)
        if not names:
            continue
        kind = "layer" if entry["family"] == "functional" else entry["family"]
        order = tuple(p["name"] for p in parameters if not p.get("keyword_only"))
        defaults = {p["name"]: p["default"] for p in parameters if "default" in p}
        apis[qualified] = Api(qualified, kind, order, names, defaults)
    for qualified, kind, order, keywords in _THIRD_PARTY:
        keyword_names: dict[str, tuple[str, ...]] = {parameter: (name,) for parameter, name in keywords.items()}
        if qualified in _THIRD_PARTY_BETAS:
            keyword_names["betas"] = ("adam.beta1", "adam.beta2")
        apis[qualified] = Api(qualified, kind, order, keyword_names, dict(_THIRD_PARTY_DEFAULTS.get(qualified, {})))
    for extra in EXTRA_APIS:
        extra_names: dict[str, tuple[str, ...]] = {parameter: (name,) for parameter, name in extra.names.items()}
        apis[extra.qualified] = Api(extra.qualified, extra.kind, extra.parameters, extra_names, dict(extra.defaults))
    return apis


def api_for(qualified: str | None) -> Api | None:
    return _registry().get(qualified) if qualified else None


@functools.cache
def api_names() -> frozenset[str]:
    """The last component of every known API (``Adam``, ``clip_grad_norm_``): a cheap filter
    applied before a call's qualified name is resolved."""
    return frozenset(name.rsplit(".", 1)[-1] for name in _registry())


# --- names in configuration ------------------------------------------------------------

_CONFIG_NAMES = {
    "learning_rate": "lr learning_rate base_lr lr_base init_lr initial_lr",
    "weight_decay": "wd weight_decay l2 l2_reg",
    "batch_size": "bs batch_size batch train_batch_size per_device_train_batch_size mini_batch_size minibatch_size",
    "momentum": "momentum mom",
    "dropout": "dropout drop drop_rate dropout_rate p_drop pdrop dropout_prob hidden_dropout_prob drop_prob",
    "attention_dropout": "attn_drop attn_drop_rate attention_dropout attn_dropout attn_pdrop",
    "drop_path": "drop_path drop_path_rate stochastic_depth",
    "adam.beta1": "beta1 adam_beta1 b1",
    "adam.beta2": "beta2 adam_beta2 b2",
    "adam.eps": "adam_eps adam_epsilon opt_eps",
    "gamma": "gamma discount discount_factor",
    "gae_lambda": "gae_lambda lam gae_lam",
    "tau": "tau polyak soft_update_tau",
    "target_update_period": "target_update target_update_freq target_network_frequency target_update_interval"
    " target_update_period target_update_frequency",
    "buffer_size": "buffer_size replay_size memory_size replay_buffer_size replay_capacity memory_capacity",
    "epochs": "epochs num_epochs n_epochs max_epochs train_epochs",
    "warmup_steps": "warmup warmup_steps num_warmup_steps warmup_iters",
    "warmup_epochs": "warmup_epochs warmup_epoch",
    "training_steps": "total_steps total_timesteps max_steps train_steps training_steps num_iterations"
    " max_iter max_iters iterations n_iter train_num_steps num_updates nupdates total_updates",
    "label_smoothing": "label_smoothing smoothing",
    "temperature": "temperature temp",
    # what a sampler keeps of the distribution: the k most likely tokens, the smallest set of mass p
    "top_k": "top_k",
    "top_p": "top_p",
    "max_grad_norm": "max_grad_norm clip_grad grad_clip clip_grad_norm gradient_clip_val clip_norm max_norm grad_norm_clip"
    " grad_norm_clipping",
    "ema_decay": "ema_decay model_ema_decay ema_rate ema_beta",
    "target_kl": "target_kl kl_target",
    "lr_decay": "lr_decay lr_gamma decay_rate",
    "min_lr": "min_lr lr_min eta_min",
}
_BY_IDENTIFIER = {word: name for name, words in _CONFIG_NAMES.items() for word in words.split()}
# Settings that are not hyperparameters of the method: where to run, what to print, when to save.
_NOT_HYPERPARAMETER = re.compile(
    r"(?:^|_)(?:seed|seeds|workers|gpu|gpus|device|devices|world_size|rank|local_rank|port|verbose|debug"
    r"|resume|start_epoch|num_classes|in_chans|cuda|track|capture_video)$"
    # (`log_std_max`, `log_alpha`: a logarithm, not logging)
    r"|^(?:log(?!_(?:std|sig|sigma|alpha|var|scale))|save|print|eval|evaluation|checkpoint|ckpt|vis|wandb|tb|dist"
    r"|val|test|num_workers|prefetch|pin"
    r"|stats|upload)(?:_|$)"
    r"|^j$|_(?:eval|evaluation|test)_"
    # the machine (CPU threads, mixed precision, compilation) and the data (image channels,
    # classes), not the method; `epoch` alone is where a resumed run starts
    r"|^(?:n_|num_)?(?:cpu|cpus|threads|channels|classes)$|^epoch$"
    # gradient (activation) checkpointing trades compute for memory: same results (`--gradient_checkpointing`)
    r"|(?:^|_)checkpointing$"
    # a trial run on a small machine (`runlocal=False`, `--smoke_test`, `--dry_run`)
    r"|^(?:runlocal|run_local|smoke_test|dry_run)$"
    # which phases a run performs (`do_train`, `do_eval`, `do_predict`) and how many steps a TPU
    # runs on the device between host calls (`iterations_per_loop`, `steps_per_loop`): what the run
    # does and how it is driven, not the method
    r"|^do_(?:train|training|eval|evaluation|predict|prediction|test|export)$|^(?:iterations|steps)_per_loop$"
    # the data's normalisation statistics (`PIXEL_MEAN = [103.53, 116.28, 123.675]`, `img_std`)
    r"|(?:^|_)(?:pixel|img|image|input|rgb)_(?:mean|std)$"
    # a stand-in for infinity masking logits (`LARGE_NUM = 1e9`, `NEG_INF`): any large value does
    r"|^(?:large|big|huge)_(?:num|number|value)$|(?:^|_)inf(?:inity)?$"
    # an attention kernel (`flash_attn`, `use_flash`) and how a batch is split over devices
    # (`split_batches`): how it is computed, not what
    r"|(?:^|_)flash(?:_attn|_attention)?$|^split_batches$"
    r"|(?:^|_)(?:amp|fp16|bf16|compile|deterministic|torch_deterministic|render|progress_bar|memory_usage"
    r"|inplace|foreach|fused|capturable|differentiable|maximize|tqdm|cleanup|exist_ok|plots|noplots"
    # the number formats and memory layout kernels use (`allow_tf32`, `--fp32`, `--nhwc`) and how
    # devices are laid out (`mesh_dim='1,-1,1'`)
    r"|tf32|fp32|nhwc|channels_last|mesh|mesh_dim|mesh_shape)$"
    # how many GPUs (`--ngpu`, `n_gpus`); progress reports and snapshots counted in ticks
    # (`kimg_per_tick`, `image_snapshot_ticks`): when to report and save, not the method
    r"|^n_?gpus?$|(?:^|_)(?:per_tick|ticks|snapshot|snapshots)$|(?:^|_)snapshot_"
    # saving, loading, logging and launching, wherever the word stands (`always_save_checkpoint`,
    # `--multiprocessing-distributed`, `--enable-cudnn`, `--evaluate`)
    r"|(?:^|_)(?:save|checkpoint|ckpt|load|evaluate|wandb|tensorboard|cudnn|bzip|multiprocessing|distributed"
    r"|profile|profiling|gpu_id|gpu_ids|device_id|tpu|tpus|hub_module|export|mpi)(?:_|$)"
    # how many saved files to keep (`keep_checkpoint_max`, `keep_hub_module_max`)
    r"|^keep_\w+_max$"
    # how the data is fed and the run laid out (`--shuffle`, `shuffle_buffer`, `drop_last`,
    # `--parallel`, `--hdf5`), where files go, and what only an evaluation or a sampling script
    # reads (`--no-fid`, `num_inception_images`, `--sample-sheets`)
    r"|(?:^|_)(?:shuffle|hdf5|parallel|mixed_precision|fid|inception|hashname)(?:_|$)"
    r"|(?:^|_)(?:drop_last|sampler|copies|dir|path|filename|dataset|eval)$|^sample_|^start_(?:itr|iter|step)$"
    # the evaluation's own batch (`n_batch_test`), an inference-only mode (`--inference`), how the
    # data is iterated (`direct_iterator`), the best accuracy so far (`top1`, `top5`)
    r"|(?:^|_)(?:test|valid|validation|inference|iterator)$|^top\d+$"
    # which layers' features a backbone returns (`out_indices=(1, 2, 3)`): a use of the model;
    # how many samples to draw or tokens to generate (`--n_sample`, `num_samples`, `max_new_tokens`)
    r"|(?:^|_)indices$|^(?:n|num)_?samples?$|^max_new_tokens$"
)
_EVALUATION_EPSILON = re.compile(r"^(?:eval|evaluation)_(?:\w+_)?(?:epsilon|eps)$|^(?:epsilon|eps)_eval$")
_SPLIT = re.compile(r"^(?:val|valid|validation|test)_(?:percent|fraction|ratio|split|size)$")
# How often to log, save or evaluate is not a hyperparameter; how often to train or update is.
_FREQUENCY = re.compile(r"_(?:freq|interval|every)$")
# (`d_reg_every`: a lazy regularisation's period changes what is learned)
_TRAINING_FREQUENCY = re.compile(r"(?:^|_)(?:train|training|update|target|sde|policy|replay|gradient|reg)(?:_|$)")
# `batch_size_per_gpu` is the batch size, counted per device
_PER_DEVICE = re.compile(r"_per_(?:gpu|device|replica|core|worker)$")
# `--nosave`, `--noval`, `--no-wandb`: a switch turning off something the vocabulary rules out
_SWITCHED_OFF = re.compile(r"^no_?(?=[a-z])")


@functools.lru_cache(maxsize=4096)  # asked for the same parameter names again and again (`dim`, `drop_rate`)
def config_name(identifier: str) -> str | None:
    """Canonical name of a flag or field (``--weight-decay`` -> ``weight_decay``; ``--lr`` ->
    ``learning_rate``); None for settings that are not hyperparameters (``--seed``, ``--workers``)."""
    word = identifier.lstrip("-").replace("-", "_").lower()
    if not word or not word.isidentifier():
        return None
    word = _PER_DEVICE.sub("", word) or word
    off = _SWITCHED_OFF.sub("", word)
    if off != word and off.isidentifier() and config_name(off) is None:
        return None
    if word in _BY_IDENTIFIER:
        return _BY_IDENTIFIER[word]
    if _SPLIT.search(word):
        return word  # how much data is held out (`val_percent`) changes what is trained on
    if _EVALUATION_EPSILON.search(word):
        return word  # the exploration left while evaluating a DQN agent is stated with its other settings
    if _NOT_HYPERPARAMETER.search(word) or _FREQUENCY.search(word) and not _TRAINING_FREQUENCY.search(word):
        return None
    return word


@functools.lru_cache(maxsize=4096)  # asked for every keyword of a collected call
def is_known_setting(identifier: str) -> bool:
    """Whether a parameter or field name is a hyperparameter the vocabulary knows by name
    (``lr``, ``gamma``, ``n_epochs``, ``dropout``, ``temperature``), not only one it does not rule out."""
    word = identifier.lstrip("-").replace("-", "_").lower()
    # `actor_lr`, `critic_lr`, `temp_lr`: the learning rate of one part; a decay
    # (`def g_path_regularize(..., decay=0.01)`: a running mean's); SAC's entropy target
    # `lr_anneal_steps`, `lr_decay_iters`: a setting of the learning rate's schedule
    return word in _BY_IDENTIFIER or word in known_names() or bool(_PART_RATE.search(word)) or word.startswith("lr_")


_PART_RATE = re.compile(r"^[a-z]\w*_(?:lr|learning_rate)$|^(?:[a-z]\w*_)?decay$|^target_entropy$")


@functools.cache
def known_names() -> frozenset[str]:
    """Every canonical name the vocabulary gives: the config words' and the known APIs' parameters'."""
    from_apis = {name for api in _registry().values() for names in api.hyperparameters.values() for name in names}
    return frozenset(_CONFIG_NAMES) | from_apis


# --- values that switch a hyperparameter off ---------------------------------------------

# A literal equal to one of these is "no such term" (no dropout, no weight decay) or the
# identity of a scale (lr=1.0 as the base a scheduler multiplies), not a hidden choice.
_NEUTRAL = {
    "weight_decay": (0.0,),
    "dropout": (0.0,),
    "attention_dropout": (0.0,),
    "drop_path": (0.0,),
    "label_smoothing": (0.0,),
    "momentum": (0.0,),
    "learning_rate": (0.0, 1.0),  # 0: a placeholder a scheduler overwrites
    "bn_momentum": (0.0,),  # batch_norm used to standardise, without running statistics
    "margin": (0.0,),
    "init.mean": (0.0,),  # a zero-mean draw, a zero bias, a unit gain: the initialiser's identity
    "init.value": (0.0, 1.0),
    "init.gain": (1.0,),
    "init.low": (0.0,),
    "init.high": (0.0, 1.0),
    # the mean of two or three terms and the 1/2 of a squared error: conventions, not tuned weights
    "loss_average": (0.5, 2.0, 3.0, 1 / 3),
    "loss_scale": (0.5,),
}


def is_neutral(name: str, value: float) -> bool:
    if name.startswith("loss_weight.") and value in (0.0, 1.0):
        return True  # a term left out or added as it is
    return value in _NEUTRAL.get(name, ())


# --- matching code names with the paper's keys -------------------------------------------

# Paper keys (the LaTeX reader's vocabulary and slugs) that name the same thing as a code name.
_ALIASES = {
    "huber_threshold": "huber_delta",
    "huber_beta": "huber_delta",
    "kappa": "huber_delta",
    "target_update_rate": "tau",
    "replay_capacity": "buffer_size",
    "discount": "gamma",
    "lr": "learning_rate",
    "bn_eps": "bn.eps",
    "ffn_dimension": "d_ff",
}
_OPTIMIZER_PREFIXES = ("adam.", "sgd.", "rmsprop.", "adagrad.", "adadelta.", "lamb.", "lars.")


def _alias(name: str) -> str:
    return _ALIASES.get(name, name)


def same_hyperparameter(code_name: str, paper_key: str) -> bool:
    """Whether a code name and a paper key (without ``hp:``) name one hyperparameter.

    Besides equality (after aliases): a paper that says "epsilon" without naming Adam
    means the optimizer's (``eps`` ~ ``adam.eps``), and a config field ``beta1`` is the
    paper's ``adam.beta1``.
    """
    code, paper = (
        _alias(code_name),
        _alias(_BY_IDENTIFIER.get(paper_key, paper_key)),
    )  # hp:replay_buffer_size is buffer_size
    if code == paper:
        return True
    if "." not in paper and code.startswith(_OPTIMIZER_PREFIXES):
        return code.split(".", 1)[1] == paper
    if "." not in code and paper.startswith(_OPTIMIZER_PREFIXES):
        return paper.split(".", 1)[1] == code
    return False
