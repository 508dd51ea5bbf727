"""App factories for the partner stand-ins that ``ocop run`` starts on a developer's machine.

Each fake is configured from the same environment as the orders service (its API keys,
webhook secrets and Viettel Post account), so the two agree by construction, and pushes its
webhooks to the orders API named by ``ORDERS_API_BASE_URL`` (set by ``ocop run``). Never
deployed: compose starts them only in its ``demo`` profile.
"""

from __future__ import annotations

import os

from fastapi import FastAPI

from ocop_orders.config import OrdersSettings
from ocop_platform.stand_ins.marketplace import create_fake_marketplace
from ocop_platform.stand_ins.viettelpost import FakeState, create_fake


def _orders_api() -> str:
    return os.environ.get("ORDERS_API_BASE_URL", "http://127.0.0.1:8003").rstrip("/")


def _with_health(app: FastAPI) -> FastAPI:
    """``ocop run`` waits for /health/ready of every API it starts."""

    @app.get("/health/ready", include_in_schema=False)
    @app.get("/health/live", include_in_schema=False)
    async def ready() -> dict[str, str]:
        return {"status": "ok"}

    return app


def _marketplace(channel: str) -> FastAPI:
    settings = OrdersSettings()
    api_key = getattr(settings, f"{channel}_api_key").get_secret_value()
    secret = settings.channel_webhook_secret(channel) or ""
    return _with_health(
        create_fake_marketplace(
            channel,
            api_keys={api_key},
            webhook_url=f"{_orders_api()}/v1/channels/{channel}/orders/webhook",
            webhook_secret=secret,
        )
    )


def postmart_app() -> FastAPI:
    return _marketplace("postmart")


def voso_app() -> FastAPI:
    return _marketplace("voso")


def viettelpost_app() -> FastAPI:
    settings = OrdersSettings()
    state = FakeState(
        username=settings.viettelpost_username,
        password=settings.viettelpost_password.get_secret_value(),
        webhook_url=f"{_orders_api()}/v1/shipping/viettelpost/webhook",
        webhook_token=settings.viettelpost_webhook_secret.get_secret_value(),
    )
    return _with_health(create_fake(state))
