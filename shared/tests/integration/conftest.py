from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from ocop_platform.infra import Endpoints
from ocop_platform.testing.support import isolated_settings, new_run_id
from ocop_shared.mongo import Client, create_client
from ocop_shared.runtime import ensure_messaging_indexes
from ocop_shared.settings import ServiceSettings


@pytest.fixture
def settings(infra: Endpoints) -> ServiceSettings:
    """Fresh topics and database for each test, on the shared servers."""
    return isolated_settings(
        ServiceSettings,
        kafka=infra.kafka_bootstrap_servers,
        mongodb=infra.mongodb_uri,
        run_id=new_run_id(),
        service_name="msgtest",
        consumer_max_attempts=3,
    )


@pytest_asyncio.fixture
async def mongo(settings: ServiceSettings) -> AsyncIterator[Client]:
    client = create_client(settings.mongodb_uri, app_name="tests")
    # Collections exist before the first transaction, as a service's startup ensures.
    await ensure_messaging_indexes(client[settings.mongodb_database])
    yield client
    await client.drop_database(settings.mongodb_database)
    await client.close()
