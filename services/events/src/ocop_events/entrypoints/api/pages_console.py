"""Staff console: the matching pipeline and the results dashboard, with XLSX exports."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from pydantic import ValidationError

from ocop_events.adapters.matching_repository import MatchingRepository
from ocop_events.adapters.repository import EventsRepository
from ocop_events.domain.matching import CRITERIA_LABELS
from ocop_events.domain.matching_commands import AdvanceMatch, RunMatching
from ocop_events.domain.matching_model import BUYER_KIND_LABELS, STAGE_LABELS, MatchStage
from ocop_events.domain.model import KIND_LABELS
from ocop_events.entrypoints.api.charts import bar_chart
from ocop_events.entrypoints.api.deps import AppClock, Id, Runtime
from ocop_events.entrypoints.api.pages import back, render, require_staff_page
from ocop_events.service_layer import matching, results
from ocop_shared.errors import DomainError
from ocop_shared.web.exports import xlsx_response
from ocop_shared.web.forms import whole_number
from ocop_shared.web.pages import format_vnd

router = APIRouter(include_in_schema=False)
GROUP_LABELS = {
    "food": "Thực phẩm",
    "drink": "Đồ uống",
    "herbs": "Dược liệu",
    "cloth": "Vải, may mặc",
    "keepsake": "Lưu niệm, nội thất, trang trí",
    "travel": "Du lịch cộng đồng",
    "khác": "Khác",
}


def _first_message(exc: ValidationError) -> str:
    """'Value error, reason: cần lý do …' → 'reason: cần lý do …'."""
    errors = exc.errors()
    message = str(errors[0].get("msg", "")) if errors else ""
    return message.removeprefix("Value error, ") or "Dữ liệu không hợp lệ"


@router.get("/ket-noi")
async def pipeline(request: Request, runtime: Runtime) -> Response:
    guard = require_staff_page(request)
    if isinstance(guard, Response):
        return guard
    repository = MatchingRepository(runtime.db)
    matches = await repository.matches(limit=2000)
    columns = {stage: [m for m in matches if m.stage is stage] for stage in MatchStage}
    demands = await repository.demands()
    offers = await repository.offers(open_only=True)
    return render(
        request,
        "matches.html",
        {
            "columns": columns,
            "stage_labels": STAGE_LABELS,
            "criteria": CRITERIA_LABELS,
            "demands": demands,
            "offers_count": len(offers),
            "buyer_kinds": BUYER_KIND_LABELS,
            "next_stages": {
                MatchStage.PROPOSED: [MatchStage.CONTACTED, MatchStage.MEETING],
                MatchStage.CONTACTED: [MatchStage.MEETING],
                MatchStage.MEETING: [MatchStage.DEAL_SIGNED],
            },
        },
    )


@router.post("/ket-noi/chay")
async def run_form(request: Request, runtime: Runtime, clock: AppClock) -> Response:
    guard = require_staff_page(request)
    if isinstance(guard, Response):
        return guard
    created = await matching.run_matching(runtime, RunMatching(), clock)
    return back("/ket-noi", msg=f"Đã tạo {len(created)} đề xuất kết nối mới")


@router.post("/ket-noi/{match_id}/chuyen")
async def advance_form(
    request: Request,
    match_id: Id,
    runtime: Runtime,
    clock: AppClock,
    stage: Annotated[str, Form(max_length=20)],
    deal_value_vnd: Annotated[str, Form(max_length=20)] = "",
    reason: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    guard = require_staff_page(request)
    if isinstance(guard, Response):
        return guard
    try:
        value = whole_number(deal_value_vnd, "deal_value_vnd") or None
        command = AdvanceMatch.model_validate(
            {"stage": stage, "deal_value_vnd": value, "reason": reason.strip() or None}
        )
        moved = await matching.advance(runtime, match_id, command, clock)
    except DomainError as exc:
        return back("/ket-noi", err=exc.detail)
    except ValidationError as exc:
        return back("/ket-noi", err=_first_message(exc))
    except ValueError:
        return back("/ket-noi", err="Giá trị hợp đồng phải là số tiền (₫)")
    return back("/ket-noi", msg=f"{moved.offer_title} → {STAGE_LABELS[moved.stage]}")


@router.get("/ket-noi.xlsx")
async def matches_export(request: Request, runtime: Runtime) -> Response:
    guard = require_staff_page(request)
    if isinstance(guard, Response):
        return guard
    rows = [
        (
            m.buyer_name,
            m.demand_title,
            m.producer_name,
            m.offer_title,
            round(m.score * 100),
            STAGE_LABELS[m.stage],
            m.deal_value_vnd,
            m.signed_on,
            m.reason,
            m.proposed_at,
        )
        for m in await MatchingRepository(runtime.db).matches(limit=100_000)
    ]
    return xlsx_response(
        "Kết nối cung - cầu.xlsx",
        "Kết nối cung - cầu",
        [
            "Người mua",
            "Nhu cầu",
            "Chủ thể",
            "Chào bán",
            "Điểm (%)",
            "Bước",
            "Giá trị (VND)",
            "Ngày ký",
            "Lý do",
            "Ngày đề xuất",
        ],
        rows,
    )


async def _dashboard(runtime: Runtime) -> dict[str, Any]:
    figures = await results.results(runtime)
    return {
        "figures": figures,
        "by_event": bar_chart(
            [(e.event_name, e.revenue_vnd) for e in figures.events],
            title="Doanh thu theo sự kiện",
            formatter=format_vnd,
        ),
        "by_group": bar_chart(
            [(GROUP_LABELS.get(g, g), v) for g, v in figures.revenue_by_group.items()],
            title="Doanh thu bán tại gian theo nhóm sản phẩm",
            formatter=format_vnd,
        ),
        "by_stage": bar_chart(
            [(STAGE_LABELS[MatchStage(s)], n) for s, n in figures.deals_by_stage.items()],
            title="Kết nối theo từng bước",
        ),
    }


@router.get("/ket-qua")
async def dashboard(request: Request, runtime: Runtime) -> Response:
    guard = require_staff_page(request)
    if isinstance(guard, Response):
        return guard
    context = await _dashboard(runtime)
    names = {e.event_id: e.event_name for e in context["figures"].events}
    return render(
        request, "results.html", {**context, "event_names": names, "groups": GROUP_LABELS}
    )


@router.get("/ket-qua.xlsx")
async def results_export(request: Request, runtime: Runtime) -> Response:
    guard = require_staff_page(request)
    if isinstance(guard, Response):
        return guard
    figures = await results.results(runtime)
    events = {e.id: e for e in await EventsRepository(runtime.db).list_events()}
    rows = [
        (
            e.event_name,
            KIND_LABELS.get(events[e.event_id].kind, "") if e.event_id in events else "",
            events[e.event_id].starts_on if e.event_id in events else None,
            e.pos_sales_vnd,
            e.reported_sales_vnd,
            e.revenue_vnd,
            e.visitors,
            e.contracts_signed,
            e.contracts_value_vnd,
            e.deals_signed,
            e.deals_value_vnd,
        )
        for e in figures.events
    ]
    return xlsx_response(
        "Kết quả xúc tiến thương mại.xlsx",
        "Kết quả theo sự kiện",
        [
            "Sự kiện",
            "Loại",
            "Bắt đầu",
            "Bán tại gian (VND)",
            "Tự báo cáo (VND)",
            "Tổng doanh thu (VND)",
            "Lượt khách",
            "Hợp đồng",
            "Giá trị hợp đồng (VND)",
            "Kết nối ký kết",
            "Giá trị kết nối (VND)",
        ],
        rows,
    )


@router.get("/ket-qua/san-pham.xlsx")
async def products_export(request: Request, runtime: Runtime) -> Response:
    guard = require_staff_page(request)
    if isinstance(guard, Response):
        return guard
    figures = await results.results(runtime)
    names = {e.event_id: e.event_name for e in figures.events}
    return xlsx_response(
        "Kết quả theo sản phẩm.xlsx",
        "Theo sản phẩm",
        ["Sự kiện", "Sản phẩm", "Mã sản phẩm", "Nhóm", "Số lượng", "Doanh thu (VND)"],
        [
            (
                names.get(p.event_id, p.event_id),
                p.product_name,
                p.product_id,
                GROUP_LABELS.get(p.group_code, p.group_code),
                p.quantity,
                p.sales_vnd,
            )
            for p in figures.products
        ],
    )


@router.get("/ket-qua/chu-the.xlsx")
async def producers_export(request: Request, runtime: Runtime) -> Response:
    guard = require_staff_page(request)
    if isinstance(guard, Response):
        return guard
    figures = await results.results(runtime)
    names = {e.event_id: e.event_name for e in figures.events}
    producers = await EventsRepository(runtime.db).producer_names(
        sorted({p.producer_id for p in figures.producers})
    )
    return xlsx_response(
        "Kết quả theo chủ thể.xlsx",
        "Theo chủ thể",
        [
            "Sự kiện",
            "Chủ thể",
            "Mã chủ thể",
            "Bán tại gian (VND)",
            "Tự báo cáo (VND)",
            "Lượt khách",
            "Hợp đồng",
            "Giá trị hợp đồng (VND)",
        ],
        [
            (
                names.get(p.event_id, p.event_id),
                producers.get(p.producer_id, ""),
                p.producer_id,
                p.pos_sales_vnd,
                p.reported_sales_vnd,
                p.visitors,
                p.contracts_signed,
                p.contracts_value_vnd,
            )
            for p in figures.producers
        ],
    )
