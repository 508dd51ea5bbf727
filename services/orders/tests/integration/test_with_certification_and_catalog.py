"""The events as certification and the catalogue really emit them reach the showrooms:
register and certify through the certification API, let the catalogue list the product,
sell it, revoke the certificate, and see the till refuse it and the stock quarantined."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import pytest_asyncio

from ocop_catalog.config import CatalogSettings
from ocop_catalog.entrypoints.consumer import consume as catalog_consume
from ocop_certification.config import CertificationSettings
from ocop_certification.entrypoints.api import create_app as create_certification_app
from ocop_orders.entrypoints.consumer import consume as orders_consume
from ocop_platform.infra import Endpoints
from ocop_platform.testing.support import app_client, background, bearer, eventually
from ocop_shared.auth import Role
from ocop_shared.messaging.workers import run_relay
from ocop_shared.mongo import create_client

if TYPE_CHECKING:
    from conftest import Shop

pytestmark = [pytest.mark.integration, pytest.mark.e2e]


@pytest_asyncio.fixture
async def certification(shop: Shop, infra: Endpoints) -> AsyncIterator[httpx.AsyncClient]:
    run_id = shop.settings.topic_prefix.strip("t.")
    common: dict[str, Any] = {
        "kafka_bootstrap_servers": infra.kafka_bootstrap_servers,
        "mongodb_uri": infra.mongodb_uri,
        "topic_prefix": shop.settings.topic_prefix,
        "consumer_retry_backoff_s": 0.05,
        "relay_poll_interval_s": 0.05,
    }
    cert_settings = CertificationSettings(**common, mongodb_database=f"ocop_cert_{run_id}")
    catalog_settings = CatalogSettings(**common, mongodb_database=f"ocop_catalog_{run_id}")

    async def cert_relay(stop: asyncio.Event) -> None:
        await run_relay(cert_settings, stop)

    async def catalog_consumer(stop: asyncio.Event) -> None:
        await catalog_consume(catalog_settings, stop)

    async def catalog_relay(stop: asyncio.Event) -> None:
        await run_relay(catalog_settings, stop)

    async def orders_consumer(stop: asyncio.Event) -> None:
        await orders_consume(shop.settings, stop, shop.clock)

    async with (
        app_client(create_certification_app(cert_settings)) as client,
        background(cert_relay),
        background(catalog_consumer),
        background(catalog_relay),
        background(orders_consumer),
    ):
        client.headers.update(bearer(cert_settings, Role.PROVINCE_OFFICER))
        yield client
    mongo = create_client(infra.mongodb_uri, app_name="cleanup")
    for settings in (cert_settings, catalog_settings):
        await mongo.drop_database(settings.mongodb_database)
    await mongo.close()


async def test_certified_product_is_sold_then_revocation_stops_the_till(
    shop: Shop, certification: httpx.AsyncClient
) -> None:
    producer = await certification.post(
        "/api/v1/producers",
        json={
            "name": "HTX Bưởi Sửu Chí Đám",
            "legal_form": "cooperative",
            "tax_code": "2600123457",
            "province": "Phú Thọ",
            "commune": "Chí Đám",
        },
    )
    assert producer.status_code == 201, producer.text
    product = await certification.post(
        "/api/v1/products",
        json={
            "producer_id": producer.json()["id"],
            "name": "Bưởi Đoan Hùng",
            "group_code": "food",
            "province": "Phú Thọ",
            "commune": "Chí Đám",
        },
    )
    product_id = product.json()["id"]
    certificate = await certification.post(
        "/api/v1/certificates",
        json={
            "product_id": product_id,
            "stars": 4,
            "level": "province",
            "issuing_authority": "UBND tỉnh Phú Thọ",
            "decision_number": "1234/QĐ-UBND",
            "decision_date": "2025-06-15",
        },
    )
    assert certificate.status_code == 201, certificate.text
    showroom = await shop.showroom("VT")

    async def till_view() -> dict[str, Any] | None:
        found = await shop.client.get(
            f"/api/v1/showrooms/{showroom}/products", params={"q": "buoi"}, headers=shop.admin
        )
        return next((c for c in found.json() if c["product"]["id"] == product_id), None)

    view = await eventually(
        till_view,
        until=lambda v: bool(v and v["sellable"] and v["product"]["name"] == "Bưởi Đoan Hùng"),
    )
    assert view is not None
    assert view["product"]["producer_name"] == "HTX Bưởi Sửu Chí Đám"
    assert (await shop.receive(showroom, product_id, 5, price=45_000)).status_code == 201
    assert (
        await shop.sell(showroom, [{"product_id": product_id, "quantity": 1}])
    ).status_code == 201

    revoked = await certification.post(
        f"/api/v1/certificates/{certificate.json()['id']}/revoke",
        json={
            "decision_number": "99/QĐ-UBND",
            "decision_date": "2026-11-20",
            "reason": "Vi phạm an toàn thực phẩm khi hậu kiểm",
            "issuing_authority": "UBND tỉnh Phú Thọ",
        },
    )
    assert revoked.status_code == 200, revoked.text
    await eventually(till_view, until=lambda v: bool(v and not v["sellable"]))
    refused = await shop.sell(showroom, [{"product_id": product_id, "quantity": 1}])
    assert refused.status_code == 409
    assert "thu hồi" in refused.json()["detail"]
    balance = await shop.stock(showroom, product_id)
    assert (balance["on_hand"], balance["quarantined"]) == (0, 4)
    status = await shop.client.get("/health/messaging")
    assert status.json()["dead_letters"] == 0
