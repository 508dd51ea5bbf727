"""Showroom console, stock: the stock list and a product's lots, goods received, transfers
between showrooms and stock-takes."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from ocop_orders.adapters.repository import OrdersRepository
from ocop_orders.domain.commands import (
    CountLine,
    CreateTransfer,
    ReceiptLine,
    ReceiveGoods,
    SetProductSettings,
    StockTake,
    TransferLineInput,
)
from ocop_orders.domain.eligibility import block_reason
from ocop_orders.entrypoints.api.deps import (
    ConsoleUser,
    ItemId,
    OrdersDep,
    ShowroomId,
    showroom_in_scope,
)
from ocop_orders.entrypoints.api.pages import (
    attempt,
    redirect_back,
    render_page,
)
from ocop_orders.service_layer.stock import threshold_of
from ocop_orders.showroom.entrypoints.api.pages_till import product_choices
from ocop_orders.showroom.service_layer import movements, reports
from ocop_shared.auth import ensure_showroom_scope
from ocop_shared.errors import NotFoundError
from ocop_shared.web.forms import whole_number

router = APIRouter(prefix="/quay", include_in_schema=False)

STOCK_FILTERS = [
    ("low", "Sắp hết hàng"),
    ("expiring", "Sắp hết hạn"),
    ("quarantine", "Có hàng cách ly"),
    ("blocked", "Ngừng bán"),
]


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
    return render_page(
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
    return render_page(
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

    return await attempt(act, done=here, ok="Đã lưu", failed=here)


@router.get("/{showroom_id}/nhap-hang", response_class=HTMLResponse)
async def receive_page(
    request: Request, showroom_id: ShowroomId, orders: OrdersDep, user: ConsoleUser
) -> HTMLResponse:
    showroom = await showroom_in_scope(orders, user, showroom_id)
    return render_page(
        request,
        "receive.html",
        user,
        title="Nhập hàng",
        showroom=showroom,
        active="receive",
        products=[_ChoiceView(c) for c in await product_choices(orders, showroom)],
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

    return await attempt(act, done=here, ok="Đã nhập kho", failed=here)


# -- point of sale ---------------------------------------------------------------------------
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
    return render_page(
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

    return await attempt(act, done=here, ok="Đã tạo phiếu chuyển", failed=here)


@router.post("/{showroom_id}/chuyen-kho/{transfer_id}/nhan")
async def transfer_receive(
    showroom_id: ShowroomId, transfer_id: ItemId, orders: OrdersDep, user: ConsoleUser
) -> Response:
    here = f"/quay/{showroom_id}/chuyen-kho"
    ensure_showroom_scope(user, showroom_id)
    return await attempt(
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
    return render_page(
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
        return redirect_back(here, error="Chưa nhập số đếm nào")

    async def act() -> Any:
        command = StockTake(
            lines=[CountLine.model_validate(c) for c in counts[:1000]], reason=reason
        )
        return await movements.stock_take(orders, showroom_id, command, user)

    return await attempt(act, done=here, ok="Đã ghi kết quả kiểm kê", failed=here)


# -- alerts and withdrawals ------------------------------------------------------------------
