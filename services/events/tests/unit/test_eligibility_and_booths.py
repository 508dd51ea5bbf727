"""Eligibility rules and booth codes: pure domain, table-driven."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from ocop_events.domain.booths import booth_codes, booth_sort_key
from ocop_events.domain.eligibility import product_refusal, refusals
from ocop_events.domain.model import EligibilityRules, ProductSnapshot, TradeEvent
from ocop_shared.contracts.catalog import CertificateStatus, Channel
from ocop_shared.contracts.events import TradeEventKind

TODAY = date(2025, 10, 1)
FAIR = TradeEvent(
    id="hc",
    kind=TradeEventKind.FAIR,
    name="Hội chợ OCOP Phú Thọ 2025",
    venue="Việt Trì",
    province="Phú Thọ",
    organiser="Sở Công Thương",
    starts_on=date(2025, 11, 10),
    ends_on=date(2025, 11, 15),
    registration_opens=date(2025, 9, 1),
    registration_closes=date(2025, 11, 1),
    rules=EligibilityRules(min_stars=3, max_products_per_producer=2),
    created_at=datetime(2025, 9, 1, tzinfo=UTC),
)


def product(**kw: Any) -> ProductSnapshot:
    base: dict[str, Any] = {
        "id": "sp-1",
        "producer_id": "prd-1",
        "name": "Bưởi Đoan Hùng",
        "stars": 4,
        "certificate_status": CertificateStatus.ACTIVE,
        "valid_until": date(2027, 1, 1),
        "eligible_channels": [Channel.FAIR, Channel.SHOWROOM],
    }
    return ProductSnapshot.model_validate({**base, **kw})


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({}, None),
        ({"stars": 2}, "đạt 2★; sự kiện yêu cầu từ 3★"),
        ({"certificate_status": CertificateStatus.REVOKED}, "đã bị thu hồi"),
        ({"certificate_status": CertificateStatus.EXPIRED}, "đã hết hạn"),
        # valid_until is the last valid day: named as such, never as the day it lapsed
        ({"valid_until": date(2025, 9, 30)}, "đã hết hạn (hiệu lực đến hết ngày 30/09/2025)"),
        (
            {"valid_until": date(2025, 11, 12)},
            "chỉ còn hiệu lực đến hết ngày 12/11/2025, trước khi sự kiện kết thúc",
        ),
        ({"certificate_status": CertificateStatus.NONE, "stars": None}, "chưa được công nhận"),
        ({"eligible_channels": [Channel.SHOWROOM]}, "chưa đủ điều kiện tham gia hội chợ"),
        ({"producer_id": "prd-2"}, "không thuộc chủ thể prd-1"),
    ],
)
def test_product_refusal_names_the_reason(changes: dict[str, Any], reason: str | None) -> None:
    refusal = product_refusal("sp-1", product(**changes), "prd-1", FAIR, TODAY)
    if reason is None:
        assert refusal is None
    else:
        assert refusal is not None
        assert reason in refusal
        assert "Bưởi Đoan Hùng" in refusal or "prd-1" in refusal


def test_unknown_product_and_the_cap_per_producer() -> None:
    found = refusals(["sp-1", "sp-2", "sp-3"], {"sp-1": product()}, "prd-1", FAIR, TODAY)
    assert found[0] == "Mỗi chủ thể được đăng ký tối đa 2 sản phẩm"
    assert "Sản phẩm sp-2 chưa có trong danh mục OCOP" in found


def test_fair_channel_can_be_waived_by_the_event_rules() -> None:
    relaxed = FAIR.model_copy(update={"rules": EligibilityRules(require_fair_channel=False)})
    assert product_refusal("sp-1", product(eligible_channels=[]), "prd-1", relaxed, TODAY) is None


@pytest.mark.parametrize(
    ("prefix", "first", "last", "expected"),
    [
        ("A", 1, 3, ["A01", "A02", "A03"]),
        ("B", 9, 11, ["B09", "B10", "B11"]),
        ("C", 99, 100, ["C099", "C100"]),
    ],
)
def test_booth_codes_are_zero_padded(
    prefix: str, first: int, last: int, expected: list[str]
) -> None:
    assert booth_codes(prefix, first, last) == expected


def test_booth_codes_reject_an_empty_range() -> None:
    with pytest.raises(ValueError, match="first"):
        booth_codes("A", 5, 4)


def test_booth_codes_sort_by_number_not_text() -> None:
    assert sorted(["A10", "A9", "B1", "A100"], key=booth_sort_key) == ["A9", "A10", "A100", "B1"]
