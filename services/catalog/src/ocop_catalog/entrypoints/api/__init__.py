"""HTTP API and public pages of the catalogue service."""

from __future__ import annotations

from fastapi import FastAPI

from ocop_catalog.adapters.repository import ensure_indexes
from ocop_catalog.config import CatalogSettings
from ocop_catalog.entrypoints.api import pages, routes
from ocop_catalog.entrypoints.consumer import topics
from ocop_shared.runtime import ServiceRuntime
from ocop_shared.web.app import build_service_app


async def _startup(runtime: ServiceRuntime) -> None:
    await ensure_indexes(runtime.db)


def create_app(settings: CatalogSettings | None = None) -> FastAPI:
    settings = settings or CatalogSettings()
    return build_service_app(
        settings,
        title="OCOP – Danh mục sản phẩm",
        description="Danh mục công khai các sản phẩm OCOP, sao và hiệu lực giấy chứng nhận",
        routers=[routes.router, pages.router],
        on_startup=_startup,
        consumer_groups={settings.consumer_group: topics(settings)},
    )
