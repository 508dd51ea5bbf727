"""Through real Kafka: catalogue, certificate and sale events reach the read model, the flags
and the fair results; repeats change nothing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from ocop_events.config import EventsSettings
from ocop_events.entrypoints.consumer import consume
from ocop_platform.testing.support import background, bearer, eventually
from ocop_shared.auth import Role
from ocop_shared.contracts.certification import CertificateRevokedV1
from ocop_shared.contracts.envelope import EventData, make_envelope
from ocop_shared.contracts.orders import PaymentMethod, SaleLineV1, SaleRecordedV1, SalesChannel
from ocop_shared.messaging.headers import envelope_headers
from ocop_shared.messaging.kafka import create_producer, ensure_topics
from ocop_shared.messaging.workers import all_topics
from ocop_shared.timeutil import today_in_vietnam

from .helpers import fair_body, listing

pytestmark = pytest.mark.integration

Api = tuple[httpx.AsyncClient, EventsSettings]


async def _publish(
    settings: EventsSettings, items: list[tuple[EventData, str, int | None]]
) -> None:
    await ensure_topics(settings.kafka_bootstrap_servers, all_topics(settings))
    producer = create_producer(settings.kafka_bootstrap_servers, client_id="test-publisher")
    await producer.start()
    try:
        for data, subject, sequence in items:
            envelope = make_envelope(data, source="test", subject=subject, sequence=sequence)
            await producer.send_and_wait(
                settings.topic(type(data).topic),
                envelope.to_bytes(),
                key=subject.encode(),
                headers=envelope_headers(envelope),
            )
    finally:
        await producer.stop()


def _sale(
    sale_id: str, event_id: str, product_id: str, producer_id: str, qty: int
) -> SaleRecordedV1:
    price = 60_000
    return SaleRecordedV1(
        sale_id=sale_id,
        receipt_number=f"HC-{sale_id}",
        showroom_id="quay-hoi-cho",
        channel=SalesChannel.FAIR,
        lines=[
            SaleLineV1(
                product_id=product_id,
                producer_id=producer_id,
                quantity=qty,
                unit_price_vnd=price,
                line_total_vnd=qty * price,
            )
        ],
        total_vnd=qty * price,
        payment_method=PaymentMethod.CASH,
        sold_at=datetime.now(UTC),
        trade_event_id=event_id,
        booth_code="A01",
    )


async def test_events_from_kafka_feed_eligibility_flags_and_fair_results(api: Api) -> None:
    client, settings = api
    staff = bearer(settings, Role.TRADE_STAFF)
    producer_headers = bearer(settings, Role.PRODUCER, producer_id="prd-1")
    event = (await client.post("/api/v1/trade-events", json=fair_body(), headers=staff)).json()
    await client.post(
        f"/api/v1/trade-events/{event['id']}/booths",
        json={"zone": "A", "prefix": "A", "last": 5},
        headers=staff,
    )

    async def worker(stop: asyncio.Event) -> None:
        await consume(settings, stop)

    newer = listing("sp-1", "prd-1", name="Thịt chua Thanh Sơn")
    older = listing("sp-1", "prd-1", name="Tên cũ", stars=3)
    async with background(worker):
        await _publish(settings, [(newer, "sp-1", 5), (older, "sp-1", 4)])

        async def register() -> httpx.Response:
            return await client.post(
                f"/api/v1/trade-events/{event['id']}/participations",
                json={"producer_id": "prd-1", "product_ids": ["sp-1"]},
                headers=producer_headers,
            )

        registered = await eventually(register, until=lambda r: r.status_code == 201)
        participation: dict[str, Any] = registered.json()
        await client.post(
            f"/api/v1/participations/{participation['id']}/confirm", json={}, headers=staff
        )
        sale = _sale("ban-1", event["id"], "sp-1", "prd-1", 3)
        await _publish(settings, [(sale, "ban-1", None), (sale, "ban-1", None)])  # sent twice

        async def figures() -> dict[str, Any]:
            body: dict[str, Any] = (
                await client.get("/api/v1/results", params={"event_id": event["id"]}, headers=staff)
            ).json()
            return body

        result = await eventually(figures, until=lambda r: r["events"][0]["pos_sales_vnd"] > 0)
        assert result["events"][0]["pos_sales_vnd"] == 180_000
        assert result["products"][0]["product_name"] == "Thịt chua Thanh Sơn"  # older ignored
        assert result["revenue_by_group"] == {"food": 180_000}

        revoked = CertificateRevokedV1(
            certificate_id="gcn-1",
            certificate_number="GCN-sp-1",
            product_id="sp-1",
            producer_id="prd-1",
            decision_number="12/QĐ-UBND",
            decision_date=today_in_vietnam() - timedelta(days=1),
            reason="Không duy trì quy trình sản xuất như khi được công nhận",
            issuing_authority="UBND tỉnh Phú Thọ",
        )
        await _publish(settings, [(revoked, "sp-1", 6)])

        async def flags() -> list[Any]:
            p = await client.get(f"/api/v1/participations/{participation['id']}", headers=staff)
            found: list[Any] = p.json()["flags"]
            return found

        assert len(await eventually(flags, until=bool)) == 1

    # The participant's own report adds to the POS sales.
    report = await client.put(
        f"/api/v1/participations/{participation['id']}/report",
        json={
            "sales_vnd": 2_000_000,
            "visitors": 450,
            "contracts_signed": 2,
            "contracts_value_vnd": 300_000_000,
        },
        headers=producer_headers,
    )
    assert report.status_code == 409  # the fair has not started yet (it is 30 days away)
