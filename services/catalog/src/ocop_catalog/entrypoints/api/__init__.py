"""HTTP API and public pages of the catalogue service."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from ocop_catalog.adapters.repository import ensure_indexes
from ocop_catalog.adapters.search_feed import SearchFeed
from ocop_catalog.config import CatalogSettings
from ocop_catalog.entrypoints.api import pages, routes
from ocop_catalog.entrypoints.consumer import topics
from ocop_shared.runtime import ServiceRuntime
from ocop_shared.web.app import build_service_app
from ocop_shared.web.body_limit import DEFAULT_MAX_BODY_BYTES


def create_app(settings: CatalogSettings | None = None) -> FastAPI:
    settings = settings or CatalogSettings()
    feed = SearchFeed()

    async def startup(runtime: ServiceRuntime) -> None:
        await ensure_indexes(runtime.db)
        feed.start(runtime.db)

    app = build_service_app(
        settings,
        title="OCOP – Danh mục sản phẩm",
        description="Danh mục công khai các sản phẩm OCOP, sao và hiệu lực giấy chứng nhận",
        routers=[routes.router, pages.router],
        on_startup=startup,
        consumer_groups={settings.consumer_group: topics(settings)},
        # A larger import limit than the shared cap must still reach the import's own check.
        max_body_bytes=max(DEFAULT_MAX_BODY_BYTES, settings.import_max_bytes + 1024 * 1024),
    )
    app.state.search_feed = feed
    shared_lifespan = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with shared_lifespan(app):
            try:
                yield
            finally:
                await feed.stop()  # before the shared lifespan closes the database client

    app.router.lifespan_context = lifespan
    return app
