"""The producer's read-only view: consigned stock per showroom, its sales, what it is owed."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ocop_orders.entrypoints.api.deps import (
    ItemId,
    LoginRequiredError,
    OrdersDep,
    console_principal,
)
from ocop_orders.entrypoints.api.pages import templates
from ocop_orders.service_layer.unit_of_work import Orders
from ocop_orders.showroom.service_layer import producers
from ocop_shared.auth import Principal, Role, ensure_producer_scope
from ocop_shared.web.exports import Cell, xlsx_response

router = APIRouter(prefix="/quay/nha-san-xuat", include_in_schema=False)

VIEWERS = (Role.PRODUCER, Role.TRADE_STAFF, Role.PROVINCE_OFFICER)


def signed_in_viewer(
    principal: Annotated[Principal | None, Depends(console_principal)],
) -> Principal:
    if principal is None:
        raise LoginRequiredError
    if not principal.has_any(*VIEWERS):
        raise HTTPException(403, "Cần tài khoản nhà sản xuất")
    return principal


Viewer = Annotated[Principal, Depends(signed_in_viewer)]
From = Annotated[date | None, Query(alias="from")]
To = Annotated[date | None, Query(alias="to")]


def period(orders: Orders, start: date | None, end: date | None) -> tuple[date, date]:
    """Default: from the first of this month to today."""
    today = orders.clock.today()
    end = end or today
    return start or end.replace(day=1), end


@router.get("", response_class=HTMLResponse)
async def mine(user: Viewer) -> Response:
    if user.producer_id is None:
        raise HTTPException(404, "Tài khoản không gắn với nhà sản xuất nào")
    return RedirectResponse(f"/quay/nha-san-xuat/{user.producer_id}", status_code=303)


@router.get("/{producer_id}", response_class=HTMLResponse)
async def statement_page(
    request: Request,
    producer_id: ItemId,
    orders: OrdersDep,
    user: Viewer,
    start: From = None,
    end: To = None,
) -> HTMLResponse:
    ensure_producer_scope(user, producer_id)
    first, last = period(orders, start, end)
    result = await producers.statement(orders, producer_id, first, last)
    return templates.TemplateResponse(
        request,
        "producer.html",
        {
            "page_title": f"Hàng ký gửi – {result.producer_name}",
            "user": user,
            "showroom": None,
            "active": "",
            "ok": None,
            "error": None,
            "s": result,
        },
    )


SHEETS = {
    "ton-kho": (
        "Tồn kho ký gửi",
        [
            "Điểm bán",
            "Sản phẩm",
            "Trên kệ",
            "Bán được",
            "Cách ly",
            "Đang chuyển",
            "Giá (₫)",
            "Trạng thái",
        ],
    ),
    "ban-hang": (
        "Bán hàng",
        [
            "Ngày",
            "Điểm bán",
            "Hoá đơn",
            "Sản phẩm",
            "Số lượng",
            "Đã trả",
            "Đơn giá (₫)",
            "Thành tiền (₫)",
            "Hoàn (₫)",
        ],
    ),
    "cong-no": (
        "Công nợ",
        [
            "Điểm bán",
            "Số lượng",
            "Doanh thu (₫)",
            "Hoàn trả (₫)",
            "Thuần (₫)",
            "Hoa hồng %",
            "Hoa hồng (₫)",
            "Điểm bán phải trả (₫)",
        ],
    ),
}


@router.get("/{producer_id}/{sheet}.xlsx")
async def statement_xlsx(
    producer_id: ItemId,
    sheet: ItemId,
    orders: OrdersDep,
    user: Viewer,
    start: From = None,
    end: To = None,
) -> Response:
    ensure_producer_scope(user, producer_id)
    if sheet not in SHEETS:
        raise HTTPException(404, "Không có bảng này")
    first, last = period(orders, start, end)
    s = await producers.statement(orders, producer_id, first, last)
    rows: list[list[Cell]]
    if sheet == "ton-kho":
        rows = [
            [
                r.showroom_name,
                r.product_name,
                r.on_hand,
                r.available,
                r.quarantined,
                r.in_transit,
                r.price_vnd,
                r.block_reason or "Đang bán",
            ]
            for r in s.stock
        ]
    elif sheet == "ban-hang":
        rows = [
            [
                r.business_day,
                r.showroom_name,
                r.receipt_number,
                r.product_name,
                r.quantity,
                r.returned,
                r.unit_price_vnd,
                r.line_total_vnd,
                r.refunded_vnd,
            ]
            for r in s.sales
        ]
    else:
        rows = [
            [
                o.showroom_name,
                o.quantity,
                o.sales_vnd,
                o.refunds_vnd,
                o.net_vnd,
                o.commission_percent,
                o.commission_vnd,
                o.owed_vnd,
            ]
            for o in s.owed
        ]
    title, headers = SHEETS[sheet]
    return xlsx_response(
        f"{sheet}-{producer_id}-{first:%Y%m%d}-{last:%Y%m%d}.xlsx", title, headers, rows
    )
