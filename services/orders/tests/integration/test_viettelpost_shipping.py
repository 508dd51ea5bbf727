"""Viettel Post shipping against the fake partner API served over real HTTP, with the real
database and broker: tokens, ORDER_PAYMENT, byte limits, the journal, status webhooks."""

from __future__ import annotations

import asyncio
import json
import socket
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import pytest_asyncio
import uvicorn
from pydantic import SecretStr

from ocop_orders.adapters.repository import OrdersRepository
from ocop_orders.ecommerce.adapters.viettelpost import ViettelPost
from ocop_orders.ecommerce.service_layer.shipping import register_viettelpost
from ocop_orders.service_layer.outbound import Executors, OutboundWorker
from ocop_orders.service_layer.unit_of_work import Orders
from ocop_platform.stand_ins.viettelpost import FakeState, create_fake
from ocop_platform.testing.support import eventually
from ocop_shared.contracts.catalog import CertificateStatus
from ocop_shared.runtime import ServiceRuntime, open_runtime

if TYPE_CHECKING:
    from conftest import Shop

pytestmark = pytest.mark.integration

PROBLEM = "application/problem+json"
ORDERS = "/api/v1/ecommerce/orders"
WEBHOOK = "/v1/shipping/viettelpost/webhook"
SECRET = "vtp-webhook-secret-for-tests"


@dataclass
class Carrier:
    shop: Shop
    url: str
    state: FakeState
    http: httpx.AsyncClient
    runtime: ServiceRuntime
    worker: OutboundWorker

    async def requests(self, path: str | None = None) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = (await self.http.get("/_fake/requests")).json()
        return [r for r in found if path is None or r["path"] == path]

    async def mode(self, mode: str) -> None:
        await self.http.post("/_fake/mode", json={"mode": mode})

    async def push(
        self, number: str, status: int, at: str, *, token: str = SECRET, **extra: Any
    ) -> httpx.Response:
        """The push Viettel Post would send, delivered to our webhook."""
        made = await self.http.post(
            "/_fake/push",
            json={
                "order_number": number,
                "status": status,
                "status_date": at,
                "send": False,
                "token": token,
                **extra,
            },
        )
        assert made.status_code == 200, made.text
        return await self.shop.client.post(WEBHOOK, json=made.json()["sent"])


@pytest_asyncio.fixture
async def carrier(shop: Shop) -> AsyncIterator[Carrier]:
    state = FakeState(username="ocop-test", password="pw-test")
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_fake(state), log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]))

    async def started() -> bool:
        return bool(server.started)

    await eventually(started, until=bool)
    url = f"http://127.0.0.1:{port}"
    settings = shop.settings
    settings.viettelpost_base_url = url
    settings.viettelpost_username = "ocop-test"
    settings.viettelpost_password = SecretStr("pw-test")
    settings.viettelpost_webhook_secret = SecretStr(SECRET)
    settings.viettelpost_timeout_s = 2.0
    runtime = await open_runtime(settings)
    executors = Executors()
    register_viettelpost(executors, Orders(runtime, settings, shop.clock))
    worker = OutboundWorker(runtime, executors, settings, shop.clock)
    async with httpx.AsyncClient(base_url=url) as http:
        try:
            yield Carrier(shop, url, state, http, runtime, worker)
        finally:
            await runtime.close()
            server.should_exit = True
            await task
            sock.close()


def buyer(name: str = "Nguyễn Thị Hoa", street: str = "12 ngõ 34 Trần Thái Tông") -> dict[str, Any]:
    return {
        "name": name,
        "phone": "0912345678",
        "address": {
            "province": "Hà Nội",
            "commune": "Phường Cầu Giấy",
            "street": street,
            "province_code": 1,
            "commune_code": 120,
        },
    }


async def confirmed_order(
    shop: Shop,
    *,
    payment: str = "cod",
    buyer_pays_shipping: bool = True,
    who: dict[str, Any] | None = None,
    units: int = 2,
) -> tuple[dict[str, Any], str, str]:
    showroom = await shop.showroom(f"S{uuid.uuid4().hex[:4].upper()}")
    product = await shop.product("Bưởi Đoan Hùng", price=45_000)
    assert (await shop.receive(showroom, product, 5)).status_code == 201
    body = {
        "buyer": who or buyer(),
        "lines": [{"product_id": product, "quantity": units, "unit_price_vnd": 45_000}],
        "payment": payment,
        "shipping_fee_vnd": 30_000,
        "buyer_pays_shipping": buyer_pays_shipping,
        "fulfilment": {"kind": "showroom", "showroom_id": showroom},
    }
    placed = await shop.client.post(
        ORDERS, json=body, headers={**shop.admin, "Idempotency-Key": uuid.uuid4().hex}
    )
    assert placed.status_code == 201, placed.text
    order = placed.json()
    confirmed = await shop.client.post(f"{ORDERS}/{order['id']}/confirm", headers=shop.admin)
    assert confirmed.status_code == 200, confirmed.text
    return confirmed.json(), showroom, product


async def ship(carrier: Carrier, order_id: str) -> dict[str, Any]:
    shop = carrier.shop
    made = await shop.client.post(
        f"{ORDERS}/{order_id}/shipment", json={"service": "VCN"}, headers=shop.admin
    )
    assert made.status_code in (200, 202), made.text
    await carrier.worker.run_due()
    detail = (await shop.client.get(f"{ORDERS}/{order_id}", headers=shop.admin)).json()
    assert detail["shipment"]["waybill"], detail
    return dict(detail)


async def events(shop: Shop, event_type: str) -> list[dict[str, Any]]:
    docs = await shop.db["outbox"].find({"type": event_type}).to_list()
    return [json.loads(d["payload"])["data"] for d in docs]


# -- the partner API ----------------------------------------------------------------------------
async def test_an_expired_token_signs_in_again_and_the_call_succeeds(carrier: Carrier) -> None:
    client = ViettelPost(carrier.shop.settings, carrier.shop.db)
    request = {"PRODUCT_WEIGHT": 1200, "RECEIVER_PROVINCE": 1, "SENDER_PROVINCE": 27}
    first = await client.price_all(request)
    await carrier.http.post("/_fake/expire-tokens")

    second = await client.price_all(request)

    assert [q.service for q in second] == [q.service for q in first] == ["VCN", "VTK"]
    paths = [r["path"] for r in await carrier.requests()]
    assert paths == [
        "/v2/user/Login",
        "/v2/user/ownerconnect",
        "/v2/order/getPriceAll",
        "/v2/order/getPriceAll",  # answered HTTP 200 with status 202
        "/v2/user/Login",
        "/v2/user/ownerconnect",
        "/v2/order/getPriceAll",
    ]
    stored = await carrier.shop.db["carrier_tokens"].find_one({"_id": "viettelpost"})
    assert stored is not None and stored["token"] in carrier.state.tokens


async def test_a_price_for_one_service_and_errors_map_to_problems(carrier: Carrier) -> None:
    from ocop_orders.ecommerce.adapters.viettelpost import (
        CarrierRejectedError,
        CarrierUnavailableError,
    )

    client = ViettelPost(carrier.shop.settings, carrier.shop.db)
    request = {"PRODUCT_WEIGHT": 1200, "ORDER_SERVICE": "VTK"}

    fee = await client.price(request)
    with pytest.raises(CarrierRejectedError) as rejected:
        await client.price({**request, "ORDER_SERVICE": "XYZ"})
    await carrier.mode("garbage")
    with pytest.raises(CarrierUnavailableError):
        await client.price(request)
    await carrier.mode("500")
    with pytest.raises(CarrierUnavailableError):
        await client.price(request)
    carrier.shop.settings.viettelpost_timeout_s = 0.3
    await carrier.http.post("/_fake/mode", json={"mode": "slow", "slow_s": 1.0})
    with pytest.raises(CarrierUnavailableError) as slow:
        await client.price(request)
    assert "kết nối" in slow.value.detail

    assert fee == 25_600  # (22.000 + 2 × 5.000) × 0,8 for economy
    assert rejected.value.status == 422
    assert "Dịch vụ không hợp lệ" in rejected.value.detail


@pytest.mark.parametrize(
    ("payment", "buyer_pays", "expected_payment", "collect"),
    [
        ("prepaid", True, 1, lambda o: 0),
        ("cod", True, 2, lambda o: o["total_vnd"]),
        ("cod", False, 3, lambda o: o["subtotal_vnd"]),
    ],
)
async def test_order_payment_follows_who_pays_what(
    carrier: Carrier, payment: str, buyer_pays: bool, expected_payment: int, collect: Any
) -> None:
    order, _, _ = await confirmed_order(
        carrier.shop, payment=payment, buyer_pays_shipping=buyer_pays
    )

    await ship(carrier, order["id"])

    [sent] = await carrier.requests("/v2/order/createOrder")
    body = sent["body"]
    assert body["ORDER_NUMBER"] == order["number"]
    assert body["CHECK_UNIQUE"] is True
    assert body["ORDER_PAYMENT"] == expected_payment
    assert body["MONEY_COLLECTION"] == collect(order)
    assert body["RECEIVER_DISTRICT"] is None
    assert (body["RECEIVER_PROVINCE"], body["RECEIVER_WARD"]) == (1, 120)
    assert body["LIST_ITEM"][0]["PRODUCT_QUANTITY"] == 2
    assert body["PRODUCT_WEIGHT"] == 1000  # grams: 2 units of the default 500 g


async def test_vietnamese_text_is_cut_to_150_bytes_not_characters(carrier: Carrier) -> None:
    street = "Thôn Đồng Xuân, xóm Đình, ngõ Hưng Hoá, " * 4  # 160 characters, ~200 bytes
    name = "Nguyễn Thị Hoa Hướng Dương Phượng"
    order, _, _ = await confirmed_order(carrier.shop, who=buyer(name=name, street=street.strip()))

    await ship(carrier, order["id"])

    [sent] = await carrier.requests("/v2/order/createOrder")
    address = sent["body"]["RECEIVER_ADDRESS"]
    assert len(address) < 150 < len(address.encode("utf-8")) + 40
    assert len(address.encode("utf-8")) <= 150
    assert street.startswith(address)
    assert sent["body"]["RECEIVER_FULLNAME"] == name  # short enough: untouched


# -- shipments through the journal ----------------------------------------------------------------
async def test_a_retried_shipment_request_makes_one_shipment_and_one_waybill(
    carrier: Carrier,
) -> None:
    shop = carrier.shop
    order, _, _ = await confirmed_order(shop)
    url = f"{ORDERS}/{order['id']}/shipment"

    answers = await asyncio.gather(
        *(shop.client.post(url, json={"service": "VCN"}, headers=shop.admin) for _ in range(6))
    )
    await carrier.worker.run_due()
    await carrier.worker.run_due()

    assert len({a.json()["id"] for a in answers}) == 1
    assert await shop.db["shipments"].count_documents({}) == 1
    assert len(await carrier.requests("/v2/order/createOrder")) == 1
    detail = (await shop.client.get(f"{ORDERS}/{order['id']}", headers=shop.admin)).json()
    assert detail["order"]["state"] == "shipped"
    assert detail["shipment"]["status"] == "new"
    assert len(await events(shop, "ocop.orders.order.shipped.v1")) == 1


async def test_a_create_whose_answer_was_lost_keeps_the_first_waybill(carrier: Carrier) -> None:
    shop = carrier.shop
    order, _, _ = await confirmed_order(shop)
    await shop.client.post(
        f"{ORDERS}/{order['id']}/shipment", json={"service": "VCN"}, headers=shop.admin
    )
    # An earlier attempt reached Viettel Post but its answer never came back.
    call = await shop.db["outbound_calls"].find_one({"operation": "create_order"})
    client = ViettelPost(shop.settings, shop.db)
    first = await client.create_order(call["payload"]["request"])

    await carrier.worker.run_due()

    detail = (await shop.client.get(f"{ORDERS}/{order['id']}", headers=shop.admin)).json()
    assert detail["shipment"]["waybill"] == first.waybill
    assert len(carrier.state.orders) == 1
    assert detail["order"]["state"] == "shipped"


async def test_carrier_down_then_back_the_shipment_is_created_after_retries(
    carrier: Carrier,
) -> None:
    shop = carrier.shop
    order, _, _ = await confirmed_order(shop)
    await carrier.mode("down")
    await shop.client.post(
        f"{ORDERS}/{order['id']}/shipment", json={"service": "VCN"}, headers=shop.admin
    )

    await carrier.worker.run_due()
    shop.clock.advance(timedelta(minutes=10))
    await carrier.worker.run_due()
    call = await shop.db["outbound_calls"].find_one({"operation": "create_order"})
    assert (call["outcome"], call["tries"]) == ("pending", 2)
    await carrier.mode("normal")
    shop.clock.advance(timedelta(minutes=10))
    await carrier.worker.run_due()

    call = await shop.db["outbound_calls"].find_one({"operation": "create_order"})
    assert call["outcome"] == "succeeded"
    detail = (await shop.client.get(f"{ORDERS}/{order['id']}", headers=shop.admin)).json()
    assert detail["order"]["state"] == "shipped"


async def test_cancel_before_pickup_cancels_the_waybill_and_returns_the_stock(
    carrier: Carrier,
) -> None:
    shop = carrier.shop
    order, showroom, product = await confirmed_order(shop)
    await ship(carrier, order["id"])

    asked = await shop.client.post(
        f"{ORDERS}/{order['id']}/shipment/cancel", json={"reason": "Khách huỷ"}, headers=shop.admin
    )
    await carrier.worker.run_due()

    assert asked.status_code == 202, asked.text
    [update] = await carrier.requests("/v2/order/UpdateOrder")
    assert update["body"]["TYPE"] == 4
    detail = (await shop.client.get(f"{ORDERS}/{order['id']}", headers=shop.admin)).json()
    assert detail["shipment"]["status"] == "cancelled"
    assert detail["order"]["state"] == "cancelled"
    assert (await shop.stock(showroom, product))["on_hand"] == 5
    assert (await shop.audit(showroom))["consistent"]


async def test_a_product_withdrawn_after_the_order_stops_the_shipment_unless_a_person_says_why(
    carrier: Carrier,
) -> None:
    shop = carrier.shop
    order, _, product = await confirmed_order(shop)
    repository = OrdersRepository(shop.db)
    known = await repository.get_product(product)
    assert known.certificate is not None
    revoked = known.certificate.model_copy(
        update={"status": CertificateStatus.REVOKED, "reason": "Vi phạm ghi nhãn"}
    )
    await repository.save_product(known.model_copy(update={"certificate": revoked}))

    refused = await shop.client.post(
        f"{ORDERS}/{order['id']}/shipment", json={"service": "VCN"}, headers=shop.admin
    )
    assert refused.status_code == 409, refused.text
    assert refused.json()["type"] == "not-sellable"
    assert "thu hồi" in refused.json()["detail"]
    assert await carrier.requests("/v2/order/createOrder") == []

    allowed = await shop.client.post(
        f"{ORDERS}/{order['id']}/shipment",
        json={"service": "VCN", "override_reason": "Khách đã nhận hàng mẫu, HTX đồng ý"},
        headers=shop.admin,
    )
    assert allowed.status_code == 202, allowed.text
    assert allowed.json()["override_reason"] == "Khách đã nhận hàng mẫu, HTX đồng ý"
    assert allowed.json()["override_by"]


async def test_cancel_after_pickup_is_refused_with_a_clear_reason(carrier: Carrier) -> None:
    shop = carrier.shop
    order, _, _ = await confirmed_order(shop)
    await ship(carrier, order["id"])
    assert (await carrier.push(order["number"], 105, "24/11/2026 11:00:00")).status_code == 200

    refused = await shop.client.post(
        f"{ORDERS}/{order['id']}/shipment/cancel", json={"reason": "Khách huỷ"}, headers=shop.admin
    )

    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith(PROBLEM)
    assert "đã lấy hàng" in refused.json()["detail"]
    assert await carrier.requests("/v2/order/UpdateOrder") == []


# -- status webhooks ------------------------------------------------------------------------------
async def test_duplicate_and_out_of_order_pushes_change_the_order_once(carrier: Carrier) -> None:
    shop = carrier.shop
    order, _, _ = await confirmed_order(shop)
    await ship(carrier, order["id"])

    outcomes = [
        (await carrier.push(order["number"], code, at)).json()["result"]
        for code, at in [
            (105, "24/11/2026 11:00:00"),
            (501, "25/11/2026 09:30:00"),
            (501, "25/11/2026 09:30:00"),  # Viettel Post retrying
            (500, "25/11/2026 08:00:00"),  # late: older than what we applied
            (501, "25/11/2026 09:30:00"),
        ]
    ]

    assert outcomes == ["applied", "applied", "duplicate", "stale", "duplicate"]
    detail = (await shop.client.get(f"{ORDERS}/{order['id']}", headers=shop.admin)).json()
    assert detail["order"]["state"] == "delivered"
    assert detail["shipment"]["status"] == "delivered"
    assert [(t["code"], t["applied"], t["stale"]) for t in detail["tracking"]] == [
        (105, True, False),
        (500, False, True),
        (501, True, False),
    ]
    delivered = await events(shop, "ocop.orders.order.delivered.v1")
    assert [e["order_id"] for e in delivered] == [order["id"]]


async def test_concurrent_duplicate_pushes_apply_once(carrier: Carrier) -> None:
    shop = carrier.shop
    order, _, _ = await confirmed_order(shop)
    await ship(carrier, order["id"])
    made = await carrier.http.post(
        "/_fake/push",
        json={
            "order_number": order["number"],
            "status": 501,
            "send": False,
            "token": SECRET,
            "status_date": "25/11/2026 09:30:00",
        },
    )

    answers = await asyncio.gather(
        *(shop.client.post(WEBHOOK, json=made.json()["sent"]) for _ in range(5))
    )

    assert sorted(a.json()["result"] for a in answers) == ["applied"] + ["duplicate"] * 4
    assert len(await events(shop, "ocop.orders.order.delivered.v1")) == 1


async def test_a_push_with_the_wrong_secret_is_rejected_logged_and_changes_nothing(
    carrier: Carrier,
) -> None:
    shop = carrier.shop
    order, _, _ = await confirmed_order(shop)
    await ship(carrier, order["id"])

    forged = await carrier.push(order["number"], 501, "25/11/2026 09:30:00", token="guess")

    assert forged.status_code == 401
    assert forged.headers["content-type"].startswith(PROBLEM)
    detail = (await shop.client.get(f"{ORDERS}/{order['id']}", headers=shop.admin)).json()
    assert detail["order"]["state"] == "shipped"
    assert detail["tracking"] == []
    [logged] = await shop.db["rejected_webhooks"].find().to_list()
    assert logged["reason"] == "wrong token"
    assert "guess" not in json.dumps(logged, default=str)


async def test_returned_to_sender_puts_the_stock_back_at_the_showroom(carrier: Carrier) -> None:
    shop = carrier.shop
    order, showroom, product = await confirmed_order(shop)
    await ship(carrier, order["id"])
    assert (await shop.stock(showroom, product))["on_hand"] == 3

    await carrier.push(order["number"], 502, "26/11/2026 08:00:00")
    await carrier.push(order["number"], 504, "27/11/2026 08:00:00", note="Khách không nhận")

    detail = (await shop.client.get(f"{ORDERS}/{order['id']}", headers=shop.admin)).json()
    assert detail["order"]["state"] == "returned"
    assert (await shop.stock(showroom, product))["on_hand"] == 5
    returns = (
        await shop.db["ledger"].find({"reference": order["id"], "movement": "return"}).to_list()
    )
    assert sum(e["delta"] for e in returns) == 2
    assert (await shop.audit(showroom))["consistent"]
    assert len(await events(shop, "ocop.orders.order.returned.v1")) == 1


async def test_an_unknown_carrier_code_is_flagged_not_guessed(carrier: Carrier) -> None:
    shop = carrier.shop
    order, _, _ = await confirmed_order(shop)
    await ship(carrier, order["id"])

    answer = await carrier.push(order["number"], 777, "25/11/2026 09:30:00")

    assert answer.json()["result"] == "flagged"
    detail = (await shop.client.get(f"{ORDERS}/{order['id']}", headers=shop.admin)).json()
    assert detail["shipment"]["status"] == "new"
    assert detail["shipment"]["needs_attention"] is True
    assert detail["tracking"][0]["unknown"] is True
    flags = await shop.client.get("/quay/don-hang/canh-bao-van-chuyen", headers=shop.admin)
    assert "777" in flags.text

    seen = await shop.client.post(
        f"{ORDERS}/{order['id']}/shipment/acknowledge",
        json={"note": "Bưu cục xác nhận: đang chờ phát lại"},
        headers=shop.admin,
    )

    assert seen.status_code == 200, seen.text
    assert seen.json()["needs_attention"] is False
    flags = await shop.client.get("/quay/don-hang/canh-bao-van-chuyen", headers=shop.admin)
    assert "777" not in flags.text


async def test_a_carrier_cancel_code_cancels_the_order(carrier: Carrier) -> None:
    shop = carrier.shop
    order, showroom, product = await confirmed_order(shop)
    await ship(carrier, order["id"])

    await carrier.push(order["number"], 201, "25/11/2026 09:30:00")

    detail = (await shop.client.get(f"{ORDERS}/{order['id']}", headers=shop.admin)).json()
    assert detail["order"]["state"] == "cancelled"
    assert (await shop.stock(showroom, product))["on_hand"] == 5


async def test_a_push_with_a_bad_date_names_the_field(carrier: Carrier) -> None:
    shop = carrier.shop
    order, _, _ = await confirmed_order(shop)
    await ship(carrier, order["id"])

    answer = await carrier.push(order["number"], 501, "2026-11-25T09:30:00")

    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "body.DATA.ORDER_STATUSDATE"
    assert await shop.db["shipment_tracking"].count_documents({}) == 0


# -- console --------------------------------------------------------------------------------------
async def test_the_console_lists_quotes_ships_tracks_and_exports_orders(carrier: Carrier) -> None:
    import io

    from openpyxl import load_workbook

    shop = carrier.shop
    order, _, _ = await confirmed_order(shop)
    page = f"/quay/don-hang/{order['id']}"

    listing = await shop.client.get("/quay/don-hang?trang-thai=confirmed", headers=shop.admin)
    quoted = await shop.client.get(f"{page}?bao-gia=1&can-nang=1200", headers=shop.admin)
    made = await shop.client.post(
        f"{page}/van-don", data={"service": "VTK", "weight_g": "1.200"}, headers=shop.admin
    )
    await carrier.worker.run_due()
    await carrier.push(order["number"], 105, "24/11/2026 11:00:00", status_name="Đã lấy hàng")
    await carrier.push(order["number"], 999, "24/11/2026 12:00:00", status_name="Mã mới")
    tracked = await shop.client.get(page, headers=shop.admin)
    flags = await shop.client.get("/quay/don-hang/canh-bao-van-chuyen", headers=shop.admin)
    export = await shop.client.get("/quay/don-hang/xuat.xlsx", headers=shop.admin)

    assert listing.status_code == 200 and order["number"] in listing.text
    assert "Đã xác nhận" in listing.text
    assert quoted.status_code == 200
    assert "Tiết kiệm" in quoted.text and "₫" in quoted.text
    assert made.status_code == 303 and "loi=" not in made.headers["location"]
    [sent] = await carrier.requests("/v2/order/createOrder")
    assert (sent["body"]["ORDER_SERVICE"], sent["body"]["PRODUCT_WEIGHT"]) == ("VTK", 1200)
    assert "Đã lấy hàng" in tracked.text and "Mã lạ" in tracked.text
    assert "999" in flags.text
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "Mã đơn"
    assert [r[0] for r in rows[1:]] == [order["number"]]


async def test_a_console_refusal_comes_back_as_a_message(carrier: Carrier) -> None:
    shop = carrier.shop
    order, _, _ = await confirmed_order(shop)

    again = await shop.client.post(f"/quay/don-hang/{order['id']}/xac-nhan", headers=shop.admin)

    assert again.status_code == 303
    assert "loi=" in again.headers["location"]


async def test_the_fake_pushes_status_over_http_like_viettelpost(carrier: Carrier) -> None:
    from ocop_orders.entrypoints.api import create_app

    shop = carrier.shop
    order, _, _ = await confirmed_order(shop)
    await ship(carrier, order["id"])
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(shop.settings, shop.clock), log_level="warning")
    )
    task = asyncio.create_task(server.serve(sockets=[sock]))

    async def started() -> bool:
        return bool(server.started)

    try:
        await eventually(started, until=bool)
        await carrier.http.post(
            "/_fake/config",
            json={
                "webhook_url": f"http://127.0.0.1:{port}{WEBHOOK}",
                "webhook_token": SECRET,
            },
        )
        forged = await carrier.http.post(
            "/_fake/push",
            json={"order_number": order["number"], "status": 501, "token": "wrong"},
        )
        delivered = await carrier.http.post(
            "/_fake/push", json={"order_number": order["number"], "status": 501}
        )
    finally:
        server.should_exit = True
        await task
        sock.close()

    assert forged.json()["status_code"] == 401
    assert delivered.json()["status_code"] == 200
    sent = delivered.json()["sent"]["DATA"]
    assert sent["ORDER_REFERENCE"] == order["number"]
    detail = (await shop.client.get(f"{ORDERS}/{order['id']}", headers=shop.admin)).json()
    assert detail["order"]["state"] == "delivered"
    assert detail["shipment"]["waybill"] == sent["ORDER_NUMBER"]


async def test_a_refused_sign_in_parks_the_call_until_a_person_redrives_it(
    carrier: Carrier,
) -> None:
    from ocop_orders.service_layer.outbound import redrive

    shop = carrier.shop
    order, _, _ = await confirmed_order(shop)
    shop.settings.viettelpost_password = SecretStr("wrong")
    await shop.client.post(
        f"{ORDERS}/{order['id']}/shipment", json={"service": "VCN"}, headers=shop.admin
    )
    await carrier.worker.run_due()
    parked = await shop.db["outbound_calls"].find_one({"operation": "create_order"})
    detail = (await shop.client.get(f"{ORDERS}/{order['id']}", headers=shop.admin)).json()
    assert parked["outcome"] == "parked"
    assert "Đăng nhập Viettel Post thất bại" in detail["shipment"]["last_error"]
    cancel = await shop.client.post(
        f"{ORDERS}/{order['id']}/cancel", json={"reason": "thử huỷ"}, headers=shop.admin
    )
    assert cancel.status_code == 409  # the waybill may still be created: cancel it instead
    flags = await shop.client.get("/quay/don-hang/canh-bao-van-chuyen", headers=shop.admin)
    assert order["number"] in flags.text

    shop.settings.viettelpost_password = SecretStr("pw-test")
    await redrive(shop.db, now=shop.clock.now(), target="viettelpost")
    await carrier.worker.run_due()

    detail = (await shop.client.get(f"{ORDERS}/{order['id']}", headers=shop.admin)).json()
    assert detail["shipment"]["last_error"] is None
    assert detail["order"]["state"] == "shipped"


async def test_a_quote_while_viettelpost_is_down_is_a_clear_problem(carrier: Carrier) -> None:
    shop = carrier.shop
    order, _, _ = await confirmed_order(shop)
    url = f"{ORDERS}/{order['id']}/shipment/quote"
    up = await shop.client.post(url, json={"weight_g": 800}, headers=shop.admin)
    await carrier.mode("down")

    down = await shop.client.post(url, json={"weight_g": 800}, headers=shop.admin)
    page = await shop.client.get(f"/quay/don-hang/{order['id']}?bao-gia=1", headers=shop.admin)

    assert [q["service"] for q in up.json()] == ["VCN", "VTK"]
    assert down.status_code == 503
    assert down.headers["content-type"].startswith(PROBLEM)
    assert "Viettel Post" in down.json()["detail"]
    assert page.status_code == 200 and "HTTP 503" in page.text


async def test_an_orders_life_reaches_kafka_in_order(carrier: Carrier) -> None:
    from aiokafka import AIOKafkaConsumer

    from ocop_platform.testing.support import background
    from ocop_shared.contracts.orders import ECOMMERCE_ORDERS_TOPIC
    from ocop_shared.messaging.kafka import ensure_topics
    from ocop_shared.messaging.workers import all_topics, run_relay

    shop = carrier.shop
    settings = shop.settings
    await ensure_topics(settings.kafka_bootstrap_servers, all_topics(settings))
    order, _, _ = await confirmed_order(shop)
    await ship(carrier, order["id"])
    await carrier.push(order["number"], 501, "25/11/2026 09:30:00")

    async def read() -> list[str]:
        consumer = AIOKafkaConsumer(
            settings.topic(ECOMMERCE_ORDERS_TOPIC),
            bootstrap_servers=settings.kafka_bootstrap_servers,
            auto_offset_reset="earliest",
        )
        await consumer.start()
        try:
            batches = await consumer.getmany(timeout_ms=1500)
            records = [r for rs in batches.values() for r in rs if r.key == order["id"].encode()]
            return [
                json.loads(r.value or b"{}")["type"]
                for r in sorted(records, key=lambda r: r.offset)
            ]
        finally:
            await consumer.stop()

    async def relay(stop: asyncio.Event) -> None:
        await run_relay(settings, stop)

    async with background(relay):
        types = await eventually(read, until=lambda ts: len(ts) >= 4, interval_s=0.3)

    assert types == [
        "ocop.orders.order.placed.v1",
        "ocop.orders.order.confirmed.v1",
        "ocop.orders.order.shipped.v1",
        "ocop.orders.order.delivered.v1",
    ]
