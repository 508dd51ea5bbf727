"""Demo data (DOMAIN.md §11) and its idempotent seeding through the HTTP API.

The product names are real OCOP products of Phú Thọ and Chiêm Hóa (Tuyên Quang); the tax
codes, GTINs, GLNs, decision numbers, dates and the revocation are illustrative
(dữ liệu minh hoạ), not taken from real records.

``seed_demo`` posts through ``/api/v1`` like any client, so the events flow through the
outbox, the relay and Kafka to the catalogue exactly as in real use. Running it again
creates nothing twice: producers are matched by tax code, products by name within their
producer, certificates by decision number.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
import structlog

from ocop_certification.domain.commands import (
    IssueCertificate,
    RegisterProducer,
    RegisterProduct,
    RevokeCertificate,
)
from ocop_certification.entrypoints.demo_evaluations import (
    EVAL_PRODUCERS,
    EvaluationReport,
    EvaluationSeeder,
    evaluation_step_count,
)
from ocop_shared.contracts.certification import LegalForm, RecognitionLevel

log = structlog.get_logger(__name__)

PHU_THO = "Phú Thọ"
TUYEN_QUANG = "Tuyên Quang"
UBND_PHU_THO = "UBND tỉnh Phú Thọ"
UBND_TUYEN_QUANG = "UBND tỉnh Tuyên Quang"
MINISTRY = "Bộ Nông nghiệp và Môi trường"

_PAGE = 200


@dataclass(frozen=True)
class DemoRevocation:
    """Thu hồi giấy chứng nhận sau hậu kiểm."""

    decision_number: str
    decision_date: date
    reason: str
    issuing_authority: str

    def command(self) -> RevokeCertificate:
        return RevokeCertificate(
            decision_number=self.decision_number,
            decision_date=self.decision_date,
            reason=self.reason,
            issuing_authority=self.issuing_authority,
        )


@dataclass(frozen=True)
class DemoCertificate:
    """A recognition decision; later ones for the same product supersede earlier ones."""

    stars: int
    level: RecognitionLevel
    issuing_authority: str
    decision_number: str
    decision_date: date
    revocation: DemoRevocation | None = None

    def command(self, product_id: str) -> IssueCertificate:
        return IssueCertificate(
            product_id=product_id,
            stars=self.stars,
            level=self.level,
            issuing_authority=self.issuing_authority,
            decision_number=self.decision_number,
            decision_date=self.decision_date,
        )


@dataclass(frozen=True)
class DemoProduct:
    name: str
    group_code: str
    """Sector code of 1048/QĐ-TTg: food, drink, herbs, cloth, keepsake, travel."""
    commune: str
    certificates: tuple[DemoCertificate, ...]
    gtin: str | None = None
    province: str | None = None
    """Defaults to the producer's province."""

    def command(self, producer: DemoProducer, producer_id: str) -> RegisterProduct:
        return RegisterProduct(
            producer_id=producer_id,
            name=self.name,
            group_code=self.group_code,
            province=self.province or producer.province,
            district=producer.district,
            commune=self.commune,
            gtin=self.gtin,
        )


@dataclass(frozen=True)
class DemoProducer:
    name: str
    legal_form: LegalForm
    tax_code: str
    province: str
    commune: str
    district: str | None
    products: tuple[DemoProduct, ...]
    gln: str | None = None

    def command(self) -> RegisterProducer:
        return RegisterProducer(
            name=self.name,
            legal_form=self.legal_form,
            tax_code=self.tax_code,
            province=self.province,
            commune=self.commune,
            district=self.district,
            gln=self.gln,
        )


def _cert(
    stars: int,
    level: RecognitionLevel,
    authority: str,
    number: str,
    day: date,
    revocation: DemoRevocation | None = None,
) -> DemoCertificate:
    return DemoCertificate(stars, level, authority, number, day, revocation)


_D, _P, _C = RecognitionLevel.DISTRICT, RecognitionLevel.PROVINCE, RecognitionLevel.CENTRAL

# Under 148/QĐ-TTg (until 06/07/2025) the district UBND recognises 3★ and the province 4★;
# under 1489/QĐ-TTg (after the district level was abolished) the province recognises 3★ and
# 4★; 5★ is recognised by the ministry.
PRODUCERS: tuple[DemoProducer, ...] = (
    DemoProducer(
        name="HTX Bưởi Sửu Chí Đám",
        legal_form=LegalForm.COOPERATIVE,
        tax_code="2600936021",
        province=PHU_THO,
        commune="Chí Đám",
        district="Đoan Hùng",
        gln="8936045000106",
        products=(
            DemoProduct(
                "Bưởi Sửu Chí Đám",
                "food",
                "Chí Đám",
                (_cert(4, _P, UBND_PHU_THO, "2418/QĐ-UBND", date(2024, 11, 20)),),
            ),
            DemoProduct(
                "Bưởi Đoan Hùng",
                "food",
                "Chí Đám",
                (_cert(3, _D, "UBND huyện Đoan Hùng", "1567/QĐ-UBND", date(2024, 9, 12)),),
            ),
            DemoProduct(
                "Rượu bưởi Đoan Hùng",
                "drink",
                "Chí Đám",
                (_cert(3, _P, UBND_PHU_THO, "2871/QĐ-UBND", date(2025, 10, 15)),),
                gtin="8936045120026",
            ),
        ),
    ),
    DemoProducer(
        name="Công ty CP TruongFoods",
        legal_form=LegalForm.ENTERPRISE,
        tax_code="2600877345",
        province=PHU_THO,
        commune="Thanh Sơn",
        district="Thanh Sơn",
        gln="8936050000108",
        products=(
            DemoProduct(
                "Thịt chua TruongFoods đóng hộp",
                "food",
                "Thanh Sơn",
                (_cert(4, _P, UBND_PHU_THO, "1234/QĐ-UBND", date(2024, 6, 28)),),
                gtin="8936050040012",
            ),
        ),
    ),
    DemoProducer(
        name="THT Thịt chua Thanh Sơn",
        legal_form=LegalForm.COOPERATIVE_GROUP,
        tax_code="2601045562",
        province=PHU_THO,
        commune="Thục Luyện",
        district="Thanh Sơn",
        products=(
            DemoProduct(
                "Thịt chua Thanh Sơn",
                "food",
                "Thục Luyện",
                (_cert(3, _D, "UBND huyện Thanh Sơn", "3012/QĐ-UBND", date(2024, 3, 8)),),
            ),
        ),
    ),
    DemoProducer(
        name="HTX Mì gạo Hùng Lô",
        legal_form=LegalForm.COOPERATIVE,
        tax_code="2600912784",
        province=PHU_THO,
        commune="Hùng Lô",
        district="Việt Trì",
        products=(
            DemoProduct(
                "Mì gạo Hùng Lô loại đặc biệt",
                "food",
                "Hùng Lô",
                (_cert(4, _P, UBND_PHU_THO, "1234/QĐ-UBND", date(2024, 6, 28)),),
                gtin="8936045120019",
            ),
            DemoProduct(
                "Du lịch cộng đồng làng cổ Hùng Lô",
                "travel",
                "Hùng Lô",
                (_cert(3, _P, UBND_PHU_THO, "2871/QĐ-UBND", date(2025, 10, 15)),),
            ),
        ),
    ),
    DemoProducer(
        name="HTX Chè Long Cốc",
        legal_form=LegalForm.COOPERATIVE,
        tax_code="2600958813",
        province=PHU_THO,
        commune="Long Cốc",
        district="Tân Sơn",
        products=(
            DemoProduct(
                "Chè búp tím",
                "drink",
                "Long Cốc",
                (_cert(3, _D, "UBND huyện Tân Sơn", "987/QĐ-UBND", date(2024, 10, 2)),),
            ),
            DemoProduct(
                "Chè xanh túi lọc Long Cốc",
                "drink",
                "Long Cốc",
                (_cert(3, _P, UBND_PHU_THO, "2871/QĐ-UBND", date(2025, 10, 15)),),
                gtin="8936045200018",
            ),
        ),
    ),
    DemoProducer(
        name="Hộ kinh doanh Nón lá Sai Nga",
        legal_form=LegalForm.HOUSEHOLD_BUSINESS,
        tax_code="2601102937",
        province=PHU_THO,
        commune="Sai Nga",
        district="Cẩm Khê",
        products=(
            DemoProduct(
                "Nón lá Sai Nga",
                "keepsake",
                "Sai Nga",
                (_cert(3, _D, "UBND huyện Cẩm Khê", "2105/QĐ-UBND", date(2024, 12, 5)),),
            ),
        ),
    ),
    DemoProducer(
        name="HTX Chè Nhân Sơn",
        legal_form=LegalForm.COOPERATIVE,
        tax_code="5000781236",
        province=TUYEN_QUANG,
        commune="Nhân Lý",
        district="Chiêm Hóa",
        products=(
            DemoProduct(
                "Chè Nhân Sơn",
                "drink",
                "Nhân Lý",
                (_cert(3, _D, "UBND huyện Chiêm Hóa", "3344/QĐ-UBND", date(2024, 10, 30)),),
            ),
            DemoProduct(
                # Nâng hạng 3★ → 4★ (Chiêm Hóa plan 2024): the 4★ certificate supersedes.
                "Chè Thôm Loà",
                "drink",
                "Nhân Lý",
                (
                    _cert(3, _D, "UBND huyện Chiêm Hóa", "1120/QĐ-UBND", date(2024, 4, 16)),
                    _cert(4, _P, UBND_TUYEN_QUANG, "1876/QĐ-UBND", date(2025, 11, 10)),
                ),
            ),
            DemoProduct(
                # Nâng hạng 4★ → 5★ (illustrative: the plan's target shown as reached).
                "Trà túi lọc đậu đen xanh lòng",
                "drink",
                "Nhân Lý",
                (
                    _cert(4, _P, UBND_TUYEN_QUANG, "745/QĐ-UBND", date(2024, 5, 22)),
                    _cert(5, _C, MINISTRY, "4102/QĐ-BNNMT", date(2025, 11, 3)),
                ),
                gtin="8936045310014",
            ),
        ),
    ),
    DemoProducer(
        name="HTX Thịt trâu khô Tiến Quang",
        legal_form=LegalForm.COOPERATIVE,
        tax_code="5000804417",
        province=TUYEN_QUANG,
        commune="Vinh Quang",
        district="Chiêm Hóa",
        products=(
            DemoProduct(
                "Thịt trâu khô Tiến Quang",
                "food",
                "Vinh Quang",
                (_cert(4, _P, UBND_TUYEN_QUANG, "2230/QĐ-UBND", date(2024, 12, 18)),),
                gtin="8936045310021",
            ),
        ),
    ),
    DemoProducer(
        name="HTX Nông nghiệp Trung Hà",
        legal_form=LegalForm.COOPERATIVE,
        tax_code="5000826690",
        province=TUYEN_QUANG,
        commune="Trung Hà",
        district="Chiêm Hóa",
        products=(
            DemoProduct(
                "Cam sành Trung Hà",
                "food",
                "Trung Hà",
                (_cert(3, _D, "UBND huyện Chiêm Hóa", "3344/QĐ-UBND", date(2024, 10, 30)),),
            ),
            DemoProduct(
                "Mắm cá ruộng Trung Hà",
                "food",
                "Trung Hà",
                (
                    _cert(
                        3,
                        _D,
                        "UBND huyện Chiêm Hóa",
                        "3344/QĐ-UBND",
                        date(2024, 10, 30),
                        revocation=DemoRevocation(
                            decision_number="1502/QĐ-UBND",
                            decision_date=date(2025, 9, 15),
                            reason=(
                                "Hậu kiểm: bao bì, nhãn không còn đúng như hồ sơ được công nhận"
                                " (dữ liệu minh hoạ)"
                            ),
                            issuing_authority=UBND_TUYEN_QUANG,
                        ),
                    ),
                ),
            ),
            DemoProduct(
                "Bánh giày ngũ sắc Xuân Quang",
                "food",
                "Xuân Quang",
                (_cert(3, _P, UBND_TUYEN_QUANG, "1876/QĐ-UBND", date(2025, 11, 10)),),
                gtin="8936050120011",
            ),
        ),
    ),
)


def demo_products() -> list[tuple[DemoProducer, DemoProduct]]:
    return [(producer, product) for producer in PRODUCERS for product in producer.products]


def demo_product_count() -> int:
    """How many products the demo registers (with certificates, and under evaluation)."""
    return len(demo_products()) + sum(len(p.products) for p in EVAL_PRODUCERS)


def certificate_step_count() -> int:
    """Steps of the certificate part: one per producer, product and certificate."""
    return sum(
        1 + sum(1 + len(product.certificates) for product in producer.products)
        for producer in PRODUCERS
    )


def demo_step_count() -> int:
    """Steps ``seed_demo`` reports: certificates, then evaluations, then one expiry sweep."""
    return certificate_step_count() + evaluation_step_count() + 1


@dataclass
class SeedReport:
    producers_created: int = 0
    producers_existing: int = 0
    products_created: int = 0
    products_existing: int = 0
    certificates_issued: int = 0
    certificates_existing: int = 0
    certificates_revoked: int = 0
    product_ids: dict[str, str] = field(default_factory=dict)
    """Demo product name → product id in the certification service."""
    evaluation: EvaluationReport = field(default_factory=EvaluationReport)
    certificates_expired: int = 0

    def summary(self) -> str:
        """One Vietnamese line for the console."""
        e = self.evaluation
        return (
            f"+{self.producers_created} chủ thể, "
            f"+{self.products_created} sản phẩm (đã có {self.products_existing}), "
            f"+{self.certificates_issued + e.certificates_issued} giấy chứng nhận, "
            f"{self.certificates_revoked} thu hồi, {self.certificates_expired} hết hạn; "
            f"+{e.rounds_created} đợt đánh giá, +{e.dossiers_created} hồ sơ, "
            f"+{e.sheets_entered} phiếu chấm, {e.plan_targets} chỉ tiêu kế hoạch."
        )


class SeedError(RuntimeError):
    """The API refused a demo request; carries the status and problem details."""


Progress = Callable[[str], None]


def _json(response: httpx.Response) -> Any:
    if response.is_error:
        raise SeedError(
            f"{response.request.method} {response.request.url.path} → "
            f"{response.status_code}: {response.text[:500]}"
        )
    return response.json()


async def _list_all(
    client: httpx.AsyncClient, path: str, params: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    skip = 0
    while True:
        page = _json(
            await client.get(path, params={**(params or {}), "skip": skip, "limit": _PAGE})
        )
        items.extend(page)
        if len(page) < _PAGE:
            return items
        skip += _PAGE


async def _post(client: httpx.AsyncClient, path: str, command: Any) -> dict[str, Any]:
    body = command.model_dump(mode="json", exclude_none=True)
    result: dict[str, Any] = _json(await client.post(path, json=body))
    return result


async def _seed_certificates(
    client: httpx.AsyncClient,
    product_id: str,
    product: DemoProduct,
    report: SeedReport,
    progress: Progress,
) -> None:
    existing = {
        c["decision_number"]: c
        for c in _json(await client.get(f"/api/v1/products/{product_id}/certificates"))
    }
    for demo in product.certificates:
        certificate = existing.get(demo.decision_number)
        if certificate is None:
            certificate = await _post(client, "/api/v1/certificates", demo.command(product_id))
            report.certificates_issued += 1
            log.info(
                "demo_certificate_issued",
                product=product.name,
                stars=demo.stars,
                decision=demo.decision_number,
            )
        else:
            report.certificates_existing += 1
        if demo.revocation is not None and certificate["status"] == "active":
            await _post(
                client,
                f"/api/v1/certificates/{certificate['id']}/revoke",
                demo.revocation.command(),
            )
            report.certificates_revoked += 1
            log.info("demo_certificate_revoked", product=product.name)
        progress(f"{product.name}: {demo.stars}★ {demo.decision_number}")


async def seed_demo(
    base_url: str,
    token: str,
    *,
    progress: Progress | None = None,
    timeout_s: float = 15.0,
) -> SeedReport:
    """Create the demo producers, products and certificates that do not exist yet.

    ``token`` must carry a role allowed to register and certify (admin or province
    officer). ``progress`` is called once per producer, product and certificate
    (``demo_step_count()`` calls in all).
    """
    step: Progress = progress or (lambda _: None)
    report = SeedReport()
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=timeout_s) as client:
        producer_ids = {
            p["tax_code"]: p["id"] for p in await _list_all(client, "/api/v1/producers")
        }
        for producer in PRODUCERS:
            producer_id = producer_ids.get(producer.tax_code)
            if producer_id is None:
                created = await _post(client, "/api/v1/producers", producer.command())
                producer_id = str(created["id"])
                report.producers_created += 1
                log.info("demo_producer_registered", producer=producer.name, id=producer_id)
            else:
                report.producers_existing += 1
            step(producer.name)

            product_ids = {
                p["name"]: p["id"]
                for p in await _list_all(client, "/api/v1/products", {"producer_id": producer_id})
            }
            for product in producer.products:
                product_id = product_ids.get(product.name)
                if product_id is None:
                    created = await _post(
                        client, "/api/v1/products", product.command(producer, producer_id)
                    )
                    product_id = str(created["id"])
                    report.products_created += 1
                    log.info("demo_product_registered", product=product.name, id=product_id)
                else:
                    report.products_existing += 1
                report.product_ids[product.name] = product_id
                step(product.name)
                await _seed_certificates(client, product_id, product, report, step)
        await _seed_evaluations(client, report, step)
        swept = _json(await client.post("/api/v1/scheduler/run"))
        report.certificates_expired = int(swept["expired"])
        step("Kiểm tra giấy chứng nhận hết hạn")
    log.info(
        "demo_seeded",
        producers_created=report.producers_created,
        products_created=report.products_created,
        certificates_issued=report.certificates_issued,
        certificates_revoked=report.certificates_revoked,
    )
    return report


async def _seed_evaluations(client: httpx.AsyncClient, report: SeedReport, step: Progress) -> None:
    """Producers and products under evaluation, rounds, dossiers, sheets, plan targets."""

    async def call(method: str, path: str, **kwargs: Any) -> Any:
        return _json(await client.request(method, path, **kwargs))

    producer_ids = {p["tax_code"]: p["id"] for p in await _list_all(client, "/api/v1/producers")}
    for producer in EVAL_PRODUCERS:
        producer_id = producer_ids.get(producer.tax_code)
        if producer_id is None:
            producer_id = str((await call("POST", "/api/v1/producers", json=producer.body()))["id"])
            report.producers_created += 1
        else:
            report.producers_existing += 1
        step(producer.name)
        existing = {
            p["name"]: p["id"]
            for p in await _list_all(client, "/api/v1/products", {"producer_id": producer_id})
        }
        for name, subgroup in producer.products:
            product_id = existing.get(name)
            if product_id is None:
                created = await call(
                    "POST",
                    "/api/v1/products",
                    json={
                        "producer_id": producer_id,
                        "name": name,
                        "subgroup_code": subgroup,
                        "province": producer.province,
                        "district": producer.district,
                        "commune": producer.commune,
                    },
                )
                product_id = str(created["id"])
                report.products_created += 1
            else:
                report.products_existing += 1
            report.product_ids[name] = product_id
            step(name)
    seeder = EvaluationSeeder(client, call)
    await seeder.rounds(step)
    await seeder.evaluations(report.product_ids, step)
    await seeder.plan_targets(step)
    report.evaluation = seeder.report
