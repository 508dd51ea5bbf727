"""`python -m ocop_orders.entrypoints.ecommerce_worker`: the e-commerce background jobs.

- releases the stock of unconfirmed orders whose reservation timed out (every
  `reservation_sweep_interval_s`; idempotent, so several replicas may run it);
- pulls orders from Postmart and Voso for every seller with listings there (every
  `order_pull_interval_s`), through the partner-API adapters.

Viettel Post calls are not made here: they are journalled calls run by the outbound worker,
whose executors must include `service_layer.shipping.register_viettelpost`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping, Sequence

import structlog
from pymongo.errors import PyMongoError

from ocop_orders.adapters.repository import ensure_indexes
from ocop_orders.config import OrdersSettings
from ocop_orders.ecommerce.service_layer.intake import (
    MarketplaceOrderSource,
    OrderSource,
    SellerOrders,
    pull_orders,
)
from ocop_orders.ecommerce.service_layer.orders import release_expired
from ocop_orders.marketplace.adapters.listings_store import ListingStore
from ocop_orders.marketplace.adapters.partner_api import marketplace_clients
from ocop_orders.marketplace.domain.listings import Marketplace
from ocop_orders.service_layer.unit_of_work import Orders
from ocop_shared.contracts.orders import OrderChannel
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
            log.warning("ecommerce_pull.failed", source=source.key, error=repr(exc))
        if not await _every(orders.settings.order_pull_interval_s, stop):
            return


async def marketplace_sources(
    orders: Orders, clients: Mapping[Marketplace, SellerOrders]
) -> list[OrderSource]:
    """One source per marketplace and seller (producer) with listings there."""
    sources: list[OrderSource] = []
    for marketplace, client in clients.items():
        sellers = await ListingStore(orders.db).sellers_on(marketplace)
        channel = OrderChannel(marketplace.value)
        sources += [MarketplaceOrderSource(channel, client, str(s)) for s in sorted(sellers)]
    return sources


async def pull_marketplaces(
    orders: Orders, clients: Mapping[Marketplace, SellerOrders], stop: asyncio.Event
) -> None:
    while True:
        try:
            for source in await marketplace_sources(orders, clients):
                try:
                    await pull_orders(orders, source)
                except Exception as exc:  # one marketplace down must not stop the others
                    log.warning("ecommerce_pull.failed", source=source.key, error=repr(exc))
        except PyMongoError as exc:
            log.warning("ecommerce_pull.failed", error=repr(exc))
        if not await _every(orders.settings.order_pull_interval_s, stop):
            return


async def run(
    settings: OrdersSettings,
    stop: asyncio.Event,
    *,
    sources: Sequence[OrderSource] | None = None,
    clock: Clock | None = None,
) -> None:
    """The jobs until `stop`; `sources` replaces the marketplaces' adapters (tests)."""
    runtime = await open_runtime(settings)
    clients = marketplace_clients(settings) if sources is None else {}
    try:
        await ensure_indexes(runtime.db)
        orders = Orders(runtime, settings, clock or Clock())
        jobs = [sweep_reservations(orders, stop)]
        if sources is None:
            jobs.append(pull_marketplaces(orders, clients, stop))
        else:
            jobs += [pull_from(orders, source, stop) for source in sources]
        await asyncio.gather(*jobs)
    finally:
        for client in clients.values():
            await client.aclose()
        await runtime.close()


async def main() -> None:
    settings = OrdersSettings()
    configure_logging("orders-ecommerce", settings.log_level, settings.log_json)
    stop = asyncio.Event()
    stop_on_signals(stop)
    await run(settings, stop)


if __name__ == "__main__":
    asyncio.run(main())
