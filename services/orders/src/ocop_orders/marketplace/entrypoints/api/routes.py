"""REST API of the marketplace connectors: listings, feed export, reconcile, call journal."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field

from ocop_orders.domain.labels import TITLES
from ocop_orders.entrypoints.api.deps import ItemId, OrdersDep
from ocop_orders.marketplace.adapters.listings_store import ListingStore
from ocop_orders.marketplace.adapters.partner_api import marketplace_clients
from ocop_orders.marketplace.domain.listings import Listing, ListingStatus, Marketplace
from ocop_orders.marketplace.service_layer import feed, listings
from ocop_orders.marketplace.service_layer.reconcile import ReconcileReport, reconcile_channel
from ocop_orders.service_layer import outbound
from ocop_orders.service_layer.unit_of_work import Orders
from ocop_shared.auth import Principal, Role, ensure_producer_scope
from ocop_shared.errors import NotFoundError
from ocop_shared.text import Text
from ocop_shared.web.exports import XLSX_MEDIA_TYPE, xlsx_response
from ocop_shared.web.security import require_roles

router = APIRouter(prefix="/api/v1", tags=["marketplaces"])

Reader = Annotated[Principal, Depends(require_roles(*listings.READERS))]
Editor = Annotated[Principal, Depends(require_roles(*listings.EDITORS))]
Officer = Annotated[Principal, Depends(require_roles(Role.TRADE_STAFF, Role.PROVINCE_OFFICER))]
ListingId = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")]
CallId = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9]+$")]
Target = Annotated[str | None, Query(max_length=40, pattern=r"^[a-z0-9_-]+$")]


class CreateListing(BaseModel):
    model_config = ConfigDict(extra="forbid", field_title_generator=TITLES)

    product_id: Text = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    channel: Marketplace
    price_vnd: int | None = Field(default=None, gt=0, le=1_000_000_000)
    stock: int = Field(default=0, ge=0, le=1_000_000)


class ChangeListing(BaseModel):
    model_config = ConfigDict(extra="forbid")

    price_vnd: int | None = Field(default=None, gt=0, le=1_000_000_000)
    stock: int | None = Field(default=None, ge=0, le=1_000_000)


class CallView(BaseModel):
    id: str
    target: str
    operation: str
    key: str
    ordering_key: str
    outcome: outbound.CallOutcome
    tries: int
    max_attempts: int
    next_attempt_at: datetime
    created_at: datetime
    last_error: str | None
    attempts: list[dict[str, Any]]
    payload: dict[str, Any]


class ListingDetail(BaseModel):
    listing: Listing
    calls: list[CallView]


class Redrive(BaseModel):
    model_config = ConfigDict(extra="forbid", field_title_generator=TITLES)

    target: Text | None = Field(default=None, max_length=40, pattern=r"^[a-z0-9_-]+$")
    call_id: Text | None = Field(default=None, max_length=40, pattern=r"^[A-Za-z0-9]+$")


class RedriveResult(BaseModel):
    redriven: list[str]


class DifferenceView(BaseModel):
    channel: str
    producer_id: str
    sku: str
    problem: str
    fix: str


class ReconcileView(BaseModel):
    channel: str
    checked: int
    queued: int
    differences: list[DifferenceView]
    errors: list[str]


def call_view(call: outbound.OutboundCall) -> CallView:
    return CallView(
        id=call.id,
        target=call.target,
        operation=call.operation,
        key=call.key,
        ordering_key=call.ordering_key,
        outcome=call.outcome,
        tries=call.tries,
        max_attempts=call.max_attempts,
        next_attempt_at=call.next_attempt_at,
        created_at=call.created_at,
        last_error=call.last_error,
        attempts=call.attempts,
        payload=call.payload,
    )


def report_view(report: ReconcileReport) -> ReconcileView:
    return ReconcileView(
        channel=report.channel,
        checked=report.checked,
        queued=report.queued,
        differences=[DifferenceView(**d.__dict__) for d in report.differences],
        errors=report.errors,
    )


@router.get("/listings", response_model=list[Listing])
async def search(
    orders: OrdersDep,
    user: Reader,
    producer_id: Annotated[str | None, Query(max_length=64, pattern=r"^[A-Za-z0-9_-]+$")] = None,
    channel: Marketplace | None = None,
    listing_status: Annotated[ListingStatus | None, Query(alias="status")] = None,
) -> list[Listing]:
    return await listings.search_listings(
        orders, user, producer_id=producer_id, channel=channel, status=listing_status
    )


@router.post("/listings", response_model=Listing, status_code=status.HTTP_201_CREATED)
async def create(body: CreateListing, orders: OrdersDep, user: Editor) -> Listing:
    return await listings.create_listing(
        orders,
        user,
        listings.ListingRequest(body.product_id, body.channel, body.price_vnd, body.stock),
    )


async def _scoped_listing(orders: Orders, user: Principal, listing_id: str) -> Listing:
    listing = await ListingStore(orders.db).get(listing_id)
    ensure_producer_scope(user, listing.producer_id)
    return listing


@router.get("/listings/{listing_id}", response_model=ListingDetail)
async def detail(listing_id: ListingId, orders: OrdersDep, user: Reader) -> ListingDetail:
    listing = await _scoped_listing(orders, user, listing_id)
    calls = await outbound.list_calls(orders.db, key=listing.id, limit=100)
    return ListingDetail(listing=listing, calls=[call_view(c) for c in calls])


@router.patch("/listings/{listing_id}", response_model=Listing)
async def change(
    listing_id: ListingId, body: ChangeListing, orders: OrdersDep, user: Editor
) -> Listing:
    return await listings.change_listing(
        orders, user, listing_id, price_vnd=body.price_vnd, stock=body.stock
    )


@router.delete("/listings/{listing_id}", response_model=Listing)
async def withdraw(listing_id: ListingId, orders: OrdersDep, user: Editor) -> Listing:
    return await listings.withdraw_listing(orders, user, listing_id)


@router.get(
    "/producers/{producer_id}/marketplace-feed.{fmt}",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}, XLSX_MEDIA_TYPE: {}}}},
)
async def feed_export(
    producer_id: ItemId,
    fmt: Literal["csv", "xlsx"],
    orders: OrdersDep,
    user: Reader,
    channel: Marketplace = Marketplace.POSTMART,
) -> Response:
    """Bulk-upload sheet of the producer's products that may be sold on ``channel``."""
    ensure_producer_scope(user, producer_id)
    rows = await feed.producer_feed(orders, producer_id, channel)
    name = f"ocop-{channel.value}-{producer_id}-{orders.clock.today():%Y%m%d}"
    if fmt == "xlsx":
        return xlsx_response(f"{name}.xlsx", "Sản phẩm", feed.FEED_HEADERS, rows)
    return Response(
        feed.csv_bytes(feed.FEED_HEADERS, rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


@router.post("/marketplaces/reconcile", response_model=list[ReconcileView])
async def reconcile(
    orders: OrdersDep, user: Officer, channel: Marketplace | None = None
) -> list[ReconcileView]:
    """Compare each marketplace with our listings now and queue the fixes."""
    clients = marketplace_clients(orders.settings)
    try:
        return [
            report_view(await reconcile_channel(orders, ch, client))
            for ch, client in clients.items()
            if channel is None or ch is channel
        ]
    finally:
        for client in clients.values():
            await client.aclose()


@router.get("/calls", response_model=list[CallView])
async def calls(
    orders: OrdersDep,
    user: Officer,
    outcome: outbound.CallOutcome | None = None,
    target: Target = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[CallView]:
    found = await outbound.list_calls(orders.db, outcome=outcome, target=target, limit=limit)
    return [call_view(c) for c in found]


@router.get("/calls/{call_id}", response_model=CallView)
async def call_detail(call_id: CallId, orders: OrdersDep, user: Officer) -> CallView:
    call = await outbound.get_call(orders.db, call_id)
    if call is None:
        raise NotFoundError("Không tìm thấy lệnh gọi", field="call_id")
    return call_view(call)


@router.post("/calls/redrive", response_model=RedriveResult)
async def redrive(body: Redrive, orders: OrdersDep, user: Officer) -> RedriveResult:
    """Put parked calls back (all, one target's, or one call) for the worker to retry."""
    ids = await outbound.redrive(
        orders.db, now=orders.clock.now(), target=body.target, call_id=body.call_id
    )
    return RedriveResult(redriven=ids)
