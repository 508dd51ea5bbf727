"""E-commerce orders: what a buyer ordered through a channel, and the steps it may take.

An order is taken in with its stock reserved (``placed``); staff confirm it (the reservation
becomes a sale), the carrier takes it (``shipped``) and reports it ``delivered`` or
``returned``; money can then be ``refunded``. An unconfirmed order whose reservation times
out is ``expired``. Every step is checked here, so an illegal one names the current state.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from ocop_orders.domain.labels import TITLES
from ocop_shared.contracts.orders import OrderChannel, OrderPaymentKind
from ocop_shared.errors import InvalidStateError
from ocop_shared.text import MultilineText
from ocop_shared.text import Text as CleanText


class OrderState(StrEnum):
    PLACED = "placed"
    CONFIRMED = "confirmed"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    RETURNED = "returned"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    REFUNDED = "refunded"


STATE_LABELS: dict[OrderState, str] = {
    OrderState.PLACED: "Chờ xác nhận (đang giữ hàng)",
    OrderState.CONFIRMED: "Đã xác nhận",
    OrderState.SHIPPED: "Đã giao cho hãng vận chuyển",
    OrderState.DELIVERED: "Đã giao đến người mua",
    OrderState.RETURNED: "Đã hoàn về người gửi",
    OrderState.CANCELLED: "Đã huỷ",
    OrderState.EXPIRED: "Hết hạn giữ hàng",
    OrderState.REFUNDED: "Đã hoàn tiền",
}

ALLOWED: dict[OrderState, frozenset[OrderState]] = {
    OrderState.PLACED: frozenset({OrderState.CONFIRMED, OrderState.CANCELLED, OrderState.EXPIRED}),
    OrderState.CONFIRMED: frozenset({OrderState.SHIPPED, OrderState.CANCELLED}),
    OrderState.SHIPPED: frozenset(
        {OrderState.DELIVERED, OrderState.RETURNED, OrderState.CANCELLED}
    ),
    OrderState.DELIVERED: frozenset({OrderState.RETURNED, OrderState.REFUNDED}),
    OrderState.RETURNED: frozenset({OrderState.REFUNDED}),
    OrderState.CANCELLED: frozenset(),
    OrderState.EXPIRED: frozenset(),
    OrderState.REFUNDED: frozenset(),
}

ACTION_LABELS: dict[OrderState, str] = {
    OrderState.CONFIRMED: "xác nhận",
    OrderState.SHIPPED: "giao cho hãng vận chuyển",
    OrderState.DELIVERED: "ghi nhận đã giao",
    OrderState.RETURNED: "ghi nhận hoàn hàng",
    OrderState.CANCELLED: "huỷ",
    OrderState.EXPIRED: "giải phóng hàng giữ",
    OrderState.REFUNDED: "hoàn tiền",
}


class IllegalOrderStepError(InvalidStateError):
    """The order cannot take this step from its current state (409, naming the state)."""

    code = "illegal-order-step"
    title = "Không thể thực hiện ở trạng thái hiện tại"

    def __init__(self, current: OrderState, target: OrderState) -> None:
        super().__init__(
            f"Không thể {ACTION_LABELS[target]} đơn hàng đang ở trạng thái "
            f"“{STATE_LABELS[current]}” ({current.value})",
            field="state",
        )
        self.current_state = current.value


def check_step(current: OrderState, target: OrderState) -> None:
    if target not in ALLOWED[current]:
        raise IllegalOrderStepError(current, target)


Text = Annotated[CleanText, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Phone = Annotated[
    CleanText, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9 .-]{8,16}$")
]


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", field_title_generator=TITLES)


class Address(_Strict):
    """Two-level address (since July 2025): province and commune; district only if known."""

    province: Text
    commune: Text
    street: Text
    district: Text | None = None
    province_code: int | None = Field(default=None, ge=0)
    """The carrier's id of the province, when known."""
    commune_code: int | None = Field(default=None, ge=0)

    def one_line(self) -> str:
        parts = [self.street, self.commune, self.district, self.province]
        return ", ".join(p for p in parts if p)


class Buyer(_Strict):
    name: Text
    phone: Phone
    address: Address
    email: Annotated[CleanText, StringConstraints(max_length=200)] | None = None


class OrderLineIn(_Strict):
    product_id: Annotated[CleanText, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
    quantity: int = Field(gt=0, le=10_000)
    unit_price_vnd: int = Field(ge=0, le=1_000_000_000)


class Fulfilment(_Strict):
    """Where the goods leave from: a showroom's shelves or the producer's own stock."""

    kind: Literal["showroom", "producer"]
    showroom_id: (
        Annotated[CleanText, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")] | None
    ) = None

    @model_validator(mode="after")
    def _showroom_named(self) -> Fulfilment:
        if self.kind == "showroom" and not self.showroom_id:
            raise ValueError("showroom_id is required when kind is showroom")
        if self.kind == "producer" and self.showroom_id:
            raise ValueError("showroom_id must be empty when kind is producer")
        return self


RemoteId = Annotated[CleanText, StringConstraints(pattern=r"^[A-Za-z0-9_.:-]{1,100}$")]


class OrderBody(_Strict):
    """An order as staff enter it (the Idempotency-Key header is its remote id)."""

    buyer: Buyer
    lines: list[OrderLineIn] = Field(min_length=1, max_length=100)
    payment: OrderPaymentKind
    shipping_fee_vnd: int = Field(default=0, ge=0, le=100_000_000)
    buyer_pays_shipping: bool = True
    """For cash on delivery: the carrier collects the shipping fee too (ORDER_PAYMENT 2)."""
    fulfilment: Fulfilment
    note: Annotated[MultilineText, StringConstraints(max_length=500)] | None = None


class PlaceOrder(OrderBody):
    """An order as a channel (or staff) hands it to us."""

    remote_order_id: RemoteId


class OrderLine(BaseModel):
    model_config = ConfigDict(frozen=True)

    product_id: str
    product_name: str
    producer_id: str
    quantity: int
    unit_price_vnd: int
    line_total_vnd: int
    lots: list[tuple[str, int]] = []
    """(lot id, units) taken from the showroom at confirmation (for returns)."""


class StepRecord(BaseModel):
    """The audit trail: who moved the order, when, from what to what, and why."""

    model_config = ConfigDict(frozen=True)

    at: datetime
    by: str
    from_state: OrderState | None
    to_state: OrderState
    note: str | None = None


class EcomOrder(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    number: str
    """Our order number: the ORDER_NUMBER given to the carrier (its idempotency key)."""
    channel: OrderChannel
    remote_order_id: str
    buyer: Buyer
    lines: list[OrderLine]
    payment: OrderPaymentKind
    buyer_pays_shipping: bool = True
    subtotal_vnd: int
    shipping_fee_vnd: int = 0
    total_vnd: int
    fulfilment: Fulfilment
    state: OrderState
    reserved_until: datetime
    note: str | None = None
    refund_vnd: int | None = None
    refund_reason: str | None = None
    cancel_reason: str | None = None
    created_at: datetime
    updated_at: datetime
    created_by: str
    history: list[StepRecord] = []
    version: int = 1

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def producer_ids(self) -> list[str]:
        return sorted({line.producer_id for line in self.lines})


class CancelOrder(_Strict):
    reason: Annotated[
        CleanText, StringConstraints(strip_whitespace=True, min_length=3, max_length=300)
    ]


class RefundOrder(_Strict):
    amount_vnd: int = Field(gt=0, le=1_000_000_000)
    reason: Annotated[
        CleanText, StringConstraints(strip_whitespace=True, min_length=3, max_length=300)
    ]


class SetProducerStock(_Strict):
    quantity: int = Field(ge=0, le=1_000_000)
