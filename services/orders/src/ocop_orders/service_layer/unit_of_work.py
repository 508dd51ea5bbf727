"""Unit of work: one MongoDB transaction for stock, documents and outbox records."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from ocop_orders.adapters.ledger import LedgerStore
from ocop_orders.adapters.repository import OrdersRepository
from ocop_orders.config import OrdersSettings
from ocop_orders.domain.events import DomainEvent
from ocop_orders.marketplace.adapters.listings_store import ListingStore
from ocop_orders.service_layer.locks import KeyedLocks
from ocop_orders.service_layer.publishing import publish
from ocop_orders.service_layer.stock import StockBook
from ocop_shared.messaging.outbox import Outbox
from ocop_shared.mongo import Database, Session, in_transaction
from ocop_shared.runtime import ServiceRuntime
from ocop_shared.timeutil import Clock

T = TypeVar("T")


@dataclass(frozen=True)
class Orders:
    """What every handler needs: the runtime, the service's settings and the clock.

    `transaction` and `repository` are the two ways handlers reach storage; unit tests
    replace both with in-memory fakes (`tests/unit/fakes.py`).
    """

    runtime: ServiceRuntime
    settings: OrdersSettings
    clock: Clock
    locks: KeyedLocks = field(default_factory=KeyedLocks)

    @property
    def db(self) -> Database:
        return self.runtime.db

    def repository(self) -> OrdersRepository:
        """Reads outside a transaction."""
        return OrdersRepository(self.db)

    async def transaction(self, by: str, work: Callable[[UnitOfWork], Awaitable[T]]) -> T:
        """Run ``work`` in one MongoDB transaction with a fresh unit of work."""

        async def transaction(session: Session) -> T:
            uow = unit_of_work(
                self.db,
                session,
                self.runtime.outbox,
                self.settings,
                now=self.clock.now(),
                by=by,
            )
            return await work(uow)

        return await in_transaction(self.runtime.client, transaction)


@dataclass(frozen=True)
class UnitOfWork:
    """One transaction: the repositories, the stock ledger, and `publish` for its events."""

    session: Session
    repository: OrdersRepository
    stock: StockBook
    outbox: Outbox
    now: datetime
    causation_id: str | None = None

    @property
    def listings(self) -> ListingStore:
        """The marketplace listings, in this transaction."""
        return ListingStore(self.repository.db, self.session)

    async def publish(self, event: DomainEvent) -> None:
        """Write the event's contract to the outbox, in this transaction."""
        await publish(self.outbox, self.session, event, causation_id=self.causation_id)


def unit_of_work(
    db: Database,
    session: Session,
    outbox: Outbox,
    settings: OrdersSettings,
    *,
    now: datetime,
    by: str,
    causation_id: str | None = None,
) -> UnitOfWork:
    stock = StockBook(
        LedgerStore(db, session),
        session,
        outbox,
        now=now,
        by=by,
        default_threshold=settings.default_low_stock_threshold,
        causation_id=causation_id,
    )
    return UnitOfWork(session, OrdersRepository(db, session), stock, outbox, now, causation_id)


async def run_in_unit_of_work(
    orders: Orders, by: str, work: Callable[[UnitOfWork], Awaitable[T]]
) -> T:
    """The one way a handler opens a transaction: `orders.transaction`."""
    return await orders.transaction(by, work)
