"""A consigning producer sees its own stock, sales and what each showroom owes it; never
another producer's."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import pytest
from openpyxl import load_workbook

from ocop_platform.testing.support import bearer
from ocop_shared.auth import Role, mint_token
from ocop_shared.web.console_auth import COOKIE

if TYPE_CHECKING:
    from conftest import Shop

pytestmark = pytest.mark.integration

OTHER = ("prd-che-tan-son", "HTX Chè Tân Sơn")


async def _books(shop: Shop) -> dict[str, str]:
    viet_tri = await shop.showroom("VT", commission_percent=10)
    den_hung = await shop.showroom("DH", commission_percent=8)
    pomelo = await shop.product("Bưởi Đoan Hùng", price=45_000)
    tea = await shop.product("Chè Tân Sơn", price=100_000, group="drink", producer=OTHER)
    for showroom in (viet_tri, den_hung):
        await shop.receive(showroom, pomelo, 10)
    await shop.receive(viet_tri, tea, 10, expires_on=None)
    mixed = await shop.sell(
        viet_tri,
        [{"product_id": pomelo, "quantity": 2}, {"product_id": tea, "quantity": 1}],
    )
    assert mixed.status_code == 201, mixed.text
    returned = await shop.client.post(
        f"/api/v1/showrooms/{viet_tri}/sales/{mixed.json()['id']}/returns",
        json={"lines": [{"product_id": pomelo, "quantity": 1}], "reason": "Quả dập"},
        headers=shop.admin,
    )
    assert returned.status_code == 201, returned.text
    assert (await shop.sell(den_hung, [{"product_id": pomelo, "quantity": 1}])).status_code == 201
    return {"viet_tri": viet_tri, "den_hung": den_hung, "pomelo": pomelo, "tea": tea}


async def test_producer_statement_shows_only_its_goods_and_what_each_showroom_owes(
    shop: Shop,
) -> None:
    ids = await _books(shop)
    producer = bearer(shop.settings, Role.PRODUCER, producer_id="prd-chi-dam")
    response = await shop.client.get("/api/v1/producers/prd-chi-dam/statement", headers=producer)
    assert response.status_code == 200, response.text
    body = response.json()
    assert {(r["showroom_id"], r["product_id"], r["on_hand"]) for r in body["stock"]} == {
        (ids["viet_tri"], ids["pomelo"], 9),  # 10 - 2 sold + 1 returned
        (ids["den_hung"], ids["pomelo"], 9),
    }
    assert sorted(
        (r["showroom_id"], r["quantity"], r["refunded_vnd"]) for r in body["sales"]
    ) == sorted([(ids["viet_tri"], 2, 45_000), (ids["den_hung"], 1, 0)])
    owed = {o["showroom_id"]: o for o in body["owed"]}
    assert owed[ids["viet_tri"]]["net_vnd"] == 45_000
    assert owed[ids["viet_tri"]]["owed_vnd"] == 40_500  # 10 % commission
    assert owed[ids["den_hung"]]["owed_vnd"] == 41_400  # 8 % commission
    assert body["owed_total_vnd"] == 81_900
    assert ids["tea"] not in response.text and "Chè Tân Sơn" not in response.text
    assert "100000" not in response.text  # the other producer's line on the same receipt


async def test_a_producer_cannot_read_another_producers_statement(shop: Shop) -> None:
    await _books(shop)
    producer = bearer(shop.settings, Role.PRODUCER, producer_id="prd-chi-dam")
    other = await shop.client.get(f"/api/v1/producers/{OTHER[0]}/statement", headers=producer)
    assert other.status_code == 403
    operator = await shop.client.get(
        "/api/v1/producers/prd-chi-dam/statement", headers=shop.operator("x")
    )
    assert operator.status_code == 403
    staff = bearer(shop.settings, Role.TRADE_STAFF)
    allowed = await shop.client.get(f"/api/v1/producers/{OTHER[0]}/statement", headers=staff)
    assert allowed.status_code == 200 and allowed.json()["owed_total_vnd"] == 90_000
    backwards = await shop.client.get(
        "/api/v1/producers/prd-chi-dam/statement?from=2026-11-24&to=2026-11-01", headers=staff
    )
    assert backwards.status_code == 422
    assert backwards.json()["errors"][0]["field"] == "query.to"


async def test_producer_console_page_and_xlsx_exports_are_scoped(shop: Shop) -> None:
    await _books(shop)
    token = mint_token(
        shop.settings, subject="ncc-1", roles=[Role.PRODUCER], producer_id="prd-chi-dam"
    )
    shop.client.cookies.set(COOKIE, token)
    home = await shop.client.get("/quay/")
    assert home.status_code == 303 and home.headers["location"] == "/quay/nha-san-xuat"
    mine = await shop.client.get("/quay/nha-san-xuat")
    assert mine.headers["location"] == "/quay/nha-san-xuat/prd-chi-dam"
    page = await shop.client.get("/quay/nha-san-xuat/prd-chi-dam")
    assert page.status_code == 200
    assert "81.900 ₫" in page.text and "Bưởi Đoan Hùng" in page.text
    assert "Chè Tân Sơn" not in page.text
    assert (await shop.client.get(f"/quay/nha-san-xuat/{OTHER[0]}")).status_code == 403
    assert (
        await shop.client.get(f"/quay/nha-san-xuat/{OTHER[0]}/ban-hang.xlsx")
    ).status_code == 403

    sales = await shop.client.get("/quay/nha-san-xuat/prd-chi-dam/ban-hang.xlsx")
    assert sales.status_code == 200
    sheet = load_workbook(io.BytesIO(sales.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 2 and {r[3] for r in rows} == {"Bưởi Đoan Hùng"}
    owed = await shop.client.get("/quay/nha-san-xuat/prd-chi-dam/cong-no.xlsx")
    sheet = load_workbook(io.BytesIO(owed.content)).active
    assert sheet is not None
    assert sum(r[7] for r in sheet.iter_rows(min_row=2, values_only=True)) == 81_900
    assert (await shop.client.get("/quay/nha-san-xuat/prd-chi-dam/khac.xlsx")).status_code == 404
