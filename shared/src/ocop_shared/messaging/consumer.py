"""Consumer runner: decode → dedupe → dispatch → commit, with retries and dead letters.

At-least-once from Kafka, exactly-once in effect: the event id goes into the inbox in the
same MongoDB transaction as the handler's writes, and offsets are committed only after.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from datetime import UTC, datetime

import structlog
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError, KafkaError
from prometheus_client import Counter, Histogram
from pydantic import ValidationError
from pymongo import ASCENDING, IndexModel
from pymongo.errors import ConnectionFailure

from ocop_shared.contracts.envelope import Envelope, EventData
from ocop_shared.contracts.registry import UnknownEventTypeError
from ocop_shared.logging import correlation_id_var
from ocop_shared.messaging.dead_letters import REPLAY_TARGET_HEADER, DeadLetterPublisher
from ocop_shared.messaging.handlers import Handler, HandlerRegistry, MessageContext
from ocop_shared.messaging.headers import header
from ocop_shared.messaging.outbox import Outbox
from ocop_shared.mongo import Client, Database, Session, in_transaction

__all__ = [  # MessageContext and Handler lived here first; services still import them from here
    "INBOX_COLLECTION",
    "ConsumerRunner",
    "Handler",
    "MessageContext",
    "ensure_inbox_indexes",
]

log = structlog.get_logger(__name__)

INBOX_COLLECTION = "inbox"

PROCESSED = Counter("ocop_consumer_processed_total", "Events applied", ["group", "type"])
DUPLICATES = Counter("ocop_consumer_duplicates_total", "Events skipped as seen", ["group"])
DEAD_LETTERED = Counter("ocop_consumer_dead_lettered_total", "Events dead-lettered", ["group"])
HANDLE_SECONDS = Histogram("ocop_consumer_handle_seconds", "Time to apply one event", ["group"])


class ConsumerStoppingError(Exception):
    """Shutdown was requested while waiting for the database: leave the batch uncommitted."""


class PoisonMessageError(Exception):
    """A message that can never be applied (malformed, unknown schema): no retries."""


async def ensure_inbox_indexes(db: Database) -> None:
    await db[INBOX_COLLECTION].create_indexes(
        [IndexModel([("processed_at", ASCENDING)], expireAfterSeconds=30 * 24 * 3600)]
    )


class ConsumerRunner:
    """Runs one consumer-group member over the given topics."""

    def __init__(
        self,
        *,
        client: Client,
        db: Database,
        outbox: Outbox,
        bootstrap_servers: str,
        group_id: str,
        topics: list[str],
        handlers: HandlerRegistry,
        dead_letters: DeadLetterPublisher,
        max_attempts: int = 5,
        retry_backoff_s: float = 0.2,
        max_batch: int = 200,
    ) -> None:
        self._client = client
        self._db = db
        self._outbox = outbox
        self._bootstrap = bootstrap_servers
        self._group_id = group_id
        self._topics = topics
        self._handlers = handlers
        self._dead_letters = dead_letters
        self._max_attempts = max_attempts
        self._retry_backoff_s = retry_backoff_s
        self._max_batch = max_batch
        self._stop = asyncio.Event()

    def _new_consumer(self) -> AIOKafkaConsumer:
        return AIOKafkaConsumer(
            *self._topics,
            bootstrap_servers=self._bootstrap,
            group_id=self._group_id,
            client_id=self._group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=self._max_batch,
            session_timeout_ms=10000,
            heartbeat_interval_ms=1000,
        )

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until `stop` is set; reconnects after broker outages."""
        log.info("consumer.started", group=self._group_id, topics=self._topics)
        self._stop = stop
        while not stop.is_set():
            consumer = self._new_consumer()
            try:
                await consumer.start()
                while not stop.is_set():
                    batches = await consumer.getmany(timeout_ms=200)
                    for tp, records in batches.items():
                        for record in records:
                            await self.process(record)
                        await self._commit(consumer, tp, records[-1].offset + 1)
            except ConsumerStoppingError:
                break
            except (KafkaError, ConnectionFailure) as exc:
                # Uncommitted records come again after reconnecting; the inbox drops repeats.
                log.warning("consumer.reconnecting", group=self._group_id, error=repr(exc))
                await _sleep_unless(stop, 1.0)
            finally:
                await consumer.stop()
        log.info("consumer.stopped", group=self._group_id)

    async def _commit(self, consumer: AIOKafkaConsumer, tp: TopicPartition, offset: int) -> None:
        try:
            await consumer.commit({tp: offset})
        except CommitFailedError as exc:
            # The partition moved to another member during a rebalance; it will re-read
            # from the last commit and the inbox drops what this member already applied.
            log.warning("consumer.commit_failed", group=self._group_id, error=repr(exc))

    async def process(self, record: ConsumerRecord[bytes, bytes]) -> None:
        """Apply one Kafka record exactly once in effect; dead-letter what cannot be applied."""
        target = header(record.headers, REPLAY_TARGET_HEADER)
        if target is not None and target != self._group_id:
            return  # a replay meant for another consumer group
        try:
            envelope, event = self._decode(record)
        except PoisonMessageError as exc:
            await self._dead_letter(record, exc, attempts=1)
            return
        if envelope is None or event is None:
            return  # a type this group does not handle
        token = correlation_id_var.set(envelope.correlationid or str(envelope.id))
        try:
            await self._apply_with_retries(record, envelope, event)
        finally:
            correlation_id_var.reset(token)

    def _decode(
        self, record: ConsumerRecord[bytes, bytes]
    ) -> tuple[Envelope | None, EventData | None]:
        try:
            envelope = Envelope.from_bytes(record.value or b"")
        except ValidationError as exc:
            raise PoisonMessageError(f"malformed envelope: {exc}") from exc
        if envelope.type not in self._handlers:
            return None, None
        try:
            return envelope, self._handlers.decode(envelope)
        except (ValidationError, UnknownEventTypeError) as exc:
            raise PoisonMessageError(f"invalid {envelope.type} data: {exc}") from exc

    async def _apply_with_retries(
        self, record: ConsumerRecord[bytes, bytes], envelope: Envelope, event: EventData
    ) -> None:
        handler = self._handlers[envelope.type]  # checks the decoded class before calling
        inbox_id = f"{self._group_id}:{envelope.id}"
        attempt = 0
        outage_wait = self._retry_backoff_s
        while True:
            started = time.perf_counter()
            try:
                applied = await in_transaction(
                    self._client, lambda s: self._apply(s, inbox_id, envelope, event, handler)
                )
            except ConnectionFailure as exc:
                # The database is away: not the message's fault, so no attempt is spent and
                # nothing is dead-lettered; wait for it (or give the batch back on shutdown).
                log.warning("consumer.database_unavailable", group=self._group_id, error=repr(exc))
                if self._stop.is_set():
                    raise ConsumerStoppingError from exc
                await asyncio.sleep(outage_wait)
                outage_wait = min(outage_wait * 2, 5.0)
                continue
            except Exception as exc:
                attempt += 1
                log.warning(
                    "consumer.handler_failed",
                    group=self._group_id,
                    type=envelope.type,
                    event_id=str(envelope.id),
                    attempt=attempt,
                    error=repr(exc),
                )
                if attempt >= self._max_attempts:
                    await self._dead_letter(record, exc, attempts=attempt)
                    return
                await asyncio.sleep(self._retry_backoff_s * 2 ** (attempt - 1))
                continue
            HANDLE_SECONDS.labels(self._group_id).observe(time.perf_counter() - started)
            if applied:
                PROCESSED.labels(self._group_id, envelope.type).inc()
            else:
                DUPLICATES.labels(self._group_id).inc()
            return

    async def _apply(
        self,
        session: Session,
        inbox_id: str,
        envelope: Envelope,
        event: EventData,
        handler: Handler,
    ) -> bool:
        inbox = self._db[INBOX_COLLECTION]
        if await inbox.find_one({"_id": inbox_id}, session=session) is not None:
            return False
        await inbox.insert_one(
            {"_id": inbox_id, "type": envelope.type, "processed_at": datetime.now(UTC)},
            session=session,
        )
        await handler(event, MessageContext(envelope, session, self._db, self._outbox))
        return True

    async def _dead_letter(
        self, record: ConsumerRecord[bytes, bytes], error: BaseException, *, attempts: int
    ) -> None:
        DEAD_LETTERED.labels(self._group_id).inc()
        log.error(
            "consumer.dead_lettered",
            group=self._group_id,
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            error=repr(error),
        )
        await self._dead_letters.publish(
            record, group_id=self._group_id, error=error, attempts=attempts
        )


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
