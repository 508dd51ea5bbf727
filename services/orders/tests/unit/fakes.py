"""In-memory fakes of orders' storage, for unit tests of the service layer (cosmicpython style).

`FakeOrders` is an `Orders` whose `transaction` gives the handler a real `UnitOfWork` built
from fakes: `FakeRepository` (showrooms, products, lots, balances, sales, withdrawals),
`FakeLedgerStore` (the stock ledger with the same guards as MongoDB's conditional updates)
and `FakeOutbox` (what was published). A transaction that raises leaves the state as it was,
like an aborted MongoDB transaction. The stock book, the contract mapping and every rule are
the real ones.
"""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar, cast

from ocop_orders.adapters.ledger import LedgerStore
from ocop_orders.adapters.repository import OrdersRepository, balance_id
from ocop_orders.config import OrdersSettings
from ocop_orders.domain.model import (
    Balance,
    Lot,
    Product,
    Sale,
    Showroom,
    Withdrawal,
    WithdrawalStatus,
)
from ocop_orders.service_layer.stock import StockBook
from ocop_orders.service_layer.unit_of_work import Orders, UnitOfWork
from ocop_shared.contracts.envelope import EventData
from ocop_shared.errors import NotFoundError
from ocop_shared.messaging.outbox import Outbox
from ocop_shared.mongo import Session
from ocop_shared.runtime import ServiceRuntime
from ocop_shared.timeutil import Clock

T = TypeVar("T")


@dataclass
class State:
    """Everything the fakes store; copied before a transaction, restored if it fails."""

    showrooms: dict[str, Showroom] = field(default_factory=dict)
    products: dict[str, Product] = field(default_factory=dict)
    lots: dict[str, Lot] = field(default_factory=dict)
    balances: dict[str, Balance] = field(default_factory=dict)
    sales: dict[str, Sale] = field(default_factory=dict)
    withdrawals: dict[str, Withdrawal] = field(default_factory=dict)
    ledger: list[dict[str, Any]] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)
    published: list[tuple[EventData, str, int | None]] = field(default_factory=list)


class FakeOutbox:
    """Records what a unit of work publishes (contract, subject, sequence)."""

    def __init__(self, state: State) -> None:
        self.state = state

    async def add(
        self,
        session: Session,
        data: EventData,
        *,
        subject: str,
        sequence: int | None = None,
        causation_id: str | None = None,
    ) -> None:
        self.state.published.append((data, subject, sequence))


class FakeRepository(OrdersRepository):
    """The repository methods the showroom's sale, return and withdrawal paths use."""

    def __init__(self, state: State) -> None:
        self.state = state

    async def find_showroom(self, showroom_id: str) -> Showroom | None:
        return self.state.showrooms.get(showroom_id)

    async def get_showroom(self, showroom_id: str, field: str = "showroom_id") -> Showroom:
        if showroom_id not in self.state.showrooms:
            raise NotFoundError("Không có điểm bán này", field=field)
        return self.state.showrooms[showroom_id]

    async def find_product(self, product_id: str) -> Product | None:
        return self.state.products.get(product_id)

    async def get_product(self, product_id: str, field: str = "product_id") -> Product:
        if product_id not in self.state.products:
            raise NotFoundError("Không có sản phẩm này", field=field)
        return self.state.products[product_id]

    async def products(self, ids: list[str]) -> dict[str, Product]:
        return {i: self.state.products[i] for i in ids if i in self.state.products}

    async def find_balance(self, showroom_id: str, product_id: str) -> Balance | None:
        return self.state.balances.get(balance_id(showroom_id, product_id))

    async def balances_for(self, showroom_id: str, product_ids: list[str]) -> dict[str, Balance]:
        found = [self.state.balances.get(balance_id(showroom_id, p)) for p in product_ids]
        return {b.product_id: b for b in found if b is not None}

    async def lots_for(self, showroom_id: str, product_ids: list[str]) -> list[Lot]:
        return [
            lot
            for lot in self.state.lots.values()
            if lot.showroom_id == showroom_id and lot.product_id in product_ids
        ]

    async def lots(self, showroom_id: str, product_id: str | None = None) -> list[Lot]:
        return [
            lot
            for lot in self.state.lots.values()
            if lot.showroom_id == showroom_id and product_id in (None, lot.product_id)
        ]

    async def next_number(self, counter: str) -> int:
        self.state.counters[counter] = self.state.counters.get(counter, 0) + 1
        return self.state.counters[counter]

    async def add_sale(self, sale: Sale) -> None:
        self.state.sales[sale.id] = sale

    async def sale_by_key(self, showroom_id: str, key: str) -> Sale | None:
        return next(
            (
                s
                for s in self.state.sales.values()
                if s.showroom_id == showroom_id and s.idempotency_key == key
            ),
            None,
        )

    async def find_sale(self, sale_id: str) -> Sale | None:
        return self.state.sales.get(sale_id)

    async def get_sale(self, showroom_id: str, sale_id: str) -> Sale:
        sale = self.state.sales.get(sale_id)
        if sale is None or sale.showroom_id != showroom_id:
            raise NotFoundError("Không có hoá đơn này", field="sale_id")
        return sale

    async def replace_sale(self, sale: Sale, expected_version: int) -> bool:
        current = self.state.sales.get(sale.id)
        if current is None or current.version != expected_version:
            return False
        self.state.sales[sale.id] = sale
        return True

    async def add_withdrawal(self, withdrawal: Withdrawal) -> None:
        self.state.withdrawals[withdrawal.id] = withdrawal

    async def find_withdrawal(self, withdrawal_id: str) -> Withdrawal | None:
        return self.state.withdrawals.get(withdrawal_id)

    async def close_withdrawal(self, withdrawal: Withdrawal) -> bool:
        current = self.state.withdrawals.get(withdrawal.id)
        if current is None or current.status is not WithdrawalStatus.OPEN:
            return False
        self.state.withdrawals[withdrawal.id] = withdrawal
        return True


class FakeLedgerStore(LedgerStore):
    """Ledger entries, lots and balances in memory, with MongoDB's guards: a decrease that
    would leave a bucket (or a balance's available units) below zero changes nothing."""

    def __init__(self, state: State) -> None:
        self.state = state

    async def new_lot(
        self,
        showroom_id: str,
        product_id: str,
        lot_code: str,
        expires_on: date | None,
        now: datetime,
    ) -> Lot:
        lot_id = f"lo-{showroom_id}-{product_id}-{lot_code}"
        if lot_id not in self.state.lots:
            self.state.lots[lot_id] = Lot(
                id=lot_id,
                showroom_id=showroom_id,
                product_id=product_id,
                lot_code=lot_code,
                expires_on=expires_on,
                received_at=now,
            )
        return self.state.lots[lot_id]

    async def add_entries(self, entries: list[dict[str, Any]]) -> None:
        self.state.ledger.extend(entries)

    async def change_lot(self, lot_id: str, bucket: str, delta: int) -> bool:
        lot = self.state.lots.get(lot_id)
        if lot is None or (delta < 0 and getattr(lot, bucket) < -delta):
            return False
        self.state.lots[lot_id] = lot.model_copy(update={bucket: getattr(lot, bucket) + delta})
        return True

    async def change_balance(
        self,
        showroom: Showroom,
        product: Product,
        totals: dict[str, int],
        price_vnd: int | None,
        now: datetime,
    ) -> Balance | None:
        key = balance_id(showroom.id, product.id)
        balance = self.state.balances.get(key)
        decreasing = any(delta < 0 for delta in totals.values())
        if balance is None:
            if decreasing:
                return None
            balance = Balance(
                showroom_id=showroom.id, product_id=product.id, producer_id=product.producer_id
            )
        for bucket, delta in totals.items():
            have = balance.available if bucket == "on_hand" else getattr(balance, bucket)
            if delta < 0 and have < -delta:
                return None
        update: dict[str, Any] = {
            bucket: getattr(balance, bucket) + delta for bucket, delta in totals.items()
        }
        update |= {"version": balance.version + 1, "updated_at": now}
        if price_vnd is not None:
            update["price_vnd"] = price_vnd
        self.state.balances[key] = balance.model_copy(update=update)
        return self.state.balances[key]

    async def find_balance(self, showroom_id: str, product_id: str) -> Balance | None:
        return self.state.balances.get(balance_id(showroom_id, product_id))

    async def set_low_alert(self, showroom_id: str, product_id: str, low: bool) -> None:
        key = balance_id(showroom_id, product_id)
        self.state.balances[key] = self.state.balances[key].model_copy(
            update={"low_alert_open": low}
        )


def fake_unit_of_work(
    state: State, settings: OrdersSettings, *, now: datetime, by: str
) -> UnitOfWork:
    """A real `UnitOfWork` over the in-memory fakes."""
    session = cast(Session, object())
    outbox = cast(Outbox, FakeOutbox(state))
    stock = StockBook(
        FakeLedgerStore(state),
        session,
        outbox,
        now=now,
        by=by,
        default_threshold=settings.default_low_stock_threshold,
    )
    return UnitOfWork(session, FakeRepository(state), stock, outbox, now)


@dataclass(frozen=True)
class FakeOrders(Orders):
    """`Orders` whose transactions run on `state`: committed when the work returns,
    rolled back (the state restored) when it raises."""

    state: State = field(default_factory=State)

    @classmethod
    def at(cls, clock: Clock, state: State | None = None) -> FakeOrders:
        return cls(
            runtime=cast(ServiceRuntime, None),
            settings=OrdersSettings(),
            clock=clock,
            state=state or State(),
        )

    def repository(self) -> OrdersRepository:
        return FakeRepository(self.state)

    async def transaction(self, by: str, work: Callable[[UnitOfWork], Awaitable[T]]) -> T:
        before = copy.deepcopy(self.state)
        uow = fake_unit_of_work(self.state, self.settings, now=self.clock.now(), by=by)
        try:
            return await work(uow)
        except BaseException:
            for name in vars(before):
                setattr(self.state, name, getattr(before, name))
            raise
