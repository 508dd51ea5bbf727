"""Who may see and who may move an online order (pure rules over the caller's token)."""

from __future__ import annotations

from ocop_orders.ecommerce.domain.model import (
    EcomOrder,
)
from ocop_shared.auth import Principal, Role, ensure_producer_scope, ensure_showroom_scope
from ocop_shared.errors import ForbiddenError


def ensure_may_act(who: Principal, order: EcomOrder) -> None:
    """Who may move an order: staff of its showroom, trade staff, or the producer shipping
    its own goods (an order served from the producer's stock, with only its products)."""
    if who.has_any(Role.TRADE_STAFF):
        return
    if order.fulfilment.showroom_id and who.has_any(Role.SHOWROOM_OPERATOR):
        ensure_showroom_scope(who, order.fulfilment.showroom_id)
        return
    if (
        Role.PRODUCER in who.roles
        and order.fulfilment.kind == "producer"
        and who.producer_id is not None
        and set(order.producer_ids) == {who.producer_id}
    ):
        return
    raise ForbiddenError(
        "Chỉ nhân viên điểm bán giao hàng (hoặc cơ sở tự giao từ kho của mình) được xử lý đơn này",
        field="order_id",
    )


def ensure_order_scope(who: Principal, order: EcomOrder) -> None:
    """Trade staff see every order; an operator those of its showrooms; a producer its own."""
    if who.has_any(Role.TRADE_STAFF):
        return
    if order.fulfilment.showroom_id and who.has_any(Role.SHOWROOM_OPERATOR):
        ensure_showroom_scope(who, order.fulfilment.showroom_id)
        return
    if who.producer_id and who.producer_id in order.producer_ids:
        ensure_producer_scope(who, who.producer_id)
        return
    raise ForbiddenError("Đơn hàng này ngoài phạm vi của bạn", field="order_id")


def as_seen_by(who: Principal, order: EcomOrder) -> EcomOrder:
    """The order as the caller may read it: staff see it whole; a producer sees only its
    own lines of a multi-producer order (amounts of those lines, not the others' prices)."""
    if Role.PRODUCER not in who.roles or who.has_any(Role.TRADE_STAFF, Role.SHOWROOM_OPERATOR):
        return order
    own = [line for line in order.lines if line.producer_id == who.producer_id]
    if len(own) == len(order.lines):
        return order
    subtotal = sum(line.line_total_vnd for line in own)
    return order.model_copy(
        update={
            "lines": own,
            "subtotal_vnd": subtotal,
            "total_vnd": subtotal,
            "shipping_fee_vnd": 0,
            "refund_vnd": None,
        }
    )
