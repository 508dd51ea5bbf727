"""Webhooks partners call: marketplace orders (HMAC-signed) and Viettel Post status pushes.

No bearer token here: each partner proves itself with its shared secret, compared in
constant time. The raw body is verified before anything is parsed or written.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Header, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ocop_orders.ecommerce.service_layer.carrier_status import (
    StatusPush,
    WebhookRejectedError,
    apply_status,
    verify_secret,
)
from ocop_orders.ecommerce.service_layer.intake import marketplace, receive, signature_ok
from ocop_orders.entrypoints.api.deps import OrdersDep
from ocop_orders.marketplace.domain.channel import RemoteOrder
from ocop_shared.errors import ValidationFailedError

log = structlog.get_logger(__name__)

router = APIRouter(prefix="/v1", tags=["webhooks"])


class IntakeAnswer(BaseModel):
    result: str
    """created, replayed, cancelled, ignored or needs_person."""
    order_id: str | None = None
    order_number: str | None = None
    state: str | None = None


class OrderEvent(BaseModel):
    """The marketplace's push: {"event": "order.created" | "order.updated", "order": {...}}."""

    model_config = ConfigDict(extra="ignore")

    event: str = Field(max_length=50)
    order: RemoteOrder


class StatusAnswer(BaseModel):
    status: int = 200
    result: str


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise ValidationFailedError("Nội dung không phải JSON", field="body") from exc


def _validated(model: type[BaseModel], data: Any, prefix: str = "body") -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in (prefix, *first["loc"]))
        raise ValidationFailedError(f"{first['msg']}", field=where) from exc


@router.post("/channels/{channel}/orders/webhook", status_code=status.HTTP_201_CREATED)
async def marketplace_order(
    channel: str,
    request: Request,
    response: Response,
    orders: OrdersDep,
    signature: Annotated[str | None, Header(alias="X-Signature", max_length=200)] = None,
) -> IntakeAnswer:
    """Đơn từ sàn (Postmart, Voso): ký HMAC-SHA256 thân yêu cầu bằng khoá riêng của sàn."""
    found = marketplace(channel)
    raw = await request.body()
    if not signature or not signature_ok(orders.settings, found, raw, signature):
        client = request.client.host if request.client else None
        log.warning("marketplace_webhook.rejected", channel=found.value, client=client)
        raise WebhookRejectedError("Chữ ký X-Signature không hợp lệ", field="header.X-Signature")
    pushed: OrderEvent = _validated(OrderEvent, _json(raw))
    order, result = await receive(orders, found, pushed.order, prefix="body.order")
    if result != "created":
        response.status_code = status.HTTP_200_OK
    return IntakeAnswer(
        result=result,
        order_id=order.id if order else None,
        order_number=order.number if order else None,
        state=order.state.value if order else None,
    )


@router.post("/shipping/viettelpost/webhook")
async def viettelpost_status(request: Request, orders: OrdersDep) -> StatusAnswer:
    """Viettel Post đẩy trạng thái vận đơn: {DATA:{...}, TOKEN} với khoá bí mật dùng chung."""
    raw = await request.body()
    body = None
    try:
        body = json.loads(raw)
    except ValueError:
        body = None
    await verify_secret(orders, body, request.client.host if request.client else None)
    push: StatusPush = _validated(StatusPush, body)
    outcome = await apply_status(orders, push)
    return StatusAnswer(result=outcome)
