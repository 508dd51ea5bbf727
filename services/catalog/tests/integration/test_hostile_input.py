"""Operator injection, regex bombs, huge numbers and malformed bodies on every API operation."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from ocop_platform.testing.hostile import hostile_requests
from ocop_platform.testing.support import bearer
from ocop_shared.auth import Role

if TYPE_CHECKING:
    from conftest import CatalogApp

pytestmark = pytest.mark.integration


async def test_hostile_input_gets_a_problem_and_writes_nothing(catalog_app: CatalogApp) -> None:
    db = catalog_app.runtime.db
    before = {n: await db[n].count_documents({}) for n in await db.list_collection_names()}
    headers = bearer(catalog_app.settings, Role.ADMIN)
    failures = await hostile_requests(catalog_app.client, headers)
    assert not failures, "\n".join(failures)
    after = {n: await db[n].count_documents({}) for n in await db.list_collection_names()}
    assert after == before
