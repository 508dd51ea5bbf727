"""The first slice end to end: certification → outbox → Kafka → catalogue, on real servers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio

from ocop_catalog.config import CatalogSettings
from ocop_catalog.entrypoints.api import create_app as create_catalog_app
from ocop_catalog.entrypoints.consumer import consume
from ocop_certification.config import CertificationSettings
from ocop_certification.entrypoints.api import create_app as create_certification_app
from ocop_platform.infra import Endpoints
from ocop_platform.testing.support import (
    app_client,
    background,
    bearer,
    eventually,
    isolated_settings,
    new_run_id,
)
from ocop_shared.auth import Role
from ocop_shared.contracts.catalog import CATALOG_PRODUCTS_TOPIC
from ocop_shared.messaging.workers import run_relay
from ocop_shared.mongo import create_client

pytestmark = [pytest.mark.integration, pytest.mark.e2e]


class Platform:
    def __init__(self, certification: httpx.AsyncClient, catalog: httpx.AsyncClient, **s: Any):
        self.certification = certification
        self.catalog = catalog
        self.cert_settings: CertificationSettings = s["cert_settings"]
        self.catalog_settings: CatalogSettings = s["catalog_settings"]
        self.officer = bearer(self.cert_settings, Role.PROVINCE_OFFICER)

    async def catalog_product(self, product_id: str) -> dict[str, Any] | None:
        response = await self.catalog.get(f"/api/v1/products/{product_id}")
        return response.json() if response.status_code == 200 else None


@pytest_asyncio.fixture
async def platform(infra: Endpoints) -> AsyncIterator[Platform]:
    run_id = new_run_id()
    common = {
        "kafka": infra.kafka_bootstrap_servers,
        "mongodb": infra.mongodb_uri,
        "run_id": run_id,
    }
    cert_settings = isolated_settings(CertificationSettings, **common)
    catalog_settings = isolated_settings(CatalogSettings, **common)

    async def catalog_consumer(stop: asyncio.Event) -> None:
        await consume(catalog_settings, stop)

    async def cert_relay(stop: asyncio.Event) -> None:
        await run_relay(cert_settings, stop)

    async def catalog_relay(stop: asyncio.Event) -> None:
        await run_relay(catalog_settings, stop)

    async with (
        app_client(create_certification_app(cert_settings)) as certification,
        app_client(create_catalog_app(catalog_settings)) as catalog,
        background(cert_relay),
        background(catalog_relay),
        background(catalog_consumer),
    ):
        yield Platform(
            certification, catalog, cert_settings=cert_settings, catalog_settings=catalog_settings
        )
    client = create_client(infra.mongodb_uri, app_name="cleanup")
    for settings in (cert_settings, catalog_settings):
        await client.drop_database(settings.mongodb_database)
    await client.close()


async def register_certified_product(p: Platform, stars: int = 4) -> tuple[str, str]:
    producer = await p.certification.post(
        "/api/v1/producers",
        headers=p.officer,
        json={
            "name": "HTX Bưởi Sửu Chí Đám",
            "legal_form": "cooperative",
            "tax_code": f"26{new_run_id()[:8].encode().hex()[:8]}",
            "province": "Phú Thọ",
            "commune": "Chí Đám",
        },
    )
    assert producer.status_code == 201, producer.text
    product = await p.certification.post(
        "/api/v1/products",
        headers=p.officer,
        json={
            "producer_id": producer.json()["id"],
            "name": "Bưởi Đoan Hùng",
            "group_code": "food",
            "province": "Phú Thọ",
            "commune": "Chí Đám",
        },
    )
    assert product.status_code == 201, product.text
    certificate = await p.certification.post(
        "/api/v1/certificates",
        headers=p.officer,
        json={
            "product_id": product.json()["id"],
            "stars": stars,
            "level": "province",
            "issuing_authority": "UBND tỉnh Phú Thọ",
            "decision_number": "1234/QĐ-UBND",
            "decision_date": "2025-06-15",
        },
    )
    assert certificate.status_code == 201, certificate.text
    return product.json()["id"], certificate.json()["id"]


async def test_issued_certificate_appears_in_the_catalogue_and_revocation_follows(
    platform: Platform,
) -> None:
    product_id, certificate_id = await register_certified_product(platform, stars=4)

    shown = await eventually(
        lambda: platform.catalog_product(product_id),
        until=lambda v: bool(
            v
            and v["product"]["certificate"]
            and v["product"]["producer"]
            and v["product"]["name"] == "Bưởi Đoan Hùng"  # content comes on another topic
        ),
    )
    assert shown is not None
    assert shown["certificate_status"] == "active"
    assert shown["product"]["certificate"]["stars"] == 4
    assert shown["product"]["certificate"]["valid_until"] == "2028-06-15"
    assert shown["product"]["producer"]["name"] == "HTX Bưởi Sửu Chí Đám"
    assert shown["product"]["eligible_channels"] == ["showroom", "marketplace", "fair"]

    found = await platform.catalog.get("/api/v1/products", params={"q": "buoi doan hung"})
    assert [v["product"]["id"] for v in found.json()["items"]] == [product_id]

    revoked = await platform.certification.post(
        f"/api/v1/certificates/{certificate_id}/revoke",
        headers=platform.officer,
        json={
            "decision_number": "99/QĐ-UBND",
            "decision_date": "2026-01-10",
            "reason": "Vi phạm an toàn thực phẩm khi hậu kiểm",
            "issuing_authority": "UBND tỉnh Phú Thọ",
        },
    )
    assert revoked.status_code == 200, revoked.text
    after = await eventually(
        lambda: platform.catalog_product(product_id),
        until=lambda v: bool(v and v["certificate_status"] == "revoked"),
    )
    assert after is not None
    assert after["product"]["eligible_channels"] == []
    page = await platform.catalog.get(f"/san-pham/{product_id}")
    assert page.status_code == 200
    status = await eventually(
        lambda: platform.catalog.get("/health/messaging"),
        until=lambda r: r.json()["consumer_lag"][0]["lag"] == 0,
    )
    assert status.json()["dead_letters"] == 0
    qr = await platform.catalog.get(f"/san-pham/{product_id}/qr.svg")
    assert qr.headers["content-type"] == "image/svg+xml"
    assert b"<svg" in qr.content
    assert "Đã bị thu hồi" in page.text
    assert "Còn hiệu lực" not in page.text
    assert 'class="stars inactive"' in page.text  # the stars no longer read as valid


async def test_catalogue_announces_publication_and_withdrawal(platform: Platform) -> None:
    product_id, certificate_id = await register_certified_product(platform, stars=3)
    await eventually(
        lambda: platform.catalog_product(product_id),
        until=lambda v: bool(v and v["certificate_status"] == "active"),
    )
    await platform.certification.post(
        f"/api/v1/certificates/{certificate_id}/revoke",
        headers={**platform.officer, "X-Correlation-ID": "thu-hoi-100"},
        json={
            "decision_number": "100/QĐ-UBND",
            "decision_date": "2026-02-01",
            "reason": "Không tái đánh giá",
            "issuing_authority": "UBND tỉnh Phú Thọ",
        },
    )
    settings = platform.catalog_settings
    topic = settings.topic(CATALOG_PRODUCTS_TOPIC)
    envelopes = await eventually(
        lambda: envelopes_on(settings.kafka_bootstrap_servers, topic, product_id),
        until=lambda es: any(e["type"].endswith("withdrawn.v1") for e in es),
        interval_s=0.5,
    )
    types = [e["type"] for e in envelopes]
    # Content may arrive after the certificate (another topic): an `updated` in between is fine.
    assert types[0] == "ocop.catalog.product.published.v1"
    assert types[-1] == "ocop.catalog.product.withdrawn.v1"
    assert set(types[1:-1]) <= {"ocop.catalog.product.updated.v1"}
    # The officer's request id travels HTTP → outbox → Kafka → consumer → the next event.
    assert envelopes[-1]["correlationid"] == "thu-hoi-100"
    assert envelopes[-1]["causationid"] is not None


async def envelopes_on(bootstrap: str, topic: str, subject: str) -> list[dict[str, Any]]:
    import json

    from aiokafka import AIOKafkaConsumer

    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest")
    await consumer.start()
    try:
        batches = await consumer.getmany(timeout_ms=1500)
        records = sorted((r for rs in batches.values() for r in rs), key=lambda r: r.timestamp)
        envelopes = [json.loads(r.value) for r in records]
        return [e for e in envelopes if e["subject"] == subject]
    finally:
        await consumer.stop()
