"""The stock book: every movement is ledger entries plus guarded updates of lots and balances.

All writes happen in the caller's transaction. A decrease is a conditional update
(``{"available": {"$gte": n}}``), so two tills selling the last unit cannot both succeed:
one update matches, the other finds nothing and the sale fails with "out of stock".
Balances are the sums of the ledger's entries per bucket; `audit` recomputes them.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pymongo import ReturnDocument

from ocop_orders.adapters.repository import (
    BALANCES,
    LEDGER,
    LOTS,
    OrdersRepository,
    balance_from_doc,
    balance_id,
)
from ocop_orders.domain.errors import OutOfStockError
from ocop_orders.domain.events import DomainEvent, StockChanged, StockLow
from ocop_orders.domain.model import Balance, Lot, Product, Showroom
from ocop_orders.service_layer.publishing import publish
from ocop_shared.contracts.orders import StockMovement
from ocop_shared.messaging.outbox import Outbox
from ocop_shared.mongo import Database, Session

BUCKETS = ("on_hand", "quarantined", "in_transit")
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
    def __init__(
        self,
        db: Database,
        session: Session,
        outbox: Outbox,
        *,
        now: datetime,
        by: str,
        default_threshold: int,
        causation_id: str | None = None,
    ) -> None:
        self.db = db
        self.session = session
        self.outbox = outbox
        self.now = now
        self.by = by
        self.default_threshold = default_threshold
        self.causation_id = causation_id
        self.repository = OrdersRepository(db, session)

    async def new_lot(
        self,
        showroom_id: str,
        product_id: str,
        lot_code: str,
        expires_on: date | None,
    ) -> Lot:
        """The lot with this code at this showroom, created empty when new.

        The id is derived from (showroom, product, lot code), so two tills receiving the
        same new lot at once upsert one document.
        """
        digest = hashlib.sha256(f"{showroom_id}:{product_id}:{lot_code}".encode()).hexdigest()
        doc = await self.db[LOTS].find_one_and_update(
            {"_id": f"lo-{digest[:16]}"},
            {
                "$setOnInsert": {
                    "showroom_id": showroom_id,
                    "product_id": product_id,
                    "lot_code": lot_code,
                    "expires_on": expires_on.isoformat() if expires_on else None,
                    "on_hand": 0,
                    "quarantined": 0,
                    "in_transit": 0,
                    "received_at": self.now,
                }
            },
            upsert=True,
            return_document=ReturnDocument.AFTER,
            session=self.session,
        )
        assert doc is not None
        return Lot.model_validate({**doc, "id": doc["_id"]})

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
            await self.db[LEDGER].insert_many(entries, session=self.session)
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
        guard: dict[str, Any] = {"_id": change.lot_id}
        if change.delta < 0:
            guard[change.bucket] = {"$gte": -change.delta}
        result = await self.db[LOTS].update_one(
            guard, {"$inc": {change.bucket: change.delta}}, session=self.session
        )
        if result.matched_count != 1:
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
        key = balance_id(showroom.id, product.id)
        inc = {bucket: delta for bucket, delta in totals.items() if delta}
        if "on_hand" in inc:
            inc["available"] = inc["on_hand"]
        inc["version"] = 1
        guard: dict[str, Any] = {"_id": key}
        for bucket, delta in totals.items():
            if delta < 0:
                guard["available" if bucket == "on_hand" else bucket] = {"$gte": -delta}
        update: dict[str, Any] = {
            "$inc": inc,
            "$set": {"updated_at": self.now, "producer_id": product.producer_id},
        }
        if price_vnd is not None:
            update["$set"]["price_vnd"] = price_vnd
        decreasing = any(delta < 0 for delta in totals.values())
        if not decreasing:
            update["$setOnInsert"] = {
                "showroom_id": showroom.id,
                "product_id": product.id,
                "reserved": 0,
                "low_alert_open": False,
                **{
                    b: 0
                    for b in ("on_hand", "available", "quarantined", "in_transit")
                    if b not in inc
                },
            }
        doc = await self.db[BALANCES].find_one_and_update(
            guard,
            update,
            upsert=not decreasing,
            return_document=ReturnDocument.AFTER,
            session=self.session,
        )
        if doc is None:
            current = await self.repository.find_balance(showroom.id, product.id)
            left = current.available if current else 0
            raise OutOfStockError(
                f"Hết hàng: {product.name} ({product.id}) chỉ còn {left} tại {showroom.name}",
                product_id=product.id,
                field=field,
            )
        return balance_from_doc(doc)

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
        subject = balance_id(showroom.id, product.id)
        await self._publish(
            StockChanged(showroom, product, movement, balance, delta, reference, self.now)
        )
        threshold = threshold_of(balance, showroom, self.default_threshold)
        low = balance.available < threshold
        if low == balance.low_alert_open:
            return
        await self.db[BALANCES].update_one(
            {"_id": subject}, {"$set": {"low_alert_open": low}}, session=self.session
        )
        if low and movement in SELLING_MOVEMENTS:
            await self._publish(StockLow(showroom, product, balance, threshold, self.now))


def threshold_of(balance: Balance, showroom: Showroom, default: int) -> int:
    """The balance's own threshold, else the showroom's, else the service default."""
    if balance.low_stock_threshold is not None:
        return balance.low_stock_threshold
    if showroom.low_stock_threshold is not None:
        return showroom.low_stock_threshold
    return default


async def audit(db: Database, showroom_id: str) -> list[str]:
    """Differences between the ledger's sums and the stored lots and balances (empty: sound)."""
    problems: list[str] = []
    sums: dict[tuple[str, str], int] = defaultdict(int)
    lot_sums: dict[tuple[str, str], int] = defaultdict(int)
    async for entry in await db[LEDGER].aggregate(
        [
            {"$match": {"showroom_id": showroom_id}},
            {
                "$group": {
                    "_id": {"p": "$product_id", "l": "$lot_id", "b": "$bucket"},
                    "sum": {"$sum": "$delta"},
                }
            },
        ]
    ):
        key = entry["_id"]
        sums[(key["p"], key["b"])] += entry["sum"]
        lot_sums[(str(key["l"]), key["b"])] += entry["sum"]
    async for doc in db[BALANCES].find({"showroom_id": showroom_id}):
        for bucket in BUCKETS:
            if doc.get(bucket, 0) != sums.get((doc["product_id"], bucket), 0):
                problems.append(f"balance {doc['_id']} {bucket}={doc.get(bucket)} ledger differs")
            if doc.get(bucket, 0) < 0:
                problems.append(f"balance {doc['_id']} {bucket} negative")
        if doc.get("available") != doc.get("on_hand", 0) - doc.get("reserved", 0):
            problems.append(f"balance {doc['_id']} available inconsistent")
    async for doc in db[LOTS].find({"showroom_id": showroom_id}):
        for bucket in BUCKETS:
            if doc.get(bucket, 0) != lot_sums.get((doc["_id"], bucket), 0):
                problems.append(f"lot {doc['_id']} {bucket} differs from ledger")
    return problems
