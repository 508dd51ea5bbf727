"""Certification and catalogue events → the product read model, and withdrawals when a
product may no longer be sold.

Each handler runs in the consumer's transaction with the inbox record. Certificate events
older than what the product shows (envelope ``sequence`` = certification version) and
catalogue events older than its catalogue version are ignored. A revoked or expired
certificate blocks sales at once (the till reads the product in its transaction) and moves
the shelf stock of every showroom into quarantine with a withdrawal to handle.

Each handler is a plain async function `(event: <Contract>, context: MessageContext)`;
`HANDLERS` maps event types to them for `run_consumer`. The settings and clock are the
consumer process's: `entrypoints.consumer.consume` binds them once with `bound(...)`
(a context variable, so consumers of different settings in one test process stay apart).
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TypeVar

import structlog

from ocop_orders.config import OrdersSettings
from ocop_orders.domain.eligibility import block_reason
from ocop_orders.domain.model import CertificateInfo, Product
from ocop_orders.ecommerce.service_layer.orders import cancel_orders_holding
from ocop_orders.marketplace.service_layer.listings import follow_product
from ocop_orders.service_layer.unit_of_work import UnitOfWork, unit_of_work
from ocop_orders.showroom.service_layer.withdrawals import withdraw_from_shelf
from ocop_shared.contracts.catalog import (
    CertificateStatus,
    Channel,
    ProductPublishedV1,
    ProductUpdatedV1,
    ProductWithdrawnV1,
)
from ocop_shared.contracts.certification import (
    CertificateExpiredV1,
    CertificateIssuedV1,
    CertificateRevokedV1,
    ProducerRegisteredV1,
    ProductRegisteredV1,
)
from ocop_shared.contracts.envelope import EventData
from ocop_shared.messaging.consumer import Handler, MessageContext
from ocop_shared.timeutil import Clock

log = structlog.get_logger(__name__)

SYNC_ACTOR = "he-thong:dong-bo-chung-nhan"


@dataclass(frozen=True)
class ConsumerDeps:
    """What the handlers need beyond the message context."""

    settings: OrdersSettings
    clock: Clock


_deps: ContextVar[ConsumerDeps] = ContextVar("orders_consumer_deps")


@contextlib.contextmanager
def bound(settings: OrdersSettings, clock: Clock | None = None) -> Iterator[ConsumerDeps]:
    """Give the handlers run inside this block (and the tasks it starts) their settings."""
    deps = ConsumerDeps(settings, clock or Clock())
    token = _deps.set(deps)
    try:
        yield deps
    finally:
        _deps.reset(token)


def _uow(context: MessageContext) -> tuple[UnitOfWork, ConsumerDeps]:
    deps = _deps.get()
    uow = unit_of_work(
        context.db,
        context.session,
        context.outbox,
        deps.settings,
        now=deps.clock.now(),
        by=SYNC_ACTOR,
        causation_id=str(context.envelope.id),
    )
    return uow, deps


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


async def on_producer_registered(event: ProducerRegisteredV1, context: MessageContext) -> None:
    """A producer's name reaches its products in the read model."""
    uow, _ = _uow(context)
    await uow.repository.save_producer(event.producer_id, event.name)
    for product in await uow.repository.products_of_producer(event.producer_id):
        await uow.repository.save_product(product.model_copy(update={"producer_name": event.name}))


async def on_product_registered(event: ProductRegisteredV1, context: MessageContext) -> None:
    """A product registered with certification enters the read model (name, GTIN, group)."""
    uow, _ = _uow(context)
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
        current.model_copy(update=content) if current else Product(id=event.product_id, **content)
    )
    await uow.repository.save_product(product)


async def _certificate_change(
    context: MessageContext,
    product_id: str,
    producer_id: str,
    change: Callable[[CertificateInfo | None], CertificateInfo | None],
) -> None:
    uow, deps = _uow(context)
    # Without a sequence there is no ordering to check: apply (partition order holds).
    sequence = context.envelope.sequence
    current = await uow.repository.find_product(product_id)
    if current is not None and sequence is not None and current.certificate_sequence >= sequence:
        log.info("orders.stale_certificate_event", product_id=product_id, sequence=sequence)
        return
    base = current or Product(
        id=product_id,
        name=product_id,
        producer_id=producer_id,
        producer_name=await uow.repository.producer_name(producer_id),
    )
    product = base.model_copy(
        update={
            "certificate": change(base.certificate),
            "certificate_sequence": sequence if sequence is not None else base.certificate_sequence,
        }
    )
    await uow.repository.save_product(product)
    await withdraw_where_blocked(uow, product, deps.clock)
    await follow_product(context, uow, product, deps.settings)


async def on_certificate_issued(event: CertificateIssuedV1, context: MessageContext) -> None:
    """A new certificate makes the product sellable again (if the catalogue agrees)."""
    info = CertificateInfo(
        certificate_id=event.certificate_id,
        number=event.certificate_number,
        stars=event.stars,
        valid_until=event.valid_until,
        status=CertificateStatus.ACTIVE,
        valid_from=event.valid_from,
    )
    await _certificate_change(context, event.product_id, event.producer_id, lambda _: info)


def _ended(
    certificate_id: str, number: str, status: CertificateStatus, reason: str
) -> Callable[[CertificateInfo | None], CertificateInfo | None]:
    def change(current: CertificateInfo | None) -> CertificateInfo | None:
        if current is not None and current.certificate_id != certificate_id:
            return current  # an older certificate ended: the current one stands
        if current is None:
            return CertificateInfo(
                certificate_id=certificate_id, number=number, status=status, reason=reason
            )
        return current.model_copy(update={"status": status, "reason": reason})

    return change


async def on_certificate_revoked(event: CertificateRevokedV1, context: MessageContext) -> None:
    """A revocation blocks sales at once and withdraws the shelf stock everywhere."""
    reason = f"Thu hồi theo QĐ {event.decision_number}: {event.reason}"
    change = _ended(
        event.certificate_id, event.certificate_number, CertificateStatus.REVOKED, reason
    )
    await _certificate_change(context, event.product_id, event.producer_id, change)


async def on_certificate_expired(event: CertificateExpiredV1, context: MessageContext) -> None:
    """An expired certificate blocks sales and withdraws the shelf stock everywhere."""
    reason = f"Hết hiệu lực từ ngày {event.expired_on:%d/%m/%Y}"
    change = _ended(
        event.certificate_id, event.certificate_number, CertificateStatus.EXPIRED, reason
    )
    await _certificate_change(context, event.product_id, event.producer_id, change)


async def on_listing(
    event: ProductPublishedV1 | ProductUpdatedV1 | ProductWithdrawnV1, context: MessageContext
) -> None:
    """Apply a catalogue product event (published, updated or withdrawn)."""
    uow, deps = _uow(context)
    sequence = context.envelope.sequence
    current = await uow.repository.find_product(event.product_id)
    if current is not None and sequence is not None and current.catalog_sequence >= sequence:
        log.info("orders.stale_catalog_event", product_id=event.product_id, sequence=sequence)
        return
    withdrawn = isinstance(event, ProductWithdrawnV1)
    content: dict[str, object] = {
        "producer_id": event.producer_id,
        "listed_for_showrooms": not withdrawn and Channel.SHOWROOM in event.eligible_channels,
        "listed_for_marketplace": not withdrawn and Channel.MARKETPLACE in event.eligible_channels,
        "catalog_sequence": sequence
        if sequence is not None
        else (current.catalog_sequence if current else 0),
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
    product = base.model_copy(update=content)
    await uow.repository.save_product(product)
    await withdraw_where_blocked(uow, product, deps.clock)
    await follow_product(context, uow, product, deps.settings)


E = TypeVar("E", bound=EventData)


def _handler(contract: type[E], handle: Callable[[E, MessageContext], Awaitable[None]]) -> Handler:
    """`handle` as the runner's `Handler`: the decoded event is checked to be a `contract`."""

    async def dispatch(event: EventData, context: MessageContext) -> None:
        assert isinstance(event, contract)
        await handle(event, context)

    return dispatch


HANDLERS: Mapping[str, Handler] = {
    ProducerRegisteredV1.event_type: _handler(ProducerRegisteredV1, on_producer_registered),
    ProductRegisteredV1.event_type: _handler(ProductRegisteredV1, on_product_registered),
    CertificateIssuedV1.event_type: _handler(CertificateIssuedV1, on_certificate_issued),
    CertificateRevokedV1.event_type: _handler(CertificateRevokedV1, on_certificate_revoked),
    CertificateExpiredV1.event_type: _handler(CertificateExpiredV1, on_certificate_expired),
    ProductPublishedV1.event_type: _handler(ProductPublishedV1, on_listing),
    ProductUpdatedV1.event_type: _handler(ProductUpdatedV1, on_listing),
    ProductWithdrawnV1.event_type: _handler(ProductWithdrawnV1, on_listing),
}
