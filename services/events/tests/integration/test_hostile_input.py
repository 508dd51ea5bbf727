"""Operator injection, regex bombs, huge numbers and malformed bodies on every API operation."""

from __future__ import annotations

import httpx
import pytest

from ocop_events.config import EventsSettings
from ocop_platform.testing.hostile import hostile_requests
from ocop_platform.testing.support import bearer
from ocop_shared.auth import Role
from ocop_shared.mongo import create_client

from .helpers import fair_body

pytestmark = pytest.mark.integration


async def _documents(settings: EventsSettings) -> dict[str, int]:
    mongo = create_client(settings.mongodb_uri, app_name="test-count")
    try:
        db = mongo[settings.mongodb_database]
        names = await db.list_collection_names()
        return {name: await db[name].count_documents({}) for name in names}
    finally:
        await mongo.close()


async def test_hostile_input_gets_a_problem_and_writes_nothing(
    api: tuple[httpx.AsyncClient, EventsSettings],
) -> None:
    client, settings = api
    staff = bearer(settings, Role.TRADE_STAFF)
    event = await client.post("/api/v1/trade-events", json=fair_body(), headers=staff)
    assert event.status_code == 201, event.text
    before = await _documents(settings)
    failures = await hostile_requests(
        client, bearer(settings, Role.ADMIN), ids={"event_id": event.json()["id"]}
    )
    assert not failures, "\n".join(failures)
    assert await _documents(settings) == before
