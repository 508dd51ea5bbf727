"""The shared certificate cases (stale, sequence-less, identity) through this service's own
handlers, each in a real transaction on the real database, as the consumer applies them;
and an end of another certificate with the same number flags nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from ocop_events.adapters.repository import EventsRepository
from ocop_events.config import EventsSettings
from ocop_platform.testing.support import bearer
from ocop_shared.auth import Role
from ocop_shared.certificate_cases import CASES, issued, revoked
from ocop_shared.mongo import create_client

from .helpers import apply_event, fair_body, listing

pytestmark = pytest.mark.integration

Api = tuple[httpx.AsyncClient, EventsSettings]


async def test_stale_and_sequence_less_certificate_events_follow_the_shared_rule(
    api: Api,
) -> None:
    _, settings = api
    for number, shared in enumerate(CASES):
        case = shared.for_product(f"sp-case-{number}")
        for sent in (*case.history, case.last):
            await apply_event(
                settings, sent.event, subject=sent.event.product_id, sequence=sent.sequence
            )

        client = create_client(settings.mongodb_uri, app_name="test-read")
        try:
            product = await EventsRepository(client[settings.mongodb_database]).find_product(
                case.last.event.product_id
            )
        finally:
            await client.close()
        assert product is not None, case.name
        cert = product.certificate
        assert cert is not None, case.name
        assert (cert.certificate_id, cert.status) == (case.certificate_id, case.status), case.name
        assert (cert.expiry_reminder_on is not None) is case.reminded, case.name
        assert product.certification_sequence == case.version, case.name


async def test_only_the_end_of_the_current_certificate_flags_not_one_with_its_number(
    api: Api,
) -> None:
    client, settings = api
    staff = bearer(settings, Role.TRADE_STAFF)
    created = await client.post("/api/v1/trade-events", json=fair_body(), headers=staff)
    event_id = created.json()["id"]
    await client.post(
        f"/api/v1/trade-events/{event_id}/booths",
        json={"zone": "A", "prefix": "A", "first": 1, "last": 3},
        headers=staff,
    )
    product, producer = "sp-same-number", "prd-same-number"
    await apply_event(settings, listing(product, producer), subject=product, sequence=1)
    current = issued("gcn-new", number=f"GCN-{product}").model_copy(
        update={"product_id": product, "producer_id": producer}
    )
    await apply_event(settings, current, subject=product, sequence=3)
    registered = await client.post(
        f"/api/v1/trade-events/{event_id}/participations",
        json={"producer_id": producer, "product_ids": [product]},
        headers=bearer(settings, Role.PRODUCER, producer_id=producer),
    )
    assert registered.status_code == 201, registered.text
    participation = registered.json()["id"]

    async def flags() -> list[Any]:
        found = await client.get(f"/api/v1/participations/{participation}", headers=staff)
        result: list[Any] = found.json()["flags"]
        return result

    def revocation(certificate_id: str) -> Any:
        return revoked(certificate_id, number=f"GCN-{product}").model_copy(
            update={"product_id": product, "producer_id": producer}
        )

    # The old certificate (another id) printed with the same number: the current one stands.
    await apply_event(settings, revocation("gcn-old"), subject=product, sequence=4)
    assert await flags() == []
    # Without a sequence, even the current certificate's revocation cannot override order.
    await apply_event(settings, revocation("gcn-new"), subject=product, sequence=None)
    assert await flags() == []
    await apply_event(settings, revocation("gcn-new"), subject=product, sequence=5)
    assert [f["kind"] for f in await flags()] == ["revoked"]
