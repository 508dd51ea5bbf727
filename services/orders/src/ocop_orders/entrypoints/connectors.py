"""`python -m ocop_orders.entrypoints.connectors`: drain the outbound call journal
(marketplaces, carriers) and reconcile marketplace listings periodically.

``build_executors`` is the one place where partner calls are wired: add carrier executors
(e.g. Viettel Post) there.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import structlog
from pymongo.errors import PyMongoError

from ocop_orders.adapters.repository import ensure_indexes
from ocop_orders.config import OrdersSettings
from ocop_orders.ecommerce.service_layer.shipping import register_viettelpost
from ocop_orders.marketplace.adapters.partner_api import (
    PartnerApiClient,
    marketplace_clients,
)
from ocop_orders.marketplace.domain.listings import Marketplace
from ocop_orders.marketplace.service_layer.executors import register_marketplace_executors
from ocop_orders.marketplace.service_layer.reconcile import reconcile_all
from ocop_orders.service_layer.outbound import Executors, OutboundWorker
from ocop_orders.service_layer.unit_of_work import Orders
from ocop_shared.logging import configure_logging
from ocop_shared.messaging.workers import stop_on_signals
from ocop_shared.runtime import open_runtime
from ocop_shared.timeutil import Clock

log = structlog.get_logger(__name__)


@dataclass
class Connectors:
    """Executors plus the marketplace clients (closed together)."""

    executors: Executors
    marketplaces: dict[Marketplace, PartnerApiClient]
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    async def aclose(self) -> None:
        for client in self.marketplaces.values():
            await client.aclose()
        for close in self.closers:
            await close()


def build_executors(settings: OrdersSettings) -> Connectors:
    """Every kind of outbound call the worker knows how to make."""
    marketplaces = marketplace_clients(settings)
    executors = register_marketplace_executors(Executors(), marketplaces)
    return Connectors(executors, marketplaces)


async def run_connectors(
    settings: OrdersSettings, stop: asyncio.Event, clock: Clock | None = None
) -> None:
    """Drain due calls and reconcile every `marketplace_reconcile_interval_s` until `stop`."""
    clock = clock or Clock()
    runtime = await open_runtime(settings)
    await ensure_indexes(runtime.db)
    connectors = build_executors(settings)
    worker = OutboundWorker(runtime, connectors.executors, settings, clock)
    orders = Orders(runtime, settings, clock)
    register_viettelpost(connectors.executors, orders)  # carrier calls (issue 6 part B)

    async def reconcile_periodically() -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), settings.marketplace_reconcile_interval_s)
            if stop.is_set():
                break
            try:
                await reconcile_all(orders, connectors.marketplaces)
            except PyMongoError as exc:
                log.warning("marketplace.reconcile_failed", error=repr(exc))

    reconciler = asyncio.create_task(reconcile_periodically())
    log.info("connectors.started", executors=connectors.executors.kinds())
    try:
        await worker.run(stop)
    finally:
        stop.set()
        await reconciler
        await connectors.aclose()
        await runtime.close()


async def main() -> None:
    settings = OrdersSettings()
    configure_logging("orders-connectors", settings.log_level, settings.log_json)
    stop = asyncio.Event()
    stop_on_signals(stop)
    await run_connectors(settings, stop)


if __name__ == "__main__":
    asyncio.run(main())
