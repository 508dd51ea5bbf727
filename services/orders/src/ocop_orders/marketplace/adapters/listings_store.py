"""MongoDB storage of marketplace listings. Queries are built from typed values only."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, IndexModel

from ocop_orders.adapters.documents import from_doc, to_doc
from ocop_orders.marketplace.domain.listings import Listing, ListingStatus, Marketplace
from ocop_shared.errors import NotFoundError
from ocop_shared.mongo import Database, Session, ensure_collections

LISTINGS = "listings"


async def ensure_listing_indexes(db: Database) -> None:
    await ensure_collections(db, (LISTINGS,))
    await db[LISTINGS].create_indexes(
        [
            IndexModel([("product_id", ASCENDING), ("channel", ASCENDING)], unique=True),
            IndexModel([("producer_id", ASCENDING), ("channel", ASCENDING)]),
            IndexModel([("status", ASCENDING)]),
        ]
    )


class ListingStore:
    def __init__(self, db: Database, session: Session | None = None) -> None:
        self._listings = db[LISTINGS]
        self._session = session

    async def sellers_on(self, channel: Marketplace) -> list[str]:
        """Producers with a listing on ``channel``."""
        sellers = await self._listings.distinct("producer_id", {"channel": channel.value})
        return [str(s) for s in sellers]

    async def find(self, listing_id: str) -> Listing | None:
        doc = await self._listings.find_one({"_id": str(listing_id)}, session=self._session)
        return from_doc(Listing, doc) if doc else None

    async def get(self, listing_id: str) -> Listing:
        listing = await self.find(listing_id)
        if listing is None:
            raise NotFoundError("Không tìm thấy tin đăng", field="listing_id")
        return listing

    async def add(self, listing: Listing) -> None:
        await self._listings.insert_one(to_doc(listing), session=self._session)

    async def replace(self, listing: Listing, expected_version: int) -> bool:
        result = await self._listings.replace_one(
            {"_id": listing.id, "version": expected_version},
            to_doc(listing.model_copy(update={"version": expected_version + 1})),
            session=self._session,
        )
        return result.modified_count == 1

    async def of_product(self, product_id: str) -> list[Listing]:
        docs = await self._listings.find(
            {"product_id": str(product_id)}, session=self._session
        ).to_list()
        return [from_doc(Listing, d) for d in docs]

    async def search(
        self,
        *,
        producer_id: str | None = None,
        channel: Marketplace | None = None,
        status: ListingStatus | None = None,
        limit: int = 500,
    ) -> list[Listing]:
        query: dict[str, Any] = {}
        if producer_id is not None:
            query["producer_id"] = str(producer_id)
        if channel is not None:
            query["channel"] = Marketplace(channel).value
        if status is not None:
            query["status"] = ListingStatus(status).value
        docs = (
            await self._listings.find(query, session=self._session)
            .sort([("producer_id", 1), ("product_id", 1), ("channel", 1)])
            .limit(max(1, min(limit, 2000)))
            .to_list()
        )
        return [from_doc(Listing, d) for d in docs]
