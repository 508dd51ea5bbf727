"""Point of sale on the real database: no overselling, idempotent retries, scoped operators."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from conftest import Shop

pytestmark = pytest.mark.integration

PROBLEM = "application/problem+json"


async def outbox_events(shop: Shop, event_type: str) -> list[dict[str, Any]]:
    cursor = shop.db["outbox"].find({"type": event_type})
    return [json.loads(doc["payload"]) for doc in await cursor.to_list()]


async def test_two_hundred_tills_racing_for_the_last_ten_units_sell_exactly_ten(
    shop: Shop,
) -> None:
    showroom = await shop.showroom("VT")
    product = await shop.product("Thịt chua Thanh Sơn", price=85_000)
    assert (await shop.receive(showroom, product, 10)).status_code == 201

    responses = await asyncio.gather(
        *(shop.sell(showroom, [{"product_id": product, "quantity": 1}]) for _ in range(200))
    )

    sold = [r for r in responses if r.status_code == 201]
    refused = [r for r in responses if r.status_code != 201]
    assert len(sold) == 10
    assert {r.status_code for r in refused} == {409}
    for response in refused:
        assert response.headers["content-type"].startswith(PROBLEM)
        problem = response.json()
        assert problem["type"] == "out-of-stock"
        assert "Thịt chua Thanh Sơn" in problem["detail"]
        assert product in problem["detail"]
        assert problem["errors"][0]["field"] == "body.lines.0.quantity"
    assert len({r.json()["receipt_number"] for r in sold}) == 10
    balance = await shop.stock(showroom, product)
    assert (balance["on_hand"], balance["available"]) == (0, 0)
    assert await shop.audit(showroom) == {
        "showroom_id": showroom,
        "consistent": True,
        "problems": [],
    }
    assert len(await outbox_events(shop, "ocop.orders.sale.recorded.v1")) == 10


async def test_a_replayed_sale_answers_exactly_what_the_first_answer_said(shop: Shop) -> None:
    showroom = await shop.showroom("VM")
    product = await shop.product(price=45_000)
    await shop.receive(showroom, product, 5)
    shop.clock.advance(timedelta(microseconds=123_456))  # the till's clock is not round
    key = f"till-K01-{uuid.uuid4().hex}"
    lines = [{"product_id": product, "quantity": 1}]

    first = await shop.sell(showroom, lines, key=key)
    again = await shop.sell(showroom, lines, key=key)

    assert first.status_code == 201, first.text
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert first.json()["sold_at"].startswith("2026-11-24T03:00:00.123")


async def test_retried_sale_with_the_same_key_returns_the_original_receipt(shop: Shop) -> None:
    showroom = await shop.showroom("VT")
    product = await shop.product(price=45_000)
    await shop.receive(showroom, product, 5)
    key = f"till-K01-{uuid.uuid4().hex}"
    lines = [{"product_id": product, "quantity": 2}]

    first = await shop.sell(showroom, lines, key=key)
    again = await asyncio.gather(*(shop.sell(showroom, lines, key=key) for _ in range(5)))

    assert first.status_code == 201, first.text
    for retry in again:
        assert retry.status_code == 201
        assert retry.json() == first.json()
        assert retry.headers["Idempotent-Replayed"] == "true"
    assert (await shop.stock(showroom, product))["on_hand"] == 3
    assert len(await outbox_events(shop, "ocop.orders.sale.recorded.v1")) == 1

    other = await shop.sell(showroom, [{"product_id": product, "quantity": 1}], key=key)
    assert other.status_code == 422
    assert other.json()["errors"][0]["field"] == "header.Idempotency-Key"


async def test_sale_without_idempotency_key_is_refused_naming_the_header(shop: Shop) -> None:
    showroom = await shop.showroom("VT")
    response = await shop.client.post(
        f"/api/v1/showrooms/{showroom}/sales",
        json={"lines": [{"product_id": "sp-x", "quantity": 1}], "payment": {"method": "cash"}},
        headers=shop.admin,
    )
    assert response.status_code == 422
    assert "header.Idempotency-Key" in [e["field"] for e in response.json()["errors"]]


async def test_operator_of_viet_tri_cannot_read_or_change_den_hung_stock(shop: Shop) -> None:
    viet_tri = await shop.showroom("VT")
    den_hung = await shop.showroom("DH")
    product = await shop.product()
    await shop.receive(den_hung, product, 5)
    operator = shop.operator(viet_tri)

    mine = await shop.client.get("/api/v1/showrooms", headers=operator)
    assert [s["id"] for s in mine.json()] == [viet_tri]
    assert (
        await shop.client.get(f"/api/v1/showrooms/{viet_tri}/stock", headers=operator)
    ).status_code == 200
    attempts = [
        shop.client.get(f"/api/v1/showrooms/{den_hung}/stock", headers=operator),
        shop.client.get(f"/api/v1/showrooms/{den_hung}/stock/{product}", headers=operator),
        shop.client.post(
            f"/api/v1/showrooms/{den_hung}/receipts",
            json={"lines": [{"product_id": product, "quantity": 1, "expires_on": "2027-01-01"}]},
            headers=operator,
        ),
        shop.sell(den_hung, [{"product_id": product, "quantity": 1}], headers=operator),
        shop.client.post(
            f"/api/v1/showrooms/{den_hung}/stock-takes",
            json={"lines": [{"product_id": product, "counted": 0}], "reason": "x"},
            headers=operator,
        ),
    ]
    for response in await asyncio.gather(*attempts):
        assert response.status_code == 403, response.text
        assert response.headers["content-type"].startswith(PROBLEM)
    assert (await shop.stock(den_hung, product))["on_hand"] == 5


async def test_sale_takes_the_first_expiring_lot_and_never_an_expired_one(shop: Shop) -> None:
    showroom = await shop.showroom("VT")
    product = await shop.product("Mì gạo Hùng Lô", price=30_000)
    await shop.receive(showroom, product, 3, lot="LATE", expires_on=date(2027, 5, 1))
    await shop.receive(showroom, product, 2, lot="EARLY", expires_on=date(2026, 12, 5))
    await shop.receive(showroom, product, 4, lot="OLD", expires_on=date(2026, 11, 30))
    shop.clock.advance(date(2026, 12, 1) - date(2026, 11, 24))  # lot OLD is now expired

    sale = await shop.sell(showroom, [{"product_id": product, "quantity": 3}])
    assert sale.status_code == 201, sale.text
    stock = await shop.client.get(
        f"/api/v1/showrooms/{showroom}/stock/{product}", headers=shop.admin
    )
    left = {lot["lot_code"]: lot["on_hand"] for lot in stock.json()["lots"]}
    assert left == {"EARLY": 0, "LATE": 2, "OLD": 4}

    too_many = await shop.sell(showroom, [{"product_id": product, "quantity": 3}])
    assert too_many.status_code == 409
    assert "chỉ còn 2" in too_many.json()["detail"]


async def test_bill_with_discounts_cash_change_and_per_producer_summary(shop: Shop) -> None:
    showroom = await shop.showroom("VT", commission_percent=10)
    pomelo = await shop.product("Bưởi Đoan Hùng", price=45_000)
    tea = await shop.product("Chè búp tím", price=120_000, group="drink")
    await shop.receive(showroom, pomelo, 10)
    await shop.receive(showroom, tea, 10, expires_on=None)

    response = await shop.sell(
        showroom,
        [
            {"product_id": pomelo, "quantity": 2, "discount_vnd": 5_000},
            {"product_id": tea, "quantity": 1},
        ],
        discount_vnd=10_000,
        payment={"method": "cash", "tendered_vnd": 200_000},
        kiosk_code="K02",
    )
    assert response.status_code == 201, response.text
    sale = response.json()
    assert sale["subtotal_vnd"] == 210_000
    assert sale["total_vnd"] == 195_000
    assert sum(line["line_total_vnd"] for line in sale["lines"]) == 195_000
    assert sale["payment"]["change_vnd"] == 5_000
    assert sale["receipt_number"] == "VT-261124-K02-0001"

    report = await shop.client.get(
        f"/api/v1/showrooms/{showroom}/reports/daily", headers=shop.admin
    )
    summary = report.json()
    assert summary["receipts"] == 1
    assert summary["net_vnd"] == 195_000
    assert summary["by_producer"][0]["owed_vnd"] == 195_000 - 19_500
    assert summary["by_kiosk"] == {"K02": 195_000}
    assert summary["by_payment"] == {"cash": 195_000}


async def test_returns_void_transfer_and_stock_take_keep_the_ledger_balanced(shop: Shop) -> None:
    viet_tri = await shop.showroom("VT")
    xuan_son = await shop.showroom("XS")
    product = await shop.product(price=50_000)
    await shop.receive(viet_tri, product, 10)

    sale = (await shop.sell(viet_tri, [{"product_id": product, "quantity": 4}])).json()
    for _ in range(2):  # a retried return (same key) is applied once
        returned = await shop.client.post(
            f"/api/v1/showrooms/{viet_tri}/sales/{sale['id']}/returns",
            json={"lines": [{"product_id": product, "quantity": 1}], "reason": "Khách đổi ý"},
            headers={**shop.admin, "Idempotency-Key": "return-key-0001"},
        )
        assert returned.status_code == 201, returned.text
        assert returned.json()["refunded_vnd"] == 50_000
    damaged = await shop.client.post(
        f"/api/v1/showrooms/{viet_tri}/sales/{sale['id']}/returns",
        json={
            "lines": [{"product_id": product, "quantity": 1}],
            "reason": "Quả bị dập",
            "restock": False,
        },
        headers=shop.admin,
    )
    assert damaged.status_code == 201
    too_many = await shop.client.post(
        f"/api/v1/showrooms/{viet_tri}/sales/{sale['id']}/returns",
        json={"lines": [{"product_id": product, "quantity": 3}], "reason": "x"},
        headers=shop.admin,
    )
    assert too_many.status_code == 422
    assert too_many.json()["errors"][0]["field"] == "body.lines.0.quantity"

    other = (await shop.sell(viet_tri, [{"product_id": product, "quantity": 1}])).json()
    voided = await shop.client.post(
        f"/api/v1/showrooms/{viet_tri}/sales/{other['id']}/void",
        json={"reason": "Bấm nhầm"},
        headers=shop.admin,
    )
    assert voided.json()["status"] == "voided"

    balance = await shop.stock(viet_tri, product)
    assert (balance["on_hand"], balance["quarantined"]) == (7, 1)

    transfer = await shop.client.post(
        f"/api/v1/showrooms/{viet_tri}/transfers",
        json={"to_showroom_id": xuan_son, "lines": [{"product_id": product, "quantity": 3}]},
        headers=shop.admin,
    )
    assert transfer.status_code == 201, transfer.text
    assert (await shop.stock(xuan_son, product))["in_transit"] == 3
    received = await shop.client.post(
        f"/api/v1/showrooms/{xuan_son}/transfers/{transfer.json()['id']}/receive",
        headers=shop.operator(xuan_son),
    )
    assert received.status_code == 200, received.text
    there = await shop.stock(xuan_son, product)
    assert (there["on_hand"], there["in_transit"]) == (3, 0)

    counted = await shop.client.post(
        f"/api/v1/showrooms/{viet_tri}/stock-takes",
        json={"lines": [{"product_id": product, "counted": 3}], "reason": "Kiểm kê cuối ngày"},
        headers=shop.admin,
    )
    assert counted.status_code == 201, counted.text
    assert (await shop.stock(viet_tri, product))["on_hand"] == 3
    for showroom in (viet_tri, xuan_son):
        assert (await shop.audit(showroom))["consistent"] is True


async def test_bad_input_is_a_problem_naming_the_field(shop: Shop) -> None:
    showroom = await shop.showroom("VT")
    product = await shop.product()
    await shop.receive(showroom, product, 2)
    cases = [
        ([{"product_id": product, "quantity": 0}], {}, "body.lines.0.quantity"),
        ([{"product_id": {"$gt": ""}, "quantity": 1}], {}, "body.lines.0.product_id"),
        ([{"product_id": "sp-unknown", "quantity": 1}], {}, "body.lines.0.product_id"),
        ([{"product_id": product, "quantity": 1}], {"kiosk_code": "K99"}, "body.kiosk_code"),
        (
            [{"product_id": product, "quantity": 1}],
            {"payment": {"method": "cash", "tendered_vnd": 1}},
            "body.payment.tendered_vnd",
        ),
        ([{"product_id": product, "quantity": 1}], {"discount_vnd": 10**6}, "body.discount_vnd"),
    ]
    for lines, extra, field in cases:
        response = await shop.sell(showroom, lines, **extra)
        assert response.status_code == 422, (field, response.text)
        assert field in [e["field"] for e in response.json()["errors"]], response.text
    assert (await shop.stock(showroom, product))["on_hand"] == 2


async def test_sale_at_a_fair_booth_is_published_with_the_trade_event(shop: Shop) -> None:
    booth = await shop.showroom(
        "HC25", fair={"trade_event_id": "hoi-cho-ocop-phu-tho-2025", "booth_code": "B-117"}
    )
    product = await shop.product("Rượu bưởi Đoan Hùng", price=150_000, group="drink")
    await shop.receive(booth, product, 5, expires_on=None)

    response = await shop.sell(
        booth,
        [{"product_id": product, "quantity": 2}],
        payment={"method": "bank_transfer", "reference": "VQR12345"},
    )

    assert response.status_code == 201, response.text
    [event] = await outbox_events(shop, "ocop.orders.sale.recorded.v1")
    assert event["subject"] == response.json()["id"]
    data = event["data"]
    assert data["channel"] == "fair"
    assert data["trade_event_id"] == "hoi-cho-ocop-phu-tho-2025"
    assert data["booth_code"] == "B-117"
    assert data["payment_method"] == "bank_transfer"
    assert data["payment_reference"] == "VQR12345"
    assert data["total_vnd"] == 300_000
    assert data["lines"][0]["producer_id"] == "prd-chi-dam"


async def test_a_line_below_the_shelf_price_needs_the_permission_and_a_reason(shop: Shop) -> None:
    from ocop_shared.auth import Role, mint_token

    showroom = await shop.showroom("VG")
    product = await shop.product(price=45_000)
    await shop.receive(showroom, product, 5)
    operator = mint_token(
        shop.settings, subject="op-1", roles=[Role.SHOWROOM_OPERATOR], showroom_ids=[showroom]
    )
    free = {"product_id": product, "quantity": 1, "unit_price_vnd": 0}

    denied = await shop.sell(showroom, [free], headers={"Authorization": f"Bearer {operator}"})
    assert denied.status_code == 403, denied.text
    assert denied.json()["errors"][0]["field"] == "body.lines.0.unit_price_vnd"
    unexplained = await shop.sell(showroom, [free])
    assert unexplained.status_code == 422, unexplained.text
    assert unexplained.json()["errors"][0]["field"] == "body.lines.0.price_reason"
    assert (await shop.stock(showroom, product))["on_hand"] == 5

    given = await shop.sell(showroom, [free | {"price_reason": "Hàng mẫu tặng khách"}])
    assert given.status_code == 201, given.text
    assert given.json()["lines"][0]["shelf_price_vnd"] == 45_000
    at_shelf = await shop.sell(showroom, [{"product_id": product, "quantity": 1}])
    assert at_shelf.json()["lines"][0]["shelf_price_vnd"] is None

    report = await shop.client.get(
        f"/api/v1/showrooms/{showroom}/reports/daily", headers=shop.admin
    )
    (line,) = report.json()["below_shelf"]
    assert line["unit_price_vnd"] == 0 and line["shelf_price_vnd"] == 45_000
    assert line["reason"] == "Hàng mẫu tặng khách"
