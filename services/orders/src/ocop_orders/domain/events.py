"""Domain events raised by orders' model: what happened, in the model's own terms.

`adapters/contract_mapping.py` turns each into the published contract; the unit of work's
`publish` writes it to the outbox in the same transaction. Every feature's events are here,
so one module lists everything the service announces.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from ocop_orders.domain.model import Balance, Product, Sale, Showroom, Withdrawal
from ocop_shared.contracts.orders import ListingState, StockMovement

if TYPE_CHECKING:  # the features' aggregates (annotations only: no import arrow at run time)
    from ocop_orders.ecommerce.domain.model import EcomOrder
    from ocop_orders.marketplace.domain.listings import Listing


# -- showroom sales ---------------------------------------------------------------------------
@dataclass(frozen=True)
class SaleRecorded:
    sale: Sale


@dataclass(frozen=True)
class ReturnedUnits:
    product_id: str
    producer_id: str
    quantity: int
    refund_vnd: int


@dataclass(frozen=True)
class SaleReturnRecorded:
    """``sale`` as it is after the return."""

    sale: Sale
    return_id: str
    lines: tuple[ReturnedUnits, ...]
    refund_vnd: int
    reason: str
    at: datetime


@dataclass(frozen=True)
class SaleVoided:
    """``sale`` as it is after the void."""

    sale: Sale
    reason: str
    at: datetime


# -- stock ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StockChanged:
    showroom: Showroom
    product: Product
    movement: StockMovement
    balance: Balance
    delta: int
    reference: str | None
    at: datetime


@dataclass(frozen=True)
class StockLow:
    showroom: Showroom
    product: Product
    balance: Balance
    threshold: int
    at: datetime


@dataclass(frozen=True)
class WithdrawalCreated:
    withdrawal: Withdrawal


@dataclass(frozen=True)
class LotExpiring:
    showroom_id: str
    product_id: str
    producer_id: str
    lot_id: str
    lot_code: str
    expires_on: date
    on_hand: int
    at: datetime


# -- online orders ----------------------------------------------------------------------------
@dataclass(frozen=True)
class OrderPlaced:
    order: EcomOrder


@dataclass(frozen=True)
class OrderConfirmed:
    order: EcomOrder


@dataclass(frozen=True)
class OrderCancelled:
    order: EcomOrder
    at: datetime
    reason: str
    expired: bool


@dataclass(frozen=True)
class OrderRefunded:
    order: EcomOrder
    at: datetime
    refund_vnd: int
    reason: str


@dataclass(frozen=True)
class OrderShipped:
    order: EcomOrder
    at: datetime
    carrier: str
    waybill: Any
    shipping_fee_vnd: int | None


@dataclass(frozen=True)
class OrderDelivered:
    order: EcomOrder
    at: datetime
    carrier: str
    cod_collected_vnd: Any


@dataclass(frozen=True)
class OrderReturned:
    order: EcomOrder
    at: datetime
    carrier: str
    reason: Any


# -- marketplace listings ---------------------------------------------------------------------
@dataclass(frozen=True)
class ListingSynced:
    """``listing`` as it was before the settled call (the contract carries version + 1)."""

    listing: Listing
    state: ListingState
    remote_id: str | None
    operation: str
    at: datetime
    price_vnd: Any


@dataclass(frozen=True)
class ListingSyncFailed:
    listing: Listing
    operation: str
    error: str
    call_id: str
    at: datetime


DomainEvent = (
    SaleRecorded
    | SaleReturnRecorded
    | SaleVoided
    | StockChanged
    | StockLow
    | WithdrawalCreated
    | LotExpiring
    | OrderPlaced
    | OrderConfirmed
    | OrderCancelled
    | OrderRefunded
    | OrderShipped
    | OrderDelivered
    | OrderReturned
    | ListingSynced
    | ListingSyncFailed
)
