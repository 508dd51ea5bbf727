"""A static, readable HTML page of the AsyncAPI document (Vietnamese first, no scripts)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class FieldRow:
    name: str
    type: str
    required: bool
    default: str
    description: str


@dataclass(frozen=True)
class SchemaTable:
    name: str
    description: str
    fields: list[FieldRow]

    @property
    def described(self) -> bool:
        return any(row.description for row in self.fields)


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def type_label(schema: dict[str, Any], components: dict[str, Any]) -> str:
    """A short readable type: ``string (date) | null``, ``list[SaleLineV1]``, an enum's values."""
    if "$ref" in schema:
        name = _ref_name(schema["$ref"])
        target = components.get(name, {})
        if "enum" in target:
            return f"{name}: " + " | ".join(str(v) for v in target["enum"])
        return name
    if "anyOf" in schema:
        return " | ".join(type_label(option, components) for option in schema["anyOf"])
    if "const" in schema:
        return f"= {schema['const']}"
    if "enum" in schema:
        return " | ".join(str(v) for v in schema["enum"])
    kind = schema.get("type", "any")
    if kind == "array":
        return f"list[{type_label(schema.get('items', {}), components)}]"
    if kind == "object" and "additionalProperties" in schema:
        values = schema["additionalProperties"]
        if isinstance(values, dict):
            return f"object[string → {type_label(values, components)}]"
    return f"{kind} ({schema['format']})" if "format" in schema else str(kind)


def _table(name: str, schema: dict[str, Any], components: dict[str, Any]) -> SchemaTable:
    required = set(schema.get("required", []))
    rows = [
        FieldRow(
            name=field,
            type=type_label(spec, components),
            required=field in required,
            default=""
            if "default" not in spec
            else json.dumps(spec["default"], ensure_ascii=False),
            description=str(spec.get("description", "")),
        )
        for field, spec in schema.get("properties", {}).items()
    ]
    return SchemaTable(name, str(schema.get("description", "")), rows)


def _nested(schema: dict[str, Any], components: dict[str, Any], seen: set[str]) -> list[str]:
    """Names of the object schemas a schema refers to, depth first, each once."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                name = _ref_name(ref)
                target = components.get(name, {})
                if name not in seen and target.get("type") == "object":
                    seen.add(name)
                    found.append(name)
                    walk(target)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(schema)
    return found


def _topics(document: dict[str, Any]) -> list[dict[str, Any]]:
    components = document["components"]["schemas"]
    messages = document["components"]["messages"]
    topics = []
    for channel_id, channel in document["channels"].items():
        if "x-ocop-dead-letter-of" in channel:
            continue
        topic_messages = []
        for event_type in channel["messages"]:
            schema = components[event_type]
            nested = _nested(schema, components, set())
            topic_messages.append(
                {
                    "type": event_type,
                    "summary": messages[event_type]["summary"],
                    "table": _table(event_type, schema, components),
                    "nested": [_table(n, components[n], components) for n in nested],
                }
            )
        topics.append(
            {
                "id": channel_id,
                "address": channel["address"],
                "service": channel["x-ocop-service"],
                "publishers": channel["x-ocop-publishers"],
                "subscribers": channel["x-ocop-subscribers"],
                "dead_letter": channel["x-ocop-dead-letter-topic"],
                "partitions": channel["bindings"]["kafka"]["partitions"],
                "messages": topic_messages,
            }
        )
    return topics


def render_page(document: dict[str, Any]) -> str:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    components = document["components"]["schemas"]
    dead_letters = next(
        c["x-ocop-dead-letter-headers"]
        for c in document["channels"].values()
        if "x-ocop-dead-letter-headers" in c
    )
    return env.get_template("asyncapi.html").render(
        info=document["info"],
        topics=_topics(document),
        envelope=_table("CloudEventsEnvelope", components["CloudEventsEnvelope"], components),
        dead_letter_headers=dead_letters,
        content_type=document["defaultContentType"],
    )
