"""Reconcile: compare what each marketplace shows with what it should show; queue fixes.

Per marketplace and seller, read every remote listing (``GET /api/v1/listings``) and
compare with our listings:

- should be online but missing, inactive, or with other content → queue an upsert;
- should be down but active online → queue a delist;
- online but unknown to us (an orphan SKU) → queue a delist.

Listings with calls still pending or parked are skipped: the journal will bring them in
line (or a person must), and a fix queued behind them would only repeat them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import structlog

from ocop_orders.adapters.outbound_journal import unfinished_keys
from ocop_orders.adapters.repository import OrdersRepository
from ocop_orders.domain.model import Product
from ocop_orders.marketplace.adapters.listings_store import ListingStore
from ocop_orders.marketplace.domain.channel import MarketplacePort, RemoteListing
from ocop_orders.marketplace.domain.listings import (
    DOWN_BY_PRODUCER,
    Listing,
    Marketplace,
    content_hash,
    listing_content,
    marketplace_block_reason,
)
from ocop_orders.marketplace.service_layer.listings import (
    SWEEP_ACTOR,
    ordering_key,
    sweep_listings,
)
from ocop_orders.service_layer.outbound import (
    CallFailedError,
    NewCall,
    enqueue,
)
from ocop_orders.service_layer.unit_of_work import Orders, UnitOfWork, run_in_unit_of_work

log = structlog.get_logger(__name__)

MAX_PAGES = 200


@dataclass(frozen=True)
class Difference:
    channel: str
    producer_id: str
    sku: str
    problem: str
    """missing / inactive / stale / should_be_down / orphan"""
    fix: str
    """upsert / delist / none"""


@dataclass
class ReconcileReport:
    channel: str
    checked: int = 0
    differences: list[Difference] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def queued(self) -> int:
        return sum(1 for d in self.differences if d.fix != "none")


async def _busy_keys(orders: Orders) -> set[str]:
    return await unfinished_keys(orders.db)


async def _remote_listings(client: MarketplacePort, seller_id: str) -> list[RemoteListing]:
    items: list[RemoteListing] = []
    cursor: str | None = None
    for _ in range(MAX_PAGES):
        page = await client.list_listings(seller_id, cursor)
        items.extend(page.items)
        cursor = page.next_cursor
        if not cursor:
            break
    return items


def _compare(
    listing: Listing | None, remote: RemoteListing | None, wanted_live: bool, digest: str | None
) -> str | None:
    if listing is None:
        return "orphan" if remote is not None and remote.status == "active" else None
    if wanted_live:
        if remote is None:
            return "missing"
        if remote.status != "active":
            return "inactive"
        if digest is not None and remote.content_hash != digest:
            return "stale"
        return None
    if remote is not None and remote.status == "active":
        return "should_be_down"
    return None


async def reconcile_channel(
    orders: Orders, channel: Marketplace, client: MarketplacePort
) -> ReconcileReport:
    report = ReconcileReport(channel.value)
    await sweep_listings(orders, channel)  # today's rules first (date-expired certificates)
    store = ListingStore(orders.db)
    ours = await store.search(channel=channel, limit=2000)
    busy = await _busy_keys(orders)
    today = orders.clock.today()
    by_seller: dict[str, dict[str, Listing]] = {}
    for one in ours:
        by_seller.setdefault(one.producer_id, {})[one.product_id] = one
    for seller_id, mine in sorted(by_seller.items()):
        try:
            remote = {r.sku: r for r in await _remote_listings(client, seller_id)}
        except CallFailedError as exc:
            report.errors.append(f"{seller_id}: {exc.message}")
            continue
        products = await OrdersRepository(orders.db).products(sorted(mine))
        for sku in sorted(set(mine) | set(remote)):
            report.checked += 1
            listing = mine.get(sku)
            if listing is not None and listing.id in busy:
                continue
            product = products.get(sku)
            wanted_live, digest = False, None
            if listing is not None and product is not None:
                wanted_live = listing.wanted and marketplace_block_reason(product, today) is None
                if wanted_live:
                    digest = content_hash(listing_content(listing, product))
            problem = _compare(listing, remote.get(sku), wanted_live, digest)
            if problem is None:
                continue
            fix = "delist" if problem in ("orphan", "should_be_down") else "upsert"
            if listing is not None and fix == "upsert" and product is None:
                fix = "none"
            report.differences.append(Difference(channel.value, seller_id, sku, problem, fix))
            await _queue_fix(orders, channel, seller_id, sku, listing, product, fix, digest)
    log.info(
        "marketplace.reconciled",
        channel=channel.value,
        checked=report.checked,
        differences=len(report.differences),
        errors=len(report.errors),
    )
    return report


async def _queue_fix(
    orders: Orders,
    channel: Marketplace,
    seller_id: str,
    sku: str,
    listing: Listing | None,
    product: Product | None,
    fix: str,
    digest: str | None,
) -> None:
    if fix == "none":
        return
    key = listing.id if listing else f"{channel.value}-{sku}"
    payload: dict[str, object] = {"listing_id": key, "seller_id": seller_id, "sku": sku}
    if fix == "upsert":
        assert listing is not None
        assert product is not None
        payload |= {"content": listing_content(listing, product), "hash": digest}
    else:
        payload["reason"] = DOWN_BY_PRODUCER if listing else "Không có trong danh sách OCOP"

    async def work(uow: UnitOfWork) -> None:
        await enqueue(
            uow.session,
            uow.repository.db,
            NewCall(channel.value, fix, key, payload, ordering_key=ordering_key(key)),
            now=uow.now,
            settings=orders.settings,
        )

    await run_in_unit_of_work(orders, SWEEP_ACTOR, work)


async def reconcile_all(
    orders: Orders, clients: Mapping[Marketplace, MarketplacePort]
) -> list[ReconcileReport]:
    return [await reconcile_channel(orders, ch, client) for ch, client in clients.items()]
