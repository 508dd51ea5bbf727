"""Marketplace listings: producers choose what to sell on Postmart and Voso; certificates
and the catalogue decide what may stay online; the outbound journal carries every change
to the marketplace, in order per listing.

- ``create_listing`` / ``change_listing`` / ``withdraw_listing``: producer actions (API and
  console), each one transaction with the journalled call.
- ``follow_product``: called by the consumer handlers (same transaction as the inbox
  record) when a certificate or the catalogue changes a product: delist, relist, update.
- ``register_marketplace_executors``: the journal's executors for both marketplaces; their
  ``settle`` updates the listing and publishes ListingSynced / ListingSyncFailed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import structlog

from ocop_orders.config import OrdersSettings
from ocop_orders.domain.model import Product
from ocop_orders.marketplace.adapters.listings_store import ListingStore
from ocop_orders.marketplace.domain.listings import (
    Listing,
    ListingStatus,
    Marketplace,
    listing_id,
    marketplace_block_reason,
    plan_sync,
)
from ocop_orders.service_layer.outbound import (
    NewCall,
    enqueue,
)
from ocop_orders.service_layer.unit_of_work import Orders, UnitOfWork, run_in_unit_of_work
from ocop_shared.auth import Principal, Role, ensure_producer_scope
from ocop_shared.errors import ConflictError, ForbiddenError, ValidationFailedError
from ocop_shared.messaging.consumer import MessageContext
from ocop_shared.mongo import Database, Session
from ocop_shared.timeutil import VIETNAM

log = structlog.get_logger(__name__)

EDITORS = (Role.PRODUCER, Role.TRADE_STAFF, Role.PROVINCE_OFFICER)
READERS = (*EDITORS, Role.COMMUNE_OFFICER)


SWEEP_ACTOR = "he-thong:doi-chieu-san"


def ordering_key(listing_id_: str) -> str:
    """Every call about one listing runs in order, whichever marketplace operation it is."""
    return f"listing:{listing_id_}"


async def queue_sync(
    db: Database,
    session: Session,
    listing: Listing,
    product: Product,
    *,
    now: datetime,
    settings: OrdersSettings,
    stock_changed: bool = False,
) -> Listing:
    """Save ``listing`` with the call (if any) that brings the marketplace in line."""
    today = now.astimezone(VIETNAM).date()
    step, blocked = plan_sync(listing, product, today)
    update: dict[str, object] = {"blocked_reason": blocked, "updated_at": now}
    payload_base = {
        "listing_id": listing.id,
        "seller_id": listing.producer_id,
        "sku": listing.product_id,
    }
    if step is not None:
        if step.operation == "upsert":
            payload = {**payload_base, "content": step.content, "hash": step.hash}
            update |= {"queued_state": "live", "queued_hash": step.hash}
        else:
            payload = {**payload_base, "reason": step.reason}
            update |= {"queued_state": "down", "queued_hash": None}
        await enqueue(
            session,
            db,
            NewCall(
                listing.channel.value,
                step.operation,
                listing.id,
                payload,
                ordering_key=ordering_key(listing.id),
            ),
            now=now,
            settings=settings,
        )
        update["status"] = ListingStatus.PENDING
    elif stock_changed and listing.queued_state == "live":
        await enqueue(
            session,
            db,
            NewCall(
                listing.channel.value,
                "stock",
                listing.id,
                {**payload_base, "stock": listing.stock},
                ordering_key=ordering_key(listing.id),
            ),
            now=now,
            settings=settings,
        )
    store = ListingStore(db, session)
    stored = await store.find(listing.id)
    if step is None and not stock_changed and _same(stored, listing, blocked):
        return listing  # nothing to ask and nothing new to remember
    changed = listing.model_copy(update=update)
    if stored is None:
        await store.add(changed)
    elif not await store.replace(changed, listing.version):
        raise ConflictError("Tin đăng vừa được thay đổi, hãy thử lại", field="listing_id")
    else:
        changed = changed.model_copy(update={"version": listing.version + 1})
    if step is not None:
        log.info(
            "listing.sync_queued",
            listing_id=listing.id,
            operation=step.operation,
            channel=listing.channel.value,
        )
    return changed


def _same(stored: Listing | None, listing: Listing, blocked: str | None) -> bool:
    if stored is None or stored.blocked_reason != blocked:
        return False
    fields = ("wanted", "price_vnd", "stock", "status", "queued_state", "queued_hash", "version")
    return all(getattr(stored, f) == getattr(listing, f) for f in fields)


async def follow_product(
    context: MessageContext, uow: UnitOfWork, product: Product, settings: OrdersSettings
) -> int:
    """A certificate or catalogue change reached ``product``: queue what its listings need."""
    queued = 0
    for listing in await ListingStore(context.db, context.session).of_product(product.id):
        changed = await queue_sync(
            context.db, context.session, listing, product, now=uow.now, settings=settings
        )
        queued += int(changed.queued_state != listing.queued_state or changed != listing)
    return queued


@dataclass(frozen=True)
class ListingRequest:
    product_id: str
    channel: Marketplace
    price_vnd: int | None = None
    stock: int = 0


def _today(orders: Orders) -> date:
    return orders.clock.today()


async def create_listing(orders: Orders, principal: Principal, request: ListingRequest) -> Listing:
    """List a product on a marketplace (or list it again after the producer withdrew it)."""

    async def work(uow: UnitOfWork) -> Listing:
        product = await uow.repository.get_product(request.product_id, field="body.product_id")
        ensure_producer_scope(principal, product.producer_id)
        blocked = marketplace_block_reason(product, _today(orders))
        if blocked is not None:
            raise ValidationFailedError(blocked, field="body.product_id")
        if request.price_vnd is None and product.suggested_price_vnd is None:
            raise ValidationFailedError(
                "Cần giá bán trên sàn (danh mục chưa có giá gợi ý)", field="body.price_vnd"
            )
        now = uow.now
        current = await uow.listings.find(listing_id(product.id, request.channel))
        if current is not None and current.wanted:
            raise ConflictError("Sản phẩm đã được đăng trên sàn này", field="body.product_id")
        listing = (
            current.model_copy(
                update={"wanted": True, "price_vnd": request.price_vnd, "stock": request.stock}
            )
            if current
            else Listing(
                id=listing_id(product.id, request.channel),
                producer_id=product.producer_id,
                product_id=product.id,
                channel=request.channel,
                price_vnd=request.price_vnd,
                stock=request.stock,
                created_at=now,
                updated_at=now,
            )
        )
        return await queue_sync(
            uow.repository.db, uow.session, listing, product, now=now, settings=orders.settings
        )

    return await run_in_unit_of_work(orders, principal.subject, work)


async def change_listing(
    orders: Orders,
    principal: Principal,
    id_: str,
    *,
    price_vnd: int | None = None,
    stock: int | None = None,
) -> Listing:
    async def work(uow: UnitOfWork) -> Listing:
        listing = await uow.listings.get(id_)
        ensure_producer_scope(principal, listing.producer_id)
        if not listing.wanted:
            raise ConflictError("Tin đăng đã ngừng bán; hãy đăng lại", field="listing_id")
        product = await uow.repository.get_product(listing.product_id)
        update: dict[str, object] = {}
        if price_vnd is not None:
            update["price_vnd"] = price_vnd
        if stock is not None:
            update["stock"] = stock
        changed = listing.model_copy(update=update)
        return await queue_sync(
            uow.repository.db,
            uow.session,
            changed,
            product,
            now=uow.now,
            settings=orders.settings,
            stock_changed=stock is not None and stock != listing.stock,
        )

    return await run_in_unit_of_work(orders, principal.subject, work)


async def withdraw_listing(orders: Orders, principal: Principal, id_: str) -> Listing:
    """The producer stops selling on this marketplace: delist (if it was ever shown)."""

    async def work(uow: UnitOfWork) -> Listing:
        store = uow.listings
        listing = await store.get(id_)
        ensure_producer_scope(principal, listing.producer_id)
        product = await uow.repository.get_product(listing.product_id)
        changed = listing.model_copy(update={"wanted": False})
        result = await queue_sync(
            uow.repository.db, uow.session, changed, product, now=uow.now, settings=orders.settings
        )
        if result.queued_state is None:  # never sent: nothing online to take down
            result = result.model_copy(update={"status": ListingStatus.DELISTED})
            await store.replace(result, result.version)
            result = result.model_copy(update={"version": result.version + 1})
        return result

    return await run_in_unit_of_work(orders, principal.subject, work)


def visible_producer(principal: Principal, producer_id: str | None) -> str | None:
    """Producers see only their own listings; staff see all (or the producer they ask)."""
    if principal.has_any(Role.TRADE_STAFF, Role.PROVINCE_OFFICER, Role.COMMUNE_OFFICER):
        return producer_id
    if principal.producer_id is None:
        raise ForbiddenError("Tài khoản không gắn với nhà sản xuất nào", field="producer_id")
    if producer_id is not None and producer_id != principal.producer_id:
        raise ForbiddenError("Tài khoản không thuộc chủ thể này", field="producer_id")
    return principal.producer_id


async def search_listings(
    orders: Orders,
    principal: Principal,
    *,
    producer_id: str | None = None,
    channel: Marketplace | None = None,
    status: ListingStatus | None = None,
) -> list[Listing]:
    return await ListingStore(orders.db).search(
        producer_id=visible_producer(principal, producer_id), channel=channel, status=status
    )


async def sweep_listings(orders: Orders, channel: Marketplace | None = None) -> int:
    """Bring every listing in line with today's rules (e.g. a certificate that reached its
    end date without an event); returns how many listings changed."""
    changed = 0
    for listing in await ListingStore(orders.db).search(channel=channel, limit=2000):

        async def work(uow: UnitOfWork, listing: Listing = listing) -> bool:
            current = await uow.listings.find(listing.id)
            product = await uow.repository.find_product(listing.product_id)
            if current is None or product is None:
                return False
            after = await queue_sync(
                uow.repository.db,
                uow.session,
                current,
                product,
                now=uow.now,
                settings=orders.settings,
            )
            return after.queued_state != current.queued_state or (
                after.queued_hash != current.queued_hash
            )

        changed += int(await run_in_unit_of_work(orders, SWEEP_ACTOR, work))
    return changed
