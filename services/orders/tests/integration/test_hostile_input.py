"""Operator injection, regex bombs, huge numbers and malformed bodies on every API operation."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from ocop_platform.testing.hostile import hostile_requests

if TYPE_CHECKING:
    from conftest import Shop

pytestmark = pytest.mark.integration


async def _documents(shop: Shop) -> dict[str, int]:
    names = await shop.db.list_collection_names()
    return {name: await shop.db[name].count_documents({}) for name in names}


async def test_hostile_input_gets_a_problem_and_writes_nothing(shop: Shop) -> None:
    showroom = await shop.showroom("VT")
    product = await shop.product()
    assert (await shop.receive(showroom, product, 5)).status_code == 201
    sale = (await shop.sell(showroom, [{"product_id": product, "quantity": 1}])).json()
    before = await _documents(shop)
    ids = {"showroom_id": showroom, "product_id": product, "sale_id": sale["id"]}
    failures = await hostile_requests(shop.client, shop.admin, ids=ids)
    assert not failures, "\n".join(failures)
    assert await _documents(shop) == before
