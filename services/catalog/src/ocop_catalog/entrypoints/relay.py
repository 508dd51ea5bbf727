"""`python -m ocop_catalog.entrypoints.relay`: publish the outbox to Kafka."""

from __future__ import annotations

import asyncio

from ocop_catalog.config import CatalogSettings
from ocop_shared.logging import configure_logging
from ocop_shared.messaging.workers import run_relay, stop_on_signals


async def main() -> None:
    settings = CatalogSettings()
    configure_logging("catalog-relay", settings.log_level, settings.log_json)
    stop = asyncio.Event()
    stop_on_signals(stop)
    await run_relay(settings, stop)


if __name__ == "__main__":
    asyncio.run(main())
