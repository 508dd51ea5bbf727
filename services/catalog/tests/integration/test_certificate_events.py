"""Certification events drive the catalogue through Kafka; stale ones change nothing.

Events are produced straight onto the certificates topic (keyed by product id, sequence =
the product's certification version), as the certification relay does.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import pytest
import pytest_asyncio
from aiokafka import AIOKafkaConsumer

from ocop_catalog.entrypoints.consumer import consume
from ocop_platform.testing.support import background, eventually
from ocop_shared.contracts.catalog import CATALOG_PRODUCTS_TOPIC
from ocop_shared.contracts.certification import (
    CertificateExpiredV1,
    CertificateIssuedV1,
    CertificateRevokedV1,
    ProductRegisteredV1,
    RecognitionLevel,
)
from ocop_shared.contracts.envelope import Envelope, EventData, make_envelope
from ocop_shared.messaging.consumer import INBOX_COLLECTION
from ocop_shared.messaging.kafka import create_producer, ensure_topics
from ocop_shared.messaging.workers import run_relay

from .conftest import CatalogApp

pytestmark = pytest.mark.integration


class Certification:
    """Plays the certification relay: produces envelopes keyed by product id."""

    def __init__(self, app: CatalogApp) -> None:
        self.app = app
        self.producer = create_producer(app.settings.kafka_bootstrap_servers, client_id="fake-cert")

    async def send(self, data: EventData, *, subject: str, sequence: int | None) -> Envelope:
        envelope = make_envelope(data, source="certification", subject=subject, sequence=sequence)
        topic = self.app.settings.topic(type(data).topic)
        await self.producer.send_and_wait(topic, envelope.to_bytes(), key=subject.encode())
        return envelope

    async def applied(self, *envelopes: Envelope) -> None:
        """Wait until the consumer recorded these events (applied or ignored as stale)."""
        inbox = self.app.runtime.db[INBOX_COLLECTION]
        wanted = [f"{self.app.settings.consumer_group}:{e.id}" for e in envelopes]
        await eventually(
            lambda: inbox.count_documents({"_id": {"$in": wanted}}),
            until=lambda n: n == len(wanted),
        )


@pytest_asyncio.fixture
async def certification(catalog_app: CatalogApp) -> AsyncIterator[Certification]:
    settings = catalog_app.settings
    await ensure_topics(
        settings.kafka_bootstrap_servers,
        [settings.topic(t) for t in (CertificateIssuedV1.topic, ProductRegisteredV1.topic)],
    )
    fake = Certification(catalog_app)
    await fake.producer.start()

    async def consumer(stop: asyncio.Event) -> None:
        await consume(settings, stop)

    async def relay(stop: asyncio.Event) -> None:
        await run_relay(settings, stop)

    try:
        async with background(consumer), background(relay):
            yield fake
    finally:
        await fake.producer.stop()


def issued(
    product_id: str, certificate_id: str, stars: int, valid_until: date
) -> CertificateIssuedV1:
    return CertificateIssuedV1(
        certificate_id=certificate_id,
        certificate_number=f"{certificate_id.upper()}/OCOP",
        product_id=product_id,
        producer_id="ct-1",
        stars=stars,
        level=RecognitionLevel.PROVINCE,
        issuing_authority="UBND tỉnh Phú Thọ",
        decision_number=f"{stars}00/QĐ-UBND",
        decision_date=date(2025, 6, 15),
        valid_from=date(2025, 6, 15),
        valid_until=valid_until,
    )


async def shown(app: CatalogApp, product_id: str) -> dict[str, Any] | None:
    response = await app.client.get(f"/api/v1/products/{product_id}")
    return response.json() if response.status_code == 200 else None


def stars_of(view: dict[str, Any] | None) -> int | None:
    cert = view["product"]["certificate"] if view else None
    return cert["stars"] if cert else None


async def product_events(app: CatalogApp, product_id: str, count: int) -> list[dict[str, Any]]:
    topic = app.settings.topic(CATALOG_PRODUCTS_TOPIC)

    async def read() -> list[dict[str, Any]]:
        consumer = AIOKafkaConsumer(
            topic,
            bootstrap_servers=app.settings.kafka_bootstrap_servers,
            auto_offset_reset="earliest",
        )
        await consumer.start()
        try:
            batches = await consumer.getmany(timeout_ms=1500)
            records = [r for rs in batches.values() for r in rs if r.key == product_id.encode()]
            return [json.loads(r.value or b"{}") for r in sorted(records, key=lambda r: r.offset)]
        finally:
            await consumer.stop()

    return await eventually(read, until=lambda es: len(es) >= count, interval_s=0.3)


async def test_issue_upgrade_and_revoke_reach_the_api_and_the_page(
    catalog_app: CatalogApp, certification: Certification
) -> None:
    pid = "sp-buoi"
    registered = await certification.send(
        ProductRegisteredV1(
            product_id=pid,
            producer_id="ct-1",
            name="Bưởi Đoan Hùng",
            group_code="food",
            province="Phú Thọ",
            commune="Chí Đám",
        ),
        subject=pid,
        sequence=1,
    )
    await certification.applied(registered)  # another topic: no order with certificates
    await certification.send(issued(pid, "gcn-1", 3, date(2099, 6, 15)), subject=pid, sequence=2)
    view = await eventually(lambda: shown(catalog_app, pid), until=lambda v: stars_of(v) == 3)
    assert view is not None and view["certificate_status"] == "active"
    page = await catalog_app.client.get(f"/san-pham/{pid}")
    assert "GCN-1/OCOP" in page.text and "15/06/2099" in page.text

    # Upgrade: a newer certificate (higher sequence) replaces the current one.
    await certification.send(issued(pid, "gcn-2", 4, date(2099, 9, 1)), subject=pid, sequence=3)
    await eventually(lambda: shown(catalog_app, pid), until=lambda v: stars_of(v) == 4)

    revoke = CertificateRevokedV1(
        certificate_id="gcn-2",
        certificate_number="GCN-2/OCOP",
        product_id=pid,
        producer_id="ct-1",
        decision_number="99/QĐ-UBND",
        decision_date=date(2026, 1, 10),
        reason="Vi phạm an toàn thực phẩm",
        issuing_authority="UBND tỉnh Phú Thọ",
    )
    await certification.send(revoke, subject=pid, sequence=4)
    view = await eventually(
        lambda: shown(catalog_app, pid),
        until=lambda v: bool(v and v["certificate_status"] == "revoked"),
    )
    assert view is not None and view["product"]["eligible_channels"] == []
    page = await catalog_app.client.get(f"/san-pham/{pid}")
    assert "Đã bị thu hồi" in page.text and "Vi phạm an toàn thực phẩm" in page.text

    events = await product_events(catalog_app, pid, 3)
    assert [e["type"].split(".")[3] for e in events] == ["published", "updated", "withdrawn"]
    sequences = [e["sequence"] for e in events]
    assert sequences == sorted(sequences) and len(set(sequences)) == len(sequences)
    assert events[0]["data"]["province"] == "Phú Thọ"
    assert events[1]["data"]["stars"] == 4


async def test_replayed_and_out_of_order_events_change_nothing(
    catalog_app: CatalogApp, certification: Certification
) -> None:
    pid = "sp-che"
    first = await certification.send(
        issued(pid, "gcn-a", 3, date(2099, 1, 1)), subject=pid, sequence=1
    )
    await certification.send(issued(pid, "gcn-b", 5, date(2099, 2, 1)), subject=pid, sequence=5)
    before = await eventually(lambda: shown(catalog_app, pid), until=lambda v: stars_of(v) == 5)

    # The same message again (same id), an older issue with a new id, an older revocation.
    replay = Envelope.model_validate(first.model_dump())
    topic = catalog_app.settings.topic(CertificateIssuedV1.topic)
    await certification.producer.send_and_wait(topic, replay.to_bytes(), key=pid.encode())
    older = await certification.send(
        issued(pid, "gcn-a", 3, date(2099, 1, 1)), subject=pid, sequence=2
    )
    stale_revoke = await certification.send(
        CertificateRevokedV1(
            certificate_id="gcn-b",
            certificate_number="X",
            product_id=pid,
            producer_id="ct-1",
            decision_number="1",
            decision_date=date(2026, 1, 1),
            reason="cũ",
            issuing_authority="UBND",
        ),
        subject=pid,
        sequence=5,
    )
    await certification.applied(older, stale_revoke)
    after = await shown(catalog_app, pid)
    assert after == before


async def test_expiry_of_the_current_certificate_withdraws_and_the_page_says_so(
    catalog_app: CatalogApp, certification: Certification
) -> None:
    pid = "sp-mi"
    await certification.send(issued(pid, "gcn-m", 4, date(2099, 1, 1)), subject=pid, sequence=1)
    await eventually(lambda: shown(catalog_app, pid), until=lambda v: stars_of(v) == 4)
    expired_old = CertificateExpiredV1(
        certificate_id="gcn-older",
        certificate_number="OLD",
        product_id=pid,
        producer_id="ct-1",
        expired_on=date(2025, 1, 1),
    )
    ignored = await certification.send(expired_old, subject=pid, sequence=2)
    await certification.applied(ignored)
    assert (await shown(catalog_app, pid) or {})["certificate_status"] == "active"

    expired = CertificateExpiredV1(
        certificate_id="gcn-m",
        certificate_number="GCN-M/OCOP",
        product_id=pid,
        producer_id="ct-1",
        expired_on=date(2026, 1, 1),
    )
    await certification.send(expired, subject=pid, sequence=3)
    await eventually(
        lambda: shown(catalog_app, pid),
        until=lambda v: bool(v and v["certificate_status"] == "expired"),
    )
    page = await catalog_app.client.get(f"/san-pham/{pid}")
    assert "Hết hiệu lực ngày 01/01/2026" in page.text
    assert "Còn hiệu lực" not in page.text
    events = await product_events(catalog_app, pid, 2)
    assert [e["type"].split(".")[3] for e in events] == ["published", "withdrawn"]
