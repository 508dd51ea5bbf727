"""Handlers of the events this service consumes, each inside the consumer's transaction.

- catalogue product events keep the product read model used for eligibility;
- certificate events keep the product's certificate mirror (shared rule: by id and
  certification version); when the current certificate is revoked or expires, live
  participations of that product are flagged for staff;
- fair sales from the orders service feed the results (deduplicated by sale id).
"""

from __future__ import annotations

from datetime import UTC, datetime

import structlog

from ocop_events.adapters.repository import EventsRepository
from ocop_events.adapters.results_repository import ResultsRepository
from ocop_events.domain.model import Flag, ProductSnapshot
from ocop_shared.certificates import (
    CERTIFICATE_EVENTS,
    CertificateEnd,
    CertificateEvent,
    CertificateMirror,
    follow_certificate,
)
from ocop_shared.contracts.catalog import (
    CertificateStatus,
    ProductPublishedV1,
    ProductUpdatedV1,
    ProductWithdrawnV1,
)
from ocop_shared.contracts.certification import CertificateExpiredV1, CertificateRevokedV1
from ocop_shared.contracts.orders import SaleRecordedV1, SalesChannel
from ocop_shared.messaging.handlers import HandlerRegistry, MessageContext
from ocop_shared.messaging.ordering import is_newer, version_after
from ocop_shared.timeutil import today_in_vietnam

log = structlog.get_logger(__name__)

HANDLERS = HandlerRegistry()
"""Every event this service consumes, each handler typed to its contract."""


@HANDLERS.on(ProductPublishedV1, ProductUpdatedV1, ProductWithdrawnV1)
async def on_product_listing(
    event: ProductPublishedV1 | ProductUpdatedV1 | ProductWithdrawnV1, context: MessageContext
) -> None:
    repository = EventsRepository(context.db, context.session)
    before = await repository.find_product(event.product_id)
    sequence = context.envelope.sequence
    applied = before.catalog_sequence if before else 0
    if not is_newer(sequence, applied):
        log.info("events.stale_product_event_ignored", product_id=event.product_id)
        return
    reason = event.reason if isinstance(event, ProductWithdrawnV1) else None
    snapshot = ProductSnapshot(
        id=event.product_id,
        producer_id=event.producer_id,
        name=event.name,
        group_code=event.group_code or (before.group_code if before else None),
        province=event.province or (before.province if before else None),
        stars=event.stars,
        certificate_number=event.certificate_number,
        certificate_status=event.certificate_status,
        valid_until=event.valid_until,
        eligible_channels=event.eligible_channels,
        status_reason=reason,
        certificate=before.certificate if before else None,
        catalog_sequence=version_after(sequence, applied),
        certification_sequence=before.certification_sequence if before else 0,
    )
    await repository.save_product(snapshot)


def _end_reason(event: CertificateEnd) -> str:
    if isinstance(event, CertificateRevokedV1):
        return (
            f"Giấy chứng nhận {event.certificate_number} bị thu hồi "
            f"theo QĐ {event.decision_number}: {event.reason}"
        )
    return (
        f"Giấy chứng nhận {event.certificate_number} hết hiệu lực ngày {event.expired_on:%d/%m/%Y}"
    )


async def on_certificate_event(event: CertificateEvent, context: MessageContext) -> None:
    """Mirror the product's certificate; when its current one ends, flag live participations.

    Which certificate is current, and whether the event is stale, is the shared mirror's
    decision (by certificate id and certification version); fair eligibility itself follows
    the catalogue's listing events.
    """
    repository = EventsRepository(context.db, context.session)
    before = await repository.find_product(event.product_id)
    applied = before.certification_sequence if before else 0
    update = follow_certificate(
        event,
        context.envelope,
        stored=before.certificate if before else None,
        applied=applied,
        reason=_end_reason,
    )
    if update is None:
        log.info("events.stale_certificate_event_ignored", product_id=event.product_id)
        return
    if not update.changed and update.version == applied:
        return
    base = before or ProductSnapshot(
        id=event.product_id, producer_id=event.producer_id, name=event.product_id
    )
    fields: dict[str, object] = {
        "certificate": update.certificate,
        "certification_sequence": update.version,
    }
    stored = before.certificate if before else None
    ended = _ended_now(event, stored, update.certificate) if update.changed else None
    if ended is not None:
        fields.update(
            certificate_status=ended.status,
            certificate_number=event.certificate_number,
            eligible_channels=[],
            status_reason=ended.status_reason,
        )
    await repository.save_product(base.model_copy(update=fields))
    if ended is None:
        return
    reason = ended.status_reason or ""
    flag = Flag(
        product_id=event.product_id,
        kind=ended.status.value,
        reason=reason,
        raised_at=datetime.now(UTC),
    )
    flagged = await repository.flag_live_participations(event.product_id, flag, today_in_vietnam())
    if flagged:
        log.info("events.participations_flagged", product_id=event.product_id, count=len(flagged))


def _ended_now(
    event: CertificateEvent, before: CertificateMirror | None, after: CertificateMirror | None
) -> CertificateMirror | None:
    """The product's current certificate if `event` has just ended it (revoked or expired);
    None if it was already in that state (a repeat flags nothing twice)."""
    if not isinstance(event, CertificateRevokedV1 | CertificateExpiredV1) or after is None:
        return None
    if after.certificate_id != event.certificate_id:
        return None
    if after.status not in (CertificateStatus.REVOKED, CertificateStatus.EXPIRED):
        return None
    if before is not None and (before.certificate_id, before.status) == (
        after.certificate_id,
        after.status,
    ):
        return None
    return after


for _contract in CERTIFICATE_EVENTS:
    HANDLERS.add(_contract, on_certificate_event)


@HANDLERS.on(SaleRecordedV1)
async def on_sale_recorded(event: SaleRecordedV1, context: MessageContext) -> None:
    if event.channel is not SalesChannel.FAIR or not event.trade_event_id:
        return
    results = ResultsRepository(context.db, context.session)
    if await results.has_sale(event.sale_id):
        return  # the same sale sent again under a new envelope
    await results.add_sale(
        sale_id=event.sale_id,
        event_id=event.trade_event_id,
        booth_code=event.booth_code,
        total_vnd=event.total_vnd,
        lines=[
            {
                "product_id": line.product_id,
                "producer_id": line.producer_id,
                "quantity": line.quantity,
                "total_vnd": line.line_total_vnd,
            }
            for line in event.lines
        ],
        sold_at=event.sold_at,
    )
