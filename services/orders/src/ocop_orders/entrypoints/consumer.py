"""`python -m ocop_orders.entrypoints.consumer`: keep showrooms in step with certification
and catalogue events (product read model, sales blocked and stock withdrawn on revocation)."""

from __future__ import annotations

import asyncio
import contextlib
from functools import partial

import structlog
from pymongo.errors import PyMongoError

from ocop_orders.adapters.repository import ensure_indexes
from ocop_orders.config import OrdersSettings
from ocop_orders.service_layer.consumed import OrdersHandlers
from ocop_orders.service_layer.expiry import (
    announce_expiring_lots,
    withdraw_lapsed_certificates,
)
from ocop_orders.service_layer.unit_of_work import Orders
from ocop_shared.contracts.catalog import CATALOG_PRODUCTS_TOPIC
from ocop_shared.contracts.certification import (
    CERTIFICATES_TOPIC,
    PRODUCERS_TOPIC,
    PRODUCTS_TOPIC,
)
from ocop_shared.messaging.workers import consumer_main, run_consumer, run_together
from ocop_shared.runtime import open_runtime
from ocop_shared.timeutil import Clock

log = structlog.get_logger(__name__)


def topics(settings: OrdersSettings) -> list[str]:
    return [
        settings.topic(t)
        for t in (PRODUCERS_TOPIC, PRODUCTS_TOPIC, CERTIFICATES_TOPIC, CATALOG_PRODUCTS_TOPIC)
    ]


async def apply_events(
    settings: OrdersSettings, stop: asyncio.Event, clock: Clock | None = None
) -> None:
    """Apply certification and catalogue events until `stop` is set."""
    await run_consumer(
        settings,
        stop,
        group_id=settings.consumer_group,
        topics=topics(settings),
        handlers=OrdersHandlers(settings, clock).handlers(),
        prepare_database=ensure_indexes,
    )


async def sweep_expiry(
    settings: OrdersSettings, stop: asyncio.Event, clock: Clock | None = None
) -> None:
    """Every `expiry_sweep_interval_s`, announce lots entering their near-expiry window and
    withdraw products whose certificate passed its end date without an event."""
    runtime = await open_runtime(settings)
    orders = Orders(runtime, settings, clock or Clock())
    try:
        while not stop.is_set():
            try:
                await announce_expiring_lots(orders)
                await withdraw_lapsed_certificates(orders)
            except PyMongoError as exc:
                log.warning("expiry_sweep.failed", error=repr(exc))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), settings.expiry_sweep_interval_s)
    finally:
        await runtime.close()


async def consume(
    settings: OrdersSettings, stop: asyncio.Event, clock: Clock | None = None
) -> None:
    """Apply events and sweep expiry dates until `stop` is set (either ending stops both)."""
    clock = clock or Clock()
    await run_together(
        settings,
        stop,
        [partial(apply_events, clock=clock), partial(sweep_expiry, clock=clock)],
    )


def main() -> None:
    consumer_main(OrdersSettings(), apply_events, side_tasks=[sweep_expiry])


if __name__ == "__main__":
    main()
