"""The inventory of hyperparameters written as numeric idioms (:mod:`paperlink.analysis.hyperparameters.idioms`)
and of optimizers outside torch (:mod:`paperlink.analysis.hyperparameters.optimizers`)."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

from paperlink.analysis.hyperparameters import scan
from paperlink.analysis.hyperparameters.optimizers import EXTRA_APIS
from paperlink.analysis.hyperparameters.vocabulary import api_for
from paperlink.source.code import CodeModule

FIXTURES = Path(__file__).resolve().parent.parent / "rules" / "fixtures" / "PL401_hidden"
Row = tuple[int, str, str, float | None, str, bool, str]


def sites(text: str) -> list[Row]:
    """(line, name, value, number, source, configurable, kind) of every site in ``text``."""
    text = textwrap.dedent(text)
    facts = scan(CodeModule("m.py", text, ast.parse(text)))
    return [
        (s.span.line, s.name, s.value, s.numeric, s.source.value, s.configurable, s.kind.value) for s in facts.sites
    ]


def test_loss_weights_init_scales_widths_and_optax_in_the_flagged_fixture() -> None:
    assert sites((FIXTURES / "numeric_idioms.py").read_text()) == [
        (7, "lambda_gp", "10", 10.0, "literal", False, "loss_term"),  # at the literal, not at `lambda_gp * penalty`
        (14, "n_embd.multiplier", "4", 4.0, "literal", False, "layer"),
        (15, "n_embd.multiplier", "4", 4.0, "literal", False, "layer"),  # line 13's `3 *` (one layer) is a shape
        (16, "init.std", "0.02", 0.02, "literal", False, "init"),  # mean=0.0 is the standard start: no site
        (17, "init.std", ".02", 0.02, "literal", False, "init"),
        (18, "init.std", "0.02 / math.sqrt(2 * config.n_layer)", None, "config", True, "init"),
        (19, "init.gain", "math.sqrt(2)", None, "config", True, "init"),
        (20, "init.value", "0.1", 0.1, "literal", False, "init"),
        (24, "lr_scaling.base_batch_size", "256", 256.0, "literal", False, "scheduler"),
        (25, "max_grad_norm", "1.0", 1.0, "literal", False, "clip"),
        (25, "adam.beta2", "0.999", 0.999, "default", False, "optimizer"),
        (25, "adam.eps", "1e-8", 1e-08, "default", False, "optimizer"),
        (25, "learning_rate", "args.lr * args.batch_size / 256", None, "config", True, "optimizer"),
        (25, "adam.beta1", "0.5", 0.5, "literal", False, "optimizer"),
        (28, "lr_decay", "0.1", 0.1, "literal", False, "scheduler"),
        (31, "loss_scale", "100", 100.0, "literal", False, "loss_term"),
        (36, "epsilon_greedy", "0.05", 0.05, "config", True, "sampling"),
        # a project helper whose parameter reaches an initialiser: its default (bias_const=0.0 is the standard start)
        (42, "init.gain", "math.sqrt(2)", None, "config", True, "init"),
        (43, "init.gain", "std", None, "config", True, "init"),
        # `uniform_(-mu_range, mu_range)`: the range is written at `mu_range = ...`
        (50, "init.high", "1 / math.sqrt(self.in_features)", None, "config", True, "init"),
        (50, "init.low", "-mu_range", None, "config", True, "init"),
        (
            55,
            "target_entropy",
            "-torch.prod(torch.tensor(env.action_space.shape)).item()",
            None,
            "literal",
            False,
            "loss",
        ),
    ]


def test_negatives_stay_out_of_the_inventory() -> None:
    """Shapes, indices, intervals, ImageNet statistics, docstring numbers, `1 - m`, zero and unit
    starts, a loss only logged: none is a site. What is left is a site without PL401."""
    assert sites((FIXTURES / "numeric_negatives.py").read_text()) == [
        (17, "ln.eps", "1e-5", 1e-05, "default", False, "layer"),
        (31, "m", "0.999", 0.999, "config", True, "config"),  # the momentum itself, a signature setting
        (38, "m", "self.m", None, "config", True, "ema"),  # the decay, read from the instance; the 1.0 is not
        (45, "loss_average", "2", 2.0, "literal", False, "loss_term"),
        (46, "loss_scale", "0.5", 0.5, "literal", False, "loss_term"),  # line 48 is only printed
    ]


def test_schedules_written_by_hand_and_scheduler_classes() -> None:
    assert sites("""
        import math

        import optax
        import torch
        from torch.optim import lr_scheduler


        def get_lr(it, learning_rate, min_lr, warmup_iters, lr_decay_iters):
            if it < warmup_iters:
                return learning_rate * (it + 1) / (warmup_iters + 1)
            decay_ratio = (it - warmup_iters) / (lr_decay_iters - warmup_iters)
            coeff = 0.5 * (1.0 + math.cos(math.pi * decay_ratio))
            return min_lr + coeff * (learning_rate - min_lr)


        def adjust_learning_rate(optimizer, epoch, args):
            lr = args.lr * 0.5 * (1.0 + math.cos(math.pi * epoch / args.epochs))
            for param_group in optimizer.param_groups:
                param_group["lr"] = lr


        def train(model, optimizer, args, iteration, target_params, params):
            sched = lr_scheduler.LambdaLR(optimizer, lambda epoch: 1.0 - epoch / args.epochs)
            plateau = lr_scheduler.ReduceLROnPlateau(optimizer, "max", patience=5)
            frac = 1.0 - (iteration - 1.0) / args.num_iterations
            groups = [{"params": model.decay, "weight_decay": 0.1}, {"params": model.rest, "weight_decay": 0.0}]
            synced = optax.incremental_update(params, target_params, 1)
            tracked = optax.incremental_update(params, target_params, 0.005)
            tx = optax.chain(optax.clip_by_global_norm(0.5), optax.sgd(args.lr, momentum=0.9))
            return sched, plateau, frac, groups, synced, tracked, tx
    """) == [
        (
            11,
            "lr_schedule.warmup",
            "learning_rate * (it + 1) / (warmup_iters + 1)",
            None,
            "literal",
            False,
            "scheduler",
        ),
        # the whole formula is the schedule, not only its `1 + cos(...)` term
        (
            13,
            "lr_schedule.cosine",
            "0.5 * (1.0 + math.cos(math.pi * decay_ratio))",
            None,
            "literal",
            False,
            "scheduler",
        ),
        (
            18,
            "lr_schedule.cosine",
            "args.lr * 0.5 * (1.0 + math.cos(math.pi * epoch / args.ep...",
            None,
            "literal",
            False,
            "scheduler",
        ),
        (24, "lr_schedule", "lr_scheduler.LambdaLR", None, "literal", False, "scheduler"),
        (24, "schedule.linear", "1.0 - epoch / args.epochs", None, "literal", False, "scheduler"),
        (25, "lr_schedule.cooldown", "0", 0.0, "default", False, "scheduler"),
        (25, "lr_schedule.factor", "0.1", 0.1, "default", False, "scheduler"),
        (25, "lr_schedule.threshold", "1e-4", 0.0001, "default", False, "scheduler"),
        (25, "min_lr", "0", 0.0, "default", False, "scheduler"),
        (25, "lr_schedule.patience", "5", 5.0, "literal", False, "scheduler"),
        (26, "schedule.linear", "1.0 - (iteration - 1.0) / args.num_iterations", None, "literal", False, "scheduler"),
        (27, "weight_decay", "0.1", 0.1, "literal", False, "optimizer"),
        (27, "weight_decay", "0.0", 0.0, "literal", False, "optimizer"),
        # line 28: a step size of 1 is a hard copy into the target, not an average
        (29, "tau", "0.005", 0.005, "literal", False, "ema"),
        (30, "max_grad_norm", "0.5", 0.5, "literal", False, "clip"),
        (30, "learning_rate", "args.lr", None, "config", True, "optimizer"),
        (30, "momentum", "0.9", 0.9, "literal", False, "optimizer"),
    ]


def test_keras_and_tensorflow_1_optimizers_with_their_documented_defaults() -> None:
    assert sites("""
        import tensorflow as tf
        from tensorflow.keras import optimizers
        a = tf.keras.optimizers.Adam(learning_rate=3e-4, beta_1=0.5)
        b = optimizers.SGD(0.1)
        c = tf.compat.v1.train.AdamOptimizer(1e-3)
        d = tf.train.MomentumOptimizer(0.1, 0.9)
    """) == [
        (4, "adam.beta2", "0.999", 0.999, "default", False, "optimizer"),
        (4, "adam.eps", "1e-7", 1e-07, "default", False, "optimizer"),
        (4, "learning_rate", "3e-4", 0.0003, "literal", False, "optimizer"),
        (4, "adam.beta1", "0.5", 0.5, "literal", False, "optimizer"),
        (5, "momentum", "0", 0.0, "default", False, "optimizer"),
        (5, "learning_rate", "0.1", 0.1, "literal", False, "optimizer"),
        (6, "adam.beta1", "0.9", 0.9, "default", False, "optimizer"),
        (6, "adam.beta2", "0.999", 0.999, "default", False, "optimizer"),
        (6, "adam.eps", "1e-8", 1e-08, "default", False, "optimizer"),
        (6, "learning_rate", "1e-3", 0.001, "literal", False, "optimizer"),
        (7, "learning_rate", "0.1", 0.1, "literal", False, "optimizer"),
        (7, "momentum", "0.9", 0.9, "literal", False, "optimizer"),
    ]


def test_sampling_settings_passed_and_defaulted() -> None:
    assert sites("""
        import torch
        def generate(model, idx, steps, temperature=1.0, top_k=None, top_p=0.9):
            return torch.multinomial((model(idx) / temperature).softmax(-1), 1)
        def act_e_greedy(self, state, epsilon=0.001):
            return state
        def forward(x, eps=1e-5):
            return x
        def posemb_sincos_2d(h, w, dim, temperature=10000):
            return torch.arange(dim) / temperature
        y = generate(model, x, 500, temperature=0.8, top_k=10)
    """) == [
        (3, "temperature", "1.0", 1.0, "config", True, "sampling"),
        (3, "top_p", "0.9", 0.9, "config", True, "sampling"),
        (5, "epsilon_greedy", "0.001", 0.001, "config", True, "sampling"),  # an acting function's epsilon
        (7, "eps", "1e-5", 1e-05, "config", True, "config"),  # a signature setting, not a sampling one
        # a sinusoidal embedding's temperature is a frequency base (a model setting), not a sampling one
        (9, "temperature", "10000", 10000.0, "config", True, "config"),
        (11, "temperature", "0.8", 0.8, "literal", False, "sampling"),
        (11, "top_k", "10", 10.0, "literal", False, "sampling"),
    ]


def test_the_hand_kept_table_names_only_known_parameters_with_numeric_defaults() -> None:
    for extra in EXTRA_APIS:
        api = api_for(extra.qualified)
        assert api is not None and api.kind == extra.kind
        assert set(extra.defaults) <= set(extra.names) | set(extra.parameters), extra.qualified
        assert all(isinstance(v, float) for v in extra.defaults.values()), extra.qualified
    assert api_for("optax.adam").defaults == {"b1": 0.9, "b2": 0.999, "eps": 1e-8}  # optax's documented signature
    assert api_for("tensorflow.keras.optimizers.Adam").defaults["epsilon"] == 1e-7
    assert api_for("tensorflow.compat.v1.train.AdamOptimizer").defaults["epsilon"] == 1e-8


def test_a_project_optimizer_states_its_defaults_in_its_signature() -> None:
    assert sites("""
        from torch.optim.optimizer import Optimizer
        class LARS(Optimizer):
            def __init__(self, params, lr=0.1, momentum=0.9, eta=0.001, nesterov=False, betas=(0.9, 0.999)):
                super().__init__(params, dict(lr=lr, momentum=momentum))
        class NotAnOptimizer:
            def __init__(self, lr=0.1):
                self.lr = lr
    """) == [
        (4, "learning_rate", "0.1", 0.1, "config", True, "optimizer"),
        (4, "momentum", "0.9", 0.9, "config", True, "optimizer"),
        (4, "lars.eta", "0.001", 0.001, "config", True, "optimizer"),
        (4, "nesterov", "False", None, "config", True, "config"),  # a switch: a setting of the signature
        (4, "lars.beta1", "0.9", 0.9, "config", True, "optimizer"),
        (4, "lars.beta2", "0.999", 0.999, "config", True, "optimizer"),
        (7, "learning_rate", "0.1", 0.1, "config", True, "config"),  # a plain class's setting, not an optimizer's
    ]


def test_an_annealing_step_to_one_and_its_look_alikes() -> None:
    assert sites("""
        import torch
        def main(args, gamma, n):
            priority_weight_increase = (1 - args.priority_weight) / (args.T_max - args.learn_start)
            scale = (1 - gamma) / (1 - gamma ** n)
            half = (1 - 0.5) / (args.a - args.b)
    """) == [
        (
            4,
            "schedule.linear",
            "(1 - args.priority_weight) / (args.T_max - args.learn_start)",
            None,
            "literal",
            False,
            "scheduler",
        ),
    ]


def test_flax_module_fields_and_jax_initializers() -> None:
    """A flax module's fields are its constructor's settings (`dtype`, `None` and a callable are
    not); `normal(stddev=...)` and `constant(...)` are init scales, `zeros` and `xavier_uniform()`
    state no number; `constant(self.head_bias_init)` reads the field, which is the site."""
    found = sites((FIXTURES / "flax_module.py").read_text())
    assert [row[:5] for row in found] == [
        (14, "dropout", "0.1", 0.1, "config"),
        (16, "init.std", "1e-6", 1e-6, "literal"),
        (27, "classifier", '"token"', None, "config"),
        (28, "head_bias_init", "0.0", 0.0, "config"),
        (39, "max_grad_norm", "1.0", 1.0, "literal"),
        (39, "learning_rate", "schedule", None, "config"),
        (39, "momentum", "0.9", 0.9, "literal"),
    ]


def test_ml_collections_configs_and_presets_of_config_dicts() -> None:
    """`config.x = v` in `get_config()`, and presets built as nested `ConfigDict({...})`; a
    `None` is listed where it stands for a number (`total_steps`), not for an object filled in
    later (`model`, a data folder); evaluation batches, shuffle buffers and intervals are not."""
    found = sites((FIXTURES / "config_dict.py").read_text())
    assert [row[:3] for row in found] == [
        (10, "training_steps", "None"),
        (11, "max_grad_norm", "1.0"),
        (12, "batch_size", "512"),
        (16, "learning_rate", "0.03"),
        (17, "decay_type", '"cosine"'),
        (18, "warmup_steps", "500"),
        (24, "training_steps", "10_000"),
        (24, "crop", "384"),
        (25, "training_steps", "20_000"),
        (25, "crop", "384"),
    ]


def test_keywords_spread_from_a_local_dict_leave_the_rest_at_their_defaults() -> None:
    found = sites("""
        import torch
        def configure(groups, lr, use_fused):
            extra_args = dict(fused=True) if use_fused else dict()
            optimizer = torch.optim.AdamW(groups, lr=lr, **extra_args)
            other = torch.optim.AdamW(groups, lr=lr, **kwargs)
    """)
    assert [(line, name, source) for line, name, _, _, source, _, _ in found if source == "default"] == [
        (5, "adam.beta1", "default"),
        (5, "adam.beta2", "default"),
        (5, "adam.eps", "default"),
        (5, "weight_decay", "default"),
    ]  # line 6 may pass anything through **kwargs


def test_project_optimizers_constants_model_builders_and_optimizer_choices() -> None:
    """`utils.Adam16(...)` and `MpiAdamOptimizer(...)` are read as Adams (a call without a learning
    rate is not a construction); `LR = 3e-4` read by `lr=LR` is a site where it is written; a
    function returning a torch module lists its widths; `optimizer_klass=torch.optim.Adam` is a
    choice of the method."""
    found = [row[:5] for row in sites((FIXTURES / "project_optimizers.py").read_text()) if row[4] != "default"]
    assert found == [
        (9, "batch_size", "32", 32.0, "literal"),  # at `BATCH_SIZE = 32`, not at the loader reading it
        (10, "learning_rate", "3e-4", 3e-4, "literal"),
        (15, "learning_rate", "lr", None, "config"),
        (15, "adam.beta1", "beta1", None, "config"),
        (15, "adam.beta2", "beta2", None, "config"),
        (15, "weight_decay", "0", 0.0, "literal"),
        (15, "adam.eps", "1e-6", 1e-6, "literal"),
        (20, "learning_rate", "learning_rate", None, "config"),
        (20, "adam.eps", "1e-5", 1e-5, "literal"),  # `epsilon=` of an Adam
        (27, "hidden_size", "4096", 4096.0, "config"),
        (32, "batch_size", "16", 16.0, "config"),
        (32, "learning_rate", "3e-4", 3e-4, "config"),
        (32, "optimizer_klass", "torch.optim.Adam", None, "config"),
    ]


def test_ppo_margins_and_standardisation_epsilons() -> None:
    """`1.5 * target_kl` in a test is a margin; `x / (x.std() + 1e-8)` an epsilon; `+ 1` in a
    denominator and `2 * n_minibatch` (not a hyperparameter's name) are not sites."""
    assert [row[:5] + (row[6],) for row in sites((FIXTURES / "ppo_details.py").read_text())] == [
        (8, "target_kl", "0.01", 0.01, "config", "config"),
        (9, "advantages_norm.eps", "1e-8", 1e-8, "literal", "stability"),
        (10, "returns_norm.eps", "1e-5", 1e-5, "literal", "stability"),
        (13, "target_kl.margin", "1.5", 1.5, "literal", "loss"),
    ]


def test_a_project_wrapper_applies_a_known_augmentation_with_a_probability() -> None:
    found = [row[:3] for row in sites((FIXTURES / "augmentation_wrappers.py").read_text())]
    assert (20, "aug.apply_p", "0.3") in found and (22, "aug.apply_p", "0.2") in found
    assert (22, "aug.blur_sigma", "(1.0, 2.0)") in found
    assert not [row for row in found if row[0] in (23, 24)]  # no augmentation wrapped; ImageNet statistics


def test_project_schedules_training_length_in_updates_and_lightning() -> None:
    """`LinearSchedule(..., initial_p=1.0)` is a schedule and its numbers are sites; one built
    from a setting only (`FloatSchedule(clip_range)`) is not; `1 - t / nupdates` anneals over
    the training; Lightning's `max_epochs` (read from `EPOCHS`, so at the constant) and
    `accumulate_grad_batches` are sites, its devices and its switches are not."""
    assert [row[:5] for row in sites((FIXTURES / "project_schedules.py").read_text())] == [
        (7, "epochs", "1000", 1000.0, "literal"),
        # `learn` is the training entry point and holds a known setting: its defaults are the run's
        (10, "exploration_fraction", "0.1", 0.1, "config"),
        (10, "exploration_final_eps", "0.02", 0.02, "config"),
        (10, "clip_range", "0.2", 0.2, "config"),
        (10, "training_steps", "100", 100.0, "config"),
        (11, "exploration.schedule", "LinearSchedule", None, "literal"),
        (13, "exploration.initial_p", "1.0", 1.0, "literal"),
        (18, "schedule.linear", "1.0 - (update - 1.0) / nupdates", None, "literal"),
        (23, "accumulate_grad_batches", "4", 4.0, "literal"),
    ]


def test_a_script_builds_its_learner_with_numbers_by_keyword() -> None:
    """At a script's top level, the numbers passed by keyword to a project class are settings
    (kind config: listed, not flagged); `num_classes`, a string, a switch and a library's class
    (`np.random.RandomState(seed=0)`, `torch.Tensor(size=3)`) are not."""
    assert [row[:5] + (row[6],) for row in sites((FIXTURES / "script_keywords.py").read_text())] == [
        (10, "depth", "50", 50.0, "literal", "config"),
        (22, "image_size", "256", 256.0, "literal", "config"),
        (24, "projection_size", "256", 256.0, "literal", "config"),
        (25, "projection_hidden_size", "4096", 4096.0, "literal", "config"),
        (26, "moving_average_decay", "0.99", 0.99, "literal", "config"),
    ]


def test_schedule_builders_linear_decay_by_progress_and_loss_weight_dicts() -> None:
    """A function building a learning-rate schedule lists its defaults; `(1.0 - progress)` in a
    learning rate is a linear decay; a dict of `loss_*` weights gives each its weight (a read
    of the configuration and a dict of other values are no sites; a weight of 1 is not flagged)."""
    assert [row[:5] + (row[6],) for row in sites((FIXTURES / "schedule_builders.py").read_text())] == [
        (6, "linear_end", "1e-5", 1e-5, "config", "config"),
        (11, "lr_schedule.linear", "1.0 - progress", None, "literal", "scheduler"),
        (18, "loss_weight.ce", "1", 1.0, "literal", "loss_term"),
        (18, "loss_weight.giou", "2", 2.0, "literal", "loss_term"),
    ]


def test_an_average_class_decay_and_a_regulariser_added_to_the_gradient() -> None:
    """`decay` of an EMA class is its decay; `param.grad.data += strength * grad` weights a
    regulariser (the read of `strength` leads to its default); a mask is not a weight."""
    assert [row[:5] for row in sites((FIXTURES / "hand_written_updates.py").read_text())] == [
        (7, "ema_decay", "0.9999", 0.9999, "config"),
        (11, "strength", "1e-4", 1e-4, "config"),
        (16, "strength", "1e-4", 1e-4, "config"),
    ]


def test_absl_flags_and_keras_through_tensorflow_compat() -> None:
    """absl flags are declarations like argparse's (an enum of run phases, a zero the help calls
    optional, the TPU and checkpoint retention are not); Keras optimizers, schedules and
    initializers are read through `tensorflow.compat.v2`; `nesterov=True` is a choice."""
    assert [row[:5] for row in sites((FIXTURES / "absl_flags.py").read_text())] == [
        (10, "learning_rate", "0.3", 0.3, "config"),
        (11, "batch_size", "512", 512.0, "config"),
        (12, "optimizer", '"lars"', None, "config"),
        (13, "use_blur", "True", None, "config"),
        (23, "learning_rate", "learning_rate", None, "config"),
        (23, "momentum", "0.9", 0.9, "literal"),
        (23, "sgd.nesterov", "True", None, "literal"),
        (24, "adam.beta1", "0.9", 0.9, "default"),
        (24, "adam.beta2", "0.999", 0.999, "default"),
        (24, "adam.eps", "1e-7", 1e-07, "default"),
        (24, "learning_rate", "learning_rate", None, "config"),
        (28, "lr_scaling.base_batch_size", "256.0", 256.0, "literal"),
        (29, "lr_schedule.alpha", "0", 0.0, "default"),
        (29, "learning_rate", "base_learning_rate * FLAGS.train_batch_size / 256.0", None, "config"),
        (32, "init.std", "0.01", 0.01, "literal"),
        (36, "lr_scaling.sqrt", "base_learning_rate * tf.math.sqrt(float(FLAGS.train_batch...", None, "literal"),
    ]


def test_project_schedule_functions_scaling_over_devices_and_copied_initialisers() -> None:
    """A project's `cosine_scheduler(...)` built once is a schedule site (one evaluated in the
    loop is not); `lr * (batch_size_per_gpu * world_size) / 256` is the linear scaling rule; a
    project's `trunc_normal_` reads like torch's; a default kept in a module constant is listed
    at the constant; `--nosave` is not a setting, a zero whose help says "0 means no warmup" is one."""
    assert [row[:5] for row in sites((FIXTURES / "schedule_functions.py").read_text())] == [
        (12, "eta", "0.001", 0.001, "config"),
        (15, "batch_size", "64", 64.0, "config"),
        (17, "warmup_steps", "0", 0.0, "config"),
        (22, "learning_rate", "0", 0.0, "config"),
        (22, "weight_decay", "0", 0.0, "config"),
        (22, "momentum", "0.9", 0.9, "config"),
        (27, "lr_schedule", "utils.cosine_scheduler", None, "literal"),
        (28, "lr_scaling.base_batch_size", "256.0", 256.0, "literal"),
        (33, "momentum_schedule", "utils.cosine_scheduler", None, "literal"),
        (36, "aug.flip_p", "0.5", 0.5, "literal"),
        (37, "init.std", "0.02", 0.02, "literal"),
        (49, "mixup", "0.0", 0.0, "config"),  # "enabled if > 0": the setting itself; line 50 overrides another
        (54, "depths", "(2, 2, 6, 2)", None, "config"),  # `out_indices` chooses the features returned
    ]


def test_presets_pipelines_hidden_widths_buffers_and_tuple_defaults() -> None:
    """A function returning the project's model built with numbers lists them (one number is a
    call); the project's transforms in a torchvision pipeline are built with their strengths; a
    width one Linear gives and the next takes (every flax Dense but the last) is a hidden width;
    a replay buffer's capacity; `actor_lr` and a tuple of widths in a learner's signature."""
    assert [row[:5] for row in sites((FIXTURES / "networks_and_pipelines.py").read_text())] == [
        (15, "patch_size", "16", 16.0, "config"),  # a preset builder lists its own defaults
        (16, "embed_dim", "384", 384.0, "literal"),
        (16, "depth", "12", 12.0, "literal"),
        (16, "num_heads", "6", 6.0, "literal"),
        (27, "aug.gaussian_blur", "0.1", 0.1, "literal"),
        (28, "aug.solarization.p", "0.2", 0.2, "literal"),
        (29, "aug.gaussian_blur", "[0.1, 2.0]", None, "literal"),
        (29, "aug.apply_p", "0.5", 0.5, "literal"),
        (38, "hidden_size", "256", 256.0, "literal"),
        (39, "hidden_size", "256", 256.0, "literal"),
        (47, "hidden_size", "120", 120.0, "literal"),
        (48, "hidden_size", "84", 84.0, "literal"),
        (53, "buffer_size", "int(1e6)", 1e6, "config"),
        (58, "actor_lr", "3e-4", 3e-4, "config"),
        (58, "hidden_dims", "(256, 256)", None, "config"),
        (58, "gamma", "0.99", 0.99, "config"),
    ]


def test_settings_fixed_after_the_override_are_listed_where_written() -> None:
    """`min_lr = 0.0` after `exec(open("configurator.py").read())` is a hyperparameter the command
    line cannot reach: listed, not configurable; run state (`best_val_loss`, `iter_num`) is not."""
    assert [row[:6] for row in sites((FIXTURES / "script_block_after_override.py").read_text())] == [
        (4, "learning_rate", "5e-4", 5e-4, "config", True),
        (5, "training_steps", "100000", 100000.0, "config", True),
        (8, "lr_decay_iters", "max_iters", None, "literal", False),
        (9, "min_lr", "0.0", 0.0, "literal", False),
    ]


def test_config_sections_debug_overrides_lambda_shapes_and_interpolated_warmups() -> None:
    """`config.schedule = dict(...)` is a section of the config; the loss, the pooling, the model
    variant and the optax name are choices; a store under `if arg.runlocal:` is a debug run's; a
    LambdaLR's schedule is listed where its function is written (both branches); `x["lr"] =
    np.interp(...)` on a parameter group is a warmup (an interpolation of anything else is not)."""
    assert [row[:5] for row in sites((FIXTURES / "config_sections_and_warmups.py").read_text())] == [
        (11, "loss", '"sigmoid_xent"', None, "config"),
        (12, "variant", '"B/16"', None, "config"),
        (12, "pool_type", '"tok"', None, "config"),
        (12, "rep_size", "True", None, "config"),
        (13, "warmup_steps", "10_000", 10000.0, "config"),
        (13, "decay_type", '"cosine"', None, "config"),
        (14, "optax_name", '"scale_by_adam"', None, "config"),
        (23, "lr_schedule", 'one_cycle(1, hyp["lrf"], epochs)', None, "literal"),
        (27, "lr_schedule", '(1 - x / epochs) * (1.0 - hyp["lrf"]) + hyp["lrf"]', None, "literal"),
        (27, "schedule.linear", "1 - x / epochs", None, "literal"),
        (33, "lr_schedule.warmup", '[hyp["warmup_bias_lr"] if j == 0 else 0.0, x["initial_lr"]]', None, "literal"),
        (34, "momentum_schedule.warmup", '[hyp["warmup_momentum"], hyp["momentum"]]', None, "literal"),
        (40, "loss", '"sigmoid_xent"', None, "config"),  # `config.get(key, fallback)`: the fallback
        (41, "warmup_steps", "500", 500.0, "config"),
        (48, "image_size", "64", 64.0, "config"),  # a dict returned by a `*_defaults` function
        (48, "learn_sigma", "False", None, "config"),
        (48, "noise_schedule", '"linear"', None, "config"),
        (48, "dropout", "0.0", 0.0, "config"),
        (52, "learning_rate", "1e-4", 1e-4, "config"),  # a dict named `defaults`
        (52, "weight_decay", "0.0", 0.0, "config"),
    ]


def test_shapes_named_by_their_target() -> None:
    """`accum = 0.5 ** (...)` is a half-life decay; `hidden_dim = 4 * dim` and `int(2 * hidden_dim / 3)`
    multiply a width; `round(nbs / batch_size)` for an accumulation lists `nbs = 64` where it is
    written; `-action_dim / 2` is SAC's entropy target; a `*_schedule` built with `np.linspace` is a schedule;
    a square root and a dataset size are not."""
    assert [row[:5] for row in sites((FIXTURES / "assigned_shapes.py").read_text())] == [
        (12, "hidden_dim.multiplier", "4", 4.0, "literal"),
        (13, "hidden_dim.multiplier", "2", 2.0, "literal"),
        (19, "nominal_batch_size", "64", 64.0, "literal"),
        (21, "accum.half_life", "0.5 ** (32 / (10 * 1000))", None, "literal"),
        (23, "target_entropy", "-action_dim / 2", None, "literal"),
        (
            32,
            "teacher_temp_schedule",
            "np.concatenate((np.linspace(warmup_teacher_temp, teacher_...",
            None,
            "literal",
        ),  # a schedule as an array (a grid that is not named a schedule is not)
    ]


def test_training_schedules_as_scripts_write_them() -> None:
    """A scheduler class's linear, cosine (the whole formula over its lines) and exponential decay;
    a warmup counted in epochs, the linear-scaling rule and a final fraction in a learning-rate
    function; `args.lr = args.blr * eff_batch_size / 256`; `beta2 = 1 - 1/T`; a project optimizer's
    options; `set_defaults` writing a flag's default; the evaluation epsilon of a DQN; a centered
    RMSProp. Not: a
    TensorFlow session's options, gradient checkpointing, a test batch, `--inference`, a best
    accuracy kept in a Namespace, and the same shapes outside a learning-rate function."""
    assert [row[:5] for row in sites((FIXTURES / "training_schedules.py").read_text())] == [
        (16, "blr", "1e-3", 0.001, "config"),
        (18, "norm_pix_loss", "False", None, "config"),  # `set_defaults`, not the `store_true` above it
        (23, "eval_exploration_epsilon", "0.05", 0.05, "config"),
        (30, "lr_schedule.linear", "self.start_lr * (self.end_iter - it) / self.end_iter", None, "literal"),
        (32, "lr_schedule.cosine", "self.min_lr + (self.start_lr - self.min_lr) / 2.0 * (math...", None, "literal"),
        (38, "lr_schedule.exponential", "self.start_lr * math.exp(-0.693 * it / self.end_iter)", None, "literal"),
        (43, "warmup_epochs", "10", 10.0, "literal"),
        (44, "lr_scaling.base_batch_size", "256", 256.0, "literal"),
        (45, "min_lr.factor", "0.001", 0.001, "literal"),
        (50, "lr_scaling.base_batch_size", "256", 256.0, "literal"),
        (51, "beta2.horizon", "1 - 1.0 / (hps.train_its * hps.polyak_epochs)", None, "literal"),
        (52, "optimizer_defaults", "implicit", None, "default"),  # LARS's own defaults (eta) left out
        (52, "learning_rate", "0", 0.0, "literal"),
        (52, "lars.weight_decay_filter", "True", None, "literal"),
        (52, "lars.lars_adaptation_filter", "True", None, "literal"),
        (67, "learning_rate", "FLAGS.learning_rate", None, "config"),
        (67, "rmsprop.alpha", "0.95", 0.95, "literal"),
        (67, "rmsprop.eps", "FLAGS.eps", None, "config"),
        (67, "rmsprop.centered", "True", None, "literal"),  # a variant switched on (`amsgrad=False` is none)
        (68, "adam.beta1", "0.9", 0.9, "default"),
        (68, "adam.beta2", "0.999", 0.999, "default"),
        (68, "adam.eps", "1e-8", 1e-08, "default"),
        (68, "weight_decay", "0", 0.0, "default"),
        (68, "learning_rate", "FLAGS.learning_rate", None, "config"),
        (73, "lr_schedule.linear", "initial_lr - (initial_lr * (epoch / float(total_num_epoch...", None, "literal"),
        (78, "log.eps", "1e-6", 1e-06, "literal"),  # a log's epsilon (SAC's tanh correction)
        (81, "batch_size", "256", 256.0, "config"),
        (85, "batch_size", "256", 256.0, "config"),  # `args.batch_size // args.world_size`: a read of the flag
        (90, "target_update_period", "500", 500.0, "config"),  # a training period (a sampling one is not)
    ]
    shared = [s for s in scan_file(FIXTURES / "training_schedules.py").sites if s.span.line == 85]
    assert [(s.read, s.origin.line if s.origin else None) for s in shared] == [(True, 81)]
    cosine = next(s for s in scan_file(FIXTURES / "training_schedules.py").sites if s.name == "lr_schedule.cosine")
    assert (cosine.span.line, cosine.span.end_line) == (32, 36)  # the statement's lines, from its first


def scan_file(path: Path):  # type: ignore[no-untyped-def]
    text = path.read_text()
    return scan(CodeModule("m.py", text, ast.parse(text)))


def test_diffusion_defaults_stage_widths_and_schedule_constants() -> None:
    """Numbers written as text in a defaults dict; a copy of the defaults extended by key; stage
    widths chosen per resolution and given to the model by name; the constants and defaults of a
    `*_schedule` function; a learning-rate setting by its `lr_` prefix; the objective by name. Not:
    a kernel, a stage list no model receives, flash attention, a device split, `sample(batch_size)`,
    -1 for a count, a file given for a choice."""
    assert [row[:5] for row in sites((FIXTURES / "diffusion_settings.py").read_text())] == [
        (13, "attention_resolutions", '"16,8"', None, "config"),
        (13, "ema_decay", '"0.9999"', 0.9999, "config"),
        (18, "large_size", "256", 256.0, "config"),
        (24, "channel_mult", "(1, 1, 2, 2, 4, 4)", None, "literal"),
        (26, "channel_mult", "(1, 2, 3, 4)", None, "literal"),
        (34, "beta_start", "0.0001", 0.0001, "literal"),
        (35, "beta_end", "0.02", 0.02, "literal"),
        (39, "s", "0.008", 0.008, "config"),
        (44, "weight_decay", "0.0", 0.0, "config"),
        (44, "lr_anneal_steps", "0", 0.0, "config"),
        (49, "objective", '"pred_v"', None, "config"),
        (57, "learning_rate", "1e-4", 0.0001, "config"),  # `microbatch=-1`: a count's "not set"
        (63, "random_apply.p", "0.5", 0.5, "literal"),  # `random() < 0.5`: a probability of doing it
    ]


def test_module_constants_the_functions_read() -> None:
    """`LOG_STD_MAX = 2` read in an actor's forward is a number the method fixes: listed where it
    is written, not configurable (never PL401, as a script's fixed settings). Not: a constant no
    function reads, a class count, a seed, a stand-in for infinity, a flag, a lower-case variable."""
    assert [row[:6] for row in sites((FIXTURES / "module_constants.py").read_text())] == [
        (7, "log_std_max", "2", 2.0, "literal", False),
        (8, "log_std_min", "-5", -5.0, "literal", False),
        (9, "initial_log_loss_scale", "20.0", 20.0, "literal", False),
    ]


def test_tensorflow_1_schedules_hparams_bags_and_config_class_constructors() -> None:
    """`return HParams(...)` is a bag; `tf.train.polynomial_decay` and
    `tf.truncated_normal_initializer` are read from the hand-kept table; a config class's
    `__init__` lists its settings (the activation by name); `FLAGS, FLAGS_DEF =
    define_flags_with_default(...)` declares flags, `parse_arg(arg, variant="B/16")` its defaults; MPI
    plumbing and a local trial run are not settings."""
    # (`n_vocab=0` is a placeholder the tokenizer's size replaces: no setting)
    assert [row[:5] for row in sites((FIXTURES / "tf1_and_config_classes.py").read_text())] == [
        (10, "n_ctx", "1024", 1024.0, "config"),
        (10, "n_embd", "768", 768.0, "config"),
        (10, "n_head", "12", 12.0, "config"),
        (10, "n_layer", "12", 12.0, "config"),
        (14, "learning_rate", "init_lr", None, "config"),
        (14, "min_lr", "0.0", 0.0, "literal"),
        (14, "lr_schedule.power", "1.0", 1.0, "literal"),
        (15, "init.std", "0.02", 0.02, "literal"),
        (20, "hidden_size", "768", 768.0, "config"),
        (20, "hidden_act", '"gelu"', None, "config"),
        (20, "dropout", "0.1", 0.1, "config"),
        (20, "initializer_range", "0.02", 0.02, "config"),
        (24, "learning_rate", "3e-4", 0.0003, "config"),
        (24, "gamma", "0.99", 0.99, "config"),
        (28, "training_steps", "10000", 10000.0, "config"),  # flags declared with their defaults
        (28, "learning_rate", "3e-4", 0.0003, "config"),
        (33, "variant", '"B/16"', None, "config"),  # `parse_arg(arg, variant=...)`: parsed with this default
    ]


def test_yacs_sections_list_settings_at_any_depth_but_not_the_data_statistics() -> None:
    assert [row[:5] for row in sites((FIXTURES / "yacs_sections.py").read_text())] == [
        (10, "nms_thresh", "0.7", 0.7, "config"),
        (12, "learning_rate", "0.001", 0.001, "config"),
        (13, "warmup_factor", "1.0 / 1000", 0.001, "config"),
        (14, "ims_per_batch", "16", 16.0, "config"),
    ]


def test_tf1_flags_through_a_module_alias_and_a_project_optimizer_class() -> None:
    """`flags = tf.flags` then `flags.DEFINE_integer(...)` declares flags (`do_train` and the TPU's
    `iterations_per_loop` are no settings); an optimizer class's constructor holds its settings and
    a call leaving them at their defaults is one site; `init_lr * warmup_percent_done` is a warmup;
    dropout switched off when not training is no setting."""
    assert sites((FIXTURES / "tf1_flags_alias.py").read_text()) == [
        (11, "batch_size", "32", 32.0, "config", True, "config"),
        (12, "learning_rate", "5e-5", 5e-05, "config", True, "config"),
        (13, "warmup_steps", "10000", 10000.0, "config", True, "config"),
        (19, "weight_decay_rate", "0.0", 0.0, "config", True, "config"),
        (19, "beta_1", "0.9", 0.9, "config", True, "config"),
        (19, "beta_2", "0.999", 0.999, "config", True, "config"),
        (27, "lr_schedule.warmup", "init_lr * warmup_percent_done", None, "literal", False, "scheduler"),
        (28, "optimizer_defaults", "implicit", None, "default", False, "optimizer"),  # weight_decay_rate, betas
        (28, "learning_rate", "init_lr * warmup_percent_done", None, "config", True, "optimizer"),
    ]


def test_settings_that_pick_a_named_variant() -> None:
    """A string flag with `choices=` or a help listing `a | b` (not the run's subject, `--game`); a
    config field compared with names (`config.type == "palm"`); a `create_` factory's defaults;
    a sampler's model by size (its batch and sample count are not settings); `n_vocab=0` is a
    placeholder; a signature whose known settings default to None is still an algorithm's."""
    assert sites((FIXTURES / "variant_choices.py").read_text()) == [
        (11, "policy", '"Gaussian"', None, "config", True, "config"),
        (12, "model", '"DiT-XL/2"', None, "config", True, "config"),
        (19, "type", '"adamw"', None, "config", True, "config"),
        (30, "noise_schedule", '"linear"', None, "config", True, "config"),
        (30, "learn_sigma", "True", None, "config", True, "config"),
        (30, "diffusion_steps", "1000", 1000.0, "config", True, "config"),
        (34, "model_name", '"124M"', None, "config", True, "config"),
        (34, "temperature", "1", 1.0, "config", True, "sampling"),
        (34, "top_k", "0", 0.0, "config", True, "sampling"),
        (39, "n_ctx", "1024", 1024.0, "config", True, "config"),
        (39, "n_embd", "768", 768.0, "config", True, "config"),
        # a signature naming lr, eps and max_grad_norm (None: given by the caller) is an algorithm's
        (43, "use_clipped_value_loss", "True", None, "config", True, "config"),
        # `--nc` ("input image channels") and `--ngpu` are the data's and the machine's
        (49, "nz", "100", 100.0, "config", True, "config"),
        (52, "training_steps", "10000", 10000.0, "config", True, "config"),  # a device mesh is no setting
        # the training entry point with a known setting (batch_size): its defaults, but not its
        # progress ticks and snapshots
        (56, "batch_size", "4", 4.0, "config", True, "config"),
        (56, "ema_kimg", "10", 10.0, "config", True, "config"),
        (56, "g_reg_interval", "4", 4.0, "config", True, "config"),
        # not `--mode` (run phases) nor `--precision` (how numbers are stored), nor a config field
        # named for the run's subject or compared with a run phase; a model's channels are a width
        (62, "latent_channels", "4", 4.0, "config", True, "config"),
        (74, "weights", '"freeze"', None, "config", True, "config"),  # finetune or freeze: the protocol's choice
    ]


def test_zero_initialised_layers_exploration_noise_overrides_and_their_negatives() -> None:
    """A layer zeroed as a whole (its bias too), exploration noise and its clip, a literal in a
    loss's parenthesised scale, a count overridden early in training and the step it ends, a project
    optimizer left at its defaults, an optax schedule whose every number is read (its shape is the
    site), a feed-forward block's width as a multiple, a scale passed to the file's init helper. Not: a zero bias alone, a standard normal, a half-life converted from a setting, the
    library's end of a crop range (the flag is read), a flag shared per device (read), presets
    that only switch parts on."""
    found = [
        (line, name, value, source, read)
        for line, name, value, _, source, _, _, read in sites_read((FIXTURES / "zero_init_and_noise.py").read_text())
    ]
    assert found == [
        (19, "crop_min", "0.08", "config", False),
        (20, "global_batch_size", "256", "config", False),
        (21, "diters", "5", "config", False),
        (24, "aug.crop_scale", "0.08", "config", True),  # the flag's value, listed at the flag
        (25, "batch_size", "256", "config", True),
        (36, "init.zero", "0", "literal", False),
        (37, "init.zero", "0", "literal", False),
        (38, "init.zero", "0", "literal", False),  # line 39 zeroes a bias alone: no site
        (41, "init.high", "math.sqrt(6.0 / float(m.weight.shape[0] + m.weight.shape[...", "config", False),
        (41, "init.low", "-val", "config", False),  # at `val = ...`, not at the initialiser
        (48, "exploration_noise.std", "0.1", "literal", False),
        (49, "exploration_noise.clip", "0.25", "literal", False),  # line 50's normal_(0, 1) is standard
        (57, "label_smoothing", "0", "default", False),
        (57, "loss_scale", "2", "literal", False),
        (63, "diters.until", "25", "literal", False),
        (64, "diters", "100", "literal", False),  # line 67's half-life is converted from ema_nimg
        (68, "optimizer_defaults", "implicit", "default", False),
        (69, "min_lr", "0", "default", False),  # end_value left out: every other number is read
        (70, "lr_schedule.init_value", "config.init_lr", "config", True),
        (70, "learning_rate", "config.lr", "config", True),
        (70, "warmup_steps", "config.warmup", "config", True),
        (70, "lr_schedule.steps", "config.steps", "config", True),
        (77, "nx.multiplier", "4", "literal", False),  # GPT-2's feed-forward width, 4 * the model's
        (81, "init.gain", "math.sqrt(2)", "config", False),  # the helper's default
        (82, "init.gain", "std", "config", True),
        (90, "init.gain", "1.0", "literal", False),  # the scales passed to the helper (CleanRL's heads)
        (91, "init.gain", "0.01", "literal", False),
        (97, "init.zero", "0", "literal", False),  # flax's `kernel_init=initializers.zeros` (ViT's head)
    ]


def sites_read(text: str) -> list[tuple[int, str, str, float | None, str, bool, str, bool]]:
    """``sites`` with whether each is a read of a setting written elsewhere."""
    text = textwrap.dedent(text)
    facts = scan(CodeModule("m.py", text, ast.parse(text)))
    return [
        (s.span.line, s.name, s.value, s.numeric, s.source.value, s.configurable, s.kind.value, s.read)
        for s in facts.sites
    ]
