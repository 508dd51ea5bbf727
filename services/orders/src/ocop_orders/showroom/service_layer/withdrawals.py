"""Withdrawals: stock taken off sale into quarantine, then returned to the producer or released."""

from __future__ import annotations

from datetime import date

from ocop_orders.domain.commands import CloseWithdrawal, Quarantine
from ocop_orders.domain.eligibility import block_reason
from ocop_orders.domain.events import WithdrawalCreated
from ocop_orders.domain.model import (
    Product,
    SaleLotTake,
    Showroom,
    Withdrawal,
    WithdrawalStatus,
)
from ocop_orders.service_layer.stock import LotChange, new_id
from ocop_orders.service_layer.unit_of_work import Orders, UnitOfWork, run_in_unit_of_work
from ocop_orders.showroom.domain.withdrawals import take_from_shelf
from ocop_shared.auth import Principal
from ocop_shared.contracts.orders import StockMovement
from ocop_shared.errors import (
    ConflictError,
    InvalidStateError,
    NotFoundError,
    ValidationFailedError,
)


async def quarantine_lots(
    uow: UnitOfWork,
    showroom: Showroom,
    product: Product,
    lots: list[tuple[str, int]],
    *,
    movement: StockMovement,
    reason: str,
    reference: str | None = None,
    certificate_id: str | None = None,
    from_shelf: bool = False,
) -> Withdrawal | None:
    """Put units into quarantine (from the shelf, or arriving) and open a withdrawal for them."""
    lots = [(lot_id, n) for lot_id, n in lots if n > 0]
    if not lots:
        return None
    withdrawal = Withdrawal(
        id=new_id("th-hh"),
        showroom_id=showroom.id,
        product_id=product.id,
        product_name=product.name,
        producer_id=product.producer_id,
        quantity=sum(n for _, n in lots),
        reason=reason,
        certificate_id=certificate_id,
        lots=[SaleLotTake(lot_id=lot_id, quantity=n) for lot_id, n in lots],
        created_at=uow.now,
    )
    changes = [LotChange(lot_id, "quarantined", n) for lot_id, n in lots]
    if from_shelf:
        changes += [LotChange(lot_id, "on_hand", -n) for lot_id, n in lots]
    await uow.stock.move(
        showroom, product, movement, changes, reference=reference or withdrawal.id, reason=reason
    )
    await uow.repository.add_withdrawal(withdrawal)
    await uow.publish(WithdrawalCreated(withdrawal))
    return withdrawal


async def withdraw_from_shelf(
    uow: UnitOfWork,
    showroom: Showroom,
    product: Product,
    *,
    reason: str,
    today: date,
    quantity: int | None = None,
    lot_id: str | None = None,
) -> Withdrawal | None:
    lots = await uow.repository.lots(showroom.id, product.id)
    if lot_id is not None:
        lots = [lot for lot in lots if lot.id == lot_id]
        if not lots:
            raise NotFoundError("Không có lô hàng này", field="body.lot_id")
    on_hand = sum(lot.on_hand for lot in lots)
    if quantity is not None and quantity > on_hand:
        raise ValidationFailedError(f"Chỉ còn {on_hand} trên kệ", field="body.quantity")
    return await quarantine_lots(
        uow,
        showroom,
        product,
        take_from_shelf(lots, quantity, today),
        movement=StockMovement.QUARANTINE,
        reason=reason,
        certificate_id=product.certificate.certificate_id if product.certificate else None,
        from_shelf=True,
    )


async def quarantine(
    orders: Orders, showroom_id: str, command: Quarantine, by: Principal
) -> Withdrawal:
    async def work(uow: UnitOfWork) -> Withdrawal:
        showroom = await uow.repository.get_showroom(showroom_id)
        product = await uow.repository.get_product(command.product_id, "body.product_id")
        withdrawal = await withdraw_from_shelf(
            uow,
            showroom,
            product,
            reason=command.reason,
            today=orders.clock.today(),
            quantity=command.quantity,
            lot_id=command.lot_id,
        )
        if withdrawal is None:
            raise InvalidStateError("Không còn hàng trên kệ để rút", field="body.product_id")
        return withdrawal

    return await run_in_unit_of_work(orders, by.subject, work)


async def close_withdrawal(
    orders: Orders,
    showroom_id: str,
    withdrawal_id: str,
    command: CloseWithdrawal,
    by: Principal,
    *,
    release: bool,
) -> Withdrawal:
    """Return the quarantined units to the producer, or put them back on sale (`release`)."""

    async def work(uow: UnitOfWork) -> Withdrawal:
        withdrawal = await uow.repository.find_withdrawal(withdrawal_id)
        if withdrawal is None or withdrawal.showroom_id != showroom_id:
            raise NotFoundError("Không có phiếu rút hàng này", field="withdrawal_id")
        if withdrawal.status is not WithdrawalStatus.OPEN:
            raise InvalidStateError("Phiếu rút hàng đã xử lý xong", field="withdrawal_id")
        showroom = await uow.repository.get_showroom(showroom_id)
        product = await uow.repository.get_product(withdrawal.product_id)
        if release:
            blocked = block_reason(product, showroom, orders.clock.today())
            if blocked:
                raise InvalidStateError(
                    f"Chưa được bán lại {product.name}: {blocked}", field="withdrawal_id"
                )
        changes = [LotChange(t.lot_id, "quarantined", -t.quantity) for t in withdrawal.lots]
        if release:
            changes += [LotChange(t.lot_id, "on_hand", t.quantity) for t in withdrawal.lots]
        movement = StockMovement.RELEASE if release else StockMovement.RETURN_TO_PRODUCER
        await uow.stock.move(
            showroom, product, movement, changes, reference=withdrawal.id, reason=command.note
        )
        closed = withdrawal.model_copy(
            update={
                "status": WithdrawalStatus.RELEASED
                if release
                else WithdrawalStatus.RETURNED_TO_PRODUCER,
                "closed_at": uow.now,
                "closed_by": by.name or by.subject,
                "note": command.note,
            }
        )
        if not await uow.repository.close_withdrawal(closed):
            raise ConflictError("Phiếu vừa được xử lý", field="withdrawal_id")
        return closed

    return await run_in_unit_of_work(orders, by.subject, work)
