"""MongoDB storage of the catalogue read model."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel

from ocop_catalog.domain.model import CatalogProduct, ProducerProfile
from ocop_catalog.domain.search import tokens
from ocop_shared.errors import NotFoundError
from ocop_shared.mongo import Database, Session

PRODUCTS = "products"
PRODUCERS = "producers"


async def ensure_indexes(db: Database) -> None:
    await db[PRODUCTS].create_indexes(
        [
            IndexModel([("search_tokens", ASCENDING)]),
            IndexModel([("certificate.stars", DESCENDING), ("name", ASCENDING)]),
            IndexModel([("province", ASCENDING)]),
            IndexModel([("producer_id", ASCENDING)]),
        ]
    )


def _to_doc(product: CatalogProduct) -> dict[str, Any]:
    doc = product.model_dump(mode="json", exclude={"id"})
    doc["search_tokens"] = tokens(
        product.name,
        product.producer.name if product.producer else None,
        product.province,
        product.commune,
    )
    return doc


def _from_doc(doc: dict[str, Any]) -> CatalogProduct:
    data = {k: v for k, v in doc.items() if k not in ("_id", "search_tokens")}
    return CatalogProduct.model_validate({"id": doc["_id"], **data})


class CatalogRepository:
    def __init__(self, db: Database, session: Session | None = None) -> None:
        self._db = db
        self._session = session

    async def find(self, product_id: str) -> CatalogProduct | None:
        doc = await self._db[PRODUCTS].find_one({"_id": product_id}, session=self._session)
        return _from_doc(doc) if doc else None

    async def get(self, product_id: str) -> CatalogProduct:
        product = await self.find(product_id)
        if product is None:
            raise NotFoundError(f"Không có sản phẩm {product_id}", field="product_id")
        return product

    async def save(self, product: CatalogProduct) -> None:
        await self._db[PRODUCTS].replace_one(
            {"_id": product.id}, _to_doc(product), upsert=True, session=self._session
        )

    async def find_producer(self, producer_id: str) -> ProducerProfile | None:
        doc = await self._db[PRODUCERS].find_one({"_id": producer_id}, session=self._session)
        return ProducerProfile.model_validate({"id": doc["_id"], **doc}) if doc else None

    async def save_producer(self, producer: ProducerProfile) -> None:
        await self._db[PRODUCERS].replace_one(
            {"_id": producer.id},
            producer.model_dump(mode="json", exclude={"id"}),
            upsert=True,
            session=self._session,
        )

    async def products_of_producer(self, producer_id: str) -> list[CatalogProduct]:
        cursor = self._db[PRODUCTS].find({"producer_id": producer_id}, session=self._session)
        return [_from_doc(d) for d in await cursor.to_list()]

    async def search(
        self,
        *,
        text: str | None,
        min_stars: int | None,
        province: str | None,
        status: str | None,
        skip: int,
        limit: int,
    ) -> tuple[int, list[CatalogProduct]]:
        query: dict[str, Any] = {}
        words = tokens(text)
        if words:
            query["search_tokens"] = {"$all": words}
        if min_stars is not None:
            query["certificate.stars"] = {"$gte": min_stars}
        if province:
            query["province"] = province
        if status:
            query["certificate.status"] = status
        total = await self._db[PRODUCTS].count_documents(query)
        cursor = (
            self._db[PRODUCTS]
            .find(query)
            .sort([("certificate.stars", DESCENDING), ("name", ASCENDING)])
            .skip(skip)
            .limit(limit)
        )
        return total, [_from_doc(d) for d in await cursor.to_list()]
