"""The outbound journal's executors for the marketplaces: each call's HTTP request, and the
settlement that updates the listing and publishes ListingSynced / ListingSyncFailed."""

from __future__ import annotations

from collections.abc import Mapping

import structlog

from ocop_orders.domain.events import ListingSynced, ListingSyncFailed
from ocop_orders.marketplace.adapters.listings_store import ListingStore
from ocop_orders.marketplace.domain.channel import MarketplacePort
from ocop_orders.marketplace.domain.listings import (
    ListingStatus,
    Marketplace,
)
from ocop_orders.service_layer.outbound import (
    CallOutcome,
    CallResponse,
    Executors,
    OutboundCall,
    Settlement,
)
from ocop_orders.service_layer.publishing import publish
from ocop_shared.contracts.orders import ListingState

log = structlog.get_logger(__name__)

# --- Executors of the outbound journal ------------------------------------------------------


def register_marketplace_executors(
    executors: Executors, clients: Mapping[Marketplace, MarketplacePort]
) -> Executors:
    """Wire upsert / delist / stock / price for every marketplace client given."""
    for channel, client in clients.items():
        _register_channel(executors, channel, client)
    return executors


def _register_channel(executors: Executors, channel: Marketplace, client: MarketplacePort) -> None:
    async def upsert(call: OutboundCall) -> CallResponse:
        p = call.payload
        receipt = await client.upsert_listing(
            p["seller_id"],
            p["sku"],
            {**p["content"], "content_hash": p["hash"]},
            idempotency_key=call.id,
        )
        return CallResponse(200, receipt.model_dump_json(), f"PUT {p['sku']}", receipt.model_dump())

    async def delist(call: OutboundCall) -> CallResponse:
        p = call.payload
        receipt = await client.delist(
            p["seller_id"], p["sku"], p["reason"], idempotency_key=call.id
        )
        if receipt is None:
            return CallResponse(404, "not on the marketplace", f"POST {p['sku']}/delist", {})
        return CallResponse(
            200, receipt.model_dump_json(), f"POST {p['sku']}/delist", receipt.model_dump()
        )

    async def stock(call: OutboundCall) -> CallResponse:
        p = call.payload
        receipt = await client.update_stock(
            p["seller_id"], p["sku"], int(p["stock"]), idempotency_key=call.id
        )
        return CallResponse(
            200, receipt.model_dump_json(), f"PATCH {p['sku']}/stock", receipt.model_dump()
        )

    async def price(call: OutboundCall) -> CallResponse:
        p = call.payload
        receipt = await client.update_price(
            p["seller_id"], p["sku"], int(p["price_vnd"]), idempotency_key=call.id
        )
        return CallResponse(
            200, receipt.model_dump_json(), f"PATCH {p['sku']}/price", receipt.model_dump()
        )

    for operation, execute in (
        ("upsert", upsert),
        ("delist", delist),
        ("stock", stock),
        ("price", price),
    ):
        executors.register(channel.value, operation, execute, settle=settle_listing_call)


async def settle_listing_call(settlement: Settlement) -> None:
    """In the journal's transaction: the listing follows the call's final outcome."""
    call = settlement.call
    store = ListingStore(settlement.db, settlement.session)
    listing = await store.find(str(call.payload.get("listing_id", call.key)))
    if listing is None:
        return
    now = settlement.now
    if settlement.outcome is CallOutcome.PARKED:
        error = settlement.error.message if settlement.error else "không rõ lỗi"
        changed = listing.model_copy(
            update={"status": ListingStatus.FAILED, "last_error": error, "updated_at": now}
        )
        await store.replace(changed, listing.version)
        failed = ListingSyncFailed(listing, call.operation, error, call.id, now)
        await publish(settlement.outbox, settlement.session, failed, causation_id=None)
        return
    result = settlement.response.result if settlement.response else {}
    update: dict[str, object] = {"last_error": None, "last_synced_at": now, "updated_at": now}
    if result.get("listing_id"):
        update["remote_id"] = str(result["listing_id"])
    state: ListingState | None = None
    if call.operation == "upsert":
        state = ListingState.LISTED
        update["synced_hash"] = call.payload.get("hash")
        if listing.queued_state == "live" and listing.queued_hash == call.payload.get("hash"):
            update["status"] = ListingStatus.LISTED
    elif call.operation == "delist":
        state = ListingState.DELISTED
        update["synced_hash"] = None
        if listing.queued_state == "down":
            update["status"] = ListingStatus.DELISTED
    elif listing.status is ListingStatus.FAILED and listing.queued_state == "live":
        update["status"] = ListingStatus.LISTED
    changed = listing.model_copy(update=update)
    await store.replace(changed, listing.version)
    if state is not None:
        content = call.payload.get("content") or {}
        synced = ListingSynced(
            listing, state, changed.remote_id, call.operation, now, content.get("price_vnd")
        )
        await publish(settlement.outbox, settlement.session, synced, causation_id=None)
