"""Console forms: odd input comes back as a message on the page, never as a 500."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import Shop

pytestmark = pytest.mark.integration


async def test_mistyped_numbers_and_a_deeply_nested_cart_are_refused_on_the_page(
    shop: Shop,
) -> None:
    showroom = await shop.showroom("VT")
    product = await shop.product()
    assert (await shop.receive(showroom, product, 5)).status_code == 201
    sale = {"method": "cash", "tendered_vnd": "²"}
    forms = [
        (f"/quay/{showroom}/nhap-hang", {"product_id": product, "quantity": "1", "price_vnd": "²"}),
        (f"/quay/{showroom}/ton-kho/{product}", {"price_vnd": "²", "low_stock_threshold": "³"}),
        (
            f"/quay/{showroom}/ban-hang",
            {**sale, "idempotency_key": "till-0001", "cart": "[" * 19_000},
        ),
        (f"/quay/{showroom}/ban-hang", {**sale, "idempotency_key": "till-0002", "cart": "[]"}),
        (f"/quay/{showroom}/rut-hang", {"product_id": product, "reason": "Dập", "quantity": "²"}),
        (f"/quay/{showroom}/rut-hang", {"product_id": product, "reason": "Dập", "quantity": "1,5"}),
    ]
    for url, data in forms:
        response = await shop.client.post(url, data=data, headers=shop.admin)
        assert response.status_code == 303, (url, response.text[:300])
        assert "loi=" in response.headers["location"], (url, response.headers["location"])
    balance = await shop.stock(showroom, product)  # a mistyped quantity withdrew nothing
    assert (balance["on_hand"], balance["quarantined"], balance["price_vnd"]) == (5, 0, None)
    saved = await shop.client.post(
        f"/quay/{showroom}/ton-kho/{product}", data={"price_vnd": "125.000"}, headers=shop.admin
    )
    assert "ok=" in saved.headers["location"]
    assert (await shop.stock(showroom, product))["price_vnd"] == 125_000
