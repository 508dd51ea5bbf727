"""E-commerce orders: idempotent intake with a stock reservation, confirm, cancel, refund.

Every step is one transaction: the order's new state, the stock it moves and its event in
the outbox. Intake is idempotent on (channel, remote order id): a retried webhook, pull or
staff submit returns the order already taken in.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta

import structlog
from pymongo.errors import DuplicateKeyError

from ocop_orders.adapters.repository import OrdersRepository
from ocop_orders.domain.events import (
    OrderCancelled,
    OrderConfirmed,
    OrderPlaced,
    OrderRefunded,
)
from ocop_orders.ecommerce.adapters.holds import HoldStore
from ocop_orders.ecommerce.adapters.repository import (
    EcommerceRepository,
)
from ocop_orders.ecommerce.domain.access import ensure_may_act
from ocop_orders.ecommerce.domain.model import (
    CancelOrder,
    EcomOrder,
    OrderLine,
    OrderState,
    PlaceOrder,
    RefundOrder,
    StepRecord,
    check_step,
)
from ocop_orders.ecommerce.domain.selling import price_order_lines
from ocop_orders.ecommerce.domain.shipping import ShipmentStatus
from ocop_orders.ecommerce.service_layer import reservations
from ocop_orders.service_layer.unit_of_work import Orders, UnitOfWork, run_in_unit_of_work
from ocop_shared.auth import Principal, ensure_producer_scope
from ocop_shared.contracts.orders import (
    OrderChannel,
)
from ocop_shared.errors import InvalidStateError, ValidationFailedError

log = structlog.get_logger(__name__)

SYSTEM = "system"


async def place_order(
    orders: Orders, channel: OrderChannel, command: PlaceOrder, by: str
) -> tuple[EcomOrder, bool]:
    """Take an order in and reserve its stock; the second value says it was already taken in."""
    repo = EcommerceRepository(orders.db)
    existing = await repo.order_by_remote(channel.value, command.remote_order_id)
    if existing is not None:
        return existing, True
    lines = await _priced_lines(orders, command)
    if command.fulfilment.kind == "showroom":
        assert command.fulfilment.showroom_id is not None
        showroom = await OrdersRepository(orders.db).get_showroom(
            command.fulfilment.showroom_id, field="body.fulfilment.showroom_id"
        )
        if not showroom.active:
            raise InvalidStateError(
                f"Điểm bán {showroom.name} đang tạm đóng", field="body.fulfilment.showroom_id"
            )

    async def work(uow: UnitOfWork) -> EcomOrder:
        order = _new_order(orders, uow, channel, command, lines, by)
        await EcommerceRepository(uow.repository.db, uow.session).insert_order(order)
        await reservations.reserve(uow, order)
        await uow.publish(OrderPlaced(order))
        return order

    where = command.fulfilment.showroom_id or "producer"
    keys = [f"ecom:{channel.value}:{command.remote_order_id}"]
    keys += [f"{where}:{line.product_id}" for line in lines]
    try:
        async with orders.locks.hold(keys):
            order = await run_in_unit_of_work(orders, by, work)
    except DuplicateKeyError:
        # A concurrent retry of the same channel order committed first: answer with it.
        existing = await repo.order_by_remote(channel.value, command.remote_order_id)
        if existing is None:
            raise
        return existing, True
    log.info(
        "ecommerce_order.placed",
        order_id=order.id,
        channel=channel.value,
        total_vnd=order.total_vnd,
    )
    return order, False


async def _priced_lines(orders: Orders, command: PlaceOrder) -> list[OrderLine]:
    ids = sorted({line.product_id for line in command.lines})
    if len(ids) != len(command.lines):
        raise ValidationFailedError("Mỗi sản phẩm chỉ một dòng trong đơn", field="body.lines")
    products = await OrdersRepository(orders.db).products(ids)
    return price_order_lines(command, products, orders.clock.today())


def _new_order(
    orders: Orders,
    uow: UnitOfWork,
    channel: OrderChannel,
    command: PlaceOrder,
    lines: list[OrderLine],
    by: str,
) -> EcomOrder:
    subtotal = sum(line.line_total_vnd for line in lines)
    hex_id = uuid.uuid4().hex[:10].upper()
    return EcomOrder(
        id=f"dh-{hex_id.lower()}",
        number=f"OCOP{hex_id}",
        channel=channel,
        remote_order_id=command.remote_order_id,
        buyer=command.buyer,
        lines=lines,
        payment=command.payment,
        buyer_pays_shipping=command.buyer_pays_shipping,
        subtotal_vnd=subtotal,
        shipping_fee_vnd=command.shipping_fee_vnd,
        total_vnd=subtotal + command.shipping_fee_vnd,
        fulfilment=command.fulfilment,
        state=OrderState.PLACED,
        reserved_until=uow.now + timedelta(minutes=orders.settings.reservation_timeout_minutes),
        note=command.note,
        created_at=uow.now,
        updated_at=uow.now,
        created_by=by,
        history=[StepRecord(at=uow.now, by=by, from_state=None, to_state=OrderState.PLACED)],
    )


def advance(
    order: EcomOrder, target: OrderState, uow: UnitOfWork, by: str, note: str | None = None
) -> EcomOrder:
    """The order one legal step further, with the step in its audit trail."""
    check_step(order.state, target)
    step = StepRecord(at=uow.now, by=by, from_state=order.state, to_state=target, note=note)
    return order.model_copy(
        update={
            "state": target,
            "updated_at": uow.now,
            "version": order.version + 1,
            "history": [*order.history, step],
        }
    )


async def save(uow: UnitOfWork, before: EcomOrder, after: EcomOrder) -> None:
    await EcommerceRepository(uow.repository.db, uow.session).replace_order(after, before.version)


async def _transition(
    orders: Orders,
    order_id: str,
    by: Principal,
    step: Callable[[UnitOfWork, EcomOrder], Awaitable[EcomOrder]],
) -> EcomOrder:
    async def work(uow: UnitOfWork) -> EcomOrder:
        order = await EcommerceRepository(uow.repository.db, uow.session).get_order(order_id)
        ensure_may_act(by, order)
        return await step(uow, order)

    # Queue behind tills and other orders moving the same stock in this process (as sales
    # do), so they take turns instead of aborting each other's transactions.
    known = await EcommerceRepository(orders.db).get_order(order_id)
    async with orders.locks.hold(stock_keys(known)):
        return await run_in_unit_of_work(orders, by.subject, work)


def stock_keys(order: EcomOrder) -> list[str]:
    """The in-process lock keys of the stock an order moves (the same keys sales use)."""
    where = order.fulfilment.showroom_id or "producer"
    return [f"ecom:{order.channel.value}:{order.remote_order_id}"] + [
        f"{where}:{line.product_id}" for line in order.lines
    ]


async def confirm_order(orders: Orders, order_id: str, by: Principal) -> EcomOrder:
    async def step(uow: UnitOfWork, order: EcomOrder) -> EcomOrder:
        if order.state is OrderState.PLACED and order.reserved_until <= uow.now:
            raise InvalidStateError(
                "Đơn đã quá hạn giữ hàng; hàng đang được trả lại kho", field="state"
            )
        after = advance(order, OrderState.CONFIRMED, uow, by.subject)
        lines = await reservations.consume(uow, order)
        after = after.model_copy(update={"lines": lines})
        await save(uow, order, after)
        await uow.publish(OrderConfirmed(after))
        return after

    order = await _transition(orders, order_id, by, step)
    log.info("ecommerce_order.confirmed", order_id=order_id)
    return order


async def cancel_order(
    orders: Orders, order_id: str, command: CancelOrder, by: Principal
) -> EcomOrder:
    """Staff cancel: before shipping only (a shipped order is cancelled at the carrier)."""

    async def step(uow: UnitOfWork, order: EcomOrder) -> EcomOrder:
        shipment = await EcommerceRepository(uow.repository.db, uow.session).shipment_for_order(
            order.id
        )
        if order.state is OrderState.SHIPPED or (
            shipment is not None and shipment.status is not ShipmentStatus.CANCELLED
        ):
            raise InvalidStateError(
                "Đơn đã có vận đơn Viettel Post: hãy huỷ vận đơn (đơn sẽ tự huỷ theo)",
                field="state",
            )
        return await cancel_in(uow, order, command.reason, by.subject)

    return await _transition(orders, order_id, by, step)


async def cancel_in(
    uow: UnitOfWork, order: EcomOrder, reason: str, by: str, *, expired: bool = False
) -> EcomOrder:
    """Cancel (or expire) inside a unit of work, giving back what the order holds."""
    target = OrderState.EXPIRED if expired else OrderState.CANCELLED
    after = advance(order, target, uow, by, note=reason)
    after = after.model_copy(update={"cancel_reason": reason})
    if order.state is OrderState.PLACED:
        await reservations.release(uow, order)
    else:
        await reservations.put_back(uow, order)
    await save(uow, order, after)
    await uow.publish(OrderCancelled(after, uow.now, reason, expired))
    return after


async def cancel_orders_holding(
    uow: UnitOfWork, showroom_id: str, product_id: str, reason: str
) -> int:
    """Cancel the unconfirmed orders holding `product_id` at a showroom (it may not be sold)."""
    store = EcommerceRepository(uow.repository.db, uow.session)
    holding = await store.placed_orders_holding(showroom_id, product_id)
    for order in holding:
        await cancel_in(uow, order, f"Không còn được bán: {reason}", SYSTEM)
    return len(holding)


async def refund_order(
    orders: Orders, order_id: str, command: RefundOrder, by: Principal
) -> EcomOrder:
    async def step(uow: UnitOfWork, order: EcomOrder) -> EcomOrder:
        if command.amount_vnd > order.total_vnd:
            raise ValidationFailedError(
                f"Số tiền hoàn lớn hơn giá trị đơn ({order.total_vnd} ₫)",
                field="body.amount_vnd",
            )
        after = advance(order, OrderState.REFUNDED, uow, by.subject, note=command.reason)
        after = after.model_copy(
            update={"refund_vnd": command.amount_vnd, "refund_reason": command.reason}
        )
        await save(uow, order, after)
        await uow.publish(OrderRefunded(after, uow.now, command.amount_vnd, command.reason))
        return after

    return await _transition(orders, order_id, by, step)


async def release_expired(orders: Orders) -> int:
    """Expire unconfirmed orders past their reservation time (idempotent; the clock decides)."""
    now = orders.clock.now()
    released = 0
    for order_id in await EcommerceRepository(orders.db).expired_reservations(now):

        async def work(uow: UnitOfWork, order_id: str = order_id) -> bool:
            repo = EcommerceRepository(uow.repository.db, uow.session)
            order = await repo.get_order(order_id)
            if order.state is not OrderState.PLACED or order.reserved_until > uow.now:
                return False  # confirmed, cancelled or already released meanwhile
            await cancel_in(uow, order, "Hết thời gian giữ hàng", SYSTEM, expired=True)
            return True

        known = await EcommerceRepository(orders.db).get_order(order_id)
        async with orders.locks.hold(stock_keys(known)):
            done = await run_in_unit_of_work(orders, SYSTEM, work)
        if done:
            released += 1
            log.info("ecommerce_order.reservation_expired", order_id=order_id)
    return released


async def set_producer_stock(
    orders: Orders, product_id: str, quantity: int, by: Principal
) -> dict[str, int]:
    """The producer's own sellable quantity (what it can ship itself), keeping reservations."""
    product = await OrdersRepository(orders.db).get_product(product_id)
    ensure_producer_scope(by, product.producer_id)

    async def work(uow: UnitOfWork) -> dict[str, int]:
        holds = HoldStore(uow.repository.db, uow.session)
        doc = await holds.producer_stock(product_id)
        reserved = int(doc["reserved"]) if doc else 0
        if quantity < reserved:
            raise ValidationFailedError(
                f"Đang giữ {reserved} cho đơn chờ xác nhận; số lượng không được nhỏ hơn",
                field="body.quantity",
            )
        await holds.set_producer_stock(product_id, product.producer_id, quantity, reserved, uow.now)
        return {"quantity": quantity, "reserved": reserved, "available": quantity - reserved}

    return await run_in_unit_of_work(orders, by.subject, work)
