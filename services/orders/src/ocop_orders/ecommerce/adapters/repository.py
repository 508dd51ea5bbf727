"""MongoDB storage of e-commerce orders, producer-held stock, shipments and their tracking."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel

from ocop_orders.adapters.documents import from_doc, to_doc
from ocop_orders.ecommerce.domain.model import EcomOrder, OrderState
from ocop_orders.ecommerce.domain.shipping import Shipment, TrackingEntry
from ocop_shared.errors import ConflictError, NotFoundError
from ocop_shared.mongo import Database, Session, ensure_collections

ECOM_ORDERS = "ecom_orders"
PRODUCER_STOCK = "producer_stock"
SHIPMENTS = "shipments"
TRACKING = "shipment_tracking"
CARRIER_TOKENS = "carrier_tokens"
REJECTED_WEBHOOKS = "rejected_webhooks"
REJECTED_INTAKES = "rejected_intakes"
PULL_STATE = "order_pull_state"

ECOMMERCE_COLLECTIONS = (
    ECOM_ORDERS,
    PRODUCER_STOCK,
    SHIPMENTS,
    TRACKING,
    CARRIER_TOKENS,
    REJECTED_WEBHOOKS,
    REJECTED_INTAKES,
    PULL_STATE,
)


async def ensure_ecommerce_indexes(db: Database) -> None:
    """Collections and indexes of this module, created before the first transaction."""
    await ensure_collections(db, ECOMMERCE_COLLECTIONS)
    await db[ECOM_ORDERS].create_indexes(
        [
            # Idempotent intake: one order per channel order, however often it is sent.
            IndexModel([("channel", ASCENDING), ("remote_order_id", ASCENDING)], unique=True),
            IndexModel([("number", ASCENDING)], unique=True),
            IndexModel([("state", ASCENDING), ("reserved_until", ASCENDING)]),
            IndexModel([("created_at", DESCENDING)]),
            IndexModel([("lines.producer_id", ASCENDING), ("created_at", DESCENDING)]),
        ]
    )
    await db[SHIPMENTS].create_indexes(
        [
            # One shipment per order: a retried "create shipment" finds the first one.
            IndexModel([("order_id", ASCENDING)], unique=True),
            IndexModel([("order_number", ASCENDING)]),
            IndexModel([("waybill", ASCENDING)]),
            IndexModel([("needs_attention", ASCENDING)]),
        ]
    )
    await db[TRACKING].create_indexes(
        [
            # Webhook dedupe: the same (waybill, status, status time) is applied once.
            IndexModel(
                [("order_number", ASCENDING), ("code", ASCENDING), ("at", ASCENDING)],
                unique=True,
            ),
            IndexModel([("shipment_id", ASCENDING), ("at", ASCENDING)]),
            IndexModel([("unknown", ASCENDING)]),
        ]
    )
    # Kept 30 days: enough to investigate, and forged pushes cannot fill the disk.
    await db[REJECTED_WEBHOOKS].create_indexes(
        [IndexModel([("at", ASCENDING)], expireAfterSeconds=30 * 24 * 3600)]
    )
    await db[REJECTED_INTAKES].create_indexes([IndexModel([("at", DESCENDING)])])


def order_doc(order: EcomOrder) -> dict[str, Any]:
    return to_doc(order)


def order_from(doc: dict[str, Any]) -> EcomOrder:
    return from_doc(EcomOrder, doc)


def shipment_from(doc: dict[str, Any]) -> Shipment:
    return from_doc(Shipment, doc)


def _order_query(
    channel: str | None, producer_id: str | None, showroom_ids: list[str] | None
) -> dict[str, Any]:
    """Filters from typed values only (no user dict reaches the database)."""
    query: dict[str, Any] = {}
    if channel is not None:
        query["channel"] = str(channel)
    if producer_id is not None:
        query["lines.producer_id"] = str(producer_id)
    if showroom_ids is not None:
        query["fulfilment.showroom_id"] = {"$in": [str(s) for s in showroom_ids]}
    return query


class EcommerceRepository:
    def __init__(self, db: Database, session: Session | None = None) -> None:
        self.db = db
        self.session = session

    async def find_order(self, order_id: str) -> EcomOrder | None:
        doc = await self.db[ECOM_ORDERS].find_one({"_id": order_id}, session=self.session)
        return order_from(doc) if doc else None

    async def get_order(self, order_id: str) -> EcomOrder:
        order = await self.find_order(order_id)
        if order is None:
            raise NotFoundError(f"Không có đơn hàng {order_id}", field="order_id")
        return order

    async def order_by_remote(self, channel: str, remote_order_id: str) -> EcomOrder | None:
        doc = await self.db[ECOM_ORDERS].find_one(
            {"channel": str(channel), "remote_order_id": str(remote_order_id)},
            session=self.session,
        )
        return order_from(doc) if doc else None

    async def insert_order(self, order: EcomOrder) -> None:
        await self.db[ECOM_ORDERS].insert_one(order_doc(order), session=self.session)

    async def replace_order(self, order: EcomOrder, expected_version: int) -> None:
        """Write the new state unless someone else moved the order first (then 409)."""
        result = await self.db[ECOM_ORDERS].replace_one(
            {"_id": order.id, "version": expected_version}, order_doc(order), session=self.session
        )
        if result.matched_count != 1:
            raise ConflictError(
                "Đơn hàng vừa được người khác cập nhật; tải lại và thử lại", field="order_id"
            )

    async def list_orders(
        self,
        *,
        state: OrderState | None = None,
        channel: str | None = None,
        producer_id: str | None = None,
        showroom_ids: list[str] | None = None,
        limit: int = 200,
    ) -> list[EcomOrder]:
        query = _order_query(channel, producer_id, showroom_ids)
        if state is not None:
            query["state"] = state.value
        cursor = self.db[ECOM_ORDERS].find(query, session=self.session)
        docs = await cursor.sort("created_at", DESCENDING).limit(limit).to_list()
        return [order_from(d) for d in docs]

    async def state_counts(
        self,
        *,
        channel: str | None = None,
        producer_id: str | None = None,
        showroom_ids: list[str] | None = None,
    ) -> dict[str, int]:
        pipeline = [
            {"$match": _order_query(channel, producer_id, showroom_ids)},
            {"$group": {"_id": "$state", "n": {"$sum": 1}}},
        ]
        rows = await (await self.db[ECOM_ORDERS].aggregate(pipeline)).to_list()
        return {str(r["_id"]): int(r["n"]) for r in rows}

    async def expired_reservations(self, now: datetime, limit: int = 100) -> list[str]:
        cursor = self.db[ECOM_ORDERS].find(
            {"state": OrderState.PLACED.value, "reserved_until": {"$lte": now}},
            {"_id": 1},
            session=self.session,
        )
        return [str(d["_id"]) for d in await cursor.limit(limit).to_list()]

    # -- shipments ---------------------------------------------------------------------------
    async def shipment_for_order(self, order_id: str) -> Shipment | None:
        doc = await self.db[SHIPMENTS].find_one({"order_id": order_id}, session=self.session)
        return shipment_from(doc) if doc else None

    async def shipment_by_carrier_ref(self, waybill: str, reference: str | None) -> Shipment | None:
        doc = await self.db[SHIPMENTS].find_one({"waybill": str(waybill)}, session=self.session)
        if doc is None:
            refs = [str(waybill)] + ([str(reference)] if reference else [])
            doc = await self.db[SHIPMENTS].find_one(
                {"order_number": {"$in": refs}}, session=self.session
            )
        return shipment_from(doc) if doc else None

    async def tracking(self, shipment_id: str) -> list[TrackingEntry]:
        cursor = self.db[TRACKING].find({"shipment_id": shipment_id}, session=self.session)
        docs = await cursor.sort([("at", ASCENDING), ("received_at", ASCENDING)]).to_list()
        return [TrackingEntry.model_validate(d) for d in docs]

    async def flagged_tracking(self, limit: int = 100) -> list[dict[str, Any]]:
        cursor = self.db[TRACKING].find(
            {"unknown": True, "reviewed_at": None}, session=self.session
        )
        docs: list[dict[str, Any]] = (
            await cursor.sort("received_at", DESCENDING).limit(limit).to_list()
        )
        return docs

    async def placed_orders_holding(self, showroom_id: str, product_id: str) -> list[EcomOrder]:
        """Unconfirmed orders holding units of ``product_id`` at a showroom."""
        docs = (
            await self.db[ECOM_ORDERS]
            .find(
                {
                    "state": OrderState.PLACED.value,
                    "fulfilment.showroom_id": str(showroom_id),
                    "lines.product_id": str(product_id),
                },
                session=self.session,
            )
            .to_list()
        )
        return [order_from(doc) for doc in docs]

    async def shipments_needing_attention(self) -> list[Shipment]:
        cursor = self.db[SHIPMENTS].find(
            {"$or": [{"needs_attention": True}, {"last_error": {"$ne": None}}]},
            session=self.session,
        )
        return [shipment_from(d) for d in await cursor.limit(200).to_list()]

    # -- shipments, tracking, rejected pushes and pulls (carrier and marketplace intake) --
    async def insert_shipment(self, shipment: Shipment) -> None:
        await self.db[SHIPMENTS].insert_one(
            {**shipment.model_dump(mode="python", exclude={"id"}), "_id": shipment.id},
            session=self.session,
        )

    async def get_shipment(self, shipment_id: str) -> Shipment:
        doc = await self.db[SHIPMENTS].find_one({"_id": shipment_id}, session=self.session)
        if doc is None:
            raise LookupError(shipment_id)
        return Shipment.model_validate({**doc, "id": doc["_id"]})

    async def update_shipment(
        self, shipment_id: str, changes: dict[str, Any], now: datetime, version: int | None = None
    ) -> bool:
        """Set ``changes`` and bump the version (only from ``version`` when given)."""
        query: dict[str, Any] = {"_id": shipment_id}
        if version is not None:
            query["version"] = version
        result = await self.db[SHIPMENTS].update_one(
            query,
            {"$set": {**changes, "updated_at": now}, "$inc": {"version": 1}},
            session=self.session,
        )
        return bool(result.matched_count == 1)

    async def add_tracking(self, entry: dict[str, Any]) -> None:
        await self.db[TRACKING].insert_one(entry, session=self.session)

    async def review_unknown_tracking(
        self, shipment_id: str, now: datetime, by: str, note: str | None
    ) -> None:
        await self.db[TRACKING].update_many(
            {"shipment_id": shipment_id, "unknown": True, "reviewed_at": None},
            {"$set": {"reviewed_at": now, "reviewed_by": by, "review_note": note}},
            session=self.session,
        )

    async def reject_webhook(self, entry: dict[str, Any]) -> None:
        await self.db[REJECTED_WEBHOOKS].insert_one(entry)

    async def reject_intake(self, key: str, entry: dict[str, Any]) -> None:
        await self.db[REJECTED_INTAKES].update_one({"_id": key}, {"$set": entry}, upsert=True)

    async def rejected_intakes(self, limit: int = 20) -> list[dict[str, Any]]:
        docs: list[dict[str, Any]] = (
            await self.db[REJECTED_INTAKES].find().sort("at", -1).limit(limit).to_list()
        )
        return docs

    async def pull_state(self, source_key: str) -> dict[str, Any]:
        doc: dict[str, Any] | None = await self.db[PULL_STATE].find_one({"_id": source_key})
        return doc or {}

    async def save_pull_state(self, source_key: str, checkpoint: dict[str, Any]) -> None:
        await self.db[PULL_STATE].update_one({"_id": source_key}, {"$set": checkpoint}, upsert=True)
