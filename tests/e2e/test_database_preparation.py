"""Every process of a service prepares its database at start-up, often at the same moment.

`ocop run` starts each service's API, relay, consumer (and scheduler) together; each creates
the collections and indexes before its first transaction. Another process creating the same
collection in between must count as success, never crash the process.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from ocop_catalog.adapters.repository import ensure_indexes as prepare_catalog
from ocop_certification.adapters.repository import ensure_indexes as prepare_certification
from ocop_events.adapters.repository import ensure_indexes as prepare_events
from ocop_orders.adapters.repository import ensure_indexes as prepare_orders
from ocop_platform.infra import Endpoints
from ocop_platform.testing.support import new_run_id
from ocop_shared.mongo import Database, create_client

pytestmark = pytest.mark.integration

PREPARE: dict[str, Callable[[Database], Awaitable[None]]] = {
    "certification": prepare_certification,
    "catalog": prepare_catalog,
    "orders": prepare_orders,
    "events": prepare_events,
}


@pytest.mark.parametrize("service", sorted(PREPARE))
async def test_processes_preparing_one_database_at_once_all_succeed(
    infra: Endpoints, service: str
) -> None:
    name = f"prepare_{service}_{new_run_id()}"
    # One client per "process", as API, relay, consumer and scheduler each have their own.
    clients = [create_client(infra.mongodb_uri, app_name=f"proc-{i}") for i in range(4)]
    try:
        await asyncio.gather(*(PREPARE[service](client[name]) for client in clients))
        await PREPARE[service](clients[0][name])  # and again on a later restart
        assert await clients[0][name].list_collection_names()
    finally:
        await clients[0].drop_database(name)
        for client in clients:
            await client.close()
