"""Daily refresh and certification reminders, on the real database."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ocop_catalog.adapters.repository import CatalogRepository
from ocop_catalog.domain.model import CatalogProduct, CertificateState
from ocop_catalog.service_layer.catalogue import settle
from ocop_catalog.service_layer.consumed import CatalogueHandlers
from ocop_catalog.service_layer.refresh import refresh_eligibility
from ocop_shared.contracts.catalog import CertificateStatus
from ocop_shared.contracts.certification import (
    CertificateExpiringV1,
    CertificateSupersededV1,
    RecognitionLevel,
)
from ocop_shared.contracts.envelope import EventData, make_envelope
from ocop_shared.messaging.consumer import MessageContext
from ocop_shared.messaging.outbox import OUTBOX_COLLECTION
from ocop_shared.mongo import Session, in_transaction
from ocop_shared.timeutil import today_in_vietnam

from .conftest import CatalogApp

pytestmark = pytest.mark.integration

TODAY = today_in_vietnam()


def certificate(valid_days: int) -> CertificateState:
    return CertificateState(
        certificate_id="gcn-1",
        number="OCOP-1",
        stars=4,
        level="province",
        issuing_authority="UBND tỉnh Phú Thọ",
        decision_number="1/QĐ",
        valid_from=TODAY - timedelta(days=1000),
        valid_until=TODAY + timedelta(days=valid_days),
        status=CertificateStatus.ACTIVE,
    )


async def store(app: CatalogApp, product: CatalogProduct, today: object = TODAY) -> CatalogProduct:
    settled = settle(None, product, today)  # type: ignore[arg-type]
    assert settled is not None
    await CatalogRepository(app.runtime.db).save(settled.product)
    return settled.product


async def test_refresh_withdraws_a_certificate_that_ran_out_and_only_once(
    catalog_app: CatalogApp,
) -> None:
    listed = await store(
        catalog_app,
        CatalogProduct(id="sp-1", name="Chè", producer_id="ct", certificate=certificate(-1)),
        TODAY - timedelta(days=2),  # listed while the certificate was still valid
    )
    assert listed.eligible_channels
    runtime = catalog_app.runtime
    assert await refresh_eligibility(runtime.client, runtime.db, runtime.outbox) == 1
    assert await refresh_eligibility(runtime.client, runtime.db, runtime.outbox) == 0
    product = await CatalogRepository(runtime.db).get("sp-1")
    assert product.eligible_channels == []
    outbox = await runtime.db[OUTBOX_COLLECTION].find({"key": "sp-1"}).to_list()
    assert [o["type"] for o in outbox] == ["ocop.catalog.product.withdrawn.v1"]


def reminder(certificate_id: str, product_id: str) -> CertificateExpiringV1:
    return CertificateExpiringV1(
        certificate_id=certificate_id,
        certificate_number="OCOP-1",
        product_id=product_id,
        producer_id="ct",
        stars=4,
        level=RecognitionLevel.PROVINCE,
        decision_number="1/QĐ",
        valid_until=TODAY + timedelta(days=700),
        lead_months=3,
    )


async def test_expiry_reminder_marks_expiring_without_touching_the_sequence(
    catalog_app: CatalogApp,
) -> None:
    product = CatalogProduct(
        id="sp-2",
        name="Mì gạo",
        producer_id="ct",
        certificate=certificate(700),
        certificate_sequence=7,
    )
    await store(catalog_app, product)
    runtime = catalog_app.runtime
    envelope = make_envelope(
        reminder("gcn-1", "sp-2"),
        source="certification",
        subject="sp-2",
        sequence=7,  # a reminder does not bump the certification version
    )
    handlers = CatalogueHandlers()

    async def apply(session: Session) -> None:
        context = MessageContext(envelope, session, runtime.db, runtime.outbox)
        await handlers.on_certificate_event(reminder("gcn-1", "sp-2"), context)

    await in_transaction(runtime.client, apply)
    stored = await CatalogRepository(runtime.db).get("sp-2")
    assert stored.certificate is not None
    assert stored.certificate.expiry_reminder_on == TODAY
    assert stored.certificate.status is CertificateStatus.ACTIVE
    assert stored.certificate_sequence == 7
    view = (await catalog_app.client.get("/api/v1/products/sp-2")).json()
    assert view["expiring_soon"] is True
    page = await catalog_app.client.get("/san-pham/sp-2")
    assert 'id="expiring-soon"' in page.text


async def test_consumer_process_refreshes_eligibility_when_the_day_changes(
    catalog_app: CatalogApp,
) -> None:
    from datetime import UTC, datetime

    from ocop_catalog.entrypoints.consumer import refresh_daily
    from ocop_platform.testing.support import background, eventually
    from ocop_shared.timeutil import FixedClock

    await store(
        catalog_app,
        CatalogProduct(id="sp-3", name="Cam", producer_id="ct", certificate=certificate(0)),
    )
    clock = FixedClock(datetime.now(UTC))
    repository = CatalogRepository(catalog_app.runtime.db)

    async def run(stop: object) -> None:
        await refresh_daily(catalog_app.settings, stop, clock=clock, check_every_s=0.05)  # type: ignore[arg-type]

    async with background(run):
        await eventually(lambda: repository.get("sp-3"), until=lambda p: p.version == 1)
        clock.advance(timedelta(days=1))  # the certificate's last day is over
        product = await eventually(
            lambda: repository.get("sp-3"), until=lambda p: not p.eligible_channels
        )
    assert product.version == 2


async def test_superseded_is_noted_and_the_new_certificate_of_the_same_version_still_applies(
    catalog_app: CatalogApp,
) -> None:
    from datetime import date

    from ocop_shared.contracts.certification import CertificateIssuedV1

    product = CatalogProduct(
        id="sp-4",
        name="Chè",
        producer_id="ct",
        certificate=certificate(500),
        certificate_sequence=3,
    )
    await store(catalog_app, product)
    runtime = catalog_app.runtime
    handlers = CatalogueHandlers()
    superseded = CertificateSupersededV1(
        certificate_id="gcn-1",
        certificate_number="OCOP-1",
        product_id="sp-4",
        producer_id="ct",
        stars=4,
        level=RecognitionLevel.PROVINCE,
        decision_number="1/QĐ",
        valid_until=TODAY + timedelta(days=500),
        superseded_by_certificate_id="gcn-2",
    )
    issued = CertificateIssuedV1(
        certificate_id="gcn-2",
        certificate_number="OCOP-2",
        product_id="sp-4",
        producer_id="ct",
        stars=5,
        level=RecognitionLevel.CENTRAL,
        issuing_authority="Bộ Nông nghiệp và Môi trường",
        decision_number="5/QĐ-BNNMT",
        decision_date=date(2026, 1, 1),
        valid_from=date(2026, 1, 1),
        valid_until=date(2029, 1, 1),
        supersedes_certificate_id="gcn-1",
    )

    registry = handlers.handlers()

    async def apply(event: EventData, sequence: int) -> None:
        envelope = make_envelope(event, source="certification", subject="sp-4", sequence=sequence)

        async def work(session: Session) -> None:
            context = MessageContext(envelope, session, runtime.db, runtime.outbox)
            await registry.dispatch(event, context)

        await in_transaction(runtime.client, work)

    repository = CatalogRepository(runtime.db)
    await apply(superseded, 4)
    noted = await repository.get("sp-4")
    assert noted.certificate is not None
    assert noted.certificate.superseded_by == "gcn-2"
    assert noted.certificate.status is CertificateStatus.ACTIVE
    assert noted.certificate_sequence == 3
    await apply(issued, 4)
    upgraded = await repository.get("sp-4")
    assert upgraded.certificate is not None
    assert (upgraded.certificate.certificate_id, upgraded.certificate.stars) == ("gcn-2", 5)
    assert upgraded.certificate_sequence == 4
