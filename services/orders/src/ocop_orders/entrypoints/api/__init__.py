"""HTTP API and consoles of the orders service: `create_app` composes the features' routers.

The features (`showroom`, `ecommerce`, `marketplace`) import this package's `deps` and
`pages` (the shared page helpers), so their routers are imported when the app is built,
not when this package is.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from ocop_orders.adapters.repository import ensure_indexes
from ocop_orders.config import OrdersSettings
from ocop_orders.entrypoints.api.deps import LoginRequiredError
from ocop_orders.entrypoints.consumer import topics
from ocop_orders.service_layer.unit_of_work import Orders
from ocop_shared.runtime import ServiceRuntime
from ocop_shared.timeutil import Clock
from ocop_shared.web.app import build_service_app


def feature_routers() -> list[APIRouter]:
    """Every router, in matching order: APIs and webhooks first, the console's pages last."""
    from ocop_orders.ecommerce.entrypoints.api import pages as ecommerce_pages
    from ocop_orders.ecommerce.entrypoints.api import pages_order as ecommerce_order_page
    from ocop_orders.ecommerce.entrypoints.api import routes as ecommerce_routes
    from ocop_orders.ecommerce.entrypoints.api import webhooks as ecommerce_webhooks
    from ocop_orders.entrypoints.api import pages
    from ocop_orders.marketplace.entrypoints.api import pages as marketplace_pages
    from ocop_orders.marketplace.entrypoints.api import routes as marketplace_routes
    from ocop_orders.showroom.entrypoints.api import (
        exports,
        pages_stock,
        pages_till,
        producer_pages,
        routes,
        routes_sales,
    )
    from ocop_orders.showroom.entrypoints.api import pages as showroom_pages

    return [
        routes.router,
        routes_sales.router,
        ecommerce_routes.router,
        ecommerce_webhooks.router,
        exports.router,
        pages.sign_in_routes,
        ecommerce_pages.router,  # before the order page: "/quay/don-hang/moi" is no order id
        ecommerce_order_page.router,
        producer_pages.router,
        marketplace_routes.router,
        marketplace_pages.router,
        showroom_pages.router,  # first: "/quay/quan-ly" before "/quay/{showroom_id}"
        pages_stock.router,
        pages_till.router,
    ]


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
        routers=feature_routers(),
        on_startup=startup,
        consumer_groups={settings.consumer_group: topics(settings)},
    )

    async def to_login(request: Request, exc: Exception) -> Response:
        return RedirectResponse(f"/quay/dang-nhap?next={request.url.path}", status_code=303)

    app.add_exception_handler(LoginRequiredError, to_login)
    return app
