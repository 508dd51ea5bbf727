"""May this product be sold at this showroom today? One rule, used by the till and the sync.

- An OCOP product needs an active certificate (as told by certification events, so a
  revocation blocks at once) and the catalogue's showroom policy ("showroom" among its
  eligible channels).
- A showroom with ``accepts_key_farm_products`` (Việt Trì) also sells key farm products
  carrying a traceability stamp, unless their OCOP certificate was revoked.
"""

from __future__ import annotations

from datetime import date

from ocop_orders.domain.model import Product, Showroom
from ocop_shared.contracts.catalog import CertificateStatus


def block_reason(product: Product, showroom: Showroom, today: date) -> str | None:
    """None when sellable; otherwise the reason shown to the operator, in Vietnamese."""
    cert = product.certificate
    status = cert.status_on(today) if cert else CertificateStatus.NONE
    if status is CertificateStatus.REVOKED:
        return f"Giấy chứng nhận OCOP đã bị thu hồi. {cert.reason or ''}".strip() if cert else ""
    if _key_farm_ok(product, showroom):
        return None
    if status is CertificateStatus.EXPIRED:
        detail = cert.reason if cert and cert.reason else ""
        return f"Giấy chứng nhận OCOP đã hết hiệu lực. {detail}".strip()
    if status is CertificateStatus.NONE:
        return "Sản phẩm chưa có giấy chứng nhận OCOP còn hiệu lực"
    if not product.listed_for_showrooms:
        why = f" ({product.catalog_reason})" if product.catalog_reason else ""
        return f"Danh mục chưa cho phép bán sản phẩm tại điểm bán{why}"
    return None


def _key_farm_ok(product: Product, showroom: Showroom) -> bool:
    return bool(
        showroom.accepts_key_farm_products and product.key_farm_product and product.traceability_url
    )
