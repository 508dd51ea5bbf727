"""Viettel Post status pushes: verified, deduplicated, ordered, mapped, applied once.

- The shared secret (the body's TOKEN) is compared in constant time; a wrong one is logged
  (without the token) and changes nothing.
- (ORDER_NUMBER, ORDER_STATUS, ORDER_STATUSDATE) is a unique key of the tracking history,
  so Viettel Post's retries of one push are applied once.
- A push older than the latest applied one goes into the history but does not move the
  shipment back. An unknown code goes into the history flagged for a person.
- The shipment, the order (delivered, returned with its stock back, cancelled), the
  history and the order's event are written in one transaction.
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any, Literal

import structlog
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from pymongo.errors import DuplicateKeyError

from ocop_orders.domain.events import OrderDelivered, OrderReturned
from ocop_orders.ecommerce.adapters.repository import (
    EcommerceRepository,
)
from ocop_orders.ecommerce.adapters.viettelpost import CARRIER
from ocop_orders.ecommerce.domain.model import OrderState
from ocop_orders.ecommerce.domain.shipping import (
    CANCELLING_CODES,
    ShipmentStatus,
    canonical_status,
    is_stale_push,
    parse_status_date,
)
from ocop_orders.ecommerce.service_layer import reservations
from ocop_orders.ecommerce.service_layer.orders import advance, cancel_in, save
from ocop_orders.service_layer.unit_of_work import Orders, UnitOfWork, run_in_unit_of_work
from ocop_shared.errors import ConflictError, DomainError, NotFoundError, ValidationFailedError

log = structlog.get_logger(__name__)

Outcome = Literal["applied", "duplicate", "stale", "flagged"]


class WebhookRejectedError(DomainError):
    status = 401
    code = "webhook-unauthenticated"
    title = "Webhook không được xác thực"


class StatusData(BaseModel):
    """The DATA of a push; other fields Viettel Post sends are ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    ORDER_NUMBER: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    ORDER_REFERENCE: Annotated[str, StringConstraints(max_length=64)] | None = None
    ORDER_STATUSDATE: Annotated[str, StringConstraints(min_length=10, max_length=40)]
    ORDER_STATUS: int = Field(ge=-1000, le=10_000)
    STATUS_NAME: Annotated[str, StringConstraints(max_length=300)] | None = None
    NOTE: Annotated[str, StringConstraints(max_length=1000)] | None = None
    MONEY_COLLECTION: int | None = Field(default=None, ge=0)


class StatusPush(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    DATA: StatusData
    TOKEN: str


async def verify_secret(orders: Orders, body: Any, client: str | None) -> None:
    """Raise (and log) unless the body carries the configured shared secret."""
    expected = orders.settings.viettelpost_webhook_secret.get_secret_value().encode()
    token = body.get("TOKEN") if isinstance(body, dict) else None
    given = token.encode() if isinstance(token, str) else b""
    if expected and hmac.compare_digest(given, expected):
        return
    data = body.get("DATA") if isinstance(body, dict) else None
    number = data.get("ORDER_NUMBER") if isinstance(data, dict) else None
    log.warning("viettelpost_webhook.rejected", client=client, order_number=str(number)[:64])
    await EcommerceRepository(orders.db).reject_webhook(
        {
            "at": orders.clock.now(),
            "carrier": CARRIER,
            "client": client,
            "order_number": str(number)[:64] if number is not None else None,
            "reason": "missing token" if not given else "wrong token",
        }
    )
    raise WebhookRejectedError("Sai khoá bí mật của webhook", field="body.TOKEN")


async def apply_status(orders: Orders, push: StatusPush) -> Outcome:
    data = push.DATA
    try:
        at = parse_status_date(data.ORDER_STATUSDATE)
    except ValueError as exc:
        raise ValidationFailedError(
            "ORDER_STATUSDATE phải có dạng dd/MM/yyyy HH:mm:ss", field="body.DATA.ORDER_STATUSDATE"
        ) from exc
    shipment = await EcommerceRepository(orders.db).shipment_by_carrier_ref(
        data.ORDER_NUMBER, data.ORDER_REFERENCE
    )
    if shipment is None:
        log.warning("viettelpost_webhook.unknown_order", order_number=data.ORDER_NUMBER)
        raise NotFoundError(f"Không có vận đơn {data.ORDER_NUMBER}", field="body.DATA.ORDER_NUMBER")

    async def work(uow: UnitOfWork) -> Outcome:
        store = EcommerceRepository(uow.repository.db, uow.session)
        current = await store.shipment_for_order(shipment.order_id)
        assert current is not None
        status = canonical_status(data.ORDER_STATUS)
        stale = is_stale_push(at, data.ORDER_STATUS, current.last_status_at, current.carrier_code)
        outcome: Outcome = "flagged" if status is None else "stale" if stale else "applied"
        await store.add_tracking(
            {
                "shipment_id": current.id,
                "order_id": current.order_id,
                "order_number": data.ORDER_NUMBER,
                "reference": data.ORDER_REFERENCE,
                "code": data.ORDER_STATUS,
                "name": data.STATUS_NAME,
                "status": status.value if status else None,
                "at": at,
                "received_at": uow.now,
                "note": data.NOTE,
                "money_collection": data.MONEY_COLLECTION,
                "applied": outcome == "applied",
                "stale": stale,
                "unknown": status is None,
            }
        )
        if status is None:
            await _update_shipment(uow, current.id, current.version, {"needs_attention": True})
            return outcome
        if stale:
            return outcome
        await _update_shipment(
            uow,
            current.id,
            current.version,
            {
                "status": status.value,
                "carrier_code": data.ORDER_STATUS,
                "last_status_at": at,
                "waybill": current.waybill or data.ORDER_NUMBER,
            },
        )
        await _move_order(uow, current.order_id, data, status)
        return outcome

    try:
        async with orders.locks.hold([f"shipment:{shipment.order_id}"]):
            outcome = await run_in_unit_of_work(orders, CARRIER, work)
    except DuplicateKeyError:
        outcome = "duplicate"
    log.info(
        "viettelpost_webhook.received",
        order_number=data.ORDER_NUMBER,
        code=data.ORDER_STATUS,
        outcome=outcome,
    )
    return outcome


async def _update_shipment(
    uow: UnitOfWork, shipment_id: str, version: int, changes: dict[str, Any]
) -> None:
    store = EcommerceRepository(uow.repository.db, uow.session)
    if not await store.update_shipment(shipment_id, changes, uow.now, version):
        # Another push moved it in between: fail so the carrier's retry sees the new state.
        raise ConflictError("Vận đơn vừa được cập nhật; gửi lại", field="body.DATA")


async def _move_order(
    uow: UnitOfWork, order_id: str, data: StatusData, status: ShipmentStatus
) -> None:
    store = EcommerceRepository(uow.repository.db, uow.session)
    order = await store.get_order(order_id)
    note = f"Viettel Post {data.ORDER_STATUS}: {data.STATUS_NAME or ''}".strip()
    if status is ShipmentStatus.DELIVERED and order.state is OrderState.SHIPPED:
        after = advance(order, OrderState.DELIVERED, uow, CARRIER, note=note)
        await save(uow, order, after)
        await uow.publish(OrderDelivered(after, uow.now, CARRIER, data.MONEY_COLLECTION))
    elif status is ShipmentStatus.RETURNED and order.state in (
        OrderState.SHIPPED,
        OrderState.DELIVERED,
    ):
        after = advance(order, OrderState.RETURNED, uow, CARRIER, note=note)
        await reservations.put_back(uow, order)
        await save(uow, order, after)
        await uow.publish(OrderReturned(after, uow.now, CARRIER, data.NOTE or None))
    elif data.ORDER_STATUS in CANCELLING_CODES and order.state in (
        OrderState.CONFIRMED,
        OrderState.SHIPPED,
    ):
        await cancel_in(uow, order, note, CARRIER)
    else:
        return
    log.info("ecommerce_order.carrier_update", order_id=order_id, code=data.ORDER_STATUS)
