"""What every rule is: a code, a name, a severity and documentation with fixed headings.

A rule's docstring is its documentation. ``paperlink rule CODE``, ``docs/rules.md`` and
(later) SARIF's ``rules[]`` and the HTML legend are all generated from it.
"""

from __future__ import annotations

import inspect
import re

from paperlink.diagnostics import Severity

__all__ = ["Rule", "DOC_HEADINGS", "rule_markdown"]

DOC_HEADINGS = ("What it does", "Why it matters", "Example", "How to document it")
_CODE = re.compile(r"^PL\d{3}$")
_NAME = re.compile(r"^[a-z]+(?:-[a-z0-9]+)*$")


class Rule:
    """Base class: subclasses set the class attributes and write the docstring."""

    code: str = ""
    name: str = ""
    severity: Severity = Severity.WARNING
    summary: str = ""  # one line: the smell, in the words of the messages
    default_enabled: bool = True  # False: reported only when a `select` names it (informational listings)

    @classmethod
    def documentation(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def problems(cls) -> list[str]:
        """What is wrong with this rule's self-description (empty when it is complete)."""
        found = []
        if not _CODE.match(cls.code):
            found.append(f"{cls.__name__}: code {cls.code!r} is not PL followed by three digits")
        if not _NAME.match(cls.name):
            found.append(f"{cls.code}: name {cls.name!r} is not kebab-case")
        if not cls.summary:
            found.append(f"{cls.code}: no summary")
        docs = cls.documentation()
        for heading in DOC_HEADINGS:
            if f"## {heading}" not in docs:
                found.append(f"{cls.code}: documentation lacks the heading '## {heading}'")
        return found


def rule_markdown(rule: type[Rule]) -> str:
    """The rule's documentation page: title line, then its docstring."""
    return f"# {rule.code} {rule.name}\n\n*{rule.summary}* (default severity: {rule.severity.value})\n\n{rule.documentation()}\n"
