"""Demands, offers, matching runs and the deal pipeline through the API on the real database."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from ocop_events.config import EventsSettings
from ocop_platform.testing.support import bearer
from ocop_shared.auth import Role, mint_token
from ocop_shared.mongo import create_client

from .helpers import apply_event, assert_problem, listing

pytestmark = pytest.mark.integration

Api = tuple[httpx.AsyncClient, EventsSettings]

DEMAND = {
    "buyer_name": "Hệ thống siêu thị Xanh Hà Nội",
    "buyer_kind": "supermarket",
    "title": "Bưởi Đoan Hùng",
    "keywords": "bưởi Đoan Hùng loại 1, quả 1–1,2 kg",
    "monthly_volume_kg": 2000,
    "price_min_vnd": 25000,
    "price_max_vnd": 40000,
    "min_stars": 3,
    "standards": ["VietGAP"],
    "delivery_province": "Hà Nội",
    "season_months": [9, 10, 11, 12],
}


def _offer(producer_id: str, title: str, **kw: Any) -> dict[str, Any]:
    return {
        "producer_id": producer_id,
        "producer_name": f"HTX {title}",
        "title": title,
        "capacity_kg_per_month": 3000,
        "season_months": [9, 10, 11, 12, 1],
        "price_vnd": 35000,
        "moq_kg": 300,
        "standards": ["VietGAP"],
        "province": "Phú Thọ",
        **kw,
    }


async def _post_offer(api: Api, producer_id: str, title: str, **kw: Any) -> dict[str, Any]:
    client, settings = api
    headers = bearer(settings, Role.PRODUCER, producer_id=producer_id)
    response = await client.post(
        "/api/v1/offers", json=_offer(producer_id, title, **kw), headers=headers
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_supermarket_pomelo_demand_is_matched_to_pomelo_growers_through_the_pipeline(
    api: Api,
) -> None:
    client, settings = api
    staff = bearer(settings, Role.TRADE_STAFF)
    buyer = bearer(settings, Role.BUYER, name="Siêu thị Xanh")
    await apply_event(settings, listing("sp-buoi", "prd-buoi"), subject="sp-buoi", sequence=1)
    await apply_event(
        settings, listing("sp-tra", "prd-tra", name="Trà bưởi"), subject="sp-tra", sequence=1
    )
    grower = await _post_offer(api, "prd-buoi", "Bưởi Đoan Hùng", product_id="sp-buoi")
    assert grower["stars"] == 4  # from the catalogue, not typed by the producer
    await _post_offer(
        api, "prd-tra", "Trà bưởi", product_id="sp-tra", keywords="trà bưởi Đoan Hùng"
    )
    await _post_offer(api, "prd-ruou", "Rượu bưởi Đoan Hùng")
    unrecognised = await _post_offer(api, "prd-nho", "Bưởi Đoan Hùng", capacity_kg_per_month=400)
    assert unrecognised["stars"] == 0

    demand = await client.post("/api/v1/demands", json=DEMAND, headers=buyer)
    assert demand.status_code == 201, demand.text
    demand_id = demand.json()["id"]
    preview = await client.get(f"/api/v1/demands/{demand_id}/candidates", headers=buyer)
    assert [c["offer"]["id"] for c in preview.json()] == [grower["id"]]

    run = await client.post("/api/v1/matching/runs", json={}, headers=staff)
    assert run.status_code == 201, run.text
    proposals = run.json()
    assert [m["offer_id"] for m in proposals] == [grower["id"]]
    again = await client.post("/api/v1/matching/runs", json={}, headers=staff)
    assert again.json() == []  # nothing proposed twice

    match_id = proposals[0]["id"]
    assert_problem(
        await client.post(
            f"/api/v1/matches/{match_id}/advance", json={"stage": "contacted"}, headers=buyer
        ),
        403,
    )
    for stage in ("contacted", "meeting"):
        moved = await client.post(
            f"/api/v1/matches/{match_id}/advance", json={"stage": stage}, headers=staff
        )
        assert moved.json()["stage"] == stage
    assert_problem(
        await client.post(
            f"/api/v1/matches/{match_id}/advance", json={"stage": "deal_signed"}, headers=staff
        ),
        422,
        "body",
    )
    signed = await client.post(
        f"/api/v1/matches/{match_id}/advance",
        json={"stage": "deal_signed", "deal_value_vnd": 840_000_000},
        headers=staff,
    )
    assert signed.json()["stage"] == "deal_signed"
    assert_problem(
        await client.post(
            f"/api/v1/matches/{match_id}/advance",
            json={"stage": "declined", "reason": "Đổi ý"},
            headers=staff,
        ),
        409,
        "body.stage",
    )
    page = await client.get("/api/v1/offers", params={"limit": 2, "skip": 1}, headers=staff)
    assert [o["title"] for o in page.json()] == ["Trà bưởi", "Rượu bưởi Đoan Hùng"]
    assert_problem(
        await client.get("/api/v1/offers", params={"limit": 0}, headers=staff), 422, "query.limit"
    )
    mine = await client.get("/api/v1/matches", headers=buyer)
    assert [m["id"] for m in mine.json()] == [match_id]
    mongo = create_client(settings.mongodb_uri, app_name="test")
    types = [d["type"] for d in await mongo[settings.mongodb_database]["outbox"].find().to_list()]
    await mongo.close()
    assert types == [
        "ocop.events.match.proposed.v1",
        "ocop.events.match.accepted.v1",
        "ocop.events.match.deal_signed.v1",
    ]


async def test_demand_and_offer_validation_and_scopes(api: Api) -> None:
    client, settings = api
    buyer = bearer(settings, Role.BUYER)
    bad = {**DEMAND, "price_min_vnd": 50000}
    assert_problem(await client.post("/api/v1/demands", json=bad, headers=buyer), 422)
    bad = {**DEMAND, "season_months": [13]}
    assert_problem(
        await client.post("/api/v1/demands", json=bad, headers=buyer), 422, "body.season_months.0"
    )
    bad = {**DEMAND, "monthly_volume_kg": {"$gt": 0}}
    assert_problem(
        await client.post("/api/v1/demands", json=bad, headers=buyer), 422, "body.monthly_volume_kg"
    )
    assert_problem(
        await client.post("/api/v1/demands", json={**DEMAND, "buyer_id": "other"}, headers=buyer),
        403,
        "body.buyer_id",
    )
    producer = bearer(settings, Role.PRODUCER, producer_id="prd-a")
    assert_problem(
        await client.post("/api/v1/offers", json=_offer("prd-b", "Bưởi"), headers=producer), 403
    )
    assert_problem(
        await client.post(
            "/api/v1/offers", json=_offer("prd-a", "Bưởi", product_id="sp-none"), headers=producer
        ),
        422,
        "body.product_id",
    )
    assert_problem(await client.post("/api/v1/demands", json=DEMAND, headers=producer), 403)
    assert_problem(await client.get("/api/v1/matches"), 401)


async def test_demands_and_offers_are_edited_by_their_owner_only(api: Api) -> None:
    client, settings = api
    owner = {"Authorization": bearer(settings, Role.BUYER)["Authorization"]}
    other_buyer = {
        "Authorization": "Bearer " + mint_token(settings, subject="buyer-other", roles=[Role.BUYER])
    }
    demand = (await client.post("/api/v1/demands", json=DEMAND, headers=owner)).json()
    edited = await client.put(
        f"/api/v1/demands/{demand['id']}", json={**DEMAND, "monthly_volume_kg": 5000}, headers=owner
    )
    assert edited.status_code == 200, edited.text
    assert (edited.json()["monthly_volume_kg"], edited.json()["id"]) == (5000, demand["id"])
    assert_problem(
        await client.put(f"/api/v1/demands/{demand['id']}", json=DEMAND, headers=other_buyer),
        403,
        "demand_id",
    )
    assert_problem(
        await client.put(
            f"/api/v1/demands/{demand['id']}",
            json={**DEMAND, "price_max_vnd": 1},
            headers=owner,
        ),
        422,
    )

    offer = await _post_offer(api, "prd-1", "Bưởi Đoan Hùng")
    mine = bearer(settings, Role.PRODUCER, producer_id="prd-1")
    theirs = bearer(settings, Role.PRODUCER, producer_id="prd-2")
    changed = await client.put(
        f"/api/v1/offers/{offer['id']}",
        json=_offer("prd-1", "Bưởi Đoan Hùng", price_vnd=30000),
        headers=mine,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["price_vnd"] == 30000
    assert_problem(
        await client.put(
            f"/api/v1/offers/{offer['id']}", json=_offer("prd-2", "Bưởi"), headers=theirs
        ),
        403,
    )
    assert_problem(
        await client.put(
            f"/api/v1/offers/{offer['id']}", json=_offer("prd-2", "Bưởi"), headers=mine
        ),
        422,
        "body.producer_id",
    )
