"""A poison message in every topic of the contract registry: each consumer group that reads
the topic dead-letters it with its error (in the dead-letter topic's headers and in its
``dead_letters`` collection) and moves on, so its lag on the topic returns to zero.

The topics come from the registry and the subscriptions from each service's consumer, so a
new contract or a new subscription is covered without touching this test. Two poisons per
topic: bytes that are not an envelope at all, and for every event type published on the
topic a well-formed envelope whose data breaks the contract.

Replaying dead letters after a fix is proven at the library level:
shared/tests/integration/test_messaging.py::test_poison_message_is_dead_lettered_and_replayed_after_the_fix.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
import pytest_asyncio
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from ocop_catalog.config import CatalogSettings
from ocop_catalog.entrypoints import consumer as catalog_consumer
from ocop_catalog.service_layer.consumed import CatalogueHandlers
from ocop_events.config import EventsSettings
from ocop_events.entrypoints import consumer as events_consumer
from ocop_events.service_layer.consumed import HANDLERS as EVENTS_HANDLERS
from ocop_orders.config import OrdersSettings
from ocop_orders.entrypoints import consumer as orders_consumer
from ocop_orders.service_layer.consumed import OrdersHandlers
from ocop_platform.infra import Endpoints
from ocop_platform.testing.support import background, eventually, isolated_settings, new_run_id
from ocop_shared.contracts.envelope import Envelope
from ocop_shared.contracts.registry import registered_types
from ocop_shared.messaging.dead_letters import ERROR_HEADER, dead_letter_topic
from ocop_shared.messaging.headers import header
from ocop_shared.messaging.kafka import ensure_topics
from ocop_shared.messaging.status import consumer_lag
from ocop_shared.mongo import create_client
from ocop_shared.settings import ServiceSettings

pytestmark = pytest.mark.integration

MALFORMED = b'{"specversion": "1.0", "type": 42'


@dataclass
class Reader:
    """One service's consumer: its group, topics, handled types and how to run it."""

    service: str
    settings: ServiceSettings
    group: str
    topics: list[str]
    types: set[str]
    run: Callable[[asyncio.Event], Awaitable[None]]


@pytest_asyncio.fixture
async def readers(infra: Endpoints) -> AsyncIterator[list[Reader]]:
    common = {
        "kafka": infra.kafka_bootstrap_servers,
        "mongodb": infra.mongodb_uri,
        "run_id": new_run_id(),
        "consumer_max_attempts": 2,
    }
    catalog = isolated_settings(CatalogSettings, **common)
    orders = isolated_settings(OrdersSettings, **common)
    events = isolated_settings(EventsSettings, **common)
    found = [
        Reader(
            "catalog",
            catalog,
            catalog.consumer_group,
            catalog_consumer.topics(catalog),
            set(CatalogueHandlers(catalog.channel_policies()).handlers()),
            lambda stop: catalog_consumer.consume(catalog, stop),
        ),
        Reader(
            "orders",
            orders,
            orders.consumer_group,
            orders_consumer.topics(orders),
            set(OrdersHandlers(orders).handlers()),
            lambda stop: orders_consumer.consume(orders, stop),
        ),
        Reader(
            "events",
            events,
            events.consumer_group,
            events_consumer.topics(events),
            set(EVENTS_HANDLERS),
            lambda stop: events_consumer.consume(events, stop),
        ),
    ]
    yield found
    mongo = create_client(infra.mongodb_uri, app_name="poison-cleanup")
    for reader in found:
        await mongo.drop_database(reader.settings.mongodb_database)
    await mongo.close()


def contract_topics() -> dict[str, list[str]]:
    """Every topic of the registry → the event types published on it."""
    topics: dict[str, list[str]] = {}
    for event_type, model in registered_types().items():
        topics.setdefault(model.topic, []).append(event_type)
    return topics


def broken_envelope(event_type: str) -> bytes:
    """A well-formed envelope whose data breaks the contract (no required field)."""
    envelope = Envelope(source="poison", type=event_type, subject="x-1", sequence=1, data={})
    return envelope.to_bytes()


async def test_a_poison_message_in_every_topic_is_dead_lettered_and_the_stream_goes_on(
    readers: list[Reader],
) -> None:
    settings = readers[0].settings
    bootstrap = settings.kafka_bootstrap_servers
    topics = contract_topics()
    full = {name: settings.topic(name) for name in topics}
    await ensure_topics(bootstrap, [*full.values(), *(dead_letter_topic(t) for t in full.values())])
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for name, types in topics.items():
            await producer.send_and_wait(full[name], MALFORMED, key=b"x-1")
            for event_type in types:
                await producer.send_and_wait(full[name], broken_envelope(event_type), key=b"x-1")
    finally:
        await producer.stop()

    unread = sorted(n for n, t in full.items() if not any(t in r.topics for r in readers))
    mongo = create_client(settings.mongodb_uri, app_name="poison-test")
    try:
        async with (
            background(readers[0].run),
            background(readers[1].run),
            background(readers[2].run),
        ):
            for reader in readers:
                for topic in reader.topics:
                    await eventually(
                        lambda r=reader, t=topic: _lag(bootstrap, r.group, t),
                        until=lambda lag: lag == 0,
                        timeout_s=90,
                        interval_s=0.5,
                    )
        wrong: list[str] = []
        for reader in readers:
            letters = await mongo[reader.settings.mongodb_database]["dead_letters"].find().to_list()
            for name, types in topics.items():
                topic = full[name]
                if topic not in reader.topics:
                    continue
                here = [d for d in letters if d["topic"] == topic]
                if not any("malformed envelope" in d["error"] for d in here):
                    wrong.append(f"{reader.group} on {name}: malformed bytes not dead-lettered")
                handled = [t for t in types if t in reader.types]
                invalid = [d for d in here if "malformed envelope" not in d["error"]]
                if len(invalid) != len(handled):
                    wrong.append(
                        f"{reader.group} on {name}: {len(invalid)} broken envelopes "
                        f"dead-lettered, {len(handled)} expected ({handled})"
                    )
        assert not wrong, "\n".join(wrong)
        dlq = await _dlq_errors(
            bootstrap, [dead_letter_topic(full[n]) for n in topics if n not in unread]
        )
        assert dlq and all(dlq.values()), "every dead-letter record carries its error"
    finally:
        await mongo.close()
    print(f"\npoisoned {len(full)} topics; read by no consumer yet: {unread}")


async def _lag(bootstrap: str, group: str, topic: str) -> int:
    try:
        return await consumer_lag(bootstrap, group, [topic])
    except KafkaError:  # the group coordinator is still being elected on a fresh broker
        return -1


async def _dlq_errors(bootstrap: str, topics: list[str]) -> dict[str, bool]:
    from aiokafka import AIOKafkaConsumer

    consumer = AIOKafkaConsumer(
        *topics,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        group_id=uuid.uuid4().hex,
    )
    await consumer.start()
    seen: dict[str, bool] = {}
    try:
        async with asyncio.timeout(20):
            while set(seen) != set(topics):
                for batch in (await consumer.getmany(timeout_ms=500)).values():
                    for record in batch:
                        error: Any = header(record.headers, ERROR_HEADER)
                        seen[record.topic] = seen.get(record.topic, True) and bool(error)
    except TimeoutError:
        pass
    finally:
        await consumer.stop()
    return seen
