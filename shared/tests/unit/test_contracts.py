import json
from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError

from ocop_shared.contracts import Envelope, decode, json_schemas, make_envelope
from ocop_shared.contracts.certification import CertificateIssuedV1, RecognitionLevel
from ocop_shared.contracts.registry import UnknownEventTypeError

SNAPSHOT_DIR = Path(__file__).parents[2] / "schemas"


def issued(**overrides: object) -> CertificateIssuedV1:
    fields: dict[str, object] = {
        "certificate_id": "gcn-1",
        "certificate_number": "OCOP-1",
        "product_id": "sp-1",
        "producer_id": "prd-1",
        "stars": 4,
        "level": RecognitionLevel.PROVINCE,
        "issuing_authority": "UBND tỉnh Phú Thọ",
        "decision_number": "123/QĐ-UBND",
        "decision_date": date(2025, 3, 1),
        "valid_from": date(2025, 3, 1),
        "valid_until": date(2028, 3, 1),
    }
    fields.update(overrides)
    return CertificateIssuedV1.model_validate(fields)


def test_envelope_round_trips_through_bytes() -> None:
    envelope = make_envelope(issued(), source="certification", subject="sp-1", sequence=2)
    again = Envelope.from_bytes(envelope.to_bytes())
    assert again == envelope
    assert again.specversion == "1.0"
    assert again.type == "ocop.certification.certificate.issued.v1"
    assert decode(again) == issued()


def test_producers_are_strict_about_unknown_fields() -> None:
    with pytest.raises(ValidationError):
        CertificateIssuedV1.model_validate({**issued().model_dump(), "surprise": 1})


def test_consumers_tolerate_fields_added_by_newer_producers() -> None:
    envelope = make_envelope(issued(), source="certification", subject="sp-1")
    newer = envelope.model_copy(update={"data": {**envelope.data, "added_later": "x"}})
    assert decode(newer) == issued()


def test_stars_outside_three_to_five_are_refused() -> None:
    with pytest.raises(ValidationError):
        issued(stars=2)


def test_unknown_event_type_is_reported() -> None:
    envelope = make_envelope(issued(), source="certification", subject="sp-1")
    with pytest.raises(UnknownEventTypeError):
        decode(envelope.model_copy(update={"type": "ocop.unknown.v1"}))


def test_contracts_are_frozen() -> None:
    with pytest.raises(ValidationError):
        issued().stars = 5  # type: ignore[misc]


def test_json_schemas_match_the_committed_snapshot() -> None:
    """Run `make schemas` after a deliberate contract change, and review the diff."""
    current = json_schemas()
    committed = {p.stem: json.loads(p.read_text()) for p in SNAPSHOT_DIR.glob("*.json")}
    assert sorted(committed) == sorted(current)
    for name, schema in current.items():
        assert committed[name] == schema, f"schema of {name} changed"
