"""MongoDB storage of the catalogue read model."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel, ReplaceOne

from ocop_catalog.domain.model import CatalogProduct, ProducerProfile
from ocop_catalog.domain.search import SearchQuery, SortOrder, name_key, query_words
from ocop_shared.contracts.catalog import CertificateStatus
from ocop_shared.errors import NotFoundError
from ocop_shared.mongo import Database, Session, ensure_collections
from ocop_shared.text import tokens

PRODUCTS = "products"
PRODUCERS = "producers"

# Stored beside the model for indexing only; stripped when reading.
_DERIVED = ("_id", "search_tokens", "name_key", "province_key", "commune_key")

_SORTS: dict[SortOrder, list[tuple[str, int]]] = {
    # The database cannot score relevance: it falls back to stars.
    SortOrder.RELEVANCE: [("certificate.stars", DESCENDING), ("name_key", ASCENDING)],
    SortOrder.STARS: [("certificate.stars", DESCENDING), ("name_key", ASCENDING)],
    SortOrder.NAME: [("name_key", ASCENDING)],
    SortOrder.PRICE_ASC: [("content.suggested_price_vnd", ASCENDING), ("name_key", ASCENDING)],
    SortOrder.PRICE_DESC: [("content.suggested_price_vnd", DESCENDING), ("name_key", ASCENDING)],
    SortOrder.VALID_UNTIL: [("certificate.valid_until", ASCENDING), ("name_key", ASCENDING)],
    SortOrder.NEWEST: [("version", DESCENDING), ("name_key", ASCENDING)],
}


async def ensure_indexes(db: Database) -> None:
    await ensure_collections(db, (PRODUCTS, PRODUCERS))
    await db[PRODUCTS].create_indexes(
        [
            IndexModel([("search_tokens", ASCENDING)]),
            IndexModel([("certificate.stars", DESCENDING), ("name_key", ASCENDING)]),
            IndexModel([("name_key", ASCENDING)]),
            IndexModel([("province_key", ASCENDING)]),
            IndexModel([("commune_key", ASCENDING)]),
            IndexModel([("producer_id", ASCENDING)]),
            IndexModel([("group_code", ASCENDING)]),
            IndexModel([("eligible_channels", ASCENDING)]),
            IndexModel([("certificate.valid_until", ASCENDING)]),
            IndexModel([("content.suggested_price_vnd", ASCENDING)]),
        ]
    )


def to_doc(product: CatalogProduct) -> dict[str, Any]:
    doc = product.model_dump(mode="json", exclude={"id"})
    doc["_id"] = product.id
    doc["search_tokens"] = tokens(
        product.name,
        product.producer.name if product.producer else None,
        product.province,
        product.commune,
        product.district,
        product.gtin,
    )
    doc["name_key"] = name_key(product.name)
    doc["province_key"] = name_key(product.province or "")
    doc["commune_key"] = name_key(product.commune or "")
    return doc


def from_doc(doc: dict[str, Any]) -> CatalogProduct:
    data = {k: v for k, v in doc.items() if k not in _DERIVED}
    return CatalogProduct.model_validate({"id": doc["_id"], **data})


def search_filter(query: SearchQuery, today: date) -> dict[str, Any]:
    """A MongoDB filter built only from validated, typed values (no operator injection)."""
    clauses: list[dict[str, Any]] = []
    whole, prefix = query_words(query.text)
    if whole:
        clauses.append({"search_tokens": {"$all": whole}})
    if prefix is not None:  # tokens are [a-z0-9] only: nothing to escape
        clauses.append({"search_tokens": {"$regex": f"^{prefix}"}})
    if query.min_stars is not None:
        clauses.append({"certificate.stars": {"$gte": query.min_stars}})
    if query.stars is not None:
        clauses.append({"certificate.stars": query.stars})
    if query.group_code:
        clauses.append({"group_code": query.group_code})
    if query.province:
        clauses.append({"province_key": name_key(query.province)})
    if query.commune:
        clauses.append({"commune_key": name_key(query.commune)})
    if query.producer_id:
        clauses.append({"producer_id": query.producer_id})
    if query.channel is not None:
        clauses.append({"eligible_channels": query.channel.value})
    if query.status is not None:
        clauses.append(_status_clause(query.status, today))
    if query.expiring_within_days is not None:
        horizon = (today + timedelta(days=query.expiring_within_days)).isoformat()
        clauses.append(_status_clause(CertificateStatus.ACTIVE, today))
        clauses.append(
            {
                "$or": [
                    {"certificate.valid_until": {"$lte": horizon}},
                    {"certificate.expiry_reminder_on": {"$ne": None}},
                ]
            }
        )
    if not clauses:
        return {}
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _status_clause(status: CertificateStatus, today: date) -> dict[str, Any]:
    day = today.isoformat()
    if status is CertificateStatus.ACTIVE:
        return {"certificate.status": "active", "certificate.valid_until": {"$gte": day}}
    if status is CertificateStatus.EXPIRED:
        return {
            "$or": [
                {"certificate.status": "expired"},
                {"certificate.status": "active", "certificate.valid_until": {"$lt": day}},
            ]
        }
    if status is CertificateStatus.REVOKED:
        return {"certificate.status": "revoked"}
    return {"certificate": None}


class CatalogRepository:
    def __init__(self, db: Database, session: Session | None = None) -> None:
        self._db = db
        self._session = session

    async def find(self, product_id: str) -> CatalogProduct | None:
        doc = await self._db[PRODUCTS].find_one({"_id": product_id}, session=self._session)
        return from_doc(doc) if doc else None

    async def get(self, product_id: str) -> CatalogProduct:
        product = await self.find(product_id)
        if product is None:
            raise NotFoundError(f"Không có sản phẩm {product_id}", field="product_id")
        return product

    async def find_many(self, product_ids: list[str]) -> dict[str, CatalogProduct]:
        cursor = self._db[PRODUCTS].find({"_id": {"$in": product_ids}}, session=self._session)
        return {d["_id"]: from_doc(d) for d in await cursor.to_list()}

    async def ids_by_name(self, names: list[str]) -> dict[str, list[str]]:
        """Product ids per folded name, to match spreadsheet rows that carry no id."""
        keys = list({name_key(n) for n in names})
        cursor = self._db[PRODUCTS].find(
            {"name_key": {"$in": keys}}, {"_id": 1, "name_key": 1}, session=self._session
        )
        found: dict[str, list[str]] = {}
        for doc in await cursor.to_list():
            found.setdefault(doc["name_key"], []).append(doc["_id"])
        return found

    async def save(self, product: CatalogProduct) -> None:
        await self._db[PRODUCTS].replace_one(
            {"_id": product.id}, to_doc(product), upsert=True, session=self._session
        )

    async def save_many(self, products: list[CatalogProduct]) -> None:
        if products:
            await self._db[PRODUCTS].bulk_write(
                [ReplaceOne({"_id": p.id}, to_doc(p), upsert=True) for p in products],
                ordered=False,
                session=self._session,
            )

    async def find_producer(self, producer_id: str) -> ProducerProfile | None:
        doc = await self._db[PRODUCERS].find_one({"_id": producer_id}, session=self._session)
        return ProducerProfile.model_validate({**doc, "id": doc["_id"]}) if doc else None

    async def find_producers(self, producer_ids: list[str]) -> dict[str, ProducerProfile]:
        cursor = self._db[PRODUCERS].find({"_id": {"$in": producer_ids}}, session=self._session)
        return {
            d["_id"]: ProducerProfile.model_validate({**d, "id": d["_id"]})
            for d in await cursor.to_list()
        }

    async def save_producer(self, producer: ProducerProfile) -> None:
        await self._db[PRODUCERS].replace_one(
            {"_id": producer.id},
            producer.model_dump(mode="json", exclude={"id"}),
            upsert=True,
            session=self._session,
        )

    async def save_producers(self, producers: list[ProducerProfile]) -> None:
        if producers:
            await self._db[PRODUCERS].bulk_write(
                [
                    ReplaceOne(
                        {"_id": p.id}, p.model_dump(mode="json", exclude={"id"}), upsert=True
                    )
                    for p in producers
                ],
                ordered=False,
                session=self._session,
            )

    async def products_of_producer(self, producer_id: str) -> list[CatalogProduct]:
        cursor = self._db[PRODUCTS].find({"producer_id": producer_id}, session=self._session)
        return [from_doc(d) for d in await cursor.to_list()]

    async def search(self, query: SearchQuery, today: date) -> tuple[int, list[CatalogProduct]]:
        where = search_filter(query, today)
        total = await self._db[PRODUCTS].count_documents(where, session=self._session)
        cursor = (
            self._db[PRODUCTS]
            .find(where, session=self._session)
            .sort([*_SORTS[query.sort], ("_id", ASCENDING)])
            .skip(query.skip)
            .limit(query.limit)
        )
        return total, [from_doc(d) for d in await cursor.to_list()]

    async def facets(self) -> dict[str, list[str]]:
        """Provinces and groups present, for the filters of the public page."""
        products = self._db[PRODUCTS]
        provinces = await products.distinct("province", session=self._session)
        groups = await products.distinct("group_code", session=self._session)
        return {
            "provinces": sorted((p for p in provinces if p), key=name_key),
            "groups": sorted(g for g in groups if g),
        }

    async def rederive_search_keys(self) -> int:
        """Recompute every product's search tokens and keys with today's kernel fold (after
        the fold learns new letters); only documents whose keys change are written, and no
        version moves: nothing but search sees it. Returns how many changed."""
        changed = 0
        for doc in await self._db[PRODUCTS].find({}, session=self._session).to_list():
            fresh = to_doc(from_doc(doc))
            update = {k: fresh[k] for k in _DERIVED if k != "_id" and doc.get(k) != fresh[k]}
            if update:
                await self._db[PRODUCTS].update_one(
                    {"_id": doc["_id"]}, {"$set": update}, session=self._session
                )
                changed += 1
        return changed

    async def all_ids(self) -> list[str]:
        cursor = self._db[PRODUCTS].find({}, {"_id": 1}, session=self._session)
        return [d["_id"] for d in await cursor.to_list()]
