"""HTTP API of the certification service."""

from __future__ import annotations

from fastapi import FastAPI

from ocop_certification.adapters.repository import ensure_indexes
from ocop_certification.config import CertificationSettings
from ocop_certification.domain.rules import RuleBook, default_rule_book
from ocop_certification.entrypoints.api import (
    page_auth,
    pages,
    pages_certificates,
    pages_directory,
    pages_producer,
    pages_register,
    routes,
    routes_dossiers,
    routes_oversight,
)
from ocop_shared.runtime import ServiceRuntime
from ocop_shared.timeutil import Clock
from ocop_shared.web.app import build_service_app


async def _startup(runtime: ServiceRuntime) -> None:
    await ensure_indexes(runtime.db)


def create_app(
    settings: CertificationSettings | None = None,
    *,
    clock: Clock | None = None,
    rules: RuleBook | None = None,
) -> FastAPI:
    app = build_service_app(
        settings or CertificationSettings(),
        title="OCOP – Chứng nhận",
        description="Chủ thể, sản phẩm, đợt đánh giá, hồ sơ, chấm điểm, giấy chứng nhận OCOP",
        routers=[
            routes.router,
            routes_dossiers.router,
            routes_oversight.router,
            page_auth.sign_in_routes,
            pages_producer.router,  # before pages: /ho-so/moi is not a dossier id
            pages.router,
            pages_register.router,
            pages_certificates.router,
            pages_directory.router,
        ],
        on_startup=_startup,
    )
    app.state.clock = clock or Clock()
    app.state.rules = rules or default_rule_book()
    return app
