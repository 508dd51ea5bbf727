"""Handlers of the events the catalogue consumes: the read model follows certification.

Each runs inside the consumer's transaction (with the inbox record), so an event is
applied once. Certificate state comes only from here, through the shared mirror
(`ocop_shared.certificates.follow_certificate`): stale and sequence-less events follow the
one ordering rule, and certificates are matched by id, so replays and out-of-order
deliveries never roll the state back.
"""

from __future__ import annotations

import structlog

from ocop_catalog.adapters.repository import CatalogRepository
from ocop_catalog.domain.eligibility import DEFAULT_POLICIES, ChannelPolicy
from ocop_catalog.domain.model import CatalogProduct, CertificateState, ProducerProfile
from ocop_catalog.service_layer.catalogue import settle
from ocop_shared.certificates import CERTIFICATE_EVENTS, CertificateEvent, follow_certificate
from ocop_shared.contracts.certification import ProducerRegisteredV1, ProductRegisteredV1
from ocop_shared.messaging.handlers import HandlerRegistry, MessageContext
from ocop_shared.timeutil import Clock

log = structlog.get_logger(__name__)


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

    async def on_producer_registered(
        self, event: ProducerRegisteredV1, context: MessageContext
    ) -> None:
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

    async def on_product_registered(
        self, event: ProductRegisteredV1, context: MessageContext
    ) -> None:
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

    async def on_certificate_event(self, event: CertificateEvent, context: MessageContext) -> None:
        """Issued, revoked, expired, superseded, expiring: the shared mirror decides.

        A new, renewed, upgraded or downgraded certificate replaces the current one; an end
        changes the current one only if it is that certificate (by id); notes annotate it.
        """
        repository = CatalogRepository(context.db, context.session)
        before = await repository.find(event.product_id)
        applied = before.certificate_sequence if before else 0
        update = follow_certificate(
            event,
            context.envelope,
            stored=before.certificate if before else None,
            applied=applied,
        )
        if update is None:
            log.info(
                "catalog.stale_event_ignored",
                product_id=event.product_id,
                sequence=context.envelope.sequence,
            )
            return
        if not update.changed and update.version == applied:
            return  # e.g. a note about a certificate the product no longer carries
        base = before or CatalogProduct(
            id=event.product_id, name=event.product_id, producer_id=event.producer_id
        )
        after = base.model_copy(
            update={
                "certificate": CertificateState.shown(update.certificate),
                "certificate_sequence": update.version,
            }
        )
        await self._commit(context, before, after)

    def handlers(self) -> HandlerRegistry:
        registry = HandlerRegistry()
        registry.add(ProducerRegisteredV1, self.on_producer_registered)
        registry.add(ProductRegisteredV1, self.on_product_registered)
        for contract in CERTIFICATE_EVENTS:
            registry.add(contract, self.on_certificate_event)
        return registry


HANDLERS: HandlerRegistry = CatalogueHandlers().handlers()
