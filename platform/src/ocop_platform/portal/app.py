"""The portal's FastAPI app: `/` (cổng điều hành), `/api/health-summary`, `/asyncapi.html`.

Run alone with ``uvicorn --factory ocop_platform.portal.app:create_app``; `ocop run` starts it
on port 8000 (`OCOP_PORTAL_PORT`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from ocop_platform.portal.config import SERVICES, PortalSettings
from ocop_platform.portal.health import HealthSummary, collect_health
from ocop_shared.web.docs import install_offline_docs
from ocop_shared.web.header_limit import HeaderLimitMiddleware
from ocop_shared.web.observability import health_router
from ocop_shared.web.pages import service_templates

TEMPLATES = service_templates(Path(__file__).parent / "templates")

STATE_LABELS = {"up": "Sẵn sàng", "degraded": "Chưa sẵn sàng", "down": "Không phản hồi"}
LEVEL_LABELS = {"ok": "Bình thường", "warn": "Cần chú ý", "bad": "Có sự cố"}


def create_app(
    settings: PortalSettings | None = None, transport: httpx.AsyncBaseTransport | None = None
) -> FastAPI:
    config = settings or PortalSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with httpx.AsyncClient(transport=transport, timeout=10.0) as client:
            app.state.client = client
            yield

    app = FastAPI(
        title="OCOP – Cổng điều hành (portal)",
        summary="Liên kết các trang điều hành và tình trạng hệ thống.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    install_offline_docs(app)
    app.add_middleware(HeaderLimitMiddleware)
    app.include_router(health_router({}))

    def asyncapi_file() -> Path | None:
        path = config.asyncapi_path
        return path if path is not None and path.is_file() else None

    async def summary(request: Request) -> HealthSummary:
        client: httpx.AsyncClient = request.app.state.client
        return await collect_health(config, client)

    @app.get("/api/health-summary", tags=["portal"])
    async def health_summary(request: Request) -> HealthSummary:
        """Tình trạng từng dịch vụ: sẵn sàng, độ trễ tiêu thụ, outbox tồn, thư chết."""
        return await summary(request)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def home(request: Request) -> Response:
        health = await summary(request)
        by_key = {s.key: s for s in health.services}
        return TEMPLATES.TemplateResponse(
            request,
            "portal.html",
            {
                "health": health,
                "services": [(info, by_key[info.key]) for info in SERVICES],
                "state_labels": STATE_LABELS,
                "level_labels": LEVEL_LABELS,
                "refresh_s": config.refresh_s,
                "asyncapi": asyncapi_file() is not None,
            },
        )

    @app.get("/asyncapi.html", include_in_schema=False)
    async def asyncapi(request: Request) -> Response:
        path = asyncapi_file()
        if path is None:
            return TEMPLATES.TemplateResponse(request, "missing_asyncapi.html", {}, status_code=404)
        return FileResponse(path, media_type="text/html")

    return app
