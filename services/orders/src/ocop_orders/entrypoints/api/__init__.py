"""HTTP API and showroom console of the orders service."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from ocop_orders.adapters.repository import ensure_indexes
from ocop_orders.config import OrdersSettings
from ocop_orders.entrypoints.api import exports, pages, producer_pages, routes
from ocop_orders.entrypoints.api.deps import LoginRequiredError
from ocop_orders.entrypoints.api.ecommerce_pages import router as ecommerce_pages
from ocop_orders.entrypoints.api.ecommerce_routes import router as ecommerce_router
from ocop_orders.entrypoints.api.ecommerce_webhooks import router as ecommerce_webhooks
from ocop_orders.entrypoints.api.marketplace import router as marketplace_router
from ocop_orders.entrypoints.api.marketplace_pages import router as marketplace_pages_router
from ocop_orders.entrypoints.consumer import topics
from ocop_orders.service_layer.unit_of_work import Orders
from ocop_shared.runtime import ServiceRuntime
from ocop_shared.timeutil import Clock
from ocop_shared.web.app import build_service_app


def create_app(settings: OrdersSettings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = settings or OrdersSettings()
    clock = clock or Clock()

    async def startup(runtime: ServiceRuntime) -> None:
        app.state.orders = Orders(runtime, settings, clock)
        await ensure_indexes(runtime.db)

    app = build_service_app(
        settings,
        title="OCOP – Điểm bán",
        description="Điểm giới thiệu và bán sản phẩm OCOP: tồn kho theo lô, bán hàng, trả hàng, "
        "chuyển kho, kiểm kê, rút hàng khi giấy chứng nhận hết hiệu lực",
        routers=[
            routes.router,
            ecommerce_router,
            ecommerce_webhooks,
            exports.router,
            pages.sign_in_routes,
            ecommerce_pages,
            producer_pages.router,
            marketplace_router,
            marketplace_pages_router,
            pages.router,
        ],
        on_startup=startup,
        consumer_groups={settings.consumer_group: topics(settings)},
    )

    async def to_login(request: Request, exc: Exception) -> Response:
        return RedirectResponse(f"/quay/dang-nhap?next={request.url.path}", status_code=303)

    app.add_exception_handler(LoginRequiredError, to_login)
    return app
