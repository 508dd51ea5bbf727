"""HTTP API of the certification service."""

from __future__ import annotations

from fastapi import FastAPI

from ocop_certification.adapters.repository import ensure_indexes
from ocop_certification.config import CertificationSettings
from ocop_certification.entrypoints.api import routes
from ocop_shared.runtime import ServiceRuntime
from ocop_shared.web.app import build_service_app


async def _startup(runtime: ServiceRuntime) -> None:
    await ensure_indexes(runtime.db)


def create_app(settings: CertificationSettings | None = None) -> FastAPI:
    return build_service_app(
        settings or CertificationSettings(),
        title="OCOP – Chứng nhận",
        description="Chủ thể, sản phẩm, giấy chứng nhận OCOP và vòng đời của chúng",
        routers=[routes.router],
        on_startup=_startup,
    )
