"""Showroom console: server-rendered pages for the till and the back office, Vietnamese first.

Forms post here and are turned into the same commands the JSON API takes; a refusal comes
back as a message on the page it came from.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path as FilePath
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from pydantic import ValidationError

from ocop_orders.adapters import qrcode
from ocop_orders.adapters.repository import OrdersRepository
from ocop_orders.domain import fefo, vietqr
from ocop_orders.domain.commands import (
    CloseWithdrawal,
    CountLine,
    CreateShowroom,
    CreateTransfer,
    Quarantine,
    ReceiptLine,
    ReceiveGoods,
    RecordReturn,
    RecordSale,
    ReturnLineInput,
    SetProductSettings,
    StockTake,
    TransferLineInput,
    UpdateShowroom,
    VoidSale,
)
from ocop_orders.domain.eligibility import block_reason
from ocop_orders.domain.errors import NotSellableError
from ocop_orders.domain.model import Sale, SaleStatus, Showroom
from ocop_orders.entrypoints.api.deps import (
    ConsoleManager,
    ConsoleUser,
    ItemId,
    OrdersDep,
    ShowroomId,
    console_principal,
    showroom_in_scope,
    signed_in_operator,
)
from ocop_orders.service_layer import movements, reports, sales, withdrawals
from ocop_orders.service_layer import showrooms as showrooms_service
from ocop_orders.service_layer.stock import threshold_of
from ocop_orders.service_layer.unit_of_work import Orders
from ocop_shared.auth import Principal, Role, ensure_showroom_scope
from ocop_shared.errors import DomainError, NotFoundError
from ocop_shared.text import tokens
from ocop_shared.web.console_auth import sign_in_router
from ocop_shared.web.forms import whole_number
from ocop_shared.web.pages import service_templates

router = APIRouter(prefix="/quay", include_in_schema=False)
templates = service_templates(FilePath(__file__).parent.parent / "templates")
sign_in_routes = sign_in_router(
    templates,
    prefix="/quay",
    default_next="/quay/",
    hint="ocop token --role showroom_operator --showroom-id <mã điểm bán>",
)

METHODS = {"cash": "Tiền mặt", "bank_transfer": "Chuyển khoản / VietQR", "card": "Thẻ"}
ALERT_KINDS = {
    "low_stock": "Sắp hết hàng",
    "near_expiry": "Sắp hết hạn",
    "expired": "Đã hết hạn",
    "withdrawal": "Rút hàng",
}
STOCK_FILTERS = [
    ("low", "Sắp hết hàng"),
    ("expiring", "Sắp hết hạn"),
    ("quarantine", "Có hàng cách ly"),
    ("blocked", "Ngừng bán"),
]
Message = Annotated[str | None, Query(max_length=500)]
RECEIPT_NUMBER = re.compile(r"[A-Z0-9_-]{1,40}")


def _render(
    request: Request,
    template: str,
    user: Principal | None,
    *,
    title: str,
    showroom: Showroom | None = None,
    active: str = "",
    **context: Any,
) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        template,
        {
            "page_title": title,
            "user": user,
            "showroom": showroom,
            "active": active,
            "ok": request.query_params.get("ok"),
            "error": request.query_params.get("loi"),
            "methods": METHODS,
            **context,
        },
    )


def _back(path: str, *, ok: str | None = None, error: str | None = None) -> RedirectResponse:
    query = urlencode({k: v for k, v in (("ok", ok), ("loi", error)) if v})
    return RedirectResponse(f"{path}?{query}" if query else path, status_code=303)


def _explain(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        return f"Dữ liệu không hợp lệ ({where}): {first.get('msg', '')}"
    assert isinstance(exc, DomainError)
    return exc.detail


async def _attempt(
    action: Callable[[], Awaitable[Any]], *, done: str, ok: str, failed: str
) -> RedirectResponse:
    try:
        result = await action()
    except (DomainError, ValidationError) as exc:
        return _back(failed, error=_explain(exc))
    target = done.format(result=result) if "{" in done else done
    return _back(target, ok=ok)


# -- showroom management (trade staff, admin) ------------------------------------------------
def _kiosks(text: str) -> list[dict[str, str]]:
    kiosks = []
    for line in text.splitlines():
        code, _, name = line.strip().partition(" ")
        if code:
            kiosks.append({"code": code, "name": name.strip() or code})
    return kiosks


def _showroom_fields(form: dict[str, str]) -> dict[str, Any]:
    fair = None
    if form.get("trade_event_id"):
        fair = {
            "trade_event_id": form["trade_event_id"],
            "booth_code": form.get("booth_code") or None,
        }
    bank = None
    if form.get("bank_bin") or form.get("account_number"):
        bank = {
            "bank_bin": form.get("bank_bin", ""),
            "account_number": form.get("account_number", "").replace(" ", ""),
            "account_name": form.get("account_name", ""),
        }
    return {
        "bank": bank,
        "name": form.get("name", ""),
        "address": form.get("address", ""),
        "kiosks": _kiosks(form.get("kiosks", "")),
        "fair": fair,
        "accepts_key_farm_products": form.get("accepts_key_farm_products") == "1",
        "low_stock_threshold": whole_number(form.get("low_stock_threshold"), "low_stock_threshold"),
        "near_expiry_days": whole_number(form.get("near_expiry_days"), "near_expiry_days"),
        "commission_percent": whole_number(form.get("commission_percent"), "commission_percent"),
    }


async def _form(request: Request) -> dict[str, str]:
    data = await request.form()
    return {k: v.strip() for k, v in data.items() if isinstance(v, str)}


@router.get("/quan-ly", response_class=HTMLResponse)
async def manage_page(request: Request, orders: OrdersDep, user: ConsoleManager) -> HTMLResponse:
    showrooms = await OrdersRepository(orders.db).list_showrooms()
    return _render(
        request, "manage.html", user, title="Quản lý điểm bán", showrooms=showrooms, current=None
    )


@router.post("/quan-ly")
async def manage_create(request: Request, orders: OrdersDep, user: ConsoleManager) -> Response:
    form = await _form(request)

    async def act() -> Any:
        fields = _showroom_fields(form)
        fields["commission_percent"] = fields["commission_percent"] or 0
        command = CreateShowroom.model_validate(
            {**fields, "code": form.get("code", ""), "province": form.get("province", "")}
        )
        return await showrooms_service.create_showroom(orders, command, user)

    return await _attempt(act, done="/quay/quan-ly", ok="Đã mở điểm bán", failed="/quay/quan-ly")


@router.get("/quan-ly/{showroom_id}", response_class=HTMLResponse)
async def manage_edit_page(
    request: Request, showroom_id: ShowroomId, orders: OrdersDep, user: ConsoleManager
) -> HTMLResponse:
    repository = OrdersRepository(orders.db)
    return _render(
        request,
        "manage.html",
        user,
        title="Quản lý điểm bán",
        showrooms=await repository.list_showrooms(),
        current=await repository.get_showroom(showroom_id),
    )


@router.post("/quan-ly/{showroom_id}")
async def manage_update(
    request: Request, showroom_id: ShowroomId, orders: OrdersDep, user: ConsoleManager
) -> Response:
    here = f"/quay/quan-ly/{showroom_id}"
    form = await _form(request)

    async def act() -> Any:
        fields = _showroom_fields(form)
        command = UpdateShowroom.model_validate(
            {
                **fields,
                "clear_fair": fields["fair"] is None,
                "clear_bank": fields["bank"] is None,
                "active": form.get("active") == "1",
            }
        )
        return await showrooms_service.update_showroom(orders, showroom_id, command, user)

    return await _attempt(act, done=here, ok="Đã lưu", failed=here)


# -- showrooms and overview ------------------------------------------------------------------
@router.get("/", response_class=HTMLResponse)
async def choose_showroom(
    request: Request,
    orders: OrdersDep,
    who: Annotated[Principal | None, Depends(console_principal)],
) -> Response:
    if (
        who is not None
        and not who.has_any(Role.SHOWROOM_OPERATOR)
        and who.has_any(Role.TRADE_STAFF)
    ):
        return RedirectResponse("/quay/quan-ly", status_code=303)
    if who is not None and not who.has_any(Role.SHOWROOM_OPERATOR) and who.producer_id:
        return RedirectResponse("/quay/nha-san-xuat", status_code=303)
    user = signed_in_operator(who)
    repository = OrdersRepository(orders.db)
    mine = await repository.list_showrooms(None if Role.ADMIN in user.roles else user.showroom_ids)
    if len(mine) == 1:
        return RedirectResponse(f"/quay/{mine[0].id}", status_code=303)
    return _render(
        request,
        "showrooms.html",
        user,
        title="Chọn điểm bán",
        showrooms=mine,
        manager=user.has_any(Role.TRADE_STAFF),
    )


@router.get("/{showroom_id}", response_class=HTMLResponse)
async def overview(
    request: Request, showroom_id: ShowroomId, orders: OrdersDep, user: ConsoleUser
) -> HTMLResponse:
    showroom = await showroom_in_scope(orders, user, showroom_id)
    repository = OrdersRepository(orders.db)
    summary = await reports.daily_summary(orders, showroom, orders.clock.today())
    rows = await reports.stock_rows(orders, showroom, status="low")
    open_withdrawals = await repository.withdrawals(showroom.id, open_only=True)
    recent = (await repository.sales_of_day(showroom.id, orders.clock.today()))[:15]
    return _render(
        request,
        "overview.html",
        user,
        title=showroom.name,
        showroom=showroom,
        active="home",
        summary=summary,
        low_count=len([r for r in rows if not r.block_reason]),
        withdrawal_count=len(open_withdrawals),
        alert_count=len(open_withdrawals),
        recent=recent,
    )


# -- stock -----------------------------------------------------------------------------------
@router.get("/{showroom_id}/ton-kho", response_class=HTMLResponse)
async def stock_page(
    request: Request,
    showroom_id: ShowroomId,
    orders: OrdersDep,
    user: ConsoleUser,
    q: Annotated[str | None, Query(max_length=100)] = None,
    status: Annotated[str | None, Query(pattern="^(low|blocked|quarantine|expiring|)$")] = None,
) -> HTMLResponse:
    showroom = await showroom_in_scope(orders, user, showroom_id)
    rows = await reports.stock_rows(orders, showroom, text=q, status=status or None)
    return _render(
        request,
        "stock.html",
        user,
        title="Tồn kho",
        showroom=showroom,
        active="stock",
        rows=rows,
        q=q or "",
        status=status or "",
        filters=STOCK_FILTERS,
    )


MOVEMENTS = {
    "receipt": "Nhập ký gửi",
    "sale": "Bán",
    "return": "Khách trả",
    "void": "Huỷ hoá đơn",
    "transfer_out": "Chuyển đi",
    "transfer_in": "Nhận chuyển đến",
    "adjustment": "Kiểm kê",
    "quarantine": "Rút vào cách ly",
    "release": "Đưa lại lên kệ",
    "return_to_producer": "Trả nhà sản xuất",
}
BUCKETS = {"on_hand": "Trên kệ", "quarantined": "Cách ly", "in_transit": "Đang chuyển"}


@router.get("/{showroom_id}/ton-kho/{product_id}", response_class=HTMLResponse)
async def product_stock_page(
    request: Request,
    showroom_id: ShowroomId,
    product_id: ItemId,
    orders: OrdersDep,
    user: ConsoleUser,
) -> HTMLResponse:
    showroom = await showroom_in_scope(orders, user, showroom_id)
    repository = OrdersRepository(orders.db)
    product = await repository.get_product(product_id)
    balance = await repository.find_balance(showroom_id, product_id)
    if balance is None:
        raise NotFoundError("Điểm bán chưa nhập sản phẩm này", field="product_id")
    today = orders.clock.today()
    lots = sorted(
        await repository.lots(showroom_id, product_id), key=lambda lot: lot.expires_on or date.max
    )
    return _render(
        request,
        "product.html",
        user,
        title=product.name,
        showroom=showroom,
        active="stock",
        product=product,
        balance=balance,
        lots=lots,
        ledger=await repository.ledger(showroom_id, product_id),
        movements=MOVEMENTS,
        buckets=BUCKETS,
        today=today,
        reason=block_reason(product, showroom, today),
        threshold=threshold_of(balance, showroom, orders.settings.default_low_stock_threshold),
    )


@router.post("/{showroom_id}/ton-kho/{product_id}")
async def product_settings_submit(
    showroom_id: ShowroomId,
    product_id: ItemId,
    orders: OrdersDep,
    user: ConsoleUser,
    price_vnd: Annotated[str, Form(max_length=15)] = "",
    low_stock_threshold: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    here = f"/quay/{showroom_id}/ton-kho/{product_id}"
    ensure_showroom_scope(user, showroom_id)

    async def act() -> Any:
        command = SetProductSettings(
            price_vnd=whole_number(price_vnd, "price_vnd"),
            low_stock_threshold=whole_number(low_stock_threshold, "low_stock_threshold"),
        )
        return await movements.set_product_settings(orders, showroom_id, product_id, command, user)

    return await _attempt(act, done=here, ok="Đã lưu", failed=here)


async def _choices(orders: Orders, showroom: Showroom) -> list[dict[str, Any]]:
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


@router.get("/{showroom_id}/nhap-hang", response_class=HTMLResponse)
async def receive_page(
    request: Request, showroom_id: ShowroomId, orders: OrdersDep, user: ConsoleUser
) -> HTMLResponse:
    showroom = await showroom_in_scope(orders, user, showroom_id)
    return _render(
        request,
        "receive.html",
        user,
        title="Nhập hàng",
        showroom=showroom,
        active="receive",
        products=[_ChoiceView(c) for c in await _choices(orders, showroom)],
    )


class _ChoiceView:
    def __init__(self, data: dict[str, Any]) -> None:
        self.product = data["product"]
        self.sellable = data["sellable"]
        self.block_reason = data["block_reason"]


@router.post("/{showroom_id}/nhap-hang")
async def receive_submit(
    showroom_id: ShowroomId,
    orders: OrdersDep,
    user: ConsoleUser,
    product_id: Annotated[str, Form(max_length=64)],
    quantity: Annotated[str, Form(max_length=10)],
    lot_code: Annotated[str, Form(max_length=40)] = "KHONG-LO",
    expires_on: Annotated[str, Form(max_length=10)] = "",
    price_vnd: Annotated[str, Form(max_length=15)] = "",
    note: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    here = f"/quay/{showroom_id}/nhap-hang"
    ensure_showroom_scope(user, showroom_id)

    async def act() -> Any:
        command = ReceiveGoods(
            lines=[
                ReceiptLine.model_validate(
                    {
                        "product_id": product_id,
                        "quantity": quantity,
                        "lot_code": lot_code or "KHONG-LO",
                        "expires_on": expires_on or None,
                        "price_vnd": whole_number(price_vnd, "price_vnd"),
                    }
                )
            ],
            note=note or None,
        )
        return await movements.receive_goods(orders, showroom_id, command, user)

    return await _attempt(act, done=here, ok="Đã nhập kho", failed=here)


# -- point of sale ---------------------------------------------------------------------------
@router.get("/{showroom_id}/ban-hang", response_class=HTMLResponse)
async def sell_page(
    request: Request, showroom_id: ShowroomId, orders: OrdersDep, user: ConsoleUser
) -> HTMLResponse:
    showroom = await showroom_in_scope(orders, user, showroom_id)
    choices = await _choices(orders, showroom)
    shown = [
        {k: c[k] for k in ("id", "name", "gtin", "price", "available", "sellable", "search")}
        | {"reason": c["block_reason"] or ""}
        for c in choices
        # Blocked products only when this showroom holds them: the page stays small.
        if c["available"] > 0 or (not c["sellable"] and c["stocked"])
    ]
    return _render(
        request,
        "sell.html",
        user,
        title="Bán hàng",
        showroom=showroom,
        active="sell",
        # A key per page load: a double tap or a resent form never sells twice.
        idempotency_key=f"quay-{uuid.uuid4().hex}",
        products_json=json.dumps(shown, ensure_ascii=False).replace("</", "<\\/"),
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
        return _back(here, error="Giỏ hàng không đọc được; hãy thử lại")

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
        return _back(here, error=_friendly_refusal(exc))
    except (DomainError, ValidationError) as exc:
        return _back(here, error=_explain(exc))
    return _back(f"/quay/{showroom_id}/hoa-don/{sale_id}", ok="Đã thanh toán")


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
        return _back(f"/quay/{showroom_id}", error=f"Không tìm thấy hoá đơn số {so.strip()[:40]}")
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
    return _render(
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
        return await sales.record_return(
            orders, showroom_id, sale_id, command, user, idempotency_key
        )

    return await _attempt(act, done=here, ok="Đã nhận trả hàng", failed=here)


@router.post("/{showroom_id}/hoa-don/{sale_id}/da-nhan-tien")
async def confirm_transfer_submit(
    showroom_id: ShowroomId, sale_id: ItemId, orders: OrdersDep, user: ConsoleUser
) -> Response:
    here = f"/quay/{showroom_id}/hoa-don/{sale_id}"
    ensure_showroom_scope(user, showroom_id)
    return await _attempt(
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
        return await sales.void_sale(orders, showroom_id, sale_id, command, user)

    return await _attempt(act, done=here, ok="Đã huỷ hoá đơn", failed=here)


# -- transfers and stock-takes ---------------------------------------------------------------
@router.get("/{showroom_id}/chuyen-kho", response_class=HTMLResponse)
async def transfers_page(
    request: Request, showroom_id: ShowroomId, orders: OrdersDep, user: ConsoleUser
) -> HTMLResponse:
    showroom = await showroom_in_scope(orders, user, showroom_id)
    repository = OrdersRepository(orders.db)
    everyone = await repository.list_showrooms()
    transfers = await repository.transfers_of(showroom.id)
    rows = await reports.stock_rows(orders, showroom)
    ids = sorted({line.product_id for t in transfers for line in t.lines})
    return _render(
        request,
        "transfers.html",
        user,
        title="Chuyển kho",
        showroom=showroom,
        active="transfer",
        others=[s for s in everyone if s.id != showroom.id and s.active],
        names={s.id: s.name for s in everyone},
        product_names={p.id: p.name for p in (await repository.products(ids)).values()},
        transfers=transfers,
        rows=rows,
    )


@router.post("/{showroom_id}/chuyen-kho")
async def transfer_submit(
    showroom_id: ShowroomId,
    orders: OrdersDep,
    user: ConsoleUser,
    to_showroom_id: Annotated[str, Form(max_length=64)],
    product_id: Annotated[str, Form(max_length=64)],
    quantity: Annotated[str, Form(max_length=10)],
    note: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    here = f"/quay/{showroom_id}/chuyen-kho"
    ensure_showroom_scope(user, showroom_id)

    async def act() -> Any:
        command = CreateTransfer(
            to_showroom_id=to_showroom_id,
            lines=[
                TransferLineInput.model_validate({"product_id": product_id, "quantity": quantity})
            ],
            note=note or None,
        )
        return await movements.create_transfer(orders, showroom_id, command, user)

    return await _attempt(act, done=here, ok="Đã tạo phiếu chuyển", failed=here)


@router.post("/{showroom_id}/chuyen-kho/{transfer_id}/nhan")
async def transfer_receive(
    showroom_id: ShowroomId, transfer_id: ItemId, orders: OrdersDep, user: ConsoleUser
) -> Response:
    here = f"/quay/{showroom_id}/chuyen-kho"
    ensure_showroom_scope(user, showroom_id)
    return await _attempt(
        lambda: movements.receive_transfer(orders, showroom_id, transfer_id, user),
        done=here,
        ok="Đã nhận hàng chuyển đến",
        failed=here,
    )


@router.get("/{showroom_id}/kiem-kho", response_class=HTMLResponse)
async def stocktake_page(
    request: Request, showroom_id: ShowroomId, orders: OrdersDep, user: ConsoleUser
) -> HTMLResponse:
    showroom = await showroom_in_scope(orders, user, showroom_id)
    rows = await reports.stock_rows(orders, showroom)
    return _render(
        request,
        "stocktake.html",
        user,
        title="Kiểm kê",
        showroom=showroom,
        active="count",
        rows=rows,
    )


@router.post("/{showroom_id}/kiem-kho")
async def stocktake_submit(
    request: Request, showroom_id: ShowroomId, orders: OrdersDep, user: ConsoleUser
) -> Response:
    here = f"/quay/{showroom_id}/kiem-kho"
    ensure_showroom_scope(user, showroom_id)
    form = await request.form()
    counts = []
    for key, value in form.items():
        if key.startswith("count_") and isinstance(value, str) and value.strip():
            counts.append({"product_id": key.removeprefix("count_"), "counted": value.strip()})
    reason = str(form.get("reason") or "")
    if not counts:
        return _back(here, error="Chưa nhập số đếm nào")

    async def act() -> Any:
        command = StockTake(
            lines=[CountLine.model_validate(c) for c in counts[:1000]], reason=reason
        )
        return await movements.stock_take(orders, showroom_id, command, user)

    return await _attempt(act, done=here, ok="Đã ghi kết quả kiểm kê", failed=here)


# -- alerts and withdrawals ------------------------------------------------------------------
@router.get("/{showroom_id}/canh-bao", response_class=HTMLResponse)
async def alerts_page(
    request: Request, showroom_id: ShowroomId, orders: OrdersDep, user: ConsoleUser
) -> HTMLResponse:
    showroom = await showroom_in_scope(orders, user, showroom_id)
    repository = OrdersRepository(orders.db)
    open_withdrawals = await repository.withdrawals(showroom.id, open_only=True)
    rows = await reports.stock_rows(orders, showroom)
    products = await repository.products(sorted({w.product_id for w in open_withdrawals}))
    today = orders.clock.today()
    return _render(
        request,
        "alerts.html",
        user,
        title="Cảnh báo",
        showroom=showroom,
        active="alerts",
        alert_count=len(open_withdrawals),
        withdrawals=open_withdrawals,
        alerts=await reports.alerts(orders, showroom),
        kinds=ALERT_KINDS,
        rows=rows,
        sellable_ids={p.id for p in products.values() if not block_reason(p, showroom, today)},
    )


@router.post("/{showroom_id}/rut-hang")
async def quarantine_submit(
    showroom_id: ShowroomId,
    orders: OrdersDep,
    user: ConsoleUser,
    product_id: Annotated[str, Form(max_length=64)],
    reason: Annotated[str, Form(max_length=500)],
    quantity: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    here = f"/quay/{showroom_id}/canh-bao"
    ensure_showroom_scope(user, showroom_id)

    async def act() -> Any:
        command = Quarantine(
            product_id=product_id, reason=reason, quantity=whole_number(quantity, "quantity")
        )
        return await withdrawals.quarantine(orders, showroom_id, command, user)

    return await _attempt(act, done=here, ok="Đã rút hàng vào khu cách ly", failed=here)


@router.post("/{showroom_id}/rut-hang/{withdrawal_id}/{action}")
async def withdrawal_submit(
    showroom_id: ShowroomId,
    withdrawal_id: ItemId,
    action: Annotated[str, Path(pattern="^(tra-nha-san-xuat|ban-lai)$")],
    orders: OrdersDep,
    user: ConsoleUser,
) -> Response:
    here = f"/quay/{showroom_id}/canh-bao"
    ensure_showroom_scope(user, showroom_id)
    release = action == "ban-lai"
    return await _attempt(
        lambda: withdrawals.close_withdrawal(
            orders, showroom_id, withdrawal_id, CloseWithdrawal(), user, release=release
        ),
        done=here,
        ok="Đã đưa hàng lại lên kệ" if release else "Đã trả hàng cho nhà sản xuất",
        failed=here,
    )


# -- daily report ----------------------------------------------------------------------------
@router.get("/{showroom_id}/bao-cao", response_class=HTMLResponse)
async def report_page(
    request: Request,
    showroom_id: ShowroomId,
    orders: OrdersDep,
    user: ConsoleUser,
    day: Annotated[date | None, Query()] = None,
) -> HTMLResponse:
    showroom = await showroom_in_scope(orders, user, showroom_id)
    summary = await reports.daily_summary(orders, showroom, day or orders.clock.today())
    return _render(
        request,
        "report.html",
        user,
        title="Báo cáo",
        showroom=showroom,
        active="report",
        summary=summary,
    )
