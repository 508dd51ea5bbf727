"""The real Kafka broker and MongoDB-wire server behind the ``infra`` fixture.

Kafka: metadata, an idempotent produce/consume round trip, and data kept across a clean
stop and a crash of the local broker. MongoDB: multi-document transactions (commit and
abort) and change streams, as the services rely on them.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from pymongo import AsyncMongoClient

from ocop_platform.infra import Endpoints, KafkaBroker, MongoServer

pytestmark = pytest.mark.integration

CONSUME_TIMEOUT_S = 30.0


def _unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


async def _create_topic(bootstrap: str, topic: str, partitions: int = 1) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics(
            [NewTopic(name=topic, num_partitions=partitions, replication_factor=1)]
        )
    finally:
        await admin.close()


async def _produce(bootstrap: str, topic: str, values: list[bytes]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all")
    await producer.start()
    try:
        for value in values:
            await producer.send_and_wait(topic, value, key=b"key")
    finally:
        await producer.stop()


async def _consume(bootstrap: str, topic: str, count: int) -> list[bytes]:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=_unique("test-group"),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    received: list[bytes] = []
    try:
        async with asyncio.timeout(CONSUME_TIMEOUT_S):
            while len(received) < count:
                message = await consumer.getone()
                assert message.value is not None
                received.append(message.value)
    finally:
        await consumer.stop()
    return received


# -- Kafka --------------------------------------------------------------------------------------
async def test_kafka_broker_answers_metadata(infra: Endpoints) -> None:
    topic = _unique("infra-meta")
    await _create_topic(infra.kafka_bootstrap_servers, topic, partitions=3)
    admin = AIOKafkaAdminClient(bootstrap_servers=infra.kafka_bootstrap_servers)
    await admin.start()
    try:
        cluster = await admin.describe_cluster()
        topics = await admin.list_topics()
    finally:
        await admin.close()
    assert cluster["brokers"]
    assert topic in topics


async def test_kafka_idempotent_round_trip(infra: Endpoints) -> None:
    topic = _unique("infra-roundtrip")
    await _create_topic(infra.kafka_bootstrap_servers, topic)
    values = [f"message-{index}".encode() for index in range(5)]

    await _produce(infra.kafka_bootstrap_servers, topic, values)

    assert await _consume(infra.kafka_bootstrap_servers, topic, len(values)) == values


@pytest.mark.parametrize("how", ["stop", "kill"])
async def test_kafka_keeps_messages_across_restart(
    infra: Endpoints, kafka_broker: KafkaBroker, how: str
) -> None:
    topic = _unique(f"infra-restart-{how}")
    await _create_topic(infra.kafka_bootstrap_servers, topic)
    await _produce(infra.kafka_bootstrap_servers, topic, [b"before-restart"])

    try:
        await asyncio.to_thread(kafka_broker.stop if how == "stop" else kafka_broker.kill)
        assert not kafka_broker.is_running()
    finally:
        await asyncio.to_thread(kafka_broker.start)
    assert kafka_broker.is_running()

    await _produce(infra.kafka_bootstrap_servers, topic, [b"after-restart"])
    assert await _consume(infra.kafka_bootstrap_servers, topic, 2) == [
        b"before-restart",
        b"after-restart",
    ]


# -- MongoDB ------------------------------------------------------------------------------------
@pytest_asyncio.fixture
async def mongo(infra: Endpoints) -> AsyncIterator[AsyncMongoClient[dict[str, Any]]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        infra.mongodb_uri, serverSelectionTimeoutMS=10_000
    )
    try:
        yield client
    finally:
        await client.close()


async def test_mongo_transaction_commits_both_documents(
    mongo: AsyncMongoClient[dict[str, Any]],
) -> None:
    db = mongo[_unique("infra_tx")]
    await db.create_collection("orders")
    await db.create_collection("outbox")

    async with mongo.start_session() as session, await session.start_transaction():
        await db.orders.insert_one({"_id": "o-1", "total": 10}, session=session)
        await db.outbox.insert_one({"_id": "e-1", "order": "o-1"}, session=session)

    assert await db.orders.find_one({"_id": "o-1"}) == {"_id": "o-1", "total": 10}
    assert await db.outbox.count_documents({}) == 1
    await mongo.drop_database(db.name)


async def test_mongo_aborted_transaction_leaves_nothing(
    mongo: AsyncMongoClient[dict[str, Any]],
) -> None:
    db = mongo[_unique("infra_tx")]
    await db.create_collection("orders")
    await db.create_collection("outbox")

    async with mongo.start_session() as session:
        await session.start_transaction()
        await db.orders.insert_one({"_id": "o-2"}, session=session)
        await db.outbox.insert_one({"_id": "e-2"}, session=session)
        # Inside the transaction the writes are visible, outside they are not.
        assert await db.orders.count_documents({}, session=session) == 1
        assert await db.orders.count_documents({}) == 0
        await session.abort_transaction()

    assert await db.orders.count_documents({}) == 0
    assert await db.outbox.count_documents({}) == 0
    await mongo.drop_database(db.name)


async def test_mongo_change_stream_sees_insert(mongo: AsyncMongoClient[dict[str, Any]]) -> None:
    db = mongo[_unique("infra_cs")]
    await db.create_collection("events")

    async with await db.events.watch() as stream:
        await db.events.insert_one({"_id": "ev-1", "kind": "created"})
        change = await asyncio.wait_for(stream.next(), timeout=15)

    assert change["operationType"] == "insert"
    assert change["fullDocument"] == {"_id": "ev-1", "kind": "created"}
    await mongo.drop_database(db.name)


@pytest.mark.parametrize("how", ["stop", "kill"])
async def test_mongo_keeps_data_across_restart(
    infra: Endpoints, mongo_server: MongoServer, how: str
) -> None:
    db_name = _unique(f"infra_restart_{how}")
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infra.mongodb_uri)
    try:
        await client[db_name].docs.insert_one({"_id": "first"})
        await client[db_name].docs.insert_one({"_id": "last-before-restart"})
    finally:
        await client.close()

    try:
        await asyncio.to_thread(mongo_server.stop if how == "stop" else mongo_server.kill)
        assert not mongo_server.is_running()
    finally:
        await asyncio.to_thread(mongo_server.start)

    client = AsyncMongoClient(infra.mongodb_uri)
    try:
        ids = await client[db_name].docs.distinct("_id")
        assert sorted(ids) == ["first", "last-before-restart"]
        await client.drop_database(db_name)
    finally:
        await client.close()
