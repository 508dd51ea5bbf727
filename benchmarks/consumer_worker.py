"""A benchmark consumer as its own process (`python -m benchmarks.consumer_worker`).

Settings from the environment (KAFKA_BOOTSTRAP_SERVERS, MONGODB_URI, MONGODB_DATABASE,
OCOP_TOPIC_PREFIX, BENCH_GROUP); applies product events with the inbox, as a service does.
"""

from __future__ import annotations

import asyncio
import os

from ocop_shared.contracts.certification import PRODUCTS_TOPIC, ProductRegisteredV1
from ocop_shared.logging import configure_logging
from ocop_shared.messaging.handlers import HandlerRegistry, MessageContext
from ocop_shared.messaging.workers import run_consumer, stop_on_signals
from ocop_shared.settings import ServiceSettings


async def apply(event: ProductRegisteredV1, context: MessageContext) -> None:
    """A read-model upsert, the typical work of a service's handler."""
    await context.db["read_model"].update_one(
        {"_id": event.product_id},
        {"$set": {"name": event.name, "version": context.envelope.sequence}},
        upsert=True,
        session=context.session,
    )


async def consume(settings: ServiceSettings, stop: asyncio.Event, group: str) -> None:
    handlers = HandlerRegistry()
    handlers.add(ProductRegisteredV1, apply)
    await run_consumer(
        settings,
        stop,
        group_id=group,
        topics=[settings.topic(PRODUCTS_TOPIC)],
        handlers=handlers,
    )


async def main() -> None:
    settings = ServiceSettings(service_name="bench-consumer", log_level="WARNING")
    configure_logging("bench-consumer", "WARNING", json=True)
    stop = asyncio.Event()
    stop_on_signals(stop)
    await consume(settings, stop, os.environ["BENCH_GROUP"])


if __name__ == "__main__":
    asyncio.run(main())
