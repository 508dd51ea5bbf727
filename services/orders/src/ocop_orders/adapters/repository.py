"""MongoDB storage of the orders service. Queries are built from typed values only."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, ReturnDocument

from ocop_orders.adapters.documents import from_doc, to_doc
from ocop_orders.adapters.indexes import (
    BALANCES,
    COUNTERS,
    LEDGER,
    LOTS,
    PRODUCERS,
    PRODUCTS,
    SALES,
    SHOWROOMS,
    TRANSFERS,
    WITHDRAWALS,
    ensure_indexes,
)
from ocop_orders.domain.model import (
    Balance,
    Lot,
    Product,
    Sale,
    Showroom,
    Transfer,
    Withdrawal,
    WithdrawalStatus,
)
from ocop_shared.contracts.catalog import CertificateStatus
from ocop_shared.errors import NotFoundError
from ocop_shared.mongo import Database, Session
from ocop_shared.text import tokens

__all__ = [
    "BALANCES",
    "COUNTERS",
    "LEDGER",
    "LOTS",
    "PRODUCERS",
    "PRODUCTS",
    "SALES",
    "SHOWROOMS",
    "TRANSFERS",
    "WITHDRAWALS",
    "OrdersRepository",
    "balance_from_doc",
    "balance_id",
    "ensure_indexes",
]


def balance_id(showroom_id: str, product_id: str) -> str:
    return f"{showroom_id}:{product_id}"


def balance_from_doc(doc: dict[str, Any]) -> Balance:
    data = {k: v for k, v in doc.items() if k not in ("_id", "available")}
    return Balance.model_validate(data)


class OrdersRepository:
    """Reads and simple writes; stock movements go through `service_layer.stock.StockBook`."""

    def __init__(self, db: Database, session: Session | None = None) -> None:
        self.db = db
        self.session = session

    # -- showrooms ------------------------------------------------------------------------
    async def find_showroom(self, showroom_id: str) -> Showroom | None:
        doc = await self.db[SHOWROOMS].find_one({"_id": showroom_id}, session=self.session)
        return from_doc(Showroom, doc) if doc else None

    async def get_showroom(self, showroom_id: str, field: str = "showroom_id") -> Showroom:
        showroom = await self.find_showroom(showroom_id)
        if showroom is None:
            raise NotFoundError(f"Không có điểm bán {showroom_id}", field=field)
        return showroom

    async def find_showroom_by_code(self, code: str) -> Showroom | None:
        doc = await self.db[SHOWROOMS].find_one({"code": code}, session=self.session)
        return from_doc(Showroom, doc) if doc else None

    async def add_showroom(self, showroom: Showroom) -> None:
        await self.db[SHOWROOMS].insert_one(to_doc(showroom), session=self.session)

    async def replace_showroom(self, showroom: Showroom, expected_version: int) -> bool:
        result = await self.db[SHOWROOMS].replace_one(
            {"_id": showroom.id, "version": expected_version},
            to_doc(showroom),
            session=self.session,
        )
        return result.modified_count == 1

    async def list_showrooms(self, ids: frozenset[str] | None = None) -> list[Showroom]:
        query: dict[str, Any] = {} if ids is None else {"_id": {"$in": sorted(ids)}}
        cursor = self.db[SHOWROOMS].find(query, session=self.session).sort("name", ASCENDING)
        return [from_doc(Showroom, d) for d in await cursor.to_list()]

    # -- products (read model) ------------------------------------------------------------
    async def find_product(self, product_id: str) -> Product | None:
        doc = await self.db[PRODUCTS].find_one({"_id": product_id}, session=self.session)
        return from_doc(Product, doc) if doc else None

    async def get_product(self, product_id: str, field: str = "product_id") -> Product:
        product = await self.find_product(product_id)
        if product is None:
            raise NotFoundError(f"Điểm bán chưa biết sản phẩm {product_id}", field=field)
        return product

    async def save_product(self, product: Product) -> None:
        doc = to_doc(product)
        doc["search_tokens"] = tokens(product.name, product.producer_name, product.gtin)
        await self.db[PRODUCTS].replace_one(
            {"_id": product.id}, doc, upsert=True, session=self.session
        )

    async def products(self, ids: list[str]) -> dict[str, Product]:
        cursor = self.db[PRODUCTS].find({"_id": {"$in": ids}}, session=self.session)
        return {d["_id"]: from_doc(Product, d) for d in await cursor.to_list()}

    async def search_products(
        self, text: str | None, *, gtin: str | None = None, limit: int = 50
    ) -> list[Product]:
        query: dict[str, Any] = {}
        if gtin:
            query["gtin"] = gtin
        words = tokens(text)
        if words:
            query["search_tokens"] = {"$all": words}
        cursor = self.db[PRODUCTS].find(query, session=self.session).sort("name", 1).limit(limit)
        return [from_doc(Product, d) for d in await cursor.to_list()]

    async def products_of_producer(self, producer_id: str) -> list[Product]:
        cursor = self.db[PRODUCTS].find({"producer_id": producer_id}, session=self.session)
        return [from_doc(Product, d) for d in await cursor.to_list()]

    async def producer_name(self, producer_id: str) -> str | None:
        doc = await self.db[PRODUCERS].find_one({"_id": producer_id}, session=self.session)
        return str(doc["name"]) if doc else None

    async def save_producer(self, producer_id: str, name: str) -> None:
        await self.db[PRODUCERS].replace_one(
            {"_id": producer_id}, {"name": name}, upsert=True, session=self.session
        )

    async def producer_names(self, producer_ids: list[str]) -> dict[str, str]:
        """Names from producer events, else the name the catalogue gave with a product."""
        names: dict[str, str] = {}
        cursor = self.db[PRODUCTS].find(
            {"producer_id": {"$in": producer_ids}, "producer_name": {"$ne": None}},
            {"producer_id": 1, "producer_name": 1},
            session=self.session,
        )
        for doc in await cursor.to_list():
            names[doc["producer_id"]] = doc["producer_name"]
        cursor = self.db[PRODUCERS].find({"_id": {"$in": producer_ids}}, session=self.session)
        names.update({d["_id"]: d["name"] for d in await cursor.to_list()})
        return names

    # -- stock ----------------------------------------------------------------------------
    async def find_balance(self, showroom_id: str, product_id: str) -> Balance | None:
        doc = await self.db[BALANCES].find_one(
            {"_id": balance_id(showroom_id, product_id)}, session=self.session
        )
        return balance_from_doc(doc) if doc else None

    async def balances_for(self, showroom_id: str, product_ids: list[str]) -> dict[str, Balance]:
        cursor = self.db[BALANCES].find(
            {"_id": {"$in": [balance_id(showroom_id, p) for p in product_ids]}},
            session=self.session,
        )
        return {d["product_id"]: balance_from_doc(d) for d in await cursor.to_list()}

    async def lots_for(self, showroom_id: str, product_ids: list[str]) -> list[Lot]:
        cursor = self.db[LOTS].find(
            {"showroom_id": showroom_id, "product_id": {"$in": product_ids}},
            session=self.session,
        )
        return [from_doc(Lot, d) for d in await cursor.to_list()]

    async def balances_of_showroom(self, showroom_id: str) -> list[Balance]:
        cursor = self.db[BALANCES].find({"showroom_id": showroom_id}, session=self.session)
        return [balance_from_doc(d) for d in await cursor.to_list()]

    async def balances_of_product(self, product_id: str) -> list[Balance]:
        cursor = self.db[BALANCES].find({"product_id": product_id}, session=self.session)
        return [balance_from_doc(d) for d in await cursor.to_list()]

    async def lots(self, showroom_id: str, product_id: str | None = None) -> list[Lot]:
        query: dict[str, Any] = {"showroom_id": showroom_id}
        if product_id is not None:
            query["product_id"] = product_id
        cursor = self.db[LOTS].find(query, session=self.session)
        return [from_doc(Lot, d) for d in await cursor.to_list()]

    async def lots_expiring_by(self, showroom_id: str, day: date) -> list[Lot]:
        cursor = (
            self.db[LOTS]
            .find(
                {
                    "showroom_id": showroom_id,
                    "expires_on": {"$ne": None, "$lte": day.isoformat()},
                    "on_hand": {"$gt": 0},
                },
                session=self.session,
            )
            .sort("expires_on", ASCENDING)
        )
        return [from_doc(Lot, d) for d in await cursor.to_list()]

    async def set_balance_fields(
        self, showroom_id: str, product_id: str, fields: Mapping[str, object]
    ) -> None:
        """Shelf price or threshold of a balance (not its quantities: those are the ledger's)."""
        await self.db[BALANCES].update_one(
            {"_id": balance_id(showroom_id, product_id)},
            {"$set": dict(fields)},
            session=self.session,
        )

    async def mark_expiry_announced(self, lot_id: str) -> bool:
        """True the first time only: a lot's expiry is announced once."""
        result = await self.db[LOTS].update_one(
            {"_id": lot_id, "expiry_announced": {"$ne": True}},
            {"$set": {"expiry_announced": True}},
            session=self.session,
        )
        return bool(result.modified_count == 1)

    async def products_certified_until_before(self, day: date) -> list[str]:
        """Products whose active certificate's end date is before ``day``."""
        docs = await (
            self.db[PRODUCTS]
            .find(
                {
                    "certificate.status": CertificateStatus.ACTIVE.value,
                    "certificate.valid_until": {"$lt": day.isoformat()},
                },
                {"_id": 1},
            )
            .to_list()
        )
        return [str(doc["_id"]) for doc in docs]

    async def ledger(
        self, showroom_id: str, product_id: str | None = None, limit: int = 200
    ) -> list[dict[str, Any]]:
        query: dict[str, Any] = {"showroom_id": showroom_id}
        if product_id is not None:
            query["product_id"] = product_id
        cursor = self.db[LEDGER].find(query, session=self.session).sort("at", -1).limit(limit)
        return list(await cursor.to_list())

    # -- sales ----------------------------------------------------------------------------
    async def find_sale(self, sale_id: str) -> Sale | None:
        doc = await self.db[SALES].find_one({"_id": sale_id}, session=self.session)
        return from_doc(Sale, doc) if doc else None

    async def get_sale(self, showroom_id: str, sale_id: str) -> Sale:
        sale = await self.find_sale(sale_id)
        if sale is None or sale.showroom_id != showroom_id:
            raise NotFoundError(f"Không có hoá đơn {sale_id} tại điểm bán này", field="sale_id")
        return sale

    async def sale_by_receipt(self, showroom_id: str, receipt_number: str) -> Sale | None:
        doc = await self.db[SALES].find_one(
            {"receipt_number": receipt_number, "showroom_id": showroom_id}, session=self.session
        )
        return from_doc(Sale, doc) if doc else None

    async def sale_by_key(self, showroom_id: str, key: str) -> Sale | None:
        doc = await self.db[SALES].find_one(
            {"showroom_id": showroom_id, "idempotency_key": key}, session=self.session
        )
        return from_doc(Sale, doc) if doc else None

    async def add_sale(self, sale: Sale) -> None:
        await self.db[SALES].insert_one(to_doc(sale), session=self.session)

    async def replace_sale(self, sale: Sale, expected_version: int) -> bool:
        result = await self.db[SALES].replace_one(
            {"_id": sale.id, "version": expected_version}, to_doc(sale), session=self.session
        )
        return result.modified_count == 1

    async def confirm_payment(self, sale_id: str, at: datetime, by: str) -> bool:
        """Marks the money received; only the payment's own fields change (no new version)."""
        result = await self.db[SALES].update_one(
            {"_id": sale_id, "payment.confirmed_at": None},
            {"$set": {"payment.confirmed_at": at, "payment.confirmed_by": by}},
            session=self.session,
        )
        return result.modified_count == 1

    async def sales_of_day(self, showroom_id: str, day: date) -> list[Sale]:
        cursor = (
            self.db[SALES]
            .find(
                {"showroom_id": showroom_id, "business_day": day.isoformat()}, session=self.session
            )
            .sort("sold_at", DESCENDING)
        )
        return [from_doc(Sale, d) for d in await cursor.to_list()]

    async def balances_of_producer(self, producer_id: str) -> list[Balance]:
        cursor = self.db[BALANCES].find({"producer_id": producer_id}, session=self.session)
        return [balance_from_doc(d) for d in await cursor.to_list()]

    async def sales_with_producer(self, producer_id: str, start: date, end: date) -> list[Sale]:
        """Sales (every showroom) with at least one line of the producer, days start..end."""
        cursor = (
            self.db[SALES]
            .find(
                {
                    "lines.producer_id": producer_id,
                    "business_day": {"$gte": start.isoformat(), "$lte": end.isoformat()},
                },
                session=self.session,
            )
            .sort("sold_at", ASCENDING)
        )
        return [from_doc(Sale, d) for d in await cursor.to_list()]

    async def next_number(self, counter: str) -> int:
        doc = await self.db[COUNTERS].find_one_and_update(
            {"_id": counter},
            {"$inc": {"value": 1}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
            session=self.session,
        )
        assert doc is not None
        return int(doc["value"])

    # -- withdrawals and transfers --------------------------------------------------------
    async def add_withdrawal(self, withdrawal: Withdrawal) -> None:
        await self.db[WITHDRAWALS].insert_one(to_doc(withdrawal), session=self.session)

    async def find_withdrawal(self, withdrawal_id: str) -> Withdrawal | None:
        doc = await self.db[WITHDRAWALS].find_one({"_id": withdrawal_id}, session=self.session)
        return from_doc(Withdrawal, doc) if doc else None

    async def close_withdrawal(self, withdrawal: Withdrawal) -> bool:
        result = await self.db[WITHDRAWALS].replace_one(
            {"_id": withdrawal.id, "status": WithdrawalStatus.OPEN.value},
            to_doc(withdrawal),
            session=self.session,
        )
        return result.modified_count == 1

    async def withdrawals(self, showroom_id: str, *, open_only: bool) -> list[Withdrawal]:
        query: dict[str, Any] = {"showroom_id": showroom_id}
        if open_only:
            query["status"] = WithdrawalStatus.OPEN.value
        cursor = self.db[WITHDRAWALS].find(query, session=self.session).sort("created_at", -1)
        return [from_doc(Withdrawal, d) for d in await cursor.limit(500).to_list()]

    async def add_transfer(self, transfer: Transfer) -> None:
        await self.db[TRANSFERS].insert_one(to_doc(transfer), session=self.session)

    async def find_transfer(self, transfer_id: str) -> Transfer | None:
        doc = await self.db[TRANSFERS].find_one({"_id": transfer_id}, session=self.session)
        return from_doc(Transfer, doc) if doc else None

    async def mark_transfer_received(self, transfer: Transfer) -> bool:
        result = await self.db[TRANSFERS].replace_one(
            {"_id": transfer.id, "status": "in_transit"}, to_doc(transfer), session=self.session
        )
        return result.modified_count == 1

    async def transfers_of(self, showroom_id: str) -> list[Transfer]:
        cursor = (
            self.db[TRANSFERS]
            .find(
                {"$or": [{"from_showroom_id": showroom_id}, {"to_showroom_id": showroom_id}]},
                session=self.session,
            )
            .sort("created_at", DESCENDING)
        )
        return [from_doc(Transfer, d) for d in await cursor.limit(200).to_list()]
