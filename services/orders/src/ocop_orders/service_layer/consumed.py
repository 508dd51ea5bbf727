"""Certification and catalogue events → the product read model, and withdrawals when a
product may no longer be sold.

Each handler runs in the consumer's transaction with the inbox record. Certificate state
comes only through the shared mirror (`ocop_shared.certificates.follow_certificate`), and
catalogue events follow the same ordering rule (`ocop_shared.messaging.ordering`) against
the product's catalogue version, so replays and out-of-order deliveries never roll the
state back. A revoked or expired certificate blocks sales at once (the till reads the
product in its transaction) and moves the shelf stock of every showroom into quarantine
with a withdrawal to handle.

`OrdersHandlers(settings, clock).handlers()` is the consumer process's `HandlerRegistry`.
"""

from __future__ import annotations

import structlog

from ocop_orders.config import OrdersSettings
from ocop_orders.domain.eligibility import block_reason
from ocop_orders.domain.model import CertificateInfo, Product
from ocop_orders.ecommerce.service_layer.orders import cancel_orders_holding
from ocop_orders.marketplace.service_layer.listings import follow_product
from ocop_orders.service_layer.unit_of_work import UnitOfWork, unit_of_work
from ocop_orders.showroom.service_layer.withdrawals import withdraw_from_shelf
from ocop_shared.certificates import (
    CERTIFICATE_EVENTS,
    CertificateEnd,
    CertificateEvent,
    CertificateMirror,
    follow_certificate,
)
from ocop_shared.contracts.catalog import (
    Channel,
    ProductPublishedV1,
    ProductUpdatedV1,
    ProductWithdrawnV1,
)
from ocop_shared.contracts.certification import (
    CertificateRevokedV1,
    ProducerRegisteredV1,
    ProductRegisteredV1,
)
from ocop_shared.messaging.handlers import HandlerRegistry, MessageContext
from ocop_shared.messaging.ordering import is_newer, version_after
from ocop_shared.timeutil import Clock

log = structlog.get_logger(__name__)

SYNC_ACTOR = "he-thong:dong-bo-chung-nhan"

Listing = ProductPublishedV1 | ProductUpdatedV1 | ProductWithdrawnV1


async def withdraw_where_blocked(uow: UnitOfWork, product: Product, clock: Clock) -> int:
    """Quarantine the shelf stock of `product` at every showroom where it may not be sold."""
    today = clock.today()
    withdrawn = 0
    for balance in await uow.repository.balances_of_product(product.id):
        if balance.on_hand <= 0:
            continue
        showroom = await uow.repository.get_showroom(balance.showroom_id)
        reason = block_reason(product, showroom, today)
        if reason is None:
            continue
        if balance.reserved:  # online orders holding units give them up first (issue 6)
            await cancel_orders_holding(uow, showroom.id, product.id, reason)
        withdrawal = await withdraw_from_shelf(uow, showroom, product, reason=reason, today=today)
        if withdrawal is not None:
            withdrawn += 1
            log.info(
                "stock.withdrawn",
                showroom_id=showroom.id,
                product_id=product.id,
                quantity=withdrawal.quantity,
            )
    return withdrawn


def end_reason(event: CertificateEnd) -> str:
    """How the till words an end (shown with a refused sale and on the withdrawal)."""
    if isinstance(event, CertificateRevokedV1):
        return f"Thu hồi theo QĐ {event.decision_number}: {event.reason}"
    return f"Hết hiệu lực từ ngày {event.expired_on:%d/%m/%Y}"


def to_mirror(info: CertificateInfo | None) -> CertificateMirror | None:
    """Orders' stored certificate as the shared mirror (``reason`` is its ``status_reason``)."""
    if info is None:
        return None
    return CertificateMirror(**info.model_dump(exclude={"reason"}), status_reason=info.reason)


def from_mirror(mirror: CertificateMirror | None) -> CertificateInfo | None:
    """The shared mirror as orders stores it (documents keep their ``reason`` field)."""
    if mirror is None:
        return None
    fields = mirror.model_dump(include=set(CertificateInfo.model_fields) - {"reason"})
    return CertificateInfo(**fields, reason=mirror.status_reason)


class OrdersHandlers:
    """Handlers bound to the settings and the clock of this consumer process."""

    def __init__(self, settings: OrdersSettings, clock: Clock | None = None) -> None:
        self._settings = settings
        self._clock = clock or Clock()

    def _uow(self, context: MessageContext) -> UnitOfWork:
        return unit_of_work(
            context.db,
            context.session,
            context.outbox,
            self._settings,
            now=self._clock.now(),
            by=SYNC_ACTOR,
            causation_id=str(context.envelope.id),
        )

    async def _settle(self, context: MessageContext, uow: UnitOfWork, product: Product) -> None:
        """Store `product`, withdraw its stock where it is blocked, follow it on marketplaces."""
        await uow.repository.save_product(product)
        await withdraw_where_blocked(uow, product, self._clock)
        await follow_product(context, uow, product, self._settings)

    async def on_producer_registered(
        self, event: ProducerRegisteredV1, context: MessageContext
    ) -> None:
        """A producer's name reaches its products in the read model."""
        uow = self._uow(context)
        await uow.repository.save_producer(event.producer_id, event.name)
        for product in await uow.repository.products_of_producer(event.producer_id):
            await uow.repository.save_product(
                product.model_copy(update={"producer_name": event.name})
            )

    async def on_product_registered(
        self, event: ProductRegisteredV1, context: MessageContext
    ) -> None:
        """A product registered with certification enters the read model (name, GTIN, group)."""
        uow = self._uow(context)
        current = await uow.repository.find_product(event.product_id)
        content = {
            "name": event.name,
            "producer_id": event.producer_id,
            "group_code": event.group_code,
            "producer_name": await uow.repository.producer_name(event.producer_id),
        }
        if event.gtin:
            content["gtin"] = event.gtin
        product = (
            current.model_copy(update=content)
            if current
            else Product(id=event.product_id, **content)
        )
        await uow.repository.save_product(product)

    async def on_certificate_event(self, event: CertificateEvent, context: MessageContext) -> None:
        """Issued, revoked, expired, superseded, expiring: the shared mirror decides.

        A revocation or expiry of the current certificate blocks sales at once and withdraws
        the shelf stock everywhere; a new certificate makes the product sellable again (if
        the catalogue agrees). An end of another certificate leaves the current one standing.
        """
        uow = self._uow(context)
        current = await uow.repository.find_product(event.product_id)
        applied = current.certificate_sequence if current else 0
        update = follow_certificate(
            event,
            context.envelope,
            stored=to_mirror(current.certificate) if current else None,
            applied=applied,
            reason=end_reason,
        )
        if update is None:
            log.info(
                "orders.stale_certificate_event",
                product_id=event.product_id,
                sequence=context.envelope.sequence,
            )
            return
        if not update.changed and update.version == applied:
            return  # e.g. a note about a certificate the product no longer carries
        base = current or Product(
            id=event.product_id,
            name=event.product_id,
            producer_id=event.producer_id,
            producer_name=await uow.repository.producer_name(event.producer_id),
        )
        product = base.model_copy(
            update={
                "certificate": from_mirror(update.certificate)
                if update.changed
                else base.certificate,
                "certificate_sequence": update.version,
            }
        )
        await self._settle(context, uow, product)

    async def on_listing(self, event: Listing, context: MessageContext) -> None:
        """Apply a catalogue product event (published, updated or withdrawn)."""
        uow = self._uow(context)
        sequence = context.envelope.sequence
        current = await uow.repository.find_product(event.product_id)
        applied = current.catalog_sequence if current else 0
        if not is_newer(sequence, applied):
            log.info("orders.stale_catalog_event", product_id=event.product_id, sequence=sequence)
            return
        withdrawn = isinstance(event, ProductWithdrawnV1)
        content: dict[str, object] = {
            "producer_id": event.producer_id,
            "listed_for_showrooms": not withdrawn and Channel.SHOWROOM in event.eligible_channels,
            "listed_for_marketplace": not withdrawn
            and Channel.MARKETPLACE in event.eligible_channels,
            "catalog_sequence": version_after(sequence, applied),
            "catalog_reason": event.reason if isinstance(event, ProductWithdrawnV1) else None,
            "key_farm_product": event.key_farm_product,
            "traceability_url": event.traceability_url,
        }
        if event.name != event.product_id:  # the catalogue's placeholder before it knows more
            content["name"] = event.name
        for name in (
            *("gtin", "unit", "suggested_price_vnd", "group_code"),
            *("description", "image_url", "pack_size", "province"),
        ):
            value = getattr(event, name)
            if value is not None:
                content[name] = value
        base = current or Product(
            id=event.product_id,
            name=event.name,
            producer_id=event.producer_id,
            producer_name=await uow.repository.producer_name(event.producer_id),
        )
        await self._settle(context, uow, base.model_copy(update=content))

    def handlers(self) -> HandlerRegistry:
        registry = HandlerRegistry()
        registry.add(ProducerRegisteredV1, self.on_producer_registered)
        registry.add(ProductRegisteredV1, self.on_product_registered)
        for contract in CERTIFICATE_EVENTS:
            registry.add(contract, self.on_certificate_event)
        registry.on(ProductPublishedV1, ProductUpdatedV1, ProductWithdrawnV1)(self.on_listing)
        return registry
