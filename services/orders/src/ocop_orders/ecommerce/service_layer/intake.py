"""Orders arriving from marketplaces: by webhook (HMAC-signed) or by a pull job.

The order shape is the partner contract's (`domain.channel.RemoteOrder`, see
docs/MARKETPLACE_PARTNER_API.md). Both paths end in `ecommerce.place_order`, idempotent on
(channel, remote order id), so a webhook and a pull that see the same order, or a
marketplace retrying, take it in once. A "cancelled" order cancels ours while it has not
left; an order that cannot be taken in (product no longer certified, out of stock, bad
data) is recorded in `rejected_intakes` for staff, and the pull moves on.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import structlog
from pydantic import ValidationError

from ocop_orders.config import OrdersSettings
from ocop_orders.ecommerce.adapters.repository import (
    EcommerceRepository,
)
from ocop_orders.ecommerce.domain.model import EcomOrder, Fulfilment, OrderState, PlaceOrder
from ocop_orders.ecommerce.domain.shipping import ShipmentStatus
from ocop_orders.ecommerce.service_layer.orders import SYSTEM, cancel_in, place_order
from ocop_orders.marketplace.domain.channel import OrderPage, RemoteOrder
from ocop_orders.service_layer.unit_of_work import Orders, UnitOfWork, run_in_unit_of_work
from ocop_shared.contracts.orders import OrderChannel
from ocop_shared.errors import (
    DomainError,
    InvalidStateError,
    NotFoundError,
    ValidationFailedError,
)

log = structlog.get_logger(__name__)

MARKETPLACES = (OrderChannel.POSTMART, OrderChannel.VOSO)
TAKE_IN = frozenset({"pending", "confirmed"})


class OrderSource(Protocol):
    """What the pull job needs from a marketplace: pages of orders changed since a time."""

    @property
    def channel(self) -> OrderChannel: ...

    @property
    def key(self) -> str:
        """Names the checkpoint (e.g. channel and seller)."""
        ...

    async def fetch_orders(self, updated_since: datetime | None, cursor: str | None) -> OrderPage:
        """Orders changed since `updated_since`, one page at a time (`cursor` from the last)."""
        ...


class SellerOrders(Protocol):
    async def fetch_orders(
        self, updated_since: datetime | None, cursor: str | None = None, *, seller_id: str
    ) -> OrderPage: ...


@dataclass(frozen=True)
class MarketplaceOrderSource:
    """One seller's orders on one marketplace, through the partner-API adapter."""

    channel: OrderChannel
    client: SellerOrders
    seller_id: str

    @property
    def key(self) -> str:
        return f"{self.channel.value}:{self.seller_id}"

    async def fetch_orders(self, updated_since: datetime | None, cursor: str | None) -> OrderPage:
        return await self.client.fetch_orders(updated_since, cursor, seller_id=self.seller_id)


def marketplace(channel: str) -> OrderChannel:
    found = next((c for c in MARKETPLACES if c.value == channel), None)
    if found is None:
        raise NotFoundError(f"Không có kênh bán {channel}", field="path.channel")
    return found


def sign(secret: str, raw: bytes) -> str:
    return hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def signature_ok(settings: OrdersSettings, channel: OrderChannel, raw: bytes, given: str) -> bool:
    """HMAC-SHA256 of the raw body with the channel's secret: "sha256=<hex>" (or bare hex)."""
    secret = settings.channel_webhook_secret(channel.value)
    if not secret:
        return False
    given = given.strip().removeprefix("sha256=").lower()
    return hmac.compare_digest(sign(secret, raw).encode(), given.encode())


def to_place_order(settings: OrdersSettings, remote: RemoteOrder, prefix: str) -> PlaceOrder:
    """Our intake command from the marketplace's order; bad data names its field."""
    showroom = settings.ecommerce_fulfilment_showroom_id
    fulfilment = (
        Fulfilment(kind="showroom", showroom_id=showroom)
        if showroom
        else Fulfilment(kind="producer")
    )
    address = remote.buyer.address
    data: dict[str, Any] = {
        "remote_order_id": remote.remote_order_id,
        "buyer": {
            "name": remote.buyer.name,
            "phone": remote.buyer.phone,
            "address": {
                "province": address.province,
                "commune": address.commune,
                "street": address.street,
                "district": address.district,
            },
        },
        "lines": [
            {
                "product_id": line.sku,
                "quantity": line.quantity,
                "unit_price_vnd": line.unit_price_vnd,
            }
            for line in remote.lines
        ],
        "payment": remote.payment_method.value,
        "shipping_fee_vnd": remote.shipping_fee_vnd,
        "buyer_pays_shipping": True,
        "fulfilment": fulfilment,
    }
    try:
        return PlaceOrder.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = [str(p) for p in first["loc"]]
        if loc[:1] == ["lines"] and loc[-1:] == ["product_id"]:
            loc[-1] = "sku"
        if loc[:1] == ["payment"]:
            loc = ["payment_method"]
        raise ValidationFailedError(
            f"Đơn từ sàn không hợp lệ: {first['msg']}", field=".".join([prefix, *loc])
        ) from exc


async def receive(
    orders: Orders, channel: OrderChannel, remote: RemoteOrder, *, prefix: str = "order"
) -> tuple[EcomOrder | None, str]:
    """Apply one marketplace order: "created", "replayed", "cancelled", "ignored" or
    "needs_person" (recorded in `rejected_intakes`)."""
    status = remote.status.strip().lower()
    existing = await EcommerceRepository(orders.db).order_by_remote(
        channel.value, remote.remote_order_id
    )
    if status == "cancelled":
        if existing is None or existing.state not in (OrderState.PLACED, OrderState.CONFIRMED):
            return existing, "ignored"
        try:
            return await _cancel(orders, existing.id), "cancelled"
        except InvalidStateError as exc:
            await record_rejected(orders, channel, remote.remote_order_id, exc)
            return existing, "needs_person"
    if status not in TAKE_IN:
        return existing, "ignored"  # completed / returned: the carrier tells us those
    command = to_place_order(orders.settings, remote, prefix)
    order, replayed = await place_order(orders, channel, command, f"{channel.value}-connector")
    return order, "replayed" if replayed else "created"


async def _cancel(orders: Orders, order_id: str) -> EcomOrder:
    async def work(uow: UnitOfWork) -> EcomOrder:
        store = EcommerceRepository(uow.repository.db, uow.session)
        order = await store.get_order(order_id)
        if order.state not in (OrderState.PLACED, OrderState.CONFIRMED):
            return order
        shipment = await store.shipment_for_order(order_id)
        if shipment is not None and shipment.status is not ShipmentStatus.CANCELLED:
            # The waybill may exist already: a person cancels it, and the order follows.
            raise InvalidStateError(
                "Sàn đã huỷ đơn nhưng đơn đã có vận đơn Viettel Post: hãy huỷ vận đơn",
                field="order.status",
            )
        return await cancel_in(uow, order, "Sàn thương mại điện tử huỷ đơn", SYSTEM)

    return await run_in_unit_of_work(orders, SYSTEM, work)


@dataclass
class PullReport:
    source: str
    seen: int = 0
    created: int = 0
    replayed: int = 0
    cancelled: int = 0
    rejected: list[str] = field(default_factory=list)


async def pull_orders(orders: Orders, source: OrderSource, *, max_pages: int = 50) -> PullReport:
    """Take in what the marketplace has since the last pull; the checkpoint moves per page."""
    store = EcommerceRepository(orders.db)
    state = await store.pull_state(source.key)
    since: datetime | None = state.get("updated_since")
    cursor: str | None = state.get("cursor")
    report = PullReport(source.key)
    newest = since
    for _ in range(max_pages):
        page = await source.fetch_orders(since, cursor)
        for remote in page.items:
            report.seen += 1
            try:
                _, outcome = await receive(orders, source.channel, remote)
            except DomainError as exc:
                await record_rejected(orders, source.channel, remote.remote_order_id, exc)
                report.rejected.append(remote.remote_order_id)
                outcome = "rejected"
            if outcome in ("created", "replayed", "cancelled"):
                setattr(report, outcome, getattr(report, outcome) + 1)
            if newest is None or remote.updated_at > newest:
                newest = remote.updated_at
        cursor = page.next_cursor
        # Mid-feed, keep the cursor; at its end, start the next pull after the newest change.
        checkpoint = {"updated_since": since if cursor else newest, "cursor": cursor}
        await store.save_pull_state(source.key, checkpoint)
        if cursor is None:
            break
    log.info(
        "ecommerce_pull.done",
        source=source.key,
        seen=report.seen,
        created=report.created,
        rejected=len(report.rejected),
    )
    return report


async def record_rejected(
    orders: Orders, channel: OrderChannel, remote_order_id: str, exc: DomainError
) -> None:
    await EcommerceRepository(orders.db).reject_intake(
        f"{channel.value}:{remote_order_id}",
        {
            "channel": channel.value,
            "remote_order_id": remote_order_id,
            "reason": exc.detail,
            "code": exc.code,
            "field": exc.field,
            "at": orders.clock.now(),
        },
    )
    log.warning(
        "ecommerce_intake.rejected",
        channel=channel.value,
        remote_order_id=remote_order_id,
        code=exc.code,
    )
