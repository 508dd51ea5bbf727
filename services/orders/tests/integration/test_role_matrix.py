"""Every mutating endpoint, every role: only the intended roles get past authorisation."""

from __future__ import annotations

import asyncio
import json
import socket
import uuid
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import pytest_asyncio
import uvicorn
from pydantic import SecretStr

from ocop_orders.ecommerce.service_layer.intake import sign
from ocop_platform.stand_ins.marketplace import sample_order_push
from ocop_platform.stand_ins.viettelpost import FakeState, create_fake
from ocop_platform.testing.authorisation import authorisation_mismatches, role_headers
from ocop_platform.testing.support import bearer, eventually
from ocop_shared.auth import Role

if TYPE_CHECKING:
    from conftest import Shop

pytestmark = pytest.mark.integration

TILL = {"admin", "showroom_operator"}  # "showroom_operator" here operates the showroom in the path
MANAGER = {"admin", "trade_staff"}
# "producer" below is the producer owning the product, listing, stock or order in the path;
# "other_producer" and "other_operator" are in-role callers outside that scope.
LISTING_EDITORS = {"admin", "trade_staff", "province_officer", "producer"}
OFFICERS = {"admin", "trade_staff", "province_officer"}
SHOWROOM_ORDER = {"admin", "trade_staff", "showroom_operator"}
PRODUCER_ORDER = {"admin", "trade_staff", "producer"}
ORDERS = "/api/v1/ecommerce/orders"
VTP_SECRET = "vtp-webhook-secret-for-the-matrix"
PARTNER = {"partner"}


def scoped_headers(shop: Shop, showroom: str, other_showroom: str) -> dict[str, dict[str, str]]:
    return role_headers(
        shop.settings,
        showroom_operator=shop.operator(showroom),
        other_operator=shop.operator(other_showroom),
        producer=bearer(shop.settings, Role.PRODUCER, producer_id="prd-chi-dam"),
        other_producer=bearer(shop.settings, Role.PRODUCER, producer_id="prd-khac"),
    )


def json_sender(shop: Shop) -> Any:
    async def send(
        method: str, url: str, body: Any, headers: dict[str, str], role: str
    ) -> httpx.Response:
        return await shop.client.request(
            method, url, json=body, headers={**headers, "Idempotency-Key": role * 2}
        )

    return send


@pytest_asyncio.fixture
async def carrier(shop: Shop) -> AsyncIterator[str]:
    """The fake Viettel Post over real HTTP, so quotes reach a carrier that answers."""
    state = FakeState(username="ocop-test", password="pw-test")
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(create_fake(state), log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]))

    async def started() -> bool:
        return bool(server.started)

    await eventually(started, until=bool)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    shop.settings.viettelpost_base_url = url
    shop.settings.viettelpost_username = "ocop-test"
    shop.settings.viettelpost_password = SecretStr("pw-test")
    shop.settings.viettelpost_webhook_secret = SecretStr(VTP_SECRET)
    shop.settings.viettelpost_timeout_s = 2.0
    try:
        yield url
    finally:
        server.should_exit = True
        await task
        sock.close()


def buyer() -> dict[str, Any]:
    return {
        "name": "Nguyễn Thị Hoa",
        "phone": "0912345678",
        "address": {
            "province": "Hà Nội",
            "commune": "Phường Cầu Giấy",
            "street": "12 ngõ 34 Trần Thái Tông",
            "province_code": 1,
            "commune_code": 120,
        },
    }


def order_body(product: str, showroom: str | None = None) -> dict[str, Any]:
    fulfilment = {"kind": "showroom", "showroom_id": showroom} if showroom else {"kind": "producer"}
    return {
        "buyer": buyer(),
        "lines": [{"product_id": product, "quantity": 1, "unit_price_vnd": 45_000}],
        "payment": "cod",
        "shipping_fee_vnd": 30_000,
        "fulfilment": fulfilment,
    }


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


async def test_only_intended_roles_pass_on_marketplace_listings_and_the_call_journal(
    shop: Shop,
) -> None:
    viet_tri = await shop.showroom("VT")
    xuan_son = await shop.showroom("XS")
    listed = await shop.product(listed_for_marketplace=True)  # eligible: catalog allows it
    unlisted = await shop.product("Chè Long Cốc", listed_for_marketplace=True)
    created = await shop.client.post(
        "/api/v1/listings",
        json={"product_id": listed, "channel": "postmart", "stock": 3},
        headers=shop.admin,
    )
    assert created.status_code == 201, created.text
    listing = f"/api/v1/listings/{created.json()['id']}"
    table: list[tuple[str, str, dict[str, Any] | None, set[str]]] = [
        ("POST", "/api/v1/listings", {"product_id": unlisted, "channel": "voso"}, LISTING_EDITORS),
        ("PATCH", listing, {"stock": 4}, LISTING_EDITORS),
        ("POST", "/api/v1/marketplaces/reconcile?channel=postmart", None, OFFICERS),
        ("POST", "/api/v1/calls/redrive", {"target": "postmart"}, OFFICERS),
        ("DELETE", listing, None, LISTING_EDITORS),
    ]

    wrong = await authorisation_mismatches(
        json_sender(shop), table, scoped_headers(shop, viet_tri, xuan_son)
    )
    assert not wrong, "\n".join(wrong)


async def test_only_intended_roles_pass_on_ecommerce_orders_and_shipments(
    shop: Shop, carrier: str
) -> None:
    viet_tri = await shop.showroom("VT")
    xuan_son = await shop.showroom("XS")
    product = await shop.product()
    assert (await shop.receive(viet_tri, product, 10)).status_code == 201
    stock = f"/api/v1/ecommerce/producer-stock/{product}"
    put = await shop.client.put(stock, json={"quantity": 10}, headers=shop.admin)
    assert put.status_code == 200, put.text

    async def placed(body: dict[str, Any]) -> str:
        headers = {**shop.admin, "Idempotency-Key": uuid.uuid4().hex}
        response = await shop.client.post(ORDERS, json=body, headers=headers)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    at_showroom = f"{ORDERS}/{await placed(order_body(product, viet_tri))}"  # its operator ships it
    from_producer = f"{ORDERS}/{await placed(order_body(product))}"  # the producer ships it itself
    cancelled = f"{ORDERS}/{await placed(order_body(product, viet_tri))}"
    reason = {"reason": "Khách đổi ý"}
    table: list[tuple[str, str, dict[str, Any] | None, set[str]]] = [
        ("POST", ORDERS, order_body(product, viet_tri), SHOWROOM_ORDER),
        # Served from the producer's own stock: any operator may take the phone order (the
        # console offers it); it then belongs to the producer and trade staff.
        ("POST", ORDERS, order_body(product), SHOWROOM_ORDER | {"other_operator"}),
        ("PUT", stock, {"quantity": 20}, PRODUCER_ORDER),
        ("POST", f"{at_showroom}/shipment/quote", {"weight_g": 800}, SHOWROOM_ORDER | {"producer"}),
        ("POST", f"{at_showroom}/confirm", None, SHOWROOM_ORDER),
        ("POST", f"{at_showroom}/shipment", {"service": "VCN"}, SHOWROOM_ORDER),
        ("POST", f"{at_showroom}/shipment/acknowledge", {"note": "Đã gọi bưu cục"}, SHOWROOM_ORDER),
        ("POST", f"{at_showroom}/shipment/cancel", reason, SHOWROOM_ORDER),
        ("POST", f"{from_producer}/confirm", None, PRODUCER_ORDER),
        ("POST", f"{from_producer}/shipment", {"service": "VCN"}, PRODUCER_ORDER),
        ("POST", f"{from_producer}/shipment/cancel", reason, PRODUCER_ORDER),
        ("POST", f"{cancelled}/cancel", reason, SHOWROOM_ORDER),
        ("POST", f"{cancelled}/refund", {"amount_vnd": 1_000, **reason}, SHOWROOM_ORDER),
        ("POST", "/api/v1/ecommerce/reservations/release-expired", None, {"admin"}),
    ]

    wrong = await authorisation_mismatches(
        json_sender(shop), table, scoped_headers(shop, viet_tri, xuan_son)
    )
    assert not wrong, "\n".join(wrong)


async def test_partner_webhooks_refuse_every_bearer_token_and_accept_only_the_partner_secret(
    shop: Shop, carrier: str
) -> None:
    """Webhooks are not for users: a token of any role is refused (401) without the partner's
    secret (HMAC X-Signature for marketplaces, TOKEN in the body for Viettel Post)."""
    product = await shop.product()
    stock = f"/api/v1/ecommerce/producer-stock/{product}"
    put = await shop.client.put(stock, json={"quantity": 10}, headers=shop.admin)
    assert put.status_code == 200, put.text
    push = {
        "DATA": {
            "ORDER_NUMBER": "VTP-KHONG-CO",
            "ORDER_STATUSDATE": "24/11/2026 10:00:00",
            "ORDER_STATUS": 200,
        }
    }
    # "partner" sends no bearer token, only its shared secret; every role's token is refused.
    table: list[tuple[str, str, dict[str, Any] | None, set[str]]] = [
        (
            "POST",
            "/v1/channels/postmart/orders/webhook",
            sample_order_push(product, "PM-9"),
            PARTNER,
        ),
        ("POST", "/v1/channels/voso/orders/webhook", sample_order_push(product, "VS-9"), PARTNER),
        ("POST", "/v1/shipping/viettelpost/webhook", push, PARTNER),  # unknown waybill: 404
    ]

    async def send(
        method: str, url: str, body: Any, headers: dict[str, str], role: str
    ) -> httpx.Response:
        if role == "partner" and "viettelpost" in url:
            body = {**body, "TOKEN": VTP_SECRET}
        raw = json.dumps(body).encode()
        if role == "partner" and "/channels/" in url:
            channel = url.split("/")[3]
            secret = shop.settings.channel_webhook_secret(channel)
            assert secret
            headers = {"X-Signature": f"sha256={sign(secret, raw)}"}
        response = await shop.client.request(
            method, url, content=raw, headers={**headers, "Content-Type": "application/json"}
        )
        if role != "partner":
            assert response.status_code == 401, (url, role, response.text)
        return response

    headers = {**scoped_headers(shop, "sr-a", "sr-b"), "partner": {}}
    wrong = await authorisation_mismatches(send, table, headers)
    assert not wrong, "\n".join(wrong)
