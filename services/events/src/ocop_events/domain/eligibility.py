"""Who may bring which product to a trade event, with a reason staff and producers can read."""

from __future__ import annotations

from datetime import date

from ocop_events.domain.model import ProductSnapshot, TradeEvent
from ocop_shared.contracts.catalog import CertificateStatus, Channel
from ocop_shared.timeutil import format_date_vn


def product_refusal(
    product_id: str,
    product: ProductSnapshot | None,
    producer_id: str,
    event: TradeEvent,
    today: date,
) -> str | None:
    """The first reason the product may not be shown at the event, or None if it may."""
    if product is None:
        return f"Sản phẩm {product_id} chưa có trong danh mục OCOP"
    name = f"'{product.name}'"
    if product.producer_id != producer_id:
        return f"Sản phẩm {name} không thuộc chủ thể {producer_id}"
    status = product.status_on(today)
    if status is CertificateStatus.REVOKED:
        return f"Giấy chứng nhận OCOP của {name} đã bị thu hồi"
    if status is CertificateStatus.EXPIRED:
        until = format_date_vn(product.valid_until)
        # valid_until is the last valid day: name it as such, never as the day it lapsed
        return f"Giấy chứng nhận OCOP của {name} đã hết hạn" + (
            f" (hiệu lực đến hết ngày {until})" if until else ""
        )
    if status is CertificateStatus.NONE or product.stars is None:
        return f"Sản phẩm {name} chưa được công nhận OCOP"
    if product.stars < event.rules.min_stars:
        return (
            f"Sản phẩm {name} đạt {product.stars}★; sự kiện yêu cầu "
            f"từ {event.rules.min_stars}★ trở lên"
        )
    if product.valid_until is not None and product.valid_until < event.ends_on:
        return (
            f"Giấy chứng nhận của {name} chỉ còn hiệu lực đến hết ngày "
            f"{format_date_vn(product.valid_until)}, trước khi sự kiện kết thúc "
            f"({format_date_vn(event.ends_on)})"
        )
    if event.rules.require_fair_channel and Channel.FAIR not in product.eligible_channels:
        return f"Sản phẩm {name} chưa đủ điều kiện tham gia hội chợ theo chính sách danh mục"
    return None


def refusals(
    product_ids: list[str],
    products: dict[str, ProductSnapshot],
    producer_id: str,
    event: TradeEvent,
    today: date,
) -> list[str]:
    """Every reason the registration is refused (empty: it may go ahead)."""
    reasons: list[str] = []
    cap = event.rules.max_products_per_producer
    if len(product_ids) > cap:
        reasons.append(f"Mỗi chủ thể được đăng ký tối đa {cap} sản phẩm")
    for product_id in product_ids:
        reason = product_refusal(product_id, products.get(product_id), producer_id, event, today)
        if reason:
            reasons.append(reason)
    return reasons
