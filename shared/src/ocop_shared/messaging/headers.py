"""Kafka headers carried beside the structured CloudEvents body."""

from __future__ import annotations

from ocop_shared.contracts.envelope import Envelope

Headers = list[tuple[str, bytes]]

CONTENT_TYPE = "application/cloudevents+json; charset=utf-8"


def envelope_headers(envelope: Envelope) -> Headers:
    headers: Headers = [
        ("content-type", CONTENT_TYPE.encode()),
        ("ce_id", str(envelope.id).encode()),
        ("ce_type", envelope.type.encode()),
        ("ce_source", envelope.source.encode()),
    ]
    if envelope.correlationid:
        headers.append(("ce_correlationid", envelope.correlationid.encode()))
    return headers


def header(headers: Headers | tuple[tuple[str, bytes], ...] | None, name: str) -> str | None:
    for key, value in headers or ():
        if key == name:
            return value.decode(errors="replace")
    return None
