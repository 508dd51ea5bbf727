"""Hostile callers of the two partner webhooks, over real HTTP against the orders API
running as a process (with its connectors worker and a Viettel Post fake, so a real
shipment with a real waybill exists to be pushed about).

Viettel Post status push ``POST /v1/shipping/viettelpost/webhook``: a wrong, missing, empty
or wrongly typed TOKEN (number, list, ``{"$gt": ""}``), broken JSON, operator dicts and
oversized bodies get a 4xx problem+json and change nothing; replays are answered 200
``duplicate`` and change nothing; an older status after a newer one only goes into the
history (``stale``); an unknown code is flagged for a person, never guessed.

Marketplace order push ``POST /v1/channels/{channel}/orders/webhook``: a missing, empty,
wrong, other-channel or other-body ``X-Signature`` gets 401, an unknown channel 404,
signed garbage 422; a replay takes the order in once (200 ``replayed``).

"Nothing changed" is checked by counting the documents of every collection of the orders
database before and after (except ``rejected_webhooks``, where refused pushes are logged).
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from ocop_orders.config import OrdersSettings
from ocop_orders.marketplace.adapters.partner_api import sign
from ocop_platform.infra import Endpoints
from ocop_platform.stand_ins.marketplace import sample_order_push
from ocop_platform.testing.live import api_process, running, service_env, worker_process
from ocop_platform.testing.support import eventually, isolated_settings, new_run_id
from ocop_shared.mongo import create_client

ROOT = Path(__file__).resolve().parents[2]
PROBLEM = "application/problem+json"
POSTMART_SECRET = "postmart-webhook-secret-for-hostile-tests"
VOSO_SECRET = "voso-webhook-secret-for-hostile-tests"
LOGGED_REFUSALS = {"rejected_webhooks"}


def _partners() -> Any:
    path = ROOT / "tests/faults/partners.py"
    spec = importlib.util.spec_from_file_location("hostile_partners", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


PARTNERS = _partners()
VTP = PARTNERS.VTP_WEBHOOK


@dataclass
class Target:
    client: httpx.AsyncClient
    shop: Any
    carrier: Any
    db: Any

    async def counts(self) -> dict[str, int]:
        names = sorted(set(await self.db.list_collection_names()) - LOGGED_REFUSALS)
        return {n: await self.db[n].count_documents({}) for n in names}


@pytest_asyncio.fixture(scope="module")
async def target(
    infra: Endpoints, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Target]:
    settings = isolated_settings(
        OrdersSettings,
        kafka=infra.kafka_bootstrap_servers,
        mongodb=infra.mongodb_uri,
        run_id=new_run_id(),
    )
    async with PARTNERS.running_viettelpost() as carrier:
        env = {
            **service_env(settings, "ORDERS_"),
            **PARTNERS.viettelpost_env(carrier.url),
            "ORDERS_POSTMART_WEBHOOK_SECRET": POSTMART_SECRET,
            "ORDERS_VOSO_WEBHOOK_SECRET": VOSO_SECRET,
            "ORDERS_OUTBOUND_POLL_INTERVAL_S": "0.05",
        }
        logs = tmp_path_factory.mktemp("webhook-logs")
        api = api_process("orders", env, log_dir=logs)
        connectors = worker_process("orders", "connectors", env, log_dir=logs)
        mongo = create_client(infra.mongodb_uri, app_name="hostile-webhooks")
        db = mongo[settings.mongodb_database]
        try:
            with running(api, connectors):
                async with httpx.AsyncClient(base_url=api.url, timeout=30) as client:
                    shop = PARTNERS.Shop(client, settings, db)
                    yield Target(client, shop, carrier, db)
        finally:
            await mongo.drop_database(settings.mongodb_database)
            await mongo.close()


def _push(
    waybill: str, reference: str, code: int, at: str, token: Any = PARTNERS.VTP_SECRET
) -> Any:
    return {
        "DATA": {
            "ORDER_NUMBER": waybill,
            "ORDER_REFERENCE": reference,
            "ORDER_STATUSDATE": at,
            "ORDER_STATUS": code,
            "STATUS_NAME": f"Trạng thái {code}",
            "NOTE": "",
            "MONEY_COLLECTION": 0,
        },
        "TOKEN": token,
    }


def _assert_problem(response: httpx.Response, status: int, field: str | None = None) -> None:
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].startswith(PROBLEM), response.headers
    if field is not None:
        assert field in [e.get("field") for e in response.json().get("errors", [])], response.text


async def test_viettelpost_pushes_that_are_forged_malformed_replayed_or_stale_change_nothing(
    target: Target,
) -> None:
    shop = target.shop
    order = await shop.confirmed_order()
    assert (await shop.request_shipment(order["id"])).status_code == 202
    detail = await eventually(
        lambda: shop.detail(order["id"]), until=lambda d: bool(d["shipment"]["waybill"])
    )
    waybill, number = detail["shipment"]["waybill"], order["number"]
    applied = await target.client.post(VTP, json=_push(waybill, number, 501, "25/11/2026 09:30:00"))
    assert applied.status_code == 200 and applied.json()["result"] == "applied", applied.text
    before = await target.counts()
    shipment_before = (await shop.detail(order["id"]))["shipment"]

    good = _push(waybill, number, 504, "26/11/2026 10:00:00")
    forged: list[tuple[str, Any]] = [
        ("wrong token", {**good, "TOKEN": "guess"}),
        ("missing token", {"DATA": good["DATA"]}),
        ("empty token", {**good, "TOKEN": ""}),
        ("token as a number", {**good, "TOKEN": 12345}),
        ("token as an operator", {**good, "TOKEN": {"$gt": ""}}),
        ("token as a list", {**good, "TOKEN": [PARTNERS.VTP_SECRET]}),
        ("body as a list", [good]),
    ]
    for why, body in forged:
        _assert_problem(await target.client.post(VTP, json=body), 401, "body.TOKEN")
        assert await target.counts() == before, why
    broken = await target.client.post(
        VTP, content=b'{"DATA": {"ORDER_NUMBER": ', headers={"Content-Type": "application/json"}
    )
    _assert_problem(broken, 401)

    def with_data(**change: Any) -> Any:
        return {**good, "DATA": {**good["DATA"], **change}}

    malformed: list[tuple[str, Any, int, str]] = [
        (
            "ISO date",
            with_data(ORDER_STATUSDATE="2026-11-26T10:00:00"),
            422,
            "DATA.ORDER_STATUSDATE",
        ),
        (
            "impossible date",
            with_data(ORDER_STATUSDATE="31/02/2026 10:00:00"),
            422,
            "DATA.ORDER_STATUSDATE",
        ),
        ("date as operator", with_data(ORDER_STATUSDATE={"$gt": ""}), 422, "DATA.ORDER_STATUSDATE"),
        ("number as operator", with_data(ORDER_NUMBER={"$ne": ""}), 422, "DATA.ORDER_NUMBER"),
        ("status as operator", with_data(ORDER_STATUS={"$gt": 0}), 422, "DATA.ORDER_STATUS"),
        ("huge status", with_data(ORDER_STATUS=10**30), 422, "DATA.ORDER_STATUS"),
        ("oversized note", with_data(NOTE="x" * 5000), 422, "DATA.NOTE"),
        ("oversized number", with_data(ORDER_NUMBER="1" * 500), 422, "DATA.ORDER_NUMBER"),
        ("no DATA", {"TOKEN": PARTNERS.VTP_SECRET}, 422, "DATA"),
        ("DATA as text", {**good, "DATA": "501"}, 422, "DATA"),
        (
            "reference as operator",
            with_data(ORDER_REFERENCE={"$ne": ""}),
            422,
            "DATA.ORDER_REFERENCE",
        ),
        ("negative money", with_data(MONEY_COLLECTION=-1), 422, "DATA.MONEY_COLLECTION"),
        ("status as words", with_data(ORDER_STATUS="delivered"), 422, "DATA.ORDER_STATUS"),
        ("status as fraction", with_data(ORDER_STATUS=501.5), 422, "DATA.ORDER_STATUS"),
        (
            "unknown waybill",
            with_data(ORDER_NUMBER="999999999999", ORDER_REFERENCE="X"),
            404,
            "DATA.ORDER_NUMBER",
        ),
    ]
    for why, body, status, field in malformed:
        response = await target.client.post(VTP, json=body)
        _assert_problem(response, status)
        fields = [e.get("field", "") for e in response.json().get("errors", [])]
        assert any(field in f for f in fields), (why, response.text)
        assert await target.counts() == before, why

    too_big = await target.client.post(
        VTP,
        content=b"{" + b" " * (33 * 1024 * 1024) + b"}",
        headers={"Content-Type": "application/json"},
    )
    assert too_big.status_code == 413, too_big.status_code
    assert await target.counts() == before

    # Viettel Post retrying the push it already made: answered, applied once.
    replays = await asyncio.gather(
        *(
            target.client.post(VTP, json=_push(waybill, number, 501, "25/11/2026 09:30:00"))
            for _ in range(5)
        )
    )
    assert [r.status_code for r in replays] == [200] * 5
    assert {r.json()["result"] for r in replays} == {"duplicate"}
    assert await target.counts() == before
    assert (await shop.detail(order["id"]))["shipment"] == shipment_before

    # Older than what was applied: kept in the history, the shipment does not move back.
    stale = await target.client.post(VTP, json=_push(waybill, number, 200, "24/11/2026 08:00:00"))
    assert stale.status_code == 200 and stale.json()["result"] == "stale", stale.text
    after = await target.counts()
    assert after == {**before, "shipment_tracking": before["shipment_tracking"] + 1}
    assert (await shop.detail(order["id"]))["shipment"] == shipment_before

    # An unknown code: flagged for a person, the status is not guessed.
    flagged = await target.client.post(VTP, json=_push(waybill, number, 777, "26/11/2026 12:00:00"))
    assert flagged.status_code == 200 and flagged.json()["result"] == "flagged", flagged.text
    shipment = (await shop.detail(order["id"]))["shipment"]
    assert shipment["status"] == shipment_before["status"]
    assert shipment["needs_attention"] is True
    refused = await target.db["rejected_webhooks"].count_documents({})
    assert refused == len(forged) + 1
    logged = json.dumps(await target.db["rejected_webhooks"].find().to_list(), default=str)
    assert "guess" not in logged and "12345" not in logged


async def test_marketplace_order_pushes_with_bad_signatures_change_nothing_and_a_replay_is_one_order(  # noqa: E501
    target: Target,
) -> None:
    shop = target.shop
    product = await shop.product("Cam Cao Phong")
    stocked = await target.client.put(
        f"/api/v1/ecommerce/producer-stock/{product}", json={"quantity": 5}, headers=shop.admin
    )
    assert stocked.status_code == 200, stocked.text
    url = "/v1/channels/postmart/orders/webhook"
    raw = json.dumps(sample_order_push(product, f"PM-{uuid.uuid4().hex[:8]}")).encode()
    other = json.dumps(sample_order_push(product, f"PM-{uuid.uuid4().hex[:8]}")).encode()
    before = await target.counts()

    refused: list[tuple[str, str, bytes, dict[str, str], int]] = [
        ("no signature", url, raw, {}, 401),
        ("empty signature", url, raw, {"X-Signature": ""}, 401),
        ("wrong secret", url, raw, {"X-Signature": sign("guess", raw)}, 401),
        ("other channel's secret", url, raw, {"X-Signature": sign(VOSO_SECRET, raw)}, 401),
        ("signature of another body", url, raw, {"X-Signature": sign(POSTMART_SECRET, other)}, 401),
        ("bare hex, no scheme, wrong", url, raw, {"X-Signature": "0" * 64}, 401),
        (
            "postmart-signed to voso",
            url.replace("postmart", "voso"),
            raw,
            {"X-Signature": sign(POSTMART_SECRET, raw)},
            401,
        ),
        (
            "unknown channel",
            url.replace("postmart", "lazada"),
            raw,
            {"X-Signature": sign(POSTMART_SECRET, raw)},
            404,
        ),
        ("oversized signature", url, raw, {"X-Signature": "a" * 5000}, 422),
    ]
    for why, where, body, headers, status in refused:
        response = await target.client.post(
            where, content=body, headers={"Content-Type": "application/json", **headers}
        )
        _assert_problem(response, status)
        assert await target.counts() == before, why

    def signed(body: bytes) -> dict[str, str]:
        return {"Content-Type": "application/json", "X-Signature": sign(POSTMART_SECRET, body)}

    garbage = [
        b"{not json",
        b"[]",
        json.dumps({"event": "order.created", "order": {"remote_order_id": {"$gt": ""}}}).encode(),
        json.dumps(
            {
                **sample_order_push(product, "PM-y"),
                "order": {
                    **sample_order_push(product, "PM-y")["order"],
                    "lines": [{"sku": {"$gt": ""}, "quantity": 10**20, "unit_price_vnd": 1}],
                },
            }
        ).encode(),
        json.dumps(
            {
                **sample_order_push(product, "PM-x"),
                "order": {**sample_order_push(product, "PM-x")["order"], "total_vnd": -1},
            }
        ).encode(),
    ]
    for body in garbage:
        _assert_problem(await target.client.post(url, content=body, headers=signed(body)), 422)
        assert await target.counts() == before, body[:60]

    first = await target.client.post(url, content=raw, headers=signed(raw))
    assert first.status_code == 201 and first.json()["result"] == "created", first.text
    taken = await target.counts()
    replays = [await target.client.post(url, content=raw, headers=signed(raw)) for _ in range(3)]
    assert [(r.status_code, r.json()["result"]) for r in replays] == [(200, "replayed")] * 3
    assert {r.json()["order_id"] for r in replays} == {first.json()["order_id"]}
    assert await target.counts() == taken
    assert await target.db["ecom_orders"].count_documents({"channel": "postmart"}) == 1
