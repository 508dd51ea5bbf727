"""Published event contracts. Importing this package registers every contract."""

from ocop_shared.contracts import catalog, certification, events, orders
from ocop_shared.contracts.envelope import Envelope, EventData, make_envelope
from ocop_shared.contracts.registry import decode, json_schemas, registered_types

__all__ = [
    "Envelope",
    "EventData",
    "catalog",
    "certification",
    "decode",
    "events",
    "json_schemas",
    "make_envelope",
    "orders",
    "registered_types",
]
