"""Work, counted where a test would otherwise time: the same count on any machine, under any load.

A test that once said "finishes within 10 s" says instead how much work the code may do: calls
of one function, function calls in all, characters handed to the regular-expression engine.
A count cannot see work inside one C call (a regular expression backtracking, a ``str``
method), so these counts sit beside pytest-timeout's guard against hangs, and the times
themselves are quoted by ``benchmarks/stress.py``, never asserted.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

__all__ = ["function_calls", "count_regex_characters"]


def function_calls(run: Callable[[], object]) -> int:
    """How many Python and builtin function calls ``run()`` makes (the profiler's call events)."""
    calls = 0

    def profile(frame: object, event: str, argument: object) -> None:
        nonlocal calls
        if event in ("call", "c_call"):
            calls += 1

    previous = sys.getprofile()
    sys.setprofile(profile)
    try:
        run()
    finally:
        sys.setprofile(previous)
    return calls


_WITH_POSITION = frozenset({"match", "fullmatch", "search", "finditer", "findall", "scanner"})  # (string, pos, endpos)
_REPLACEMENT_FIRST = frozenset({"sub", "subn"})  # (replacement, string, count)


class _CountingPattern:
    """A compiled pattern that adds to ``counter`` the characters each call may scan."""

    def __init__(self, pattern: re.Pattern[str], counter: list[int]) -> None:
        self._pattern = pattern
        self._counter = counter

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._pattern, name)
        if not callable(method):
            return method

        def counted(*args: Any, **kwargs: Any) -> Any:
            string = args[1] if name in _REPLACEMENT_FIRST else args[0]
            start = 0
            if name in _WITH_POSITION:
                start = kwargs.get("pos", args[1] if len(args) > 1 else 0)
            self._counter[0] += max(len(string) - start, 0)
            return method(*args, **kwargs)

        return counted


def count_regex_characters(monkeypatch: pytest.MonkeyPatch, module: ModuleType) -> list[int]:
    """Count, in the returned one-item list, the characters ``module``'s compiled patterns are given."""
    counter = [0]
    for name, value in list(vars(module).items()):
        if isinstance(value, re.Pattern):
            monkeypatch.setattr(module, name, _CountingPattern(value, counter))
    return counter
