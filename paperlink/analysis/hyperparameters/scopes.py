"""The scope of a code site: which of the paper's experiments it configures.

The paper states some values for one scope only ("atari", "imagenet linear probe"). A config
file is in a scope when the words of its path (folders and file name, split at ``/ _ - .``
and case) hold every word of that scope: ``configs/atari/dqn.yaml`` and ``conf/atari_100k.yaml``
are "atari", ``probe/imagenet-linear.yaml`` is "imagenet linear probe". Where several scopes
fit, the one with most words wins (the more specific experiment). Everything else is for the
whole run: scope ``""``. An annotation naming a scoped statement gives the site that scope.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["site_scope", "path_words"]

_WORD = re.compile(r"[a-z]+|[0-9]+")


def path_words(path: str) -> frozenset[str]:
    """The lowercase words and numbers of a project-relative path (``conf/Atari_100k.yaml``:
    conf, atari, 100, k, yaml)."""
    return frozenset(_WORD.findall(path.lower()))


def site_scope(path: str, config_file: bool, scopes: Iterable[str]) -> str:
    """The scope a site at ``path`` belongs to among the paper's ``scopes`` ("" for the whole run)."""
    if not config_file:
        return ""
    words = path_words(path)
    # a scope's words split as a path's are ("atari 100k", "imagenet-1k": atari, 100, k)
    fitting = [scope for scope in scopes if scope and path_words(scope) <= words]
    return max(fitting, key=lambda scope: (len(path_words(scope)), scope), default="")
