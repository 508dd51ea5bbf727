"""REST API of e-commerce orders and their shipments under /api/v1/ecommerce."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Header, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field

from ocop_orders.domain.labels import TITLES
from ocop_orders.ecommerce.adapters.repository import EcommerceRepository
from ocop_orders.ecommerce.domain import access
from ocop_orders.ecommerce.domain.model import (
    CancelOrder,
    EcomOrder,
    OrderBody,
    OrderState,
    PlaceOrder,
    RefundOrder,
    SetProducerStock,
)
from ocop_orders.ecommerce.domain.shipping import Shipment, TrackingEntry
from ocop_orders.ecommerce.service_layer import orders as ecommerce
from ocop_orders.ecommerce.service_layer import shipping
from ocop_orders.ecommerce.service_layer.shipping import CancelShipment, CreateShipment
from ocop_orders.entrypoints.api.deps import ItemId, OrdersDep
from ocop_shared.auth import Principal, Role, ensure_showroom_scope
from ocop_shared.contracts.orders import OrderChannel
from ocop_shared.text import MultilineText
from ocop_shared.web.security import require_roles

router = APIRouter(prefix="/api/v1/ecommerce", tags=["ecommerce"])

Staff = Annotated[Principal, Depends(require_roles(Role.SHOWROOM_OPERATOR, Role.TRADE_STAFF))]
OrderViewer = Annotated[
    Principal,
    Depends(require_roles(Role.SHOWROOM_OPERATOR, Role.TRADE_STAFF, Role.PRODUCER)),
]
Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
OrderKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=8,
        max_length=100,
        pattern=r"^[A-Za-z0-9_.:-]+$",
        description="Khoá của lần nhập đơn; gửi lại cùng khoá không tạo hai đơn",
    ),
]


class OrderDetail(BaseModel):
    order: EcomOrder
    shipment: Shipment | None
    tracking: list[TrackingEntry]


class Quote(BaseModel):
    service: str
    name: str
    price_vnd: int
    delivery_time: str | None


class QuoteRequest(BaseModel):
    weight_g: int | None = Field(default=None, gt=0, le=100_000)


class ProducerStock(BaseModel):
    quantity: int
    reserved: int
    available: int


@router.post("/orders", status_code=status.HTTP_201_CREATED)
async def enter_order(
    body: OrderBody, key: OrderKey, orders: OrdersDep, who: Staff, response: Response
) -> EcomOrder:
    """Nhập đơn do nhân viên tiếp nhận (điện thoại, Zalo...); giữ hàng ngay."""
    if body.fulfilment.showroom_id and not who.has_any(Role.TRADE_STAFF):
        ensure_showroom_scope(who, body.fulfilment.showroom_id)
    command = PlaceOrder(**body.model_dump(), remote_order_id=key)
    order, replayed = await ecommerce.place_order(orders, OrderChannel.WEB, command, who.subject)
    if replayed:
        response.status_code = status.HTTP_200_OK
    return order


@router.get("/orders")
async def list_orders(
    orders: OrdersDep,
    who: OrderViewer,
    state: Annotated[OrderState | None, Query()] = None,
    channel: Annotated[OrderChannel | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[EcomOrder]:
    """Đơn thương mại điện tử, mới nhất trước (theo phạm vi của người gọi)."""
    producer_id, showroom_ids = scope_filter(who)
    found = await EcommerceRepository(orders.db).list_orders(
        state=state,
        channel=channel.value if channel else None,
        producer_id=producer_id,
        showroom_ids=showroom_ids,
        limit=limit,
    )
    return [access.as_seen_by(who, order) for order in found]


def scope_filter(who: Principal) -> tuple[str | None, list[str] | None]:
    if who.has_any(Role.TRADE_STAFF):
        return None, None
    if who.has_any(Role.SHOWROOM_OPERATOR):
        return None, sorted(who.showroom_ids or [])
    return who.producer_id or "-", None


@router.get("/orders/{order_id}")
async def get_order(order_id: ItemId, orders: OrdersDep, who: OrderViewer) -> OrderDetail:
    repo = EcommerceRepository(orders.db)
    order = await repo.get_order(order_id)
    access.ensure_order_scope(who, order)
    shipment = await repo.shipment_for_order(order_id)
    tracking = await repo.tracking(shipment.id) if shipment else []
    return OrderDetail(order=access.as_seen_by(who, order), shipment=shipment, tracking=tracking)


@router.post("/orders/{order_id}/confirm")
async def confirm(order_id: ItemId, orders: OrdersDep, who: OrderViewer) -> EcomOrder:
    """Xác nhận đơn: hàng đang giữ thành hàng bán (ghi sổ kho)."""
    return await ecommerce.confirm_order(orders, order_id, who)


@router.post("/orders/{order_id}/cancel")
async def cancel(
    order_id: ItemId, body: CancelOrder, orders: OrdersDep, who: OrderViewer
) -> EcomOrder:
    """Huỷ đơn trước khi giao cho hãng vận chuyển; hàng trở lại kho."""
    return await ecommerce.cancel_order(orders, order_id, body, who)


@router.post("/orders/{order_id}/refund")
async def refund(
    order_id: ItemId, body: RefundOrder, orders: OrdersDep, who: OrderViewer
) -> EcomOrder:
    """Hoàn tiền cho đơn đã giao hoặc đã hoàn về."""
    return await ecommerce.refund_order(orders, order_id, body, who)


@router.post("/orders/{order_id}/shipment/quote")
async def quote(
    order_id: ItemId,
    orders: OrdersDep,
    who: OrderViewer,
    body: Annotated[QuoteRequest | None, Body()] = None,
) -> list[Quote]:
    """Báo giá cước Viettel Post của mọi dịch vụ cho đơn này."""
    quotes = await shipping.quote(orders, order_id, body.weight_g if body else None, who)
    return [Quote(**q.__dict__) for q in quotes]


@router.post("/orders/{order_id}/shipment", status_code=status.HTTP_202_ACCEPTED)
async def create_shipment(
    order_id: ItemId, body: CreateShipment, orders: OrdersDep, who: OrderViewer, response: Response
) -> Shipment:
    """Tạo vận đơn Viettel Post (gửi qua nhật ký cuộc gọi, thử lại khi hãng lỗi)."""
    shipment, existed = await shipping.create_shipment(orders, order_id, body, who)
    if existed:
        response.status_code = status.HTTP_200_OK
    return shipment


@router.post("/orders/{order_id}/shipment/cancel", status_code=status.HTTP_202_ACCEPTED)
async def cancel_shipment(
    order_id: ItemId, body: CancelShipment, orders: OrdersDep, who: OrderViewer
) -> Shipment:
    """Huỷ vận đơn (chỉ khi Viettel Post chưa lấy hàng)."""
    return await shipping.cancel_shipment(orders, order_id, body, who)


class Acknowledge(BaseModel):
    model_config = ConfigDict(extra="forbid", field_title_generator=TITLES)

    note: MultilineText = Field(min_length=3, max_length=300)


@router.post("/orders/{order_id}/shipment/acknowledge")
async def acknowledge(
    order_id: ItemId, body: Acknowledge, orders: OrdersDep, who: OrderViewer
) -> Shipment:
    """Đã xem các mã trạng thái lạ của vận đơn (sau khi đối chiếu với Viettel Post)."""
    return await shipping.acknowledge_flags(orders, order_id, body.note, who)


@router.put("/producer-stock/{product_id}")
async def set_producer_stock(
    product_id: ItemId,
    body: SetProducerStock,
    orders: OrdersDep,
    who: Annotated[Principal, Depends(require_roles(Role.PRODUCER, Role.TRADE_STAFF))],
) -> ProducerStock:
    """Số lượng cơ sở sản xuất tự giữ và tự giao (nguồn hàng “kho nhà sản xuất”)."""
    result = await ecommerce.set_producer_stock(orders, product_id, body.quantity, who)
    return ProducerStock(**result)


@router.post("/reservations/release-expired")
async def release_expired(orders: OrdersDep, who: Admin) -> dict[str, int]:
    """Chạy ngay việc trả lại hàng giữ của các đơn quá hạn (bình thường do worker chạy)."""
    return {"released": await ecommerce.release_expired(orders)}
