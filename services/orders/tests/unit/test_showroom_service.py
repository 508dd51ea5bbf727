"""The showroom's sale, return and withdrawal rules through the service layer, on in-memory
fakes (no database, no broker): the same handlers the API calls, in milliseconds."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TypeVar

import pytest

from ocop_orders.domain.commands import (
    CloseWithdrawal,
    PaymentInput,
    Quarantine,
    RecordReturn,
    RecordSale,
    ReturnLineInput,
    SaleLineInput,
)
from ocop_orders.domain.errors import IdempotencyKeyReusedError, NotSellableError, OutOfStockError
from ocop_orders.domain.model import CertificateInfo, Product, Showroom, WithdrawalStatus
from ocop_orders.service_layer.stock import LotChange
from ocop_orders.service_layer.unit_of_work import UnitOfWork
from ocop_orders.showroom.service_layer import returns, sales, withdrawals
from ocop_shared.auth import Principal, Role
from ocop_shared.contracts.catalog import CertificateStatus
from ocop_shared.contracts.envelope import EventData
from ocop_shared.contracts.orders import (
    PaymentMethod,
    SaleRecordedV1,
    SaleReturnRecordedV1,
    StockChangedV1,
    StockMovement,
    WithdrawalCreatedV1,
)
from ocop_shared.errors import InvalidStateError, ValidationFailedError
from ocop_shared.timeutil import FixedClock

from .fakes import FakeOrders

E = TypeVar("E", bound=EventData)
NOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
TODAY = date(2026, 3, 2)
OPERATOR = Principal(
    subject="op-1", roles=frozenset({Role.SHOWROOM_OPERATOR}), showroom_ids=frozenset({"sr-vt"})
)
SHOWROOM = Showroom(
    id="sr-vt",
    code="VT",
    name="Chợ Việt Trì",
    address="Việt Trì",
    province="Phú Thọ",
    created_at=NOW,
)


def product(product_id: str, *, status: CertificateStatus = CertificateStatus.ACTIVE) -> Product:
    return Product(
        id=product_id,
        name=f"Chè {product_id}",
        producer_id="pr-1",
        suggested_price_vnd=50_000,
        listed_for_showrooms=True,
        certificate=CertificateInfo(
            certificate_id=f"c-{product_id}", number="01/QĐ", status=status, reason="vi phạm"
        ),
    )


async def shop() -> FakeOrders:
    """A showroom with tea `p1` in two lots (the one expiring first has 2 units) and a
    revoked product `p2` still on the shelf."""
    orders = FakeOrders.at(FixedClock(NOW))
    orders.state.showrooms[SHOWROOM.id] = SHOWROOM
    for item in (product("p1"), product("p2", status=CertificateStatus.REVOKED)):
        orders.state.products[item.id] = item
    await receive(orders, "p1", "L-LATE", TODAY + timedelta(days=300), 5)
    await receive(orders, "p1", "L-SOON", TODAY + timedelta(days=20), 2)
    await receive(orders, "p2", "L-P2", TODAY + timedelta(days=100), 4)
    orders.state.published.clear()
    return orders


async def receive(orders: FakeOrders, product_id: str, code: str, expires: date, n: int) -> None:
    async def work(uow: UnitOfWork) -> None:
        lot = await uow.stock.new_lot(SHOWROOM.id, product_id, code, expires)
        item = orders.state.products[product_id]
        await uow.stock.move(
            SHOWROOM, item, StockMovement.RECEIPT, [LotChange(lot.id, "on_hand", n)]
        )

    await orders.transaction("seed", work)


def sell(product_id: str, quantity: int, **line: int) -> RecordSale:
    return RecordSale(
        lines=[SaleLineInput(product_id=product_id, quantity=quantity, **line)],
        payment=PaymentInput(method=PaymentMethod.CASH, tendered_vnd=500_000),
    )


def on_hand(orders: FakeOrders, code: str) -> int:
    return next(lot.on_hand for lot in orders.state.lots.values() if lot.lot_code == code)


def published(orders: FakeOrders, kind: type[E]) -> list[E]:
    return [data for data, _, _ in orders.state.published if isinstance(data, kind)]


async def test_a_sale_takes_the_lot_expiring_first_and_publishes_it() -> None:
    orders = await shop()

    sale, replayed = await sales.record_sale(
        orders, SHOWROOM.id, sell("p1", 3), "key-00001", OPERATOR
    )

    assert not replayed
    assert (on_hand(orders, "L-SOON"), on_hand(orders, "L-LATE")) == (0, 4)
    assert sale.total_vnd == 150_000
    assert sale.payment.change_vnd == 350_000
    assert sale.receipt_number == "VT-260302-00-0001"
    [recorded] = published(orders, SaleRecordedV1)
    assert (recorded.sale_id, recorded.total_vnd) == (sale.id, 150_000)
    [changed] = published(orders, StockChangedV1)
    assert (changed.delta, changed.on_hand) == (-3, 4)


async def test_a_revoked_product_cannot_be_sold_and_nothing_changes() -> None:
    orders = await shop()

    with pytest.raises(NotSellableError):
        await sales.record_sale(orders, SHOWROOM.id, sell("p2", 1), "key-00002", OPERATOR)

    assert on_hand(orders, "L-P2") == 4
    assert orders.state.sales == {}
    assert orders.state.published == []


async def test_selling_more_than_the_sellable_lots_hold_is_out_of_stock() -> None:
    orders = await shop()

    with pytest.raises(OutOfStockError) as refused:
        await sales.record_sale(orders, SHOWROOM.id, sell("p1", 8), "key-00003", OPERATOR)

    assert "chỉ còn 7" in refused.value.detail
    assert orders.state.sales == {}


async def test_a_retried_sale_returns_the_first_receipt_and_a_reused_key_is_refused() -> None:
    orders = await shop()
    first, _ = await sales.record_sale(orders, SHOWROOM.id, sell("p1", 1), "key-00004", OPERATOR)

    again, replayed = await sales.record_sale(
        orders, SHOWROOM.id, sell("p1", 1), "key-00004", OPERATOR
    )

    assert (again.id, replayed) == (first.id, True)
    assert on_hand(orders, "L-SOON") == 1
    with pytest.raises(IdempotencyKeyReusedError):
        await sales.record_sale(orders, SHOWROOM.id, sell("p1", 2), "key-00004", OPERATOR)


async def test_a_line_discount_above_the_line_total_is_refused() -> None:
    orders = await shop()

    with pytest.raises(ValidationFailedError) as refused:
        await sales.record_sale(
            orders, SHOWROOM.id, sell("p1", 1, discount_vnd=60_000), "key-00005", OPERATOR
        )

    assert refused.value.field == "body.lines.0.discount_vnd"


async def test_a_return_goes_back_to_the_lot_it_came_from_and_refunds_the_line() -> None:
    orders = await shop()
    sale, _ = await sales.record_sale(orders, SHOWROOM.id, sell("p1", 3), "key-00006", OPERATOR)
    orders.state.published.clear()

    returned = await returns.record_return(
        orders,
        SHOWROOM.id,
        sale.id,
        RecordReturn(lines=[ReturnLineInput(product_id="p1", quantity=1)], reason="đổi ý"),
        OPERATOR,
    )

    assert returned.refunded_vnd == 50_000
    assert on_hand(orders, "L-LATE") == 5  # the last-taken lot first
    [event] = published(orders, SaleReturnRecordedV1)
    assert (event.refund_vnd, event.lines[0].quantity) == (50_000, 1)


async def test_damaged_goods_returned_go_to_quarantine_with_a_withdrawal() -> None:
    orders = await shop()
    sale, _ = await sales.record_sale(orders, SHOWROOM.id, sell("p1", 2), "key-00007", OPERATOR)
    orders.state.published.clear()

    await returns.record_return(
        orders,
        SHOWROOM.id,
        sale.id,
        RecordReturn(
            lines=[ReturnLineInput(product_id="p1", quantity=2)], reason="vỡ", restock=False
        ),
        OPERATOR,
    )

    [withdrawal] = orders.state.withdrawals.values()
    assert withdrawal.quantity == 2
    assert "vỡ" in withdrawal.reason
    assert sum(lot.quarantined for lot in orders.state.lots.values()) == 2
    assert len(published(orders, WithdrawalCreatedV1)) == 1


async def test_returning_more_than_was_sold_is_refused() -> None:
    orders = await shop()
    sale, _ = await sales.record_sale(orders, SHOWROOM.id, sell("p1", 1), "key-00008", OPERATOR)

    with pytest.raises(ValidationFailedError) as refused:
        await returns.record_return(
            orders,
            SHOWROOM.id,
            sale.id,
            RecordReturn(lines=[ReturnLineInput(product_id="p1", quantity=2)], reason="x"),
            OPERATOR,
        )

    assert refused.value.field == "body.lines.0.quantity"
    assert orders.state.sales[sale.id].refunded_vnd == 0


async def test_a_withdrawal_quarantines_the_shelf_and_release_puts_it_back() -> None:
    orders = await shop()

    withdrawal = await withdrawals.quarantine(
        orders, SHOWROOM.id, Quarantine(product_id="p1", reason="kiểm tra"), OPERATOR
    )

    assert withdrawal.quantity == 7
    assert (on_hand(orders, "L-SOON"), on_hand(orders, "L-LATE")) == (0, 0)
    balance = orders.state.balances["sr-vt:p1"]
    assert (balance.on_hand, balance.quarantined) == (0, 7)

    released = await withdrawals.close_withdrawal(
        orders, SHOWROOM.id, withdrawal.id, CloseWithdrawal(note="ổn"), OPERATOR, release=True
    )

    assert released.status is WithdrawalStatus.RELEASED
    assert orders.state.balances["sr-vt:p1"].on_hand == 7


async def test_a_revoked_product_cannot_be_released_from_quarantine() -> None:
    orders = await shop()
    withdrawal = await withdrawals.quarantine(
        orders, SHOWROOM.id, Quarantine(product_id="p2", reason="thu hồi"), OPERATOR
    )

    with pytest.raises(InvalidStateError, match="Chưa được bán lại"):
        await withdrawals.close_withdrawal(
            orders, SHOWROOM.id, withdrawal.id, CloseWithdrawal(note="?"), OPERATOR, release=True
        )

    assert orders.state.withdrawals[withdrawal.id].status is WithdrawalStatus.OPEN
