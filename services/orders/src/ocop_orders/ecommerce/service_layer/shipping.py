"""Shipments with Viettel Post: quote, create and cancel through the outbound journal.

Creating a shipment writes the shipment and a journalled `create_order` call in one
transaction; the outbound worker makes the call (retries, backoff, parking) and settles it
in the transaction that records the outcome: the waybill is stored and the order becomes
"shipped". One shipment per order (unique index), and ORDER_NUMBER with CHECK_UNIQUE at the
carrier, so neither a retried request nor a retried call makes a second waybill.
Cancelling is a journalled `cancel_order` call on the same ordering key, so it always runs
after the create it cancels.
"""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any

import structlog
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from pymongo.errors import DuplicateKeyError

from ocop_orders.domain.events import OrderShipped
from ocop_orders.domain.labels import TITLES
from ocop_orders.ecommerce.adapters.repository import EcommerceRepository
from ocop_orders.ecommerce.adapters.viettelpost import (
    CARRIER,
    CarrierRejectedError,
    CarrierUnavailableError,
    ServiceQuote,
    ViettelPost,
    create_order_payload,
    money_collection,
    price_request,
)
from ocop_orders.ecommerce.domain.access import ensure_may_act, ensure_order_scope
from ocop_orders.ecommerce.domain.model import EcomOrder, OrderState
from ocop_orders.ecommerce.domain.selling import shipment_override
from ocop_orders.ecommerce.domain.shipping import (
    SHIPMENT_LABELS,
    Shipment,
    ShipmentStatus,
    cancellable_at_carrier,
    order_payment,
)
from ocop_orders.ecommerce.service_layer.orders import (
    advance,
    cancel_in,
    save,
)
from ocop_orders.service_layer.outbound import (
    CallFailedError,
    CallOutcome,
    CallResponse,
    Executors,
    NewCall,
    OutboundCall,
    Settlement,
    enqueue,
)
from ocop_orders.service_layer.unit_of_work import (
    Orders,
    UnitOfWork,
    run_in_unit_of_work,
    unit_of_work,
)
from ocop_shared.auth import Principal
from ocop_shared.errors import InvalidStateError
from ocop_shared.mongo import Database
from ocop_shared.text import Text

log = structlog.get_logger(__name__)

CREATE = "create_order"
CANCEL = "cancel_order"


class CreateShipment(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, field_title_generator=TITLES)

    service: Annotated[Text, StringConstraints(pattern=r"^[A-Z0-9_]{2,12}$")] = "VCN"
    """Viettel Post service code chosen from the quote (VCN express, VTK economy...)."""
    weight_g: int | None = Field(default=None, gt=0, le=100_000)
    """Parcel weight in grams; default: the item weight setting times the units."""
    override_reason: Annotated[Text, StringConstraints(min_length=3, max_length=300)] | None = None
    """Required to ship an order whose product was withdrawn since; recorded."""


class CancelShipment(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, field_title_generator=TITLES)

    reason: Annotated[Text, StringConstraints(strip_whitespace=True, min_length=3, max_length=300)]


def _weight(orders: Orders, order: EcomOrder, weight_g: int | None) -> int:
    units = sum(line.quantity for line in order.lines)
    return weight_g or orders.settings.default_item_weight_g * units


async def quote(
    orders: Orders, order_id: str, weight_g: int | None, who: Principal
) -> list[ServiceQuote]:
    """Prices of every service for this order (read only: no journal)."""
    order = await EcommerceRepository(orders.db).get_order(order_id)
    ensure_order_scope(who, order)
    request = price_request(orders.settings, order, _weight(orders, order, weight_g))
    return await ViettelPost(orders.settings, orders.db).price_all(request)


def _ordering_key(order: EcomOrder) -> str:
    return f"{CARRIER}:{order.number}"


async def create_shipment(
    orders: Orders, order_id: str, command: CreateShipment, who: Principal
) -> tuple[Shipment, bool]:
    """Record the shipment and journal its creation at Viettel Post (second value: existed)."""
    repo = EcommerceRepository(orders.db)
    existing = await repo.shipment_for_order(order_id)
    if existing is not None:
        ensure_may_act(who, await repo.get_order(order_id))
        return existing, True

    async def work(uow: UnitOfWork) -> Shipment:
        store = EcommerceRepository(uow.repository.db, uow.session)
        order = await store.get_order(order_id)
        ensure_may_act(who, order)
        if order.state is not OrderState.CONFIRMED:
            raise InvalidStateError(
                f"Chỉ tạo vận đơn cho đơn đã xác nhận; đơn đang “{order.state_label}” "
                f"({order.state.value})",
                field="state",
            )
        products = await uow.repository.products([line.product_id for line in order.lines])
        override = shipment_override(
            order.lines, products, orders.clock.today(), command.override_reason
        )
        weight = _weight(orders, order, command.weight_g)
        shipment = Shipment(
            override_reason=override,
            override_by=(who.name or who.subject) if override else None,
            id=f"vd-{uuid.uuid4().hex[:12]}",
            order_id=order.id,
            order_number=order.number,
            service=command.service,
            status=ShipmentStatus.REQUESTED,
            order_payment=order_payment(order.payment, order.buyer_pays_shipping),
            money_collection_vnd=money_collection(order),
            weight_g=weight,
            created_at=uow.now,
            updated_at=uow.now,
        )
        await _store(uow).insert_shipment(shipment)
        payload = create_order_payload(orders.settings, order, command.service, weight)
        await enqueue(
            uow.session,
            uow.repository.db,
            NewCall(
                target=CARRIER,
                operation=CREATE,
                key=shipment.id,
                ordering_key=_ordering_key(order),
                payload={"shipment_id": shipment.id, "request": payload},
            ),
            now=uow.now,
            settings=orders.settings,
        )
        return shipment

    try:
        async with orders.locks.hold([f"shipment:{order_id}"]):
            shipment = await run_in_unit_of_work(orders, who.subject, work)
    except DuplicateKeyError:
        existing = await repo.shipment_for_order(order_id)
        if existing is None:
            raise
        return existing, True
    log.info("shipment.requested", order_id=order_id, shipment_id=shipment.id)
    return shipment, False


async def cancel_shipment(
    orders: Orders, order_id: str, command: CancelShipment, who: Principal
) -> Shipment:
    """Ask Viettel Post to cancel the waybill; refused once the goods were picked up."""

    async def work(uow: UnitOfWork) -> Shipment:
        store = EcommerceRepository(uow.repository.db, uow.session)
        order = await store.get_order(order_id)
        ensure_may_act(who, order)
        shipment = await store.shipment_for_order(order_id)
        if shipment is None:
            raise InvalidStateError("Đơn chưa có vận đơn", field="order_id")
        if shipment.status is ShipmentStatus.CANCELLED:
            return shipment
        if not cancellable_at_carrier(shipment.carrier_code):
            raise InvalidStateError(
                "Không thể huỷ vận đơn: Viettel Post đã lấy hàng "
                f"(trạng thái “{SHIPMENT_LABELS[shipment.status]}”, mã {shipment.carrier_code}). "
                "Hãy liên hệ bưu cục để chuyển hoàn.",
                field="state",
            )
        changes = {"cancel_reason": command.reason}
        if not await _store(uow).update_shipment(shipment.id, changes, uow.now, shipment.version):
            raise InvalidStateError("Vận đơn vừa thay đổi; thử lại", field="state")
        await enqueue(
            uow.session,
            uow.repository.db,
            NewCall(
                target=CARRIER,
                operation=CANCEL,
                key=shipment.id,
                ordering_key=_ordering_key(order),
                payload={"shipment_id": shipment.id, "reason": command.reason},
            ),
            now=uow.now,
            settings=orders.settings,
        )
        return shipment

    return await run_in_unit_of_work(orders, who.subject, work)


async def acknowledge_flags(orders: Orders, order_id: str, note: str, who: Principal) -> Shipment:
    """A person has looked at the unknown carrier codes of this shipment (and acted on them)."""

    async def work(uow: UnitOfWork) -> Shipment:
        store = EcommerceRepository(uow.repository.db, uow.session)
        order = await store.get_order(order_id)
        ensure_may_act(who, order)
        shipment = await store.shipment_for_order(order_id)
        if shipment is None:
            raise InvalidStateError("Đơn chưa có vận đơn", field="order_id")
        await store.review_unknown_tracking(shipment.id, uow.now, who.subject, note)
        await _set(uow, shipment, needs_attention=False)
        return shipment.model_copy(update={"needs_attention": False})

    return await run_in_unit_of_work(orders, who.subject, work)


# -- executors: the calls themselves, run by the outbound worker -----------------------------
def _failed(exc: CarrierUnavailableError | CarrierRejectedError, request: str) -> CallFailedError:
    return CallFailedError(
        exc.detail,
        retryable=isinstance(exc, CarrierUnavailableError),
        status_code=getattr(exc, "carrier_status", None),
        request=request,
    )


def register_viettelpost(executors: Executors, orders: Orders) -> None:
    """Wire Viettel Post's create and cancel calls into the journal's executors."""
    client = ViettelPost(orders.settings, orders.db)

    async def execute_create(call: OutboundCall) -> CallResponse:
        request = call.payload["request"]
        sent = json.dumps(request, ensure_ascii=False)
        try:
            created = await client.create_order(request)
        except (CarrierUnavailableError, CarrierRejectedError) as exc:
            raise _failed(exc, sent) from exc
        result = {
            "waybill": created.waybill,
            "fee_vnd": created.fee_vnd,
            "duplicate": created.duplicate,
        }
        return CallResponse(status_code=200, body=json.dumps(result), request=sent, result=result)

    async def execute_cancel(call: OutboundCall) -> CallResponse:
        shipment = await _shipment(orders.db, str(call.payload["shipment_id"]))
        waybill = shipment.waybill or shipment.order_number
        sent = json.dumps({"TYPE": 4, "ORDER_NUMBER": waybill})
        try:
            await client.cancel_order(waybill, str(call.payload.get("reason") or ""))
        except (CarrierUnavailableError, CarrierRejectedError) as exc:
            raise _failed(exc, sent) from exc
        return CallResponse(status_code=200, body="cancelled", request=sent, result={})

    async def settle_create(settlement: Settlement) -> None:
        uow = _uow(orders, settlement)
        shipment = await _shipment(settlement.db, str(settlement.call.payload["shipment_id"]), uow)
        if settlement.outcome is CallOutcome.PARKED:
            await _set(uow, shipment, last_error=_error(settlement))
            return
        result = settlement.response.result if settlement.response else {}
        waybill = result.get("waybill") or shipment.waybill or shipment.order_number
        fee = result.get("fee_vnd")
        changes: dict[str, Any] = {"waybill": waybill, "last_error": None}
        if fee is not None:
            changes["fee_vnd"] = int(fee)
        if shipment.status is ShipmentStatus.REQUESTED:
            changes["status"] = ShipmentStatus.NEW.value
        await _set(uow, shipment, **changes)
        store = EcommerceRepository(uow.repository.db, uow.session)
        order = await store.get_order(shipment.order_id)
        if order.state is OrderState.CONFIRMED:
            after = advance(order, OrderState.SHIPPED, uow, CARRIER, note=f"Vận đơn {waybill}")
            await save(uow, order, after)
            shipping_fee = int(fee) if fee is not None else None
            await uow.publish(OrderShipped(after, uow.now, CARRIER, waybill, shipping_fee))
        log.info("shipment.created", shipment_id=shipment.id, waybill=waybill)

    async def settle_cancel(settlement: Settlement) -> None:
        uow = _uow(orders, settlement)
        shipment = await _shipment(settlement.db, str(settlement.call.payload["shipment_id"]), uow)
        if settlement.outcome is CallOutcome.PARKED:
            await _set(uow, shipment, last_error=_error(settlement))
            return
        await _set(uow, shipment, status=ShipmentStatus.CANCELLED.value, last_error=None)
        store = EcommerceRepository(uow.repository.db, uow.session)
        order = await store.get_order(shipment.order_id)
        if order.state in (OrderState.CONFIRMED, OrderState.SHIPPED):
            reason = str(settlement.call.payload.get("reason") or "Huỷ vận đơn")
            await cancel_in(uow, order, reason, CARRIER)

    executors.register(CARRIER, CREATE, execute_create, settle=settle_create)
    executors.register(CARRIER, CANCEL, execute_cancel, settle=settle_cancel)


def _uow(orders: Orders, settlement: Settlement) -> UnitOfWork:
    return unit_of_work(
        settlement.db,
        settlement.session,
        settlement.outbox,
        orders.settings,
        now=settlement.now,
        by=CARRIER,
    )


def _error(settlement: Settlement) -> str:
    return settlement.error.message if settlement.error else "Không rõ lỗi"


async def _shipment(db: Database, shipment_id: str, uow: UnitOfWork | None = None) -> Shipment:
    return await EcommerceRepository(db, uow.session if uow else None).get_shipment(shipment_id)


def _store(uow: UnitOfWork) -> EcommerceRepository:
    return EcommerceRepository(uow.repository.db, uow.session)


async def _set(uow: UnitOfWork, shipment: Shipment, **changes: Any) -> None:
    await _store(uow).update_shipment(shipment.id, changes, uow.now)
