"""Optimizers, schedules and update rules outside ``torch``: optax, Keras and TensorFlow 1.

torch's signatures are generated from the installed torch (``paperlink/data/torch_defaults.json``);
these libraries are not imported by paperlink, so their signatures are stated here by hand,
each from its documented signature (cited per table). A default listed here makes a call that
leaves the argument out an implicit site, as for torch (``optax.adam(lr)`` leaves ``b1=0.9``,
``b2=0.999``, ``eps=1e-8``). Only numeric defaults are listed; ``None`` (computed) is left out.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ExtraApi", "EXTRA_APIS"]


@dataclass(frozen=True)
class ExtraApi:
    """One callable: its kind, positional order, hyperparameters (parameter -> canonical name), defaults."""

    qualified: str
    kind: str
    parameters: tuple[str, ...]
    names: dict[str, str]
    defaults: dict[str, float]


_ADAM_NAMES = {"learning_rate": "learning_rate", "b1": "adam.beta1", "b2": "adam.beta2", "eps": "adam.eps"}

# optax 0.2 (https://optax.readthedocs.io/en/latest/api/optimizers.html), e.g.
# ``adam(learning_rate, b1=0.9, b2=0.999, eps=1e-08, eps_root=0.0, mu_dtype=None, *, nesterov=False)``.
_OPTAX = (
    ExtraApi(
        "optax.adam",
        "optimizer",
        ("learning_rate", "b1", "b2", "eps"),
        _ADAM_NAMES,
        {"b1": 0.9, "b2": 0.999, "eps": 1e-8},
    ),
    ExtraApi(
        "optax.adamw",
        "optimizer",
        ("learning_rate", "b1", "b2", "eps", "eps_root", "mu_dtype", "weight_decay"),
        {**_ADAM_NAMES, "weight_decay": "weight_decay"},
        {"b1": 0.9, "b2": 0.999, "eps": 1e-8, "weight_decay": 1e-4},
    ),
    ExtraApi(
        "optax.lamb",
        "optimizer",
        ("learning_rate", "b1", "b2", "eps", "eps_root", "weight_decay"),
        {**_ADAM_NAMES, "weight_decay": "weight_decay"},
        {"b1": 0.9, "b2": 0.999, "eps": 1e-6, "weight_decay": 0.0},
    ),
    ExtraApi(
        "optax.adabelief",
        "optimizer",
        ("learning_rate", "b1", "b2", "eps"),
        _ADAM_NAMES,
        {"b1": 0.9, "b2": 0.999, "eps": 1e-16},
    ),
    ExtraApi(
        "optax.sgd",
        "optimizer",
        ("learning_rate", "momentum"),
        {"learning_rate": "learning_rate", "momentum": "momentum"},
        {},
    ),
    ExtraApi(
        "optax.rmsprop",
        "optimizer",
        ("learning_rate", "decay", "eps"),
        {"learning_rate": "learning_rate", "decay": "rmsprop.alpha", "eps": "rmsprop.eps"},
        {"decay": 0.9, "eps": 1e-8},
    ),
    ExtraApi(
        "optax.lars",
        "optimizer",
        ("learning_rate", "weight_decay", "weight_decay_mask", "trust_coefficient"),
        {
            "learning_rate": "learning_rate",
            "weight_decay": "weight_decay",
            "trust_coefficient": "lars.trust_coefficient",
            "momentum": "momentum",
        },
        {"weight_decay": 0.0, "trust_coefficient": 0.001, "momentum": 0.9},
    ),
    ExtraApi("optax.clip_by_global_norm", "clip", ("max_norm",), {"max_norm": "max_grad_norm"}, {}),
    ExtraApi("optax.clip", "clip", ("max_delta",), {"max_delta": "max_grad_value"}, {}),
    ExtraApi("optax.add_decayed_weights", "optimizer", ("weight_decay",), {"weight_decay": "weight_decay"}, {}),
    # ``incremental_update(new_tensors, old_tensors, step_size)``: a target network's Polyak update
    ExtraApi("optax.incremental_update", "ema", ("new_tensors", "old_tensors", "step_size"), {"step_size": "tau"}, {}),
    # schedules (https://optax.readthedocs.io/en/latest/api/optimizer_schedules.html)
    ExtraApi(
        "optax.linear_schedule",
        "scheduler",
        ("init_value", "end_value", "transition_steps"),
        {"init_value": "learning_rate", "end_value": "min_lr", "transition_steps": "lr_schedule.steps"},
        {},
    ),
    ExtraApi(
        "optax.cosine_decay_schedule",
        "scheduler",
        ("init_value", "decay_steps", "alpha"),
        {"init_value": "learning_rate", "decay_steps": "lr_schedule.steps", "alpha": "lr_schedule.alpha"},
        {"alpha": 0.0},
    ),
    ExtraApi(
        "optax.warmup_cosine_decay_schedule",
        "scheduler",
        ("init_value", "peak_value", "warmup_steps", "decay_steps", "end_value"),
        {
            "init_value": "lr_schedule.init_value",
            "peak_value": "learning_rate",
            "warmup_steps": "warmup_steps",
            "decay_steps": "lr_schedule.steps",
            "end_value": "min_lr",
        },
        {"end_value": 0.0},
    ),
    ExtraApi(
        "optax.exponential_decay",
        "scheduler",
        ("init_value", "transition_steps", "decay_rate"),
        {"init_value": "learning_rate", "transition_steps": "lr_schedule.steps", "decay_rate": "lr_decay"},
        {},
    ),
)

# Keras 3 / tf.keras (https://keras.io/api/optimizers/), e.g. ``Adam(learning_rate=0.001,
# beta_1=0.9, beta_2=0.999, epsilon=1e-07, ...)``, ``SGD(learning_rate=0.01, momentum=0.0, ...)``.
_KERAS_ADAM = {"learning_rate": "learning_rate", "beta_1": "adam.beta1", "beta_2": "adam.beta2", "epsilon": "adam.eps"}
_KERAS = (
    ExtraApi(
        "Adam",
        "optimizer",
        ("learning_rate", "beta_1", "beta_2", "epsilon"),
        _KERAS_ADAM,
        {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7},
    ),
    ExtraApi(
        "AdamW",
        "optimizer",
        ("learning_rate", "weight_decay", "beta_1", "beta_2", "epsilon"),
        {**_KERAS_ADAM, "weight_decay": "weight_decay"},
        {"learning_rate": 0.001, "weight_decay": 0.004, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7},
    ),
    ExtraApi(
        "SGD",
        "optimizer",
        ("learning_rate", "momentum"),
        {"learning_rate": "learning_rate", "momentum": "momentum"},
        {"learning_rate": 0.01, "momentum": 0.0},
    ),
    ExtraApi(
        "RMSprop",
        "optimizer",
        ("learning_rate", "rho", "momentum", "epsilon"),
        {"learning_rate": "learning_rate", "rho": "rmsprop.alpha", "momentum": "momentum", "epsilon": "rmsprop.eps"},
        {"learning_rate": 0.001, "rho": 0.9, "momentum": 0.0, "epsilon": 1e-7},
    ),
)
# `import tensorflow.compat.v2 as tf` (TF1 code moved to TF2) reaches the same classes
_KERAS_MODULES = (
    "keras.optimizers",
    "tensorflow.keras.optimizers",
    "tensorflow.compat.v2.keras.optimizers",
    "tensorflow.compat.v1.keras.optimizers",
)

# Keras learning-rate schedules (https://keras.io/api/optimizers/learning_rate_schedules/):
# ``CosineDecay(initial_learning_rate, decay_steps, alpha=0.0)``, ``ExponentialDecay(initial_learning_rate,
# decay_steps, decay_rate, staircase=False)``; TF 2.x kept the cosine one under ``keras.experimental``.
_KERAS_SCHEDULES = (
    ExtraApi(
        "CosineDecay",
        "scheduler",
        ("initial_learning_rate", "decay_steps", "alpha"),
        # the decay steps are the training's length, computed from it: not a setting of the schedule
        {"initial_learning_rate": "learning_rate", "alpha": "lr_schedule.alpha"},
        {"alpha": 0.0},
    ),
    ExtraApi(
        "ExponentialDecay",
        "scheduler",
        ("initial_learning_rate", "decay_steps", "decay_rate"),
        {"initial_learning_rate": "learning_rate", "decay_steps": "lr_decay.steps", "decay_rate": "lr_decay"},
        {},
    ),
)
_KERAS_SCHEDULE_MODULES = tuple(
    f"{root}.{place}"
    for root in ("keras", "tensorflow.keras", "tensorflow.compat.v2.keras")
    for place in ("optimizers.schedules", "experimental")
)

# TensorFlow 1 (https://www.tensorflow.org/api_docs/python/tf/compat/v1/train), e.g.
# ``AdamOptimizer(learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-08, ...)``.
_TF1 = (
    ExtraApi(
        "AdamOptimizer",
        "optimizer",
        ("learning_rate", "beta1", "beta2", "epsilon"),
        {"learning_rate": "learning_rate", "beta1": "adam.beta1", "beta2": "adam.beta2", "epsilon": "adam.eps"},
        {"learning_rate": 0.001, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8},
    ),
    ExtraApi("GradientDescentOptimizer", "optimizer", ("learning_rate",), {"learning_rate": "learning_rate"}, {}),
    ExtraApi(
        "MomentumOptimizer",
        "optimizer",
        ("learning_rate", "momentum"),
        {"learning_rate": "learning_rate", "momentum": "momentum"},
        {},
    ),
    ExtraApi(
        "RMSPropOptimizer",
        "optimizer",
        ("learning_rate", "decay", "momentum", "epsilon"),
        {"learning_rate": "learning_rate", "decay": "rmsprop.alpha", "momentum": "momentum", "epsilon": "rmsprop.eps"},
        {"decay": 0.9, "momentum": 0.0, "epsilon": 1e-10},
    ),
)
_TF1_MODULES = ("tensorflow.compat.v1.train", "tensorflow.train")
# TensorFlow 1's learning-rate decays: ``polynomial_decay(learning_rate, global_step, decay_steps,
# end_learning_rate=0.0001, power=1.0, cycle=False)``, ``exponential_decay(learning_rate, global_step,
# decay_steps, decay_rate, staircase=False)``, ``cosine_decay(learning_rate, global_step, decay_steps,
# alpha=0.0)`` (the decay steps are the training's length)
_TF1_SCHEDULES = (
    ExtraApi(
        "polynomial_decay",
        "scheduler",
        ("learning_rate", "global_step", "decay_steps", "end_learning_rate", "power"),
        {"learning_rate": "learning_rate", "end_learning_rate": "min_lr", "power": "lr_schedule.power"},
        {"end_learning_rate": 0.0001, "power": 1.0},
    ),
    ExtraApi(
        "exponential_decay",
        "scheduler",
        ("learning_rate", "global_step", "decay_steps", "decay_rate"),
        {"learning_rate": "learning_rate", "decay_steps": "lr_decay.steps", "decay_rate": "lr_decay"},
        {},
    ),
    ExtraApi(
        "cosine_decay",
        "scheduler",
        ("learning_rate", "global_step", "decay_steps", "alpha"),
        {"learning_rate": "learning_rate", "alpha": "lr_schedule.alpha"},
        {"alpha": 0.0},
    ),
)
# TensorFlow 1's initializers, ``truncated_normal_initializer(mean=0.0, stddev=1.0)`` (BERT's
# ``stddev=initializer_range``, GPT-2's ``random_normal_initializer(stddev=0.02)``)
_TF1_INIT = (
    ExtraApi(
        "truncated_normal_initializer", "init", ("mean", "stddev"), {"mean": "init.mean", "stddev": "init.std"}, {}
    ),
    ExtraApi("random_normal_initializer", "init", ("mean", "stddev"), {"mean": "init.mean", "stddev": "init.std"}, {}),
    ExtraApi("constant_initializer", "init", ("value",), {"value": "init.value"}, {}),
)
_TF1_INIT_MODULES = ("tensorflow", "tensorflow.compat.v1")

# JAX initializers, also under flax (https://jax.readthedocs.io/en/latest/jax.nn.initializers.html):
# ``normal(stddev=0.01)``, ``truncated_normal(stddev=0.01)``, ``uniform(scale=0.01)``,
# ``constant(value)``. An initializer is an explicit choice, so a default is not listed (as for
# torch's ``nn.init``): ``kernel_init=normal()`` states no number.
_INIT = (
    ExtraApi("normal", "init", ("stddev",), {"stddev": "init.std"}, {"stddev": 0.01}),
    ExtraApi("truncated_normal", "init", ("stddev",), {"stddev": "init.std"}, {"stddev": 0.01}),
    ExtraApi("uniform", "init", ("scale",), {"scale": "init.high"}, {"scale": 0.01}),
    ExtraApi("constant", "init", ("value",), {"value": "init.value"}, {}),
)
_INIT_MODULES = ("jax.nn.initializers", "flax.linen.initializers")
# Keras initializers (https://keras.io/api/layers/initializers/): ``RandomNormal(mean=0.0, stddev=0.05)``
_KERAS_INIT = (
    ExtraApi("RandomNormal", "init", ("mean", "stddev"), {"mean": "init.mean", "stddev": "init.std"}, {}),
    ExtraApi("TruncatedNormal", "init", ("mean", "stddev"), {"mean": "init.mean", "stddev": "init.std"}, {}),
    ExtraApi("RandomUniform", "init", ("minval", "maxval"), {"minval": "init.low", "maxval": "init.high"}, {}),
    ExtraApi("Constant", "init", ("value",), {"value": "init.value"}, {}),
)
_KERAS_INIT_MODULES = tuple(
    f"{root}.initializers" for root in ("keras", "tensorflow.keras", "tensorflow.compat.v2.keras")
)


def _placed(apis: tuple[ExtraApi, ...], modules: tuple[str, ...]) -> tuple[ExtraApi, ...]:
    return tuple(
        ExtraApi(f"{module}.{api.qualified}", api.kind, api.parameters, api.names, api.defaults)
        for module in modules
        for api in apis
    )


EXTRA_APIS: tuple[ExtraApi, ...] = (
    *_OPTAX,
    *_placed(_KERAS, _KERAS_MODULES),
    *_placed(_KERAS_SCHEDULES, _KERAS_SCHEDULE_MODULES),
    *_placed(_TF1, _TF1_MODULES),
    *_placed(_TF1_SCHEDULES, _TF1_MODULES),
    *_placed(_TF1_INIT, _TF1_INIT_MODULES),
    *_placed(_INIT, _INIT_MODULES),
    *_placed(_KERAS_INIT, _KERAS_INIT_MODULES),
)
