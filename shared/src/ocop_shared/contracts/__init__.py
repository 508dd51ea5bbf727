"""Published event contracts. Importing this package registers every contract."""

from ocop_shared.contracts import catalog, certification
from ocop_shared.contracts.envelope import Envelope, EventData, make_envelope
from ocop_shared.contracts.registry import decode, json_schemas, registered_types

__all__ = [
    "Envelope",
    "EventData",
    "catalog",
    "certification",
    "decode",
    "json_schemas",
    "make_envelope",
    "registered_types",
]
