"""3. Consumer throughput: events/s with the inbox (one transaction per event: inbox record +
read-model upsert, offsets committed after) next to raw aiokafka consumption of the same
messages, and with two instances (processes) in one consumer group.

Rates are taken between the first and the last event applied (inbox timestamps), so group
joins and process start-up are not counted.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
import uuid

from aiokafka import AIOKafkaConsumer

from benchmarks.common import ROOT, Outcome, Row, Servers, ratio
from benchmarks.consumer_worker import consume
from benchmarks.relay import event
from ocop_shared.contracts.certification import PRODUCTS_TOPIC
from ocop_shared.contracts.envelope import Envelope, make_envelope
from ocop_shared.messaging.kafka import create_producer, ensure_topics
from ocop_shared.mongo import Database, create_client
from ocop_shared.settings import ServiceSettings

NAME = "consumers"


async def produce(bootstrap: str, topic: str, total: int) -> None:
    producer = create_producer(bootstrap, client_id="bench-fill")
    await producer.start()
    try:
        futures = []
        for n in range(total):
            envelope = make_envelope(event(n), source="bench", subject=f"sp-{n:06d}", sequence=1)
            futures.append(
                await producer.send(topic, envelope.to_bytes(), key=envelope.subject.encode())
            )
        await asyncio.gather(*futures)
    finally:
        await producer.stop()


async def raw_rate(bootstrap: str, topic: str, total: int) -> float:
    """Bare aiokafka: decode each envelope, commit after each batch; nothing else."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"raw-{uuid.uuid4().hex[:6]}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_poll_records=200,
    )
    await consumer.start()
    seen, first = 0, 0.0
    try:
        while seen < total:
            batches = await consumer.getmany(timeout_ms=500)
            for tp, records in batches.items():
                if not first and records:
                    first = time.perf_counter()
                for record in records:
                    Envelope.from_bytes(record.value or b"")
                    seen += 1
                await consumer.commit({tp: records[-1].offset + 1})
        return total / (time.perf_counter() - first)
    finally:
        await consumer.stop()


async def applied_rate(db: Database, group: str, total: int, timeout_s: float) -> float:
    inbox = db["inbox"]
    deadline = time.monotonic() + timeout_s
    prefix = {"_id": {"$regex": f"^{group}:"}}
    while await inbox.count_documents(prefix) < total:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{group}: not every event applied in {timeout_s} s")
        await asyncio.sleep(0.2)
    first = await inbox.find(prefix).sort("processed_at", 1).limit(1).to_list()
    last = await inbox.find(prefix).sort("processed_at", -1).limit(1).to_list()
    seconds = (last[0]["processed_at"] - first[0]["processed_at"]).total_seconds()
    return total / seconds if seconds > 0 else float("nan")


async def run(servers: Servers, *, quick: bool) -> Outcome:
    total = 1_000 if quick else 10_000
    run_id = uuid.uuid4().hex[:8]
    settings = ServiceSettings(
        kafka_bootstrap_servers=servers.kafka,
        mongodb_uri=servers.mongodb,
        mongodb_database=f"bench_consumers_{run_id}",
        topic_prefix=f"bc{run_id}.",
        service_name="bench-consumer",
        log_level="WARNING",
    )
    topic = settings.topic(PRODUCTS_TOPIC)
    await ensure_topics(settings.kafka_bootstrap_servers, [topic])
    await produce(settings.kafka_bootstrap_servers, topic, total)
    mongo = create_client(settings.mongodb_uri, app_name="bench-consumers")
    db = mongo[settings.mongodb_database]
    timeout = 60 + total / 20
    try:
        raw = await raw_rate(settings.kafka_bootstrap_servers, topic, total)

        stop = asyncio.Event()
        task = asyncio.create_task(consume(settings, stop, "one"))
        try:
            one = await applied_rate(db, "one", total, timeout)
        finally:
            stop.set()
            await asyncio.wait_for(task, 30)

        env = {
            **os.environ,
            "KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
            "MONGODB_URI": settings.mongodb_uri,
            "MONGODB_DATABASE": settings.mongodb_database,
            "OCOP_TOPIC_PREFIX": settings.topic_prefix,
            "BENCH_GROUP": "two",
            "PYTHONPATH": str(ROOT),
        }
        workers = [
            await asyncio.create_subprocess_exec(
                sys.executable, "-m", "benchmarks.consumer_worker", env=env
            )
            for _ in range(2)
        ]
        try:
            two = await applied_rate(db, "two", total, timeout)
        finally:
            for worker in workers:
                worker.terminate()
            for worker in workers:
                await worker.wait()
        duplicates = await db["read_model"].count_documents({})
    finally:
        await mongo.drop_database(settings.mongodb_database)
        await mongo.close()
    load = f"{total:,} events, 3 partitions"
    command = "python3 -m uv run python -m benchmarks.run --only consumers"
    return Outcome(
        NAME,
        command,
        [
            Row(
                NAME,
                "1 consumer with inbox dedupe (events/s)",
                f"{one:,.0f}/s",
                f"raw aiokafka {raw:,.0f}/s",
                ratio(one, raw),
                load,
            ),
            Row(
                NAME,
                "2 consumers (processes) in one group, with inbox (events/s)",
                f"{two:,.0f}/s",
                f"1 consumer {one:,.0f}/s",
                ratio(two, one),
                f"{load}; read model rows {duplicates:,} (= events, none twice)",
            ),
        ],
    )
