"""E-commerce orders against the real servers: idempotent intake, reservations, confirm,
cancel, refund, reservation timeout, signed marketplace webhooks."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest

from ocop_orders.ecommerce.service_layer.intake import sign
from ocop_platform.stand_ins.marketplace import sample_order_push
from ocop_shared.contracts.catalog import CertificateStatus

if TYPE_CHECKING:
    from conftest import Shop

pytestmark = pytest.mark.integration

PROBLEM = "application/problem+json"
ORDERS = "/api/v1/ecommerce/orders"


def buyer() -> dict[str, Any]:
    return {
        "name": "Nguyễn Thị Hoa",
        "phone": "0912345678",
        "address": {
            "province": "Hà Nội",
            "commune": "Phường Cầu Giấy",
            "street": "12 ngõ 34 Trần Thái Tông",
            "district": None,
            "province_code": 1,
            "commune_code": 120,
        },
    }


def order_body(
    product_id: str,
    quantity: int = 1,
    *,
    showroom: str | None = None,
    payment: str = "cod",
    price: int = 45_000,
) -> dict[str, Any]:
    fulfilment = {"kind": "showroom", "showroom_id": showroom} if showroom else {"kind": "producer"}
    return {
        "buyer": buyer(),
        "lines": [{"product_id": product_id, "quantity": quantity, "unit_price_vnd": price}],
        "payment": payment,
        "shipping_fee_vnd": 30_000,
        "fulfilment": fulfilment,
    }


async def enter(shop: Shop, body: dict[str, Any], key: str | None = None) -> Any:
    return await shop.client.post(
        ORDERS, json=body, headers={**shop.admin, "Idempotency-Key": key or uuid.uuid4().hex}
    )


async def events(shop: Shop, event_type: str) -> list[dict[str, Any]]:
    docs = await shop.db["outbox"].find({"type": event_type}).to_list()
    return [json.loads(d["payload"])["data"] for d in docs]


async def stocked(shop: Shop, units: int = 5) -> tuple[str, str]:
    showroom = await shop.showroom(f"E{uuid.uuid4().hex[:4].upper()}")
    product = await shop.product("Chè Long Cốc", price=120_000)
    assert (await shop.receive(showroom, product, units)).status_code == 201
    return showroom, product


async def test_an_order_reserves_stock_and_confirming_turns_it_into_a_sale(shop: Shop) -> None:
    showroom, product = await stocked(shop, 5)

    placed = await enter(shop, order_body(product, 2, showroom=showroom))

    assert placed.status_code == 201, placed.text
    order = placed.json()
    assert order["state"] == "placed"
    assert order["total_vnd"] == 2 * 45_000 + 30_000
    balance = await shop.stock(showroom, product)
    assert (balance["on_hand"], balance["reserved"], balance["available"]) == (5, 2, 3)

    confirmed = await shop.client.post(f"{ORDERS}/{order['id']}/confirm", headers=shop.admin)

    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["state"] == "confirmed"
    balance = await shop.stock(showroom, product)
    assert (balance["on_hand"], balance["reserved"], balance["available"]) == (3, 0, 3)
    ledger = await shop.db["ledger"].find({"reference": order["id"]}).to_list()
    assert sum(e["delta"] for e in ledger if e["movement"] == "sale") == -2
    assert (await shop.audit(showroom))["consistent"]
    assert [e["order_id"] for e in await events(shop, "ocop.orders.order.placed.v1")] == [
        order["id"]
    ]
    assert len(await events(shop, "ocop.orders.order.confirmed.v1")) == 1


async def test_a_retried_intake_returns_the_same_order_even_when_sent_concurrently(
    shop: Shop,
) -> None:
    showroom, product = await stocked(shop, 10)
    body = order_body(product, 1, showroom=showroom)

    answers = await asyncio.gather(*(enter(shop, body, key="retry-key-0001") for _ in range(8)))

    assert {a.status_code for a in answers} <= {200, 201}
    assert sum(1 for a in answers if a.status_code == 201) == 1
    assert len({a.json()["id"] for a in answers}) == 1
    assert await shop.db["ecom_orders"].count_documents({}) == 1
    assert (await shop.stock(showroom, product))["reserved"] == 1
    assert len(await events(shop, "ocop.orders.order.placed.v1")) == 1


async def test_concurrent_orders_for_the_last_units_never_oversell(shop: Shop) -> None:
    showroom, product = await stocked(shop, 3)

    answers = await asyncio.gather(
        *(enter(shop, order_body(product, 1, showroom=showroom)) for _ in range(12))
    )

    assert sum(1 for a in answers if a.status_code == 201) == 3
    refused = [a for a in answers if a.status_code != 201]
    assert {a.status_code for a in refused} == {409}
    assert all(a.json()["type"] == "out-of-stock" for a in refused)
    balance = await shop.stock(showroom, product)
    assert (balance["reserved"], balance["available"]) == (3, 0)
    # The till cannot sell what the orders hold.
    sale = await shop.sell(showroom, [{"product_id": product, "quantity": 1}])
    assert sale.status_code == 409


async def test_the_reservation_timeout_releases_stock_once(shop: Shop) -> None:
    showroom, product = await stocked(shop, 4)
    order = (await enter(shop, order_body(product, 3, showroom=showroom))).json()
    run = "/api/v1/ecommerce/reservations/release-expired"

    early = await shop.client.post(run, headers=shop.admin)
    assert early.json() == {"released": 0}
    shop.clock.advance(timedelta(minutes=shop.settings.reservation_timeout_minutes + 1))
    first = await shop.client.post(run, headers=shop.admin)
    again = await shop.client.post(run, headers=shop.admin)

    assert first.json() == {"released": 1}
    assert again.json() == {"released": 0}
    balance = await shop.stock(showroom, product)
    assert (balance["reserved"], balance["available"]) == (0, 4)
    detail = (await shop.client.get(f"{ORDERS}/{order['id']}", headers=shop.admin)).json()
    assert detail["order"]["state"] == "expired"
    cancelled = await events(shop, "ocop.orders.order.cancelled.v1")
    assert [(e["order_id"], e["expired"]) for e in cancelled] == [(order["id"], True)]
    late = await shop.client.post(f"{ORDERS}/{order['id']}/confirm", headers=shop.admin)
    assert late.status_code == 409
    assert "expired" in late.json()["detail"]


async def test_cancel_releases_and_illegal_steps_name_the_current_state(shop: Shop) -> None:
    showroom, product = await stocked(shop, 2)
    order = (await enter(shop, order_body(product, 2, showroom=showroom))).json()

    cancelled = await shop.client.post(
        f"{ORDERS}/{order['id']}/cancel", json={"reason": "Khách đổi ý"}, headers=shop.admin
    )
    refund = await shop.client.post(
        f"{ORDERS}/{order['id']}/refund",
        json={"amount_vnd": 1000, "reason": "thử"},
        headers=shop.admin,
    )

    assert cancelled.json()["state"] == "cancelled"
    assert (await shop.stock(showroom, product))["available"] == 2
    assert refund.status_code == 409
    assert refund.headers["content-type"].startswith(PROBLEM)
    assert "cancelled" in refund.json()["detail"]
    assert "Đã huỷ" in refund.json()["detail"]
    history = (await shop.client.get(f"{ORDERS}/{order['id']}", headers=shop.admin)).json()
    assert [h["to_state"] for h in history["order"]["history"]] == ["placed", "cancelled"]


async def test_cancelling_a_confirmed_order_puts_its_units_back(shop: Shop) -> None:
    showroom, product = await stocked(shop, 2)
    order = (await enter(shop, order_body(product, 2, showroom=showroom))).json()
    await shop.client.post(f"{ORDERS}/{order['id']}/confirm", headers=shop.admin)

    await shop.client.post(
        f"{ORDERS}/{order['id']}/cancel", json={"reason": "Hết hàng lỗi"}, headers=shop.admin
    )

    balance = await shop.stock(showroom, product)
    assert (balance["on_hand"], balance["available"]) == (2, 2)
    assert (await shop.audit(showroom))["consistent"]


async def test_producer_stock_is_reserved_and_sold(shop: Shop) -> None:
    product = await shop.product("Mật ong Xuân Sơn")
    stock_url = f"/api/v1/ecommerce/producer-stock/{product}"
    set_stock = await shop.client.put(stock_url, json={"quantity": 2}, headers=shop.admin)
    assert set_stock.status_code == 200, set_stock.text

    first = await enter(shop, order_body(product, 2))
    second = await enter(shop, order_body(product, 1))
    await shop.client.post(f"{ORDERS}/{first.json()['id']}/confirm", headers=shop.admin)

    assert first.status_code == 201
    assert second.status_code == 409
    doc = await shop.db["producer_stock"].find_one({"_id": product})
    assert (doc["quantity"], doc["reserved"], doc["available"]) == (0, 0, 0)


async def test_a_revoked_product_is_refused_with_the_reason(shop: Shop) -> None:
    showroom = await shop.showroom("RV")
    product = await shop.product("Miến dong", status=CertificateStatus.REVOKED)

    answer = await enter(shop, order_body(product, 1, showroom=showroom))

    assert answer.status_code == 409
    problem = answer.json()
    assert problem["type"] == "not-sellable"
    assert "thu hồi" in problem["detail"]
    assert problem["errors"][0]["field"] == "body.lines.0.product_id"
    assert await shop.db["ecom_orders"].count_documents({}) == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda b: b["buyer"].update(phone="gọi tôi"), "body.buyer.phone"),
        (lambda b: b["lines"][0].update(quantity=0), "body.lines.0.quantity"),
        (lambda b: b["buyer"]["address"].pop("commune"), "body.buyer.address.commune"),
        (lambda b: b.update(payment="bitcoin"), "body.payment"),
        (lambda b: b["lines"][0].update(product_id={"$ne": ""}), "body.lines.0.product_id"),
    ],
)
async def test_bad_input_names_the_field_and_writes_nothing(
    shop: Shop, change: Any, field: str
) -> None:
    showroom, product = await stocked(shop, 2)
    body = order_body(product, 1, showroom=showroom)
    change(body)

    answer = await enter(shop, body)

    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith(PROBLEM)
    assert field in [e["field"] for e in answer.json()["errors"]]
    assert await shop.db["ecom_orders"].count_documents({}) == 0
    assert (await shop.stock(showroom, product))["reserved"] == 0


async def test_a_signed_marketplace_webhook_takes_the_order_in_once(shop: Shop) -> None:
    product = await shop.product("Cam Cao Phong")
    await shop.client.put(
        f"/api/v1/ecommerce/producer-stock/{product}", json={"quantity": 5}, headers=shop.admin
    )
    raw = json.dumps(sample_order_push(product, "PM-1001")).encode()
    secret = shop.settings.postmart_webhook_secret.get_secret_value()
    headers = {"X-Signature": "sha256=" + sign(secret, raw), "Content-Type": "application/json"}
    url = "/v1/channels/postmart/orders/webhook"

    first = await shop.client.post(url, content=raw, headers=headers)
    again = await shop.client.post(url, content=raw, headers=headers)

    assert first.status_code == 201, first.text
    assert first.json()["result"] == "created"
    assert again.status_code == 200
    assert again.json()["order_id"] == first.json()["order_id"]
    assert again.json()["result"] == "replayed"
    assert await shop.db["ecom_orders"].count_documents({"channel": "postmart"}) == 1


async def test_a_marketplace_webhook_with_bad_data_names_the_field(shop: Shop) -> None:
    product = await shop.product("Cam Cao Phong")
    body = sample_order_push(product, "PM-1002")
    body["order"]["lines"][0]["quantity"] = 0
    raw = json.dumps(body).encode()
    secret = shop.settings.voso_webhook_secret.get_secret_value()

    answer = await shop.client.post(
        "/v1/channels/voso/orders/webhook", content=raw, headers={"X-Signature": sign(secret, raw)}
    )

    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "body.order.lines.0.quantity"
    assert await shop.db["ecom_orders"].count_documents({}) == 0


async def test_a_marketplace_webhook_with_a_bad_signature_changes_nothing(shop: Shop) -> None:
    product = await shop.product("Cam Cao Phong")
    raw = json.dumps(sample_order_push(product, "PM-2002")).encode()

    forged = await shop.client.post(
        "/v1/channels/voso/orders/webhook",
        content=raw,
        headers={"X-Signature": sign("not-the-secret", raw)},
    )
    unsigned = await shop.client.post("/v1/channels/voso/orders/webhook", content=raw)
    unknown = await shop.client.post("/v1/channels/lazada/orders/webhook", content=raw)

    assert forged.status_code == 401
    assert forged.headers["content-type"].startswith(PROBLEM)
    assert unsigned.status_code == 401
    assert unknown.status_code == 404
    assert await shop.db["ecom_orders"].count_documents({}) == 0


async def test_a_revocation_cancels_orders_holding_the_units_before_withdrawing(
    shop: Shop,
) -> None:
    from ocop_orders.adapters.repository import OrdersRepository
    from ocop_orders.service_layer.consumed import withdraw_where_blocked
    from ocop_orders.service_layer.unit_of_work import Orders, run_in_unit_of_work
    from ocop_shared.runtime import open_runtime

    showroom, product = await stocked(shop, 5)
    order = (await enter(shop, order_body(product, 2, showroom=showroom))).json()
    repository = OrdersRepository(shop.db)
    known = await repository.get_product(product)
    assert known.certificate is not None
    revoked = known.model_copy(
        update={
            "certificate": known.certificate.model_copy(
                update={"status": CertificateStatus.REVOKED, "reason": "Vi phạm"}
            )
        }
    )
    await repository.save_product(revoked)
    runtime = await open_runtime(shop.settings)
    try:
        orders = Orders(runtime, shop.settings, shop.clock)
        withdrawn = await run_in_unit_of_work(
            orders, "sync", lambda uow: withdraw_where_blocked(uow, revoked, shop.clock)
        )
    finally:
        await runtime.close()

    assert withdrawn == 1
    balance = await shop.stock(showroom, product)
    assert (balance["on_hand"], balance["reserved"], balance["quarantined"]) == (0, 0, 5)
    detail = (await shop.client.get(f"{ORDERS}/{order['id']}", headers=shop.admin)).json()
    assert detail["order"]["state"] == "cancelled"
    assert "thu hồi" in detail["order"]["cancel_reason"]
    assert (await shop.audit(showroom))["consistent"]


async def test_staff_enter_an_order_in_the_console_once_even_when_resent(shop: Shop) -> None:
    showroom, product = await stocked(shop, 5)
    page = await shop.client.get("/quay/don-hang/moi", headers=shop.admin)
    key = page.text.split('name="idempotency_key" value="')[1].split('"')[0]
    form = {
        "idempotency_key": key,
        "name": "Phạm Văn Hùng",
        "phone": "0977 123 456",
        "province": "Phú Thọ",
        "commune": "Phường Nông Trang",
        "street": "Số 8 Trần Phú",
        "product_0": product,
        "quantity_0": "2",
        "price_0": "120.000",
        "source": showroom,
        "payment": "cod",
        "shipping_fee_vnd": "25.000",
        "buyer_pays_shipping": "1",
    }

    first = await shop.client.post("/quay/don-hang/moi", data=form, headers=shop.admin)
    again = await shop.client.post("/quay/don-hang/moi", data=form, headers=shop.admin)
    bad = await shop.client.post(
        "/quay/don-hang/moi",
        data={**form, "idempotency_key": "web-other-key-1", "phone": "không có"},
        headers=shop.admin,
    )

    assert page.status_code == 200 and "Chè Long Cốc" in page.text
    assert first.status_code == 303
    assert first.headers["location"].startswith("/quay/don-hang/dh-")
    assert again.headers["location"].split("?")[0] == first.headers["location"].split("?")[0]
    assert "loi=" in bad.headers["location"]
    [order] = await shop.db["ecom_orders"].find().to_list()
    assert (order["channel"], order["total_vnd"]) == ("web", 265_000)
    detail = await shop.client.get(first.headers["location"], headers=shop.admin)
    assert "Xác nhận đơn" in detail.text and "Phạm Văn Hùng" in detail.text


async def test_operators_and_producers_see_only_their_orders(shop: Shop) -> None:
    from ocop_platform.testing.support import bearer
    from ocop_shared.auth import Role

    showroom, product = await stocked(shop, 5)
    other = await shop.showroom("KHAC")
    order = (await enter(shop, order_body(product, 1, showroom=showroom))).json()
    url = f"{ORDERS}/{order['id']}"
    mine = shop.operator(showroom)
    stranger = shop.operator(other)
    producer = bearer(shop.settings, Role.PRODUCER, producer_id="prd-chi-dam")
    other_producer = bearer(shop.settings, Role.PRODUCER, producer_id="prd-khac")

    assert (await shop.client.get(url, headers=mine)).status_code == 200
    assert (await shop.client.get(url, headers=stranger)).status_code == 403
    assert (await shop.client.get(url, headers=producer)).status_code == 200
    assert (await shop.client.get(url, headers=other_producer)).status_code == 403
    assert (await shop.client.post(f"{url}/confirm", headers=producer)).status_code == 403
    assert (await shop.client.post(f"{url}/confirm", headers=stranger)).status_code == 403
    assert (await shop.client.get(ORDERS)).status_code == 401
    listed = await shop.client.get(ORDERS, headers=stranger)
    assert listed.json() == []
    entered = await enter(shop, order_body(product, 1, showroom=showroom), key=None)
    assert entered.status_code == 201
    foreign = await shop.client.post(
        ORDERS,
        json=order_body(product, 1, showroom=showroom),
        headers={**stranger, "Idempotency-Key": "stranger-key-1"},
    )
    assert foreign.status_code == 403


async def test_a_producer_handles_orders_served_from_its_own_stock(shop: Shop) -> None:
    from ocop_platform.testing.support import bearer
    from ocop_shared.auth import Role

    product = await shop.product("Mật ong Xuân Sơn")
    producer = bearer(shop.settings, Role.PRODUCER, producer_id="prd-chi-dam")
    stocked_up = await shop.client.put(
        f"/api/v1/ecommerce/producer-stock/{product}", json={"quantity": 3}, headers=producer
    )
    order = (await enter(shop, order_body(product, 1))).json()

    confirmed = await shop.client.post(f"{ORDERS}/{order['id']}/confirm", headers=producer)

    assert stocked_up.status_code == 200
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["state"] == "confirmed"
    someone_else = bearer(shop.settings, Role.PRODUCER, producer_id="prd-khac")
    other = await shop.client.put(
        f"/api/v1/ecommerce/producer-stock/{product}", json={"quantity": 9}, headers=someone_else
    )
    assert other.status_code == 403


async def test_a_marketplace_cancel_after_a_waybill_was_asked_for_waits_for_a_person(
    shop: Shop,
) -> None:
    product = await shop.product("Cam Cao Phong")
    await shop.client.put(
        f"/api/v1/ecommerce/producer-stock/{product}", json={"quantity": 5}, headers=shop.admin
    )
    secret = shop.settings.postmart_webhook_secret.get_secret_value()
    url = "/v1/channels/postmart/orders/webhook"

    async def push(body: dict[str, Any]) -> Any:
        raw = json.dumps(body).encode()
        return await shop.client.post(url, content=raw, headers={"X-Signature": sign(secret, raw)})

    body = sample_order_push(product, "PM-3003")
    order_id = (await push(body)).json()["order_id"]
    await shop.client.post(f"{ORDERS}/{order_id}/confirm", headers=shop.admin)
    await shop.client.post(
        f"{ORDERS}/{order_id}/shipment", json={"service": "VCN"}, headers=shop.admin
    )
    body["order"]["status"] = "cancelled"

    answer = await push(body)

    assert answer.status_code == 200
    assert answer.json()["result"] == "needs_person"
    detail = (await shop.client.get(f"{ORDERS}/{order_id}", headers=shop.admin)).json()
    assert detail["order"]["state"] == "confirmed"
    [rejected] = await shop.db["rejected_intakes"].find().to_list()
    assert "huỷ vận đơn" in rejected["reason"]


async def test_a_producer_sees_only_its_own_lines_of_a_mixed_order(shop: Shop) -> None:
    from ocop_platform.testing.support import bearer
    from ocop_shared.auth import Role

    showroom, tea = await stocked(shop, 5)
    honey = await shop.product("Mật ong Xuân Sơn", producer=("prd-xuan-son", "HTX Xuân Sơn"))
    assert (await shop.receive(showroom, honey, 5)).status_code == 201
    body = order_body(tea, 1, showroom=showroom)
    body["lines"].append({"product_id": honey, "quantity": 2, "unit_price_vnd": 200_000})
    order = (await enter(shop, body)).json()
    producer = bearer(shop.settings, Role.PRODUCER, producer_id="prd-xuan-son")

    detail = (await shop.client.get(f"{ORDERS}/{order['id']}", headers=producer)).json()
    assert [line["product_id"] for line in detail["order"]["lines"]] == [honey]
    assert detail["order"]["total_vnd"] == 400_000
    listed = (await shop.client.get(ORDERS, headers=producer)).json()
    assert [[line["product_id"] for line in o["lines"]] for o in listed] == [[honey]]
    staff = (await shop.client.get(f"{ORDERS}/{order['id']}", headers=shop.admin)).json()
    assert len(staff["order"]["lines"]) == 2

    page = await shop.client.get(f"/quay/don-hang/{order['id']}", headers=producer)
    assert page.status_code == 200, page.text[:300]
    assert "Mật ong Xuân Sơn" in page.text and "Chè Long Cốc" not in page.text
