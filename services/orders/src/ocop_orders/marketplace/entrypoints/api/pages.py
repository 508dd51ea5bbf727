"""Console pages of the marketplace connectors (Vietnamese): listings per channel with sync
state, errors to fix (parked calls, failed listings), feed download, reconcile."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from ocop_orders.adapters.repository import OrdersRepository
from ocop_orders.entrypoints.api.deps import (
    ItemId,
    LoginRequiredError,
    OrdersDep,
    console_principal,
)
from ocop_orders.entrypoints.api.pages import redirect_back, templates
from ocop_orders.marketplace.adapters.partner_api import marketplace_clients
from ocop_orders.marketplace.domain.listings import (
    STATUS_LABELS,
    ListingStatus,
    Marketplace,
    marketplace_block_reason,
)
from ocop_orders.marketplace.entrypoints.api.routes import feed_export
from ocop_orders.marketplace.service_layer import listings
from ocop_orders.marketplace.service_layer.reconcile import reconcile_channel
from ocop_orders.service_layer import outbound
from ocop_shared.auth import Principal, Role
from ocop_shared.errors import DomainError

router = APIRouter(prefix="/quay/san-tmdt", include_in_schema=False)
Message = Annotated[str | None, Query(max_length=500)]
BASE = "/quay/san-tmdt"
BADGES = {
    ListingStatus.LISTED: "ok",
    ListingStatus.PENDING: "warn",
    ListingStatus.DRAFT: "",
    ListingStatus.DELISTED: "",
    ListingStatus.FAILED: "bad",
}


def signed_in_reader(
    principal: Annotated[Principal | None, Depends(console_principal)],
) -> Principal:
    if principal is None:
        raise LoginRequiredError
    if not principal.has_any(*listings.READERS):
        raise HTTPException(403, "Cần tài khoản nhà sản xuất hoặc cán bộ")
    return principal


Reader = Annotated[Principal, Depends(signed_in_reader)]


def _is_staff(user: Principal) -> bool:
    return user.has_any(Role.TRADE_STAFF, Role.PROVINCE_OFFICER)


def _render(request: Request, template: str, user: Principal, title: str, **ctx: Any) -> Response:
    return templates.TemplateResponse(
        request,
        template,
        {
            "page_title": title,
            "user": user,
            "showroom": None,
            "active": "",
            "ok": request.query_params.get("ok"),
            "error": request.query_params.get("loi"),
            "labels": STATUS_LABELS,
            "badges": BADGES,
            "channels": list(Marketplace),
            "is_staff": _is_staff(user),
            **ctx,
        },
    )


@router.get("", response_class=HTMLResponse)
async def listings_page(
    request: Request,
    orders: OrdersDep,
    user: Reader,
    channel: Marketplace | None = None,
    producer_id: Annotated[str | None, Query(max_length=64, pattern=r"^[A-Za-z0-9_-]*$")] = None,
) -> Response:
    producer = producer_id or None
    try:
        found = await listings.search_listings(orders, user, producer_id=producer, channel=channel)
    except DomainError as exc:
        raise HTTPException(403, exc.detail) from exc
    repo = OrdersRepository(orders.db)
    products = await repo.products(sorted({x.product_id for x in found}))
    shown_producer = listings.visible_producer(user, producer)
    candidates: list[dict[str, Any]] = []
    if shown_producer:
        today = orders.clock.today()
        for product in await repo.products_of_producer(shown_producer):
            candidates.append(
                {"product": product, "blocked": marketplace_block_reason(product, today)}
            )
    counts = {s: sum(1 for x in found if x.status is s) for s in ListingStatus}
    return _render(
        request,
        "marketplace.html",
        user,
        "Bán trên sàn thương mại điện tử",
        listings=found,
        products=products,
        candidates=candidates,
        producer_id=shown_producer,
        channel=channel,
        counts=counts,
        parked=(await outbound.count_calls(orders.db))["parked"] if _is_staff(user) else 0,
    )


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: str(v)[:200] for k, v in form.items() if isinstance(v, str)}


@router.post("/dang")
async def create_submit(request: Request, orders: OrdersDep, user: Reader) -> Response:
    form = await _form(request)
    back = f"{BASE}?producer_id={form.get('producer_id', '')}"
    try:
        price = form.get("price_vnd", "").replace(".", "").replace(",", "").strip()
        stock = form.get("stock", "0").strip() or "0"
        request_ = listings.ListingRequest(
            product_id=form.get("product_id", ""),
            channel=Marketplace(form.get("channel", "")),
            price_vnd=int(price) if price else None,
            stock=int(stock),
        )
        if (request_.price_vnd is not None and request_.price_vnd <= 0) or request_.stock < 0:
            return redirect_back(back, error="Giá và tồn kho phải là số dương")
        await listings.create_listing(orders, user, request_)
    except (DomainError, ValidationError) as exc:
        return redirect_back(back, error=getattr(exc, "detail", str(exc)))
    except ValueError:
        return redirect_back(back, error="Giá, tồn kho hoặc sàn không hợp lệ")
    return redirect_back(back, ok="Đã gửi tin đăng lên sàn (đang đồng bộ)")


@router.post("/{listing_id}/ngung-ban")
async def withdraw_submit(
    listing_id: ItemId, orders: OrdersDep, user: Reader, request: Request
) -> Response:
    try:
        listing = await listings.withdraw_listing(orders, user, listing_id)
    except DomainError as exc:
        return redirect_back(BASE, error=exc.detail)
    return redirect_back(f"{BASE}?producer_id={listing.producer_id}", ok="Đã yêu cầu gỡ khỏi sàn")


@router.post("/doi-soat")
async def reconcile_submit(orders: OrdersDep, user: Reader) -> Response:
    if not _is_staff(user):
        raise HTTPException(403, "Cần vai trò cán bộ")
    clients = marketplace_clients(orders.settings)
    try:
        reports = [await reconcile_channel(orders, ch, c) for ch, c in clients.items()]
    finally:
        for client in clients.values():
            await client.aclose()
    differences = sum(len(r.differences) for r in reports)
    errors = [e for r in reports for e in r.errors]
    message = f"Đối soát xong: {differences} sai lệch, đã xếp lệnh sửa." + (
        f" Không đọc được: {'; '.join(errors)[:200]}" if errors else ""
    )
    return redirect_back(f"{BASE}/loi", ok=message)


@router.get("/loi", response_class=HTMLResponse)
async def errors_page(request: Request, orders: OrdersDep, user: Reader) -> Response:
    if not _is_staff(user):
        raise HTTPException(403, "Cần vai trò cán bộ")
    parked = await outbound.list_calls(orders.db, outcome=outbound.CallOutcome.PARKED)
    failed = await listings.search_listings(orders, user, status=ListingStatus.FAILED)
    return _render(
        request,
        "marketplace_errors.html",
        user,
        "Lỗi cần xử lý – sàn TMĐT",
        parked=parked,
        failed=failed,
        counts=await outbound.count_calls(orders.db),
    )


@router.post("/thu-lai")
async def redrive_submit(request: Request, orders: OrdersDep, user: Reader) -> Response:
    if not _is_staff(user):
        raise HTTPException(403, "Cần vai trò cán bộ")
    form = await _form(request)
    call_id = form.get("call_id") or None
    if call_id is not None and not call_id.isalnum():
        return redirect_back(f"{BASE}/loi", error="Mã lệnh gọi không hợp lệ")
    ids = await outbound.redrive(orders.db, now=orders.clock.now(), call_id=call_id)
    return redirect_back(f"{BASE}/loi", ok=f"Đã đưa {len(ids)} lệnh gọi vào hàng thử lại")


@router.get("/tep/{producer_id}.{fmt}")
async def feed_download(
    producer_id: ItemId,
    fmt: Literal["csv", "xlsx"],
    orders: OrdersDep,
    user: Reader,
    channel: Marketplace = Marketplace.POSTMART,
) -> Response:
    """The bulk-upload file, for the console (cookie sign-in)."""
    try:
        return await feed_export(producer_id, fmt, orders, user, channel)
    except DomainError as exc:
        raise HTTPException(403, exc.detail) from exc
