"""The published JSON Schema of `check --format json`, closed for testing paperlink's own output.

The published schema leaves objects open: within a version fields are only ever added, and a
consumer validating with it must accept a newer paperlink's extra keys. paperlink's own output
is held to more: every key it writes must be documented, so the tests validate against a copy
in which every object that lists its properties allows no others.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

__all__ = ["SCHEMA_PATH", "published_schema", "closed_schema", "output_errors"]

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "docs" / "schema" / "check-output.schema.json"


def published_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def closed_schema() -> dict[str, Any]:
    """The published schema with ``additionalProperties: false`` on every object that lists properties."""
    schema = copy.deepcopy(published_schema())

    def close(node: object) -> None:
        if isinstance(node, dict):
            if "properties" in node and "additionalProperties" not in node:
                node["additionalProperties"] = False
            for value in node.values():
                close(value)
        elif isinstance(node, list):
            for value in node:
                close(value)

    close(schema)
    return schema


def output_errors(document: object, schema: dict[str, Any] | None = None) -> list[str]:
    """Why ``document`` does not match the closed schema (empty when it does)."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(closed_schema() if schema is None else schema)
    return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in validator.iter_errors(document)]
