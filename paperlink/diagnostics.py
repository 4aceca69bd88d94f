"""The diagnostic: one problem at one place, identified by a stable rule code."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from paperlink.spans import Span

__all__ = ["Severity", "Diagnostic"]


class Severity(enum.Enum):
    """How much a diagnostic matters; ``info`` never fails a run."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """A problem found in a file. Ordered by place, then code, for stable output."""

    span: Span
    code: str
    message: str
    severity: Severity = Severity.WARNING

    def __str__(self) -> str:
        return f"{self.span}: {self.code} {self.message}"

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "message": self.message,
            "severity": self.severity.value,
            "span": self.span.to_dict(),
        }
