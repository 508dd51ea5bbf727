"""The clients a service process owns, opened and closed in one place.

Built on `ocop_shared.messaging` (outbox, inbox, Kafka probe); messaging never imports this
module, so the dependency points one way.
"""

from __future__ import annotations

import asyncio
import os
import socket
import time
from dataclasses import dataclass, field

from ocop_shared.messaging.kafka import kafka_answers
from ocop_shared.messaging.outbox import Outbox
from ocop_shared.messaging.store import ensure_messaging_indexes, open_store
from ocop_shared.mongo import PROBE_TIMEOUT_S, Client, Database, round_trip
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

    @property
    def probe_id(self) -> str:
        """This process's own health document (`ocop_shared.mongo.round_trip`)."""
        return f"{self.settings.service_name}:{socket.gethostname()}:{os.getpid()}"

    async def mongo_ready(self) -> bool:
        """A real write and read of this process's health document within ~1.5 s."""
        try:
            await asyncio.wait_for(round_trip(self.db, self.probe_id), PROBE_TIMEOUT_S + 0.5)
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
    store = open_store(settings)
    return ServiceRuntime(settings, store.client, store.db, store.outbox)


__all__ = ["ServiceRuntime", "ensure_messaging_indexes", "open_runtime"]
