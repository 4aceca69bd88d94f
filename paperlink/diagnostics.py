"""The diagnostic: one problem at one place, identified by a stable rule code."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from paperlink.spans import Span

__all__ = ["Severity", "Edit", "Fix", "Diagnostic"]


class Severity(enum.Enum):
    """How much a diagnostic matters; ``info`` never fails a run."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, order=True)
class Edit:
    """Replace the text at ``span`` (1-based lines and columns in characters, end exclusive)
    with ``replacement``; an empty replacement deletes, an empty span inserts."""

    span: Span
    replacement: str

    def to_dict(self) -> dict[str, object]:
        return {"replacement": self.replacement, "span": self.span.to_dict()}


@dataclass(frozen=True, order=True)
class Fix:
    """What would correct a diagnostic, as data (ruff's fixes): a title, the edits, and
    whether ``check --fix`` may apply it unasked (``safe``) or only an editor, on request."""

    title: str  # "Replace 'Eq. 3' with 'Eq. 4'"
    edits: tuple[Edit, ...]
    safe: bool = True

    def to_dict(self) -> dict[str, object]:
        return {"edits": [edit.to_dict() for edit in self.edits], "safe": self.safe, "title": self.title}


@dataclass(frozen=True, order=True)
class Diagnostic:
    """A problem found in a file. Ordered by place, then code, for stable output."""

    span: Span
    code: str
    message: str
    severity: Severity = Severity.WARNING
    fix: Fix | None = None  # made by the rule, with the diagnostic (Rule.at)

    def __str__(self) -> str:
        return f"{self.span}: {self.code} {self.message}"

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "code": self.code,
            "message": self.message,
            "severity": self.severity.value,
            "span": self.span.to_dict(),
        }
        if self.fix is not None:
            data["fix"] = self.fix.to_dict()
        return data
