"""Certification and catalogue events reach every showroom through Kafka: a revoked
certificate stops sales at once and quarantines the stock; a new certificate restores sales."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date
from typing import TYPE_CHECKING, Any

import pytest
import pytest_asyncio
from aiokafka import AIOKafkaProducer

from ocop_orders.entrypoints.consumer import consume
from ocop_platform.testing.support import background, eventually
from ocop_shared.contracts.catalog import CertificateStatus, Channel, ProductPublishedV1
from ocop_shared.contracts.certification import (
    CertificateIssuedV1,
    CertificateRevokedV1,
    ProductRegisteredV1,
    RecognitionLevel,
)
from ocop_shared.contracts.envelope import EventData, make_envelope
from ocop_shared.messaging.kafka import create_producer, ensure_topics
from ocop_shared.messaging.workers import all_topics

if TYPE_CHECKING:
    from conftest import Shop

pytestmark = pytest.mark.integration

PRODUCT = "sp-buoi-doan-hung"
PRODUCER = "prd-chi-dam"


class Certification:
    """Publishes certification and catalogue events as those services would."""

    def __init__(self, shop: Shop, producer: AIOKafkaProducer) -> None:
        self.shop = shop
        self.producer = producer

    async def publish(self, data: EventData, *, source: str, sequence: int | None) -> None:
        envelope = make_envelope(data, source=source, subject=PRODUCT, sequence=sequence)
        await self.producer.send_and_wait(
            self.shop.settings.topic(type(data).topic), envelope.to_bytes(), key=PRODUCT.encode()
        )

    async def issue(self, certificate_id: str, sequence: int) -> None:
        await self.publish(
            CertificateIssuedV1(
                certificate_id=certificate_id,
                certificate_number=f"{certificate_id}/GCN",
                product_id=PRODUCT,
                producer_id=PRODUCER,
                stars=4,
                level=RecognitionLevel.PROVINCE,
                issuing_authority="UBND tỉnh Phú Thọ",
                decision_number="1234/QĐ-UBND",
                decision_date=date(2025, 6, 15),
                valid_from=date(2025, 6, 15),
                valid_until=date(2028, 6, 15),
            ),
            source="certification",
            sequence=sequence,
        )

    async def revoke(self, certificate_id: str, sequence: int) -> None:
        await self.publish(
            CertificateRevokedV1(
                certificate_id=certificate_id,
                certificate_number=f"{certificate_id}/GCN",
                product_id=PRODUCT,
                producer_id=PRODUCER,
                decision_number="99/QĐ-UBND",
                decision_date=date(2026, 11, 20),
                reason="Vi phạm an toàn thực phẩm khi hậu kiểm",
                issuing_authority="UBND tỉnh Phú Thọ",
            ),
            source="certification",
            sequence=sequence,
        )


@pytest_asyncio.fixture
async def certification(shop: Shop) -> AsyncIterator[Certification]:
    settings = shop.settings
    await ensure_topics(settings.kafka_bootstrap_servers, all_topics(settings))
    producer = create_producer(settings.kafka_bootstrap_servers, client_id="test-certification")
    await producer.start()

    async def consumer(stop: asyncio.Event) -> None:
        await consume(settings, stop, shop.clock)

    try:
        async with background(consumer):
            yield Certification(shop, producer)
    finally:
        await producer.stop()


async def choice(shop: Shop, showroom: str) -> dict[str, Any] | None:
    response = await shop.client.get(
        f"/api/v1/showrooms/{showroom}/products", params={"q": "buoi"}, headers=shop.admin
    )
    found = [c for c in response.json() if c["product"]["id"] == PRODUCT]
    return found[0] if found else None


async def test_revoked_certificate_stops_sales_everywhere_and_a_new_one_restores_them(
    shop: Shop, certification: Certification
) -> None:
    showrooms = [await shop.showroom(code) for code in ("VT", "DH", "XS")]
    await certification.publish(
        ProductRegisteredV1(
            product_id=PRODUCT,
            producer_id=PRODUCER,
            name="Bưởi Đoan Hùng",
            group_code="food",
            province="Phú Thọ",
            commune="Chí Đám",
        ),
        source="certification",
        sequence=1,
    )
    await certification.issue("gcn-1", sequence=1)
    await certification.publish(
        ProductPublishedV1(
            product_id=PRODUCT,
            producer_id=PRODUCER,
            name="Bưởi Đoan Hùng",
            stars=4,
            certificate_number="gcn-1/GCN",
            certificate_status=CertificateStatus.ACTIVE,
            valid_until=date(2028, 6, 15),
            eligible_channels=[Channel.SHOWROOM, Channel.MARKETPLACE],
            suggested_price_vnd=45_000,
            unit="quả",
        ),
        source="catalog",
        sequence=1,
    )
    await eventually(lambda: choice(shop, showrooms[0]), until=lambda c: bool(c and c["sellable"]))
    for showroom in showrooms:
        assert (await shop.receive(showroom, PRODUCT, 6)).status_code == 201
    assert (
        await shop.sell(showrooms[0], [{"product_id": PRODUCT, "quantity": 1}])
    ).status_code == 201

    await certification.revoke("gcn-1", sequence=2)

    await eventually(
        lambda: choice(shop, showrooms[0]), until=lambda c: bool(c and not c["sellable"])
    )
    for showroom in showrooms:
        response = await shop.sell(showroom, [{"product_id": PRODUCT, "quantity": 1}])
        assert response.status_code == 409
        problem = response.json()
        assert problem["type"] == "not-sellable"
        assert "Bưởi Đoan Hùng" in problem["detail"]
        assert "thu hồi" in problem["detail"]
        assert "99/QĐ-UBND" in problem["detail"]
    for showroom, expected in zip(showrooms, (5, 6, 6), strict=True):
        balance = await shop.stock(showroom, PRODUCT)
        assert (balance["on_hand"], balance["quarantined"]) == (0, expected)
        withdrawals = await shop.client.get(
            f"/api/v1/showrooms/{showroom}/withdrawals", headers=shop.admin
        )
        [withdrawal] = withdrawals.json()
        assert withdrawal["quantity"] == expected
        assert "thu hồi" in withdrawal["reason"]
        alerts = await shop.client.get(f"/api/v1/showrooms/{showroom}/alerts", headers=shop.admin)
        assert "withdrawal" in [a["kind"] for a in alerts.json()]
        assert (await shop.audit(showroom))["consistent"] is True
    created = await shop.db["outbox"].count_documents({"type": "ocop.orders.withdrawal.created.v1"})
    assert created == 3

    # An old issue event replayed late (sequence 1) must not undo the revocation.
    await certification.issue("gcn-1", sequence=1)
    await certification.issue("gcn-2", sequence=3)
    await eventually(lambda: choice(shop, showrooms[1]), until=lambda c: bool(c and c["sellable"]))
    [withdrawal] = (
        await shop.client.get(f"/api/v1/showrooms/{showrooms[1]}/withdrawals", headers=shop.admin)
    ).json()
    released = await shop.client.post(
        f"/api/v1/showrooms/{showrooms[1]}/withdrawals/{withdrawal['id']}/release",
        json={"note": "Đã cấp lại giấy chứng nhận"},
        headers=shop.admin,
    )
    assert released.status_code == 200, released.text
    sale = await shop.sell(showrooms[1], [{"product_id": PRODUCT, "quantity": 2}])
    assert sale.status_code == 201, sale.text
    assert sale.json()["lines"][0]["unit_price_vnd"] == 45_000
    balance = await shop.stock(showrooms[1], PRODUCT)
    assert (balance["on_hand"], balance["quarantined"]) == (4, 0)

    listed = await shop.client.get(
        f"/api/v1/showrooms/{showrooms[2]}/withdrawals", headers=shop.admin
    )
    returned = await shop.client.post(
        f"/api/v1/showrooms/{showrooms[2]}/withdrawals/{listed.json()[0]['id']}/return-to-producer",
        json={"note": "Trả HTX"},
        headers=shop.admin,
    )
    assert returned.status_code == 200
    assert returned.json()["status"] == "returned_to_producer"
    assert (await shop.stock(showrooms[2], PRODUCT))["quarantined"] == 0
    assert (await shop.audit(showrooms[2]))["consistent"] is True
