"""Stock held for e-commerce orders, at a showroom or in the producer's own stock.

A reservation moves units from `available` to `reserved` with one guarded update
(``available >= n``), so two orders for the last units cannot both win and a till cannot
sell what an order holds. Confirming turns the reservation into a sale in the ledger;
cancelling or expiring gives it back. Every write runs in the caller's transaction.
"""

from __future__ import annotations

from collections import defaultdict

from ocop_orders.domain import fefo
from ocop_orders.domain.errors import OutOfStockError
from ocop_orders.domain.model import Lot
from ocop_orders.ecommerce.adapters.holds import HoldStore
from ocop_orders.ecommerce.domain.model import EcomOrder, OrderLine
from ocop_orders.service_layer.stock import LotChange, Movement
from ocop_orders.service_layer.unit_of_work import UnitOfWork
from ocop_shared.contracts.orders import StockMovement


def _quantities(lines: list[OrderLine]) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for line in lines:
        totals[line.product_id] += line.quantity
    return dict(sorted(totals.items()))


async def reserve(uow: UnitOfWork, order: EcomOrder) -> None:
    """Hold the order's units (in product id order, so concurrent orders lock alike)."""
    for product_id, quantity in _quantities(order.lines).items():
        field = f"body.lines.{_line_index(order, product_id)}.quantity"
        if order.fulfilment.kind == "showroom":
            assert order.fulfilment.showroom_id is not None
            await _hold_at_showroom(uow, order.fulfilment.showroom_id, product_id, quantity, field)
        else:
            await _hold_at_producer(uow, product_id, quantity, field)


async def release(uow: UnitOfWork, order: EcomOrder) -> None:
    """Give back what an unconfirmed order holds."""
    for product_id, quantity in _quantities(order.lines).items():
        showroom_id = order.fulfilment.showroom_id
        if order.fulfilment.kind == "showroom":
            assert showroom_id is not None
        else:
            showroom_id = None
        if not await _holds(uow).release(showroom_id, product_id, quantity):
            raise RuntimeError(f"reservation of {order.id} missing for {product_id}")


async def consume(uow: UnitOfWork, order: EcomOrder) -> list[OrderLine]:
    """Turn the reservation into a sale: showroom lots leave first-expiring first.

    Returns the lines with the lots they took, so a later return puts units back where
    they came from.
    """
    if order.fulfilment.kind == "producer":
        for product_id, quantity in _quantities(order.lines).items():
            if not await _holds(uow).ship_from_producer(product_id, quantity):
                raise RuntimeError(f"reservation of {order.id} missing for {product_id}")
        return order.lines
    await release(uow, order)
    assert order.fulfilment.showroom_id is not None
    showroom = await uow.repository.get_showroom(order.fulfilment.showroom_id)
    ids = sorted({line.product_id for line in order.lines})
    products = await uow.repository.products(ids)
    lots: dict[str, list[Lot]] = defaultdict(list)
    for lot in await uow.repository.lots_for(showroom.id, ids):
        lots[lot.product_id].append(lot)
    today = uow.now.date()
    plans: list[Movement] = []
    lines: list[OrderLine] = []
    for i, line in enumerate(order.lines):
        product = products[line.product_id]
        takes = fefo.allocate(lots[line.product_id], line.quantity, today)
        if takes is None:
            raise OutOfStockError(
                f"Hết hàng: lô hàng của {product.name} tại {showroom.name} không còn đủ",
                product_id=product.id,
                field=f"lines.{i}.quantity",
            )
        lots[line.product_id] = fefo.after_taking(lots[line.product_id], takes)
        plans.append(
            Movement(
                product,
                StockMovement.SALE,
                [LotChange(lot.id, "on_hand", -n) for lot, n in takes],
                reference=order.id,
            )
        )
        lines.append(line.model_copy(update={"lots": [(lot.id, n) for lot, n in takes]}))
    await uow.stock.apply(showroom, plans)
    return lines


async def put_back(uow: UnitOfWork, order: EcomOrder) -> None:
    """Goods of a confirmed order came back (cancelled after confirming, or returned)."""
    if order.fulfilment.kind == "producer":
        for product_id, quantity in _quantities(order.lines).items():
            await _holds(uow).return_to_producer(product_id, quantity)
        return
    assert order.fulfilment.showroom_id is not None
    showroom = await uow.repository.get_showroom(order.fulfilment.showroom_id)
    products = await uow.repository.products(sorted({line.product_id for line in order.lines}))
    plans = [
        Movement(
            products[line.product_id],
            StockMovement.RETURN,
            [LotChange(lot_id, "on_hand", n) for lot_id, n in line.lots],
            reference=order.id,
            reason="Đơn thương mại điện tử hoàn về",
        )
        for line in order.lines
        if line.lots
    ]
    if plans:
        await uow.stock.apply(showroom, plans)


async def _hold_at_showroom(
    uow: UnitOfWork, showroom_id: str, product_id: str, quantity: int, field: str
) -> None:
    if not await _holds(uow).hold_at_showroom(showroom_id, product_id, quantity, uow.now):
        current = await uow.repository.find_balance(showroom_id, product_id)
        left = current.available if current else 0
        raise OutOfStockError(
            f"Hết hàng: sản phẩm {product_id} chỉ còn {left} có thể giữ tại điểm bán",
            product_id=product_id,
            field=field,
        )


async def _hold_at_producer(uow: UnitOfWork, product_id: str, quantity: int, field: str) -> None:
    if not await _holds(uow).hold_at_producer(product_id, quantity, uow.now):
        doc = await _holds(uow).producer_stock(product_id)
        left = int(doc["available"]) if doc else 0
        raise OutOfStockError(
            f"Hết hàng: cơ sở sản xuất chỉ còn {left} sản phẩm {product_id} có thể giữ",
            product_id=product_id,
            field=field,
        )


def _holds(uow: UnitOfWork) -> HoldStore:
    return HoldStore(uow.repository.db, uow.session)


def _line_index(order: EcomOrder, product_id: str) -> int:
    return next(i for i, line in enumerate(order.lines) if line.product_id == product_id)
