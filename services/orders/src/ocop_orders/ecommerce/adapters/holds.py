"""Units held for online orders, in MongoDB: showroom balances' ``reserved`` and the
producer's own stock (collection ``producer_stock``), changed by guarded updates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ocop_orders.adapters.repository import BALANCES, balance_id
from ocop_orders.ecommerce.adapters.repository import PRODUCER_STOCK
from ocop_shared.mongo import Database, Session


class HoldStore:
    """Reservations of one transaction (``session``)."""

    def __init__(self, db: Database, session: Session | None) -> None:
        self.db = db
        self.session = session

    async def hold_at_showroom(
        self, showroom_id: str, product_id: str, quantity: int, now: datetime
    ) -> bool:
        """Reserve units of the showroom's available stock; False when too few are left."""
        result = await self.db[BALANCES].update_one(
            {"_id": balance_id(showroom_id, product_id), "available": {"$gte": quantity}},
            {"$inc": {"reserved": quantity, "available": -quantity}, "$set": {"updated_at": now}},
            session=self.session,
        )
        return bool(result.matched_count == 1)

    async def hold_at_producer(self, product_id: str, quantity: int, now: datetime) -> bool:
        """Reserve units of the producer's own stock; False when too few are left."""
        result = await self.db[PRODUCER_STOCK].update_one(
            {"_id": product_id, "available": {"$gte": quantity}},
            {"$inc": {"reserved": quantity, "available": -quantity}, "$set": {"updated_at": now}},
            session=self.session,
        )
        return bool(result.matched_count == 1)

    async def release(self, showroom_id: str | None, product_id: str, quantity: int) -> bool:
        """Give held units back (at the showroom, or the producer's when ``showroom_id`` is
        None); False when nothing that large was held."""
        if showroom_id is not None:
            key, collection = balance_id(showroom_id, product_id), BALANCES
        else:
            key, collection = product_id, PRODUCER_STOCK
        result = await self.db[collection].update_one(
            {"_id": key, "reserved": {"$gte": quantity}},
            {"$inc": {"reserved": -quantity, "available": quantity}},
            session=self.session,
        )
        return bool(result.matched_count == 1)

    async def ship_from_producer(self, product_id: str, quantity: int) -> bool:
        """Held producer units leave its stock; False when the hold is missing."""
        result = await self.db[PRODUCER_STOCK].update_one(
            {"_id": product_id, "reserved": {"$gte": quantity}, "quantity": {"$gte": quantity}},
            {"$inc": {"reserved": -quantity, "quantity": -quantity}},
            session=self.session,
        )
        return bool(result.matched_count == 1)

    async def return_to_producer(self, product_id: str, quantity: int) -> None:
        await self.db[PRODUCER_STOCK].update_one(
            {"_id": product_id},
            {"$inc": {"quantity": quantity, "available": quantity}},
            session=self.session,
        )

    async def producer_stock(self, product_id: str) -> dict[str, Any] | None:
        doc: dict[str, Any] | None = await self.db[PRODUCER_STOCK].find_one(
            {"_id": product_id}, session=self.session
        )
        return doc

    async def set_producer_stock(
        self, product_id: str, producer_id: str, quantity: int, reserved: int, now: datetime
    ) -> None:
        await self.db[PRODUCER_STOCK].update_one(
            {"_id": product_id},
            {
                "$set": {
                    "quantity": quantity,
                    "available": quantity - reserved,
                    "producer_id": producer_id,
                    "updated_at": now,
                },
                "$setOnInsert": {"reserved": 0},
            },
            upsert=True,
            session=self.session,
        )
