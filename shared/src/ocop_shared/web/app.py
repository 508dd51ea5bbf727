"""The app skeleton every service's `create_app` builds on."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from ocop_shared.logging import configure_logging
from ocop_shared.messaging.status import MessagingStatus, messaging_status
from ocop_shared.runtime import ServiceRuntime, ensure_messaging_indexes, open_runtime
from ocop_shared.settings import ServiceSettings
from ocop_shared.web.body_limit import DEFAULT_MAX_BODY_BYTES, BodyLimitMiddleware
from ocop_shared.web.docs import install_offline_docs
from ocop_shared.web.header_limit import HeaderLimitMiddleware
from ocop_shared.web.observability import health_router, install_correlation_and_metrics
from ocop_shared.web.problems import (
    UnexpectedErrorMiddleware,
    document_problems,
    install_problem_handlers,
)
from ocop_shared.web.startup import Startup as StartupState
from ocop_shared.web.startup import StartupGateMiddleware

Startup = Callable[[ServiceRuntime], Awaitable[None]]


def build_service_app(
    settings: ServiceSettings,
    *,
    title: str,
    description: str,
    routers: Sequence[APIRouter],
    on_startup: Startup | None = None,
    consumer_groups: Mapping[str, list[str]] | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
) -> FastAPI:
    """FastAPI app with the runtime in `app.state.runtime`, problem+json, health and metrics.

    Request bodies over ``max_body_bytes`` are refused with 413 before they are read, too
    many or too large headers with 431. Start-up (the messaging indexes, then
    ``on_startup``) is retried in the background until it works; until then
    `/health/ready` answers 503 and every other request a 503 problem with Retry-After
    (`ocop_shared.web.startup`), so ``on_startup`` must be safe to run again after a failure.
    """
    configure_logging(settings.service_name, settings.log_level, settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = await open_runtime(settings)
        app.state.runtime = runtime

        async def prepare() -> None:
            await ensure_messaging_indexes(runtime.db)
            if on_startup is not None:
                await on_startup(runtime)

        startup = StartupState(prepare)
        app.state.startup = startup
        try:
            async with startup.running():
                yield
        finally:
            await runtime.close()

    app = FastAPI(
        title=title,
        description=description,
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # served from the project's own assets, below: no CDN
        redoc_url=None,
    )
    install_offline_docs(app)
    app.state.settings = settings
    install_problem_handlers(app)
    document_problems(app)
    # The last added runs first. Innermost: unexpected errors answered without closing the
    # connection. Inside the correlation middleware: a 413 raised while the body is read must
    # reach FastAPI's body parsing unwrapped, or it comes out as 400 "error parsing the body".
    app.add_middleware(UnexpectedErrorMiddleware)
    app.add_middleware(BodyLimitMiddleware, max_bytes=max_body_bytes)
    app.add_middleware(StartupGateMiddleware)
    install_correlation_and_metrics(app, settings.service_name)
    app.add_middleware(HeaderLimitMiddleware)

    async def mongo_ready() -> bool:
        runtime: ServiceRuntime = app.state.runtime
        return await runtime.mongo_ready()

    async def kafka_ready() -> bool:
        runtime: ServiceRuntime = app.state.runtime
        return await runtime.kafka_ready()

    async def started() -> bool:
        startup: StartupState | None = getattr(app.state, "startup", None)
        return startup is not None and startup.done

    app.include_router(
        health_router({"startup": started, "mongodb": mongo_ready, "kafka": kafka_ready})
    )

    @app.get("/health/messaging", tags=["health"])
    async def messaging() -> MessagingStatus:
        """Outbox backlog, dead letters waiting for replay, and the lag of our consumer groups."""
        runtime: ServiceRuntime = app.state.runtime
        return await messaging_status(
            runtime.db, settings.kafka_bootstrap_servers, consumer_groups or {}
        )

    for router in routers:
        app.include_router(router)
    return app
