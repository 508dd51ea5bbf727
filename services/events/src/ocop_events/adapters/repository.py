"""MongoDB storage of trade events, booths, participations and the product read model.

Booth allocation is a guarded atomic update (`participation_id` absent → set) plus a unique
sparse index on `participation_id`, so concurrent confirmations can never double-book a booth
nor give one participation two booths.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pymongo import ASCENDING, IndexModel, ReturnDocument
from pymongo.errors import BulkWriteError, DuplicateKeyError

from ocop_events.adapters.documents import from_doc, to_doc
from ocop_events.domain.booths import booth_sort_key
from ocop_events.domain.errors import (
    AlreadyRegisteredError,
    ParticipationNotFoundError,
    TradeEventNotFoundError,
)
from ocop_events.domain.model import (
    ACTIVE_STATUSES,
    Booth,
    Flag,
    Participation,
    ParticipationStatus,
    ProductSnapshot,
    TradeEvent,
)
from ocop_shared.errors import ConflictError
from ocop_shared.mongo import Database, Session, ensure_collections

TRADE_EVENTS = "trade_events"
BOOTHS = "booths"
PARTICIPATIONS = "participations"
PRODUCTS = "products"
FAIR_SALES = "fair_sales"
FAIR_REPORTS = "fair_reports"
DEMANDS = "demands"
OFFERS = "offers"
MATCHES = "matches"

ALL_COLLECTIONS = (
    TRADE_EVENTS,
    BOOTHS,
    PARTICIPATIONS,
    PRODUCTS,
    FAIR_SALES,
    FAIR_REPORTS,
    DEMANDS,
    OFFERS,
    MATCHES,
)


async def ensure_indexes(db: Database) -> None:
    """Every collection and index, created before the first transaction (see DEVELOPING.md)."""
    await ensure_collections(db, ALL_COLLECTIONS)
    await db[TRADE_EVENTS].create_indexes([IndexModel([("starts_on", ASCENDING)])])
    await db[BOOTHS].create_indexes(
        [
            IndexModel([("event_id", ASCENDING), ("code", ASCENDING)], unique=True),
            IndexModel([("participation_id", ASCENDING)], unique=True, sparse=True),
        ]
    )
    await db[PARTICIPATIONS].create_indexes(
        [
            # One live registration per producer and event; removed when it ends.
            IndexModel([("active_key", ASCENDING)], unique=True, sparse=True),
            IndexModel([("event_id", ASCENDING), ("status", ASCENDING)]),
            IndexModel([("product_ids", ASCENDING)]),
            IndexModel([("producer_id", ASCENDING)]),
        ]
    )
    await db[PRODUCTS].create_indexes([IndexModel([("producer_id", ASCENDING)])])
    await db[FAIR_SALES].create_indexes([IndexModel([("event_id", ASCENDING)])])
    for collection, owner in ((DEMANDS, "buyer_id"), (OFFERS, "producer_id")):
        await db[collection].create_indexes(
            [
                IndexModel([("open", ASCENDING), ("created_at", ASCENDING)]),
                IndexModel([(owner, ASCENDING), ("created_at", ASCENDING)]),
            ]
        )
    await db[MATCHES].create_indexes(
        [
            IndexModel([("demand_id", ASCENDING), ("offer_id", ASCENDING)], unique=True),
            IndexModel([("stage", ASCENDING)]),
        ]
    )


def _booth_id(event_id: str, code: str) -> str:
    return f"{event_id}:{code}"


def _active_key(event_id: str, producer_id: str) -> str:
    return f"{event_id}:{producer_id}"


class EventsRepository:
    """Reads and writes inside the caller's session (or without one for plain reads)."""

    def __init__(self, db: Database, session: Session | None = None) -> None:
        self._db = db
        self._session = session

    @property
    def session(self) -> Session | None:
        return self._session

    # Trade events -------------------------------------------------------------------------

    async def add_event(self, event: TradeEvent) -> None:
        await self._db[TRADE_EVENTS].insert_one(to_doc(event), session=self._session)

    async def get_event(self, event_id: str) -> TradeEvent:
        doc = await self._db[TRADE_EVENTS].find_one({"_id": event_id}, session=self._session)
        if doc is None:
            raise TradeEventNotFoundError(f"Không có sự kiện {event_id}", field="event_id")
        return from_doc(TradeEvent, doc)

    async def events_by_id(self, event_ids: list[str]) -> dict[str, TradeEvent]:
        """Many events in one read; a missing one is a not-found like ``get_event``."""
        cursor = self._db[TRADE_EVENTS].find({"_id": {"$in": event_ids}}, session=self._session)
        events = {e.id: e for e in (from_doc(TradeEvent, d) for d in await cursor.to_list())}
        for event_id in event_ids:
            if event_id not in events:
                raise TradeEventNotFoundError(f"Không có sự kiện {event_id}", field="event_id")
        return events

    async def list_events(
        self, *, ending_from: date | None = None, limit: int = 200
    ) -> list[TradeEvent]:
        query: dict[str, Any] = {}
        if ending_from is not None:
            query["ends_on"] = {"$gte": ending_from.isoformat()}
        cursor = self._db[TRADE_EVENTS].find(query, session=self._session).sort("starts_on")
        return [from_doc(TradeEvent, d) for d in await cursor.limit(limit).to_list()]

    async def find_event_by_name(self, name: str) -> TradeEvent | None:
        doc = await self._db[TRADE_EVENTS].find_one({"name": name}, session=self._session)
        return from_doc(TradeEvent, doc) if doc else None

    # Booths -------------------------------------------------------------------------------

    async def add_booths(self, booths: list[Booth]) -> int:
        """Insert the booths whose code is new for the event; returns how many were added."""
        if not booths:
            return 0
        event_id = booths[0].event_id
        codes = [b.code for b in booths]
        taken = {
            d["code"]
            for d in await self._db[BOOTHS]
            .find(
                {"event_id": event_id, "code": {"$in": codes}}, {"code": 1}, session=self._session
            )
            .to_list()
        }
        new = [b for b in booths if b.code not in taken]
        if new:
            docs = []
            for booth in new:
                doc = to_doc(booth, _id=_booth_id(booth.event_id, booth.code))
                for key in ("participation_id", "producer_id"):
                    doc.pop(key, None)  # absent, not null: the sparse unique index skips it
                docs.append(doc)
            try:
                await self._db[BOOTHS].insert_many(docs, session=self._session)
            except BulkWriteError as exc:
                raise ConflictError(
                    "Gian hàng vừa được tạo bởi người khác; hãy thử lại", field="body.prefix"
                ) from exc
        return len(new)

    async def booths(self, event_id: str) -> list[Booth]:
        docs = await self._db[BOOTHS].find({"event_id": event_id}, session=self._session).to_list()
        booths = [from_doc(Booth, d) for d in docs]
        return sorted(booths, key=lambda b: booth_sort_key(b.code))

    async def count_booths(self, event_id: str) -> int:
        return await self._db[BOOTHS].count_documents({"event_id": event_id}, session=self._session)

    async def count_booths_of_events(self, event_ids: list[str]) -> dict[str, int]:
        """Booths per event for many events in one read (0 for an event without booths)."""
        counts = dict.fromkeys(event_ids, 0)
        docs = await (
            self._db[BOOTHS]
            .find({"event_id": {"$in": event_ids}}, {"event_id": 1}, session=self._session)
            .to_list()
        )
        for doc in docs:
            counts[doc["event_id"]] += 1
        return counts

    async def allocate_booth(
        self, event_id: str, code: str | None, participation_id: str, producer_id: str
    ) -> Booth | None:
        """Take the named booth, or the first free one, only if nobody holds it; else None."""
        query: dict[str, Any] = {"event_id": event_id, "participation_id": {"$exists": False}}
        if code is not None:
            query["_id"] = _booth_id(event_id, code)
        try:
            doc = await self._db[BOOTHS].find_one_and_update(
                query,
                {"$set": {"participation_id": participation_id, "producer_id": producer_id}},
                sort=[("code", ASCENDING)],
                return_document=ReturnDocument.AFTER,
                session=self._session,
            )
        except DuplicateKeyError as exc:
            raise ConflictError(
                "Đơn đăng ký này đã được xếp gian", field="participation_id"
            ) from exc
        return from_doc(Booth, doc) if doc else None

    async def booth_exists(self, event_id: str, code: str) -> bool:
        doc = await self._db[BOOTHS].find_one(
            {"_id": _booth_id(event_id, code)}, {"_id": 1}, session=self._session
        )
        return doc is not None

    async def release_booth(self, participation_id: str) -> None:
        await self._db[BOOTHS].update_one(
            {"participation_id": participation_id},
            {"$unset": {"participation_id": "", "producer_id": ""}},
            session=self._session,
        )

    # Participations -----------------------------------------------------------------------

    async def add_participation(self, participation: Participation) -> None:
        doc = to_doc(
            participation, active_key=_active_key(participation.event_id, participation.producer_id)
        )
        try:
            await self._db[PARTICIPATIONS].insert_one(doc, session=self._session)
        except DuplicateKeyError as exc:
            raise AlreadyRegisteredError(
                "Chủ thể đã đăng ký sự kiện này", field="body.producer_id"
            ) from exc

    async def has_live_registration(self, event_id: str, producer_id: str) -> bool:
        doc = await self._db[PARTICIPATIONS].find_one(
            {"active_key": _active_key(event_id, producer_id)},
            {"_id": 1},
            session=self._session,
        )
        return doc is not None

    async def get_participation(self, participation_id: str) -> Participation:
        doc = await self._db[PARTICIPATIONS].find_one(
            {"_id": participation_id}, session=self._session
        )
        if doc is None:
            raise ParticipationNotFoundError(
                f"Không có đơn đăng ký {participation_id}", field="participation_id"
            )
        return from_doc(Participation, doc)

    async def save_participation(
        self, participation: Participation, *, expected_version: int
    ) -> None:
        """Replace only if unchanged since read; the live key goes when the participation ends."""
        doc = to_doc(participation)
        if participation.status in ACTIVE_STATUSES:
            doc["active_key"] = _active_key(participation.event_id, participation.producer_id)
        result = await self._db[PARTICIPATIONS].replace_one(
            {"_id": participation.id, "version": expected_version}, doc, session=self._session
        )
        if result.matched_count != 1:
            raise ConflictError(
                "Đơn đăng ký vừa được thay đổi; hãy tải lại và thử lại", field="participation_id"
            )

    async def participations(
        self,
        *,
        event_id: str | None = None,
        producer_id: str | None = None,
        status: ParticipationStatus | None = None,
    ) -> list[Participation]:
        query: dict[str, Any] = {}
        if event_id is not None:
            query["event_id"] = event_id
        if producer_id is not None:
            query["producer_id"] = producer_id
        if status is not None:
            query["status"] = status.value
        docs = await self._db[PARTICIPATIONS].find(query, session=self._session).to_list()
        return sorted(
            (from_doc(Participation, d) for d in docs), key=lambda p: (p.registered_at, p.id)
        )

    async def producer_names(self, producer_ids: list[str] | None = None) -> dict[str, str]:
        """Producer names by id, as producers gave them (supply offers, then registrations,
        registrations over offers): consoles and exports show names, never ``prd-…`` ids."""
        names: dict[str, str] = {}
        query: dict[str, Any] = {"producer_name": {"$type": "string"}}
        if producer_ids is not None:
            query["producer_id"] = {"$in": producer_ids}
        for collection in (OFFERS, PARTICIPATIONS):
            cursor = self._db[collection].find(
                query,
                {"producer_id": 1, "producer_name": 1},
                session=self._session,
            )
            for doc in await cursor.to_list():
                if doc.get("producer_name") and doc.get("producer_id"):
                    names[str(doc["producer_id"])] = str(doc["producer_name"])
        return names

    async def participations_by_event(self, event_ids: list[str]) -> dict[str, list[Participation]]:
        """Registrations of many events in one read, each event's in registration order."""
        by_event: dict[str, list[Participation]] = {event_id: [] for event_id in event_ids}
        query = {"event_id": {"$in": event_ids}}
        docs = await self._db[PARTICIPATIONS].find(query, session=self._session).to_list()
        for p in sorted(
            (from_doc(Participation, d) for d in docs), key=lambda p: (p.registered_at, p.id)
        ):
            by_event[p.event_id].append(p)
        return by_event

    async def count_holding_places(self, event_id: str) -> int:
        """Registrations waiting for review or confirmed: each will need a booth."""
        statuses = [ParticipationStatus.REGISTERED.value, ParticipationStatus.CONFIRMED.value]
        return await self._db[PARTICIPATIONS].count_documents(
            {"event_id": event_id, "status": {"$in": statuses}}, session=self._session
        )

    async def flag_live_participations(self, product_id: str, flag: Flag, today: date) -> list[str]:
        """Flag every live participation carrying the product in an event not yet ended."""
        query = {
            "product_ids": product_id,
            "status": {"$in": [s.value for s in ACTIVE_STATUSES]},
            "event_ends_on": {"$gte": today.isoformat()},
        }
        ids = [
            d["_id"]
            for d in await self._db[PARTICIPATIONS]
            .find(query, {"_id": 1}, session=self._session)
            .to_list()
        ]
        if ids:
            await self._db[PARTICIPATIONS].update_many(
                {"_id": {"$in": ids}},
                {"$push": {"flags": to_doc(flag)}, "$inc": {"version": 1}},
                session=self._session,
            )
        return ids

    # Product read model ------------------------------------------------------------------

    async def find_product(self, product_id: str) -> ProductSnapshot | None:
        doc = await self._db[PRODUCTS].find_one({"_id": product_id}, session=self._session)
        return from_doc(ProductSnapshot, doc) if doc else None

    async def products(self, product_ids: list[str]) -> dict[str, ProductSnapshot]:
        docs = (
            await self._db[PRODUCTS]
            .find({"_id": {"$in": list(product_ids)}}, session=self._session)
            .to_list()
        )
        return {d["_id"]: from_doc(ProductSnapshot, d) for d in docs}

    async def products_of_producer(self, producer_id: str) -> list[ProductSnapshot]:
        docs = (
            await self._db[PRODUCTS]
            .find({"producer_id": producer_id}, session=self._session)
            .to_list()
        )
        return [from_doc(ProductSnapshot, d) for d in docs]

    async def all_products(self) -> dict[str, ProductSnapshot]:
        docs = await self._db[PRODUCTS].find({}, session=self._session).to_list()
        return {d["_id"]: from_doc(ProductSnapshot, d) for d in docs}

    async def save_product(self, product: ProductSnapshot) -> None:
        await self._db[PRODUCTS].replace_one(
            {"_id": product.id}, to_doc(product), upsert=True, session=self._session
        )
