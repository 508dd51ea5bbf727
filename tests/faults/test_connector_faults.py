"""Partner connectors under partner faults, with the orders API and the connectors worker
running as processes on the real Kafka and SecantusDB and the Postmart and Voso fakes as real
HTTP servers: a marketplace that times out, answers 500 or answers garbage gets each call
retried with backoff, then parked; once it recovers and a person redrives the parked calls,
every change arrives, in the order it was decided, once (checked at the fake by idempotency
key), and the journal holds no call that neither succeeded nor parked.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest

from ocop_orders.adapters.repository import OrdersRepository
from ocop_orders.domain.model import CertificateInfo, Product
from ocop_platform.testing.support import bearer, eventually
from ocop_shared.auth import Role
from ocop_shared.contracts.catalog import CertificateStatus

PRODUCER = "prd-thu-loi"
PRICES = (70_000, 71_000, 72_000)


async def _product(platform: Any) -> str:
    product_id = f"sp-{uuid.uuid4().hex[:10]}"
    await OrdersRepository(platform.db).save_product(
        Product(
            id=product_id,
            name="Chè Shan tuyết Suối Giàng",
            producer_id=PRODUCER,
            producer_name="HTX chè Suối Giàng",
            suggested_price_vnd=65_000,
            group_code="food",
            description="Chè cổ thụ",
            image_url="https://example.vn/che.jpg",
            traceability_url="https://truyxuatnguongoc.gov.vn/p/che",
            certificate=CertificateInfo(
                certificate_id=f"gcn-{product_id}",
                number="GCN-7/QĐ-UBND",
                stars=4,
                valid_until=date(2028, 6, 15),
                valid_from=date(2025, 6, 15),
                status=CertificateStatus.ACTIVE,
            ),
            certificate_sequence=1,
            listed_for_showrooms=True,
            listed_for_marketplace=True,
            catalog_sequence=1,
        )
    )
    return product_id


def _applied(fake: Any, sku: str) -> list[dict[str, Any]]:
    """Requests about ``sku`` the fake really applied (up, 2xx, not an idempotent replay)."""
    return [
        r
        for r in fake.state.requests
        if sku in r["path"]
        and r["mode"] in ("up", "slow")
        and 200 <= int(r.get("status", 0)) < 300
        and not r.get("replayed")
    ]


async def _mode(fake: Any, mode: str, delay_s: float = 2.5) -> None:
    fake.state.mode = mode
    fake.state.delay_s = delay_s


@pytest.mark.parametrize("fault", ["slow", "500", "garbage"])
async def test_a_misbehaving_marketplace_gets_retries_then_parks_and_after_redrive_gets_every_change_once_in_order(  # noqa: E501
    connector_platform: Any, faults: SimpleNamespace, fault: str
) -> None:
    platform = connector_platform
    producer = bearer(platform.settings, Role.PRODUCER, producer_id=PRODUCER)
    officer = bearer(platform.settings, Role.TRADE_STAFF)
    product_id = await _product(platform)
    channels = ("postmart", "voso")
    for channel in channels:
        await _mode(platform.fakes[channel], fault)
    started = time.monotonic()
    for channel in channels:
        response = await platform.client.post(
            "/api/v1/listings",
            json={"product_id": product_id, "channel": channel, "stock": 5},
            headers=producer,
        )
        assert response.status_code == 201, response.text
        for price in PRICES:
            response = await platform.client.patch(
                f"/api/v1/listings/{channel}-{product_id}",
                json={"price_vnd": price},
                headers=producer,
            )
            assert response.status_code == 200, response.text

    async def parked() -> list[dict[str, Any]]:
        return await platform.db["outbound_calls"].find({"outcome": "parked"}).to_list()

    heads = await eventually(parked, until=lambda got: len(got) == 2, timeout_s=30)
    parked_after = time.monotonic() - started
    for call in heads:  # the first call of each listing, tried max_attempts times, backing off
        assert len(call["attempts"]) == 3, call["attempts"]
        at = [a["at"] for a in call["attempts"]]
        assert at == sorted(at)
        assert call["last_error"]
    # Later calls wait behind their parked head instead of overtaking it.
    pending = await platform.db["outbound_calls"].count_documents({"outcome": "pending"})
    assert pending == 2 * len(PRICES)

    for channel in channels:
        await _mode(platform.fakes[channel], "up")
    await asyncio.sleep(0.5)  # recovered, but parked stays parked until a person redrives
    assert await platform.db["outbound_calls"].count_documents({"outcome": "parked"}) == 2

    response = await platform.client.post("/api/v1/calls/redrive", json={}, headers=officer)
    assert response.status_code == 200, response.text
    assert len(response.json()["redriven"]) == 2

    async def journal() -> Any:
        return await faults.audit_journal(platform.db)

    audit = await eventually(journal, until=lambda a: not a.problems, timeout_s=30)
    assert audit.succeeded == 2 * (1 + len(PRICES)) and audit.parked == 0
    for channel in channels:
        fake = platform.fakes[channel]
        applied = _applied(fake, product_id)
        keys = [r["idempotency_key"] for r in applied]
        assert len(keys) == len(set(keys)) == 1 + len(PRICES), applied  # each change once
        assert [r["body"].get("price_vnd") for r in applied] == [65_000, *PRICES]
        [listing] = [v for (_, sku), v in fake.state.listings.items() if sku == product_id]
        assert listing["price_vnd"] == PRICES[-1]
    print(
        f"\n{fault}: both heads parked after {parked_after:.1f} s; "
        f"all {audit.succeeded} calls delivered {time.monotonic() - started:.1f} s after the first"
    )


@pytest.mark.parametrize("fault", ["down", "500", "garbage", "slow"])
async def test_a_shipment_requested_while_viettelpost_is_down_gets_exactly_one_waybill_after_redrive_and_survives_token_expiry(  # noqa: E501
    connector_platform: Any, faults: SimpleNamespace, fault: str
) -> None:
    """``slow`` is the nastiest: Viettel Post creates the waybill but every answer is lost
    (client timeout 1 s, answers after 1.5 s); after the redrive its CHECK_UNIQUE refusal
    names the waybill it already made, which the shipment takes. Tokens expire mid-run in the
    other modes (in ``slow`` the sign-in itself would time out, so no createOrder is sent)."""
    platform = connector_platform
    shop = platform.shop
    carrier = platform.carrier.state
    officer = bearer(platform.settings, Role.TRADE_STAFF)

    first = await shop.confirmed_order()
    assert (await shop.request_shipment(first["id"])).status_code == 202
    shipped = await eventually(
        lambda: shop.detail(first["id"]), until=lambda d: bool(d["shipment"]["waybill"])
    )
    logins_before = sum(r["path"] == "/v2/user/Login" for r in carrier.requests)
    if fault != "slow":
        carrier.tokens.clear()  # the worker's cached token expires mid-run
        carrier.login_tokens.clear()
    carrier.mode, carrier.slow_s = fault, 1.5

    second = await shop.confirmed_order()
    started = time.monotonic()
    assert (await shop.request_shipment(second["id"])).status_code == 202
    assert (await shop.request_shipment(second["id"])).status_code in (200, 202)  # a retry

    async def parked() -> list[dict[str, Any]]:
        return await platform.db["outbound_calls"].find({"outcome": "parked"}).to_list()

    [call] = await eventually(parked, until=lambda got: len(got) == 1, timeout_s=30)
    assert call["target"] == "viettelpost" and len(call["attempts"]) == 3
    assert (await shop.detail(second["id"]))["shipment"]["waybill"] in (None, "")

    if fault == "slow":  # the carrier made the waybill; only the answers were lost
        assert len(carrier.orders) == 2, carrier.orders
    carrier.mode = "normal"
    response = await platform.client.post(
        "/api/v1/calls/redrive", json={"target": "viettelpost"}, headers=officer
    )
    assert response.status_code == 200 and response.json()["redriven"] == [call["_id"]]

    detail = await eventually(
        lambda: shop.detail(second["id"]), until=lambda d: bool(d["shipment"]["waybill"])
    )
    audit = await faults.audit_journal(platform.db)
    assert not audit.problems, audit.problems
    waybills = [o.waybill for o in carrier.orders.values()]
    assert sorted(waybills) == sorted(
        [shipped["shipment"]["waybill"], detail["shipment"]["waybill"]]
    )  # one waybill per order, none for the retries
    if fault != "slow":
        assert sum(r["path"] == "/v2/user/Login" for r in carrier.requests) > logins_before
    print(f"\nviettelpost {fault}: waybill {time.monotonic() - started:.1f} s after the request")


async def test_the_connectors_worker_killed_mid_call_loses_no_change_and_duplicates_none(
    connector_platform: Any, faults: SimpleNamespace
) -> None:
    platform = connector_platform
    producer = bearer(platform.settings, Role.PRODUCER, producer_id=PRODUCER)
    product_id = await _product(platform)
    fake = platform.fakes["postmart"]
    await _mode(fake, "slow", delay_s=0.6)  # answers within the client timeout, slowly
    prices = [70_000 + 1_000 * i for i in range(6)]
    response = await platform.client.post(
        "/api/v1/listings",
        json={"product_id": product_id, "channel": "postmart", "stock": 5},
        headers=producer,
    )
    assert response.status_code == 201, response.text
    for price in prices:
        response = await platform.client.patch(
            f"/api/v1/listings/postmart-{product_id}", json={"price_vnd": price}, headers=producer
        )
        assert response.status_code == 200, response.text
    await eventually(
        lambda: asyncio.sleep(0, fake.received(path_part=product_id)),
        until=lambda got: len(got) >= 3,
    )
    await asyncio.sleep(0.3)  # a call is in flight at the fake
    await asyncio.to_thread(platform.connectors.kill)  # SIGKILL: lease held, answer lost
    killed = time.monotonic()
    await asyncio.to_thread(platform.connectors.start)

    async def journal() -> Any:
        return await faults.audit_journal(platform.db)

    audit = await eventually(journal, until=lambda a: not a.problems, timeout_s=45)
    assert audit.succeeded == 1 + len(prices)
    applied = _applied(fake, product_id)
    keys = [r["idempotency_key"] for r in applied]
    assert len(keys) == len(set(keys)) == 1 + len(prices), applied
    assert [r["body"].get("price_vnd") for r in applied] == [65_000, *prices]
    print(
        f"\nconnectors killed: all {audit.succeeded} calls delivered "
        f"{time.monotonic() - killed:.1f} s after the kill; "
        f"{sum(1 for r in fake.state.requests if r.get('replayed'))} answered from the "
        "idempotency record"
    )
