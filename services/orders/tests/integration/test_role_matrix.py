"""Every mutating endpoint, every role: only the intended roles get past authorisation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx
import pytest

from ocop_shared.auth import Role
from ocop_shared.testing.authorisation import authorisation_mismatches, role_headers
from ocop_shared.testing.support import bearer

if TYPE_CHECKING:
    from conftest import Shop

pytestmark = pytest.mark.integration

TILL = {"admin", "showroom_operator"}  # "showroom_operator" here operates the showroom in the path
MANAGER = {"admin", "trade_staff"}


async def test_only_intended_roles_pass_authorisation_on_every_mutating_endpoint(
    shop: Shop,
) -> None:
    viet_tri = await shop.showroom("VT")
    xuan_son = await shop.showroom("XS")
    product = await shop.product()
    assert (await shop.receive(viet_tri, product, 10)).status_code == 201
    sale = (await shop.sell(viet_tri, [{"product_id": product, "quantity": 1}])).json()
    s = f"/api/v1/showrooms/{viet_tri}"
    line = {"product_id": product, "quantity": 1}
    table: list[tuple[str, str, dict[str, Any] | None, set[str]]] = [
        ("POST", "/api/v1/showrooms", {"code": "HN"}, MANAGER),
        ("PATCH", s, {"name": "Điểm bán mới"}, MANAGER),
        ("PUT", f"{s}/stock/{product}/settings", {"price_vnd": 50_000}, TILL),
        ("POST", f"{s}/receipts", {"lines": [{**line, "lot_code": "L2"}]}, TILL),
        ("POST", f"{s}/stock-takes", {"lines": [], "reason": "x"}, TILL),
        ("POST", f"{s}/sales", {"lines": [line], "payment": {"method": "cash"}}, TILL),
        ("POST", f"{s}/sales/{sale['id']}/payment-confirmation", None, TILL),
        ("POST", f"{s}/sales/{sale['id']}/returns", {"lines": [], "reason": "x"}, TILL),
        ("POST", f"{s}/sales/{sale['id']}/void", {"reason": "Bấm nhầm"}, TILL),
        ("POST", f"{s}/transfers", {"to_showroom_id": xuan_son, "lines": []}, TILL),
        ("POST", f"{s}/transfers/tr-none/receive", None, TILL),
        ("POST", f"{s}/withdrawals", {"product_id": product, "reason": "Dập"}, TILL),
        ("POST", f"{s}/withdrawals/rh-none/return-to-producer", {}, TILL),
        ("POST", f"{s}/withdrawals/rh-none/release", {}, TILL),
    ]
    headers = role_headers(
        shop.settings,
        showroom_operator=shop.operator(viet_tri),
        other_operator=shop.operator(xuan_son),
        producer=bearer(shop.settings, Role.PRODUCER, producer_id="prd-chi-dam"),
    )

    async def send(
        method: str, url: str, body: Any, headers: dict[str, str], role: str
    ) -> httpx.Response:
        return await shop.client.request(
            method, url, json=body, headers={**headers, "Idempotency-Key": role * 2}
        )

    wrong = await authorisation_mismatches(send, table, headers)
    assert not wrong, "\n".join(wrong)
