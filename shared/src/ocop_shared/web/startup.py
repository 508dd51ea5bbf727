"""A service's start-up (collections, indexes, whatever its lifespan prepares) that keeps
trying in the background until it works, and a gate that refuses requests until then.

An API started while MongoDB was down used to serve requests with half its state missing
(every call 500) while `/health/ready` said 200. Now the first attempt runs in the lifespan;
if it fails the app starts anyway, retries with backoff, reports `startup: down` on
`/health/ready` (503) and answers every request that needs the service with a 503 problem
and Retry-After, until start-up has completed once.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

import structlog
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from ocop_shared.web.problems import negotiated, problem

log = structlog.get_logger(__name__)

RETRY_AFTER_S = 5
OPEN_PATHS = ("/health/", "/metrics", "/docs", "/redoc", "/openapi.json", "/_docs/")
"""Answered before start-up has completed: probes, metrics and the API documentation."""


class Startup:
    """Whether the app's preparation has completed, and the loop that retries it."""

    def __init__(
        self,
        prepare: Callable[[], Awaitable[None]],
        *,
        first_wait_s: float = 0.5,
        max_wait_s: float = 5.0,
    ) -> None:
        self._prepare = prepare
        self._first_wait_s = first_wait_s
        self._max_wait_s = max_wait_s
        self.done = False
        self.last_error: str | None = None

    async def _attempt(self) -> bool:
        try:
            await self._prepare()
        except Exception as exc:
            self.last_error = repr(exc)
            return False
        self.done = True
        self.last_error = None
        return True

    async def _retry(self) -> None:
        wait = self._first_wait_s
        attempts = 1
        while True:
            await asyncio.sleep(wait)
            attempts += 1
            if await self._attempt():
                log.info("app.startup_completed", attempts=attempts)
                return
            log.warning("app.startup_retry", error=self.last_error, retry_in_s=wait)
            wait = min(wait * 2, self._max_wait_s)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Try once now; on failure keep trying in the background while the app serves."""
        task: asyncio.Task[None] | None = None
        if not await self._attempt():
            log.warning("app.startup_incomplete", error=self.last_error)
            task = asyncio.create_task(self._retry(), name="app-startup-retry")
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task


class StartupGateMiddleware:
    """503 problem+json with Retry-After for every request but the open paths, until the
    app's start-up has completed (`app.state.startup`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        startup: Startup | None = getattr(scope["app"].state, "startup", None)
        if (
            scope["type"] != "http"
            or startup is None
            or startup.done
            or scope["path"].startswith(OPEN_PATHS)
        ):
            await self.app(scope, receive, send)
            return
        response = negotiated(
            Request(scope),
            problem(
                503,
                "Dịch vụ đang khởi động",
                "Dịch vụ chưa sẵn sàng (đang chờ cơ sở dữ liệu); vui lòng thử lại sau ít giây.",
                code="starting-up",
                headers={"Retry-After": str(RETRY_AFTER_S)},
            ),
        )
        await response(scope, receive, send)
