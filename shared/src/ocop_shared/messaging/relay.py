"""Outbox relay: publishes pending outbox records in order, one relay per stream by lease."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from aiokafka import AIOKafkaProducer
from prometheus_client import Counter, Gauge
from pymongo.errors import DuplicateKeyError, PyMongoError

from ocop_shared.messaging.outbox import OUTBOX_COLLECTION, pending_count
from ocop_shared.mongo import Database

log = structlog.get_logger(__name__)

LEASES_COLLECTION = "relay_leases"
BACKLOG_REPORT_INTERVAL_S = 5.0

RELAYED = Counter("ocop_outbox_relayed_total", "Outbox records published", ["stream"])
RELAY_FAILURES = Counter("ocop_outbox_relay_failures_total", "Failed publish rounds", ["stream"])
BACKLOG = Gauge("ocop_outbox_backlog", "Outbox records waiting to be published", ["stream"])


def relay_owner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class OutboxRelay:
    """Publishes a service's outbox to Kafka.

    Records go out oldest first; if a publish fails, only the records before the first
    failure are marked sent, so a key's events are never skipped. A crash between publish
    and marking re-sends records: consumers dedupe on the event id.
    """

    def __init__(
        self,
        db: Database,
        producer: AIOKafkaProducer,
        *,
        stream: str,
        owner: str | None = None,
        batch_size: int = 500,
        poll_interval_s: float = 0.1,
        lease_s: float = 10.0,
    ) -> None:
        self._db = db
        self._producer = producer
        self._stream = stream
        self._owner = owner or relay_owner_id()
        self._batch_size = batch_size
        self._poll_interval_s = poll_interval_s
        self._lease = timedelta(seconds=lease_s)
        self._backlog_reported_at = 0.0

    async def acquire_lease(self) -> bool:
        """Take or extend the stream's lease; False while another live relay holds it."""
        now = datetime.now(UTC)
        try:
            await self._db[LEASES_COLLECTION].find_one_and_update(
                {
                    "_id": self._stream,
                    "$or": [{"owner": self._owner}, {"expires_at": {"$lt": now}}],
                },
                {"$set": {"owner": self._owner, "expires_at": now + self._lease}},
                upsert=True,
            )
        except DuplicateKeyError:
            return False
        return True

    async def release_lease(self) -> None:
        await self._db[LEASES_COLLECTION].delete_one({"_id": self._stream, "owner": self._owner})

    async def publish_pending(self) -> int:
        """Publish one batch of pending records; returns how many were marked sent."""
        records = await (
            self._db[OUTBOX_COLLECTION]
            .find({"sent_at": None})
            .sort([("created_at", 1), ("_id", 1)])
            .limit(self._batch_size)
            .to_list()
        )
        if not records:
            return 0
        futures = [await self._send(record) for record in records]
        results = await asyncio.gather(*futures, return_exceptions=True)
        sent_ids: list[Any] = []
        first_error: BaseException | None = None
        for record, result in zip(records, results, strict=True):
            if isinstance(result, BaseException):
                first_error = result
                break
            sent_ids.append(record["_id"])
        if sent_ids:
            await self._db[OUTBOX_COLLECTION].update_many(
                {"_id": {"$in": sent_ids}}, {"$set": {"sent_at": datetime.now(UTC)}}
            )
            RELAYED.labels(self._stream).inc(len(sent_ids))
        if first_error is not None:
            raise first_error
        return len(sent_ids)

    async def _send(self, record: dict[str, Any]) -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = await self._producer.send(
            record["topic"],
            value=record["payload"].encode(),
            key=record["key"].encode(),
            headers=[(name, value.encode()) for name, value in record["headers"]],
        )
        return future

    async def _report_backlog(self) -> None:
        # Counting is a query of its own: do it every few seconds, not every poll.
        now = time.monotonic()
        if now - self._backlog_reported_at >= BACKLOG_REPORT_INTERVAL_S:
            BACKLOG.labels(self._stream).set(await pending_count(self._db))
            self._backlog_reported_at = now

    async def run(self, stop: asyncio.Event) -> None:
        """Loop until `stop` is set, backing off while the broker or database is away."""
        log.info("relay.started", stream=self._stream, owner=self._owner)
        backoff = self._poll_interval_s
        holding = False
        try:
            while not stop.is_set():
                try:
                    holding = await self.acquire_lease()
                    published = await self.publish_pending() if holding else 0
                    await self._report_backlog()
                    backoff = self._poll_interval_s
                    if published >= self._batch_size:
                        continue  # more waiting: go straight on
                except Exception as exc:  # broker or database away: retry
                    RELAY_FAILURES.labels(self._stream).inc()
                    log.warning("relay.publish_failed", stream=self._stream, error=repr(exc))
                    backoff = min(backoff * 2, 5.0)
                wait = backoff if holding else self._lease.total_seconds() / 3
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), wait)
        finally:
            if holding:
                with contextlib.suppress(PyMongoError):
                    await self.release_lease()
            log.info("relay.stopped", stream=self._stream)
