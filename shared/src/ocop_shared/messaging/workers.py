"""Process entrypoints for a service's relay and consumers, with clean shutdown on signals."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import TypeVar

import structlog
from aiokafka import AIOKafkaProducer

from ocop_shared.contracts.registry import registered_types
from ocop_shared.logging import configure_logging
from ocop_shared.messaging.consumer import ConsumerRunner
from ocop_shared.messaging.dead_letters import DeadLetterPublisher
from ocop_shared.messaging.handlers import HandlerRegistry
from ocop_shared.messaging.kafka import create_producer, ensure_topics
from ocop_shared.messaging.relay import OutboxRelay
from ocop_shared.messaging.store import WorkerStore, ensure_messaging_indexes, open_store
from ocop_shared.mongo import Database
from ocop_shared.settings import ServiceSettings

log = structlog.get_logger(__name__)

S = TypeVar("S", bound=ServiceSettings)

Worker = Callable[[S, asyncio.Event], Awaitable[None]]
"""A coroutine that runs with the service's settings until the stop event is set."""


def all_topics(settings: ServiceSettings) -> list[str]:
    """Every contract topic, with the deployment's prefix."""
    return sorted({settings.topic(model.topic) for model in registered_types().values()})


HEARTBEAT_FILE_ENV = "OCOP_HEARTBEAT_FILE"
HEARTBEAT_INTERVAL_S = 10.0
"""Liveness probes (Dockerfiles, deploy/) accept a heartbeat up to 60 s old."""

_heartbeats: set[asyncio.Task[None]] = set()  # strong references to the running tasks


def stop_on_signals(stop: asyncio.Event) -> None:
    """Set `stop` on SIGINT / SIGTERM; in a container, also start the worker's heartbeat."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    path = os.environ.get(HEARTBEAT_FILE_ENV, "").strip()
    if path:
        task = loop.create_task(heartbeat(path, stop))
        _heartbeats.add(task)
        task.add_done_callback(_heartbeats.discard)


def _touch(path: str) -> None:
    """Create or refresh the file: microseconds on the container's tmpfs, fine in the loop."""
    with open(path, "a"):
        pass
    now = time.time()
    os.utime(path, (now, now))


async def heartbeat(
    path: str, stop: asyncio.Event, interval_s: float = HEARTBEAT_INTERVAL_S
) -> None:
    """Touch `path` every `interval_s` until `stop` is set.

    Workers have no HTTP port: their liveness probe checks this file's age, so a worker whose
    event loop is stuck (a blocking call, a deadlock) is restarted, not only a dead one. The
    images set OCOP_HEARTBEAT_FILE; `ocop run` and the tests leave it unset (no file).
    """
    while not stop.is_set():
        try:
            _touch(path)
        except OSError as exc:
            log.warning("worker.heartbeat_failed", path=path, error=repr(exc))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval_s)


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


@contextlib.asynccontextmanager
async def _worker_clients(
    settings: ServiceSettings,
    stop: asyncio.Event,
    *,
    client_id: str,
    prepare_database: Callable[[Database], Awaitable[None]] | None = None,
) -> AsyncIterator[tuple[WorkerStore, AIOKafkaProducer]]:
    """The database (collections ready) and a started producer, closed on the way out.

    Collections are created before any transaction: one created implicitly inside a
    transaction while another client creates it (SecantusDB 0.6) can lose that write.
    """
    runtime = open_store(settings)
    producer = create_producer(settings.kafka_bootstrap_servers, client_id=client_id)
    try:
        await ensure_messaging_indexes(runtime.db)
        if prepare_database is not None:
            await prepare_database(runtime.db)
        await _wait_for_kafka(settings, stop)
        await producer.start()
        yield runtime, producer
    finally:
        await producer.stop()
        await runtime.close()


async def run_relay(settings: ServiceSettings, stop: asyncio.Event) -> None:
    """Publish the service's outbox until `stop` is set."""
    client_id = f"{settings.service_name}-relay"
    async with _worker_clients(settings, stop, client_id=client_id) as (runtime, producer):
        relay = OutboxRelay(
            runtime.db,
            producer,
            stream=settings.service_name,
            batch_size=settings.relay_batch_size,
            poll_interval_s=settings.relay_poll_interval_s,
            lease_s=settings.relay_lease_s,
        )
        await relay.run(stop)


async def run_consumer(
    settings: ServiceSettings,
    stop: asyncio.Event,
    *,
    group_id: str,
    topics: list[str],
    handlers: HandlerRegistry,
    prepare_database: Callable[[Database], Awaitable[None]] | None = None,
) -> None:
    """Run one consumer-group member until `stop` is set.

    `handlers` is the service's `HandlerRegistry`. `prepare_database` creates the
    collections the handlers write to before the first message.
    """
    async with _worker_clients(
        settings, stop, client_id=f"{group_id}-dlq", prepare_database=prepare_database
    ) as (runtime, producer):
        runner = ConsumerRunner(
            client=runtime.client,
            db=runtime.db,
            outbox=runtime.outbox,
            bootstrap_servers=settings.kafka_bootstrap_servers,
            group_id=group_id,
            topics=topics,
            handlers=handlers,
            dead_letters=DeadLetterPublisher(producer, runtime.db),
            max_attempts=settings.consumer_max_attempts,
            retry_backoff_s=settings.consumer_retry_backoff_s,
        )
        await runner.run(stop)


def relay_main(settings: ServiceSettings) -> None:
    """Process entrypoint of a service's relay: logs, signals, run until stopped."""

    async def main() -> None:
        configure_logging(f"{settings.service_name}-relay", settings.log_level, settings.log_json)
        stop = asyncio.Event()
        stop_on_signals(stop)
        await run_relay(settings, stop)

    asyncio.run(main())


def consumer_main(
    settings: S,
    consume: Worker[S],
    *,
    side_tasks: Sequence[Worker[S]] = (),
) -> None:
    """Process entrypoint of a service's consumer: logs, signals, run until stopped.

    `consume` is the service's `consume(settings, stop)` (a `run_consumer` call with its
    topics, registry and collections); `side_tasks` run beside it with the same stop event,
    for periodic work that belongs to the consumer process (catalog's daily eligibility
    refresh, orders' expiry sweep). If any of them ends, by stop or by error, the others are
    stopped too, so the process never keeps running half of its work.
    """

    async def main() -> None:
        configure_logging(
            f"{settings.service_name}-consumer", settings.log_level, settings.log_json
        )
        stop = asyncio.Event()
        stop_on_signals(stop)
        await run_together(settings, stop, [consume, *side_tasks])

    asyncio.run(main())


async def run_together(settings: S, stop: asyncio.Event, workers: Sequence[Worker[S]]) -> None:
    """Run `workers` until all have ended; the first to end sets `stop` for the others.

    The first error is raised once every worker has stopped.
    """

    async def run(worker: Worker[S]) -> None:
        try:
            await worker(settings, stop)
        finally:
            stop.set()

    results = await asyncio.gather(*(run(w) for w in workers), return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
