"""Alerts: low stock as an event when crossing the threshold, lots near expiry announced once."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import pytest

from ocop_orders.service_layer.expiry import announce_expiring_lots, withdraw_lapsed_certificates
from ocop_orders.service_layer.unit_of_work import Orders
from ocop_shared.runtime import open_runtime

if TYPE_CHECKING:
    from conftest import Shop

pytestmark = pytest.mark.integration


async def test_low_stock_is_announced_once_when_crossing_the_threshold(shop: Shop) -> None:
    showroom = await shop.showroom("VT", low_stock_threshold=5)
    product = await shop.product()
    await shop.receive(showroom, product, 7)
    for _ in range(4):
        assert (
            await shop.sell(showroom, [{"product_id": product, "quantity": 1}])
        ).status_code == 201
    low = await shop.db["outbox"].count_documents({"type": "ocop.orders.stock.low.v1"})
    assert low == 1
    alerts = await shop.client.get(f"/api/v1/showrooms/{showroom}/alerts", headers=shop.admin)
    assert [a["kind"] for a in alerts.json()] == ["low_stock"]
    assert "Còn 3" in alerts.json()[0]["detail"]


async def test_lots_near_expiry_are_announced_once_and_shown(shop: Shop) -> None:
    showroom = await shop.showroom("VT", near_expiry_days=10)
    product = await shop.product("Thịt chua Thanh Sơn")
    await shop.receive(showroom, product, 20, lot="SOON", expires_on=date(2026, 11, 30))
    await shop.receive(showroom, product, 20, lot="LATER", expires_on=date(2027, 3, 1))
    runtime = await open_runtime(shop.settings)
    orders = Orders(runtime, shop.settings, shop.clock)
    try:
        assert await announce_expiring_lots(orders) == 1
        assert await announce_expiring_lots(orders) == 0
    finally:
        await runtime.close()
    [event] = await shop.db["outbox"].find({"type": "ocop.orders.lot.expiring.v1"}).to_list()
    assert '"lot_code":"SOON"' in event["payload"]
    alerts = await shop.client.get(f"/api/v1/showrooms/{showroom}/alerts", headers=shop.admin)
    assert [a["kind"] for a in alerts.json()] == ["near_expiry"]
    assert "30/11/2026" in alerts.json()[0]["detail"]


async def test_certificate_past_its_end_date_is_withdrawn_by_the_sweep(shop: Shop) -> None:
    showroom = await shop.showroom("VT")
    product = await shop.product("Mì gạo Hùng Lô")
    await shop.receive(showroom, product, 6)
    shop.clock.advance(date(2028, 6, 16) - date(2026, 11, 24))  # certificate ends 15/06/2028

    refused = await shop.sell(showroom, [{"product_id": product, "quantity": 1}])
    assert refused.status_code == 409
    assert "hết hiệu lực" in refused.json()["detail"]
    runtime = await open_runtime(shop.settings)
    try:
        withdrawn = await withdraw_lapsed_certificates(Orders(runtime, shop.settings, shop.clock))
    finally:
        await runtime.close()
    assert withdrawn == 1
    balance = await shop.stock(showroom, product)
    assert (balance["on_hand"], balance["quarantined"]) == (0, 6)
