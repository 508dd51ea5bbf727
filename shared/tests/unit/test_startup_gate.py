"""Start-up that failed is retried in the background, and requests wait at the gate."""

from __future__ import annotations

import asyncio

import httpx
from fastapi import FastAPI

from ocop_shared.web.startup import Startup, StartupGateMiddleware


async def test_a_failed_start_up_is_retried_and_the_gate_opens_once_it_worked() -> None:
    attempts = 0

    async def prepare() -> None:
        nonlocal attempts
        attempts += 1
        if attempts < 3:
            raise ConnectionError("database away")

    app = FastAPI()
    app.add_middleware(StartupGateMiddleware)
    startup = Startup(prepare, first_wait_s=0.01, max_wait_s=0.02)
    app.state.startup = startup

    @app.get("/api/v1/thing")
    async def thing() -> dict[str, str]:
        return {"ok": "yes"}

    @app.get("/health/live")
    async def live() -> dict[str, str]:
        return {"status": "ok"}

    transport = httpx.ASGITransport(app=app)
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://test") as client,
        startup.running(),
    ):
        assert not startup.done
        refused = await client.get("/api/v1/thing")
        assert refused.status_code == 503
        assert refused.headers["retry-after"] == "5"
        assert refused.json()["type"] == "starting-up"
        page = await client.get("/api/v1/thing", headers={"accept": "text/html"})
        assert page.status_code == 503
        assert "retry-after" in page.headers
        assert (await client.get("/health/live")).status_code == 200
        for _ in range(200):
            if startup.done:
                break
            await asyncio.sleep(0.01)
        assert startup.done
        assert attempts == 3
        assert (await client.get("/api/v1/thing")).json() == {"ok": "yes"}
