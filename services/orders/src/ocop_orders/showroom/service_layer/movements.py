"""Receipts of consigned goods, transfers between showrooms, stock-takes, shelf settings."""

from __future__ import annotations

from ocop_orders.domain import fefo
from ocop_orders.domain.commands import CreateTransfer, ReceiveGoods, SetProductSettings, StockTake
from ocop_orders.domain.eligibility import block_reason
from ocop_orders.domain.errors import NotSellableError, OutOfStockError
from ocop_orders.domain.model import Balance, Transfer, TransferLine, TransferStatus
from ocop_orders.service_layer.stock import LotChange, new_id
from ocop_orders.service_layer.unit_of_work import Orders, UnitOfWork, run_in_unit_of_work
from ocop_orders.showroom.domain.withdrawals import take_from_shelf
from ocop_orders.showroom.service_layer.withdrawals import quarantine_lots
from ocop_shared.auth import Principal, ensure_showroom_scope
from ocop_shared.contracts.orders import StockMovement
from ocop_shared.errors import (
    ConflictError,
    InvalidStateError,
    NotFoundError,
    ValidationFailedError,
)


async def receive_goods(
    orders: Orders, showroom_id: str, command: ReceiveGoods, by: Principal
) -> list[Balance]:
    """Nhập hàng ký gửi: only products that may be sold here are accepted."""

    async def work(uow: UnitOfWork) -> list[Balance]:
        showroom = await uow.repository.get_showroom(showroom_id)
        today = orders.clock.today()
        reference = new_id("pn")
        balances = []
        for i, line in enumerate(command.lines):
            field = f"body.lines.{i}.product_id"
            product = await uow.repository.get_product(line.product_id, field)
            reason = block_reason(product, showroom, today)
            if reason:
                raise NotSellableError(
                    f"Không nhận hàng {product.name}: {reason}", product_id=product.id, field=field
                )
            if line.expires_on is not None and line.expires_on < today:
                raise ValidationFailedError(
                    "Lô hàng đã hết hạn sử dụng", field=f"body.lines.{i}.expires_on"
                )
            if product.perishable and line.expires_on is None:
                raise ValidationFailedError(
                    "Thực phẩm cần hạn sử dụng của lô", field=f"body.lines.{i}.expires_on"
                )
            lot = await uow.stock.new_lot(showroom.id, product.id, line.lot_code, line.expires_on)
            if lot.expires_on != line.expires_on:
                raise ValidationFailedError(
                    f"Lô {line.lot_code} đã có với hạn khác", field=f"body.lines.{i}.expires_on"
                )
            balances.append(
                await uow.stock.move(
                    showroom,
                    product,
                    StockMovement.RECEIPT,
                    [LotChange(lot.id, "on_hand", line.quantity)],
                    reference=reference,
                    reason=command.note,
                    price_vnd=line.price_vnd,
                )
            )
        return balances

    return await run_in_unit_of_work(orders, by.subject, work)


async def create_transfer(
    orders: Orders, showroom_id: str, command: CreateTransfer, by: Principal
) -> Transfer:
    """Send goods to another showroom: they leave the shelf and wait there as in transit."""

    async def work(uow: UnitOfWork) -> Transfer:
        if command.to_showroom_id == showroom_id:
            raise ValidationFailedError(
                "Chuyển đến chính điểm bán này", field="body.to_showroom_id"
            )
        source = await uow.repository.get_showroom(showroom_id)
        target = await uow.repository.get_showroom(command.to_showroom_id, "body.to_showroom_id")
        today = orders.clock.today()
        transfer_id = new_id("ck")
        lines: list[TransferLine] = []
        for i, line in enumerate(command.lines):
            field = f"body.lines.{i}.product_id"
            product = await uow.repository.get_product(line.product_id, field)
            reason = block_reason(product, target, today)
            if reason:
                raise NotSellableError(
                    f"{target.name} không được nhận {product.name}: {reason}",
                    product_id=product.id,
                    field=field,
                )
            lots = await uow.repository.lots(source.id, product.id)
            takes = fefo.allocate(lots, line.quantity, today)
            if takes is None:
                raise OutOfStockError(
                    f"Hết hàng: {product.name} ({product.id}) không đủ để chuyển",
                    product_id=product.id,
                    field=f"body.lines.{i}.quantity",
                )
            await uow.stock.move(
                source,
                product,
                StockMovement.TRANSFER_OUT,
                [LotChange(lot.id, "on_hand", -n) for lot, n in takes],
                reference=transfer_id,
            )
            arriving = []
            for lot, n in takes:
                there = await uow.stock.new_lot(target.id, product.id, lot.lot_code, lot.expires_on)
                arriving.append(LotChange(there.id, "in_transit", n))
                lines.append(
                    TransferLine(
                        product_id=product.id,
                        producer_id=product.producer_id,
                        lot_code=lot.lot_code,
                        expires_on=lot.expires_on,
                        quantity=n,
                    )
                )
            await uow.stock.move(
                target, product, StockMovement.TRANSFER_OUT, arriving, reference=transfer_id
            )
        transfer = Transfer(
            id=transfer_id,
            from_showroom_id=source.id,
            to_showroom_id=target.id,
            lines=lines,
            note=command.note,
            created_at=uow.now,
            created_by=by.name or by.subject,
        )
        await uow.repository.add_transfer(transfer)
        return transfer

    return await run_in_unit_of_work(orders, by.subject, work)


async def receive_transfer(
    orders: Orders, showroom_id: str, transfer_id: str, by: Principal
) -> Transfer:
    """Goods arrive: in transit → on the shelf (or quarantine if no longer sellable here)."""

    async def work(uow: UnitOfWork) -> Transfer:
        transfer = await uow.repository.find_transfer(transfer_id)
        if transfer is None or showroom_id not in (transfer.to_showroom_id,):
            raise NotFoundError("Không có phiếu chuyển đến điểm bán này", field="transfer_id")
        ensure_showroom_scope(by, transfer.to_showroom_id)
        if transfer.status is not TransferStatus.IN_TRANSIT:
            raise InvalidStateError("Phiếu chuyển đã nhận", field="transfer_id")
        target = await uow.repository.get_showroom(transfer.to_showroom_id)
        today = orders.clock.today()
        # A transfer has a line per lot, so one product often stands on several lines: read
        # them all at once (a product gone missing still fails as before).
        ids = sorted({line.product_id for line in transfer.lines})
        products = await uow.repository.products(ids)
        for line in transfer.lines:
            product = products.get(line.product_id) or await uow.repository.get_product(
                line.product_id
            )
            lot = await uow.stock.new_lot(target.id, product.id, line.lot_code, line.expires_on)
            reason = block_reason(product, target, today)
            if reason:
                await uow.stock.move(
                    target,
                    product,
                    StockMovement.TRANSFER_IN,
                    [LotChange(lot.id, "in_transit", -line.quantity)],
                    reference=transfer.id,
                )
                await quarantine_lots(
                    uow,
                    target,
                    product,
                    [(lot.id, line.quantity)],
                    movement=StockMovement.QUARANTINE,
                    reason=reason,
                    reference=transfer.id,
                )
                continue
            await uow.stock.move(
                target,
                product,
                StockMovement.TRANSFER_IN,
                [
                    LotChange(lot.id, "in_transit", -line.quantity),
                    LotChange(lot.id, "on_hand", line.quantity),
                ],
                reference=transfer.id,
            )
        received = transfer.model_copy(
            update={
                "status": TransferStatus.RECEIVED,
                "received_at": uow.now,
                "received_by": by.name or by.subject,
            }
        )
        if not await uow.repository.mark_transfer_received(received):
            raise ConflictError("Phiếu chuyển vừa được nhận", field="transfer_id")
        return received

    return await run_in_unit_of_work(orders, by.subject, work)


async def stock_take(
    orders: Orders, showroom_id: str, command: StockTake, by: Principal
) -> list[Balance]:
    """Kiểm kê: each counted figure replaces the shelf figure through an adjustment entry."""

    async def work(uow: UnitOfWork) -> list[Balance]:
        showroom = await uow.repository.get_showroom(showroom_id)
        today = orders.clock.today()
        reference = new_id("kk")
        seen: set[str] = set()
        changed = []
        for i, line in enumerate(command.lines):
            field = f"body.lines.{i}.product_id"
            if line.product_id in seen:
                raise ValidationFailedError("Sản phẩm đếm hai lần", field=field)
            seen.add(line.product_id)
            product = await uow.repository.get_product(line.product_id, field)
            lots = await uow.repository.lots(showroom.id, product.id)
            on_hand = sum(lot.on_hand for lot in lots)
            difference = line.counted - on_hand
            if difference == 0:
                continue
            if difference < 0:
                changes = [
                    LotChange(lot_id, "on_hand", -n)
                    for lot_id, n in take_from_shelf(lots, -difference, today)
                ]
            else:
                # Found units join the latest-received lot (or a stock-take lot when none).
                if lots:
                    target = max(lots, key=lambda lot: (lot.received_at, lot.id))
                else:
                    target = await uow.stock.new_lot(showroom.id, product.id, "KIEM-KHO", None)
                changes = [LotChange(target.id, "on_hand", difference)]
            changed.append(
                await uow.stock.move(
                    showroom,
                    product,
                    StockMovement.ADJUSTMENT,
                    changes,
                    reference=reference,
                    reason=command.reason,
                    field=field,
                )
            )
        return changed

    return await run_in_unit_of_work(orders, by.subject, work)


async def set_product_settings(
    orders: Orders, showroom_id: str, product_id: str, command: SetProductSettings, by: Principal
) -> Balance:
    async def work(uow: UnitOfWork) -> Balance:
        await uow.repository.get_showroom(showroom_id)
        await uow.repository.get_product(product_id)
        balance = await uow.repository.find_balance(showroom_id, product_id)
        if balance is None:
            raise NotFoundError("Điểm bán chưa nhập sản phẩm này", field="product_id")
        update = {
            k: v
            for k, v in (
                ("price_vnd", command.price_vnd),
                ("low_stock_threshold", command.low_stock_threshold),
            )
            if v is not None
        }
        if update:
            await uow.repository.set_balance_fields(showroom_id, product_id, update)
        return balance.model_copy(update=update)

    return await run_in_unit_of_work(orders, by.subject, work)
