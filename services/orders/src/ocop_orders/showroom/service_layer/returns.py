"""Returns (damaged goods go to quarantine) and same-day voids of showroom sales."""

from __future__ import annotations

from collections.abc import Callable

import structlog

from ocop_orders.domain.commands import RecordReturn, VoidSale
from ocop_orders.domain.eligibility import block_reason
from ocop_orders.domain.events import (
    DomainEvent,
    ReturnedUnits,
    SaleReturnRecorded,
    SaleVoided,
)
from ocop_orders.domain.model import (
    Product,
    ReturnRecord,
    Sale,
    SaleLine,
    SaleStatus,
    Showroom,
)
from ocop_orders.service_layer.stock import LotChange, new_id
from ocop_orders.service_layer.unit_of_work import Orders, UnitOfWork, run_in_unit_of_work
from ocop_orders.showroom.domain import selling
from ocop_orders.showroom.service_layer.withdrawals import quarantine_lots
from ocop_shared.auth import Principal
from ocop_shared.contracts.orders import (
    StockMovement,
)
from ocop_shared.errors import ConflictError, InvalidStateError

log = structlog.get_logger(__name__)


async def _put_back(
    orders: Orders,
    uow: UnitOfWork,
    showroom: Showroom,
    product: Product,
    line: SaleLine,
    quantity: int,
    movement: StockMovement,
    *,
    restock: bool,
    reference: str,
    reason: str,
) -> None:
    lots = selling.lots_for_return(line, quantity)
    blocked = block_reason(product, showroom, orders.clock.today())
    if restock and not blocked:
        changes = [LotChange(lot_id, "on_hand", n) for lot_id, n in lots]
        await uow.stock.move(showroom, product, movement, changes, reference=reference)
        return
    # Damaged goods, or a product that may no longer be sold: straight into quarantine.
    await quarantine_lots(
        uow,
        showroom,
        product,
        lots,
        movement=movement,
        reason=blocked or f"Hàng trả lại không bán lại được: {reason}",
        reference=reference,
        certificate_id=product.certificate.certificate_id if product.certificate else None,
    )


async def record_return(
    orders: Orders,
    showroom_id: str,
    sale_id: str,
    command: RecordReturn,
    by: Principal,
    key: str | None = None,
) -> Sale:
    """Take goods back; with an idempotency key a retried return is applied once."""

    async def work(uow: UnitOfWork) -> Sale:
        sale = await uow.repository.get_sale(showroom_id, sale_id)
        if key is not None and any(r.idempotency_key == key for r in sale.returns):
            return sale
        items, lines = selling.plan_return(sale, command)
        showroom = await uow.repository.get_showroom(showroom_id)
        return_id = new_id("th")
        for item in items:
            await _put_back(
                orders,
                uow,
                showroom,
                await uow.repository.get_product(item.line.product_id),
                item.line,
                item.quantity,
                StockMovement.RETURN,
                restock=command.restock,
                reference=return_id,
                reason=command.reason,
            )
        returned = tuple(
            ReturnedUnits(
                item.line.product_id, item.line.producer_id, item.quantity, item.refund_vnd
            )
            for item in items
        )
        refund_total = sum(r.refund_vnd for r in returned)
        record = ReturnRecord(
            id=return_id,
            lines=[
                {"product_id": r.product_id, "quantity": r.quantity, "refund_vnd": r.refund_vnd}
                for r in returned
            ],
            refund_vnd=refund_total,
            reason=command.reason,
            restocked=command.restock,
            at=uow.now,
            by=by.name or by.subject,
            idempotency_key=key,
        )
        updated = sale.model_copy(
            update={
                "lines": lines,
                "returns": [*sale.returns, record],
                "refunded_vnd": sale.refunded_vnd + refund_total,
                "version": sale.version + 1,
            }
        )
        return await _save(
            uow,
            sale,
            updated,
            lambda saved: SaleReturnRecorded(
                saved, return_id, returned, refund_total, command.reason, uow.now
            ),
        )

    return await run_in_unit_of_work(orders, by.subject, work)


async def _save(
    uow: UnitOfWork, sale: Sale, updated: Sale, event: Callable[[Sale], DomainEvent]
) -> Sale:
    """Replace the sale if nobody changed it meanwhile, and announce the change."""
    if not await uow.repository.replace_sale(updated, sale.version):
        raise ConflictError("Hoá đơn vừa thay đổi; thử lại", field="sale_id")
    await uow.publish(event(updated))
    return updated


async def void_sale(
    orders: Orders, showroom_id: str, sale_id: str, command: VoidSale, by: Principal
) -> Sale:
    """Cancel a sale of today that has no returns; every unit goes back where it came from."""

    async def work(uow: UnitOfWork) -> Sale:
        sale = await uow.repository.get_sale(showroom_id, sale_id)
        if sale.status is SaleStatus.VOIDED:
            return sale  # voiding twice is harmless
        if sale.returns:
            raise InvalidStateError("Hoá đơn đã có trả hàng; dùng trả hàng", field="sale_id")
        if sale.business_day != orders.clock.today():
            raise InvalidStateError(
                "Chỉ huỷ được hoá đơn trong ngày; hoá đơn cũ dùng trả hàng", field="sale_id"
            )
        showroom = await uow.repository.get_showroom(showroom_id)
        # One read for every line's product (a product gone missing still fails as before).
        products = await uow.repository.products(sorted({line.product_id for line in sale.lines}))
        for line in sale.lines:
            product = products.get(line.product_id) or await uow.repository.get_product(
                line.product_id
            )
            await _put_back(
                orders,
                uow,
                showroom,
                product,
                line,
                line.quantity,
                StockMovement.VOID,
                restock=True,
                reference=sale.id,
                reason=command.reason,
            )
        updated = sale.model_copy(
            update={
                "status": SaleStatus.VOIDED,
                "void_reason": command.reason,
                "version": sale.version + 1,
            }
        )
        return await _save(
            uow,
            sale,
            updated,
            lambda saved: SaleVoided(saved, command.reason, uow.now),
        )

    return await run_in_unit_of_work(orders, by.subject, work)
