"""HTTP API and staff console of the events service (trade promotion)."""

from __future__ import annotations

from fastapi import FastAPI

from ocop_events.adapters.repository import ensure_indexes
from ocop_events.config import EventsSettings
from ocop_events.entrypoints.api import (
    pages,
    pages_console,
    pages_self,
    routes_events,
    routes_matching,
    routes_results,
)
from ocop_events.entrypoints.consumer import topics
from ocop_shared.runtime import ServiceRuntime
from ocop_shared.timeutil import Clock
from ocop_shared.web.app import build_service_app


async def _startup(runtime: ServiceRuntime) -> None:
    await ensure_indexes(runtime.db)


def create_app(settings: EventsSettings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = settings or EventsSettings()
    app = build_service_app(
        settings,
        title="OCOP – Xúc tiến thương mại",
        description="Hội chợ, gian hàng, đăng ký tham gia, kết nối cung - cầu và kết quả",
        routers=[
            routes_events.router,
            routes_matching.router,
            routes_results.router,
            pages.router,
            pages_console.router,
            pages_self.router,
        ],
        on_startup=_startup,
        consumer_groups={settings.consumer_group: topics(settings)},
    )
    app.state.clock = clock or Clock()
    return app
