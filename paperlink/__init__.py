"""paperlink: make the correspondence between a paper and its code explicit and checked."""

from paperlink.markers import implements

__version__ = "0.1.0"

__all__ = ["__version__", "implements"]
