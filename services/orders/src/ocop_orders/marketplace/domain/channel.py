"""The channel port: what the orders service needs from a marketplace (Postmart, Voso).

Typed values of the partner contract (docs/MARKETPLACE_PARTNER_API.md); adapters turn
HTTP into these. Consumers of the partner's data are tolerant (unknown fields ignored).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field


class _Remote(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class RemotePayment(StrEnum):
    COD = "cod"
    PREPAID = "prepaid"


class RemoteAddress(_Remote):
    province: str
    commune: str
    street: str
    district: str | None = None
    """Legacy (before 1/7/2025); usually absent."""


class RemoteBuyer(_Remote):
    name: str
    phone: str
    address: RemoteAddress


class RemoteOrderLine(_Remote):
    remote_listing_id: str | None = None
    sku: str
    """Our SKU: the OCOP product id."""
    quantity: int = Field(gt=0)
    unit_price_vnd: int = Field(ge=0)


class RemoteOrder(_Remote):
    remote_order_id: str
    status: str
    """pending / confirmed / cancelled / completed / returned (the marketplace's word)."""
    seller_id: str | None = None
    buyer: RemoteBuyer
    lines: list[RemoteOrderLine] = Field(min_length=1)
    payment_method: RemotePayment
    subtotal_vnd: int = Field(ge=0)
    shipping_fee_vnd: int = Field(default=0, ge=0)
    total_vnd: int = Field(ge=0)
    created_at: datetime
    updated_at: datetime


class OrderPage(_Remote):
    items: list[RemoteOrder]
    next_cursor: str | None = None


class RemoteListing(_Remote):
    listing_id: str
    sku: str
    status: str
    """active or inactive."""
    name: str | None = None
    price_vnd: int | None = None
    stock: int | None = None
    content_hash: str | None = None
    """The hash we sent with the content (echoed back), to spot stale content."""


class ListingPage(_Remote):
    items: list[RemoteListing]
    next_cursor: str | None = None


class ListingReceipt(_Remote):
    """What the marketplace answers to a listing write."""

    listing_id: str
    sku: str
    status: str


class MarketplacePort(Protocol):
    """A seller's view of one marketplace (one channel)."""

    channel: str

    async def upsert_listing(
        self, seller_id: str, sku: str, content: dict[str, Any], *, idempotency_key: str
    ) -> ListingReceipt: ...

    async def delist(
        self, seller_id: str, sku: str, reason: str, *, idempotency_key: str
    ) -> ListingReceipt | None: ...

    async def update_price(
        self, seller_id: str, sku: str, price_vnd: int, *, idempotency_key: str
    ) -> ListingReceipt: ...

    async def update_stock(
        self, seller_id: str, sku: str, stock: int, *, idempotency_key: str
    ) -> ListingReceipt: ...

    async def list_listings(self, seller_id: str, cursor: str | None = None) -> ListingPage: ...

    async def fetch_orders(
        self, updated_since: datetime | None, cursor: str | None = None, *, seller_id: str
    ) -> OrderPage: ...
