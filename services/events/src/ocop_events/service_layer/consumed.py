"""Handlers of the events this service consumes, each inside the consumer's transaction.

- catalogue product events keep the product read model used for eligibility;
- certificate revoked / expired flag live participations of that product for staff;
- fair sales from the orders service feed the results (deduplicated by sale id).
"""

from __future__ import annotations

from datetime import UTC, datetime

import structlog

from ocop_events.adapters.repository import EventsRepository
from ocop_events.adapters.results_repository import ResultsRepository
from ocop_events.domain.model import Flag, ProductSnapshot
from ocop_shared.contracts.catalog import (
    CertificateStatus,
    ProductPublishedV1,
    ProductUpdatedV1,
    ProductWithdrawnV1,
)
from ocop_shared.contracts.certification import CertificateExpiredV1, CertificateRevokedV1
from ocop_shared.contracts.envelope import EventData
from ocop_shared.contracts.orders import SaleRecordedV1, SalesChannel
from ocop_shared.messaging.consumer import Handler, MessageContext
from ocop_shared.timeutil import today_in_vietnam

log = structlog.get_logger(__name__)


def _is_stale(sequence: int | None, applied: int) -> bool:
    # An event without a sequence cannot be ordered: apply it (consumers are tolerant).
    return sequence is not None and sequence <= applied


async def on_product_listing(event: EventData, context: MessageContext) -> None:
    assert isinstance(event, ProductPublishedV1 | ProductUpdatedV1 | ProductWithdrawnV1)
    repository = EventsRepository(context.db, context.session)
    before = await repository.find_product(event.product_id)
    sequence = context.envelope.sequence
    if before is not None and _is_stale(sequence, before.catalog_sequence):
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
        catalog_sequence=sequence
        if sequence is not None
        else (before.catalog_sequence if before else 0),
        certification_sequence=before.certification_sequence if before else 0,
    )
    await repository.save_product(snapshot)


async def on_certificate_ended(event: EventData, context: MessageContext) -> None:
    assert isinstance(event, CertificateRevokedV1 | CertificateExpiredV1)
    repository = EventsRepository(context.db, context.session)
    before = await repository.find_product(event.product_id)
    sequence = context.envelope.sequence
    if before is not None and _is_stale(sequence, before.certification_sequence):
        return
    if before is not None and before.certificate_number not in (None, event.certificate_number):
        return  # an older certificate ended; the product carries a newer one
    if isinstance(event, CertificateRevokedV1):
        status, kind = CertificateStatus.REVOKED, "revoked"
        reason = (
            f"Giấy chứng nhận {event.certificate_number} bị thu hồi "
            f"theo QĐ {event.decision_number}: {event.reason}"
        )
    else:
        status, kind = CertificateStatus.EXPIRED, "expired"
        reason = (
            f"Giấy chứng nhận {event.certificate_number} "
            f"hết hiệu lực ngày {event.expired_on:%d/%m/%Y}"
        )
    base = before or ProductSnapshot(
        id=event.product_id, producer_id=event.producer_id, name=event.product_id
    )
    await repository.save_product(
        base.model_copy(
            update={
                "certificate_status": status,
                "certificate_number": event.certificate_number,
                "eligible_channels": [],
                "status_reason": reason,
                "certification_sequence": sequence or base.certification_sequence,
            }
        )
    )
    flag = Flag(product_id=event.product_id, kind=kind, reason=reason, raised_at=datetime.now(UTC))
    flagged = await repository.flag_live_participations(event.product_id, flag, today_in_vietnam())
    if flagged:
        log.info("events.participations_flagged", product_id=event.product_id, count=len(flagged))


async def on_sale_recorded(event: EventData, context: MessageContext) -> None:
    assert isinstance(event, SaleRecordedV1)
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


HANDLERS: dict[str, Handler] = {
    ProductPublishedV1.event_type: on_product_listing,
    ProductUpdatedV1.event_type: on_product_listing,
    ProductWithdrawnV1.event_type: on_product_listing,
    CertificateRevokedV1.event_type: on_certificate_ended,
    CertificateExpiredV1.event_type: on_certificate_ended,
    SaleRecordedV1.event_type: on_sale_recorded,
}
