"""The messaging collections of a service's database, and the clients a worker opens.

This module sits below `ocop_shared.runtime`: the runtime (an API process's clients) is
built from it, never the other way round, so messaging can be imported on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ocop_shared.messaging.consumer import ensure_inbox_indexes
from ocop_shared.messaging.outbox import Outbox, ensure_outbox_indexes
from ocop_shared.mongo import Client, Database, create_client
from ocop_shared.settings import ServiceSettings


class OutboxStore(Protocol):
    """What writing with the outbox needs: the client (for transactions) and the outbox.

    `ocop_shared.runtime.ServiceRuntime` and `WorkerStore` both have it.
    """

    @property
    def client(self) -> Client: ...

    @property
    def outbox(self) -> Outbox: ...


@dataclass(frozen=True)
class WorkerStore:
    """A worker's MongoDB client, the service's database and its outbox."""

    client: Client
    db: Database
    outbox: Outbox

    async def close(self) -> None:
        await self.client.close()


def open_store(settings: ServiceSettings, *, app_name: str | None = None) -> WorkerStore:
    """Nothing connects here: the client connects on first use."""
    client = create_client(settings.mongodb_uri, app_name=app_name or settings.service_name)
    db = client[settings.mongodb_database]
    return WorkerStore(client, db, Outbox(db, settings))


async def ensure_messaging_indexes(db: Database) -> None:
    """The outbox and inbox collections and their indexes (before any transaction)."""
    await ensure_outbox_indexes(db)
    await ensure_inbox_indexes(db)
