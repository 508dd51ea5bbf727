"""Dead-letter topics: messages a consumer gave up on, with the error, and their replay."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition

from ocop_shared.messaging.headers import Headers, header
from ocop_shared.mongo import Database

log = structlog.get_logger(__name__)

DLQ_SUFFIX = ".dlq"
DEAD_LETTERS_COLLECTION = "dead_letters"
REPLAY_TARGET_HEADER = "ocop_replay_group"
ERROR_HEADER = "ocop_dlq_error"
ORIGINAL_TOPIC_HEADER = "ocop_dlq_topic"
GROUP_HEADER = "ocop_dlq_group"
_MAX_ERROR_BYTES = 4000


def dead_letter_topic(topic: str) -> str:
    return topic + DLQ_SUFFIX


class DeadLetterPublisher:
    """Sends a failed record to its topic's dead-letter topic and notes it in MongoDB."""

    def __init__(self, producer: AIOKafkaProducer, db: Database) -> None:
        self._producer = producer
        self._db = db

    async def publish(
        self,
        record: ConsumerRecord[bytes, bytes],
        *,
        group_id: str,
        error: BaseException,
        attempts: int,
    ) -> None:
        error_text = repr(error)[:_MAX_ERROR_BYTES]
        kept = [
            (k, v)
            for k, v in record.headers or ()
            if not k.startswith("ocop_dlq_") and k != REPLAY_TARGET_HEADER
        ]
        headers: Headers = [
            *kept,
            (ERROR_HEADER, error_text.encode()),
            (ORIGINAL_TOPIC_HEADER, record.topic.encode()),
            ("ocop_dlq_partition", str(record.partition).encode()),
            ("ocop_dlq_offset", str(record.offset).encode()),
            (GROUP_HEADER, group_id.encode()),
            ("ocop_dlq_attempts", str(attempts).encode()),
            ("ocop_dlq_failed_at", datetime.now(UTC).isoformat().encode()),
        ]
        # Wait for the broker's ack: the caller commits the original offset only after.
        await self._producer.send_and_wait(
            dead_letter_topic(record.topic), value=record.value, key=record.key, headers=headers
        )
        await self._db[DEAD_LETTERS_COLLECTION].update_one(
            {"_id": f"{group_id}:{record.topic}:{record.partition}:{record.offset}"},
            {
                "$set": {
                    "group": group_id,
                    "topic": record.topic,
                    "partition": record.partition,
                    "offset": record.offset,
                    "error": error_text,
                    "attempts": attempts,
                    "failed_at": datetime.now(UTC),
                    "replayed_at": None,
                }
            },
            upsert=True,
        )


async def replay_dead_letters(
    *,
    bootstrap_servers: str,
    db: Database | None,
    topic: str,
    group_id: str,
    idle_timeout_s: float = 2.0,
    on_replayed: Callable[[], None] | None = None,
) -> int:
    """Re-publish `topic`'s dead letters of `group_id` to the original topic, for that group.

    Replayed messages carry a header so only the group that failed applies them again;
    its inbox makes a second delivery harmless. Progress is kept in a replay consumer
    group, so a message is replayed once.
    """
    dlq = dead_letter_topic(topic)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        group_id=f"{group_id}.dlq-replay",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers, enable_idempotence=True, acks="all"
    )
    await consumer.start()
    await producer.start()
    replayed = 0
    try:
        # Replay only what is there now: a message that fails again lands behind this mark.
        ends = await _end_offsets(consumer, dlq)
        while await _behind(consumer, ends):
            batches = await consumer.getmany(timeout_ms=int(idle_timeout_s * 1000))
            if not batches:
                break
            for tp, records in batches.items():
                for record in records:
                    if record.offset >= ends.get(tp, 0):
                        continue
                    if header(record.headers, GROUP_HEADER) == group_id:
                        await _republish(producer, record, group_id)
                        await _mark_replayed(db, record, group_id)
                        replayed += 1
                        if on_replayed is not None:
                            on_replayed()
                done = min(records[-1].offset + 1, ends.get(tp, 0))
                await consumer.commit({tp: done})
    finally:
        await consumer.stop()
        await producer.stop()
    log.info("dead_letters.replayed", topic=topic, group=group_id, count=replayed)
    return replayed


async def _end_offsets(consumer: AIOKafkaConsumer, topic: str) -> dict[TopicPartition, int]:
    """Assign every partition at the replay group's committed offset; return the end offsets."""
    partitions = consumer.partitions_for_topic(topic)
    if not partitions:  # a DLQ created after this client started: ask the broker again
        await consumer._client.force_metadata_update()
        partitions = consumer.partitions_for_topic(topic) or set()
    tps = [TopicPartition(topic, p) for p in sorted(partitions)]
    consumer.assign(tps)
    for tp in tps:
        committed = await consumer.committed(tp)
        if committed is None:
            await consumer.seek_to_beginning(tp)
        else:
            consumer.seek(tp, committed)
    return dict(await consumer.end_offsets(tps))


async def _behind(consumer: AIOKafkaConsumer, ends: dict[TopicPartition, int]) -> bool:
    for tp, end in ends.items():
        if await consumer.position(tp) < end:
            return True
    return False


async def _republish(
    producer: AIOKafkaProducer, record: ConsumerRecord[bytes, bytes], group_id: str
) -> None:
    original_topic = header(record.headers, ORIGINAL_TOPIC_HEADER)
    if original_topic is None:
        return
    headers: Headers = [(k, v) for k, v in record.headers or () if not k.startswith("ocop_dlq_")]
    headers.append((REPLAY_TARGET_HEADER, group_id.encode()))
    await producer.send_and_wait(
        original_topic, value=record.value, key=record.key, headers=headers
    )


async def _mark_replayed(
    db: Database | None, record: ConsumerRecord[Any, Any], group_id: str
) -> None:
    if db is None:
        return
    partition = header(record.headers, "ocop_dlq_partition")
    offset = header(record.headers, "ocop_dlq_offset")
    original_topic = header(record.headers, ORIGINAL_TOPIC_HEADER)
    await db[DEAD_LETTERS_COLLECTION].update_one(
        {"_id": f"{group_id}:{original_topic}:{partition}:{offset}"},
        {"$set": {"replayed_at": datetime.now(UTC)}},
    )


async def unreplayed_count(db: Database) -> int:
    return await db[DEAD_LETTERS_COLLECTION].count_documents({"replayed_at": None})
