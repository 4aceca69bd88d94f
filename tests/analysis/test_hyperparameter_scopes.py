"""Which paper scope a config file's site belongs to (paperlink.analysis.hyperparameters.scopes)."""

from __future__ import annotations

import pytest

from paperlink.analysis.hyperparameters.scopes import path_words, site_scope

SCOPES = ("atari", "atari 100k", "imagenet-1k", "imagenet linear probe", "")


@pytest.mark.parametrize(
    ("path", "scope"),
    [
        ("configs/atari/dqn.yaml", "atari"),
        ("conf/atari_100k.yaml", "atari 100k"),  # a scope with a number is split as a path is
        ("conf/ImageNet1k.yaml", "imagenet-1k"),
        ("probe/imagenet-linear.yaml", "imagenet linear probe"),
        ("configs/mujoco.yaml", ""),
    ],
)
def test_a_config_file_is_in_the_most_specific_scope_its_path_names(path: str, scope: str):
    assert site_scope(path, True, SCOPES) == scope


def test_code_is_for_the_whole_run():
    assert site_scope("atari_100k/train.py", False, SCOPES) == ""


def test_path_words_split_letters_from_digits():
    assert path_words("conf/Atari_100k.yaml") == {"conf", "atari", "100", "k", "yaml"}
