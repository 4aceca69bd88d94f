"""Config, environment and notebook files built to break a reader: each is a diagnostic at
its file, never a crash or a hang (found by review; kept as regressions)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from paperlink.config import Config
from paperlink.engine import check
from tests.notebooks import notebook_json


def _lines(root: Path, codes: list[str], **config) -> list[str]:
    report = check(Config(root=root, **config), [root], jobs=1, select=codes)
    return [str(d) for d in report.diagnostics]


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("a.toml", "lr = 1" + "0" * 400 + "\n", []),  # too large for a float: not a number, no crash
        ("a.yaml", "lr: 1" + "0" * 400 + "\n", []),
        (
            "a.toml",
            "lr = 1" + "0" * 5000 + "\n",
            [
                "configs/a.toml:1:1: PL005 cannot read config file: Exceeds the limit (4300 digits) for integer string conversion: value has 5001 digits"
            ],
        ),
        (
            "a.json",
            '{"lr": 1' + "0" * 5000 + "}\n",
            [
                "configs/a.json:1:1: PL005 cannot read config file: Exceeds the limit (4300 digits) for integer string conversion: value has 5001 digits"
            ],
        ),
        (
            "a.yaml",
            "l0: &l0 {x: 1}\n" + "".join(f"l{i}: &l{i} {{a: *l{i - 1}, b: *l{i - 1}}}\n" for i in range(1, 27)),
            ["configs/a.yaml:1:1: PL005 cannot read config file: more than 100000 keys once its aliases are expanded"],
        ),
    ],
)
def test_hostile_config_files(tmp_path: Path, name: str, text: str, expected: list[str]) -> None:
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / name).write_text(text, encoding="utf-8")
    assert _lines(tmp_path, ["PL005"], config_files=("configs/*",)) == expected


def test_a_hydra_tree_that_fans_out_is_composed_in_bounded_time(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(
        'import hydra\n\n@hydra.main(config_path="conf", config_name="config", version_base=None)\n'
        "def main(cfg):\n    return cfg.lr\n",
        encoding="utf-8",
    )
    files = {"conf/config.yaml": "defaults:\n" + "".join(f"  - /l1/x{j}\n" for j in range(3)) + "lr: 0.1\n"}
    for level in range(1, 16):
        for j in range(3):
            children = "".join(f"  - /l{level + 1}/x{k}\n" for k in range(3))
            files[f"conf/l{level}/x{j}.yaml"] = f"defaults:\n{children}  - /config\nv{level}: {j}\n"
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert _lines(tmp_path, ["PL0", "PL4"]) == []


def test_hostile_environment_files(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text("import torch\n", encoding="utf-8")
    (tmp_path / "requirements.txt").write_text("-r loop.txt\ntorch==2.1.0\n-r sub\n", encoding="utf-8")
    os.symlink("loop.txt", tmp_path / "loop.txt")
    (tmp_path / "sub").mkdir()
    (tmp_path / "Pipfile.lock").write_text(
        '{"default": {"torch": {"version": 5}}, "_meta": {"x": 1' + "0" * 5000 + "}}", encoding="utf-8"
    )
    assert _lines(tmp_path, ["PL006"]) == [
        "Pipfile.lock:1:1: PL006 invalid JSON: Exceeds the limit (4300 digits) for integer string conversion: value has 5001 digits",
        "requirements.txt:1:1: PL006 includes 'loop.txt', which is a symbolic-link loop",
        "requirements.txt:3:1: PL006 includes 'sub', which is not a file",
    ]


def test_a_hydra_config_path_that_is_a_link_loop_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(
        'import hydra\n\n@hydra.main(config_path="conf", config_name="config")\ndef main(cfg):\n    return cfg.lr\n',
        encoding="utf-8",
    )
    os.symlink("conf", tmp_path / "conf")
    # Hydra skips it; discovery reports the loop once, under its own name (docs/security.md).
    assert _lines(tmp_path, ["PL0", "PL4"]) == ["conf:1:1: PL002 cannot read this file: a symbolic-link loop"]


def test_a_notebook_with_a_lone_surrogate_renders(tmp_path: Path) -> None:
    from paperlink.report import render_html

    (tmp_path / "nb.ipynb").write_text(
        '{"cells": [{"cell_type": "code", "metadata": {}, "source": ["x = \\"\\ud800\\"\\n"]}], "nbformat": 4}',
        encoding="utf-8",
    )
    report = check(Config(root=tmp_path), [tmp_path], jobs=1, select=["PL0"])
    assert report.diagnostics == ()  # the cell parses: its surrogate is one replacement character
    from paperlink.report.page import PageOptions

    html = render_html(report, PageOptions(all_files=True))
    assert "nb.ipynb" in html and "cell 1 · code" in html
    html.encode("utf-8")  # nothing unencodable reached the page


def test_a_notebook_with_a_huge_integer_is_pl004(tmp_path: Path) -> None:
    (tmp_path / "nb.ipynb").write_text('{"nbformat": 4' + "0" * 5000 + ', "cells": []}', encoding="utf-8")
    assert _lines(tmp_path, ["PL004"]) == [
        "nb.ipynb:1:1: PL004 not a notebook: Exceeds the limit (4300 digits) for integer string conversion: value has 5001 digits",
    ]


def test_cells_with_odd_sources_parse_as_ipython_runs_them(tmp_path: Path) -> None:
    (tmp_path / "nb.ipynb").write_text(
        notebook_json(
            [
                ("code", "%%time\n"),
                ("code", "\tx = 1\n"),
                ("code", "# only a comment\n"),
                ("markdown", "paper: Eq. 1\n"),
            ]
        ),
        encoding="utf-8",
    )
    assert _lines(tmp_path, ["PL0", "PL1"]) == [
        "nb.ipynb:cell 4:1:1: PL102 a markdown annotation binds to the code cell after it, and no code cell follows",
    ]


def test_a_pyproject_with_a_huge_integer_is_a_configuration_error(tmp_path: Path) -> None:
    from paperlink.config import find_config
    from paperlink.errors import ConfigError

    (tmp_path / "pyproject.toml").write_text("[tool.x]\nn = 1" + "0" * 5000 + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="invalid TOML: Exceeds the limit"):
        find_config(tmp_path)
