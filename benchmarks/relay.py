"""4. Relay throughput: outbox records published per second, next to a raw aiokafka producer.

The relay reads pending records from MongoDB, publishes them with the idempotent producer
(acks=all) and marks them sent; the baseline sends the same envelopes with the same producer
settings and nothing else. Records are written beforehand (a backlog), so the figure is the
relay's own pace, not the writers'.
"""

from __future__ import annotations

import asyncio
import time
import uuid

from benchmarks.common import Outcome, Row, Servers, ratio
from ocop_shared.contracts.certification import PRODUCTS_TOPIC, ProductRegisteredV1
from ocop_shared.contracts.envelope import make_envelope
from ocop_shared.messaging.kafka import create_producer, ensure_topics
from ocop_shared.messaging.outbox import pending_count
from ocop_shared.messaging.relay import OutboxRelay
from ocop_shared.mongo import Session, in_transaction
from ocop_shared.runtime import ensure_messaging_indexes, open_runtime
from ocop_shared.settings import ServiceSettings

NAME = "relay"


def event(n: int) -> ProductRegisteredV1:
    return ProductRegisteredV1(
        product_id=f"sp-{n:06d}",
        producer_id=f"prd-{n % 50}",
        name=f"Sản phẩm thử {n}",
        group_code="food",
        province="Phú Thọ",
        commune="Việt Trì",
    )


async def run(servers: Servers, *, quick: bool) -> Outcome:
    total = 2_000 if quick else 20_000
    run_id = uuid.uuid4().hex[:8]
    settings = ServiceSettings(
        kafka_bootstrap_servers=servers.kafka,
        mongodb_uri=servers.mongodb,
        mongodb_database=f"bench_relay_{run_id}",
        topic_prefix=f"br{run_id}.",
        service_name="benchrelay",
    )
    topic = settings.topic(PRODUCTS_TOPIC)
    await ensure_topics(settings.kafka_bootstrap_servers, [topic])
    runtime = await open_runtime(settings)
    await ensure_messaging_indexes(runtime.db)
    try:
        for start in range(0, total, 200):  # the backlog: 200 events per transaction

            async def write(session: Session, start: int = start) -> None:
                for n in range(start, min(start + 200, total)):
                    data = event(n)
                    await runtime.outbox.add(session, data, subject=data.product_id, sequence=1)

            await in_transaction(runtime.client, write)

        # Baseline: the same number of envelopes through a bare idempotent producer.
        producer = create_producer(settings.kafka_bootstrap_servers, client_id="bench-raw")
        await producer.start()
        envelopes = [
            make_envelope(event(n), source="bench", subject=f"sp-{n:06d}") for n in range(total)
        ]
        try:
            started = time.perf_counter()
            futures = [
                await producer.send(topic, e.to_bytes(), key=e.subject.encode()) for e in envelopes
            ]
            await asyncio.gather(*futures)
            raw_s = time.perf_counter() - started
        finally:
            await producer.stop()

        producer = create_producer(settings.kafka_bootstrap_servers, client_id="bench-relay")
        await producer.start()
        relay = OutboxRelay(
            runtime.db,
            producer,
            stream=settings.service_name,
            batch_size=settings.relay_batch_size,
            poll_interval_s=0.01,
            lease_s=30,
        )
        stop = asyncio.Event()
        started = time.perf_counter()
        task = asyncio.create_task(relay.run(stop))
        try:
            while await pending_count(runtime.db) > 0:  # noqa: ASYNC110 (polls the database)
                await asyncio.sleep(0.02)
            relay_s = time.perf_counter() - started
        finally:
            stop.set()
            await asyncio.wait_for(task, 30)
            await producer.stop()
    finally:
        await runtime.client.drop_database(settings.mongodb_database)
        await runtime.close()
    relay_rate, raw_rate = total / relay_s, total / raw_s
    return Outcome(
        NAME,
        "python3 -m uv run python -m benchmarks.run --only relay",
        [
            Row(
                NAME,
                "outbox relay: records published and marked sent per second",
                f"{relay_rate:,.0f}/s",
                f"raw aiokafka producer {raw_rate:,.0f}/s",
                ratio(relay_rate, raw_rate),
                f"{total:,} records backlog, batch {settings.relay_batch_size}",
            )
        ],
    )
