"""MongoDB storage of demands, offers and matches."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.errors import DuplicateKeyError

from ocop_events.adapters.documents import from_doc, to_doc
from ocop_events.adapters.repository import DEMANDS, MATCHES, OFFERS
from ocop_events.domain.errors import MatchNotFoundError
from ocop_events.domain.matching_model import Demand, Match, MatchStage, Offer
from ocop_shared.errors import ConflictError, NotFoundError
from ocop_shared.mongo import Database, Session


class MatchingRepository:
    def __init__(self, db: Database, session: Session | None = None) -> None:
        self._db = db
        self._session = session

    async def add_demand(self, demand: Demand) -> None:
        await self._db[DEMANDS].insert_one(to_doc(demand), session=self._session)

    async def add_offer(self, offer: Offer) -> None:
        await self._db[OFFERS].insert_one(to_doc(offer), session=self._session)

    async def replace_demand(self, demand: Demand) -> None:
        await self._db[DEMANDS].replace_one(
            {"_id": demand.id}, to_doc(demand), session=self._session
        )

    async def replace_offer(self, offer: Offer) -> None:
        await self._db[OFFERS].replace_one({"_id": offer.id}, to_doc(offer), session=self._session)

    async def get_demand(self, demand_id: str) -> Demand:
        doc = await self._db[DEMANDS].find_one({"_id": demand_id}, session=self._session)
        if doc is None:
            raise NotFoundError(f"Không có nhu cầu {demand_id}", field="demand_id")
        return from_doc(Demand, doc)

    async def get_offer(self, offer_id: str) -> Offer:
        doc = await self._db[OFFERS].find_one({"_id": offer_id}, session=self._session)
        if doc is None:
            raise NotFoundError(f"Không có chào bán {offer_id}", field="offer_id")
        return from_doc(Offer, doc)

    async def demands(
        self,
        *,
        open_only: bool = False,
        buyer_id: str | None = None,
        skip: int = 0,
        limit: int = 0,
    ) -> list[Demand]:
        """Oldest first; ``limit`` 0 means all (the matching run reads every open one)."""
        query: dict[str, Any] = {}
        if open_only:
            query["open"] = True
        if buyer_id is not None:
            query["buyer_id"] = buyer_id
        cursor = (
            self._db[DEMANDS]
            .find(query, session=self._session)
            .sort([("created_at", ASCENDING), ("_id", ASCENDING)])
            .skip(skip)
            .limit(limit)
        )
        return [from_doc(Demand, d) for d in await cursor.to_list()]

    async def offers(
        self,
        *,
        open_only: bool = False,
        producer_id: str | None = None,
        skip: int = 0,
        limit: int = 0,
    ) -> list[Offer]:
        """Oldest first; ``limit`` 0 means all (the matching run reads every open one)."""
        query: dict[str, Any] = {}
        if open_only:
            query["open"] = True
        if producer_id is not None:
            query["producer_id"] = producer_id
        cursor = (
            self._db[OFFERS]
            .find(query, session=self._session)
            .sort([("created_at", ASCENDING), ("_id", ASCENDING)])
            .skip(skip)
            .limit(limit)
        )
        return [from_doc(Offer, d) for d in await cursor.to_list()]

    async def set_open(
        self, *, open_: bool, demand_id: str | None = None, offer_id: str | None = None
    ) -> None:
        collection, key = (DEMANDS, demand_id) if demand_id else (OFFERS, offer_id)
        await self._db[collection].update_one(
            {"_id": key}, {"$set": {"open": open_}}, session=self._session
        )

    async def existing_pairs(self, demand_ids: list[str]) -> set[tuple[str, str]]:
        docs = (
            await self._db[MATCHES]
            .find(
                {"demand_id": {"$in": demand_ids}},
                {"demand_id": 1, "offer_id": 1},
                session=self._session,
            )
            .to_list()
        )
        return {(d["demand_id"], d["offer_id"]) for d in docs}

    async def add_match(self, match: Match) -> None:
        try:
            await self._db[MATCHES].insert_one(to_doc(match), session=self._session)
        except DuplicateKeyError as exc:
            raise ConflictError("Cặp cung - cầu này đã được đề xuất", field="offer_id") from exc

    async def get_match(self, match_id: str) -> Match:
        doc = await self._db[MATCHES].find_one({"_id": match_id}, session=self._session)
        if doc is None:
            raise MatchNotFoundError(f"Không có đề xuất kết nối {match_id}", field="match_id")
        return from_doc(Match, doc)

    async def save_match(self, match: Match, *, expected_version: int) -> None:
        result = await self._db[MATCHES].replace_one(
            {"_id": match.id, "version": expected_version}, to_doc(match), session=self._session
        )
        if result.matched_count != 1:
            raise ConflictError("Đề xuất vừa được thay đổi; hãy tải lại", field="match_id")

    async def matches(
        self,
        *,
        stage: MatchStage | None = None,
        demand_id: str | None = None,
        buyer_id: str | None = None,
        producer_id: str | None = None,
        limit: int = 500,
    ) -> list[Match]:
        query: dict[str, Any] = {}
        if stage is not None:
            query["stage"] = stage.value
        if demand_id is not None:
            query["demand_id"] = demand_id
        if buyer_id is not None:
            query["buyer_id"] = buyer_id
        if producer_id is not None:
            query["producer_id"] = producer_id
        cursor = self._db[MATCHES].find(query, session=self._session).sort("score", DESCENDING)
        return [from_doc(Match, d) for d in await cursor.limit(limit).to_list()]
