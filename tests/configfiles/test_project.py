"""Config files in a run: found by globs and Hydra mains, linked, suppressed, compared, cached."""

from __future__ import annotations

import ast
import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from paperlink.analysis.hyperparameters import HyperparameterFacts, scan
from paperlink.analysis.hyperparameters.config_files import read_key
from paperlink.cache import from_data, to_data
from paperlink.cli import cli
from paperlink.config import Config, PaperSource, load_config
from paperlink.configfiles import project as project_module
from paperlink.configfiles.project import read_configs
from paperlink.engine import check
from paperlink.errors import ConfigError
from paperlink.source.code import CodeModule

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "rules" / "fixtures"
PAPER = FIXTURES / "paper.tex"
HYDRA = FIXTURES / "PL402_mismatch" / "hydra_override"


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def run(root: Path, select: list[str] | None = None):
    config = load_config(root / "pyproject.toml") if (root / "pyproject.toml").is_file() else Config(root=root)
    config = Config(**{**config.__dict__, "papers": (PaperSource("paper", PAPER),)})
    # these projects record no environment: PL505/PL506 are not what they test
    return check(config, [root], jobs=1, select=select, ignore=["PL505", "PL506"])


def lines(report) -> list[str]:
    return [f"{d.span}: {d.code} {d.message}" for d in report.diagnostics]


def test_hydra_main_is_a_fact_that_round_trips_the_cache() -> None:
    text = textwrap.dedent("""
        import hydra
        from hydra import compose, initialize

        @hydra.main(config_path="conf", config_name="config", version_base=None)
        def main(cfg):
            pass

        def notebook():
            with initialize(config_path="../conf"):
                return compose(config_name="eval")
    """)
    facts = scan(CodeModule("m.py", text, ast.parse(text)))
    assert [(m.config_path, m.config_name, m.span.line) for m in facts.hydra] == [
        ("conf", "config", 5),
        ("../conf", "eval", 10),
    ]
    assert from_data(HyperparameterFacts, json.loads(json.dumps(to_data(facts)))) == facts


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("cfg.optimizer.lr", "optimizer.lr"),
        ('cfg["optimizer"]["lr"]', "optimizer.lr"),
        ("self.cfg.lr", "lr"),
        ("args.lr", "lr"),
        ("train_cfg.model.dropout", "model.dropout"),
        ("model.lr", None),
        ("lr", None),
        ("cfg", None),
        ("cfg.lr * 2", None),
    ],
)
def test_code_values_name_the_config_key_they_read(text: str, key: str | None) -> None:
    assert read_key(text) == key


def test_the_hydra_tree_is_composed_linked_and_compared_with_the_paper() -> None:
    report = check(Config(root=HYDRA, papers=(PaperSource("paper", PAPER),)), [HYDRA], jobs=1)
    assert [(l.item_key, l.form, str(l.target), l.target_name) for l in report.links] == [
        ("hp:batch_size", "config", "conf/config.yaml:10:13", "batch_size")
    ]
    assert {"conf/config.yaml", "conf/optimizer/sgd.yaml", "conf/model/small.yaml"} <= set(report.checked_paths)
    assert "conf/optimizer/adam.yaml" not in report.checked_paths  # not the default option
    rows = {row["name"]: row for row in report.sections["hyperparameters"]}
    assert [
        (c["value"], c["span"]["path"], c.get("key"), (c.get("origin") or {}).get("path"))
        for c in rows["learning_rate"]["code"]
    ] == [
        ("0.1", "conf/optimizer/sgd.yaml", "optimizer.lr", None),  # train.py reads it: not a site of its own
    ]
    assert rows["learning_rate"]["status"] == "mismatch" and rows["batch_size"]["status"] == "match"


def test_hparams_lists_config_sites(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["hparams", str(HYDRA), "--paper", f"paper={PAPER}", "--no-cache", "--format", "csv"]
    )
    assert result.exit_code == 0, result.output
    assert (
        "learning_rate,mismatch,paper,hp:learning_rate,,0.05,0.1,0.1,config,true,hydra,conf/optimizer/sgd.yaml,,1,5"
        in result.output
    )


def test_config_file_globs_annotations_suppressions_and_problems(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "pyproject.toml": '[tool.paperlink]\nconfig-files = ["configs/**/*.yaml", "*.json"]\n',
            "configs/base.yaml": """\
            optimizer:
              lr: 0.1  # paperlink: ignore[PL402] tuned for the small dataset
              momentum: 0.8  # paper: hp:momentum
            dropout: 0.1  # paperlink: ignore[PL402] nothing to suppress
            eps: 1e-6  # paper: hp:nonexistent
            """,
            "configs/deep/broken.yaml": "a: [1\n",
            "settings.json": '{"batch_size": 256}',
            "train.py": "import torch\n",
        },
    )
    report = run(root)
    assert [line for line in lines(report) if not line.startswith("../")] == [
        "configs/base.yaml:3:13: PL402 optimizer.momentum 0.8 differs from the paper's 0.9 (hp:momentum, Section 2)",
        "configs/base.yaml:4:15: PL112 unused suppression of PL402: nothing reported on this line",
        "configs/base.yaml:5:12: PL101 hp:nonexistent is not a hyperparameter of paper 'paper'",
        "configs/deep/broken.yaml:2:1: PL005 cannot read config file: invalid YAML: expected ',' or ']', but got '<stream end>'",
        "settings.json:1:16: PL402 batch_size 256 differs from the paper's 512 (hp:batch_size, Table 1)",
    ]
    assert [(l.item_key, str(l.target)) for l in report.links] == [("hp:momentum", "configs/base.yaml:3:13")]


def test_code_reading_a_config_file_gets_its_value_and_literals_against_it_are_pl405(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "pyproject.toml": '[tool.paperlink]\nconfig-files = ["config.toml"]\n',
            "config.toml": "[optimizer]\nlr = 0.05\nmomentum = 0.9\n",
            "train.py": """\
            import torch
            import tomllib
            cfg = tomllib.load(open("config.toml", "rb"))
            def build(model):
                return torch.optim.SGD(model.parameters(), lr=cfg["optimizer"]["lr"], momentum=0.99)
            """,
        },
    )
    assert [line for line in lines(run(root, ["PL402", "PL405"]))] == [
        "train.py:5:84: PL402 momentum 0.99 differs from the paper's 0.9 (hp:momentum, Section 2)",
        "train.py:5:84: PL405 momentum is 0.99 here but 0.9 in optimizer.momentum (config.toml:3)",
    ]


def test_hydra_instantiate_targets_supply_constructor_parameters(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "cfgs/config.yaml": "lr: 1e-3\nagent:\n  _target_: agents.sac.Agent\n  lr: ${lr}\n",
            "train.py": """\
            import hydra
            @hydra.main(config_path="cfgs", config_name="config")
            def main(cfg):
                return hydra.utils.instantiate(cfg.agent)
            """,
            "agents/sac.py": """\
            import torch
            class Agent:
                def __init__(self, lr):
                    self.opt = torch.optim.Adam([], lr=lr)
            """,
        },
    )
    assert lines(run(root, ["PL402"])) == [
        "cfgs/config.yaml:1:5: PL402 lr 1e-3 differs from the paper's 0.05 (hp:learning_rate, Section 2)"
    ]
    rows = {row["name"]: row for row in run(root, ["PL402"]).sections["hyperparameters"]}
    assert [(c["value"], c["span"]["path"], c.get("key")) for c in rows["learning_rate"]["code"]] == [
        ("1e-3", "cfgs/config.yaml", "lr"),  # where the value is written; agents/sac.py reads it
    ]


def test_a_project_without_config_files_reads_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("a config file was read")

    monkeypatch.setattr(project_module, "read_config_file", refuse)
    write(tmp_path, {"train.py": "import torch\nopt = torch.optim.SGD([], lr=0.1)\n", "conf/config.yaml": "lr: 1\n"})
    assert read_configs(Config(root=tmp_path), HyperparameterFacts().hydra).sources == ()
    assert run(tmp_path).checked_paths == ("train.py",)


def test_config_files_setting_must_be_globs(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.paperlink]\nconfig-files = [1]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="'config-files' must be a list of glob strings"):
        load_config(tmp_path / "pyproject.toml")


def test_keys_beside_a_target_api_are_named_by_its_parameters(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "pyproject.toml": '[tool.paperlink]\nconfig-files = ["model.yaml"]\n',
            "model.yaml": """\
            scheduler:
              _target_: torch.optim.lr_scheduler.StepLR
              step_size: 30
              gamma: 0.1
            discount:
              gamma: 0.99
            """,
        },
    )
    rows = run(root, ["PL402"]).sections["hyperparameters"]
    assert [(row["name"], [c["key"] for c in row["code"]]) for row in rows if row["code"]] == [
        ("gamma", ["discount.gamma"]),  # the paper's discount
        ("lr_decay", ["scheduler.gamma"]),  # StepLR's gamma decays the learning rate
        ("lr_schedule.step_size", ["scheduler.step_size"]),
    ]


def test_paper_keys_written_like_config_words_match_their_canonical_name() -> None:
    from paperlink.analysis.hyperparameters.vocabulary import config_name, same_hyperparameter

    assert same_hyperparameter(config_name("replay_buffer_size"), "replay_buffer_size")
    assert same_hyperparameter(config_name("lr"), "base_lr") and not same_hyperparameter("momentum", "lr")
