"""Events published by the orders service (showrooms, point of sale, e-commerce)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar

from pydantic import Field

from ocop_shared.contracts.envelope import EventData
from ocop_shared.contracts.registry import register

SALES_TOPIC = "ocop.orders.sales"


class SalesChannel(StrEnum):
    SHOWROOM = "showroom"
    FAIR = "fair"
    MARKETPLACE = "marketplace"


class PaymentMethod(StrEnum):
    CASH = "cash"
    BANK_TRANSFER = "bank_transfer"
    CARD = "card"


class SaleLineV1(EventData):
    """One line of a sale; money in whole VND."""

    product_id: str
    producer_id: str
    quantity: int = Field(gt=0)
    unit_price_vnd: int = Field(ge=0)
    discount_vnd: int = Field(default=0, ge=0)
    line_total_vnd: int = Field(ge=0)
    product_name: str | None = None


@register
class SaleRecordedV1(EventData):
    """Sent when a sale is completed at a showroom till, a fair booth or through a marketplace."""

    event_type: ClassVar[str] = "ocop.orders.sale.recorded.v1"
    topic: ClassVar[str] = SALES_TOPIC

    sale_id: str
    receipt_number: str
    showroom_id: str
    channel: SalesChannel
    lines: list[SaleLineV1] = Field(min_length=1)
    total_vnd: int = Field(ge=0)
    payment_method: PaymentMethod
    sold_at: datetime
    trade_event_id: str | None = None
    """The fair or sales week the sale belongs to, when sold at a fair booth."""
    booth_code: str | None = None
    subtotal_vnd: int | None = Field(default=None, ge=0)
    """Before discounts; `total_vnd` is what the customer paid."""
    discount_vnd: int | None = Field(default=None, ge=0)
    payment_reference: str | None = None
    """Bank transfer (VietQR) content or card approval code."""
    kiosk_code: str | None = None


STOCK_TOPIC = "ocop.orders.stock"


class StockMovement(StrEnum):
    RECEIPT = "receipt"
    SALE = "sale"
    RETURN = "return"
    VOID = "void"
    TRANSFER_OUT = "transfer_out"
    TRANSFER_IN = "transfer_in"
    ADJUSTMENT = "adjustment"
    QUARANTINE = "quarantine"
    RELEASE = "release"
    RETURN_TO_PRODUCER = "return_to_producer"


@register
class SaleVoidedV1(EventData):
    """Sent when a completed sale is voided at the till (all its stock goes back)."""

    event_type: ClassVar[str] = "ocop.orders.sale.voided.v1"
    topic: ClassVar[str] = SALES_TOPIC

    sale_id: str
    receipt_number: str
    showroom_id: str
    channel: SalesChannel
    total_vnd: int = Field(ge=0)
    reason: str
    voided_at: datetime
    trade_event_id: str | None = None
    booth_code: str | None = None


class ReturnLineV1(EventData):
    """One returned line; the refund is in whole VND."""

    product_id: str
    producer_id: str
    quantity: int = Field(gt=0)
    refund_vnd: int = Field(ge=0)


@register
class SaleReturnRecordedV1(EventData):
    """Sent when a customer returns goods from an earlier sale."""

    event_type: ClassVar[str] = "ocop.orders.sale.return_recorded.v1"
    topic: ClassVar[str] = SALES_TOPIC

    return_id: str
    sale_id: str
    receipt_number: str
    showroom_id: str
    channel: SalesChannel
    lines: list[ReturnLineV1] = Field(min_length=1)
    refund_vnd: int = Field(ge=0)
    reason: str
    returned_at: datetime
    trade_event_id: str | None = None
    booth_code: str | None = None


@register
class StockChangedV1(EventData):
    """Sent after every stock movement of a product at a showroom, with the new balances."""

    event_type: ClassVar[str] = "ocop.orders.stock.changed.v1"
    topic: ClassVar[str] = STOCK_TOPIC

    showroom_id: str
    product_id: str
    producer_id: str
    movement: StockMovement
    delta: int
    on_hand: int = Field(ge=0)
    reserved: int = Field(ge=0)
    available: int = Field(ge=0)
    quarantined: int = Field(ge=0)
    in_transit: int = Field(ge=0)
    reference: str | None = None
    changed_at: datetime


@register
class StockLowV1(EventData):
    """Sent when a product's available stock at a showroom falls below its threshold."""

    event_type: ClassVar[str] = "ocop.orders.stock.low.v1"
    topic: ClassVar[str] = STOCK_TOPIC

    showroom_id: str
    product_id: str
    producer_id: str
    available: int = Field(ge=0)
    threshold: int = Field(ge=0)
    detected_at: datetime


@register
class WithdrawalCreatedV1(EventData):
    """Sent when a product's stock at a showroom is withdrawn to quarantine (e.g. revoked)."""

    event_type: ClassVar[str] = "ocop.orders.withdrawal.created.v1"
    topic: ClassVar[str] = STOCK_TOPIC

    withdrawal_id: str
    showroom_id: str
    product_id: str
    producer_id: str
    quantity: int = Field(ge=0)
    reason: str
    certificate_id: str | None = None
    created_at: datetime


@register
class LotExpiringV1(EventData):
    """Sent once per lot when its expiry date comes within the showroom's warning window."""

    event_type: ClassVar[str] = "ocop.orders.lot.expiring.v1"
    topic: ClassVar[str] = STOCK_TOPIC

    showroom_id: str
    product_id: str
    producer_id: str
    lot_id: str
    lot_code: str
    expires_on: date
    on_hand: int = Field(ge=0)
    detected_at: datetime


# -- e-commerce orders (issue 6, part B) -----------------------------------------------------
ECOMMERCE_ORDERS_TOPIC = "ocop.orders.ecommerce-orders"


class OrderChannel(StrEnum):
    POSTMART = "postmart"
    VOSO = "voso"
    WEB = "web"
    """Entered by staff (phone, Zalo, walk-in online orders)."""


class OrderPaymentKind(StrEnum):
    COD = "cod"
    PREPAID = "prepaid"


class OrderLineV1(EventData):
    """One line of an e-commerce order; money in whole VND."""

    product_id: str
    producer_id: str
    quantity: int = Field(gt=0)
    unit_price_vnd: int = Field(ge=0)
    product_name: str | None = None


class _OrderEvent(EventData):
    topic: ClassVar[str] = ECOMMERCE_ORDERS_TOPIC

    order_id: str
    order_number: str
    channel: OrderChannel
    remote_order_id: str
    total_vnd: int = Field(ge=0)
    at: datetime
    fulfilment_showroom_id: str | None = None
    """None when the producer ships from its own stock."""


@register
class OrderPlacedV1(_OrderEvent):
    """Sent when an e-commerce order is taken in and its stock reserved."""

    event_type: ClassVar[str] = "ocop.orders.order.placed.v1"

    lines: list[OrderLineV1] = Field(min_length=1)
    payment: OrderPaymentKind
    buyer_province: str
    reserved_until: datetime


@register
class OrderConfirmedV1(_OrderEvent):
    """Sent when staff confirm an order: its reservation became a sale in the ledger."""

    event_type: ClassVar[str] = "ocop.orders.order.confirmed.v1"

    lines: list[OrderLineV1] = Field(min_length=1)
    payment: OrderPaymentKind


@register
class OrderCancelledV1(_OrderEvent):
    """Sent when an order is cancelled (by staff, the carrier, or its reservation expiring)."""

    event_type: ClassVar[str] = "ocop.orders.order.cancelled.v1"

    reason: str
    expired: bool = False


@register
class OrderShippedV1(_OrderEvent):
    """Sent when the carrier accepted the shipment (a waybill exists)."""

    event_type: ClassVar[str] = "ocop.orders.order.shipped.v1"

    carrier: str
    waybill: str | None = None
    shipping_fee_vnd: int | None = Field(default=None, ge=0)


@register
class OrderDeliveredV1(_OrderEvent):
    """Sent when the carrier reports the order delivered to the buyer."""

    event_type: ClassVar[str] = "ocop.orders.order.delivered.v1"

    carrier: str
    cod_collected_vnd: int | None = Field(default=None, ge=0)


@register
class OrderReturnedV1(_OrderEvent):
    """Sent when the goods came back to the sender (carrier status 504); stock is back."""

    event_type: ClassVar[str] = "ocop.orders.order.returned.v1"

    carrier: str
    reason: str | None = None


@register
class OrderRefundedV1(_OrderEvent):
    """Sent when money is paid back to the buyer of a delivered or returned order."""

    event_type: ClassVar[str] = "ocop.orders.order.refunded.v1"

    refund_vnd: int = Field(ge=0)
    reason: str


# -- end of e-commerce orders ----------------------------------------------------------------


# --- Marketplace listings (Postmart, Voso) -------------------------------------------------

LISTINGS_TOPIC = "ocop.orders.listings"


class ListingState(StrEnum):
    LISTED = "listed"
    DELISTED = "delisted"


@register
class ListingSyncedV1(EventData):
    """Sent when a marketplace confirmed a listing change (listed/updated or delisted)."""

    event_type: ClassVar[str] = "ocop.orders.listing.synced.v1"
    topic: ClassVar[str] = LISTINGS_TOPIC

    listing_id: str
    producer_id: str
    product_id: str
    channel: str
    """Marketplace: postmart or voso."""
    state: ListingState
    remote_id: str | None = None
    operation: str
    synced_at: datetime
    price_vnd: int | None = Field(default=None, ge=0)


@register
class ListingSyncFailedV1(EventData):
    """Sent when a marketplace call about a listing was parked for a person to fix."""

    event_type: ClassVar[str] = "ocop.orders.listing.sync_failed.v1"
    topic: ClassVar[str] = LISTINGS_TOPIC

    listing_id: str
    producer_id: str
    product_id: str
    channel: str
    operation: str
    error: str
    call_id: str
    failed_at: datetime
