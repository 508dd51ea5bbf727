"""REST routes for the certificate register, expiry sweep, inspections and plan targets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, status
from fastapi.responses import Response
from pydantic import BaseModel

from ocop_certification.adapters.repository import CertificationRepository
from ocop_certification.domain.inspections import Inspection, RecordInspection
from ocop_certification.domain.model import (
    CERTIFICATE_STATUS_VI,
    Certificate,
    CertificateStatus,
    Producer,
    Product,
)
from ocop_certification.domain.targets import PlanTarget, SetPlanTarget
from ocop_certification.entrypoints.api.deps import Ctx, Officer, Settings, Staff
from ocop_certification.service_layer import lifecycle
from ocop_shared.web.exports import xlsx_response

router = APIRouter(prefix="/api/v1")

Id = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
Province = Annotated[str | None, Query(min_length=2, max_length=100)]

STATUS_VI = CERTIFICATE_STATUS_VI
LEVEL_VI = {"district": "Huyện", "province": "Tỉnh", "central": "Trung ương"}


@dataclass(frozen=True)
class RegisterRow:
    certificate: Certificate
    product: Product | None
    producer: Producer | None


async def certificate_register(
    ctx: Ctx, *, status_: CertificateStatus | None, province: str | None
) -> list[RegisterRow]:
    """Certificates with their product and producer, newest decision first."""
    repository = CertificationRepository(ctx.runtime.db)
    product_ids = None
    if province is not None:
        product_ids = [p.id for p in await repository.products_in(province, None)]
    today = ctx.clock.today()
    # Status as of today: an active certificate past its last valid day is listed as expired
    # before the hourly sweep has stored it so.
    stored = None if status_ in (CertificateStatus.ACTIVE, CertificateStatus.EXPIRED) else status_
    certs = [
        c.as_of(today)
        for c in await repository.certificates(status=stored, province_product_ids=product_ids)
    ]
    if status_ is not None:
        certs = [c for c in certs if c.status is status_]
    certs.sort(key=lambda c: (c.decision_date, c.number), reverse=True)
    products = await repository.products_by_id(sorted({c.product_id for c in certs}))
    producers = await repository.producers_by_id(sorted({c.producer_id for c in certs}))
    return [RegisterRow(c, products.get(c.product_id), producers.get(c.producer_id)) for c in certs]


@router.get("/certificates", tags=["certificates"])
async def list_certificates(
    ctx: Ctx,
    _: Staff,
    status_: Annotated[CertificateStatus | None, Query(alias="status")] = None,
    province: Province = None,
) -> list[Certificate]:
    """Sổ giấy chứng nhận (lọc theo trạng thái, tỉnh)."""
    rows = await certificate_register(ctx, status_=status_, province=province)
    return [r.certificate for r in rows]


@router.get("/certificates.xlsx", tags=["certificates"])
async def export_certificates(
    ctx: Ctx,
    _: Staff,
    status_: Annotated[CertificateStatus | None, Query(alias="status")] = None,
    province: Province = None,
) -> Response:
    """Xuất sổ giấy chứng nhận ra Excel."""
    rows = await certificate_register(ctx, status_=status_, province=province)
    return xlsx_response(
        f"so-giay-chung-nhan-ocop-{ctx.clock.today():%Y%m%d}.xlsx",
        "Giấy chứng nhận OCOP",
        [
            "Số GCN",
            "Sản phẩm",
            "Chủ thể",
            "Tỉnh",
            "Xã",
            "Hạng sao",
            "Cấp công nhận",
            "Cơ quan ban hành",
            "Số quyết định",
            "Ngày quyết định",
            "Hiệu lực đến",
            "Trạng thái",
            "Ghi chú",
        ],
        [
            [
                r.certificate.number,
                r.product.name if r.product else r.certificate.product_id,
                r.producer.name if r.producer else r.certificate.producer_id,
                r.product.province if r.product else None,
                r.product.commune if r.product else None,
                r.certificate.stars,
                LEVEL_VI.get(r.certificate.level, r.certificate.level),
                r.certificate.issuing_authority,
                r.certificate.decision_number,
                r.certificate.decision_date,
                r.certificate.valid_until,
                STATUS_VI[r.certificate.status],
                (
                    f"Thu hồi theo QĐ {r.certificate.revocation.decision_number}: "
                    f"{r.certificate.revocation.reason}"
                    if r.certificate.revocation
                    else None
                ),
            ]
            for r in rows
        ],
    )


class SweepResult(BaseModel):
    expired: int
    reminded: int
    summary: str


@router.post("/scheduler/run", tags=["certificates"])
async def run_sweep(ctx: Ctx, settings: Settings, _: Officer) -> SweepResult:
    """Chạy ngay việc kiểm tra hết hạn và nhắc hạn (bình thường do tiến trình lịch chạy)."""
    report = await lifecycle.sweep(ctx.runtime, ctx.clock, settings.reminder_lead_months)
    return SweepResult(expired=report.expired, reminded=report.reminded, summary=report.summary())


# ---------------------------------------------------------------- inspections


@router.post("/inspections", status_code=status.HTTP_201_CREATED, tags=["inspections"])
async def record_inspection(body: RecordInspection, ctx: Ctx, who: Officer) -> Inspection:
    """Ghi kết quả hậu kiểm; vi phạm kèm quyết định thu hồi giấy chứng nhận."""
    return await lifecycle.record_inspection(ctx.runtime, body, who, ctx.clock)


@router.get("/inspections", tags=["inspections"])
async def list_inspections(
    ctx: Ctx,
    _: Staff,
    product_id: Annotated[str | None, Query(max_length=64, pattern=r"^[A-Za-z0-9_-]+$")] = None,
) -> list[Inspection]:
    return await CertificationRepository(ctx.runtime.db).inspections_of(product_id)


# ---------------------------------------------------------------- plan targets


class MeasureView(BaseModel):
    key: str
    label: str
    target: int
    actual: int
    percent: int


class ProgressView(BaseModel):
    target: PlanTarget
    as_of: date
    measures: list[MeasureView]


@router.put("/plan-targets", tags=["plan targets"])
async def set_plan_target(body: SetPlanTarget, ctx: Ctx, who: Officer) -> PlanTarget:
    """Đặt chỉ tiêu kế hoạch năm của tỉnh (hoặc huyện); đặt lại thì thay chỉ tiêu cũ."""
    return await lifecycle.set_plan_target(ctx.runtime, body, who)


@router.get("/plan-targets", tags=["plan targets"])
async def list_plan_targets(
    ctx: Ctx, _: Staff, year: Annotated[int | None, Query(ge=2018, le=2100)] = None
) -> list[PlanTarget]:
    return await CertificationRepository(ctx.runtime.db).list_plan_targets(year)


@router.get("/plan-targets/{target_id}/progress", tags=["plan targets"])
async def plan_progress(target_id: Id, ctx: Ctx, _: Staff) -> ProgressView:
    """Tiến độ thực hiện so với chỉ tiêu, tính trực tiếp từ các giấy chứng nhận."""
    result = await lifecycle.plan_progress(ctx.runtime, target_id, ctx.clock)
    return ProgressView(
        target=result.target,
        as_of=result.as_of,
        measures=[
            MeasureView(
                key=m.key, label=m.label, target=m.target, actual=m.actual, percent=m.percent
            )
            for m in result.measures
        ],
    )
