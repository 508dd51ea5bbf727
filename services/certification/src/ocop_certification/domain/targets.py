"""Plan targets (chỉ tiêu kế hoạch) of a province or district and year, and live progress."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from ocop_certification.domain.labels import TITLES
from ocop_certification.domain.model import Certificate, CertificateStatus, Product
from ocop_shared.text import Text


class SetPlanTarget(BaseModel):
    """E.g. Phú Thọ 2022 (788/KH-UBND) or Chiêm Hóa 2024 (121/KH-UBND)."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", str_strip_whitespace=True, field_title_generator=TITLES
    )

    province: Text = Field(min_length=2, max_length=100)
    district: Text | None = Field(None, max_length=100, description="Huyện (kế hoạch cấp huyện)")
    year: int = Field(ge=2018, le=2100)
    plan_reference: Text | None = Field(None, max_length=120, description="Số kế hoạch")
    new_products: int = Field(0, ge=0, le=100_000, description="Sản phẩm mới đạt ≥3★")
    upgrades_3_to_4: int = Field(0, ge=0, le=100_000)
    upgrades_4_to_5: int = Field(0, ge=0, le=100_000)
    re_evaluations: int = Field(0, ge=0, le=100_000, description="Đánh giá, công nhận lại")
    cumulative_total: int = Field(0, ge=0, le=1_000_000, description="Tổng số sản phẩm lũy kế")
    communes_target: int = Field(0, ge=0, le=10_000, description="Số xã có sản phẩm OCOP")
    communes_total: int = Field(0, ge=0, le=10_000, description="Tổng số xã trên địa bàn")


class PlanTarget(SetPlanTarget):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    set_by: str


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    target: int
    actual: int

    @property
    def percent(self) -> int:
        if self.target <= 0:
            return 100 if self.actual > 0 else 0
        return round(100 * self.actual / self.target)


@dataclass(frozen=True)
class Progress:
    target: PlanTarget
    as_of: date
    measures: tuple[Measure, ...]


def _valid_on(cert: Certificate, day: date, by_id: dict[str, Certificate]) -> bool:
    """Whether the certificate stood on `day`, judged from its dates, not today's status."""
    if not cert.decision_date <= day <= cert.valid_until:
        return False
    if cert.revocation is not None and cert.revocation.decision_date <= day:
        return False
    if cert.status is CertificateStatus.SUPERSEDED and cert.superseded_by_certificate_id:
        successor = by_id.get(cert.superseded_by_certificate_id)
        if successor is not None and successor.decision_date <= day:
            return False
    return True


def progress(
    target: PlanTarget, products: list[Product], certificates: list[Certificate], today: date
) -> Progress:
    """Counts from the certificates of the area's products for the target's year."""
    year_end = date(target.year, 12, 31)
    as_of = min(today, year_end)
    by_id = {c.id: c for c in certificates}
    in_year = [c for c in certificates if c.decision_date.year == target.year]
    first_of_product: dict[str, date] = {}
    for cert in certificates:
        known = first_of_product.get(cert.product_id)
        if known is None or cert.decision_date < known:
            first_of_product[cert.product_id] = cert.decision_date
    new = sum(1 for d in first_of_product.values() if d.year == target.year)

    def upgrades(before: int, after: int) -> int:
        count = 0
        for cert in in_year:
            old = by_id.get(cert.supersedes_certificate_id or "")
            if cert.stars == after and old is not None and old.stars == before:
                count += 1
        return count

    re_evaluated = sum(
        1
        for cert in in_year
        if first_of_product.get(cert.product_id, cert.decision_date) < cert.decision_date
        and not (
            (old := by_id.get(cert.supersedes_certificate_id or "")) and old.stars < cert.stars
        )
    )
    standing = [c for c in certificates if _valid_on(c, as_of, by_id)]
    product_ids = {c.product_id for c in standing}
    communes = {p.commune for p in products if p.id in product_ids}
    return Progress(
        target=target,
        as_of=as_of,
        measures=(
            Measure("new_products", "Sản phẩm mới đạt 3 sao trở lên", target.new_products, new),
            Measure("upgrades_3_to_4", "Nâng hạng 3★ → 4★", target.upgrades_3_to_4, upgrades(3, 4)),
            Measure("upgrades_4_to_5", "Nâng hạng 4★ → 5★", target.upgrades_4_to_5, upgrades(4, 5)),
            Measure(
                "re_evaluations", "Đánh giá, công nhận lại", target.re_evaluations, re_evaluated
            ),
            Measure(
                "cumulative_total",
                "Tổng sản phẩm OCOP còn hiệu lực (lũy kế)",
                target.cumulative_total,
                len(product_ids),
            ),
            Measure("communes", "Số xã có sản phẩm OCOP", target.communes_target, len(communes)),
        ),
    )
