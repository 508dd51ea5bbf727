"""Events published by the catalogue service."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import ClassVar

from ocop_shared.contracts.envelope import EventData
from ocop_shared.contracts.registry import register

CATALOG_PRODUCTS_TOPIC = "ocop.catalog.products"


class Channel(StrEnum):
    SHOWROOM = "showroom"
    MARKETPLACE = "marketplace"
    FAIR = "fair"


class CertificateStatus(StrEnum):
    NONE = "none"
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"


class _ProductListing(EventData):
    product_id: str
    producer_id: str
    name: str
    stars: int | None
    certificate_number: str | None
    certificate_status: CertificateStatus
    valid_until: date | None
    eligible_channels: list[Channel]
    # Listing content for showrooms, fairs and marketplace connectors (optional, added in v1).
    group_code: str | None = None
    province: str | None = None
    commune: str | None = None
    gtin: str | None = None
    unit: str | None = None
    pack_size: str | None = None
    suggested_price_vnd: int | None = None
    description: str | None = None
    image_url: str | None = None
    traceability_url: str | None = None
    key_farm_product: bool = False
    """A key farm product of the province (sản phẩm nông nghiệp chủ lực), e.g. for Việt Trì."""


@register
class ProductPublishedV1(_ProductListing):
    """Sent when a product becomes eligible for at least one sales channel."""

    event_type: ClassVar[str] = "ocop.catalog.product.published.v1"
    topic: ClassVar[str] = CATALOG_PRODUCTS_TOPIC


@register
class ProductUpdatedV1(_ProductListing):
    """Sent when a published product's content, stars or channels change."""

    event_type: ClassVar[str] = "ocop.catalog.product.updated.v1"
    topic: ClassVar[str] = CATALOG_PRODUCTS_TOPIC


@register
class ProductWithdrawnV1(_ProductListing):
    """Sent when a product is no longer eligible for any channel (expired or revoked)."""

    event_type: ClassVar[str] = "ocop.catalog.product.withdrawn.v1"
    topic: ClassVar[str] = CATALOG_PRODUCTS_TOPIC

    reason: str
