"""Marketplace listings (Postmart, Voso): what a producer chose to sell online, what the
marketplace should show, and whether the product may be listed at all.

A listing is wanted by the producer (``wanted``) and allowed by the rules (active OCOP
certificate and the catalogue's marketplace policy). When both hold the marketplace must
show the current content; otherwise the listing must be down. ``queued_state`` and
``queued_hash`` remember what we last asked the marketplace to do, so a change of content
or eligibility queues exactly one call.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

from ocop_orders.domain.model import Product
from ocop_shared.contracts.catalog import CertificateStatus


class Marketplace(StrEnum):
    POSTMART = "postmart"
    VOSO = "voso"

    @property
    def label(self) -> str:
        return {"postmart": "Postmart (VNPost)", "voso": "Voso (Viettel Post)"}[self.value]


class ListingStatus(StrEnum):
    DRAFT = "draft"
    PENDING = "pending"
    LISTED = "listed"
    DELISTED = "delisted"
    FAILED = "failed"


STATUS_LABELS = {
    ListingStatus.DRAFT: "Nháp",
    ListingStatus.PENDING: "Đang đồng bộ",
    ListingStatus.LISTED: "Đang bán",
    ListingStatus.DELISTED: "Đã gỡ",
    ListingStatus.FAILED: "Lỗi – cần xử lý",
}


class Listing(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    producer_id: str
    product_id: str
    channel: Marketplace
    wanted: bool = True
    """The producer wants it online; False after the producer withdrew it."""
    price_vnd: int | None = None
    """The producer's marketplace price; None = the catalogue's suggested price."""
    stock: int = 0
    status: ListingStatus = ListingStatus.DRAFT
    remote_id: str | None = None
    last_error: str | None = None
    blocked_reason: str | None = None
    """Why the rules keep it down (certificate, catalogue policy), when they do."""
    queued_state: str | None = None
    """"live" or "down": what we last asked the marketplace for."""
    queued_hash: str | None = None
    synced_hash: str | None = None
    last_synced_at: datetime | None = None
    created_at: datetime
    updated_at: datetime
    version: int = 1


def listing_id(product_id: str, channel: Marketplace) -> str:
    return f"{channel.value}-{product_id}"


def marketplace_block_reason(product: Product, today: date) -> str | None:
    """None when the product may be listed on a marketplace today; else why not (Vietnamese)."""
    cert = product.certificate
    status = cert.status_on(today) if cert else CertificateStatus.NONE
    if status is CertificateStatus.REVOKED:
        return "Giấy chứng nhận OCOP đã bị thu hồi"
    if status is CertificateStatus.EXPIRED:
        return "Giấy chứng nhận OCOP đã hết hiệu lực"
    if status is CertificateStatus.NONE:
        return "Sản phẩm chưa có giấy chứng nhận OCOP còn hiệu lực"
    if not product.listed_for_marketplace:
        why = f" ({product.catalog_reason})" if product.catalog_reason else ""
        return f"Danh mục chưa cho phép bán sản phẩm trên sàn thương mại điện tử{why}"
    return None


def listing_price(listing: Listing, product: Product) -> int | None:
    return listing.price_vnd if listing.price_vnd is not None else product.suggested_price_vnd


def listing_content(listing: Listing, product: Product) -> dict[str, Any]:
    """The listing as the partner API receives it (PUT /api/v1/listings/{sku})."""
    cert = product.certificate
    return {
        "sku": product.id,
        "name": product.name,
        "category": product.group_code,
        "price_vnd": listing_price(listing, product),
        "stock": listing.stock,
        "unit": product.unit,
        "description": product.description,
        "images": [product.image_url] if product.image_url else [],
        "ocop_stars": cert.stars if cert else None,
        "certificate_number": cert.number if cert else None,
        "certificate_valid_until": cert.valid_until.isoformat()
        if cert and cert.valid_until
        else None,
        "traceability_url": product.traceability_url,
        "gtin": product.gtin,
        "producer_name": product.producer_name,
    }


def content_hash(content: dict[str, Any]) -> str:
    """Stable hash of the content (stock excluded: stock has its own cheaper call)."""
    body = {k: v for k, v in content.items() if k != "stock"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()[:16]


DOWN_BY_PRODUCER = "Nhà sản xuất ngừng bán trên sàn"


class SyncStep(BaseModel):
    """The one call that brings the marketplace in line with a listing (if any)."""

    model_config = ConfigDict(frozen=True)

    operation: str  # "upsert" | "delist"
    content: dict[str, Any] | None = None
    hash: str | None = None
    reason: str | None = None


def plan_sync(
    listing: Listing, product: Product, today: date
) -> tuple[SyncStep | None, str | None]:
    """What to ask the marketplace now, and the rule that keeps the listing down (if any).

    Nothing when the last queued call already asked for this state and content, and never
    a delist for a listing the marketplace was never asked to show.
    """
    blocked = marketplace_block_reason(product, today)
    if listing.wanted and blocked is None:
        content = listing_content(listing, product)
        digest = content_hash(content)
        if listing.queued_state == "live" and listing.queued_hash == digest:
            return None, None
        return SyncStep(operation="upsert", content=content, hash=digest), None
    if listing.queued_state != "live":
        return None, blocked
    return SyncStep(operation="delist", reason=blocked or DOWN_BY_PRODUCER), blocked
