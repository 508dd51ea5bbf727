"""Online-order console, one order: its page and the forms that confirm, cancel, refund and
ship it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from ocop_orders.adapters.repository import OrdersRepository
from ocop_orders.ecommerce.adapters.repository import EcommerceRepository
from ocop_orders.ecommerce.domain import access
from ocop_orders.ecommerce.domain.model import (
    CancelOrder,
    OrderState,
    RefundOrder,
)
from ocop_orders.ecommerce.entrypoints.api.pages import ConsoleStaff, page_context
from ocop_orders.ecommerce.service_layer import orders as ecommerce
from ocop_orders.ecommerce.service_layer import shipping
from ocop_orders.ecommerce.service_layer.shipping import CancelShipment, CreateShipment
from ocop_orders.entrypoints.api.deps import ItemId, OrdersDep
from ocop_orders.entrypoints.api.pages import attempt, read_form, render_page
from ocop_shared.errors import DomainError, ValidationFailedError
from ocop_shared.web.forms import whole_number

router = APIRouter(prefix="/quay/don-hang", include_in_schema=False)


@router.get("/{order_id}", response_class=HTMLResponse)
async def order_page(
    request: Request,
    order_id: ItemId,
    orders: OrdersDep,
    user: ConsoleStaff,
    quote: Annotated[str | None, Query(alias="bao-gia", max_length=1)] = None,
    weight: Annotated[str | None, Query(alias="can-nang", max_length=8)] = None,
) -> HTMLResponse:
    repo = EcommerceRepository(orders.db)
    order = await repo.get_order(order_id)
    access.ensure_order_scope(user, order)
    shipment = await repo.shipment_for_order(order_id)
    tracking = await repo.tracking(shipment.id) if shipment else []
    quotes: list[Any] = []
    quote_error = None
    if quote and order.state is OrderState.CONFIRMED and shipment is None:  # viewers may ask
        try:
            grams = whole_number(weight, "can-nang")
            quotes = await shipping.quote(orders, order_id, grams, user)
        except DomainError as exc:
            quote_error = exc.detail
    try:
        access.ensure_may_act(user, order)
        may_act = True
    except DomainError:
        may_act = False
    showroom = (
        await OrdersRepository(orders.db).find_showroom(order.fulfilment.showroom_id)
        if order.fulfilment.showroom_id
        else None
    )
    order = access.as_seen_by(user, order)
    return render_page(
        request,
        "ecommerce_order.html",
        user,
        title=f"Đơn {order.number}",
        order=order,
        showroom_name=showroom.name if showroom else None,
        may_act=may_act,
        shipment=shipment,
        tracking=tracking,
        quotes=quotes,
        quote_error=quote_error,
        weight=weight or "",
        default_weight=orders.settings.default_item_weight_g
        * sum(line.quantity for line in order.lines),
        **page_context(),
    )


def _path(order_id: str) -> str:
    return f"/quay/don-hang/{order_id}"


@router.post("/{order_id}/xac-nhan")
async def confirm_submit(order_id: ItemId, orders: OrdersDep, user: ConsoleStaff) -> Response:
    async def act() -> Any:
        return await ecommerce.confirm_order(orders, order_id, user)

    here = _path(order_id)
    return await attempt(act, done=here, ok="Đã xác nhận đơn; hàng đã xuất kho", failed=here)


@router.post("/{order_id}/huy")
async def cancel_submit(
    request: Request, order_id: ItemId, orders: OrdersDep, user: ConsoleStaff
) -> Response:
    form = await read_form(request)

    async def act() -> Any:
        command = CancelOrder.model_validate({"reason": form.get("reason", "")})
        return await ecommerce.cancel_order(orders, order_id, command, user)

    here = _path(order_id)
    return await attempt(act, done=here, ok="Đã huỷ đơn; hàng đã trả lại kho", failed=here)


@router.post("/{order_id}/hoan-tien")
async def refund_submit(
    request: Request, order_id: ItemId, orders: OrdersDep, user: ConsoleStaff
) -> Response:
    form = await read_form(request)

    async def act() -> Any:
        command = RefundOrder.model_validate(
            {
                "amount_vnd": whole_number(form.get("amount_vnd"), "amount_vnd"),
                "reason": form.get("reason", ""),
            }
        )
        return await ecommerce.refund_order(orders, order_id, command, user)

    here = _path(order_id)
    return await attempt(act, done=here, ok="Đã ghi nhận hoàn tiền", failed=here)


@router.post("/{order_id}/van-don")
async def shipment_submit(
    request: Request, order_id: ItemId, orders: OrdersDep, user: ConsoleStaff
) -> Response:
    form = await read_form(request)

    async def act() -> Any:
        command = CreateShipment.model_validate(
            {
                "service": form.get("service", "VCN"),
                "weight_g": whole_number(form.get("weight_g"), "weight_g"),
            }
        )
        return await shipping.create_shipment(orders, order_id, command, user)

    here = _path(order_id)
    return await attempt(
        act, done=here, ok="Đã gửi yêu cầu tạo vận đơn tới Viettel Post", failed=here
    )


@router.post("/{order_id}/da-xem-van-chuyen")
async def acknowledge_submit(
    request: Request, order_id: ItemId, orders: OrdersDep, user: ConsoleStaff
) -> Response:
    form = await read_form(request)

    async def act() -> Any:
        note = form.get("note", "").strip()
        if len(note) < 3:
            raise ValidationFailedError("Ghi lại đã xử lý thế nào (ít nhất 3 ký tự)", field="note")
        return await shipping.acknowledge_flags(orders, order_id, note, user)

    here = _path(order_id)
    return await attempt(act, done=here, ok="Đã ghi nhận", failed=here)


@router.post("/{order_id}/huy-van-don")
async def cancel_shipment_submit(
    request: Request, order_id: ItemId, orders: OrdersDep, user: ConsoleStaff
) -> Response:
    form = await read_form(request)

    async def act() -> Any:
        command = CancelShipment.model_validate({"reason": form.get("reason", "")})
        return await shipping.cancel_shipment(orders, order_id, command, user)

    here = _path(order_id)
    return await attempt(act, done=here, ok="Đã gửi yêu cầu huỷ vận đơn", failed=here)
