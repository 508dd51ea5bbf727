"""Catalogue products as published contracts (ocop.catalog.products)."""

from __future__ import annotations

from datetime import date
from typing import Any

from ocop_catalog.domain.model import CatalogProduct
from ocop_shared.contracts.catalog import (
    CertificateStatus,
    ProductPublishedV1,
    ProductUpdatedV1,
    ProductWithdrawnV1,
)
from ocop_shared.contracts.envelope import EventData

_STATUS_WORDS = {
    CertificateStatus.NONE: "chưa được công nhận",
    CertificateStatus.ACTIVE: "còn hiệu lực",
    CertificateStatus.EXPIRED: "hết hiệu lực",
    CertificateStatus.REVOKED: "đã bị thu hồi",
}


def listing_fields(product: CatalogProduct, today: date) -> dict[str, Any]:
    """What orders (showroom till, marketplace listings) and events (fairs) need to know."""
    cert = product.certificate
    content = product.content
    return {
        "product_id": product.id,
        "producer_id": product.producer_id,
        "name": product.name,
        "stars": cert.stars if cert else None,
        "certificate_number": cert.number if cert else None,
        "certificate_status": product.certificate_status(today),
        "valid_until": cert.valid_until if cert else None,
        "eligible_channels": list(product.eligible_channels),
        "group_code": product.group_code,
        "province": product.province,
        "commune": product.commune,
        "gtin": product.gtin,
        "unit": content.unit,
        "pack_size": content.pack_size,
        "suggested_price_vnd": content.suggested_price_vnd,
        "description": content.description,
        "image_url": content.images[0] if content.images else None,
        "traceability_url": content.traceability_url,
        "key_farm_product": content.key_farm_product,
    }


def listing_event(
    before: CatalogProduct | None, after: CatalogProduct, today: date
) -> EventData | None:
    """published / updated / withdrawn, or None when nothing a channel cares about changed."""
    was_listed = bool(before and before.eligible_channels)
    is_listed = bool(after.eligible_channels)
    fields = listing_fields(after, today)
    if is_listed and not was_listed:
        return ProductPublishedV1(**fields)
    if was_listed and not is_listed:
        cert = after.certificate
        status = _STATUS_WORDS[fields["certificate_status"]]
        reason = (cert.status_reason if cert else None) or (
            f"Không còn đủ điều kiện bán (giấy chứng nhận {status})"
        )
        return ProductWithdrawnV1(**fields, reason=reason)
    if is_listed and before is not None and listing_fields(before, today) != fields:
        return ProductUpdatedV1(**fields)
    return None
