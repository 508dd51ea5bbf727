from datetime import date

from ocop_catalog.domain.eligibility import eligible_channels
from ocop_catalog.domain.model import CertificateState
from ocop_catalog.domain.search import fold, tokens
from ocop_shared.contracts.catalog import CertificateStatus, Channel


def state(**overrides: object) -> CertificateState:
    fields: dict[str, object] = {
        "certificate_id": "gcn-1",
        "number": "OCOP-1",
        "stars": 4,
        "level": "province",
        "issuing_authority": "UBND",
        "decision_number": "1",
        "valid_from": date(2025, 1, 1),
        "valid_until": date(2028, 1, 1),
        "status": CertificateStatus.ACTIVE,
    }
    fields.update(overrides)
    return CertificateState.model_validate(fields)


def test_folding_removes_vietnamese_diacritics_and_case() -> None:
    assert fold("Bưởi Đoan Hùng") == "buoi doan hung"
    assert tokens("Mì gạo Hùng Lô", "Phú Thọ") == ["mi", "gao", "hung", "lo", "phu", "tho"]


def test_active_certificate_is_eligible_everywhere() -> None:
    assert eligible_channels(state(), date(2026, 1, 1)) == [
        Channel.SHOWROOM,
        Channel.MARKETPLACE,
        Channel.FAIR,
    ]


def test_certificate_past_its_end_date_counts_as_expired() -> None:
    cert = state(valid_until=date(2025, 12, 31))
    assert cert.status_on(date(2026, 1, 1)) is CertificateStatus.EXPIRED
    assert eligible_channels(cert, date(2026, 1, 1)) == []


def test_revoked_certificate_is_eligible_nowhere() -> None:
    assert eligible_channels(state(status=CertificateStatus.REVOKED), date(2026, 1, 1)) == []
