"""Registry of every published contract, keyed by its CloudEvents `type`."""

from __future__ import annotations

from typing import Any, TypeVar

from ocop_shared.contracts.envelope import Envelope, EventData

E = TypeVar("E", bound=EventData)

_REGISTRY: dict[str, type[EventData]] = {}


class UnknownEventTypeError(ValueError):
    """Raised when a message carries a type this build does not know."""


def register(model: type[E]) -> type[E]:
    """Class decorator: make a contract decodable by its `event_type`."""
    existing = _REGISTRY.get(model.event_type)
    if existing is not None and existing is not model:
        raise ValueError(f"event type registered twice: {model.event_type}")
    _REGISTRY[model.event_type] = model
    return model


def registered_types() -> dict[str, type[EventData]]:
    return dict(sorted(_REGISTRY.items()))


def decode(envelope: Envelope) -> EventData:
    """Decode an envelope's data tolerantly: unknown fields from newer producers are dropped."""
    model = _REGISTRY.get(envelope.type)
    if model is None:
        raise UnknownEventTypeError(envelope.type)
    return decode_as(model, envelope)


def decode_as(model: type[E], envelope: Envelope) -> E:
    """Decode an envelope's data as `model`, tolerantly (as `decode`)."""
    known = {k: v for k, v in envelope.data.items() if k in model.model_fields}
    return model.model_validate(known)


def json_schemas() -> dict[str, dict[str, Any]]:
    """JSON Schema of the envelope and of every contract, for snapshots and AsyncAPI."""
    schemas: dict[str, dict[str, Any]] = {"envelope": Envelope.model_json_schema()}
    for event_type, model in registered_types().items():
        schema = model.model_json_schema()
        schema["x-topic"] = model.topic
        schema["x-event-type"] = event_type
        schemas[event_type] = schema
    return schemas
