"""paperlink: make the correspondence between a paper and its code explicit and checked."""

from typing import Any

from paperlink.markers import implements

__version__ = "0.2.0"

__all__ = ["__version__", "implements"]


def __getattr__(name: str) -> Any:
    """``paperlink.audit``: the runtime gradient audit, imported on first use (it needs torch)."""
    if name == "audit":
        from paperlink.runtime import audit

        return audit
    raise AttributeError(f"module 'paperlink' has no attribute {name!r}")
