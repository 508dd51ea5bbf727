"""Orders arriving from marketplaces: by webhook (HMAC-signed) or by a pull job.

Both paths end in `ecommerce.place_order`, idempotent on (channel, remote order id), so a
webhook and a pull that see the same order, or a marketplace retrying, take it in once.
An order that cannot be taken in (product no longer certified, out of stock) is recorded
in `rejected_intakes` for staff, and the pull moves on.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Protocol

import structlog
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ocop_orders.adapters.ecommerce_repository import PULL_STATE, REJECTED_INTAKES
from ocop_orders.config import OrdersSettings
from ocop_orders.domain.ecommerce import (
    Buyer,
    EcomOrder,
    Fulfilment,
    OrderLineIn,
    PlaceOrder,
    RemoteId,
)
from ocop_orders.service_layer.ecommerce import place_order
from ocop_orders.service_layer.unit_of_work import Orders
from ocop_shared.contracts.orders import OrderChannel, OrderPaymentKind
from ocop_shared.errors import DomainError, NotFoundError

log = structlog.get_logger(__name__)

MARKETPLACES = (OrderChannel.POSTMART, OrderChannel.VOSO)


class RemoteOrder(BaseModel):
    """A marketplace order as our partner contract defines it (webhook body or pull item)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    order_id: RemoteId
    buyer: Buyer
    lines: list[OrderLineIn] = Field(min_length=1, max_length=100)
    payment: OrderPaymentKind
    shipping_fee_vnd: int = Field(default=0, ge=0, le=100_000_000)
    buyer_pays_shipping: bool = True
    note: Annotated[str, StringConstraints(max_length=500)] | None = None
    fulfilment: Fulfilment | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class OrderPage:
    orders: list[RemoteOrder]
    next_cursor: str | None = None


class OrderSource(Protocol):
    """What the pull job needs from a marketplace adapter."""

    channel: OrderChannel

    async def fetch_orders(self, updated_since: datetime | None, cursor: str | None) -> OrderPage:
        """Orders changed since `updated_since`, one page at a time (`cursor` from the last)."""
        ...


def marketplace(channel: str) -> OrderChannel:
    try:
        found = OrderChannel(channel)
    except ValueError:
        found = None
    if found not in MARKETPLACES:
        raise NotFoundError(f"Không có kênh bán {channel}", field="path.channel")
    assert found is not None
    return found


def signature_ok(settings: OrdersSettings, channel: OrderChannel, raw: bytes, given: str) -> bool:
    """HMAC-SHA256 of the raw body with the channel's secret, hex (optionally "sha256=")."""
    secret = settings.channel_webhook_secret(channel.value)
    if not secret:
        return False
    expected = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    given = given.strip().removeprefix("sha256=").lower()
    return hmac.compare_digest(expected.encode(), given.encode())


def sign(secret: str, raw: bytes) -> str:
    return hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def to_place_order(settings: OrdersSettings, remote: RemoteOrder) -> PlaceOrder:
    fulfilment = remote.fulfilment
    if fulfilment is None:
        showroom = settings.ecommerce_fulfilment_showroom_id
        fulfilment = (
            Fulfilment(kind="showroom", showroom_id=showroom)
            if showroom
            else Fulfilment(kind="producer")
        )
    return PlaceOrder(
        remote_order_id=remote.order_id,
        buyer=remote.buyer,
        lines=remote.lines,
        payment=remote.payment,
        shipping_fee_vnd=remote.shipping_fee_vnd,
        buyer_pays_shipping=remote.buyer_pays_shipping,
        fulfilment=fulfilment,
        note=remote.note,
    )


async def take_in(
    orders: Orders, channel: OrderChannel, remote: RemoteOrder
) -> tuple[EcomOrder, bool]:
    return await place_order(
        orders, channel, to_place_order(orders.settings, remote), f"{channel.value}-connector"
    )


@dataclass
class PullReport:
    channel: str
    seen: int = 0
    created: int = 0
    replayed: int = 0
    rejected: list[str] = field(default_factory=list)


async def pull_orders(orders: Orders, source: OrderSource, *, max_pages: int = 50) -> PullReport:
    """Take in what the marketplace has since the last pull; the checkpoint moves per page."""
    channel = source.channel
    state = await orders.db[PULL_STATE].find_one({"_id": channel.value}) or {}
    since: datetime | None = state.get("updated_since")
    cursor: str | None = state.get("cursor")
    report = PullReport(channel.value)
    for _ in range(max_pages):
        page = await source.fetch_orders(since, cursor)
        newest = since
        for remote in page.orders:
            report.seen += 1
            try:
                _, replayed = await take_in(orders, channel, remote)
            except DomainError as exc:
                await record_rejected(orders, channel, remote.order_id, exc)
                report.rejected.append(remote.order_id)
                continue
            if replayed:
                report.replayed += 1
            else:
                report.created += 1
            if remote.updated_at and (newest is None or remote.updated_at > newest):
                newest = remote.updated_at
        cursor = page.next_cursor
        checkpoint = {"updated_since": since if cursor else newest, "cursor": cursor}
        await orders.db[PULL_STATE].update_one(
            {"_id": channel.value}, {"$set": checkpoint}, upsert=True
        )
        if cursor is None:
            break
    log.info(
        "ecommerce_pull.done",
        channel=channel.value,
        seen=report.seen,
        created=report.created,
        rejected=len(report.rejected),
    )
    return report


async def record_rejected(
    orders: Orders, channel: OrderChannel, remote_order_id: str, exc: DomainError
) -> None:
    await orders.db[REJECTED_INTAKES].update_one(
        {"_id": f"{channel.value}:{remote_order_id}"},
        {
            "$set": {
                "channel": channel.value,
                "remote_order_id": remote_order_id,
                "reason": exc.detail,
                "code": exc.code,
                "field": exc.field,
                "at": orders.clock.now(),
            }
        },
        upsert=True,
    )
    log.warning(
        "ecommerce_intake.rejected",
        channel=channel.value,
        remote_order_id=remote_order_id,
        code=exc.code,
    )
