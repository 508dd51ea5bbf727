"""Console pages of e-commerce orders and shipments (/quay/don-hang), Vietnamese first.

Forms call the same service-layer functions as the JSON API, so roles and scopes are checked
once; a refusal comes back as a message on the page it came from.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response

from ocop_orders.adapters.repository import OrdersRepository
from ocop_orders.ecommerce.adapters.repository import EcommerceRepository
from ocop_orders.ecommerce.domain.access import as_seen_by
from ocop_orders.ecommerce.domain.model import (
    STATE_LABELS,
    EcomOrder,
    OrderState,
    PlaceOrder,
)
from ocop_orders.ecommerce.domain.shipping import SHIPMENT_LABELS
from ocop_orders.ecommerce.entrypoints.api.routes import scope_filter
from ocop_orders.ecommerce.service_layer import orders as ecommerce
from ocop_orders.entrypoints.api.deps import LoginRequiredError, OrdersDep
from ocop_orders.entrypoints.api.pages import attempt, read_form, render_page
from ocop_orders.service_layer.unit_of_work import Orders
from ocop_shared.auth import Principal, Role, ensure_showroom_scope
from ocop_shared.contracts.orders import OrderChannel
from ocop_shared.timeutil import VIETNAM
from ocop_shared.web.console_auth import page_principal
from ocop_shared.web.exports import xlsx_response
from ocop_shared.web.forms import whole_number

router = APIRouter(prefix="/quay/don-hang", include_in_schema=False)

BADGES = {
    OrderState.PLACED: "warn",
    OrderState.CONFIRMED: "ok",
    OrderState.SHIPPED: "ok",
    OrderState.DELIVERED: "ok",
    OrderState.RETURNED: "bad",
    OrderState.CANCELLED: "bad",
    OrderState.EXPIRED: "bad",
    OrderState.REFUNDED: "warn",
}
CHANNELS = {"postmart": "Postmart", "voso": "Voso", "web": "Nhân viên nhập"}
PAYMENTS = {"cod": "Thu hộ (COD)", "prepaid": "Đã thanh toán trước"}


def signed_in_staff(request: Request) -> Principal:
    principal = page_principal(request)
    if principal is None:
        raise LoginRequiredError
    if not principal.has_any(Role.SHOWROOM_OPERATOR, Role.TRADE_STAFF, Role.PRODUCER):
        raise HTTPException(403, "Cần vai trò người vận hành điểm bán hoặc cán bộ xúc tiến")
    return principal


ConsoleStaff = Annotated[Principal, Depends(signed_in_staff)]


def page_context() -> dict[str, Any]:
    return {
        "state_labels": STATE_LABELS,
        "badges": BADGES,
        "channels": CHANNELS,
        "payments": PAYMENTS,
        "shipment_labels": SHIPMENT_LABELS,
    }


async def _orders(
    orders: Orders, user: Principal, state: str | None, channel: str | None
) -> list[EcomOrder]:
    producer_id, showroom_ids = scope_filter(user)
    found = await EcommerceRepository(orders.db).list_orders(
        state=OrderState(state) if state in {s.value for s in OrderState} else None,
        channel=channel if channel in CHANNELS else None,
        producer_id=producer_id,
        showroom_ids=showroom_ids,
        limit=300,
    )
    return [as_seen_by(user, order) for order in found]


async def _counts(orders: Orders, user: Principal, channel: str | None) -> dict[str, int]:
    producer_id, showroom_ids = scope_filter(user)
    return await EcommerceRepository(orders.db).state_counts(
        channel=channel if channel in CHANNELS else None,
        producer_id=producer_id,
        showroom_ids=showroom_ids,
    )


StateFilter = Annotated[str | None, Query(alias="trang-thai", max_length=20)]
ChannelFilter = Annotated[str | None, Query(alias="kenh", max_length=20)]


@router.get("", response_class=HTMLResponse)
async def orders_page(
    request: Request,
    orders: OrdersDep,
    user: ConsoleStaff,
    state: StateFilter = None,
    channel: ChannelFilter = None,
) -> HTMLResponse:
    found = await _orders(orders, user, state, channel)
    counts = await _counts(orders, user, channel)
    rejected = await EcommerceRepository(orders.db).rejected_intakes(20)
    return render_page(
        request,
        "ecommerce_orders.html",
        user,
        title="Đơn hàng trực tuyến",
        orders=found,
        counts=counts,
        state=state or "",
        channel=channel or "",
        rejected=rejected if user.has_any(Role.TRADE_STAFF, Role.SHOWROOM_OPERATOR) else [],
        **page_context(),
    )


@router.get("/xuat.xlsx")
async def export_orders(
    orders: OrdersDep,
    user: ConsoleStaff,
    state: StateFilter = None,
    channel: ChannelFilter = None,
) -> Response:
    found = await _orders(orders, user, state, channel)
    rows: list[list[str | int | None]] = [
        [
            o.number,
            CHANNELS.get(o.channel.value, o.channel.value),
            o.remote_order_id,
            o.created_at.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M"),
            STATE_LABELS[o.state],
            o.buyer.name,
            o.buyer.phone,
            o.buyer.address.province,
            "; ".join(f"{line.product_name} × {line.quantity}" for line in o.lines),
            PAYMENTS[o.payment.value],
            o.subtotal_vnd,
            o.shipping_fee_vnd,
            o.total_vnd,
            o.refund_vnd or 0,
        ]
        for o in found
    ]
    stamp = datetime.now(VIETNAM).strftime("%Y%m%d")
    return xlsx_response(
        f"don-hang-truc-tuyen-{stamp}.xlsx",
        "Đơn hàng",
        [
            "Mã đơn",
            "Kênh",
            "Mã đơn trên sàn",
            "Ngày đặt",
            "Trạng thái",
            "Người mua",
            "Điện thoại",
            "Tỉnh/thành",
            "Hàng",
            "Thanh toán",
            "Tiền hàng (₫)",
            "Phí vận chuyển (₫)",
            "Tổng (₫)",
            "Đã hoàn (₫)",
        ],
        rows,
    )


@router.get("/canh-bao-van-chuyen", response_class=HTMLResponse)
async def flags_page(request: Request, orders: OrdersDep, user: ConsoleStaff) -> HTMLResponse:
    repo = EcommerceRepository(orders.db)
    return render_page(
        request,
        "shipping_flags.html",
        user,
        title="Trạng thái vận chuyển cần xem",
        flagged=await repo.flagged_tracking(),
        shipments=await repo.shipments_needing_attention(),
        **page_context(),
    )


@router.get("/moi", response_class=HTMLResponse)
async def new_order_page(request: Request, orders: OrdersDep, user: ConsoleStaff) -> HTMLResponse:
    repository = OrdersRepository(orders.db)
    everything = user.has_any(Role.TRADE_STAFF)
    return render_page(
        request,
        "ecommerce_new.html",
        user,
        title="Nhập đơn trực tuyến",
        products=await repository.search_products(None, limit=500),
        showrooms=await repository.list_showrooms(None if everything else user.showroom_ids),
        # A key per page load: a double tap or a resent form never makes two orders.
        idempotency_key=f"web-{uuid.uuid4().hex}",
        **page_context(),
    )


@router.post("/moi")
async def new_order_submit(request: Request, orders: OrdersDep, user: ConsoleStaff) -> Response:
    form = await read_form(request)

    async def act() -> Any:
        source = form.get("source", "")
        fulfilment = (
            {"kind": "producer"}
            if source == "producer"
            else {"kind": "showroom", "showroom_id": source}
        )
        if fulfilment.get("showroom_id") and not user.has_any(Role.TRADE_STAFF):
            ensure_showroom_scope(user, source)
        lines = [
            {
                "product_id": form.get(f"product_{i}", ""),
                "quantity": whole_number(form.get(f"quantity_{i}"), f"quantity_{i}"),
                "unit_price_vnd": whole_number(form.get(f"price_{i}"), f"price_{i}"),
            }
            for i in range(3)
            if form.get(f"product_{i}")
        ]
        command = PlaceOrder.model_validate(
            {
                "remote_order_id": form.get("idempotency_key", ""),
                "buyer": {
                    "name": form.get("name", ""),
                    "phone": form.get("phone", ""),
                    "address": {
                        "province": form.get("province", ""),
                        "commune": form.get("commune", ""),
                        "street": form.get("street", ""),
                    },
                },
                "lines": lines,
                "payment": form.get("payment", "cod"),
                "shipping_fee_vnd": whole_number(form.get("shipping_fee_vnd"), "shipping_fee_vnd")
                or 0,
                "buyer_pays_shipping": form.get("buyer_pays_shipping") == "1",
                "fulfilment": fulfilment,
                "note": form.get("note") or None,
            }
        )
        order, _ = await ecommerce.place_order(orders, OrderChannel.WEB, command, user.subject)
        return order.id

    return await attempt(
        act,
        done="/quay/don-hang/{result}",
        ok="Đã nhập đơn và giữ hàng",
        failed="/quay/don-hang/moi",
    )
