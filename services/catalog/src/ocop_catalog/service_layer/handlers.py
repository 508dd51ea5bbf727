"""Event handlers that keep the read model in step with certification events.

Each runs inside the consumer's transaction (with the inbox record), so an event is
applied once. Certificate state comes only from here, and an event whose sequence (the
product's certification version) is not newer than the one applied is ignored, so replays
and out-of-order deliveries never roll the state back.
"""

from __future__ import annotations

from collections.abc import Callable

import structlog

from ocop_catalog.adapters.repository import CatalogRepository
from ocop_catalog.domain.eligibility import DEFAULT_POLICIES, ChannelPolicy
from ocop_catalog.domain.model import CatalogProduct, CertificateState, ProducerProfile
from ocop_catalog.service_layer.catalogue import settle
from ocop_shared.contracts.catalog import CertificateStatus
from ocop_shared.contracts.certification import (
    CertificateExpiredV1,
    CertificateIssuedV1,
    CertificateRevokedV1,
    ProducerRegisteredV1,
    ProductRegisteredV1,
)
from ocop_shared.contracts.envelope import EventData
from ocop_shared.contracts.registry import registered_types
from ocop_shared.messaging.consumer import Handler, MessageContext
from ocop_shared.timeutil import VIETNAM, Clock

log = structlog.get_logger(__name__)

# Announced by certification; handled as soon as the contracts are registered (see below).
CERTIFICATE_SUPERSEDED = "ocop.certification.certificate.superseded.v1"
CERTIFICATE_EXPIRING = "ocop.certification.certificate.expiring.v1"

CertificateChange = Callable[[CertificateState | None], CertificateState | None]


class CatalogueHandlers:
    """Handlers bound to the channel policies and the clock of this process."""

    def __init__(
        self, policies: tuple[ChannelPolicy, ...] = DEFAULT_POLICIES, clock: Clock | None = None
    ) -> None:
        self._policies = policies
        self._clock = clock or Clock()

    async def _commit(
        self, context: MessageContext, before: CatalogProduct | None, after: CatalogProduct
    ) -> None:
        await self._commit_all(context, [(before, after)])

    async def _commit_all(
        self,
        context: MessageContext,
        pairs: list[tuple[CatalogProduct | None, CatalogProduct]],
    ) -> None:
        """Settle each (before, after) pair; the changed products are stored in one write."""
        today = self._clock.today()
        changes = [s for b, a in pairs if (s := settle(b, a, today, self._policies)) is not None]
        repository = CatalogRepository(context.db, context.session)
        await repository.save_many([s.product for s in changes])
        for settled in changes:
            if settled.event is None:
                continue
            await context.outbox.add(
                context.session,
                settled.event,
                subject=settled.product.id,
                sequence=settled.product.version,
                causation_id=str(context.envelope.id),
            )

    async def on_producer_registered(self, event: EventData, context: MessageContext) -> None:
        assert isinstance(event, ProducerRegisteredV1)
        repository = CatalogRepository(context.db, context.session)
        profile = ProducerProfile(
            id=event.producer_id,
            name=event.name,
            legal_form=event.legal_form.value,
            province=event.province,
            commune=event.commune,
            district=event.district,
            gln=getattr(event, "gln", None),  # tolerant: optional in newer contracts
        )
        await repository.save_producer(profile)
        pairs: list[tuple[CatalogProduct | None, CatalogProduct]] = [
            (
                p,
                p.model_copy(
                    update={"producer": profile, "district": p.district or profile.district}
                ),
            )
            for p in await repository.products_of_producer(event.producer_id)
        ]
        await self._commit_all(context, pairs)

    async def on_product_registered(self, event: EventData, context: MessageContext) -> None:
        assert isinstance(event, ProductRegisteredV1)
        repository = CatalogRepository(context.db, context.session)
        before = await repository.find(event.product_id)
        producer = await repository.find_producer(event.producer_id)
        if producer is None and before is not None and before.producer_id == event.producer_id:
            producer = before.producer  # e.g. named by an import before the producer event
        identity = {
            "name": event.name,
            "producer_id": event.producer_id,
            "producer": producer,
            "group_code": event.group_code,
            "province": event.province,
            "commune": event.commune,
            "gtin": event.gtin or (before.gtin if before else None),
            "district": (before.district if before else None)
            or (producer.district if producer else None),
        }
        after = (
            before.model_copy(update=identity)
            if before
            else CatalogProduct.model_validate({"id": event.product_id, **identity})
        )
        await self._commit(context, before, after)

    async def _apply_certificate_change(
        self,
        context: MessageContext,
        product_id: str,
        producer_id: str,
        change: CertificateChange,
    ) -> None:
        sequence = context.envelope.sequence or 0
        repository = CatalogRepository(context.db, context.session)
        before = await repository.find(product_id)
        if before is not None and before.certificate_sequence >= sequence:
            log.info("catalog.stale_event_ignored", product_id=product_id, sequence=sequence)
            return
        base = before or CatalogProduct(id=product_id, name=product_id, producer_id=producer_id)
        certificate = change(base.certificate)
        after = base.model_copy(
            update={"certificate": certificate, "certificate_sequence": sequence}
        )
        await self._commit(context, before, after)

    async def on_certificate_issued(self, event: EventData, context: MessageContext) -> None:
        """A new, renewed, upgraded or downgraded certificate replaces the current one."""
        assert isinstance(event, CertificateIssuedV1)
        state = CertificateState(
            certificate_id=event.certificate_id,
            number=event.certificate_number,
            stars=event.stars,
            level=event.level.value,
            issuing_authority=event.issuing_authority,
            decision_number=event.decision_number,
            valid_from=event.valid_from,
            valid_until=event.valid_until,
            status=CertificateStatus.ACTIVE,
        )
        await self._apply_certificate_change(
            context, event.product_id, event.producer_id, lambda _: state
        )

    async def on_certificate_revoked(self, event: EventData, context: MessageContext) -> None:
        assert isinstance(event, CertificateRevokedV1)
        reason = f"Thu hồi theo QĐ {event.decision_number}: {event.reason}"
        change = _ended(event.certificate_id, CertificateStatus.REVOKED, reason)
        await self._apply_certificate_change(context, event.product_id, event.producer_id, change)

    async def on_certificate_expired(self, event: EventData, context: MessageContext) -> None:
        assert isinstance(event, CertificateExpiredV1)
        reason = f"Hết hiệu lực ngày {event.expired_on:%d/%m/%Y}"
        change = _ended(event.certificate_id, CertificateStatus.EXPIRED, reason)
        await self._apply_certificate_change(context, event.product_id, event.producer_id, change)

    async def on_certificate_superseded(self, event: EventData, context: MessageContext) -> None:
        """Information only: the new certificate's issued event carries the new state.

        It does not move the applied sequence, so the issued event of the same decision is
        never taken for stale whichever of the two comes first.
        """
        successor = getattr(event, "superseded_by_certificate_id", None)
        await self._note(event, context, {"superseded_by": successor})

    async def on_certificate_expiring(self, event: EventData, context: MessageContext) -> None:
        """A reminder (no version bump): mark "sắp hết hạn", never roll anything back."""
        day = context.envelope.time.astimezone(VIETNAM).date()
        await self._note(event, context, {"expiry_reminder_on": day})

    async def _note(
        self,
        event: EventData,
        context: MessageContext,
        update: dict[str, object],
    ) -> None:
        repository = CatalogRepository(context.db, context.session)
        before = await repository.find(str(getattr(event, "product_id", "")))
        cert = before.certificate if before else None
        if before is None or cert is None:
            return
        if cert.certificate_id != getattr(event, "certificate_id", None):
            return  # about an older certificate: the current one stands
        if cert.status is not CertificateStatus.ACTIVE:
            return
        noted = cert.model_copy(update=update)
        await self._commit(context, before, before.model_copy(update={"certificate": noted}))

    def handlers(self) -> dict[str, Handler]:
        handlers: dict[str, Handler] = {
            ProducerRegisteredV1.event_type: self.on_producer_registered,
            ProductRegisteredV1.event_type: self.on_product_registered,
            CertificateIssuedV1.event_type: self.on_certificate_issued,
            CertificateRevokedV1.event_type: self.on_certificate_revoked,
            CertificateExpiredV1.event_type: self.on_certificate_expired,
        }
        # TODO(lead): once CertificateSupersededV1 / CertificateExpiringV1 are on main these
        # register by themselves; the consumer would dead-letter a type the registry cannot
        # decode, so they are only subscribed when the contracts exist.
        known = registered_types()
        if CERTIFICATE_SUPERSEDED in known:
            handlers[CERTIFICATE_SUPERSEDED] = self.on_certificate_superseded
        if CERTIFICATE_EXPIRING in known:
            handlers[CERTIFICATE_EXPIRING] = self.on_certificate_expiring
        return handlers


def _ended(certificate_id: str, status: CertificateStatus, reason: str) -> CertificateChange:
    def change(current: CertificateState | None) -> CertificateState | None:
        if current is None or current.certificate_id != certificate_id:
            return current  # an older certificate ended: the current one stands
        return current.model_copy(update={"status": status, "status_reason": reason})

    return change


HANDLERS: dict[str, Handler] = CatalogueHandlers().handlers()
