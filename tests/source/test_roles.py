"""The one test-file predicate every rule family asks (pytest's conventions)."""

from __future__ import annotations

import pytest

from paperlink.source.roles import is_test_file


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("tests/test_model.py", True),
        ("test_model.py", True),
        ("src/model_test.py", True),
        ("conftest.py", True),
        ("src/conftest.py", True),
        ("pkg/test/helpers.py", True),  # once a test for PL3xx but not for PL401
        ("tests/fixtures/data.py", True),
        ("testing/util.py", True),  # pytest's own suite lives in testing/
        ("src/testing_utils.py", False),
        ("src/tests_helper.py", False),
        ("src/contest.py", False),
        ("latest/model.py", False),
        ("src/model.py", False),
        ("notebooks/test_run.ipynb", True),
    ],
)
def test_test_files(path: str, expected: bool) -> None:
    assert is_test_file(path) is expected
