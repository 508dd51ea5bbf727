"""Shipping and e-commerce rules without I/O: carrier codes, payment, byte limits, steps."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ocop_orders.config import OrdersSettings
from ocop_orders.ecommerce.domain.model import IllegalOrderStepError, OrderState, check_step
from ocop_orders.ecommerce.domain.shipping import (
    ShipmentStatus,
    cancellable_at_carrier,
    canonical_status,
    order_payment,
    parse_status_date,
    truncate_bytes,
)
from ocop_orders.ecommerce.service_layer.intake import sign, signature_ok
from ocop_shared.contracts.orders import OrderChannel, OrderPaymentKind


@pytest.mark.parametrize(
    ("code", "status"),
    [
        (-100, ShipmentStatus.NEW),
        (100, ShipmentStatus.RECEIVED),
        (101, ShipmentStatus.CANCELLED),
        (102, ShipmentStatus.PICKUP_FAILED),
        (105, ShipmentStatus.PICKED_UP),
        (107, ShipmentStatus.CANCELLED),
        (200, ShipmentStatus.AT_ORIGIN),
        (201, ShipmentStatus.CANCELLED),
        (300, ShipmentStatus.IN_TRANSIT),
        (403, ShipmentStatus.IN_TRANSIT),
        (500, ShipmentStatus.OUT_FOR_DELIVERY),
        (501, ShipmentStatus.DELIVERED),
        (502, ShipmentStatus.RETURNING),
        (503, ShipmentStatus.DESTROYED),
        (504, ShipmentStatus.RETURNED),
        (505, ShipmentStatus.ON_HOLD),
        (508, ShipmentStatus.ON_HOLD),
    ],
)
def test_viettelpost_codes_map_to_canonical_statuses(code: int, status: ShipmentStatus) -> None:
    assert canonical_status(code) is status


@pytest.mark.parametrize("code", [0, 99, 106, 250, 404, 509, 999])
def test_unknown_codes_are_not_guessed(code: int) -> None:
    assert canonical_status(code) is None


def test_cancel_is_possible_only_before_pickup() -> None:
    assert cancellable_at_carrier(None)
    assert cancellable_at_carrier(-100)
    assert cancellable_at_carrier(102)
    assert not cancellable_at_carrier(105)
    assert not cancellable_at_carrier(200)
    assert not cancellable_at_carrier(501)


def test_order_payment_per_case() -> None:
    assert order_payment(OrderPaymentKind.PREPAID, True) == 1
    assert order_payment(OrderPaymentKind.COD, True) == 2
    assert order_payment(OrderPaymentKind.COD, False) == 3


@given(st.text(alphabet="aăâđêôơưáàảãạếềểễệốồổỗộớờởỡợứừửữựĐƯ ", max_size=400))
def test_truncation_keeps_whole_characters_within_150_bytes(text: str) -> None:
    cut = truncate_bytes(text)
    assert len(cut.encode("utf-8")) <= 150
    assert text.startswith(cut)
    if len(text.encode("utf-8")) <= 150:
        assert cut == text


def test_status_dates_are_vietnam_time() -> None:
    assert parse_status_date("25/11/2026 09:30:00") == datetime(2026, 11, 25, 2, 30, tzinfo=UTC)


def test_illegal_steps_name_the_current_state() -> None:
    check_step(OrderState.PLACED, OrderState.CONFIRMED)
    with pytest.raises(IllegalOrderStepError) as raised:
        check_step(OrderState.DELIVERED, OrderState.CONFIRMED)
    assert "delivered" in raised.value.detail
    assert raised.value.status == 409


def test_marketplace_signatures_are_checked_against_the_channel_secret() -> None:
    settings = OrdersSettings()
    raw = b'{"order_id":"PM-1"}'
    secret = settings.postmart_webhook_secret.get_secret_value()
    assert signature_ok(settings, OrderChannel.POSTMART, raw, sign(secret, raw))
    assert signature_ok(settings, OrderChannel.POSTMART, raw, "sha256=" + sign(secret, raw))
    assert not signature_ok(settings, OrderChannel.POSTMART, raw + b" ", sign(secret, raw))
    assert not signature_ok(settings, OrderChannel.VOSO, raw, sign(secret, raw))


def test_production_refuses_development_webhook_secrets() -> None:
    with pytest.raises(ValueError, match="WEBHOOK_SECRET"):
        OrdersSettings(environment="production", jwt_secret="x" * 40)  # type: ignore[arg-type]


def test_a_push_of_the_same_second_never_moves_a_shipment_backwards() -> None:
    from ocop_orders.ecommerce.domain.shipping import is_stale_push

    second = datetime(2026, 3, 1, 9, 30, 5, tzinfo=UTC)
    earlier = datetime(2026, 3, 1, 9, 30, 4, tzinfo=UTC)
    # 501 (delivered) applied, then 500 (out for delivery) of the same second: stale.
    assert is_stale_push(second, 500, second, 501)
    # The other way round moves forward.
    assert not is_stale_push(second, 501, second, 500)
    # Time still rules when the seconds differ, and the first push is never stale.
    assert is_stale_push(earlier, 501, second, 500)
    assert not is_stale_push(second, 500, earlier, 501)
    assert not is_stale_push(second, 500, None, None)
    # Picked up (105) and at the origin office (200) in one second: 200 stays.
    assert is_stale_push(second, 105, second, 200)
