"""The demo seeds through real HTTP after the certification demo, events flowing through Kafka
(certification → catalogue → events), and a second run creates nothing."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import uvicorn

from ocop_catalog.config import CatalogSettings
from ocop_catalog.entrypoints.consumer import consume as catalog_consume
from ocop_certification.config import CertificationSettings
from ocop_certification.entrypoints.api import create_app as certification_app
from ocop_certification.entrypoints.demo import seed_demo as seed_certification
from ocop_events.config import EventsSettings
from ocop_events.entrypoints.api import create_app as events_app
from ocop_events.entrypoints.consumer import consume as events_consume
from ocop_events.entrypoints.demo import FAIR, demo_step_count, seed_demo
from ocop_platform.infra import Endpoints
from ocop_platform.infra.process import free_port
from ocop_platform.testing.support import background, eventually, isolated_settings, new_run_id
from ocop_shared.auth import Role, mint_token
from ocop_shared.messaging.workers import run_relay
from ocop_shared.mongo import create_client

pytestmark = [pytest.mark.integration, pytest.mark.e2e]


@contextlib.asynccontextmanager
async def http_server(app: Any) -> AsyncIterator[str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    await eventually(lambda: asyncio.sleep(0, server.started), until=bool)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def test_demo_seeds_the_fair_buyers_offers_and_pipeline_idempotently(
    infra: Endpoints,
) -> None:
    common = {
        "kafka": infra.kafka_bootstrap_servers,
        "mongodb": infra.mongodb_uri,
        "run_id": new_run_id(),
    }
    cert = isolated_settings(CertificationSettings, **common)
    catalog = isolated_settings(CatalogSettings, **common)
    events = isolated_settings(EventsSettings, **common)

    async def cert_relay(stop: asyncio.Event) -> None:
        await run_relay(cert, stop)

    async def catalog_relay(stop: asyncio.Event) -> None:
        await run_relay(catalog, stop)

    async def catalog_consumer(stop: asyncio.Event) -> None:
        await catalog_consume(catalog, stop)

    async def events_consumer(stop: asyncio.Event) -> None:
        await events_consume(events, stop)

    async def events_relay(stop: asyncio.Event) -> None:
        await run_relay(events, stop)

    admin = mint_token(events, subject="demo", roles=[Role.ADMIN])
    steps: list[str] = []
    try:
        async with (
            http_server(certification_app(cert)) as cert_url,
            http_server(events_app(events)) as events_url,
            background(cert_relay),
            background(catalog_relay),
            background(catalog_consumer),
            background(events_consumer),
            background(events_relay),
        ):
            await seed_certification(cert_url, admin)
            first = await seed_demo(events_url, admin, progress=steps.append)
            assert len(steps) == demo_step_count()
            assert first.events_created == 3
            assert first.booths_created == 250 + 40
            assert first.registrations_created > 3
            assert first.booths_allocated == first.registrations_created
            assert first.matches_proposed > 0
            assert first.pipeline_moves == 3 + 2 + 1
            assert "sự kiện" in first.summary()

            second = await seed_demo(events_url, admin)
            assert (second.events_created, second.booths_created) == (0, 0)
            assert (second.registrations_created, second.demands_created) == (0, 0)
            assert (second.offers_created, second.matches_proposed, second.pipeline_moves) == (
                0,
                0,
                0,
            )

            async with httpx.AsyncClient(
                base_url=events_url, headers={"Authorization": f"Bearer {admin}"}
            ) as client:
                fair_id = first.event_ids[FAIR.key]
                booths = (await client.get(f"/api/v1/trade-events/{fair_id}/booths")).json()
                assert len(booths) == 250
                matches = (await client.get("/api/v1/matches")).json()
                signed = [m for m in matches if m["stage"] == "deal_signed"]
                assert [(m["offer_title"], m["buyer_name"]) for m in signed] == [
                    ("Bưởi Đoan Hùng", "Chuỗi siêu thị Sen Vàng (minh hoạ)")
                ]
                pomelo = [m for m in matches if m["demand_title"] == "Bưởi Đoan Hùng"]
                assert {m["offer_title"] for m in pomelo} <= {"Bưởi Đoan Hùng", "Bưởi Sửu Chí Đám"}
                results = (await client.get("/api/v1/results")).json()
                fair = next(e for e in results["events"] if e["event_id"] == fair_id)
                assert fair["reported_sales_vnd"] > 0
                assert results["deal_value_vnd"] == 840_000_000

                async def backlog() -> int:
                    status = (await client.get("/health/messaging")).json()
                    pending: int = status["outbox_backlog"]
                    return pending

                # The relay has published every participation and match event to Kafka.
                await eventually(backlog, until=lambda pending: pending == 0)
    finally:
        mongo = create_client(infra.mongodb_uri, app_name="cleanup")
        for settings in (cert, catalog, events):
            await mongo.drop_database(settings.mongodb_database)
        await mongo.close()
