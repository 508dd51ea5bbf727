"""Shared helpers of the events service's integration tests."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx

from ocop_events.config import EventsSettings
from ocop_events.service_layer.consumed import HANDLERS
from ocop_shared.contracts.catalog import CertificateStatus, Channel, ProductPublishedV1
from ocop_shared.contracts.envelope import EventData, make_envelope
from ocop_shared.messaging.consumer import MessageContext
from ocop_shared.messaging.outbox import Outbox
from ocop_shared.mongo import Session, create_client, in_transaction
from ocop_shared.timeutil import today_in_vietnam


def assert_problem(
    response: httpx.Response, status: int, field: str | None = None
) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    if field is not None:
        assert field in [e["field"] for e in body.get("errors", [])], body
    return body


def fair_body(
    name: str = "Hội chợ OCOP và xúc tiến thương mại Phú Thọ 2025", **rules: Any
) -> dict[str, Any]:
    today = today_in_vietnam()
    return {
        "kind": "fair",
        "name": name,
        "venue": "Quảng trường Hùng Vương, Việt Trì",
        "province": "Phú Thọ",
        "organiser": "Sở Công Thương tỉnh Phú Thọ",
        "starts_on": str(today + timedelta(days=30)),
        "ends_on": str(today + timedelta(days=35)),
        "registration_opens": str(today - timedelta(days=1)),
        "registration_closes": str(today + timedelta(days=20)),
        **({"rules": rules} if rules else {}),
    }


def listing(
    product_id: str,
    producer_id: str,
    *,
    name: str = "Bưởi Đoan Hùng",
    stars: int = 4,
    valid_until: date | None = None,
    status: CertificateStatus = CertificateStatus.ACTIVE,
    channels: list[Channel] | None = None,
) -> ProductPublishedV1:
    active = status is CertificateStatus.ACTIVE and stars >= 3
    return ProductPublishedV1(
        product_id=product_id,
        producer_id=producer_id,
        name=name,
        stars=stars,
        certificate_number=f"GCN-{product_id}",
        certificate_status=status,
        valid_until=valid_until or today_in_vietnam() + timedelta(days=400),
        eligible_channels=channels
        if channels is not None
        else ([Channel.SHOWROOM, Channel.FAIR] if active else []),
        group_code="food",
        province="Phú Thọ",
    )


async def apply_event(
    settings: EventsSettings, data: EventData, *, subject: str, sequence: int | None
) -> None:
    """Run the consumer's handler for one event in a real transaction, as the runner does."""
    client = create_client(settings.mongodb_uri, app_name="test-apply")
    db = client[settings.mongodb_database]
    envelope = make_envelope(data, source="test", subject=subject, sequence=sequence)

    async def work(session: Session) -> None:
        context = MessageContext(envelope, session, db, Outbox(db, settings))
        await HANDLERS[envelope.type](data, context)

    try:
        await in_transaction(client, work)
    finally:
        await client.close()
