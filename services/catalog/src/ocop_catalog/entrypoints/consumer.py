"""`python -m ocop_catalog.entrypoints.consumer`: apply certification events to the catalogue."""

from __future__ import annotations

import asyncio

from ocop_catalog.adapters.repository import ensure_indexes
from ocop_catalog.config import CatalogSettings
from ocop_catalog.service_layer.handlers import CatalogueHandlers
from ocop_shared.contracts.certification import (
    CERTIFICATES_TOPIC,
    PRODUCERS_TOPIC,
    PRODUCTS_TOPIC,
)
from ocop_shared.logging import configure_logging
from ocop_shared.messaging.workers import run_consumer, stop_on_signals


def topics(settings: CatalogSettings) -> list[str]:
    return [settings.topic(t) for t in (PRODUCERS_TOPIC, PRODUCTS_TOPIC, CERTIFICATES_TOPIC)]


async def consume(settings: CatalogSettings, stop: asyncio.Event) -> None:
    """Keep the catalogue in step with certification events until `stop` is set."""
    await run_consumer(
        settings,
        stop,
        group_id=settings.consumer_group,
        topics=topics(settings),
        handlers=CatalogueHandlers(settings.channel_policies()).handlers(),
        prepare_database=ensure_indexes,
    )


async def main() -> None:
    settings = CatalogSettings()
    configure_logging("catalog-consumer", settings.log_level, settings.log_json)
    stop = asyncio.Event()
    stop_on_signals(stop)
    await consume(settings, stop)


if __name__ == "__main__":
    asyncio.run(main())
