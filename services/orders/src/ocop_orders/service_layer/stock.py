"""The stock book: every movement is ledger entries plus guarded updates of lots and balances.

The writes themselves are `adapters/ledger.py` (`LedgerStore`); `audit` is re-exported here.

All writes happen in the caller's transaction. A decrease is a conditional update
(``{"available": {"$gte": n}}``), so two tills selling the last unit cannot both succeed:
one update matches, the other finds nothing and the sale fails with "out of stock".
Balances are the sums of the ledger's entries per bucket; `audit` recomputes them.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from ocop_orders.adapters.ledger import BUCKETS, LedgerStore, audit
from ocop_orders.domain.errors import OutOfStockError
from ocop_orders.domain.events import DomainEvent, StockChanged, StockLow
from ocop_orders.domain.model import Balance, Lot, Product, Showroom
from ocop_orders.service_layer.publishing import publish
from ocop_shared.contracts.orders import StockMovement
from ocop_shared.messaging.outbox import Outbox
from ocop_shared.mongo import Session

__all__ = [
    "BUCKETS",
    "SELLING_MOVEMENTS",
    "LotChange",
    "Movement",
    "StockBook",
    "audit",
    "new_id",
    "threshold_of",
]

SELLING_MOVEMENTS = frozenset(
    {StockMovement.SALE, StockMovement.TRANSFER_OUT, StockMovement.ADJUSTMENT}
)
"""Movements after which "stock low" means "order more"; a withdrawal empties the shelf on
purpose and is announced as a withdrawal instead."""


@dataclass(frozen=True)
class LotChange:
    lot_id: str
    bucket: str
    delta: int


@dataclass(frozen=True)
class Movement:
    """One product's stock movement: its lot changes and what the ledger records about it."""

    product: Product
    movement: StockMovement
    changes: list[LotChange]
    reference: str | None = None
    reason: str | None = None
    price_vnd: int | None = None
    field: str | None = None


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


class StockBook:
    """The stock rules of one transaction: ledger entries for every change, guarded lot and
    balance updates (never negative), and the stock events after them."""

    def __init__(
        self,
        store: LedgerStore,
        session: Session,
        outbox: Outbox,
        *,
        now: datetime,
        by: str,
        default_threshold: int,
        causation_id: str | None = None,
    ) -> None:
        self.store = store
        self.session = session
        self.outbox = outbox
        self.now = now
        self.by = by
        self.default_threshold = default_threshold
        self.causation_id = causation_id

    async def new_lot(
        self,
        showroom_id: str,
        product_id: str,
        lot_code: str,
        expires_on: date | None,
    ) -> Lot:
        """The lot with this code at this showroom, created empty when new."""
        return await self.store.new_lot(showroom_id, product_id, lot_code, expires_on, self.now)

    async def move(
        self,
        showroom: Showroom,
        product: Product,
        movement: StockMovement,
        changes: list[LotChange],
        *,
        reference: str | None = None,
        reason: str | None = None,
        price_vnd: int | None = None,
        field: str | None = None,
    ) -> Balance:
        """Apply lot changes, the balance they add up to and their ledger entries."""
        plan = Movement(product, movement, changes, reference, reason, price_vnd, field)
        return (await self.apply(showroom, [plan]))[0]

    async def apply(self, showroom: Showroom, plans: list[Movement]) -> list[Balance]:
        """Several movements at one showroom (e.g. the lines of a sale), in a careful order.

        Inserts first (ledger entries never conflict), then the guarded updates of shared
        documents (lots, then balances, each in id order) and the events last: the window in
        which another till's transaction can collide with this one stays short, and two
        transactions touching the same documents take them in the same order.
        """
        for plan in plans:
            for change in plan.changes:
                if change.bucket not in BUCKETS:
                    raise ValueError(change.bucket)
        entries = [
            {
                "_id": new_id("so"),
                "showroom_id": showroom.id,
                "product_id": plan.product.id,
                "lot_id": c.lot_id,
                "movement": plan.movement.value,
                "bucket": c.bucket,
                "delta": c.delta,
                "reference": plan.reference,
                "reason": plan.reason,
                "by": self.by,
                "at": self.now,
            }
            for plan in plans
            for c in plan.changes
            if c.delta != 0
        ]
        if entries:
            await self.store.add_entries(entries)
        lot_changes = sorted(
            ((c, plan) for plan in plans for c in plan.changes if c.delta != 0),
            key=lambda item: (item[0].lot_id, item[0].bucket),
        )
        for change, plan in lot_changes:
            await self._change_lot(plan.product, change, plan.field)
        order = sorted(range(len(plans)), key=lambda i: plans[i].product.id)
        balances: dict[int, Balance] = {}
        for i in order:
            plan = plans[i]
            totals: dict[str, int] = defaultdict(int)
            for change in plan.changes:
                totals[change.bucket] += change.delta
            balances[i] = await self._change_balance(
                showroom, plan.product, dict(totals), plan.price_vnd, plan.field
            )
        for i, plan in enumerate(plans):
            delta = sum(c.delta for c in plan.changes)
            await self._announce(
                showroom, plan.product, plan.movement, balances[i], delta, plan.reference
            )
        return [balances[i] for i in range(len(plans))]

    async def _change_lot(self, product: Product, change: LotChange, field: str | None) -> None:
        if not await self.store.change_lot(change.lot_id, change.bucket, change.delta):
            raise OutOfStockError(
                f"Hết hàng: lô hàng của {product.name} ({product.id}) không còn đủ số lượng",
                product_id=product.id,
                field=field,
            )

    async def _change_balance(
        self,
        showroom: Showroom,
        product: Product,
        totals: dict[str, int],
        price_vnd: int | None,
        field: str | None,
    ) -> Balance:
        balance = await self.store.change_balance(showroom, product, totals, price_vnd, self.now)
        if balance is None:
            current = await self.store.find_balance(showroom.id, product.id)
            left = current.available if current else 0
            raise OutOfStockError(
                f"Hết hàng: {product.name} ({product.id}) chỉ còn {left} tại {showroom.name}",
                product_id=product.id,
                field=field,
            )
        return balance

    async def _publish(self, event: DomainEvent) -> None:
        await publish(self.outbox, self.session, event, causation_id=self.causation_id)

    async def _announce(
        self,
        showroom: Showroom,
        product: Product,
        movement: StockMovement,
        balance: Balance,
        delta: int,
        reference: str | None,
    ) -> None:
        await self._publish(
            StockChanged(showroom, product, movement, balance, delta, reference, self.now)
        )
        threshold = threshold_of(balance, showroom, self.default_threshold)
        low = balance.available < threshold
        if low == balance.low_alert_open:
            return
        await self.store.set_low_alert(showroom.id, product.id, low)
        if low and movement in SELLING_MOVEMENTS:
            await self._publish(StockLow(showroom, product, balance, threshold, self.now))


def threshold_of(balance: Balance, showroom: Showroom, default: int) -> int:
    """The balance's own threshold, else the showroom's, else the service default."""
    if balance.low_stock_threshold is not None:
        return balance.low_stock_threshold
    if showroom.low_stock_threshold is not None:
        return showroom.low_stock_threshold
    return default
