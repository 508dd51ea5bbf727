"""Catalogue products as published contracts."""

from __future__ import annotations

from ocop_catalog.domain.model import CatalogProduct
from ocop_shared.contracts.catalog import (
    CertificateStatus,
    ProductPublishedV1,
    ProductUpdatedV1,
    ProductWithdrawnV1,
)
from ocop_shared.contracts.envelope import EventData


def listing_event(
    before: CatalogProduct | None, after: CatalogProduct, status: CertificateStatus
) -> EventData | None:
    """published / updated / withdrawn, or None when nothing a channel cares about changed."""
    was_listed = bool(before and before.eligible_channels)
    is_listed = bool(after.eligible_channels)
    cert = after.certificate
    fields = {
        "product_id": after.id,
        "producer_id": after.producer_id,
        "name": after.name,
        "stars": cert.stars if cert else None,
        "certificate_number": cert.number if cert else None,
        "certificate_status": status,
        "valid_until": cert.valid_until if cert else None,
        "eligible_channels": after.eligible_channels,
    }
    if is_listed and not was_listed:
        return ProductPublishedV1(**fields)
    if was_listed and not is_listed:
        reason = (cert.status_reason if cert else None) or f"certificate {status}"
        return ProductWithdrawnV1(**fields, reason=reason)
    if is_listed and before != after:
        return ProductUpdatedV1(**fields)
    return None
