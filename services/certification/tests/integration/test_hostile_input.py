"""Operator injection, regex bombs, huge numbers and malformed bodies on every API operation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio

from ocop_certification.config import CertificationSettings
from ocop_certification.entrypoints.api import create_app
from ocop_platform.infra import Endpoints
from ocop_platform.testing.hostile import hostile_requests
from ocop_platform.testing.support import bearer, isolated_settings, new_run_id, service_api
from ocop_shared.auth import Role
from ocop_shared.mongo import create_client

pytestmark = pytest.mark.integration


@pytest_asyncio.fixture
async def api(infra: Endpoints) -> AsyncIterator[tuple[httpx.AsyncClient, CertificationSettings]]:
    settings = isolated_settings(
        CertificationSettings,
        kafka=infra.kafka_bootstrap_servers,
        mongodb=infra.mongodb_uri,
        run_id=new_run_id(),
    )
    async with service_api(settings, create_app) as (client, _):
        yield client, settings


async def _documents(settings: CertificationSettings) -> dict[str, int]:
    mongo = create_client(settings.mongodb_uri, app_name="test-count")
    try:
        db = mongo[settings.mongodb_database]
        return {
            name: await db[name].count_documents({}) for name in await db.list_collection_names()
        }
    finally:
        await mongo.close()


async def test_hostile_input_gets_a_problem_and_writes_nothing(api: Any) -> None:
    client, settings = api
    officer = bearer(settings, Role.PROVINCE_OFFICER)
    producer = await client.post(
        "/api/v1/producers",
        headers=officer,
        json={
            "name": "HTX Chè",
            "legal_form": "cooperative",
            "tax_code": "5000781236",
            "province": "Tuyên Quang",
            "commune": "Nhân Lý",
        },
    )
    assert producer.status_code == 201, producer.text
    before = await _documents(settings)
    failures = await hostile_requests(
        client, bearer(settings, Role.ADMIN), ids={"producer_id": producer.json()["id"]}
    )
    assert not failures, "\n".join(failures)
    assert await _documents(settings) == before
