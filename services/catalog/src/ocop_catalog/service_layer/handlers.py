"""Event handlers that keep the read model in step with certification events.

Each runs inside the consumer's transaction (with the inbox record), so an event is
applied once; certificate events older than what the product shows are ignored.
"""

from __future__ import annotations

from collections.abc import Callable

import structlog

from ocop_catalog.adapters.contract_mapping import listing_event
from ocop_catalog.adapters.repository import CatalogRepository
from ocop_catalog.domain.eligibility import eligible_channels
from ocop_catalog.domain.model import CatalogProduct, CertificateState, ProducerProfile
from ocop_shared.contracts.catalog import CertificateStatus
from ocop_shared.contracts.certification import (
    CertificateExpiredV1,
    CertificateIssuedV1,
    CertificateRevokedV1,
    ProducerRegisteredV1,
    ProductRegisteredV1,
)
from ocop_shared.contracts.envelope import EventData
from ocop_shared.messaging.consumer import Handler, MessageContext
from ocop_shared.timeutil import today_in_vietnam

log = structlog.get_logger(__name__)


async def _save_and_announce(
    context: MessageContext, before: CatalogProduct | None, after: CatalogProduct
) -> None:
    today = today_in_vietnam()
    after = after.model_copy(
        update={"eligible_channels": eligible_channels(after.certificate, today)}
    )
    await CatalogRepository(context.db, context.session).save(after)
    status = after.certificate.status_on(today) if after.certificate else CertificateStatus.NONE
    event = listing_event(before, after, status)
    if event is not None:
        await context.outbox.add(
            context.session, event, subject=after.id, causation_id=str(context.envelope.id)
        )


async def on_producer_registered(event: EventData, context: MessageContext) -> None:
    assert isinstance(event, ProducerRegisteredV1)
    repository = CatalogRepository(context.db, context.session)
    profile = ProducerProfile(
        id=event.producer_id,
        name=event.name,
        legal_form=event.legal_form,
        province=event.province,
        commune=event.commune,
    )
    await repository.save_producer(profile)
    for product in await repository.products_of_producer(event.producer_id):
        await repository.save(product.model_copy(update={"producer": profile}))


async def on_product_registered(event: EventData, context: MessageContext) -> None:
    assert isinstance(event, ProductRegisteredV1)
    repository = CatalogRepository(context.db, context.session)
    before = await repository.find(event.product_id)
    content = {
        "name": event.name,
        "producer_id": event.producer_id,
        "producer": await repository.find_producer(event.producer_id),
        "group_code": event.group_code,
        "province": event.province,
        "commune": event.commune,
        "gtin": event.gtin,
    }
    after = (
        before.model_copy(update=content)
        if before
        else CatalogProduct(id=event.product_id, **content)
    )
    await _save_and_announce(context, before, after)


async def _apply_certificate_change(
    context: MessageContext,
    product_id: str,
    producer_id: str,
    change: Callable[[CertificateState | None], CertificateState | None],
) -> None:
    sequence = context.envelope.sequence or 0
    repository = CatalogRepository(context.db, context.session)
    before = await repository.find(product_id)
    if before is not None and before.certificate_sequence >= sequence:
        log.info("catalog.stale_event_ignored", product_id=product_id, sequence=sequence)
        return
    base = before or CatalogProduct(id=product_id, name=product_id, producer_id=producer_id)
    certificate = change(base.certificate)
    after = base.model_copy(update={"certificate": certificate, "certificate_sequence": sequence})
    await _save_and_announce(context, before, after)


async def on_certificate_issued(event: EventData, context: MessageContext) -> None:
    assert isinstance(event, CertificateIssuedV1)
    state = CertificateState(
        certificate_id=event.certificate_id,
        number=event.certificate_number,
        stars=event.stars,
        level=event.level,
        issuing_authority=event.issuing_authority,
        decision_number=event.decision_number,
        valid_from=event.valid_from,
        valid_until=event.valid_until,
        status=CertificateStatus.ACTIVE,
    )
    await _apply_certificate_change(context, event.product_id, event.producer_id, lambda _: state)


def _ended(
    certificate_id: str, status: CertificateStatus, reason: str
) -> Callable[[CertificateState | None], CertificateState | None]:
    def change(current: CertificateState | None) -> CertificateState | None:
        if current is None or current.certificate_id != certificate_id:
            return current  # an older certificate ended: the current one stands
        return current.model_copy(update={"status": status, "status_reason": reason})

    return change


async def on_certificate_revoked(event: EventData, context: MessageContext) -> None:
    assert isinstance(event, CertificateRevokedV1)
    reason = f"Thu hồi theo QĐ {event.decision_number}: {event.reason}"
    change = _ended(event.certificate_id, CertificateStatus.REVOKED, reason)
    await _apply_certificate_change(context, event.product_id, event.producer_id, change)


async def on_certificate_expired(event: EventData, context: MessageContext) -> None:
    assert isinstance(event, CertificateExpiredV1)
    reason = f"Hết hiệu lực ngày {event.expired_on:%d/%m/%Y}"
    change = _ended(event.certificate_id, CertificateStatus.EXPIRED, reason)
    await _apply_certificate_change(context, event.product_id, event.producer_id, change)


HANDLERS: dict[str, Handler] = {
    ProducerRegisteredV1.event_type: on_producer_registered,
    ProductRegisteredV1.event_type: on_product_registered,
    CertificateIssuedV1.event_type: on_certificate_issued,
    CertificateRevokedV1.event_type: on_certificate_revoked,
    CertificateExpiredV1.event_type: on_certificate_expired,
}
