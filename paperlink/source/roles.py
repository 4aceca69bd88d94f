"""What a file is for, from its project-relative path alone.

One answer for every rule family: a *test file* is what pytest would collect or load
(``test_*.py``, ``*_test.py``, ``conftest.py``) or anything under a ``test/``, ``tests/``
or ``testing/`` folder (pytest's own suite lives in ``testing/``). Tests pin values and
touch globals on purpose, so they are not research code: the hidden-input and environment
analyses do not scan them, and their literals are not hidden hyperparameters (PL401).
"""

from __future__ import annotations

__all__ = ["is_test_file"]

_TEST_FOLDERS = frozenset({"test", "tests", "testing"})


def is_test_file(relative: str) -> bool:
    """Whether the file at ``relative`` (a POSIX path) is a test file."""
    *folders, name = relative.split("/")
    return (
        bool(_TEST_FOLDERS.intersection(folders))
        or name.startswith("test_")
        or name.endswith("_test.py")
        or name == "conftest.py"
    )
