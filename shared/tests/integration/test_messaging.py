"""The event backbone against the real broker and database: outbox, relay, consumers, DLQ."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from ocop_platform.infra import KafkaBroker, MongoServer
from ocop_platform.testing.support import background, eventually
from ocop_shared.contracts.certification import PRODUCTS_TOPIC, ProductRegisteredV1
from ocop_shared.contracts.envelope import make_envelope
from ocop_shared.messaging.dead_letters import (
    ERROR_HEADER,
    dead_letter_topic,
    replay_dead_letters,
)
from ocop_shared.messaging.handlers import HandlerRegistry, MessageContext
from ocop_shared.messaging.headers import header
from ocop_shared.messaging.kafka import ensure_topics
from ocop_shared.messaging.outbox import Outbox
from ocop_shared.messaging.relay import OutboxRelay
from ocop_shared.messaging.workers import run_consumer, run_relay
from ocop_shared.mongo import Client, Session, in_transaction
from ocop_shared.settings import ServiceSettings

pytestmark = pytest.mark.integration

GROUP = "counting"


def product_event(n: int, name: str | None = None) -> ProductRegisteredV1:
    return ProductRegisteredV1(
        product_id=f"sp-{n:05d}",
        producer_id="prd-1",
        name=name or f"Sản phẩm {n}",
        group_code="food",
        province="Phú Thọ",
        commune="Việt Trì",
    )


async def count_application(event: ProductRegisteredV1, context: MessageContext) -> None:
    if event.name.startswith("lỗi") and not await context.db["fixed"].find_one(
        {"_id": "bug"}, session=context.session
    ):
        raise RuntimeError("handler bug: cannot apply " + event.name)
    await context.db["applied"].update_one(
        {"_id": event.product_id}, {"$inc": {"count": 1}}, upsert=True, session=context.session
    )


HANDLERS = HandlerRegistry()
HANDLERS.add(ProductRegisteredV1, count_application)


async def write_through_outbox(mongo: Client, settings: ServiceSettings, n: int) -> None:
    """One business write and its event, in one transaction."""
    db = mongo[settings.mongodb_database]
    outbox = Outbox(db, settings)
    event = product_event(n)

    async def work(session: Session) -> None:
        await db["products"].insert_one({"_id": event.product_id}, session=session)
        await outbox.add(session, event, subject=event.product_id, sequence=1)

    await in_transaction(mongo, work)


async def applied_counts(mongo: Client, settings: ServiceSettings) -> dict[str, int]:
    docs = await mongo[settings.mongodb_database]["applied"].find().to_list()
    return {d["_id"]: d["count"] for d in docs}


def consume_workers(settings: ServiceSettings) -> Any:
    async def worker(stop: asyncio.Event) -> None:
        await run_consumer(
            settings,
            stop,
            group_id=GROUP,
            topics=[settings.topic(PRODUCTS_TOPIC)],
            handlers=HANDLERS,
        )

    return worker


def relay_worker(settings: ServiceSettings) -> Any:
    async def worker(stop: asyncio.Event) -> None:
        await run_relay(settings, stop)

    return worker


async def test_no_event_is_lost_when_the_broker_stops_during_writes(
    settings: ServiceSettings, mongo: Client, kafka_broker: KafkaBroker
) -> None:
    await ensure_topics(settings.kafka_bootstrap_servers, [settings.topic(PRODUCTS_TOPIC)])
    total = 150
    async with background(relay_worker(settings)), background(consume_workers(settings)):
        for n in range(50):
            await write_through_outbox(mongo, settings, n)
        await asyncio.to_thread(kafka_broker.stop)
        for n in range(50, 100):  # the broker is down: writes still succeed
            await write_through_outbox(mongo, settings, n)
        await asyncio.sleep(2)
        await asyncio.to_thread(kafka_broker.start)
        for n in range(100, total):
            await write_through_outbox(mongo, settings, n)
        try:
            counts = await eventually(
                lambda: applied_counts(mongo, settings),
                until=lambda c: len(c) >= total,
                timeout_s=90,
            )
        except AssertionError:
            await explain_missing(mongo, settings, total)
            raise
    assert len(counts) == total
    assert set(counts.values()) == {1}, "an event was applied more than once"
    pending = await mongo[settings.mongodb_database]["outbox"].count_documents({"sent_at": None})
    assert pending == 0


async def test_killed_relay_loses_nothing_and_keeps_each_aggregates_order(
    settings: ServiceSettings, mongo: Client
) -> None:
    keys, versions = 8, 40
    db = mongo[settings.mongodb_database]
    outbox = Outbox(db, settings)
    await ensure_topics(settings.kafka_bootstrap_servers, [settings.topic(PRODUCTS_TOPIC)])

    async def record_order(event: ProductRegisteredV1, context: MessageContext) -> None:
        await context.db["seen"].update_one(
            {"_id": event.product_id},
            {"$push": {"sequences": context.envelope.sequence}},
            upsert=True,
            session=context.session,
        )

    handlers = HandlerRegistry()
    handlers.add(ProductRegisteredV1, record_order)

    async def consumer(stop: asyncio.Event) -> None:
        await run_consumer(
            settings,
            stop,
            group_id="ordering",
            topics=[settings.topic(PRODUCTS_TOPIC)],
            handlers=handlers,
        )

    async def write(version: int, key: int) -> None:
        event = product_event(key, name=f"phiên bản {version}")

        async def work(session: Session) -> None:
            await outbox.add(session, event, subject=event.product_id, sequence=version)

        await in_transaction(mongo, work)

    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
        "MONGODB_URI": settings.mongodb_uri,
        "MONGODB_DATABASE": settings.mongodb_database,
        "SERVICE_NAME": settings.service_name,
        "RELAY_LEASE_S": "3",
        "RELAY_BATCH_SIZE": "20",
    }
    script = str(Path(__file__).with_name("relay_process.py"))

    def sent() -> Any:
        return db["outbox"].count_documents({"sent_at": {"$ne": None}})

    def start_relay() -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, script], env=env)

    for version in range(1, versions // 2 + 1):  # a backlog, so the kill lands mid-stream
        for key in range(keys):
            await write(version, key)
    async with background(consumer):
        relay = start_relay()
        try:
            await eventually(sent, until=lambda n: n >= 20, timeout_s=60, interval_s=0.01)
            relay.send_signal(signal.SIGKILL)  # its lease stays until it expires
            relay.wait(10)
            relay = start_relay()
            for version in range(versions // 2 + 1, versions + 1):
                for key in range(keys):
                    await write(version, key)
            seen = await eventually(
                lambda: db["seen"].find().to_list(),
                until=lambda docs: sum(len(d["sequences"]) for d in docs) >= keys * versions,
                timeout_s=90,
            )
        finally:
            relay.send_signal(signal.SIGTERM)
            relay.wait(30)
    for doc in seen:
        assert doc["sequences"] == list(range(1, versions + 1)), doc["_id"]


async def explain_missing(mongo: Client, settings: ServiceSettings, total: int) -> None:
    """Print where the missing events got stuck: outbox, topic, or consumer."""
    db = mongo[settings.mongodb_database]
    applied = await applied_counts(mongo, settings)
    missing = [f"sp-{n:05d}" for n in range(total) if f"sp-{n:05d}" not in applied]
    pending = await db["outbox"].count_documents({"sent_at": None})
    topic = settings.topic(PRODUCTS_TOPIC)
    on_topic = await read_topic(settings.kafka_bootstrap_servers, topic, total)
    subjects = [subject_of(r.value) for r in on_topic]
    inbox = await db["inbox"].count_documents({})
    print(
        "DIAGNOSIS missing=",
        missing,
        "outbox_pending=",
        pending,
        "on_topic=",
        len(on_topic),
        "missing_on_topic=",
        [m for m in missing if m in subjects],
        "inbox=",
        inbox,
        "offsets=",
        [(r.partition, r.offset) for r in on_topic if subject_of(r.value) in missing],
    )


def subject_of(raw: bytes) -> str:
    import json

    return str(json.loads(raw)["subject"])


async def test_killed_consumer_and_replayed_topic_cause_no_duplicate_effects(
    settings: ServiceSettings, mongo: Client
) -> None:
    topic = settings.topic(PRODUCTS_TOPIC)
    await ensure_topics(settings.kafka_bootstrap_servers, [topic])
    total = 400
    await produce_product_events(settings.kafka_bootstrap_servers, topic, total)

    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
        "MONGODB_URI": settings.mongodb_uri,
        "MONGODB_DATABASE": settings.mongodb_database,
        "OCOP_TOPIC_PREFIX": settings.topic_prefix,
    }
    script = str(Path(__file__).with_name("consumer_process.py"))

    def start() -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, script], env=env)

    first = start()
    try:
        await eventually(
            lambda: applied_counts(mongo, settings), until=lambda c: len(c) >= 60, timeout_s=60
        )
        first.send_signal(signal.SIGKILL)  # mid-batch: offsets for this batch never committed
    finally:
        first.wait(10)
    second = start()
    try:
        counts = await eventually(
            lambda: applied_counts(mongo, settings), until=lambda c: len(c) >= total, timeout_s=90
        )
        assert set(counts.values()) == {1}
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(30)

    # Replay the topic from the beginning for the same group: nothing changes.
    await rewind_group(settings.kafka_bootstrap_servers, topic, "kill-test")
    third = start()
    try:
        await eventually(
            lambda: group_lag(settings.kafka_bootstrap_servers, topic, "kill-test"),
            until=lambda lag: lag == 0,
            timeout_s=90,
        )
    finally:
        third.send_signal(signal.SIGTERM)
        third.wait(30)
    counts = await applied_counts(mongo, settings)
    assert len(counts) == total
    assert set(counts.values()) == {1}


async def test_database_restart_under_load_dead_letters_nothing_and_loses_nothing(
    settings: ServiceSettings, mongo: Client, mongo_server: MongoServer
) -> None:
    topic = settings.topic(PRODUCTS_TOPIC)
    await ensure_topics(settings.kafka_bootstrap_servers, [topic])
    total = 300
    await produce_product_events(settings.kafka_bootstrap_servers, topic, total)
    async with background(consume_workers(settings)):
        await eventually(
            lambda: applied_counts(mongo, settings), until=lambda c: len(c) >= 30, timeout_s=60
        )
        await asyncio.to_thread(mongo_server.stop)
        await asyncio.sleep(3)  # the consumer keeps polling Kafka while the database is away
        await asyncio.to_thread(mongo_server.start)
        counts = await eventually(
            lambda: applied_counts(mongo, settings), until=lambda c: len(c) >= total, timeout_s=90
        )
    assert set(counts.values()) == {1}
    assert await mongo[settings.mongodb_database]["dead_letters"].count_documents({}) == 0


async def produce_product_events(bootstrap: str, topic: str, total: int) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for n in range(total):
            envelope = make_envelope(product_event(n), source="test", subject=f"sp-{n:05d}")
            await producer.send(topic, envelope.to_bytes(), key=envelope.subject.encode())
        await producer.flush()
    finally:
        await producer.stop()


async def rewind_group(bootstrap: str, topic: str, group: str) -> None:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False
    )
    await consumer.start()
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        if not partitions:
            await consumer._client.force_metadata_update()
            partitions = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in partitions]
        consumer.assign(tps)
        await consumer.commit(dict.fromkeys(tps, 0))
    finally:
        await consumer.stop()


async def group_lag(bootstrap: str, topic: str, group: str) -> int:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False
    )
    await consumer.start()
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in partitions]
        ends = await consumer.end_offsets(tps)
        lag = 0
        for tp in tps:
            committed = await consumer.committed(tp) or 0
            lag += ends[tp] - committed
        return lag
    finally:
        await consumer.stop()


async def test_poison_message_is_dead_lettered_and_replayed_after_the_fix(
    settings: ServiceSettings, mongo: Client
) -> None:
    topic = settings.topic(PRODUCTS_TOPIC)
    await ensure_topics(settings.kafka_bootstrap_servers, [topic, dead_letter_topic(topic)])
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(topic, b"{not json", key=b"sp-x")
        bad = make_envelope(product_event(1, name="lỗi dữ liệu"), source="t", subject="sp-00001")
        await producer.send_and_wait(topic, bad.to_bytes(), key=b"sp-00001")
        good = make_envelope(product_event(2), source="t", subject="sp-00002")
        await producer.send_and_wait(topic, good.to_bytes(), key=b"sp-00002")
    finally:
        await producer.stop()

    db = mongo[settings.mongodb_database]
    async with background(consume_workers(settings)):
        # The stream keeps going past both failures.
        await eventually(lambda: applied_counts(mongo, settings), until=lambda c: "sp-00002" in c)
        letters = await eventually(
            lambda: db["dead_letters"].find().to_list(), until=lambda d: len(d) == 2
        )
        assert {d["attempts"] for d in letters} == {1, settings.consumer_max_attempts}
        assert any("malformed envelope" in d["error"] for d in letters)
        assert any("handler bug" in d["error"] for d in letters)
        dlq_records = await read_topic(
            settings.kafka_bootstrap_servers, dead_letter_topic(topic), 2
        )
        assert all(header(r.headers, ERROR_HEADER) for r in dlq_records)

        await db["fixed"].insert_one({"_id": "bug"})
        replayed = await replay_dead_letters(
            bootstrap_servers=settings.kafka_bootstrap_servers, db=db, topic=topic, group_id=GROUP
        )
        assert replayed == 2
        counts = await eventually(
            lambda: applied_counts(mongo, settings), until=lambda c: "sp-00001" in c
        )
    assert counts == {"sp-00001": 1, "sp-00002": 1}


async def read_topic(bootstrap: str, topic: str, count: int) -> list[Any]:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest")
    await consumer.start()
    records: list[Any] = []
    try:
        async with asyncio.timeout(30):
            while len(records) < count:
                batches = await consumer.getmany(timeout_ms=500)
                for batch in batches.values():
                    records.extend(batch)
    except TimeoutError:
        pass
    finally:
        await consumer.stop()
    return records


async def test_only_one_relay_holds_a_stream_lease(
    settings: ServiceSettings, mongo: Client
) -> None:
    db = mongo[settings.mongodb_database]
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers)
    first = OutboxRelay(db, producer, stream="s", owner="a", lease_s=30)
    second = OutboxRelay(db, producer, stream="s", owner="b", lease_s=30)
    assert await first.acquire_lease()
    assert not await second.acquire_lease()
    assert await first.acquire_lease()  # renewal by the holder
    await first.release_lease()
    assert await second.acquire_lease()
    await producer.stop()
