"""The runtime gradient audit (the ``torch`` extra).

:func:`audit` watches one real training step; :func:`merge_runtime` puts what it saw beside
the static map of gradient stops. Importing this package does not import torch: only an
audit that starts does, and without torch it raises
:class:`~paperlink.errors.TorchMissingError` with the install hint.
"""

from __future__ import annotations

from paperlink.runtime.audit import GradientAudit, audit, require_torch
from paperlink.runtime.result import AuditResult, audit_from_json, audit_to_json

__all__ = ["audit", "GradientAudit", "AuditResult", "audit_to_json", "audit_from_json", "require_torch"]
