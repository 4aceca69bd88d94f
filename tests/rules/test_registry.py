"""Tests for the rule registry: every rule is well formed, unique and documented."""

from __future__ import annotations

import re

import pytest

from paperlink.diagnostics import Diagnostic, Severity
from paperlink.rules import ALL_RULES, Rule, rule_by_code, rule_markdown
from paperlink.rules.base import DOC_HEADINGS
from paperlink.spans import Span


def test_registry_is_not_empty_and_holds_rules():
    assert ALL_RULES
    assert all(isinstance(rule, type) and issubclass(rule, Rule) and rule is not Rule for rule in ALL_RULES)


def test_codes_are_unique_and_well_formed():
    codes = [rule.code for rule in ALL_RULES]
    assert len(set(codes)) == len(codes)
    assert [code for code in codes if not re.fullmatch(r"PL\d{3}", code)] == []


def test_names_are_unique_kebab_case():
    names = [rule.name for rule in ALL_RULES]
    assert len(set(names)) == len(names)
    assert [name for name in names if not re.fullmatch(r"[a-z]+(?:-[a-z0-9]+)*", name)] == []


def test_rules_are_sorted_by_code():
    codes = [rule.code for rule in ALL_RULES]
    assert codes == sorted(codes)


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda rule: rule.code)
def test_rule_describes_itself_completely(rule):
    assert rule.problems() == []
    assert isinstance(rule.severity, Severity)
    assert all(isinstance(severity, Severity) for severity in rule.severities())
    assert rule.severities()[0] is rule.severity


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda rule: rule.code)
def test_a_rule_makes_its_diagnostics_at_its_declared_severities_only(rule):
    span = Span("a.py", 3, 5)
    assert rule.at(span, "m") == Diagnostic(span, rule.code, "m", rule.severity)
    for severity in rule.severities():
        assert rule.at(span, "m", severity).severity is severity
    for severity in set(Severity) - set(rule.severities()):
        with pytest.raises(ValueError, match=f"{rule.code} reports at"):
            rule.at(span, "m", severity)


def test_only_undocumented_nondeterminism_reports_at_two_severities():
    """A second severity is a documented exception (PL502's CUDA atomics are information)."""
    assert {rule.code: rule.severities() for rule in ALL_RULES if len(rule.severities()) > 1} == {
        "PL502": (Severity.WARNING, Severity.INFO)
    }


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda rule: rule.code)
def test_rule_is_found_by_code_and_by_name(rule):
    assert rule_by_code(rule.code) is rule
    assert rule_by_code(rule.code.lower()) is rule
    assert rule_by_code(rule.name) is rule


def test_unknown_rule_is_none():
    assert rule_by_code("PL999") is None


def test_problems_reports_an_incomplete_rule():
    class Incomplete(Rule):
        """## What it does\nNothing."""

        code = "X1"
        name = "Bad_Name"

    assert Incomplete.problems() == [
        "Incomplete: code 'X1' is not PL followed by three digits",
        "X1: name 'Bad_Name' is not kebab-case",
        "X1: no summary",
        *(f"X1: documentation lacks the heading '## {heading}'" for heading in DOC_HEADINGS[1:]),
    ]


def test_problems_reports_a_severity_declared_twice():
    class Twice(Rule):
        code = "PL999"
        severity = Severity.INFO
        other_severities = (Severity.INFO,)

    assert "PL999: other_severities repeats a severity" in Twice.problems()


def test_rule_markdown_starts_with_code_name_and_summary():
    rule = ALL_RULES[0]
    page = rule_markdown(rule)
    assert page.startswith(
        f"# {rule.code} {rule.name}\n\n*{rule.summary}* (default severity: {rule.severity.value})\n\n"
    )
    assert page.endswith(rule.documentation() + "\n")


def test_no_retired_code_is_given_to_a_rule():
    from paperlink.rules import RETIRED_CODES

    assert not {rule.code for rule in ALL_RULES} & set(RETIRED_CODES)
    assert all(re.match(r"^PL\d{3}$", code) and reason for code, reason in RETIRED_CODES.items())


def test_a_retired_code_keeps_settings_and_suppressions_valid(monkeypatch, tmp_path):
    """docs/compatibility.md: a configuration naming a retired code still loads; a suppression of it is unused."""
    from paperlink import rules
    from paperlink.codes import unknown_codes
    from paperlink.config import load_config
    from paperlink.engine import check

    monkeypatch.setitem(rules.RETIRED_CODES, "PL299", "removed in 0.2.0; PL201 covers it")
    assert unknown_codes(["PL299", "PL298", "PL201"]) == ["PL298"]
    (tmp_path / "pyproject.toml").write_text('[tool.paperlink]\nignore = ["PL299"]\n', encoding="utf-8")
    (tmp_path / "train.py").write_text("x = 1  # paperlink: ignore[PL299] no longer needed\n", encoding="utf-8")
    report = check(load_config(tmp_path / "pyproject.toml"), [tmp_path], jobs=1)
    assert [(d.code, d.span.line, d.message) for d in report.diagnostics] == [
        ("PL112", 1, "unused suppression of PL299: nothing reported on this line"),
    ]


def test_rule_markdown_names_the_other_severities_a_rule_declares():
    from paperlink.rules import rule_by_code

    page = rule_markdown(rule_by_code("PL502"))
    assert "(default severity: warning; some cases: info)\n" in page
