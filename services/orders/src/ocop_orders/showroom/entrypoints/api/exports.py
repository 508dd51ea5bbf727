"""XLSX exports of the showroom console (stock, receipts of a day, what producers are owed)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from ocop_orders.adapters.repository import OrdersRepository
from ocop_orders.domain.model import Lot
from ocop_orders.entrypoints.api.deps import ConsoleUser, OrdersDep, ShowroomId, showroom_in_scope
from ocop_orders.showroom.service_layer import reports
from ocop_shared.web.exports import Cell, xlsx_response

router = APIRouter(prefix="/quay", include_in_schema=False)

Day = Annotated[date | None, Query()]
METHODS = {"cash": "Tiền mặt", "bank_transfer": "Chuyển khoản", "card": "Thẻ"}


@router.get("/{showroom_id}/xuat/ton-kho.xlsx")
async def stock_xlsx(showroom_id: ShowroomId, orders: OrdersDep, user: ConsoleUser) -> Response:
    showroom = await showroom_in_scope(orders, user, showroom_id)
    rows: list[list[Cell]] = []
    for row in await reports.stock_rows(orders, showroom):
        lots: list[Lot | None] = [*row.lots] or [None]
        for lot in lots:
            rows.append(
                [
                    row.product.name,
                    row.product.producer_name or row.product.producer_id,
                    row.product.gtin,
                    lot.lot_code if lot else None,
                    lot.expires_on if lot else None,
                    lot.on_hand if lot else row.balance.on_hand,
                    lot.quarantined if lot else row.balance.quarantined,
                    lot.in_transit if lot else row.balance.in_transit,
                    row.balance.price_vnd or row.product.suggested_price_vnd,
                    row.block_reason or ("Sắp hết" if row.low else "Đang bán"),
                ]
            )
    return xlsx_response(
        f"ton-kho-{showroom.code}-{orders.clock.today():%Y%m%d}.xlsx",
        "Tồn kho",
        [
            "Sản phẩm",
            "Nhà sản xuất",
            "GTIN",
            "Lô",
            "Hạn sử dụng",
            "Trên kệ",
            "Cách ly",
            "Đang chuyển đến",
            "Giá bán (₫)",
            "Trạng thái",
        ],
        rows,
    )


@router.get("/{showroom_id}/xuat/ban-hang.xlsx")
async def sales_xlsx(
    showroom_id: ShowroomId, orders: OrdersDep, user: ConsoleUser, day: Day = None
) -> Response:
    showroom = await showroom_in_scope(orders, user, showroom_id)
    business_day = day or orders.clock.today()
    rows: list[list[Cell]] = []
    for sale in reversed(await OrdersRepository(orders.db).sales_of_day(showroom_id, business_day)):
        for line in sale.lines:
            rows.append(
                [
                    sale.receipt_number,
                    sale.sold_at,
                    sale.kiosk_code,
                    line.product_name,
                    line.quantity,
                    line.returned,
                    line.unit_price_vnd,
                    line.discount_vnd,
                    line.line_total_vnd,
                    METHODS[sale.payment.method.value],
                    "Đã huỷ" if sale.status.value == "voided" else "Hoàn tất",
                ]
            )
    return xlsx_response(
        f"ban-hang-{showroom.code}-{business_day:%Y%m%d}.xlsx",
        "Bán hàng",
        [
            "Số hoá đơn",
            "Thời gian",
            "Ki-ốt",
            "Sản phẩm",
            "Số lượng",
            "Đã trả",
            "Đơn giá (₫)",
            "Giảm giá (₫)",
            "Thành tiền (₫)",
            "Thanh toán",
            "Trạng thái",
        ],
        rows,
    )


@router.get("/{showroom_id}/xuat/nha-san-xuat.xlsx")
async def producers_xlsx(
    showroom_id: ShowroomId, orders: OrdersDep, user: ConsoleUser, day: Day = None
) -> Response:
    showroom = await showroom_in_scope(orders, user, showroom_id)
    summary = await reports.daily_summary(orders, showroom, day or orders.clock.today())
    return xlsx_response(
        f"cong-no-nha-san-xuat-{showroom.code}-{summary.day:%Y%m%d}.xlsx",
        "Công nợ nhà sản xuất",
        [
            "Ngày",
            "Nhà sản xuất",
            "Số lượng",
            "Doanh thu (₫)",
            "Hoàn trả (₫)",
            "Doanh thu thuần (₫)",
            "Hoa hồng (₫)",
            "Phải trả (₫)",
        ],
        [
            [
                summary.day,
                p.producer_name,
                p.quantity,
                p.sales_vnd,
                p.refunds_vnd,
                p.net_vnd,
                p.commission_vnd,
                p.owed_vnd,
            ]
            for p in summary.by_producer
        ],
    )
