"""Showroom console: server-rendered pages for the till and the back office, Vietnamese first.

Forms post here and are turned into the same commands the JSON API takes; a refusal comes
back as a message on the page it came from. This module: showroom management, the overview,
alerts and the daily report; `pages_stock` and `pages_till` hold the rest.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ocop_orders.adapters.repository import OrdersRepository
from ocop_orders.domain.commands import (
    CloseWithdrawal,
    CreateShowroom,
    Quarantine,
    UpdateShowroom,
)
from ocop_orders.domain.eligibility import block_reason
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
from ocop_orders.entrypoints.api.pages import (
    attempt,
    read_form,
    render_page,
)
from ocop_orders.service_layer import showrooms as showrooms_service
from ocop_orders.showroom.service_layer import reports, withdrawals
from ocop_shared.auth import Principal, Role, ensure_showroom_scope
from ocop_shared.web.forms import whole_number

router = APIRouter(prefix="/quay", include_in_schema=False)

ALERT_KINDS = {
    "low_stock": "Sắp hết hàng",
    "near_expiry": "Sắp hết hạn",
    "expired": "Đã hết hạn",
    "withdrawal": "Rút hàng",
}


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


@router.get("/quan-ly", response_class=HTMLResponse)
async def manage_page(request: Request, orders: OrdersDep, user: ConsoleManager) -> HTMLResponse:
    showrooms = await OrdersRepository(orders.db).list_showrooms()
    return render_page(
        request, "manage.html", user, title="Quản lý điểm bán", showrooms=showrooms, current=None
    )


@router.post("/quan-ly")
async def manage_create(request: Request, orders: OrdersDep, user: ConsoleManager) -> Response:
    form = await read_form(request)

    async def act() -> Any:
        fields = _showroom_fields(form)
        fields["commission_percent"] = fields["commission_percent"] or 0
        command = CreateShowroom.model_validate(
            {**fields, "code": form.get("code", ""), "province": form.get("province", "")}
        )
        return await showrooms_service.create_showroom(orders, command, user)

    return await attempt(act, done="/quay/quan-ly", ok="Đã mở điểm bán", failed="/quay/quan-ly")


@router.get("/quan-ly/{showroom_id}", response_class=HTMLResponse)
async def manage_edit_page(
    request: Request, showroom_id: ShowroomId, orders: OrdersDep, user: ConsoleManager
) -> HTMLResponse:
    repository = OrdersRepository(orders.db)
    return render_page(
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
    form = await read_form(request)

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

    return await attempt(act, done=here, ok="Đã lưu", failed=here)


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
    return render_page(
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
    return render_page(
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
    return render_page(
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

    return await attempt(act, done=here, ok="Đã rút hàng vào khu cách ly", failed=here)


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
    return await attempt(
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
    return render_page(
        request,
        "report.html",
        user,
        title="Báo cáo",
        showroom=showroom,
        active="report",
        summary=summary,
    )
