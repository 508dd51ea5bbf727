"""May a product be sold online today, and what an online order's lines cost. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from ocop_orders.domain.errors import NotSellableError
from ocop_orders.domain.model import Product
from ocop_orders.ecommerce.domain.model import OrderLine, PlaceOrder
from ocop_shared.contracts.catalog import CertificateStatus
from ocop_shared.errors import ValidationFailedError


def ecommerce_block_reason(product: Product, today: date) -> str | None:
    """Why this product may not be sold online now (None: it may)."""
    cert = product.certificate
    status = cert.status_on(today) if cert else CertificateStatus.NONE
    if status is CertificateStatus.REVOKED:
        return "Giấy chứng nhận OCOP đã bị thu hồi"
    if status is CertificateStatus.EXPIRED:
        return "Giấy chứng nhận OCOP đã hết hiệu lực"
    if status is not CertificateStatus.ACTIVE:
        return "Sản phẩm chưa có giấy chứng nhận OCOP còn hiệu lực"
    return None


def price_order_lines(
    command: PlaceOrder, products: Mapping[str, Product], today: date
) -> list[OrderLine]:
    """Each line with its product's name and producer, if the product may be sold online."""
    lines: list[OrderLine] = []
    for i, line in enumerate(command.lines):
        field = f"body.lines.{i}.product_id"
        product = products.get(line.product_id)
        if product is None:
            raise ValidationFailedError(f"Không biết sản phẩm {line.product_id}", field=field)
        reason = ecommerce_block_reason(product, today)
        if reason:
            raise NotSellableError(
                f"Không nhận đơn cho {product.name} ({product.id}): {reason}",
                product_id=product.id,
                field=field,
                product_name=product.name,
                reason=reason,
            )
        lines.append(
            OrderLine(
                product_id=product.id,
                product_name=product.name,
                producer_id=product.producer_id,
                quantity=line.quantity,
                unit_price_vnd=line.unit_price_vnd,
                line_total_vnd=line.quantity * line.unit_price_vnd,
            )
        )
    return lines


def shipment_override(
    lines: Sequence[OrderLine],
    products: Mapping[str, Product],
    today: date,
    override_reason: str | None,
) -> str | None:
    """May the order's parcel leave now? A product withdrawn since the order was confirmed
    (revoked, expired, gone) stops the shipment (NotSellableError) unless a person gives a
    reason; that reason is returned to be recorded with the shipment (None: nothing to
    override)."""
    for line in lines:
        product = products.get(line.product_id)
        reason = (
            "Sản phẩm không còn trong danh mục"
            if product is None
            else (ecommerce_block_reason(product, today))
        )
        if reason is None:
            continue
        if override_reason:
            return override_reason
        raise NotSellableError(
            f"«{line.product_name}» không còn được bán: {reason}. Không tạo vận đơn; "
            "nếu vẫn gửi hàng, ghi lý do cho phép.",
            product_id=line.product_id,
            product_name=line.product_name,
            reason=reason,
            field="body.override_reason",
        )
    return None
