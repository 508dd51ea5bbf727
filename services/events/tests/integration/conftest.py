"""Fixtures: the events API on the real servers, with its own database."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest_asyncio

from ocop_events.config import EventsSettings
from ocop_events.entrypoints.api import create_app
from ocop_platform.infra import Endpoints
from ocop_platform.testing.support import isolated_settings, new_run_id, service_api


@pytest_asyncio.fixture
async def api(infra: Endpoints) -> AsyncIterator[tuple[httpx.AsyncClient, EventsSettings]]:
    settings = isolated_settings(
        EventsSettings,
        kafka=infra.kafka_bootstrap_servers,
        mongodb=infra.mongodb_uri,
        run_id=new_run_id(),
    )
    async with service_api(settings, create_app) as (client, _):
        yield client, settings
