"""The one place where orders' domain events become published contracts.

Payloads are byte-for-byte those the service published before this module existed (the
JSON Schemas in `shared/schemas/` are snapshot-tested): field names, values and the
subject (Kafka key) and sequence of each stream.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ocop_orders.domain.events import (
    DomainEvent,
    ListingSynced,
    ListingSyncFailed,
    LotExpiring,
    OrderCancelled,
    OrderConfirmed,
    OrderDelivered,
    OrderPlaced,
    OrderRefunded,
    OrderReturned,
    OrderShipped,
    SaleRecorded,
    SaleReturnRecorded,
    SaleVoided,
    StockChanged,
    StockLow,
    WithdrawalCreated,
)
from ocop_orders.domain.model import Sale
from ocop_shared.contracts import orders as contracts
from ocop_shared.contracts.envelope import EventData

if TYPE_CHECKING:
    from ocop_orders.ecommerce.domain.model import EcomOrder


@dataclass(frozen=True)
class Outgoing:
    """A contract with its subject (the Kafka key) and, for versioned streams, the version."""

    data: EventData
    subject: str
    sequence: int | None = None


def to_contract(event: DomainEvent) -> Outgoing:
    match event:
        case SaleRecorded() | SaleReturnRecorded() | SaleVoided():
            return _sale(event)
        case StockChanged() | StockLow() | WithdrawalCreated() | LotExpiring():
            return _stock(event)
        case ListingSynced() | ListingSyncFailed():
            return _listing(event)
        case _:
            return _order(event)


def _sale(event: SaleRecorded | SaleReturnRecorded | SaleVoided) -> Outgoing:
    sale = event.sale
    data: EventData
    match event:
        case SaleRecorded():
            data = sale_recorded(sale)
        case SaleReturnRecorded():
            data = contracts.SaleReturnRecordedV1(
                return_id=event.return_id,
                sale_id=sale.id,
                receipt_number=sale.receipt_number,
                showroom_id=sale.showroom_id,
                channel=sale.channel,
                lines=[
                    contracts.ReturnLineV1(
                        product_id=line.product_id,
                        producer_id=line.producer_id,
                        quantity=line.quantity,
                        refund_vnd=line.refund_vnd,
                    )
                    for line in event.lines
                ],
                refund_vnd=event.refund_vnd,
                reason=event.reason,
                returned_at=event.at,
                trade_event_id=sale.trade_event_id,
                booth_code=sale.booth_code,
            )
        case SaleVoided():
            data = contracts.SaleVoidedV1(
                sale_id=sale.id,
                receipt_number=sale.receipt_number,
                showroom_id=sale.showroom_id,
                channel=sale.channel,
                total_vnd=sale.total_vnd,
                reason=event.reason,
                voided_at=event.at,
                trade_event_id=sale.trade_event_id,
                booth_code=sale.booth_code,
            )
    return Outgoing(data, subject=sale.id, sequence=sale.version)


def sale_recorded(sale: Sale) -> contracts.SaleRecordedV1:
    return contracts.SaleRecordedV1(
        sale_id=sale.id,
        receipt_number=sale.receipt_number,
        showroom_id=sale.showroom_id,
        channel=sale.channel,
        lines=[
            contracts.SaleLineV1(
                product_id=line.product_id,
                producer_id=line.producer_id,
                quantity=line.quantity,
                unit_price_vnd=line.unit_price_vnd,
                discount_vnd=line.discount_vnd,
                line_total_vnd=line.line_total_vnd,
                product_name=line.product_name,
            )
            for line in sale.lines
        ],
        total_vnd=sale.total_vnd,
        payment_method=sale.payment.method,
        sold_at=sale.sold_at,
        trade_event_id=sale.trade_event_id,
        booth_code=sale.booth_code,
        subtotal_vnd=sale.subtotal_vnd,
        discount_vnd=sale.discount_vnd,
        payment_reference=sale.payment.reference,
        kiosk_code=sale.kiosk_code,
    )


def _stock(event: StockChanged | StockLow | WithdrawalCreated | LotExpiring) -> Outgoing:
    match event:
        case StockChanged(showroom, product, movement, balance, delta, reference, at):
            changed = contracts.StockChangedV1(
                showroom_id=showroom.id,
                product_id=product.id,
                producer_id=product.producer_id,
                movement=movement,
                delta=delta,
                on_hand=balance.on_hand,
                reserved=balance.reserved,
                available=balance.available,
                quarantined=balance.quarantined,
                in_transit=balance.in_transit,
                reference=reference,
                changed_at=at,
            )
            return Outgoing(changed, f"{showroom.id}:{product.id}", balance.version)
        case StockLow(showroom, product, balance, threshold, at):
            low = contracts.StockLowV1(
                showroom_id=showroom.id,
                product_id=product.id,
                producer_id=product.producer_id,
                available=balance.available,
                threshold=threshold,
                detected_at=at,
            )
            return Outgoing(low, f"{showroom.id}:{product.id}", balance.version)
        case WithdrawalCreated(withdrawal):
            created = contracts.WithdrawalCreatedV1(
                withdrawal_id=withdrawal.id,
                showroom_id=withdrawal.showroom_id,
                product_id=withdrawal.product_id,
                producer_id=withdrawal.producer_id,
                quantity=withdrawal.quantity,
                reason=withdrawal.reason,
                certificate_id=withdrawal.certificate_id,
                created_at=withdrawal.created_at,
            )
            return Outgoing(created, f"{withdrawal.showroom_id}:{withdrawal.product_id}")
        case LotExpiring():
            expiring = contracts.LotExpiringV1(
                showroom_id=event.showroom_id,
                product_id=event.product_id,
                producer_id=event.producer_id,
                lot_id=event.lot_id,
                lot_code=event.lot_code,
                expires_on=event.expires_on,
                on_hand=event.on_hand,
                detected_at=event.at,
            )
            return Outgoing(expiring, f"{event.showroom_id}:{event.product_id}")


def _order_fields(order: EcomOrder, at: Any) -> dict[str, object]:
    """What every order event carries."""
    return {
        "order_id": order.id,
        "order_number": order.number,
        "channel": order.channel,
        "remote_order_id": order.remote_order_id,
        "total_vnd": order.total_vnd,
        "at": at,
        "fulfilment_showroom_id": order.fulfilment.showroom_id,
    }


def _order_lines(order: EcomOrder) -> list[contracts.OrderLineV1]:
    return [
        contracts.OrderLineV1(
            product_id=line.product_id,
            producer_id=line.producer_id,
            quantity=line.quantity,
            unit_price_vnd=line.unit_price_vnd,
            product_name=line.product_name,
        )
        for line in order.lines
    ]


def _order(event: DomainEvent) -> Outgoing:
    data: EventData
    match event:
        case OrderPlaced(order):
            placed = {
                "lines": _order_lines(order),
                "payment": order.payment,
                "buyer_province": order.buyer.address.province,
                "reserved_until": order.reserved_until,
            }
            fields = {**_order_fields(order, order.created_at), **placed}
            data = contracts.OrderPlacedV1.model_validate(fields)
        case OrderConfirmed(order):
            confirmed = {"lines": _order_lines(order), "payment": order.payment}
            fields = {**_order_fields(order, order.updated_at), **confirmed}
            data = contracts.OrderConfirmedV1.model_validate(fields)
        case OrderCancelled(order, at, reason, expired):
            fields = {"reason": reason, "expired": expired}
            data = contracts.OrderCancelledV1.model_validate({**_order_fields(order, at), **fields})
        case OrderRefunded(order, at, refund_vnd, reason):
            fields = {"refund_vnd": refund_vnd, "reason": reason}
            data = contracts.OrderRefundedV1.model_validate({**_order_fields(order, at), **fields})
        case OrderShipped(order, at, carrier, waybill, fee):
            fields = {"carrier": carrier, "waybill": waybill, "shipping_fee_vnd": fee}
            data = contracts.OrderShippedV1.model_validate({**_order_fields(order, at), **fields})
        case OrderDelivered(order, at, carrier, cod):
            fields = {"carrier": carrier, "cod_collected_vnd": cod}
            data = contracts.OrderDeliveredV1.model_validate({**_order_fields(order, at), **fields})
        case OrderReturned(order, at, carrier, reason):
            fields = {"carrier": carrier, "reason": reason}
            data = contracts.OrderReturnedV1.model_validate({**_order_fields(order, at), **fields})
        case _:
            raise TypeError(f"no contract for {type(event).__name__}")
    return Outgoing(data, subject=order.id, sequence=order.version)


def _listing(event: ListingSynced | ListingSyncFailed) -> Outgoing:
    listing = event.listing
    data: EventData
    match event:
        case ListingSynced():
            data = contracts.ListingSyncedV1(
                listing_id=listing.id,
                producer_id=listing.producer_id,
                product_id=listing.product_id,
                channel=listing.channel.value,
                state=event.state,
                remote_id=event.remote_id,
                operation=event.operation,
                synced_at=event.at,
                price_vnd=event.price_vnd,
            )
        case ListingSyncFailed():
            data = contracts.ListingSyncFailedV1(
                listing_id=listing.id,
                producer_id=listing.producer_id,
                product_id=listing.product_id,
                channel=listing.channel.value,
                operation=event.operation,
                error=event.error[:500],
                call_id=event.call_id,
                failed_at=event.at,
            )
    return Outgoing(data, subject=listing.id, sequence=listing.version + 1)
