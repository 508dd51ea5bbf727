"""The clients a service process owns, opened and closed in one place."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from ocop_shared.messaging.consumer import ensure_inbox_indexes
from ocop_shared.messaging.kafka import kafka_answers
from ocop_shared.messaging.outbox import Outbox, ensure_outbox_indexes
from ocop_shared.mongo import Client, Database, create_client, ping
from ocop_shared.settings import ServiceSettings


@dataclass
class ServiceRuntime:
    """MongoDB client, the service's database and outbox; built by `open_runtime`."""

    settings: ServiceSettings
    client: Client
    db: Database
    outbox: Outbox
    _kafka_checked_at: float = field(default=0.0)
    _kafka_up: bool = field(default=False)

    async def mongo_ready(self) -> bool:
        try:
            await asyncio.wait_for(ping(self.client), 3)
            return True
        except Exception:
            return False

    async def kafka_ready(self) -> bool:
        # Probes can come every second; asking the broker every 2 s is enough.
        if time.monotonic() - self._kafka_checked_at > 2:
            self._kafka_up = await kafka_answers(self.settings.kafka_bootstrap_servers)
            self._kafka_checked_at = time.monotonic()
        return self._kafka_up

    async def close(self) -> None:
        await self.client.close()


async def open_runtime(settings: ServiceSettings) -> ServiceRuntime:
    client = create_client(settings.mongodb_uri, app_name=settings.service_name)
    db = client[settings.mongodb_database]
    runtime = ServiceRuntime(settings, client, db, Outbox(db, settings))
    return runtime


async def ensure_messaging_indexes(db: Database) -> None:
    await ensure_outbox_indexes(db)
    await ensure_inbox_indexes(db)
