"""The kernel's app skeleton behind a real uvicorn server, started with the options every API
is started with (`ocop_shared.web.serve.UVICORN_LIMITS`)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

import httpx
import uvicorn
from fastapi import APIRouter, Request

from ocop_platform.infra import free_port
from ocop_shared.settings import ServiceSettings
from ocop_shared.web.app import build_service_app
from ocop_shared.web.serve import H11_MAX_INCOMPLETE_EVENT_SIZE, UVICORN_LIMITS


@contextlib.asynccontextmanager
async def _served(settings: ServiceSettings) -> AsyncIterator[str]:
    router = APIRouter()

    @router.get("/api/v1/boom")
    async def boom() -> None:
        raise RuntimeError("mongodb://admin:secret@db internal detail")

    @router.get("/api/v1/peer")
    async def peer(request: Request) -> dict[str, int]:
        assert request.client is not None
        return {"port": request.client.port}

    app = build_service_app(settings, title="t", description="d", routers=[router])
    # The options `ocop run`, the tests and the image pass on uvicorn's command line.
    assert (
        "--http",
        "h11",
        "--h11-max-incomplete-event-size",
        str(H11_MAX_INCOMPLETE_EVENT_SIZE),
    ) == UVICORN_LIMITS
    port = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        http="h11",
        h11_max_incomplete_event_size=H11_MAX_INCOMPLETE_EVENT_SIZE,
        log_level="warning",
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            assert not task.done(), "uvicorn did not start"
            await asyncio.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 30)


async def test_an_unexpected_error_is_a_vietnamese_500_and_the_connection_stays_usable(
    settings: ServiceSettings,
) -> None:
    async with (
        _served(settings) as url,
        httpx.AsyncClient(base_url=url, limits=httpx.Limits(max_connections=1)) as client,
    ):
        first = await client.get("/api/v1/peer")
        failed = await client.get("/api/v1/boom")
        assert failed.status_code == 500
        assert failed.headers["content-type"].startswith("application/problem+json")
        assert failed.json()["title"] == "Lỗi hệ thống"
        assert "secret" not in failed.text
        assert "Traceback" not in failed.text
        assert failed.headers.get("connection", "").lower() != "close"
        after = await client.get("/api/v1/peer")
        assert after.status_code == 200
        # The same keep-alive connection carried all three requests.
        assert after.json()["port"] == first.json()["port"]


async def test_too_many_or_too_large_headers_are_refused_with_431_at_once(
    settings: ServiceSettings,
) -> None:
    many = {f"x-extra-{i}": "v" * 20 for i in range(200)}
    large = {"x-large": "a" * 64 * 1024}
    async with _served(settings) as url, httpx.AsyncClient(base_url=url) as client:
        for headers in (many, large):
            started = time.perf_counter()
            response = await client.get("/api/v1/peer", headers=headers)
            elapsed = time.perf_counter() - started
            assert response.status_code == 431
            assert response.headers["content-type"].startswith("application/problem+json")
            assert "tiêu đề" in response.json()["detail"]
            assert elapsed < 1.0, f"{elapsed:.2f} s"
        # Beyond the parser's bound the server refuses before the app sees anything.
        huge = {"x-huge": "a" * (H11_MAX_INCOMPLETE_EVENT_SIZE + 1024)}
        with contextlib.suppress(httpx.RemoteProtocolError):
            assert (await client.get("/api/v1/peer", headers=huge)).status_code in (400, 431)
        assert (await client.get("/api/v1/peer")).status_code == 200
