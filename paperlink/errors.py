"""Run-stopping failures.

Every exception paperlink raises on purpose derives from :class:`PaperlinkError`; the CLI
catches it once, prints one line to stderr and exits with status 2. Problems inside a
single file are never exceptions: they become diagnostics and the run goes on. Anything
else that escapes is a bug (exit 3).

Tree::

    PaperlinkError
    ├── ConfigError        bad [tool.paperlink] / paperlink.yaml (names the key)
    ├── PaperNotFoundError the configured or given paper does not exist
    ├── ManifestError      a YAML paper manifest that does not fit the schema (names the line)
    ├── UsageError         a command-line request that cannot be honoured
    ├── TorchMissingError  the runtime audit needs torch: pip install 'paperlink[torch]'
    └── AuditError         the audited step cannot be run (the entry raises, returns no loss...)
"""

from __future__ import annotations

__all__ = [
    "PaperlinkError",
    "ConfigError",
    "PaperNotFoundError",
    "ManifestError",
    "UsageError",
    "TorchMissingError",
    "AuditError",
    "yaml_problem",
]


class PaperlinkError(Exception):
    """A problem that makes the requested run impossible (exit status 2)."""

    slug = "errors"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigError(PaperlinkError):
    """The configuration cannot be used; the message names the offending key."""

    slug = "configuration"


class PaperNotFoundError(PaperlinkError):
    """A paper source (LaTeX main file or manifest) is missing or unreadable."""

    slug = "papers"


class ManifestError(PaperlinkError):
    """A YAML paper manifest does not match the documented schema."""

    slug = "manifest"


class UsageError(PaperlinkError):
    """The command line asks for something paperlink cannot do."""

    slug = "cli"


class TorchMissingError(PaperlinkError):
    """The runtime audit was asked for but torch cannot be imported."""

    slug = "audit"

    def __init__(self, reason: str = "No module named 'torch'") -> None:
        super().__init__(f"the gradient audit needs torch ({reason}); install it with: pip install 'paperlink[torch]'")


class AuditError(PaperlinkError):
    """The audited step cannot be run: the entry is missing, raises, or returns no loss."""

    slug = "audit"


def yaml_problem(error: Exception) -> str:
    """The first line of a PyYAML error's problem: our errors are one line."""
    message = str(getattr(error, "problem", None) or error).strip()
    return message.splitlines()[0] if message else "unknown error"
