"""The kernel's app skeleton against a real database that is away: start-up retried until it
works, readiness that proves a write and a read, bounded answers during an outage.

Every service's `create_app` is built on `build_service_app`, so these hold for all four.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from fastapi import APIRouter, FastAPI, Request

from ocop_platform.infra import MongoServer
from ocop_platform.testing.support import eventually
from ocop_shared.mongo import HEALTH_COLLECTION, Client, ensure_collections, in_transaction
from ocop_shared.runtime import ServiceRuntime
from ocop_shared.settings import ServiceSettings
from ocop_shared.web.app import build_service_app

BOUND_S = 2.0
"""Every request answers within this while the database is away."""


def _toy_app(settings: ServiceSettings) -> FastAPI:
    """A service shaped like the real ones: start-up prepares collections and puts state on
    `app.state` that the routes need (orders' `app.state.orders`)."""
    router = APIRouter()

    async def startup(runtime: ServiceRuntime) -> None:
        await ensure_collections(runtime.db, ["things"])
        await runtime.db["things"].create_index("name", unique=True)
        app.state.things = runtime.db["things"]

    @router.get("/api/v1/things")
    async def things(request: Request) -> list[str]:
        found = request.app.state.things.find({}, {"name": 1})
        return [doc["name"] async for doc in found]

    @router.post("/api/v1/things", status_code=201)
    async def add(request: Request, name: str) -> dict[str, str]:
        runtime: ServiceRuntime = request.app.state.runtime

        async def work(session: Any) -> None:
            await request.app.state.things.insert_one({"name": name}, session=session)

        await in_transaction(runtime.client, work)
        return {"name": name}

    app = build_service_app(
        settings, title="t", description="d", routers=[router], on_startup=startup
    )
    return app


@contextlib.asynccontextmanager
async def _client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with LifespanManager(app, startup_timeout=30, shutdown_timeout=30) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


async def _timed(client: httpx.AsyncClient, method: str, url: str) -> httpx.Response:
    started = time.perf_counter()
    response = await client.request(method, url)
    elapsed = time.perf_counter() - started
    assert elapsed < BOUND_S, f"{method} {url} took {elapsed:.2f} s"
    return response


def _assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert int(response.headers["retry-after"]) > 0
    body = response.json()
    assert body["status"] == 503
    assert "vui lòng thử lại" in body["detail"]  # Vietnamese, for the person at the till


@contextlib.contextmanager
def _database_stopped(server: MongoServer) -> Iterator[None]:
    server.stop()
    try:
        yield
    finally:
        server.start()  # the session's other tests need it back, whatever happened


async def _ready(client: httpx.AsyncClient) -> httpx.Response:
    return await client.get("/health/ready")


async def test_an_api_started_while_the_database_is_down_becomes_ready_once_it_is_back(
    settings: ServiceSettings, mongo_server: MongoServer
) -> None:
    app = _toy_app(settings)
    with _database_stopped(mongo_server):
        async with _client(app) as client:
            ready = await _timed(client, "GET", "/health/ready")
            assert ready.status_code == 503
            assert ready.json()["checks"]["startup"] == "down"
            assert ready.json()["checks"]["mongodb"] == "down"
            _assert_unavailable(await _timed(client, "GET", "/api/v1/things"))
            assert (await client.get("/health/live")).status_code == 200

            await asyncio.to_thread(mongo_server.start)
            ready = await eventually(
                lambda: _ready(client), until=lambda r: r.status_code == 200, timeout_s=30
            )
            assert ready.json()["checks"] == {"startup": "ok", "mongodb": "ok", "kafka": "ok"}
            assert (await client.post("/api/v1/things", params={"name": "bưởi"})).status_code == 201
            assert (await client.get("/api/v1/things")).json() == ["bưởi"]


async def test_requests_during_an_outage_answer_503_in_vietnamese_within_two_seconds(
    settings: ServiceSettings, mongo: Client, mongo_server: MongoServer
) -> None:
    async with _client(_toy_app(settings)) as client:
        assert (await _ready(client)).status_code == 200
        with _database_stopped(mongo_server):
            for method, url in (
                ("GET", "/api/v1/things"),
                ("POST", "/api/v1/things?name=che"),  # a transaction: not retried for 2 min
                ("GET", "/health/ready"),
            ):
                response = await _timed(client, method, url)
                if url == "/health/ready":
                    assert response.status_code == 503
                    assert response.json()["checks"]["mongodb"] == "down"
                else:
                    _assert_unavailable(response)
        await eventually(lambda: _ready(client), until=lambda r: r.status_code == 200)
        assert (await client.get("/api/v1/things")).status_code == 200


async def test_readiness_fails_when_the_database_answers_ping_but_cannot_write(
    settings: ServiceSettings, mongo: Client
) -> None:
    # What a full disk does to SecantusDB: ping says primary, storage refuses. A validator
    # that rejects every health document stands in for the refusing storage.
    db = mongo[settings.mongodb_database]
    await db.create_collection(
        HEALTH_COLLECTION, validator={"$jsonSchema": {"required": ["never-present"]}}
    )
    async with _client(_toy_app(settings)) as client:
        await mongo.admin.command("ping")
        ready = await _ready(client)
        assert ready.status_code == 503
        assert ready.json()["checks"]["mongodb"] == "down"
        await db.drop_collection(HEALTH_COLLECTION)
        ready = await _ready(client)
        assert ready.status_code == 200
        assert await db[HEALTH_COLLECTION].count_documents({}) == 1  # it wrote and read back
