"""The order pull job against the real database: an in-memory source, and the marketplace
partner-API adapter against the fake marketplace served over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from ocop_orders.ecommerce.service_layer.intake import MarketplaceOrderSource, pull_orders
from ocop_orders.marketplace.adapters.partner_api import ChannelConfig, PartnerApiClient
from ocop_orders.marketplace.domain.channel import OrderPage, RemoteOrder
from ocop_orders.service_layer.unit_of_work import Orders
from ocop_platform.stand_ins.marketplace import running_marketplace
from ocop_shared.contracts.catalog import CertificateStatus
from ocop_shared.contracts.orders import OrderChannel
from ocop_shared.runtime import open_runtime

if TYPE_CHECKING:
    from conftest import Shop

pytestmark = pytest.mark.integration


class InMemorySource:
    """A marketplace holding orders; pages of two, cursor = offset."""

    channel = OrderChannel.VOSO
    key = "voso:test"

    def __init__(self, orders: list[RemoteOrder]) -> None:
        self.orders = orders

    async def fetch_orders(self, updated_since: datetime | None, cursor: str | None) -> OrderPage:
        fresh = [o for o in self.orders if updated_since is None or o.updated_at > updated_since]
        start = int(cursor or 0)
        more = start + 2 < len(fresh)
        return OrderPage(
            items=fresh[start : start + 2], next_cursor=str(start + 2) if more else None
        )


def remote_order(
    order_id: str, product: str, minute: int, quantity: int = 1, status: str = "pending"
) -> dict[str, Any]:
    at = datetime(2026, 11, 24, 2, minute, tzinfo=UTC).isoformat()
    return {
        "remote_order_id": order_id,
        "status": status,
        "seller_id": "prd-chi-dam",
        "buyer": {
            "name": "Trần Văn Nam",
            "phone": "0987654321",
            "address": {"province": "Phú Thọ", "commune": "Xã Chí Đám", "street": "Thôn 3"},
        },
        "lines": [{"sku": product, "quantity": quantity, "unit_price_vnd": 50_000}],
        "payment_method": "cod",
        "subtotal_vnd": 50_000 * quantity,
        "shipping_fee_vnd": 20_000,
        "total_vnd": 50_000 * quantity + 20_000,
        "created_at": at,
        "updated_at": at,
    }


def remote(*args: Any, **kwargs: Any) -> RemoteOrder:
    return RemoteOrder.model_validate(remote_order(*args, **kwargs))


async def test_pulled_orders_are_taken_in_once_and_refusals_recorded(shop: Shop) -> None:
    good = await shop.product("Bưởi Đoan Hùng")
    revoked = await shop.product("Chè cũ", status=CertificateStatus.REVOKED)
    await shop.client.put(
        f"/api/v1/ecommerce/producer-stock/{good}", json={"quantity": 10}, headers=shop.admin
    )
    source = InMemorySource(
        [
            remote("VS-1", good, 1),
            remote("VS-2", good, 2),
            remote("VS-3", revoked, 3),
            remote("VS-4", good, 4, quantity=50),
            remote("VS-5", good, 5),
        ]
    )
    runtime = await open_runtime(shop.settings)
    try:
        orders = Orders(runtime, shop.settings, shop.clock)
        first = await pull_orders(orders, source)
        # The buyer cancels VS-1: the marketplace's copy changes.
        source.orders = [o for o in source.orders if o.remote_order_id != "VS-1"]
        source.orders.append(remote("VS-1", good, 6, status="cancelled"))
        second = await pull_orders(orders, source)
        # The checkpoint is lost: everything comes again.
        await shop.db["order_pull_state"].delete_many({})
        third = await pull_orders(orders, source)
    finally:
        await runtime.close()

    assert (first.created, first.replayed, sorted(first.rejected)) == (3, 0, ["VS-3", "VS-4"])
    assert (second.seen, second.cancelled) == (1, 1)
    assert (third.created, third.replayed) == (0, 2)
    states = {
        d["remote_order_id"]: d["state"]
        for d in await shop.db["ecom_orders"].find({"channel": "voso"}).to_list()
    }
    assert states == {"VS-1": "cancelled", "VS-2": "placed", "VS-5": "placed"}
    rejected = {
        d["remote_order_id"]: d["code"] for d in await shop.db["rejected_intakes"].find().to_list()
    }
    assert rejected == {"VS-3": "not-sellable", "VS-4": "out-of-stock"}
    stock = await shop.db["producer_stock"].find_one({"_id": good})
    assert (stock["reserved"], stock["available"]) == (2, 8)


async def test_orders_are_pulled_from_the_fake_marketplace_over_http(shop: Shop) -> None:
    product = await shop.product("Mì gạo Hùng Lô")
    await shop.client.put(
        f"/api/v1/ecommerce/producer-stock/{product}", json={"quantity": 10}, headers=shop.admin
    )
    async with running_marketplace("postmart") as fake:
        async with httpx.AsyncClient(base_url=fake.base_url) as controls:
            for n in range(3):
                body = remote_order(f"PM-{n}", product, n + 1, quantity=2)
                assert (await controls.post("/_fake/orders", json=body)).status_code == 201
        client = PartnerApiClient(ChannelConfig("postmart", fake.base_url, "dev-postmart-key", ""))
        source = MarketplaceOrderSource(OrderChannel.POSTMART, client, "prd-chi-dam")
        runtime = await open_runtime(shop.settings)
        try:
            orders = Orders(runtime, shop.settings, shop.clock)
            first = await pull_orders(orders, source)
            again = await pull_orders(orders, source)
        finally:
            await runtime.close()
            await client.aclose()

    assert (first.seen, first.created) == (3, 3)
    assert (again.seen, again.created) == (0, 0)
    pulls = fake.received("GET", "/api/v1/orders")
    assert "updated_since" in pulls[-1]["query"]
    assert await shop.db["ecom_orders"].count_documents({"channel": "postmart"}) == 3


async def test_the_worker_pulls_orders_and_releases_expired_reservations(shop: Shop) -> None:
    import asyncio
    from datetime import timedelta

    from ocop_orders.entrypoints.ecommerce_worker import run
    from ocop_platform.testing.support import background, eventually

    product = await shop.product("Bưởi Đoan Hùng")
    await shop.client.put(
        f"/api/v1/ecommerce/producer-stock/{product}", json={"quantity": 4}, headers=shop.admin
    )
    source = InMemorySource([remote("VS-9", product, 1, quantity=3)])
    shop.settings.reservation_sweep_interval_s = 0.1
    shop.settings.order_pull_interval_s = 0.1

    async def worker(stop: asyncio.Event) -> None:
        await run(shop.settings, stop, sources=[source], clock=shop.clock)

    async def state() -> str | None:
        doc = await shop.db["ecom_orders"].find_one({"remote_order_id": "VS-9"})
        return str(doc["state"]) if doc else None

    async with background(worker):
        assert await eventually(state, until=lambda s: s == "placed") == "placed"
        shop.clock.advance(timedelta(minutes=shop.settings.reservation_timeout_minutes + 1))
        assert await eventually(state, until=lambda s: s == "expired") == "expired"

    stock = await shop.db["producer_stock"].find_one({"_id": product})
    assert (stock["reserved"], stock["available"]) == (0, 4)
