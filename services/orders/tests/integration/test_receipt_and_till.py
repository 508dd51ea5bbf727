"""What a busy festival till needs: product QR codes on receipts, a light till page,
friendly refusals that keep the cart."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from ocop_shared.auth import Role, mint_token
from ocop_shared.web.console_auth import COOKIE

if TYPE_CHECKING:
    from conftest import Shop

pytestmark = pytest.mark.integration


def sign_in(shop: Shop, showroom_id: str) -> None:
    token = mint_token(
        shop.settings, subject="op-1", roles=[Role.SHOWROOM_OPERATOR], showroom_ids=[showroom_id]
    )
    shop.client.cookies.set(COOKIE, token)


async def test_receipt_links_each_product_bought_to_its_public_catalogue_page(
    shop: Shop,
) -> None:
    viet_tri = await shop.showroom("VT")
    tea = await shop.product("Chè búp tím", group="drink")
    pomelo = await shop.product("Bưởi Đoan Hùng")
    for product in (tea, pomelo):
        await shop.receive(viet_tri, product, 5)
    sale = (
        await shop.sell(
            viet_tri,
            [{"product_id": tea, "quantity": 1}, {"product_id": pomelo, "quantity": 2}],
        )
    ).json()
    sign_in(shop, viet_tri)
    receipt = await shop.client.get(f"/quay/{viet_tri}/hoa-don/{sale['id']}")
    base = shop.settings.catalogue_base_url.rstrip("/")
    section = receipt.text.split('id="product-qrs"', 1)[1]
    for product in (tea, pomelo):
        assert f'href="{base}/san-pham/{product}"' in section
    assert section.count("<svg") == 2
    assert 'id="vietqr"' not in receipt.text  # paid in cash
