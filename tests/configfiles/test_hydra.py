"""Hydra's composition of the default config: order, overrides, packages, nesting."""

from __future__ import annotations

from pathlib import Path

from paperlink.configfiles.hydra import compose
from paperlink.configfiles.read import read_config_file


def tree(tmp_path: Path, files: dict[str, str]) -> Path:
    conf = tmp_path / "conf"
    for name, text in files.items():
        path = conf / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return conf


def composed(tmp_path: Path, files: dict[str, str], name: str = "config") -> dict[str, str]:
    """Final key -> 'value@file:line'."""
    conf = tree(tmp_path, files)
    source, _ = compose(conf, name, lambda path: read_config_file(path, tmp_path) if path.is_file() else None)
    assert source is not None
    return {v.key: f"{v.text}@{v.span.path.removeprefix('conf/')}:{v.span.line}" for v in source.values}


def test_without_self_the_primary_keys_come_last_and_win(tmp_path: Path) -> None:
    assert composed(
        tmp_path,
        {
            "config.yaml": "defaults:\n  - optimizer: sgd\noptimizer:\n  lr: 0.05\n",
            "optimizer/sgd.yaml": "lr: 0.1\nmomentum: 0.9\n",
        },
    ) == {"optimizer.lr": "0.05@config.yaml:4", "optimizer.momentum": "0.9@optimizer/sgd.yaml:2"}


def test_self_first_lets_the_options_override_the_primary(tmp_path: Path) -> None:
    assert composed(
        tmp_path,
        {
            "config.yaml": "defaults:\n  - _self_\n  - optimizer: sgd\noptimizer:\n  lr: 0.05\n",
            "optimizer/sgd.yaml": "lr: 0.1\n",
        },
    ) == {"optimizer.lr": "0.1@optimizer/sgd.yaml:1"}


def test_later_defaults_override_earlier_ones(tmp_path: Path) -> None:
    assert composed(
        tmp_path,
        {
            "config.yaml": "defaults:\n  - base\n  - tuned\n",
            "base.yaml": "lr: 1\nbs: 2\n",
            "tuned.yaml": "lr: 3\n",
        },
    ) == {"bs": "2@base.yaml:2", "lr": "3@tuned.yaml:1"}


def test_override_anywhere_in_the_tree_replaces_the_groups_option(tmp_path: Path) -> None:
    assert composed(
        tmp_path,
        {
            "config.yaml": "defaults:\n  - optimizer: sgd\n  - experiment: fast\n",
            "experiment/fast.yaml": "# @package _global_\ndefaults:\n  - override /optimizer: adam\nepochs: 10\n",
            "optimizer/sgd.yaml": "lr: 0.1\n",
            "optimizer/adam.yaml": "lr: 3e-4\n",
        },
    ) == {"epochs": "10@experiment/fast.yaml:4", "optimizer.lr": "3e-4@optimizer/adam.yaml:1"}


def test_package_headers_and_entry_packages_place_the_keys(tmp_path: Path) -> None:
    assert composed(
        tmp_path,
        {
            "config.yaml": "defaults:\n  - model: small\n  - data: cifar\n  - optimizer@opt: sgd\n  - db/mysql\n",
            "model/small.yaml": "# @package _global_\ndropout: 0.3\n",
            "data/cifar.yaml": "# @package dataset.train\nbatch_size: 128\n",
            "optimizer/sgd.yaml": "lr: 0.1\n",
            "db/mysql.yaml": "port: 3306\n",
        },
    ) == {
        "dataset.train.batch_size": "128@data/cifar.yaml:2",
        "db.port": "3306@db/mysql.yaml:1",
        "dropout": "0.3@model/small.yaml:2",
        "opt.lr": "0.1@optimizer/sgd.yaml:1",
    }


def test_nested_defaults_are_relative_to_their_group_and_package(tmp_path: Path) -> None:
    assert composed(
        tmp_path,
        {
            "config.yaml": "defaults:\n  - server: apache\n  - task@_global_: walk\n",
            "server/apache.yaml": "defaults:\n  - db: mysql\nport: 80\n",
            "server/db/mysql.yaml": "port: 3306\n",
            "task/walk.yaml": "defaults:\n  - medium\n  - _self_\nname: walk\n",
            "task/medium.yaml": "frames: 1000\nname: medium\n",
        },
    ) == {
        "frames": "1000@task/medium.yaml:1",
        "name": "walk@task/walk.yaml:4",
        "server.db.port": "3306@server/db/mysql.yaml:1",
        "server.port": "80@server/apache.yaml:3",
    }


def test_null_optional_missing_and_hydra_groups_load_nothing(tmp_path: Path) -> None:
    assert composed(
        tmp_path,
        {
            "config.yaml": (
                "defaults:\n  - db: null\n  - optional extra: none\n  - store: from_config_store\n"
                "  - override hydra/launcher: submitit\nlr: 0.1\nhydra:\n  run:\n    dir: out\n"
            ),
        },
    ) == {"lr": "0.1@config.yaml:6"}


def test_list_options_merge_in_order_and_interpolations_take_the_value_written(tmp_path: Path) -> None:
    assert composed(
        tmp_path,
        {
            "config.yaml": "defaults:\n  - aug: [flip, crop]\n  - _self_\nlr: 1e-4\nagent:\n  lr: ${lr}\n  name: ${missing}\n",
            "aug/flip.yaml": "p: 0.5\n",
            "aug/crop.yaml": "p: 0.8\nscale: 0.2\n",
        },
    ) == {
        "agent.lr": "1e-4@config.yaml:4",
        "agent.name": "${missing}@config.yaml:7",
        "aug.p": "0.8@aug/crop.yaml:1",
        "aug.scale": "0.2@aug/crop.yaml:2",
        "lr": "1e-4@config.yaml:4",
    }


def test_a_config_that_includes_itself_and_a_missing_primary_stop(tmp_path: Path) -> None:
    assert composed(tmp_path, {"config.yaml": "defaults:\n  - config\nlr: 1\n"}) == {"lr": "1@config.yaml:3"}
    conf = tree(tmp_path / "other", {"a.yaml": "x: 1\n"})
    assert compose(conf, "config", lambda path: None)[0] is None


def test_a_malformed_option_is_returned_for_reporting_and_the_rest_composes(tmp_path: Path) -> None:
    conf = tree(tmp_path, {"config.yaml": "defaults:\n  - optimizer: sgd\nbs: 2\n", "optimizer/sgd.yaml": "lr: [0.1\n"})
    source, files = compose(conf, "config", lambda path: read_config_file(path, tmp_path) if path.is_file() else None)
    assert [v.key for v in source.values] == ["bs"]
    assert [str(f.problem) for f in files if f.problem] == [
        "conf/optimizer/sgd.yaml:2:1: PL005 cannot read config file: invalid YAML: expected ',' or ']', but got '<stream end>'"
    ]
