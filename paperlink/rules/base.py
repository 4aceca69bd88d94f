"""What every rule is: a code, a name, a severity and documentation with fixed headings.

A rule's docstring is its documentation. ``paperlink rule CODE``, ``docs/rules.md`` and
(later) SARIF's ``rules[]`` and the HTML legend are all generated from it.

A rule also makes its diagnostics: ``UnknownReference.at(span, message)`` is the one
place a :class:`~paperlink.diagnostics.Diagnostic` is built, so a code always carries a
severity its rule declares (``tests/test_diagnostics_made_by_rules.py`` holds the rest of
paperlink to it).
"""

from __future__ import annotations

import inspect
import re

from paperlink.diagnostics import Diagnostic, Fix, Severity
from paperlink.spans import Span

__all__ = ["Rule", "DOC_HEADINGS", "rule_markdown"]

DOC_HEADINGS = ("What it does", "Why it matters", "Example", "How to document it")
_CODE = re.compile(r"^PL\d{3}$")
_NAME = re.compile(r"^[a-z]+(?:-[a-z0-9]+)*$")


class Rule:
    """Base class: subclasses set the class attributes and write the docstring."""

    code: str = ""
    name: str = ""
    severity: Severity = Severity.WARNING
    # Further severities some of its diagnostics carry, each for a case its documentation
    # names (PL502 reports CUDA atomics as info); a diagnostic asks for one explicitly.
    other_severities: tuple[Severity, ...] = ()
    summary: str = ""  # one line: the smell, in the words of the messages
    default_enabled: bool = True  # False: reported only when a `select` names it (informational listings)
    # The code analysis (its name in ``paperlink.analysis.ANALYSES``) whose conclusion reports
    # this rule: the analysis runs when one of its rules is selected. Empty for the rules the
    # engine, the paper reader or the audit report themselves.
    analysis: str = ""

    @classmethod
    def at(cls, span: Span, message: str, severity: Severity | None = None, *, fix: Fix | None = None) -> Diagnostic:
        """This rule's diagnostic at ``span``: its code, at its severity, or at ``severity``
        when that is one of its :attr:`other_severities` (any other is a bug: ValueError);
        ``fix``, when the correction is mechanical (``check --fix``, an editor's code action)."""
        if severity is None:
            severity = cls.severity
        elif severity not in cls.severities():
            declared = ", ".join(s.value for s in cls.severities())
            raise ValueError(f"{cls.code} reports at {declared}, not {severity.value}: declare it in other_severities")
        return Diagnostic(span, cls.code, message, severity, fix)

    @classmethod
    def severities(cls) -> tuple[Severity, ...]:
        """Every severity its diagnostics may carry, its own first."""
        return (cls.severity, *cls.other_severities)

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
        if cls.severity in cls.other_severities or len(set(cls.other_severities)) != len(cls.other_severities):
            found.append(f"{cls.code}: other_severities repeats a severity")
        docs = cls.documentation()
        for heading in DOC_HEADINGS:
            if f"## {heading}" not in docs:
                found.append(f"{cls.code}: documentation lacks the heading '## {heading}'")
        return found


def rule_markdown(rule: type[Rule]) -> str:
    """The rule's documentation page: title line, then its docstring."""
    severity = f"default severity: {rule.severity.value}"
    if rule.other_severities:
        severity += f"; some cases: {', '.join(s.value for s in rule.other_severities)}"
    return f"# {rule.code} {rule.name}\n\n*{rule.summary}* ({severity})\n\n{rule.documentation()}\n"
