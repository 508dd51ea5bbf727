"""A consumer run as its own process, so tests can kill it with SIGKILL mid-batch.

Reads settings from the environment (KAFKA_BOOTSTRAP_SERVERS, MONGODB_URI,
MONGODB_DATABASE, OCOP_TOPIC_PREFIX) and applies product events by counting them.
"""

from __future__ import annotations

import asyncio

from ocop_shared.contracts.certification import PRODUCTS_TOPIC, ProductRegisteredV1
from ocop_shared.logging import configure_logging
from ocop_shared.messaging.handlers import HandlerRegistry, MessageContext
from ocop_shared.messaging.workers import run_consumer, stop_on_signals
from ocop_shared.settings import ServiceSettings

GROUP = "kill-test"


async def count_application(event: ProductRegisteredV1, context: MessageContext) -> None:
    await context.db["applied"].update_one(
        {"_id": event.product_id}, {"$inc": {"count": 1}}, upsert=True, session=context.session
    )
    await asyncio.sleep(0.01)  # slow enough to be killed in the middle of a batch


async def main() -> None:
    settings = ServiceSettings(service_name="kill-test")
    configure_logging("kill-test", "WARNING", json=True)
    stop = asyncio.Event()
    stop_on_signals(stop)
    handlers = HandlerRegistry()
    handlers.add(ProductRegisteredV1, count_application)
    await run_consumer(
        settings,
        stop,
        group_id=GROUP,
        topics=[settings.topic(PRODUCTS_TOPIC)],
        handlers=handlers,
    )


if __name__ == "__main__":
    asyncio.run(main())
