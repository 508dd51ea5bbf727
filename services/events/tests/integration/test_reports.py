"""Participants report results once the event has started; the dashboard adds them up."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import pytest_asyncio

from ocop_events.config import EventsSettings
from ocop_events.entrypoints.api import create_app
from ocop_platform.infra import Endpoints
from ocop_platform.testing.support import bearer, isolated_settings, new_run_id, service_api
from ocop_shared.auth import Role
from ocop_shared.timeutil import FixedClock

from .helpers import apply_event, assert_problem, fair_body, listing

pytestmark = pytest.mark.integration


@pytest_asyncio.fixture
async def timed_api(
    infra: Endpoints,
) -> AsyncIterator[tuple[httpx.AsyncClient, EventsSettings, FixedClock]]:
    settings = isolated_settings(
        EventsSettings,
        kafka=infra.kafka_bootstrap_servers,
        mongodb=infra.mongodb_uri,
        run_id=new_run_id(),
    )
    clock = FixedClock(datetime.now(UTC))
    async with service_api(settings, lambda s: create_app(s, clock)) as (client, _):
        yield client, settings, clock


async def test_report_after_the_start_adds_to_the_results(
    timed_api: tuple[httpx.AsyncClient, EventsSettings, FixedClock],
) -> None:
    client, settings, clock = timed_api
    staff = bearer(settings, Role.TRADE_STAFF)
    producer = bearer(settings, Role.PRODUCER, producer_id="prd-1")
    event_id = (await client.post("/api/v1/trade-events", json=fair_body(), headers=staff)).json()[
        "id"
    ]
    await client.post(
        f"/api/v1/trade-events/{event_id}/booths",
        json={"zone": "A", "prefix": "A", "last": 2},
        headers=staff,
    )
    await apply_event(settings, listing("sp-1", "prd-1"), subject="sp-1", sequence=1)
    registration = (
        await client.post(
            f"/api/v1/trade-events/{event_id}/participations",
            json={"producer_id": "prd-1", "product_ids": ["sp-1"]},
            headers=producer,
        )
    ).json()
    report = {
        "sales_vnd": 12_500_000,
        "visitors": 640,
        "contracts_signed": 2,
        "contracts_value_vnd": 300_000_000,
    }
    early = await client.put(
        f"/api/v1/participations/{registration['id']}/report", json=report, headers=producer
    )
    assert_problem(early, 409, "participation_id")  # not confirmed yet
    await client.post(
        f"/api/v1/participations/{registration['id']}/confirm", json={}, headers=staff
    )
    clock.advance(timedelta(days=31))  # the fair is on
    other = bearer(settings, Role.PRODUCER, producer_id="prd-2")
    assert_problem(
        await client.put(
            f"/api/v1/participations/{registration['id']}/report", json=report, headers=other
        ),
        403,
    )
    for _ in range(2):  # filing again replaces the report
        filed = await client.put(
            f"/api/v1/participations/{registration['id']}/report", json=report, headers=producer
        )
        assert filed.status_code == 200, filed.text
    results = (await client.get("/api/v1/results", headers=staff)).json()
    fair = results["events"][0]
    assert (fair["reported_sales_vnd"], fair["visitors"], fair["contracts_signed"]) == (
        12_500_000,
        640,
        2,
    )
    assert fair["revenue_vnd"] == 12_500_000
    assert results["producers"][0]["producer_id"] == "prd-1"
    assert_problem(await client.get("/api/v1/results", headers=producer), 403)
