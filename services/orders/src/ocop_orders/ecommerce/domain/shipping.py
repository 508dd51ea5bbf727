"""Shipping rules that do not depend on any carrier's wire format.

Viettel Post status codes map to one canonical shipment status; a code we do not know is
flagged for a person, never guessed. Payment rules pick ORDER_PAYMENT; text sent to the
carrier is cut to its byte limit without breaking a Vietnamese character.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from ocop_shared.contracts.orders import OrderPaymentKind
from ocop_shared.timeutil import VIETNAM


class ShipmentStatus(StrEnum):
    REQUESTED = "requested"
    """Our side recorded it; the carrier has not accepted it yet."""
    NEW = "new"
    RECEIVED = "received"
    CANCELLED = "cancelled"
    PICKUP_FAILED = "pickup_failed"
    PICKED_UP = "picked_up"
    AT_ORIGIN = "at_origin"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    RETURNING = "returning"
    DESTROYED = "destroyed"
    RETURNED = "returned"
    ON_HOLD = "on_hold"


SHIPMENT_LABELS: dict[ShipmentStatus, str] = {
    ShipmentStatus.REQUESTED: "Đang gửi yêu cầu",
    ShipmentStatus.NEW: "Đơn mới tạo",
    ShipmentStatus.RECEIVED: "Hãng đã tiếp nhận",
    ShipmentStatus.CANCELLED: "Đã huỷ vận đơn",
    ShipmentStatus.PICKUP_FAILED: "Lấy hàng không thành công",
    ShipmentStatus.PICKED_UP: "Đã lấy hàng",
    ShipmentStatus.AT_ORIGIN: "Đã nhập bưu cục gốc",
    ShipmentStatus.IN_TRANSIT: "Đang vận chuyển",
    ShipmentStatus.OUT_FOR_DELIVERY: "Đang giao hàng",
    ShipmentStatus.DELIVERED: "Giao thành công",
    ShipmentStatus.RETURNING: "Đang chuyển hoàn",
    ShipmentStatus.DESTROYED: "Đã tiêu huỷ",
    ShipmentStatus.RETURNED: "Đã hoàn về người gửi",
    ShipmentStatus.ON_HOLD: "Chờ xử lý / giao lại",
}

_EXACT: dict[int, ShipmentStatus] = {
    -100: ShipmentStatus.NEW,
    -108: ShipmentStatus.NEW,  # sent from a post office counter: still a new order
    100: ShipmentStatus.RECEIVED,
    101: ShipmentStatus.CANCELLED,
    102: ShipmentStatus.PICKUP_FAILED,
    103: ShipmentStatus.RECEIVED,
    104: ShipmentStatus.RECEIVED,
    105: ShipmentStatus.PICKED_UP,
    107: ShipmentStatus.CANCELLED,
    200: ShipmentStatus.AT_ORIGIN,
    201: ShipmentStatus.CANCELLED,
    500: ShipmentStatus.OUT_FOR_DELIVERY,
    501: ShipmentStatus.DELIVERED,
    502: ShipmentStatus.RETURNING,
    503: ShipmentStatus.DESTROYED,
    504: ShipmentStatus.RETURNED,
}

CANCELLING_CODES = frozenset({101, 107, 201})
"""Carrier codes after which the order is cancelled (by the carrier, by us, or the waybill)."""


def canonical_status(code: int) -> ShipmentStatus | None:
    """The canonical status of a Viettel Post code, or None when unknown (flag it)."""
    if code in _EXACT:
        return _EXACT[code]
    if 300 <= code <= 403:
        return ShipmentStatus.IN_TRANSIT
    if 505 <= code <= 508:
        return ShipmentStatus.ON_HOLD
    return None


# Where each status sits in a parcel's life; ties in the carrier's (one-second) timestamps are
# broken by this order, so two pushes of the same second never move a shipment backwards.
_LIFECYCLE: tuple[ShipmentStatus, ...] = (
    ShipmentStatus.REQUESTED,
    ShipmentStatus.NEW,
    ShipmentStatus.RECEIVED,
    ShipmentStatus.PICKUP_FAILED,
    ShipmentStatus.PICKED_UP,
    ShipmentStatus.AT_ORIGIN,
    ShipmentStatus.IN_TRANSIT,
    ShipmentStatus.OUT_FOR_DELIVERY,
    ShipmentStatus.ON_HOLD,
    ShipmentStatus.RETURNING,
    ShipmentStatus.DELIVERED,
    ShipmentStatus.RETURNED,
    ShipmentStatus.DESTROYED,
    ShipmentStatus.CANCELLED,
)


def lifecycle_place(code: int) -> int:
    """Where a carrier code sits in the parcel's life (unknown codes: first)."""
    status = canonical_status(code)
    return -1 if status is None else _LIFECYCLE.index(status)


def is_stale_push(at: datetime, code: int, last_at: datetime | None, last_code: int | None) -> bool:
    """A push that must not move the shipment: older than the last applied one, or of the
    same second (the carrier's precision) and earlier in the parcel's life."""
    if last_at is None:
        return False
    if at != last_at:
        return at < last_at
    return last_code is not None and lifecycle_place(code) < lifecycle_place(last_code)


def cancellable_at_carrier(code: int | None) -> bool:
    """Viettel Post cancels (UpdateOrder TYPE=4) only before the goods are picked up."""
    if code is None:
        return True
    return code < 105


def order_payment(payment: OrderPaymentKind, buyer_pays_shipping: bool) -> int:
    """ORDER_PAYMENT: 1 no collection, 2 goods + fee, 3 goods only, 4 fee only.

    Prepaid orders collect nothing; cash on delivery collects the goods, plus the fee
    when the buyer pays shipping (otherwise the shop pays it: "goods only").
    """
    if payment is OrderPaymentKind.PREPAID:
        return 1
    return 2 if buyer_pays_shipping else 3


def truncate_bytes(text: str | None, limit: int = 150) -> str:
    """At most `limit` bytes of UTF-8, cut at a character boundary (Vietnamese is multi-byte)."""
    if not text:
        return ""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[:limit].decode("utf-8", errors="ignore")


def parse_status_date(value: str) -> datetime:
    """Viettel Post's "dd/MM/yyyy HH:mm:ss" in Vietnam time, as an aware datetime."""
    return datetime.strptime(value.strip(), "%d/%m/%Y %H:%M:%S").replace(tzinfo=VIETNAM)


def format_status_date(at: datetime) -> str:
    return at.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M:%S")


class TrackingEntry(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: int
    name: str | None
    status: ShipmentStatus | None
    at: datetime
    received_at: datetime
    note: str | None = None
    applied: bool
    stale: bool = False
    unknown: bool = False


class Shipment(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    order_id: str
    order_number: str
    carrier: str = "viettelpost"
    service: str
    status: ShipmentStatus
    carrier_code: int | None = None
    last_status_at: datetime | None = None
    waybill: str | None = None
    fee_vnd: int | None = None
    money_collection_vnd: int = 0
    order_payment: int
    weight_g: int
    last_error: str | None = None
    needs_attention: bool = False
    """An unknown carrier code arrived: a person decides what it means."""
    override_reason: str | None = None
    """Why a person sent it although a product was withdrawn after the order."""
    override_by: str | None = None
    created_at: datetime
    updated_at: datetime
    version: int = 1

    @property
    def status_label(self) -> str:
        return SHIPMENT_LABELS[self.status]
