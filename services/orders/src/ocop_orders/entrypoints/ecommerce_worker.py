"""`python -m ocop_orders.entrypoints.ecommerce_worker`: the e-commerce background jobs.

- releases the stock of unconfirmed orders whose reservation timed out (every
  `reservation_sweep_interval_s`; idempotent, so several replicas may run it);
- pulls orders from every marketplace source it is given (every `order_pull_interval_s`).

Viettel Post calls are not made here: they are journalled calls run by the outbound worker,
whose executors must include `service_layer.shipping.register_viettelpost`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence

import structlog
from pymongo.errors import PyMongoError

from ocop_orders.adapters.repository import ensure_indexes
from ocop_orders.config import OrdersSettings
from ocop_orders.service_layer.ecommerce import release_expired
from ocop_orders.service_layer.ecommerce_intake import OrderSource, pull_orders
from ocop_orders.service_layer.unit_of_work import Orders
from ocop_shared.errors import DomainError
from ocop_shared.logging import configure_logging
from ocop_shared.messaging.workers import stop_on_signals
from ocop_shared.runtime import open_runtime
from ocop_shared.timeutil import Clock

log = structlog.get_logger(__name__)


async def _every(seconds: float, stop: asyncio.Event) -> bool:
    """Wait `seconds` or until stopped; True when it is time for another round."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
    return not stop.is_set()


async def sweep_reservations(orders: Orders, stop: asyncio.Event) -> None:
    while True:
        try:
            await release_expired(orders)
        except (PyMongoError, DomainError) as exc:
            log.warning("reservation_sweep.failed", error=repr(exc))
        if not await _every(orders.settings.reservation_sweep_interval_s, stop):
            return


async def pull_from(orders: Orders, source: OrderSource, stop: asyncio.Event) -> None:
    while True:
        try:
            await pull_orders(orders, source)
        except Exception as exc:  # a marketplace outage must not stop the other jobs
            log.warning("ecommerce_pull.failed", channel=source.channel.value, error=repr(exc))
        if not await _every(orders.settings.order_pull_interval_s, stop):
            return


async def run(
    settings: OrdersSettings,
    stop: asyncio.Event,
    *,
    sources: Sequence[OrderSource] = (),
    clock: Clock | None = None,
) -> None:
    runtime = await open_runtime(settings)
    try:
        await ensure_indexes(runtime.db)
        orders = Orders(runtime, settings, clock or Clock())
        jobs = [sweep_reservations(orders, stop)]
        jobs += [pull_from(orders, source, stop) for source in sources]
        await asyncio.gather(*jobs)
    finally:
        await runtime.close()


async def main() -> None:
    settings = OrdersSettings()
    configure_logging("orders-ecommerce", settings.log_level, settings.log_json)
    stop = asyncio.Event()
    stop_on_signals(stop)
    await run(settings, stop)


if __name__ == "__main__":
    asyncio.run(main())
