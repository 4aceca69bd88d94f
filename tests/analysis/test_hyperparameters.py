"""The hyperparameter analysis: sites found per file, values followed, the table, the command."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from paperlink.analysis.hyperparameters import HYPERPARAMETERS, HyperparameterFacts, Source, scan
from paperlink.cache import from_data, to_data
from paperlink.cli import HPARAMS_FORMATS, cli
from paperlink.config import load_config
from paperlink.engine import check
from paperlink.hyperparameter_formats import TABLE_FORMATS
from paperlink.source.code import CodeModule

ROOT = Path(__file__).resolve().parent.parent.parent
DQN = ROOT / "sample_papers" / "dqn"


def sites(text: str) -> list[tuple[int, str, str, float | None, str, bool]]:
    """(line, name, value, number, source, configurable) of every site in ``text``."""
    text = textwrap.dedent(text)
    facts = scan(CodeModule("m.py", text, ast.parse(text)))
    return [(s.span.line, s.name, s.value, s.numeric, s.source.value, s.configurable) for s in facts.sites]


def test_optimizer_arguments_by_keyword_and_position_with_implicit_defaults() -> None:
    assert sites("""
        import torch.optim as optim
        opt = optim.Adam(params, 3e-4, betas=(0.9, 0.98))
    """) == [
        (3, "adam.eps", "1e-8", 1e-8, "default", False),
        (3, "weight_decay", "0", 0.0, "default", False),
        (3, "learning_rate", "3e-4", 3e-4, "literal", False),
        (3, "adam.beta1", "0.9", 0.9, "literal", False),
        (3, "adam.beta2", "0.98", 0.98, "literal", False),
    ]


def test_flags_and_fields_are_followed_from_args_and_cfg() -> None:
    found = sites("""
        import argparse
        from dataclasses import dataclass, field
        import torch
        parser = argparse.ArgumentParser()
        parser.add_argument("--weight-decay", "--wd", type=float, default="1e-4")
        parser.add_argument("--seed", type=int, default=1)
        @dataclass
        class Config:
            lr: float = field(default=0.1)
        def build(model, args, cfg: Config):
            return torch.optim.SGD(model.parameters(), lr=cfg.lr, weight_decay=args.weight_decay, momentum=0.9)
    """)
    assert found == [
        (6, "weight_decay", '"1e-4"', 1e-4, "config", True),
        (10, "learning_rate", "0.1", 0.1, "config", True),
        (12, "sgd.dampening", "0", 0.0, "default", False),
        (12, "learning_rate", "0.1", 0.1, "config", True),
        (12, "weight_decay", '"1e-4"', 1e-4, "config", True),
        (12, "momentum", "0.9", 0.9, "literal", False),
    ]


def test_names_follow_single_assignments_and_parameter_defaults() -> None:
    assert sites("""
        from torch import nn
        P = 0.3
        class Block(nn.Module):
            def __init__(self, dim, eps=1e-6, slope=None):
                rate = P
                self.drop = nn.Dropout(rate)
                self.norm = nn.LayerNorm(dim, eps=eps)
                self.act = nn.LeakyReLU(slope)
    """) == [
        (3, "dropout", "0.3", 0.3, "literal", False),  # where the number is written, not where `rate` is read
        (5, "eps", "1e-6", 1e-6, "config", True),  # a default of an nn.Module's signature
        (8, "ln.eps", "1e-6", 1e-6, "config", True),
        (9, "leaky_relu.negative_slope", "slope", None, "config", True),
    ]


def test_loss_terms_and_moving_averages() -> None:
    assert sites("""
        import torch
        def loss_fn(a, b, args):
            return a + 0.5 * b
        def step(pg_loss, v_loss, entropy, args, online, target):
            loss = pg_loss - args.ent_coef * entropy + v_loss * 0.5
            loss += 1e-4 * torch.logsumexp(online, dim=-1).mean()
            single_loss = 2.0 * pg_loss
            target = 0.99 * target + (1 - 0.99) * online
            mixed = (1.0 - args.eps) * pg_loss + args.eps * v_loss
            target.lerp_(online, 1 - args.tau)
    """) == [
        (4, "loss_weight.b", "0.5", 0.5, "literal", False),
        (6, "ent_coef", "args.ent_coef", None, "config", True),
        (6, "loss_weight.v_loss", "0.5", 0.5, "literal", False),
        (7, "loss_weight.logsumexp", "1e-4", 1e-4, "literal", False),
        (8, "loss_scale", "2.0", 2.0, "literal", False),  # a single loss scaled by a literal is a weight too
        (9, "ema_decay", "0.99", 0.99, "literal", False),
        (11, "tau", "args.tau", None, "config", True),
    ]


def test_magic_numbers_are_not_sites() -> None:
    assert (
        sites("""
        import torch
        x = torch.zeros(32, 3, 224, 224)
        y = x.sum(dim=1).view(-1, 10)[:, 0]
        for i in range(10):
            if i % 100 == 0:
                print(i, 1e-3)
        z = torch.clamp(y, 0.0, 1.0) * 255
    """)
        == []
    )


def test_bad_input_is_symbolic_never_a_crash() -> None:
    found = sites("""
        import os
        import argparse
        from torch.optim import *
        import torch
        parser = argparse.ArgumentParser()
        parser.add_argument("--lr", type=float, default=float(os.environ.get("LR", "0.1")))
        parser.add_argument("--bs", type=int, default=2 ** 8)
        a = b
        b = a
        def make(name, params, **kwargs):
            opt = getattr(torch.optim, name)(params, lr=0.1)
            forwarded = torch.optim.Adam(params, **kwargs)
            starred = torch.optim.SGD(*params)
            star = SGD(params, lr=b)
            looped = torch.nn.Dropout(a)
            return opt, forwarded, starred, star, looped
    """)
    assert found == [
        (8, "batch_size", "2 ** 8", 256.0, "config", True),
        (15, "momentum", "0", 0.0, "default", False),
        (15, "sgd.dampening", "0", 0.0, "default", False),
        (15, "weight_decay", "0", 0.0, "default", False),
        (15, "learning_rate", "b", None, "config", True),
        (16, "dropout", "a", None, "config", True),
    ]


def test_partial_binds_arguments_and_signature_defaults_are_configurable() -> None:
    assert sites("""
        from functools import partial
        import gymnasium as gym
        from torch import nn
        norm = partial(nn.LayerNorm, eps=1e-6)
        class Block(nn.Module):
            def __init__(self, norm_layer=partial(nn.BatchNorm2d, eps=1e-3), act=None):
                self.norm = norm_layer(64)
                self.act = act or nn.LeakyReLU(0.2)
        env = gym.wrappers.FrameStack(env, 4)
    """) == [
        (5, "ln.eps", "1e-6", 1e-6, "literal", False),
        (7, "bn.eps", "1e-3", 1e-3, "literal", True),
        (9, "leaky_relu.negative_slope", "0.2", 0.2, "literal", True),
        (10, "frame_stack", "4", 4.0, "literal", False),
    ]


def test_click_and_omegaconf_declarations() -> None:
    assert sites("""
        import click
        from omegaconf import OmegaConf
        cfg = OmegaConf.create({"lr": 3e-4, "name": "run", "dropout": 0.1})
        @click.command()
        @click.option("--batch-size", default=64)
        @click.option("--workers", default=4)
        def main(batch_size, workers):
            pass
    """) == [
        (4, "learning_rate", "3e-4", 3e-4, "config", True),
        (4, "dropout", "0.1", 0.1, "config", True),
        (6, "batch_size", "64", 64.0, "config", True),
    ]


def test_files_without_triggers_are_skipped_and_facts_round_trip_the_cache() -> None:
    assert sites("x = 0.5 * y + 0.5 * z\n") == []
    text = "import torch\nopt = torch.optim.SGD(p, lr=0.1)\n"
    facts = scan(CodeModule("m.py", text, ast.parse(text)))
    assert facts.sites and from_data(HyperparameterFacts, json.loads(json.dumps(to_data(facts)))) == facts


@pytest.fixture(scope="module")
def dqn_rows() -> list[dict]:
    report = check(load_config(None, DQN), [DQN], select=list(HYPERPARAMETERS.codes))
    return report.sections["hyperparameters"]


def test_section_rows_have_the_documented_shape(dqn_rows: list[dict]) -> None:
    assert [row["name"] for row in dqn_rows] == sorted(row["name"] for row in dqn_rows)
    for row in dqn_rows:
        assert set(row) == {"name", "paper", "code", "status"}
        assert row["status"] in {
            "match",
            "mismatch",
            "differs",
            "out-of-scope",
            "only-in-code",
            "only-in-paper",
            "linked",
        }
        if row["paper"] is not None:
            assert set(row["paper"]) == {"paper", "item", "number", "value", "span", "scope", "members"}
        for code in row["code"]:
            assert set(code) == {"value", "numeric", "span", "source", "configurable", "api", "status", "link", "scope"}
            assert code["source"] in {s.value for s in Source}
            assert code["status"] in {"match", "mismatch", "differs", "out-of-scope", "no-paper-value"}
            assert (code["status"] == "no-paper-value") == (row["paper"] is None)
    by_name = {row["name"]: row for row in dqn_rows}
    assert by_name["adam.eps"]["status"] == "mismatch"
    assert by_name["adam.eps"]["paper"]["value"] == r"1.5\times10^{-4}"
    assert by_name["adam.eps"]["paper"]["number"] == "1"
    assert [(c["value"], c["source"], c["api"]) for c in by_name["adam.eps"]["code"]] == [
        ("1e-8", "default", "torch.optim.Adam")
    ]
    # smooth_l1_loss's default beta = 1 is Table 1's Huber threshold; the prose's $\kappa = 1$ states it again
    # under its symbol, which no site names (the paper side does not yet merge the two statements)
    assert by_name["huber_threshold"]["status"] == "match"
    assert by_name["kappa"]["status"] == "only-in-paper"
    assert by_name["exploration_steps"]["status"] == "only-in-paper"


def test_every_table_format_is_registered_and_deterministic(dqn_rows: list[dict]) -> None:
    assert HPARAMS_FORMATS == tuple(sorted(TABLE_FORMATS))
    for name, render in TABLE_FORMATS.items():
        assert render(dqn_rows) == render(json.loads(json.dumps(dqn_rows))), name
    assert json.loads(TABLE_FORMATS["json"](dqn_rows))["hyperparameters"] == dqn_rows
    lines = TABLE_FORMATS["csv"](dqn_rows).splitlines()
    assert lines[0].startswith("name,status,paper,item,number")
    assert (
        "adam.eps,mismatch,dqn,hp:adam.eps,1,1.5\\times10^{-4},1e-8,1e-08,default,false,torch.optim.Adam,src/agent.py,,62,17,,annotation"
        in lines
    )


def test_cli_hparams_prints_the_table(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["hparams", str(DQN), "--format", "text", "--no-cache"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["name", "paper", "code", "status"]
    assert any(line.startswith("target_update_period") and line.endswith("mismatch") for line in lines)


def test_the_static_checker_never_imports_torch() -> None:
    script = (
        "import sys; sys.modules['torch'] = None\n"  # importing torch now raises
        "from pathlib import Path; from paperlink.config import load_config; from paperlink.engine import check\n"
        "p = Path(sys.argv[1]); r = check(load_config(None, p), [p], jobs=1)\n"
        "print(sorted({d.code for d in r.diagnostics}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(DQN)], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert "PL403" in done.stdout


def test_unimplemented_hyperparameters_can_be_exempted() -> None:
    from paperlink.config import Config, PaperSource

    folder = ROOT / "tests" / "rules" / "fixtures" / "PL404_unimplemented"
    paper = PaperSource("paper", folder / "paper.tex")
    plain = check(Config(root=folder, papers=(paper,)), [folder / "only_learning_rate.py"], jobs=1, select=["PL404"])
    exempt = Config(root=folder, papers=(paper,), not_implemented=frozenset({"hp:warmup_steps"}))
    fewer = check(exempt, [folder / "only_learning_rate.py"], jobs=1, select=["PL404"])
    assert [d.span.line for d in plain.diagnostics] == [9, 10]
    assert [d.span.line for d in fewer.diagnostics] == [10]


def test_corpus_benchmark_runs_on_the_sample_papers() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "hyperparameters.py"), "--show"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
        timeout=120,
    )
    assert "dqn: 3 files, 27 numeric literals, 15 sites, PL401 1" in done.stdout  # no paper, no annotations
    assert "sample of 6 PL401 sites (seed 6):" in done.stdout  # with the linear-scaling rule's 256


# --- configuration sites: signatures, attribute bags, script blocks, switches -----------------


def test_a_training_signature_lists_its_settings_and_leaves_out_logging_seeds_and_devices() -> None:
    assert sites("""
        import torch
        class PPO:
            def __init__(self, policy, env, learning_rate=3e-4, n_epochs=10, clip_range=0.2,
                         target_kl: float | None = None, ent_coef: str | float = "auto", use_sde=False,
                         train_freq=4, stats_window_size=100, verbose=0, seed=None, device="auto",
                         tensorboard_log: str | None = None, policy_kwargs=None, _init_setup_model=True):
                pass
    """) == [
        (4, "learning_rate", "3e-4", 3e-4, "config", True),
        (4, "epochs", "10", 10.0, "config", True),
        (4, "clip_range", "0.2", 0.2, "config", True),
        (5, "target_kl", "None", None, "config", True),
        (5, "ent_coef", '"auto"', None, "config", True),
        (5, "use_sde", "False", None, "config", True),
        (6, "train_freq", "4", 4.0, "config", True),
    ]


def test_a_parameter_is_a_setting_by_its_name_or_by_its_use() -> None:
    # `m` reaches a moving average through `self.m`; `beta` an optimizer; `size` nothing
    assert sites("""
        import torch
        class Momentum:
            def __init__(self, encoder, m=0.999, size=3):
                self.m = m
            def update(self, k, q):
                k.data = k.data * self.m + q.data * (1.0 - self.m)
        def fit(model, beta=0.5, lr=1e-3, name="run"):
            return torch.optim.Adam(model.parameters(), lr=lr, betas=(beta, 0.999))
        def helper(x, scale=2):
            return x * scale
    """) == [
        (4, "m", "0.999", 0.999, "config", True),
        (7, "m", "0.999", 0.999, "config", True),
        (8, "beta", "0.5", 0.5, "config", True),
        (8, "learning_rate", "1e-3", 1e-3, "config", True),
        (9, "adam.eps", "1e-8", 1e-8, "default", False),
        (9, "weight_decay", "0", 0.0, "default", False),
        (9, "learning_rate", "1e-3", 1e-3, "config", True),
        (9, "adam.beta1", "0.5", 0.5, "config", True),
        (9, "adam.beta2", "0.999", 0.999, "literal", False),
    ]


def test_module_constructors_hold_widths_and_rates() -> None:
    assert sites("""
        from torch import nn
        class Head(nn.Module):
            def __init__(self, encoder, dim=2048, pred_dim=512, mlp=False, num_classes=1000,
                         dim_out: int | None = None, inplace=True):
                super().__init__()
    """) == [
        (4, "dim", "2048", 2048.0, "config", True),
        (4, "pred_dim", "512", 512.0, "config", True),
        (4, "mlp", "False", None, "config", True),
    ]


def test_attribute_bags_presets_and_config_objects() -> None:
    assert sites("""
        from types import SimpleNamespace
        import torch
        from yacs.config import CfgNode as CN
        def get_default_config():
            C = CN()
            C.device = "auto"
            C.num_workers = 4
            C.model_type = "gpt"
            C.n_layer = None
            C.learning_rate = 3e-4
            C.betas = (0.9, 0.95)
            return C
        def from_pretrained(model_type, config, net):
            config.vocab_size = 50257
            config.seed = 1
            net.size = 3
            torch.backends.cudnn.benchmark = True
            sizes = {"a": dict(n_layer=6, n_head=6), "b": dict(n_layer=12, n_head=12)}[model_type]
        hp = SimpleNamespace(gamma=0.99, log_dir="runs")
    """) == [
        (9, "model_type", '"gpt"', None, "config", True),
        (10, "n_layer", "None", None, "config", True),
        (11, "learning_rate", "3e-4", 3e-4, "config", True),
        (12, "betas", "(0.9, 0.95)", None, "config", True),
        (15, "vocab_size", "50257", 50257.0, "config", True),
        (19, "n_layer", "6", 6.0, "config", True),
        (19, "n_head", "6", 6.0, "config", True),
        (19, "n_layer", "12", 12.0, "config", True),
        (19, "n_head", "12", 12.0, "config", True),
        (20, "gamma", "0.99", 0.99, "config", True),
    ]


def test_a_script_block_is_configuration_only_where_something_overrides_it() -> None:
    block = """
        import torch
        out_dir = "out"
        eval_interval = 2000
        batch_size = 12
        bias = False
        grad_clip = 1.0
        {override}
        best_val_loss = 1e9
        def step(model):
            torch.nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
    """
    assert sites(block.format(override="exec(open('configurator.py').read())")) == [
        (5, "batch_size", "12", 12.0, "config", True),
        (6, "bias", "False", None, "config", True),
        (7, "max_grad_norm", "1.0", 1.0, "config", True),
        (11, "max_grad_norm", "1.0", 1.0, "config", True),
    ]
    assert sites(block.format(override="")) == [(7, "max_grad_norm", "1.0", 1.0, "literal", False)]


def test_argparse_switches_method_choices_and_computed_placeholders() -> None:
    assert sites("""
        import argparse
        from dataclasses import dataclass
        parser = argparse.ArgumentParser()
        parser.add_argument("--arch", default="resnet50")
        parser.add_argument("--dataset", default="imagenet")
        parser.add_argument("--cos", action="store_true")
        parser.add_argument("--evaluate", action="store_true")
        parser.add_argument("--T-max", type=int, default=int(50e6))
        parser.add_argument("--schedule", default=[120, 160], nargs="*", type=int)
        parser.add_argument("--n_cpu", type=int, default=8)
        @dataclass
        class Args:
            norm_adv: bool = True
            target_kl: float = None
            torch_deterministic: bool = True
            batch_size: int = 0
        args = Args()
        args.batch_size = int(args.num_envs * args.num_steps)
    """) == [
        (5, "arch", '"resnet50"', None, "config", True),
        (7, "cos", "False", None, "config", True),
        (9, "t_max", "int(50e6)", 50e6, "config", True),
        (10, "schedule", "[120, 160]", None, "config", True),
        (14, "norm_adv", "True", None, "config", True),
        (15, "target_kl", "None", None, "config", True),
    ]


def test_method_choices_by_name_and_run_settings_that_are_not_hyperparameters() -> None:
    """Strings naming the nonlinearity, the normalisation, the initialisation, the weight
    parameterisation or the schedule are choices of the method; how data is fed (`--shuffle`,
    `drop_last`), the machine (`--parallel`, mixed precision) and what only evaluation or a
    sampling script reads are not hyperparameters."""
    assert sites("""
        import argparse
        parser = argparse.ArgumentParser()
        parser.add_argument("--G_nl", type=str, default="relu")
        parser.add_argument("--norm_style", type=str, default="bn")
        parser.add_argument("--G_init", type=str, default="ortho")
        parser.add_argument("--G_param", type=str, default="SN")
        parser.add_argument("--decay_type", type=str, default="cosine")
        parser.add_argument("--position_embedding", default="sine", choices=("sine", "learned"))
        parser.add_argument("--which_best", type=str, default="IS")
        parser.add_argument("--shuffle", action="store_true", default=False)
        parser.add_argument("--use_multiepoch_sampler", action="store_true", default=False)
        parser.add_argument("--parallel", action="store_true", default=False)
        parser.add_argument("--G_mixed_precision", action="store_true", default=False)
        parser.add_argument("--no_fid", action="store_true", default=False)
        parser.add_argument("--num_inception_images", type=int, default=50000)
        parser.add_argument("--sample_sheets", action="store_true", default=False)
        parser.add_argument("--batch_eval", type=int, default=512)
        parser.add_argument("--G_lr", type=float, default=5e-5)
        def get_data_loaders(dataset, batch_size=64, num_workers=8, shuffle=True, drop_last=True, start_itr=0):
            pass
    """) == [
        (4, "g_nl", '"relu"', None, "config", True),
        (5, "norm_style", '"bn"', None, "config", True),
        (6, "g_init", '"ortho"', None, "config", True),
        (7, "g_param", '"SN"', None, "config", True),
        (8, "decay_type", '"cosine"', None, "config", True),
        (9, "position_embedding", '"sine"', None, "config", True),
        (19, "g_lr", "5e-5", 5e-5, "config", True),
        (20, "batch_size", "64", 64.0, "config", True),
    ]


def test_the_table_lists_layer_defaults_only_where_the_paper_states_them(tmp_path: Path) -> None:
    (tmp_path / "model.py").write_text(
        "import torch\nfrom torch import nn\n"
        "norm = nn.BatchNorm1d(64)\n"
        "opt = torch.optim.Adam(norm.parameters(), lr=1e-3)\n"
    )
    report = check(load_config(None, tmp_path), [tmp_path], select=list(HYPERPARAMETERS.codes))
    names = {row["name"] for row in report.sections["hyperparameters"]}
    assert {"adam.eps", "adam.beta1", "learning_rate"} <= names
    assert not names & {"bn.eps", "bn_momentum"}


def test_the_table_lists_a_read_setting_where_it_is_written(tmp_path: Path) -> None:
    """`Adam(params, lr=args.lr)` reads the flag: the flag is the site, listed once; a read the
    file cannot follow (`self.max_grad_norm` set elsewhere) is no site of its own."""
    (tmp_path / "train.py").write_text(
        textwrap.dedent("""\
            import argparse
            import torch
            parser = argparse.ArgumentParser()
            parser.add_argument("--lr", type=float, default=3e-4)
            args = parser.parse_args()
            def make(model, batch_size=64, decay=0.99):
                opt = torch.optim.Adam(model.parameters(), lr=args.lr)
                loader = torch.utils.data.DataLoader(data, batch_size=batch_size)
                for p, q in zip(model.parameters(), target.parameters()):
                    q.data.copy_(decay * q.data + (1 - decay) * p.data)
                return opt, loader
            class Agent:
                def step(self, model):
                    torch.nn.utils.clip_grad_norm_(model.parameters(), self.max_grad_norm)
        """)
    )
    report = check(load_config(None, tmp_path), [tmp_path], select=list(HYPERPARAMETERS.codes))
    lines = {
        row["name"]: sorted((c["span"]["line"], c["api"], c["source"]) for c in row["code"])
        for row in report.sections["hyperparameters"]
    }
    assert lines["learning_rate"] == [(4, "argparse", "config")]  # not line 7, which reads it
    assert lines["batch_size"] == [(6, "signature", "config")]  # the default, not the loader reading it
    assert lines["ema_decay"] == [(6, None, "config")]  # the decay's default, not the 1 - decay
    assert "max_grad_norm" not in lines  # set where this file does not say


def test_evaluation_loaders_set_no_hyperparameter() -> None:
    assert sites("""
        import torch
        loader = torch.utils.data.DataLoader(train_set, batch_size=64)
        val_loader = torch.utils.data.DataLoader(val_set, batch_size=256)
    """) == [(3, "batch_size", "64", 64.0, "literal", False)]


def test_reads_of_a_bag_follow_to_its_value() -> None:
    found = sites("""
        import torch
        def get_default_config():
            C = CN()
            C.learning_rate = 3e-4
            return C
        def build(model, C):
            return torch.optim.SGD(model.parameters(), lr=C.learning_rate)
    """)
    assert [site for site in found if site[1] == "learning_rate"] == [
        (5, "learning_rate", "3e-4", 3e-4, "config", True),
        (8, "learning_rate", "3e-4", 3e-4, "config", True),
    ]


def test_class_level_settings_of_a_config_class() -> None:
    assert sites("""
        import torch
        class TrainConfig:
            lr = 3e-4
            gamma: float = 0.99
            log_every = 100
            name = "run"
        class Model:
            width = 64
        opt = torch.optim.SGD(params, lr=TrainConfig.lr)
    """)[:2] == [
        (4, "learning_rate", "3e-4", 3e-4, "config", True),
        (5, "gamma", "0.99", 0.99, "config", True),
    ]


def test_config_dicts_and_namespaces_built_from_them() -> None:
    assert sites("""
        import types
        import ml_collections
        import torch
        def get_config():
            config = ml_collections.ConfigDict()
            config.transformer = ml_collections.ConfigDict({"num_heads": 12, "dropout_rate": 0.1})
            return config
        defaults = dict(lr=1e-3, seed=0)
        hp = types.SimpleNamespace(**defaults)
        train_config = {"batch_size": 64, "out_dir": "runs", "vocab_size": None}
        shapes = {"width": 224}
    """) == [
        (7, "num_heads", "12", 12.0, "config", True),
        (7, "dropout", "0.1", 0.1, "config", True),
        (9, "learning_rate", "1e-3", 1e-3, "config", True),
        (11, "batch_size", "64", 64.0, "config", True),
    ]


HPARAMS_GOLDEN = ROOT / "tests" / "golden" / "hparams"


@pytest.mark.parametrize("name", sorted(TABLE_FORMATS))
def test_each_hparams_format_lists_every_site_with_its_own_status(name: str) -> None:
    """A paper with scoped values, a set, symbols and a cited value: one line per site, each
    with its status (tests/golden/hparams/table.<format>; PAPERLINK_REGENERATE=1 rewrites)."""
    project = HPARAMS_GOLDEN / "project"
    report = check(load_config(None, project), [project], jobs=1, select=list(HYPERPARAMETERS.codes))
    found = TABLE_FORMATS[name](report.sections["hyperparameters"])
    golden = HPARAMS_GOLDEN / f"table.{name}"
    if os.environ.get("PAPERLINK_REGENERATE") == "1":
        golden.write_text(found, encoding="utf-8")
    assert found == golden.read_text(encoding="utf-8")


def test_an_annotation_on_a_parameter_links_that_value_and_pl404_agrees_with_the_table(tmp_path: Path) -> None:
    (tmp_path / "paper.yaml").write_text(
        "items:\n"
        "  - {kind: hyperparameter, name: beta, key: beta, value: 0.5}\n"
        "  - {kind: hyperparameter, name: number of samples, key: N, value: 64}\n",
        encoding="utf-8",
    )
    (tmp_path / "pyproject.toml").write_text('[tool.paperlink]\npapers = {paper = "paper.yaml"}\n', encoding="utf-8")
    (tmp_path / "train.py").write_text(
        "import torch\n"
        "\n"
        "\n"
        "def make(params, lr=0.01,\n"
        "         beta=0.5,  # paper: hp:beta\n"
        "         ):\n"
        "    return torch.optim.SGD(params, lr=lr)\n",
        encoding="utf-8",
    )
    report = check(load_config(None, tmp_path), [tmp_path], jobs=1, select=list(HYPERPARAMETERS.codes))
    assert [(d.code, d.span.path, d.span.line, d.message) for d in report.diagnostics] == [
        ("PL404", "paper.yaml", 3, "hyperparameter number of samples = 64 (hp:N) has no code site")
    ]
    rows = {row["name"]: row for row in report.sections["hyperparameters"]}
    assert [(c["value"], c["span"]["line"], c["status"], c["link"], c["api"]) for c in rows["beta"]["code"]] == [
        ("0.5", 5, "match", "annotation", "annotation")
    ]
    assert [(c["value"], c["status"], c["link"]) for c in rows["learning_rate"]["code"]] == [
        ("0.01", "no-paper-value", None)  # on the def's line: not linked by the comment below it
    ]
    assert rows["N"]["status"] == "only-in-paper" and rows["N"]["code"] == []
    # an annotation naming N where no value is written: PL404 is satisfied, and the table says linked
    with (tmp_path / "train.py").open("a", encoding="utf-8") as file:
        file.write("\n\ndef draw(model):  # paper: hp:N\n    return model.sample()\n")
    report = check(load_config(None, tmp_path), [tmp_path], jobs=1, select=list(HYPERPARAMETERS.codes))
    assert report.diagnostics == ()
    rows = {row["name"]: row for row in report.sections["hyperparameters"]}
    assert rows["N"]["status"] == "linked" and rows["N"]["code"] == []


def test_pl404_only_for_settings_the_paper_states_outright(tmp_path):
    """A table row and a known setting in prose are reported when no code sets them; a symbol
    assignment or a count of something else in prose is listed, never PL404."""
    from paperlink.config import load_config
    from paperlink.engine import check

    (tmp_path / "paper.tex").write_text(
        "\\documentclass{article}\\begin{document}\n"
        "\\section{Method}\n"
        "We project to $d = 2048$ dimensions with a three-layer projection MLP.\n"
        "We train with a learning rate of 0.05.\n"
        "\\begin{table}\\caption{Hyperparameters}\\begin{tabular}{ll}\n"
        "Warm-up steps & 4000 \\\\\n"
        "\\end{tabular}\\end{table}\n"
        "\\end{document}\n",
        encoding="utf-8",
    )
    (tmp_path / "pyproject.toml").write_text('[tool.paperlink]\npapers = { p = "paper.tex" }\n', encoding="utf-8")
    (tmp_path / "train.py").write_text("x = 1\n", encoding="utf-8")
    report = check(load_config(None, tmp_path), [tmp_path], jobs=1)
    found = sorted((d.span.line, d.message) for d in report.diagnostics if d.code == "PL404")
    assert found == [
        (4, "hyperparameter learning rate = 0.05 (hp:learning_rate, Section 1) has no code site"),
        (6, "hyperparameter Warm-up steps = 4000 (hp:warm_up_steps, Table 1) has no code site"),
    ]
    listed = {row["name"] for row in report.sections["hyperparameters"]}
    assert {"d", "projection_layers"} <= listed
