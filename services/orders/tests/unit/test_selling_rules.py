"""The till's pure rules (`showroom/domain/selling.py`, `showroom/domain/withdrawals.py`)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from ocop_orders.domain.commands import RecordReturn, RecordSale, ReturnLineInput
from ocop_orders.domain.model import Lot, Payment, Sale, SaleLine, SaleLotTake
from ocop_orders.showroom.domain import selling
from ocop_orders.showroom.domain.withdrawals import take_from_shelf
from ocop_shared.contracts.orders import PaymentMethod, SalesChannel
from ocop_shared.errors import ValidationFailedError

NOW = datetime(2026, 3, 2, tzinfo=UTC)
TODAY = date(2026, 3, 2)


def lot(lot_id: str, on_hand: int, expires: date | None) -> Lot:
    return Lot(
        id=lot_id, showroom_id="s", product_id="p", lot_code=lot_id, expires_on=expires,
        on_hand=on_hand, received_at=NOW,
    )  # fmt: skip


def test_a_withdrawal_takes_expired_lots_first_then_the_first_expiring() -> None:
    lots = [
        lot("late", 5, date(2026, 12, 1)),
        lot("expired", 1, date(2026, 2, 1)),
        lot("soon", 2, date(2026, 4, 1)),
    ]

    assert take_from_shelf(lots, 4, TODAY) == [("expired", 1), ("soon", 2), ("late", 1)]
    assert sum(n for _, n in take_from_shelf(lots, None, TODAY)) == 8


def test_cash_short_of_the_total_is_refused_and_change_is_given() -> None:
    command = RecordSale.model_validate(
        {
            "lines": [{"product_id": "p", "quantity": 1}],
            "payment": {"method": "cash", "tendered_vnd": 100},
        }
    )

    assert selling.payment_for(command, 60).change_vnd == 40
    with pytest.raises(ValidationFailedError):
        selling.payment_for(command, 150)


def test_a_return_takes_the_first_line_with_units_left_and_refunds_its_share() -> None:
    line = SaleLine(
        product_id="p", product_name="Chè", producer_id="pr", quantity=3, unit_price_vnd=100,
        discount_vnd=10, line_total_vnd=290, lots=[SaleLotTake(lot_id="l", quantity=3)],
    )  # fmt: skip
    sale = Sale(
        id="hd-1", showroom_id="s", receipt_number="VT-1", channel=SalesChannel.SHOWROOM,
        lines=[line], subtotal_vnd=300, discount_vnd=10, total_vnd=290,
        payment=Payment(method=PaymentMethod.CASH), sold_at=NOW, sold_by="op",
        business_day=TODAY, idempotency_key="k", fingerprint="f",
    )  # fmt: skip

    returned, lines = selling.plan_return(
        sale, RecordReturn(lines=[ReturnLineInput(product_id="p", quantity=3)], reason="x")
    )

    assert [r.refund_vnd for r in returned] == [290]
    assert lines[0].returned == 3
    with pytest.raises(ValidationFailedError):
        selling.plan_return(
            sale, RecordReturn(lines=[ReturnLineInput(product_id="p", quantity=4)], reason="x")
        )


def test_below_the_shelf_price_needs_the_permission_and_a_reason() -> None:
    from ocop_shared.errors import ForbiddenError

    assert selling.below_shelf(50_000, 45_000, None, False, 0) is None
    assert selling.below_shelf(45_000, None, None, False, 0) is None
    with pytest.raises(ForbiddenError):
        selling.below_shelf(0, 45_000, "Hàng mẫu", False, 0)
    with pytest.raises(ValidationFailedError) as caught:
        selling.below_shelf(0, 45_000, None, True, 2)
    assert caught.value.field == "body.lines.2.price_reason"
    assert selling.below_shelf(0, 45_000, "Hàng mẫu", True, 0) == 45_000
