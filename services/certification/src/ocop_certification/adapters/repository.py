"""MongoDB repository of the certification service (reads and writes within one session)."""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel
from pymongo import ASCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from ocop_certification.domain.dossiers import CLOSED, Dossier, ScoreSheet
from ocop_certification.domain.errors import (
    CertificateNotFoundError,
    DuplicateDecisionError,
    DuplicateTaxCodeError,
    ProducerNotFoundError,
    ProductNotFoundError,
)
from ocop_certification.domain.inspections import Inspection
from ocop_certification.domain.model import Certificate, CertificateStatus, Producer, Product
from ocop_certification.domain.rounds import Round
from ocop_certification.domain.rules import LEVEL_NAMES_VI
from ocop_certification.domain.targets import PlanTarget
from ocop_shared.errors import ConflictError, NotFoundError
from ocop_shared.mongo import Database, Session, ensure_collections

PRODUCERS = "producers"
PRODUCTS = "products"
CERTIFICATES = "certificates"
ROUNDS = "rounds"
DOSSIERS = "dossiers"
SCORE_SHEETS = "score_sheets"
INSPECTIONS = "inspections"
PLAN_TARGETS = "plan_targets"
EVIDENCE_BUCKET = "evidence"

M = TypeVar("M", bound=BaseModel)


async def ensure_indexes(db: Database) -> None:
    await ensure_collections(
        db,
        (
            PRODUCERS,
            PRODUCTS,
            CERTIFICATES,
            ROUNDS,
            DOSSIERS,
            SCORE_SHEETS,
            INSPECTIONS,
            PLAN_TARGETS,
            f"{EVIDENCE_BUCKET}.files",
            f"{EVIDENCE_BUCKET}.chunks",
        ),
    )
    await db[PRODUCERS].create_indexes([IndexModel([("tax_code", ASCENDING)], unique=True)])
    await db[PRODUCTS].create_indexes(
        [IndexModel([("producer_id", ASCENDING)]), IndexModel([("province", ASCENDING)])]
    )
    await db[ROUNDS].create_indexes(
        [
            IndexModel(
                [
                    ("province", ASCENDING),
                    ("district", ASCENDING),
                    ("commune", ASCENDING),
                    ("level", ASCENDING),
                    ("year", ASCENDING),
                    ("number", ASCENDING),
                ],
                unique=True,
            )
        ]
    )
    await db[DOSSIERS].create_indexes(
        [
            IndexModel([("round_id", ASCENDING), ("status", ASCENDING)]),
            IndexModel([("producer_id", ASCENDING)]),
            IndexModel([("product_id", ASCENDING), ("round_id", ASCENDING)], unique=True),
        ]
    )
    await db[SCORE_SHEETS].create_indexes(
        [
            IndexModel(
                [("dossier_id", ASCENDING), ("round_id", ASCENDING), ("member", ASCENDING)],
                unique=True,
            )
        ]
    )
    await db[INSPECTIONS].create_indexes([IndexModel([("product_id", ASCENDING)])])
    await db[PLAN_TARGETS].create_indexes(
        [
            IndexModel(
                [("province", ASCENDING), ("district", ASCENDING), ("year", ASCENDING)], unique=True
            )
        ]
    )
    await db[f"{EVIDENCE_BUCKET}.files"].create_indexes(
        [IndexModel([("filename", ASCENDING), ("uploadDate", ASCENDING)])]
    )
    await db[f"{EVIDENCE_BUCKET}.chunks"].create_indexes(
        [IndexModel([("files_id", ASCENDING), ("n", ASCENDING)], unique=True)]
    )
    await db[CERTIFICATES].create_indexes(
        [
            IndexModel([("product_id", ASCENDING), ("decision_date", ASCENDING)]),
            IndexModel([("number", ASCENDING)], unique=True),
            IndexModel([("status", ASCENDING), ("valid_until", ASCENDING)]),
        ]
    )


def _to_doc(model: BaseModel) -> dict[str, Any]:
    doc = model.model_dump(mode="json")
    doc["_id"] = doc.pop("id")
    return doc


def _from_doc(doc: dict[str, Any]) -> dict[str, Any]:
    data = dict(doc)
    data["id"] = data.pop("_id")
    return data


def _load(model: type[M], doc: dict[str, Any]) -> M:
    return model.model_validate(_from_doc(doc))


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

    async def producer_by_tax_code(self, tax_code: str) -> Producer | None:
        doc = await self._db[PRODUCERS].find_one({"tax_code": tax_code}, session=self._session)
        return None if doc is None else _load(Producer, doc)

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

    async def certificates(
        self,
        *,
        status: CertificateStatus | None = None,
        valid_until_before: date | None = None,
        province_product_ids: list[str] | None = None,
        limit: int = 5000,
    ) -> list[Certificate]:
        query: dict[str, Any] = {}
        if status is not None:
            query["status"] = str(status)
        if province_product_ids is not None:
            query["product_id"] = {"$in": province_product_ids}
        if valid_until_before is not None:
            query["valid_until"] = {"$lt": valid_until_before.isoformat()}
        cursor = self._db[CERTIFICATES].find(query, session=self._session)
        docs = await cursor.sort("valid_until", 1).limit(limit).to_list()
        return [_load(Certificate, d) for d in docs]

    async def replace_certificate_if(
        self,
        certificate: Certificate,
        *,
        expected_status: CertificateStatus,
        expected_reminders: tuple[int, ...] | None = None,
    ) -> bool:
        """Replace only if still in the state it was read in (the scheduler's idempotence)."""
        query: dict[str, Any] = {"_id": certificate.id, "status": str(expected_status)}
        if expected_reminders is not None:
            query["reminders_sent"] = list(expected_reminders)
        result = await self._db[CERTIFICATES].replace_one(
            query, _to_doc(certificate), session=self._session
        )
        return result.matched_count == 1

    async def products_by_id(self, product_ids: list[str]) -> dict[str, Product]:
        cursor = self._db[PRODUCTS].find({"_id": {"$in": product_ids}}, session=self._session)
        return {d["_id"]: _load(Product, d) for d in await cursor.to_list()}

    async def producers_by_id(self, producer_ids: list[str]) -> dict[str, Producer]:
        cursor = self._db[PRODUCERS].find({"_id": {"$in": producer_ids}}, session=self._session)
        return {d["_id"]: _load(Producer, d) for d in await cursor.to_list()}

    async def products_in(self, province: str, district: str | None) -> list[Product]:
        query: dict[str, Any] = {"province": province}
        if district:
            query["district"] = district
        docs = await self._db[PRODUCTS].find(query, session=self._session).to_list()
        return [_load(Product, d) for d in docs]

    async def certificates_of_products(self, product_ids: list[str]) -> list[Certificate]:
        cursor = self._db[CERTIFICATES].find(
            {"product_id": {"$in": product_ids}}, session=self._session
        )
        return [_load(Certificate, d) for d in await cursor.to_list()]

    # ---------------------------------------------------------------- rounds

    async def add_round(self, round_: Round) -> None:
        try:
            await self._db[ROUNDS].insert_one(_to_doc(round_), session=self._session)
        except DuplicateKeyError as exc:
            raise ConflictError(
                f"Đợt {round_.number}/{round_.year} cấp {LEVEL_NAMES_VI[round_.level]} đã có",
                field="body.number",
            ) from exc

    async def get_round(self, round_id: str, *, field: str = "round_id") -> Round:
        doc = await self._db[ROUNDS].find_one({"_id": round_id}, session=self._session)
        if doc is None:
            raise NotFoundError(f"Không có đợt đánh giá {round_id}", field=field)
        return _load(Round, doc)

    async def save_round(self, round_: Round) -> None:
        await self._db[ROUNDS].replace_one(
            {"_id": round_.id}, _to_doc(round_), session=self._session
        )

    async def list_rounds(self, *, year: int | None, limit: int = 200) -> list[Round]:
        query: dict[str, Any] = {} if year is None else {"year": year}
        cursor = self._db[ROUNDS].find(query, session=self._session)
        docs = await cursor.sort([("opens_on", -1)]).limit(limit).to_list()
        return [_load(Round, d) for d in docs]

    # ---------------------------------------------------------------- dossiers

    async def add_dossier(self, dossier: Dossier) -> None:
        try:
            await self._db[DOSSIERS].insert_one(_to_doc(dossier), session=self._session)
        except DuplicateKeyError as exc:
            raise ConflictError(
                "Sản phẩm này đã có hồ sơ trong đợt đánh giá", field="body.product_id"
            ) from exc

    async def get_dossier(self, dossier_id: str) -> Dossier:
        doc = await self._db[DOSSIERS].find_one({"_id": dossier_id}, session=self._session)
        if doc is None:
            raise NotFoundError(f"Không có hồ sơ {dossier_id}", field="dossier_id")
        return _load(Dossier, doc)

    async def save_dossier(self, dossier: Dossier, *, expected: Dossier) -> None:
        """Replace only if nobody changed the dossier (or added a score sheet) since read."""
        result = await self._db[DOSSIERS].replace_one(
            {
                "_id": dossier.id,
                "version": expected.version,
                "sheets_revision": expected.sheets_revision,
            },
            _to_doc(dossier),
            session=self._session,
        )
        if result.matched_count != 1:
            raise ConflictError("Hồ sơ vừa được thay đổi; hãy tải lại", field="dossier_id")

    async def bump_sheets_revision(self, dossier: Dossier) -> None:
        """Touch the dossier so closing the scoring conflicts with a late sheet."""
        result = await self._db[DOSSIERS].update_one(
            {"_id": dossier.id, "status": str(dossier.status), "version": dossier.version},
            {"$inc": {"sheets_revision": 1}},
            session=self._session,
        )
        if result.matched_count != 1:
            raise ConflictError("Hồ sơ vừa được thay đổi; hãy tải lại", field="dossier_id")

    async def open_dossier_of(self, product_id: str) -> Dossier | None:
        """The product's dossier that has not reached a final decision, if any."""
        doc = await self._db[DOSSIERS].find_one(
            {"product_id": product_id, "status": {"$nin": sorted(CLOSED)}},
            session=self._session,
        )
        return None if doc is None else _load(Dossier, doc)

    async def list_dossiers(
        self,
        *,
        round_id: str | None = None,
        producer_id: str | None = None,
        product_id: str | None = None,
        status: str | None = None,
        skip: int = 0,
        limit: int = 200,
    ) -> list[Dossier]:
        query: dict[str, Any] = {}
        if round_id is not None:
            query["round_id"] = round_id
        if producer_id is not None:
            query["producer_id"] = producer_id
        if product_id is not None:
            query["product_id"] = product_id
        if status is not None:
            query["status"] = status
        cursor = self._db[DOSSIERS].find(query, session=self._session)
        docs = await cursor.sort("_id", 1).skip(skip).limit(limit).to_list()
        return [_load(Dossier, d) for d in docs]

    # ---------------------------------------------------------------- score sheets

    async def put_score_sheet(self, sheet: ScoreSheet) -> None:
        await self._db[SCORE_SHEETS].replace_one(
            {"_id": sheet.id}, _to_doc(sheet), upsert=True, session=self._session
        )

    async def score_sheets(self, dossier_id: str, round_id: str) -> list[ScoreSheet]:
        cursor = self._db[SCORE_SHEETS].find(
            {"dossier_id": dossier_id, "round_id": round_id}, session=self._session
        )
        return [_load(ScoreSheet, d) for d in await cursor.sort("member", 1).to_list()]

    # ---------------------------------------------------------------- inspections, targets

    async def add_inspection(self, inspection: Inspection) -> None:
        await self._db[INSPECTIONS].insert_one(_to_doc(inspection), session=self._session)

    async def inspections_of(self, product_id: str | None, limit: int = 200) -> list[Inspection]:
        query: dict[str, Any] = {} if product_id is None else {"product_id": product_id}
        cursor = self._db[INSPECTIONS].find(query, session=self._session)
        docs = await cursor.sort("inspected_on", -1).limit(limit).to_list()
        return [_load(Inspection, d) for d in docs]

    async def put_plan_target(self, target: PlanTarget) -> PlanTarget:
        """Create or replace the target of an area and year (one per area and year)."""
        key = {"province": target.province, "district": target.district, "year": target.year}
        doc = await self._db[PLAN_TARGETS].find_one(key, session=self._session)
        if doc is not None:
            target = target.model_copy(update={"id": doc["_id"]})
        await self._db[PLAN_TARGETS].replace_one(
            {"_id": target.id}, _to_doc(target), upsert=True, session=self._session
        )
        return target

    async def get_plan_target(self, target_id: str) -> PlanTarget:
        doc = await self._db[PLAN_TARGETS].find_one({"_id": target_id}, session=self._session)
        if doc is None:
            raise NotFoundError(f"Không có kế hoạch {target_id}", field="target_id")
        return _load(PlanTarget, doc)

    async def list_plan_targets(self, year: int | None = None) -> list[PlanTarget]:
        query: dict[str, Any] = {} if year is None else {"year": year}
        cursor = self._db[PLAN_TARGETS].find(query, session=self._session)
        return [_load(PlanTarget, d) for d in await cursor.sort("year", -1).to_list()]
