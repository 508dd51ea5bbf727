"""The demo seeds three showrooms with stock once, and a second run changes nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
import pytest

from ocop_orders.entrypoints.demo import SHOWROOMS, demo_step_count, seed_demo
from ocop_shared.auth import Role, mint_token

if TYPE_CHECKING:
    from conftest import Shop

pytestmark = pytest.mark.integration


async def test_demo_creates_the_three_showrooms_and_stock_once(shop: Shop) -> None:
    for name in ("Bưởi Đoan Hùng", "Chè búp tím", "Nón lá Sai Nga"):
        await shop.product(name, group="food" if "Bưởi" in name else "drink")
    token = mint_token(shop.settings, subject="demo", roles=[Role.ADMIN])
    transport = shop.client._transport
    assert isinstance(transport, httpx.ASGITransport)
    steps: list[str] = []

    first = await seed_demo(
        "http://test", token, progress=steps.append, transport=transport, wait_for_products_s=5
    )
    again = await seed_demo("http://test", token, transport=transport, wait_for_products_s=5)

    assert len(steps) == demo_step_count()
    assert first.showrooms_created == 3 and again.showrooms_existing == 3
    assert first.products_sellable == 3
    assert first.receipts == 9 and again.receipts == 0
    assert first.sales_recorded > 0 and again.sales_recorded == 0
    assert "sản phẩm" in first.summary()
    showrooms = (await shop.client.get("/api/v1/showrooms", headers=shop.admin)).json()
    kiosks = {s["code"]: len(s["kiosks"]) for s in showrooms}
    assert kiosks == {"VT": 42, "DH": 100, "XS": 3}
    assert next(s for s in showrooms if s["code"] == "VT")["accepts_key_farm_products"]
    assert {d.code for d in SHOWROOMS} == set(kiosks)
    for showroom in showrooms:
        assert (await shop.audit(showroom["id"]))["consistent"] is True
