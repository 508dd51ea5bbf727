"""Every service's API started while MongoDB is down: not ready and refusing with 503 until
the database is back, then ready and serving, without a restart (issue 15).

Before the kernel retried start-up, such an API never recovered: its routes failed with
500 ``'State' object has no attribute …`` while `/health/ready` said 200.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import time
from collections.abc import AsyncIterator

import httpx
from asgi_lifespan import LifespanManager

from ocop_platform.infra import Endpoints, MongoServer
from ocop_platform.testing.support import bearer, eventually, isolated_settings, new_run_id
from ocop_shared.auth import Role
from ocop_shared.mongo import create_client

SERVICES = {
    # service: (settings class, a read that needs the database)
    "certification": ("CertificationSettings", "/api/v1/producers"),
    "catalog": ("CatalogSettings", "/api/v1/products"),
    "orders": ("OrdersSettings", "/api/v1/showrooms"),
    "events": ("EventsSettings", "/api/v1/trade-events"),
}


@contextlib.asynccontextmanager
async def _api(
    service: str, infra: Endpoints, run_id: str, databases: list[str]
) -> AsyncIterator[httpx.AsyncClient]:
    settings_name, _ = SERVICES[service]
    settings_cls = getattr(importlib.import_module(f"ocop_{service}.config"), settings_name)
    create_app = importlib.import_module(f"ocop_{service}.entrypoints.api").create_app
    settings = isolated_settings(
        settings_cls, kafka=infra.kafka_bootstrap_servers, mongodb=infra.mongodb_uri, run_id=run_id
    )
    databases.append(settings.mongodb_database)
    app = create_app(settings)
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://test", headers=bearer(settings, Role.ADMIN)
        ) as client:
            yield client


async def _get(client: httpx.AsyncClient, path: str) -> tuple[httpx.Response, float]:
    started = time.perf_counter()
    response = await client.get(path)
    return response, time.perf_counter() - started


async def test_every_api_started_without_its_database_recovers_when_the_database_returns(
    infra: Endpoints, mongo_server: MongoServer
) -> None:
    run_id = new_run_id()
    databases: list[str] = []
    async with contextlib.AsyncExitStack() as stack:
        await asyncio.to_thread(mongo_server.stop)
        try:
            clients: dict[str, httpx.AsyncClient] = {}
            for service in SERVICES:
                api = _api(service, infra, run_id, databases)
                clients[service] = await stack.enter_async_context(api)
            for service, client in clients.items():
                ready, _ = await _get(client, "/health/ready")
                assert ready.status_code == 503, service
                assert ready.json()["checks"]["startup"] == "down", service
                answer, took = await _get(client, SERVICES[service][1])
                assert answer.status_code == 503, (service, answer.text)
                assert answer.headers["content-type"].startswith("application/problem+json")
                assert "retry-after" in answer.headers, service
                assert took < 2.0, (service, took)
        finally:
            await asyncio.to_thread(mongo_server.start)

        async def all_ready() -> dict[str, int]:
            return {s: (await c.get("/health/ready")).status_code for s, c in clients.items()}

        await eventually(all_ready, until=lambda codes: set(codes.values()) == {200}, timeout_s=60)
        for service, client in clients.items():
            answer, _ = await _get(client, SERVICES[service][1])
            assert answer.status_code == 200, (service, answer.text)
    mongo = create_client(infra.mongodb_uri, app_name="test-cleanup")
    try:
        for name in databases:
            await mongo.drop_database(name)
    finally:
        await mongo.close()
