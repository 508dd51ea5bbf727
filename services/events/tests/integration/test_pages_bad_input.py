"""Self-service forms: odd input shows the form again with a message, never a 500."""

from __future__ import annotations

import httpx
import pytest

from ocop_events.config import EventsSettings
from ocop_shared.auth import Role, mint_token

pytestmark = pytest.mark.integration

ODD_MONTHS = (["²"], ["9" * 5000])


async def test_odd_season_months_are_refused_without_a_server_error(
    api: tuple[httpx.AsyncClient, EventsSettings],
) -> None:
    client, settings = api
    grower = mint_token(settings, subject="u-1", roles=[Role.PRODUCER], producer_id="prd-1")
    shop = mint_token(settings, subject="b-1", roles=[Role.BUYER], name="Siêu thị Xanh")
    offer = {"producer_name": "HTX Bưởi", "title": "Bưởi Đoan Hùng", "price_vnd": "35000"}
    demand = {"buyer_name": "Siêu thị Xanh", "buyer_kind": "supermarket", "title": "Bưởi"}
    for url, form, token in (
        ("/cua-toi/chao-ban", offer, grower),
        ("/nguoi-mua/nhu-cau", demand, shop),
    ):
        for months in ODD_MONTHS:
            response = await client.post(
                url,
                data={**form, "season_months": months},
                headers={"Authorization": f"Bearer {token}", "accept": "text/html"},
            )
            assert response.status_code == 422, (url, months[0][:5], response.text[:300])
    staff = mint_token(settings, subject="s-1", roles=[Role.TRADE_STAFF])
    for kind in ("offers", "demands"):
        listed = await client.get(f"/api/v1/{kind}", headers={"Authorization": f"Bearer {staff}"})
        assert listed.json() == []
