"""A content-addressed cache of what reading each file found, like ruff's ``.ruff_cache``.

What a file yields (its annotations, suppressions, or why it cannot be read) depends only
on its bytes, its project-relative path and the paperlink version, never on the paper: so
a file whose bytes did not change is not parsed again, and resolving links against the
paper, which is cheap, runs every time. The cache is JSON (never pickle: a cache folder can
arrive with a cloned repository) and best effort: a cache that cannot be read or written
is ignored.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from paperlink import __version__
from paperlink.diagnostics import Diagnostic, Severity
from paperlink.source.annotations import Annotation
from paperlink.spans import Span
from paperlink.suppressions import Suppression

__all__ = ["CACHE_FOLDER", "ScanCache", "digest"]

CACHE_FOLDER = ".paperlink_cache"


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class ScanCache:
    """Scan results by relative path, each valid for one digest of the file's bytes."""

    def __init__(self, root: Path) -> None:
        self.folder = root / CACHE_FOLDER
        self.file = self.folder / __version__ / "scan.json"
        self.entries: dict[str, tuple[str, dict[str, Any]]] = self._load()
        self.changed = False

    def _load(self) -> dict[str, tuple[str, dict[str, Any]]]:
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return {key: (value[0], value[1]) for key, value in data.items() if isinstance(value, list) and len(value) == 2}

    def get(self, relative: str, file_digest: str):
        """The cached scan of ``relative`` if its bytes are unchanged, else None."""
        entry = self.entries.get(relative)
        if entry is None or entry[0] != file_digest:
            return None
        try:
            return _decode_scan(entry[1])
        except (KeyError, TypeError, ValueError):
            return None

    def put(self, relative: str, file_digest: str, scanned) -> None:
        self.entries[relative] = (file_digest, _encode_scan(scanned))
        self.changed = True

    def save(self) -> None:
        """Write the cache atomically; a read-only project simply goes uncached."""
        if not self.changed:
            return
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            ignore = self.folder / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# Created by paperlink\n*\n", encoding="utf-8")
            handle, temporary = tempfile.mkstemp(dir=self.file.parent, suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump({key: list(value) for key, value in self.entries.items()}, stream, sort_keys=True)
            os.replace(temporary, self.file)
        except OSError:
            pass


def _span(data: dict[str, Any]) -> Span:
    return Span(data["path"], data["line"], data["column"], data["end_line"], data["end_column"])


def _span_data(span: Span) -> dict[str, Any]:
    """The span's fields as they are (``to_dict`` fills a missing end, which would not round-trip)."""
    return dataclasses.asdict(span)


def _encode_scan(scanned) -> dict[str, Any]:
    return {
        "annotations": [
            {
                "text": a.text, "paper": a.paper, "form": a.form, "span": _span_data(a.span),
                "target": _span_data(a.target), "target_name": a.target_name, "problem": a.problem,
                "scope": a.scope, "fingerprint": a.fingerprint,
            }
            for a in scanned.annotations
        ],
        "suppressions": [
            {
                "span": _span_data(s.span), "codes": list(s.codes), "whole_file": s.whole_file,
                "reason": s.reason, "below": list(s.below) if s.below else None, "problem": s.problem,
            }
            for s in scanned.suppressions
        ],
        "problem": _diagnostic_data(scanned.problem) if scanned.problem is not None else None,
    }


def _diagnostic_data(diagnostic: Diagnostic) -> dict[str, Any]:
    return {
        "span": _span_data(diagnostic.span), "code": diagnostic.code,
        "message": diagnostic.message, "severity": diagnostic.severity.value,
    }


def _decode_scan(data: dict[str, Any]):
    from paperlink.engine import _Scanned  # the engine owns the type; imported late to avoid a cycle

    annotations = tuple(
        Annotation(
            a["text"], a["paper"], a["form"], _span(a["span"]), _span(a["target"]), a["target_name"],
            a["problem"], a["scope"], a["fingerprint"],
        )
        for a in data["annotations"]
    )
    suppressions = tuple(
        Suppression(
            _span(s["span"]), tuple(s["codes"]), s["whole_file"], s["reason"],
            tuple(s["below"]) if s["below"] else None, s["problem"],
        )
        for s in data["suppressions"]
    )
    problem = data["problem"]
    diagnostic = None
    if problem is not None:
        diagnostic = Diagnostic(_span(problem["span"]), problem["code"], problem["message"], Severity(problem["severity"]))
    return _Scanned(annotations, suppressions, diagnostic)
