"""Events published by the orders service (showrooms, point of sale, e-commerce)."""

from __future__ import annotations

from datetime import datetime
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
