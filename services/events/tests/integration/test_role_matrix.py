"""Every mutating endpoint, every role: only the intended roles get past authorisation."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from ocop_events.config import EventsSettings
from ocop_platform.testing.authorisation import authorisation_mismatches, role_headers
from ocop_platform.testing.support import bearer
from ocop_shared.auth import Role, mint_token

from .helpers import apply_event, fair_body, listing

pytestmark = pytest.mark.integration

STAFF = {"admin", "trade_staff"}
PRODUCER = STAFF | {"producer"}  # "producer" owns the fixtures, "other_producer" does not
BUYER = STAFF | {"buyer"}  # likewise "buyer" and "other_buyer"
OFFER = {
    "producer_id": "prd-1",
    "producer_name": "HTX Bưởi",
    "title": "Bưởi Đoan Hùng",
    "capacity_kg_per_month": 3000,
    "season_months": [9, 10],
    "price_vnd": 35000,
    "moq_kg": 300,
    "province": "Phú Thọ",
}
DEMAND = {
    "buyer_name": "Siêu thị Xanh",
    "buyer_kind": "supermarket",
    "title": "Bưởi Đoan Hùng",
    "monthly_volume_kg": 2000,
    "delivery_province": "Hà Nội",
}


async def _created(client: httpx.AsyncClient, url: str, body: Any, headers: Any) -> str:
    response = await client.post(url, json=body, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def test_only_intended_roles_pass_authorisation_on_every_mutating_endpoint(
    api: tuple[httpx.AsyncClient, EventsSettings],
) -> None:
    client, settings = api
    other_buyer = mint_token(settings, subject="buyer-2", roles=[Role.BUYER])
    headers = role_headers(
        settings,
        producer=bearer(settings, Role.PRODUCER, producer_id="prd-1"),
        other_producer=bearer(settings, Role.PRODUCER, producer_id="prd-2"),
        other_buyer={"Authorization": f"Bearer {other_buyer}"},
    )
    staff = headers["trade_staff"]
    await apply_event(settings, listing("sp-1", "prd-1"), subject="sp-1", sequence=1)
    event_id = await _created(client, "/api/v1/trade-events", fair_body(), staff)
    e = f"/api/v1/trade-events/{event_id}"
    booths = {"zone": "Khu A", "prefix": "A", "first": 1, "last": 3}
    assert (await client.post(f"{e}/booths", json=booths, headers=staff)).status_code == 200
    registration = {"producer_id": "prd-1", "product_ids": ["sp-1"]}
    p = "/api/v1/participations/" + await _created(
        client, f"{e}/participations", registration, headers["producer"]
    )
    o = "/api/v1/offers/" + await _created(client, "/api/v1/offers", OFFER, headers["producer"])
    d = "/api/v1/demands/" + await _created(client, "/api/v1/demands", DEMAND, headers["buyer"])
    reason = {"reason": "Không đủ điều kiện"}
    table: list[tuple[str, str, dict[str, Any] | None, set[str]]] = [
        ("POST", "/api/v1/trade-events", {"kind": "fair"}, STAFF),
        ("POST", f"{e}/booths", booths, STAFF),
        ("POST", f"{e}/participations", registration, PRODUCER),
        ("POST", f"{p}/confirm", {}, STAFF),
        ("POST", f"{p}/move-booth", {"booth_code": "A02"}, STAFF),
        ("PUT", f"{p}/report", {"sales_vnd": 1_000_000}, PRODUCER),
        ("POST", "/api/v1/demands", DEMAND, BUYER | {"other_buyer"}),  # each for itself
        ("PUT", d, DEMAND, BUYER),
        ("POST", "/api/v1/offers", OFFER, PRODUCER),
        ("PUT", o, OFFER, PRODUCER),
        ("POST", "/api/v1/matching/runs", {}, STAFF),
        ("POST", "/api/v1/matches/m-none/advance", {"stage": "contacted"}, STAFF),
        # last: these end the fixtures' life
        ("POST", f"{p}/withdraw", reason, PRODUCER),
        ("POST", f"{p}/reject", reason, STAFF),
        ("POST", f"{d}/close", None, BUYER),
        ("POST", f"{o}/close", None, PRODUCER),
    ]

    async def send(
        method: str, url: str, body: Any, headers: dict[str, str], role: str
    ) -> httpx.Response:
        return await client.request(method, url, json=body, headers=headers)

    wrong = await authorisation_mismatches(send, table, headers)
    assert not wrong, "\n".join(wrong)
