"""The order pull job against the real database, with an in-memory marketplace source."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest

from ocop_orders.service_layer.ecommerce_intake import OrderPage, RemoteOrder, pull_orders
from ocop_orders.service_layer.unit_of_work import Orders
from ocop_shared.contracts.catalog import CertificateStatus
from ocop_shared.contracts.orders import OrderChannel
from ocop_shared.runtime import open_runtime

if TYPE_CHECKING:
    from conftest import Shop

pytestmark = pytest.mark.integration


class InMemorySource:
    """A marketplace holding orders; pages of two, cursor = offset."""

    channel = OrderChannel.VOSO

    def __init__(self, orders: list[RemoteOrder]) -> None:
        self.orders = orders
        self.asked: list[tuple[datetime | None, str | None]] = []

    async def fetch_orders(self, updated_since: datetime | None, cursor: str | None) -> OrderPage:
        self.asked.append((updated_since, cursor))
        fresh = [o for o in self.orders if updated_since is None or o.updated_at > updated_since]  # type: ignore[operator]
        start = int(cursor or 0)
        page = fresh[start : start + 2]
        more = start + 2 < len(fresh)
        return OrderPage(page, str(start + 2) if more else None)


def remote(order_id: str, product: str, minute: int, quantity: int = 1) -> RemoteOrder:
    body: dict[str, Any] = {
        "order_id": order_id,
        "buyer": {
            "name": "Trần Văn Nam",
            "phone": "0987654321",
            "address": {"province": "Phú Thọ", "commune": "Xã Chí Đám", "street": "Thôn 3"},
        },
        "lines": [{"product_id": product, "quantity": quantity, "unit_price_vnd": 50_000}],
        "payment": "cod",
        "updated_at": datetime(2026, 11, 24, 2, minute, tzinfo=UTC).isoformat(),
    }
    return RemoteOrder.model_validate(body)


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
        source.orders.append(remote("VS-6", good, 6))
        second = await pull_orders(orders, source)
        # The marketplace forgets its checkpoint and sends everything again.
        await shop.db["order_pull_state"].delete_many({})
        third = await pull_orders(orders, source)
    finally:
        await runtime.close()

    assert (first.created, first.replayed, sorted(first.rejected)) == (3, 0, ["VS-3", "VS-4"])
    assert (second.seen, second.created) == (1, 1)
    assert (third.created, third.replayed) == (0, 4)
    assert await shop.db["ecom_orders"].count_documents({"channel": "voso"}) == 4
    rejected = {
        d["remote_order_id"]: d["code"] for d in await shop.db["rejected_intakes"].find().to_list()
    }
    assert rejected == {"VS-3": "not-sellable", "VS-4": "out-of-stock"}
