"""Contract JSON Schemas made fit for an AsyncAPI document's `components.schemas`.

Pydantic puts nested models and enums under a schema's own ``$defs`` and points at them with
``#/$defs/Name``; inside an AsyncAPI document such a pointer would resolve against the
document's root. Each definition is moved to ``components.schemas`` and the pointers are
rewritten; a name already used there by a different definition gets the contract's type as
a prefix, so two services may each have their own ``Channel`` enum.
"""

from __future__ import annotations

import json
from typing import Any

COMPONENTS = "#/components/schemas/"


def _rewrite(node: Any, renames: dict[str, str]) -> Any:
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith("#/$defs/"):
                out[key] = COMPONENTS + renames[value.removeprefix("#/$defs/")]
            else:
                out[key] = _rewrite(value, renames)
        return out
    if isinstance(node, list):
        return [_rewrite(item, renames) for item in node]
    return node


def _same(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def hoist(name: str, schema: dict[str, Any], components: dict[str, Any]) -> None:
    """Add `schema` to `components` under `name`, its ``$defs`` beside it."""
    schema = dict(schema)
    definitions: dict[str, Any] = schema.pop("$defs", {})
    renames: dict[str, str] = {}
    for def_name, definition in definitions.items():
        existing = components.get(def_name)
        renames[def_name] = (
            def_name if existing is None or _same(existing, definition) else f"{name}.{def_name}"
        )
    for def_name, definition in definitions.items():
        components[renames[def_name]] = _rewrite(definition, renames)
    if name in components and not _same(components[name], _rewrite(schema, renames)):
        raise ValueError(f"two different schemas are both named {name}")
    components[name] = _rewrite(schema, renames)
