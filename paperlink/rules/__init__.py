"""The rule registry: a rule exists when it is in :data:`ALL_RULES`."""

from __future__ import annotations

from paperlink.rules.base import Rule, rule_markdown
from paperlink.rules.gradient_flow import (
    DataAttributeStop,
    GradientStopOutsideTraining,
    LossThroughConversion,
    MissingGradientStop,
    UndocumentedFreeze,
    UndocumentedGradientStop,
)
from paperlink.rules.hidden_state import (
    GlobalConfigRead,
    GlobalMutation,
    GlobalRebinding,
    ImportTimeWork,
    LibraryEnvironmentRead,
)
from paperlink.rules.environment import UnpinnedEnvironment, UnrecordedPlatformVersion
from paperlink.rules.reproducibility import (
    HardCodedSeed,
    ResultsWithoutConfig,
    UndocumentedNondeterminism,
    UnseededRandomness,
)
from paperlink.rules.hyperparameters import (
    HiddenHyperparameter,
    HyperparameterMismatch,
    ImplicitDefaultMismatch,
    InconsistentHyperparameter,
    UnimplementedHyperparameter,
)
from paperlink.rules.runtime import (
    NonFiniteOrigin,
    ParameterWithoutGradient,
    RuntimeStopNotStatic,
    StaticStopNotExecuted,
)
from paperlink.rules.source_input import (
    CodeRulesSkipped,
    NotebookNotReadable,
    SourceNotDecodable,
    SourceSyntaxError,
    UnreadableConfigFile,
    UnreadableEnvironmentFile,
)
from paperlink.rules.suppression import MalformedDirective, UnknownSuppressionCode, UnusedSuppression
from paperlink.rules.traceability import (
    AmbiguousReference,
    MalformedAnnotation,
    StaleLink,
    UnimplementedItem,
    UnknownPaper,
    UnknownReference,
)
from paperlink.rules.paper_input import (
    ConflictingHyperparameter,
    DroppedLabel,
    DuplicateLabel,
    IncludeCycle,
    IncludeOutsidePaper,
    MalformedLatex,
    NumberingUnknown,
    PaperFileMissing,
    PaperNotUtf8,
)

__all__ = ["ALL_RULES", "RETIRED_CODES", "Rule", "rule_by_code", "rule_markdown", "rules_markdown"]

ALL_RULES: tuple[type[Rule], ...] = (
    SourceSyntaxError,
    SourceNotDecodable,
    CodeRulesSkipped,
    NotebookNotReadable,
    UnreadableConfigFile,
    UnreadableEnvironmentFile,
    PaperFileMissing,
    IncludeCycle,
    IncludeOutsidePaper,
    MalformedLatex,
    PaperNotUtf8,
    NumberingUnknown,
    DuplicateLabel,
    ConflictingHyperparameter,
    DroppedLabel,
    UnknownReference,
    MalformedAnnotation,
    UnknownPaper,
    AmbiguousReference,
    UnimplementedItem,
    StaleLink,
    UnusedSuppression,
    UnknownSuppressionCode,
    MalformedDirective,
    UndocumentedGradientStop,
    DataAttributeStop,
    LossThroughConversion,
    UndocumentedFreeze,
    MissingGradientStop,
    GradientStopOutsideTraining,
    GlobalRebinding,
    GlobalMutation,
    GlobalConfigRead,
    LibraryEnvironmentRead,
    ImportTimeWork,
    HiddenHyperparameter,
    HyperparameterMismatch,
    ImplicitDefaultMismatch,
    UnimplementedHyperparameter,
    InconsistentHyperparameter,
    UnseededRandomness,
    UndocumentedNondeterminism,
    HardCodedSeed,
    ResultsWithoutConfig,
    UnpinnedEnvironment,
    UnrecordedPlatformVersion,
    RuntimeStopNotStatic,
    ParameterWithoutGradient,
    NonFiniteOrigin,
    StaticStopNotExecuted,
)


# Codes of rules that were removed, each with the release that removed it and what to use
# instead (docs/compatibility.md). A code here is never given to a new rule; settings and
# suppressions naming it are still accepted, so a pinned configuration survives the upgrade.
RETIRED_CODES: dict[str, str] = {}


def rule_by_code(code: str) -> type[Rule] | None:
    """The rule with this code or name, case-insensitively."""
    wanted = code.strip().lower()
    for rule in ALL_RULES:
        if wanted in (rule.code.lower(), rule.name):
            return rule
    return None


def rules_markdown() -> str:
    """docs/rules.md: an index, then every rule's page."""
    lines = ["# Rules", "", "Generated from the rules' own documentation by `paperlink rule --all`; do not edit.", ""]
    lines += ["| code | name | severity | summary |", "|---|---|---|---|"]
    lines += [f"| {r.code} | {r.name} | {r.severity.value} | {r.summary} |" for r in ALL_RULES]
    pages = ["\n".join(lines) + "\n"]
    pages += ["#" + rule_markdown(rule).replace("\n## ", "\n### ") for rule in ALL_RULES]
    return "\n".join(pages)
