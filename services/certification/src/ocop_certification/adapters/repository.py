"""MongoDB repository for producers, products and certificates (within one session)."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from ocop_certification.domain.errors import (
    CertificateNotFoundError,
    DuplicateDecisionError,
    DuplicateTaxCodeError,
    ProducerNotFoundError,
    ProductNotFoundError,
)
from ocop_certification.domain.model import Certificate, Producer, Product
from ocop_shared.errors import ConflictError
from ocop_shared.mongo import Database, Session

PRODUCERS = "producers"
PRODUCTS = "products"
CERTIFICATES = "certificates"


async def ensure_indexes(db: Database) -> None:
    await db[PRODUCERS].create_indexes([IndexModel([("tax_code", ASCENDING)], unique=True)])
    await db[PRODUCTS].create_indexes([IndexModel([("producer_id", ASCENDING)])])
    await db[CERTIFICATES].create_indexes(
        [
            IndexModel([("product_id", ASCENDING), ("decision_date", ASCENDING)]),
            IndexModel([("number", ASCENDING)], unique=True),
            IndexModel([("status", ASCENDING), ("valid_until", ASCENDING)]),
        ]
    )


def _to_doc(model: Producer | Product | Certificate) -> dict[str, Any]:
    doc = model.model_dump(mode="json")
    doc["_id"] = doc.pop("id")
    return doc


def _from_doc(doc: dict[str, Any]) -> dict[str, Any]:
    data = dict(doc)
    data["id"] = data.pop("_id")
    return data


class CertificationRepository:
    """Reads and writes aggregates inside the caller's transaction."""

    def __init__(self, db: Database, session: Session | None = None) -> None:
        self._db = db
        self._session = session

    async def add_producer(self, producer: Producer) -> None:
        try:
            await self._db[PRODUCERS].insert_one(_to_doc(producer), session=self._session)
        except DuplicateKeyError as exc:
            raise DuplicateTaxCodeError(
                f"Mã số thuế {producer.tax_code} đã được đăng ký", field="body.tax_code"
            ) from exc

    async def get_producer(self, producer_id: str) -> Producer:
        doc = await self._db[PRODUCERS].find_one({"_id": producer_id}, session=self._session)
        if doc is None:
            raise ProducerNotFoundError(f"Không có chủ thể {producer_id}", field="producer_id")
        return Producer.model_validate(_from_doc(doc))

    async def list_producers(self, *, skip: int, limit: int) -> list[Producer]:
        cursor = self._db[PRODUCERS].find({}, session=self._session).sort("name").skip(skip)
        return [Producer.model_validate(_from_doc(d)) for d in await cursor.limit(limit).to_list()]

    async def add_product(self, product: Product) -> None:
        await self._db[PRODUCTS].insert_one(_to_doc(product), session=self._session)

    async def get_product(self, product_id: str) -> Product:
        doc = await self._db[PRODUCTS].find_one({"_id": product_id}, session=self._session)
        if doc is None:
            raise ProductNotFoundError(f"Không có sản phẩm {product_id}", field="product_id")
        return Product.model_validate(_from_doc(doc))

    async def list_products(
        self, *, producer_id: str | None, skip: int, limit: int
    ) -> list[Product]:
        query = {"producer_id": producer_id} if producer_id else {}
        cursor = self._db[PRODUCTS].find(query, session=self._session).sort("name").skip(skip)
        return [Product.model_validate(_from_doc(d)) for d in await cursor.limit(limit).to_list()]

    async def save_product(self, product: Product, *, expected_version: int) -> None:
        """Replace a product only if nobody changed it since it was read."""
        result = await self._db[PRODUCTS].replace_one(
            {"_id": product.id, "certification_version": expected_version},
            _to_doc(product),
            session=self._session,
        )
        if result.matched_count != 1:
            raise ConflictError("Sản phẩm vừa được thay đổi; hãy thử lại", field="product_id")

    async def get_certificate(self, certificate_id: str) -> Certificate:
        doc = await self._db[CERTIFICATES].find_one({"_id": certificate_id}, session=self._session)
        if doc is None:
            raise CertificateNotFoundError(
                f"Không có giấy chứng nhận {certificate_id}", field="certificate_id"
            )
        return Certificate.model_validate(_from_doc(doc))

    async def find_certificate(self, certificate_id: str | None) -> Certificate | None:
        return await self.get_certificate(certificate_id) if certificate_id else None

    async def save_certificate(self, certificate: Certificate) -> None:
        try:
            await self._db[CERTIFICATES].replace_one(
                {"_id": certificate.id}, _to_doc(certificate), upsert=True, session=self._session
            )
        except DuplicateKeyError as exc:
            raise DuplicateDecisionError(
                f"Số giấy chứng nhận {certificate.number} đã tồn tại",
                field="body.certificate_number",
            ) from exc

    async def certificates_of_product(self, product_id: str) -> list[Certificate]:
        cursor = self._db[CERTIFICATES].find({"product_id": product_id}, session=self._session)
        docs = await cursor.sort("decision_date", -1).to_list()
        return [Certificate.model_validate(_from_doc(d)) for d in docs]
