"""The stock ledger in MongoDB: ledger entries, lots and balances, changed by guarded updates.

A decrease is a conditional update (``{"available": {"$gte": n}}``), so two tills selling
the last unit cannot both succeed: one update matches, the other finds nothing.
`service_layer/stock.py` (the stock book) decides what to write; this module writes it.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
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
from ocop_orders.domain.model import Balance, Lot, Product, Showroom
from ocop_shared.mongo import Database, Session

BUCKETS = ("on_hand", "quarantined", "in_transit")


class LedgerStore:
    """Ledger entries, lots and balances of one transaction (``session``)."""

    def __init__(self, db: Database, session: Session | None) -> None:
        self.db = db
        self.session = session
        self.repository = OrdersRepository(db, session)

    async def new_lot(
        self,
        showroom_id: str,
        product_id: str,
        lot_code: str,
        expires_on: date | None,
        now: datetime,
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
                    "received_at": now,
                }
            },
            upsert=True,
            return_document=ReturnDocument.AFTER,
            session=self.session,
        )
        assert doc is not None
        return Lot.model_validate({**doc, "id": doc["_id"]})

    async def add_entries(self, entries: list[dict[str, Any]]) -> None:
        await self.db[LEDGER].insert_many(entries, session=self.session)

    async def change_lot(self, lot_id: str, bucket: str, delta: int) -> bool:
        """Add ``delta`` to the lot's bucket; False when a decrease finds too few units."""
        guard: dict[str, Any] = {"_id": lot_id}
        if delta < 0:
            guard[bucket] = {"$gte": -delta}
        result = await self.db[LOTS].update_one(
            guard, {"$inc": {bucket: delta}}, session=self.session
        )
        return bool(result.matched_count == 1)

    async def change_balance(
        self,
        showroom: Showroom,
        product: Product,
        totals: dict[str, int],
        price_vnd: int | None,
        now: datetime,
    ) -> Balance | None:
        """Add the bucket totals to the balance (created by an increase); None when a
        decrease finds too few units."""
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
            "$set": {"updated_at": now, "producer_id": product.producer_id},
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
        return balance_from_doc(doc) if doc is not None else None

    async def find_balance(self, showroom_id: str, product_id: str) -> Balance | None:
        return await self.repository.find_balance(showroom_id, product_id)

    async def set_low_alert(self, showroom_id: str, product_id: str, low: bool) -> None:
        await self.db[BALANCES].update_one(
            {"_id": balance_id(showroom_id, product_id)},
            {"$set": {"low_alert_open": low}},
            session=self.session,
        )


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
