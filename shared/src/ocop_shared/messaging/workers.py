"""Process entrypoints for a service's relay and consumers, with clean shutdown on signals."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable, Mapping

import structlog
from aiokafka import AIOKafkaProducer

from ocop_shared.contracts.registry import registered_types
from ocop_shared.logging import configure_logging
from ocop_shared.messaging.consumer import ConsumerRunner, Handler
from ocop_shared.messaging.dead_letters import DeadLetterPublisher
from ocop_shared.messaging.kafka import create_producer, ensure_topics
from ocop_shared.messaging.relay import OutboxRelay
from ocop_shared.mongo import Database
from ocop_shared.runtime import ServiceRuntime, ensure_messaging_indexes, open_runtime
from ocop_shared.settings import ServiceSettings

log = structlog.get_logger(__name__)


def all_topics(settings: ServiceSettings) -> list[str]:
    """Every contract topic, with the deployment's prefix."""
    return sorted({settings.topic(model.topic) for model in registered_types().values()})


def stop_on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)


async def _wait_for_kafka(settings: ServiceSettings, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            await ensure_topics(settings.kafka_bootstrap_servers, all_topics(settings))
            return
        except Exception as exc:
            log.warning("worker.kafka_unavailable", error=repr(exc))
            try:
                await asyncio.wait_for(stop.wait(), 2)
            except TimeoutError:
                pass


async def run_relay(settings: ServiceSettings, stop: asyncio.Event) -> None:
    """Publish the service's outbox until `stop` is set."""
    runtime = await open_runtime(settings)
    producer = create_producer(
        settings.kafka_bootstrap_servers, client_id=f"{settings.service_name}-relay"
    )
    try:
        await ensure_messaging_indexes(runtime.db)
        await _wait_for_kafka(settings, stop)
        await producer.start()
        relay = OutboxRelay(
            runtime.db,
            producer,
            stream=settings.service_name,
            batch_size=settings.relay_batch_size,
            poll_interval_s=settings.relay_poll_interval_s,
            lease_s=settings.relay_lease_s,
        )
        await relay.run(stop)
    finally:
        await producer.stop()
        await runtime.close()


def build_consumer(
    runtime: ServiceRuntime,
    dead_letter_producer: AIOKafkaProducer,
    *,
    group_id: str,
    topics: list[str],
    handlers: Mapping[str, Handler],
) -> ConsumerRunner:
    settings = runtime.settings
    return ConsumerRunner(
        client=runtime.client,
        db=runtime.db,
        outbox=runtime.outbox,
        bootstrap_servers=settings.kafka_bootstrap_servers,
        group_id=group_id,
        topics=topics,
        handlers=handlers,
        dead_letters=DeadLetterPublisher(dead_letter_producer, runtime.db),
        max_attempts=settings.consumer_max_attempts,
        retry_backoff_s=settings.consumer_retry_backoff_s,
    )


async def run_consumer(
    settings: ServiceSettings,
    stop: asyncio.Event,
    *,
    group_id: str,
    topics: list[str],
    handlers: Mapping[str, Handler],
    prepare_database: Callable[[Database], Awaitable[None]] | None = None,
) -> None:
    """Run one consumer-group member until `stop` is set.

    `prepare_database` creates the collections the handlers write to before the first
    message: a collection created implicitly inside a transaction while another client
    creates it (SecantusDB 0.6) can lose that transaction's write.
    """
    runtime = await open_runtime(settings)
    producer = create_producer(settings.kafka_bootstrap_servers, client_id=f"{group_id}-dlq")
    try:
        await ensure_messaging_indexes(runtime.db)
        if prepare_database is not None:
            await prepare_database(runtime.db)
        await _wait_for_kafka(settings, stop)
        await producer.start()
        runner = build_consumer(
            runtime, producer, group_id=group_id, topics=topics, handlers=handlers
        )
        await runner.run(stop)
    finally:
        await producer.stop()
        await runtime.close()


def relay_main(settings: ServiceSettings) -> None:
    """Process entrypoint of a service's relay: logs, signals, run until stopped."""

    async def main() -> None:
        configure_logging(f"{settings.service_name}-relay", settings.log_level, settings.log_json)
        stop = asyncio.Event()
        stop_on_signals(stop)
        await run_relay(settings, stop)

    asyncio.run(main())
