"""Showroom console, the till: selling, receipts (VietQR, product QR codes), returns, voids
and bank transfers seen to arrive."""

from __future__ import annotations

import json
import re
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from pydantic import ValidationError

from ocop_orders.adapters.repository import OrdersRepository
from ocop_orders.domain import fefo
from ocop_orders.domain.commands import (
    RecordReturn,
    RecordSale,
    ReturnLineInput,
    VoidSale,
)
from ocop_orders.domain.eligibility import block_reason
from ocop_orders.domain.errors import NotSellableError
from ocop_orders.domain.model import Sale, SaleStatus, Showroom
from ocop_orders.entrypoints.api.deps import (
    ConsoleUser,
    ItemId,
    OrdersDep,
    ShowroomId,
    showroom_in_scope,
)
from ocop_orders.entrypoints.api.pages import (
    attempt,
    explain,
    redirect_back,
    render_page,
)
from ocop_orders.service_layer.unit_of_work import Orders
from ocop_orders.showroom.adapters import qrcode
from ocop_orders.showroom.domain import vietqr
from ocop_orders.showroom.service_layer import returns, sales
from ocop_shared.auth import ensure_showroom_scope
from ocop_shared.errors import DomainError
from ocop_shared.text import tokens
from ocop_shared.web.forms import whole_number

router = APIRouter(prefix="/quay", include_in_schema=False)

RECEIPT_NUMBER = re.compile(r"[A-Z0-9_-]{1,40}")


async def product_choices(orders: Orders, showroom: Showroom) -> list[dict[str, Any]]:
    """Every product the showroom knows, with price, sellable units and the block reason."""
    repository = OrdersRepository(orders.db)
    today = orders.clock.today()
    products = await repository.search_products(None, limit=2000)
    balances = {b.product_id: b for b in await repository.balances_of_showroom(showroom.id)}
    lots: dict[str, list[Any]] = {}
    for lot in await repository.lots(showroom.id):
        lots.setdefault(lot.product_id, []).append(lot)
    result = []
    for product in products:
        balance = balances.get(product.id)
        price = balance.price_vnd if balance and balance.price_vnd is not None else None
        reason = block_reason(product, showroom, today)
        result.append(
            {
                "product": product,
                "id": product.id,
                "name": product.name,
                "gtin": product.gtin,
                "price": price if price is not None else product.suggested_price_vnd,
                "available": sum(
                    lot.on_hand for lot in fefo.sellable_lots(lots.get(product.id, []), today)
                ),
                "sellable": reason is None,
                "stocked": balance is not None,
                "block_reason": reason,
                "search": " ".join(tokens(product.name, product.producer_name)),
            }
        )
    return result


@router.get("/{showroom_id}/ban-hang", response_class=HTMLResponse)
async def sell_page(
    request: Request, showroom_id: ShowroomId, orders: OrdersDep, user: ConsoleUser
) -> HTMLResponse:
    showroom = await showroom_in_scope(orders, user, showroom_id)
    choices = await product_choices(orders, showroom)
    shown = [
        {k: c[k] for k in ("id", "name", "gtin", "price", "available", "sellable", "search")}
        | {"reason": c["block_reason"] or ""}
        for c in choices
        # Blocked products only when this showroom holds them: the page stays small.
        if c["available"] > 0 or (not c["sellable"] and c["stocked"])
    ]
    return render_page(
        request,
        "sell.html",
        user,
        title="Bán hàng",
        showroom=showroom,
        active="sell",
        # A key per page load: a double tap or a resent form never sells twice.
        idempotency_key=f"quay-{uuid.uuid4().hex}",
        products=shown,
    )


@router.post("/{showroom_id}/ban-hang")
async def sell_submit(
    showroom_id: ShowroomId,
    orders: OrdersDep,
    user: ConsoleUser,
    idempotency_key: Annotated[str, Form(min_length=8, max_length=100)],
    cart: Annotated[str, Form(max_length=20000)],
    method: Annotated[str, Form(max_length=20)],
    discount_vnd: Annotated[str, Form(max_length=15)] = "0",
    kiosk_code: Annotated[str, Form(max_length=16)] = "",
    tendered_vnd: Annotated[str, Form(max_length=15)] = "",
    reference: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    here = f"/quay/{showroom_id}/ban-hang"
    ensure_showroom_scope(user, showroom_id)
    try:
        lines = json.loads(cart)
    except (ValueError, RecursionError):  # RecursionError: "[[[[…" nested thousands deep
        return redirect_back(here, error="Giỏ hàng không đọc được; hãy thử lại")

    async def act() -> Any:
        command = RecordSale.model_validate(
            {
                "lines": lines,
                "discount_vnd": whole_number(discount_vnd, "discount_vnd") or 0,
                "kiosk_code": kiosk_code or None,
                "payment": {
                    "method": method,
                    "tendered_vnd": whole_number(tendered_vnd, "tendered_vnd"),
                    "reference": reference or None,
                },
            }
        )
        sale, _ = await sales.record_sale(orders, showroom_id, command, idempotency_key, user)
        return sale.id

    try:
        sale_id = await act()
    except NotSellableError as exc:
        return redirect_back(here, error=_friendly_refusal(exc))
    except (DomainError, ValidationError) as exc:
        return redirect_back(here, error=explain(exc))
    return redirect_back(f"/quay/{showroom_id}/hoa-don/{sale_id}", ok="Đã thanh toán")


def _friendly_refusal(exc: NotSellableError) -> str:
    """What the operator reads when a product stopped being sellable while in the cart."""
    name = exc.product_name or exc.product_id
    reason = (exc.reason or "").rstrip(".")
    return (
        f"«{name}» vừa bị dừng bán tại quầy"
        + (f": {reason[0].lower()}{reason[1:]}" if reason else "")
        + ". Chưa thu tiền. Bỏ sản phẩm này khỏi giỏ rồi thanh toán lại."
    )


@router.get("/{showroom_id}/tim-hoa-don")
async def find_receipt(
    showroom_id: ShowroomId,
    orders: OrdersDep,
    user: ConsoleUser,
    so: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    """A customer comes back with a paper receipt: type (or scan) its number to open it."""
    ensure_showroom_scope(user, showroom_id)
    number = so.strip().upper()
    sale = None
    if RECEIPT_NUMBER.fullmatch(number):
        sale = await OrdersRepository(orders.db).sale_by_receipt(showroom_id, number)
    if sale is None:
        return redirect_back(
            f"/quay/{showroom_id}", error=f"Không tìm thấy hoá đơn số {so.strip()[:40]}"
        )
    return RedirectResponse(f"/quay/{showroom_id}/hoa-don/{sale.id}", status_code=303)


@router.get("/{showroom_id}/hoa-don/{sale_id}", response_class=HTMLResponse)
async def receipt_page(
    request: Request,
    showroom_id: ShowroomId,
    sale_id: ItemId,
    orders: OrdersDep,
    user: ConsoleUser,
) -> HTMLResponse:
    showroom = await showroom_in_scope(orders, user, showroom_id)
    sale = await OrdersRepository(orders.db).get_sale(showroom_id, sale_id)
    return render_page(
        request,
        "receipt.html",
        user,
        title=f"Hoá đơn {sale.receipt_number}",
        showroom=showroom,
        active="sell",
        sale=sale,
        idempotency_key=f"tra-{uuid.uuid4().hex}",
        vietqr=_vietqr_svg(showroom, sale),
        product_qrs=_product_qrs(orders, sale),
    )


def _vietqr_svg(showroom: Showroom, sale: Sale) -> Markup | None:
    if sale.status is not SaleStatus.COMPLETED or sale.refunded_vnd or sale.payment.confirmed_at:
        return None
    payload = vietqr.for_sale(showroom, sale)
    if payload is None:
        return None
    # segno writes the SVG itself; the payload only reaches it as path data.
    return Markup(qrcode.svg(payload, scale=5))  # noqa: S704


def _product_qrs(orders: Orders, sale: Sale) -> list[tuple[str, str, Markup]]:
    """(name, public page, QR) per product bought: the customer checks origin and OCOP stars."""
    base = orders.settings.catalogue_base_url.rstrip("/")
    seen: dict[str, str] = {}
    for line in sale.lines:
        seen.setdefault(line.product_id, line.product_name)
    result = []
    for product_id, name in list(seen.items())[: orders.settings.receipt_product_qr_limit]:
        url = f"{base}/san-pham/{product_id}"
        result.append((name, url, Markup(qrcode.svg(url, scale=2))))  # noqa: S704
    return result


@router.post("/{showroom_id}/hoa-don/{sale_id}/tra-hang")
async def return_submit(
    showroom_id: ShowroomId,
    sale_id: ItemId,
    orders: OrdersDep,
    user: ConsoleUser,
    product_id: Annotated[str, Form(max_length=64)],
    quantity: Annotated[str, Form(max_length=10)],
    reason: Annotated[str, Form(max_length=500)],
    idempotency_key: Annotated[str, Form(min_length=8, max_length=100)],
    damaged: Annotated[str, Form(max_length=1)] = "",
) -> Response:
    here = f"/quay/{showroom_id}/hoa-don/{sale_id}"
    ensure_showroom_scope(user, showroom_id)

    async def act() -> Any:
        command = RecordReturn(
            lines=[
                ReturnLineInput.model_validate({"product_id": product_id, "quantity": quantity})
            ],
            reason=reason,
            restock=not damaged,
        )
        return await returns.record_return(
            orders, showroom_id, sale_id, command, user, idempotency_key
        )

    return await attempt(act, done=here, ok="Đã nhận trả hàng", failed=here)


@router.post("/{showroom_id}/hoa-don/{sale_id}/da-nhan-tien")
async def confirm_transfer_submit(
    showroom_id: ShowroomId, sale_id: ItemId, orders: OrdersDep, user: ConsoleUser
) -> Response:
    here = f"/quay/{showroom_id}/hoa-don/{sale_id}"
    ensure_showroom_scope(user, showroom_id)
    return await attempt(
        lambda: sales.confirm_transfer(orders, showroom_id, sale_id, user),
        done=here,
        ok="Đã xác nhận tiền chuyển khoản về tài khoản",
        failed=here,
    )


@router.post("/{showroom_id}/hoa-don/{sale_id}/huy")
async def void_submit(
    showroom_id: ShowroomId,
    sale_id: ItemId,
    orders: OrdersDep,
    user: ConsoleUser,
    reason: Annotated[str, Form(max_length=500)],
) -> Response:
    here = f"/quay/{showroom_id}/hoa-don/{sale_id}"
    ensure_showroom_scope(user, showroom_id)

    async def act() -> Any:
        command = VoidSale(reason=reason)
        return await returns.void_sale(orders, showroom_id, sale_id, command, user)

    return await attempt(act, done=here, ok="Đã huỷ hoá đơn", failed=here)


# -- transfers and stock-takes ---------------------------------------------------------------
