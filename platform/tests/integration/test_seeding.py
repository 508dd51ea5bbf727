"""The seeding client against the running platform (`ocop run` has seeded it once): the demo
is what the tour and the browser tests expect, a second run creates nothing, and records that
are not demo data are never stocked, listed, ordered or registered at a fair."""

from __future__ import annotations

import os
from collections.abc import Iterator

import httpx
import pytest

from ocop_platform.infra import Endpoints
from ocop_platform.seeding import SECTIONS, SeedRun, demo_data, seed_section
from ocop_platform.testing.platform import RunningSystem, already_running, start_platform
from ocop_platform.testing.support import eventually

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.timeout(900)]

OUTSIDER = "Mật ong bạc hà ngoài dữ liệu mẫu"
"""A certified product someone else registers: sellable and fair-eligible, but not demo data."""


@pytest.fixture(scope="module")
def system(request: pytest.FixtureRequest) -> Iterator[RunningSystem]:
    if port_base := os.environ.get("OCOP_TEST_PORT_BASE"):
        yield already_running(port_base)
        return
    infra: Endpoints = request.getfixturevalue("infra")
    with start_platform(infra) as running:
        yield running


async def _register_outsider(system: RunningSystem, http: httpx.AsyncClient) -> str:
    """A producer, product and 4★ certificate that are not in the demo data (or the product's
    id, when an earlier test run registered them already)."""
    base = system.certification
    producers = (await http.get(f"{base}/api/v1/producers", params={"limit": 200})).json()
    producer = next((p for p in producers if p["tax_code"] == "0109999995"), None)
    if producer is None:
        producer = (
            await http.post(
                f"{base}/api/v1/producers",
                json={
                    "name": "Công ty TNHH Ong mật ngoài demo",
                    "legal_form": "enterprise",
                    "tax_code": "0109999995",
                    "province": "Phú Thọ",
                    "commune": "Thanh Sơn",
                },
            )
        ).json()
    products = (
        await http.get(f"{base}/api/v1/products", params={"producer_id": producer["id"]})
    ).json()
    if products:
        return str(products[0]["id"])
    product = (
        await http.post(
            f"{base}/api/v1/products",
            json={
                "producer_id": producer["id"],
                "name": OUTSIDER,
                "group_code": "food",
                "province": "Phú Thọ",
                "commune": "Thanh Sơn",
            },
        )
    ).json()
    issued = await http.post(
        f"{base}/api/v1/certificates",
        json={
            "product_id": product["id"],
            "stars": 4,
            "level": "province",
            "issuing_authority": "UBND tỉnh Phú Thọ",
            "decision_number": "9999/QĐ-UBND",
            "decision_date": "2025-11-20",
        },
    )
    assert issued.status_code == 201, issued.text
    return str(product["id"])


async def test_a_second_seeding_creates_nothing_and_never_touches_other_records(
    system: RunningSystem,
) -> None:
    headers = {"Authorization": f"Bearer {system.admin_token}"}
    async with httpx.AsyncClient(headers=headers, timeout=30) as http:
        outsider = await _register_outsider(system, http)
        showrooms = (await http.get(f"{system.orders}/api/v1/showrooms")).json()
        viet_tri = next(s for s in showrooms if s["code"] == "VT")

        async def till_sells_it() -> bool:
            listed = await http.get(
                f"{system.orders}/api/v1/showrooms/{viet_tri['id']}/products",
                params={"limit": 200},
            )
            return any(c["product"]["id"] == outsider and c["sellable"] for c in listed.json())

        async def fairs_know_it() -> bool:
            products = (await http.get(f"{system.events}/api/v1/products")).json()
            return any(p["id"] == outsider for p in products)

        # The outsider reaches the orders and events read models before the second run.
        await eventually(till_sells_it, until=bool, timeout_s=120, interval_s=1)
        await eventually(fairs_know_it, until=bool, timeout_s=120, interval_s=1)

        run = SeedRun()
        for section in SECTIONS:
            steps: list[str] = []
            run.step = steps.append
            await seed_section(section, system.urls[section.service], system.admin_token, run)
            assert len(steps) == section.steps(demo_data()), section.label

        assert run.report.total_created == 0, run.report.rows()
        assert run.report.existing["producer"] == 14
        assert run.report.existing["product"] == len(demo_data().registered_product_names())
        assert run.report.existing["showroom"] == 3
        assert run.report.existing["trade_event"] == 3
        assert run.report.existing["booth"] == 290
        assert run.report.existing["online_order"] == 4

        for showroom in showrooms:
            stock = await http.get(f"{system.orders}/api/v1/showrooms/{showroom['id']}/stock")
            assert outsider not in {row["product"]["id"] for row in stock.json()}
        listings = (await http.get(f"{system.orders}/api/v1/listings")).json()
        assert outsider not in {listing["product_id"] for listing in listings}
        events = (await http.get(f"{system.events}/api/v1/trade-events")).json()
        for event in events:
            participations = (
                await http.get(f"{system.events}/api/v1/trade-events/{event['id']}/participations")
            ).json()
            assert all(outsider not in p["product_ids"] for p in participations)


async def test_the_demo_is_what_the_tour_and_the_pages_expect(system: RunningSystem) -> None:
    headers = {"Authorization": f"Bearer {system.admin_token}"}
    async with httpx.AsyncClient(headers=headers, timeout=30) as http:
        showrooms = (await http.get(f"{system.orders}/api/v1/showrooms")).json()
        kiosks = {s["code"]: len(s["kiosks"]) for s in showrooms}
        assert kiosks == {"VT": 42, "DH": 100, "XS": 3}
        viet_tri = next(s for s in showrooms if s["code"] == "VT")
        assert viet_tri["accepts_key_farm_products"]
        stock = (await http.get(f"{system.orders}/api/v1/showrooms/{viet_tri['id']}/stock")).json()
        assert "Bưởi Đoan Hùng" in {row["product"]["name"] for row in stock}

        dossiers = (await http.get(f"{system.certification}/api/v1/dossiers")).json()
        assert len(dossiers) == 8
        assert sorted(d["status"] for d in dossiers).count("recognised") == 4
        assert [d for d in dossiers if d["status"] == "under_evaluation"]

        trade_events = (
            await http.get(f"{system.events}/api/v1/trade-events", params={"include_past": True})
        ).json()
        fair = next(e for e in trade_events if e["kind"] == "fair")
        booths = (await http.get(f"{system.events}/api/v1/trade-events/{fair['id']}/booths")).json()
        assert len(booths) == 250
        matches = (await http.get(f"{system.events}/api/v1/matches")).json()
        signed = [m for m in matches if m["stage"] == "deal_signed"]
        assert [(m["offer_title"], m["buyer_name"]) for m in signed] == [
            ("Bưởi Đoan Hùng", "Chuỗi siêu thị Sen Vàng (minh hoạ)")
        ]
        results = (await http.get(f"{system.events}/api/v1/results")).json()
        assert results["deal_value_vnd"] == 840_000_000
