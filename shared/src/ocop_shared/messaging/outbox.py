"""Transactional outbox: events are stored with the state change, in the same transaction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pymongo import ASCENDING, IndexModel

from ocop_shared.contracts.envelope import Envelope, EventData, make_envelope
from ocop_shared.logging import correlation_id_var
from ocop_shared.messaging.headers import envelope_headers
from ocop_shared.mongo import Database, Session
from ocop_shared.settings import ServiceSettings

OUTBOX_COLLECTION = "outbox"
SENT_RECORDS_KEPT_FOR = timedelta(days=7)


async def ensure_outbox_indexes(db: Database) -> None:
    await db[OUTBOX_COLLECTION].create_indexes(
        [
            IndexModel([("sent_at", ASCENDING), ("created_at", ASCENDING), ("_id", ASCENDING)]),
            IndexModel(
                [("sent_at", ASCENDING)],
                name="sent_ttl",
                expireAfterSeconds=int(SENT_RECORDS_KEPT_FOR.total_seconds()),
            ),
        ]
    )


class Outbox:
    """Adds events to a service's outbox inside the caller's MongoDB session."""

    def __init__(self, db: Database, settings: ServiceSettings) -> None:
        self._db = db
        self._settings = settings

    async def add(
        self,
        session: Session,
        data: EventData,
        *,
        subject: str,
        sequence: int | None = None,
        causation_id: str | None = None,
    ) -> Envelope:
        envelope = make_envelope(
            data,
            source=self._settings.service_name,
            subject=subject,
            sequence=sequence,
            correlation_id=correlation_id_var.get(),
            causation_id=causation_id,
        )
        await self._db[OUTBOX_COLLECTION].insert_one(
            {
                "_id": str(envelope.id),
                "topic": self._settings.topic(type(data).topic),
                "key": subject,
                "type": envelope.type,
                "payload": envelope.model_dump_json(),
                "headers": [[name, value.decode()] for name, value in envelope_headers(envelope)],
                "created_at": datetime.now(UTC),
                "sent_at": None,
            },
            session=session,
        )
        return envelope


async def pending_count(db: Database) -> int:
    return await db[OUTBOX_COLLECTION].count_documents({"sent_at": None})
