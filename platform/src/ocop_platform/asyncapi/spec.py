"""Validation against the official AsyncAPI 3.0.0 JSON Schema, vendored in `spec/`."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

SPEC_FILE = "asyncapi-3.0.0.schema.json"


class SpecValidationUnavailableError(RuntimeError):
    """The `jsonschema` package is not installed (it comes with the dev environment)."""


@cache
def official_schema() -> dict[str, Any]:
    text = resources.files("ocop_platform.asyncapi").joinpath("spec", SPEC_FILE).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def spec_errors(document: dict[str, Any]) -> list[str]:
    """Every violation of the AsyncAPI 3.0.0 schema, as ``path: message`` (empty when valid)."""
    try:
        import jsonschema  # type: ignore[import-untyped]
    except ImportError as exc:  # a production image has no dev tools
        raise SpecValidationUnavailableError("pip install jsonschema") from exc
    validator = jsonschema.Draft7Validator(official_schema())
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message}"
        for error in errors
    ]
