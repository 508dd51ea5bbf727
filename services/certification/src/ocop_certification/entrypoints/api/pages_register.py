"""The certificate register with its expiry calendar and XLSX export; plan progress charts."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from html import escape
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from ocop_certification.adapters.repository import CertificationRepository
from ocop_certification.domain.model import CertificateStatus, add_months
from ocop_certification.domain.targets import Progress
from ocop_certification.entrypoints.api.deps import Ctx
from ocop_certification.entrypoints.api.page_auth import (
    STAFF_ROLES,
    page,
    principal,
    sign_in_redirect,
)
from ocop_certification.entrypoints.api.routes_oversight import (
    LEVEL_VI,
    STATUS_VI,
    certificate_register,
    export_certificates,
)
from ocop_certification.service_layer import lifecycle
from ocop_shared.auth import Role

router = APIRouter(include_in_schema=False)


# ---------------------------------------------------------------- certificates


def expiry_calendar(rows: list[Any], today: date, months: int = 12) -> list[dict[str, Any]]:
    """Active certificates grouped by the month they expire in, for the next `months`."""
    calendar = []
    for offset in range(months):
        first = add_months(today.replace(day=1), offset)
        due = [
            r
            for r in rows
            if r.certificate.status is CertificateStatus.ACTIVE
            and (r.certificate.valid_until.year, r.certificate.valid_until.month)
            == (first.year, first.month)
        ]
        calendar.append({"month": first, "rows": due})
    return calendar


@router.get("/giay-chung-nhan", response_class=HTMLResponse)
async def certificate_register_page(
    request: Request,
    ctx: Ctx,
    status: Annotated[str | None, Query(max_length=32)] = None,
    province: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    who = principal(request)
    if who is None:
        return sign_in_redirect(request)
    if not who.has_any(*STAFF_ROLES):
        raise HTTPException(403, "Trang dành cho cán bộ OCOP và hội đồng")
    chosen = CertificateStatus(status) if status in {s.value for s in CertificateStatus} else None
    rows = await certificate_register(ctx, status_=chosen, province=province or None)
    everything = (
        rows
        if chosen is None
        else await certificate_register(ctx, status_=None, province=province or None)
    )
    today = ctx.clock.today()
    counts: dict[str, int] = defaultdict(int)
    for r in everything:
        counts[r.certificate.status] += 1
    return page(
        request,
        "certificates.html",
        who,
        rows=rows,
        calendar=expiry_calendar(everything, today),
        today=today,
        counts=counts,
        status_vi=STATUS_VI,
        level_vi=LEVEL_VI,
        chosen=status or "",
        province=province or "",
        soon=add_months(today, 6),
    )


@router.get("/giay-chung-nhan.xlsx")
async def certificate_register_xlsx(
    request: Request,
    ctx: Ctx,
    status: Annotated[str | None, Query(max_length=32)] = None,
    province: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    who = principal(request)
    if who is None or not who.has_any(Role.PROVINCE_OFFICER, Role.COMMUNE_OFFICER):
        return sign_in_redirect(request)
    chosen = CertificateStatus(status) if status in {s.value for s in CertificateStatus} else None
    return await export_certificates(ctx, who, status_=chosen, province=province or None)


# ---------------------------------------------------------------- plan targets


def progress_chart(progress: Progress) -> Markup:
    """Horizontal bars, target (outline) against actual (filled), as inline SVG."""
    row_h, label_w, bar_w = 34, 300, 360
    height = row_h * len(progress.measures) + 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {label_w + bar_w + 90} {height}" '
        f'role="img" aria-label="Tiến độ so với chỉ tiêu" style="max-width:100%;height:auto">'
    ]
    scale = max([max(m.target, m.actual) for m in progress.measures] + [1])
    for i, m in enumerate(progress.measures):
        y = 10 + i * row_h
        target_w = bar_w * m.target / scale
        actual_w = bar_w * m.actual / scale
        colour = "#1b6b3a" if m.actual >= m.target else "#d49b00"
        label = escape(m.label)
        parts.append(
            f'<text x="0" y="{y + 17}" font-size="13" fill="#202124">{label}</text>'
            f'<rect x="{label_w}" y="{y + 4}" width="{actual_w:.1f}" height="18" '
            f'fill="{colour}" rx="3"/>'
            f'<rect x="{label_w}" y="{y + 2}" width="{target_w:.1f}" height="22" fill="none" '
            f'stroke="#5f6368" stroke-dasharray="4 3" rx="3"/>'
            f'<text x="{label_w + bar_w + 8}" y="{y + 18}" font-size="13" fill="#202124">'
            f"{m.actual}/{m.target}</text>"
        )
    parts.append(
        f'<text x="{label_w}" y="{height - 4}" font-size="11" fill="#5f6368">'
        "Khung nét đứt: chỉ tiêu · thanh: thực hiện</text></svg>"
    )
    return Markup("".join(parts))  # noqa: S704 (the only text from data is escaped above)


@router.get("/ke-hoach", response_class=HTMLResponse)
async def plan_page(
    request: Request, ctx: Ctx, year: Annotated[int | None, Query(ge=2018, le=2100)] = None
) -> Response:
    who = principal(request)
    if who is None:
        return sign_in_redirect(request)
    if not who.has_any(*STAFF_ROLES):
        raise HTTPException(403, "Trang dành cho cán bộ OCOP và hội đồng")
    repository = CertificationRepository(ctx.runtime.db)
    plans = []
    for target in await repository.list_plan_targets(year):
        result = await lifecycle.plan_progress(ctx.runtime, target.id, ctx.clock)
        plans.append({"progress": result, "chart": progress_chart(result)})
    return page(request, "plans.html", who, plans=plans, year=year)
