"""`python -m ocop_events.entrypoints.consumer`: catalogue, certificate and sale events."""

from __future__ import annotations

import asyncio

from ocop_events.adapters.repository import ensure_indexes
from ocop_events.config import EventsSettings
from ocop_events.service_layer.consumed import HANDLERS
from ocop_shared.contracts.catalog import CATALOG_PRODUCTS_TOPIC
from ocop_shared.contracts.certification import CERTIFICATES_TOPIC
from ocop_shared.contracts.orders import SALES_TOPIC
from ocop_shared.messaging.workers import consumer_main, run_consumer


def topics(settings: EventsSettings) -> list[str]:
    return [settings.topic(t) for t in (CATALOG_PRODUCTS_TOPIC, CERTIFICATES_TOPIC, SALES_TOPIC)]


async def consume(settings: EventsSettings, stop: asyncio.Event) -> None:
    """Keep the product read model, flags and fair sales in step until `stop` is set."""
    await run_consumer(
        settings,
        stop,
        group_id=settings.consumer_group,
        topics=topics(settings),
        handlers=HANDLERS,
        prepare_database=ensure_indexes,
    )


def main() -> None:
    consumer_main(EventsSettings(), consume)


if __name__ == "__main__":
    main()
