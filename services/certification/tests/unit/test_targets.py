"""Plan progress counted from certificates (Chiêm Hóa 2024 style targets)."""

from __future__ import annotations

from datetime import date

from ocop_certification.domain.model import Certificate, CertificateStatus, Product, Revocation
from ocop_certification.domain.targets import PlanTarget, progress
from ocop_shared.contracts.certification import RecognitionLevel

TARGET = PlanTarget(
    id="kh-1",
    set_by="u",
    province="Tuyên Quang",
    district="Chiêm Hóa",
    year=2024,
    new_products=11,
    upgrades_3_to_4=1,
    upgrades_4_to_5=1,
    re_evaluations=6,
    cumulative_total=26,
    communes_target=17,
    communes_total=24,
)


def product(pid: str, commune: str) -> Product:
    return Product(
        id=pid,
        producer_id="p",
        name=pid,
        group_code="food",
        province="Tuyên Quang",
        district="Chiêm Hóa",
        commune=commune,
    )


def cert(cid: str, pid: str, stars: int, day: date, **kw: object) -> Certificate:
    return Certificate(
        id=cid,
        number=cid,
        product_id=pid,
        producer_id="p",
        stars=stars,
        level=RecognitionLevel.PROVINCE,
        issuing_authority="UBND",
        decision_number=cid,
        decision_date=day,
        valid_from=day,
        valid_until=date(day.year + 3, day.month, day.day),
        issued_by="u",
        **kw,  # type: ignore[arg-type]
    )


def test_progress_counts_new_upgrades_re_evaluations_and_standing_products() -> None:
    products = [
        product("a", "Nhân Lý"),
        product("b", "Trung Hà"),
        product("c", "Tân Mỹ"),
        product("d", "Kiên Đài"),
    ]
    certs = [
        # a: 3★ in 2021, re-evaluated at 3★ in 2024 (36 months)
        cert(
            "a1",
            "a",
            3,
            date(2021, 5, 1),
            status=CertificateStatus.SUPERSEDED,
            superseded_by_certificate_id="a2",
        ),
        cert("a2", "a", 3, date(2024, 4, 20), supersedes_certificate_id="a1"),
        # b: new in 2024, upgraded 3→4 the same year
        cert(
            "b1",
            "b",
            3,
            date(2024, 3, 1),
            status=CertificateStatus.SUPERSEDED,
            superseded_by_certificate_id="b2",
        ),
        cert("b2", "b", 4, date(2024, 11, 20), supersedes_certificate_id="b1"),
        # c: new in 2024, revoked in 2024: does not stand at year end
        cert(
            "c1",
            "c",
            3,
            date(2024, 2, 1),
            status=CertificateStatus.REVOKED,
            revocation=Revocation(
                decision_number="r",
                decision_date=date(2024, 9, 1),
                reason="hậu kiểm",
                issuing_authority="UBND",
                revoked_by="u",
            ),
        ),
        # d: 2025, after the plan year
        cert("d1", "d", 4, date(2025, 6, 1)),
    ]
    result = progress(TARGET, products, certs, today=date(2026, 1, 10))
    actual = {m.key: m.actual for m in result.measures}
    assert result.as_of == date(2024, 12, 31)
    assert actual == {
        "new_products": 2,  # b and c
        "upgrades_3_to_4": 1,
        "upgrades_4_to_5": 0,
        "re_evaluations": 1,
        "cumulative_total": 2,  # a and b stand on 31/12/2024
        "communes": 2,
    }
    percent = {m.key: m.percent for m in result.measures}
    assert percent["upgrades_3_to_4"] == 100 and percent["new_products"] == 18
