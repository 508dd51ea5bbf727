"""Showrooms and their kiosks."""

from __future__ import annotations

from pymongo.errors import DuplicateKeyError

from ocop_orders.domain.commands import CreateShowroom, UpdateShowroom
from ocop_orders.domain.model import BankAccount, FairPoint, Kiosk, Showroom
from ocop_orders.service_layer.stock import new_id
from ocop_orders.service_layer.unit_of_work import Orders, UnitOfWork, run_in_unit_of_work
from ocop_shared.auth import Principal
from ocop_shared.errors import ConflictError


async def create_showroom(orders: Orders, command: CreateShowroom, by: Principal) -> Showroom:
    showroom = Showroom(
        id=new_id("dsb"),
        code=command.code.upper(),
        name=command.name,
        address=command.address,
        province=command.province,
        kiosks=[Kiosk(code=k.code, name=k.name) for k in command.kiosks],
        fair=FairPoint(**command.fair.model_dump()) if command.fair else None,
        accepts_key_farm_products=command.accepts_key_farm_products,
        low_stock_threshold=command.low_stock_threshold,
        near_expiry_days=command.near_expiry_days,
        commission_percent=command.commission_percent,
        bank=BankAccount(**command.bank.model_dump()) if command.bank else None,
        created_at=orders.clock.now(),
    )

    async def work(uow: UnitOfWork) -> Showroom:
        await uow.repository.add_showroom(showroom)
        return showroom

    try:
        return await run_in_unit_of_work(orders, by.subject, work)
    except DuplicateKeyError as exc:
        raise ConflictError(f"Mã điểm bán {showroom.code} đã có", field="body.code") from exc


async def update_showroom(
    orders: Orders, showroom_id: str, command: UpdateShowroom, by: Principal
) -> Showroom:
    async def work(uow: UnitOfWork) -> Showroom:
        current = await uow.repository.get_showroom(showroom_id)
        changes: dict[str, object] = {
            k: v
            for k, v in command.model_dump(
                exclude={"kiosks", "fair", "clear_fair", "bank", "clear_bank"}
            ).items()
            if v is not None
        }
        if command.kiosks is not None:
            codes = [k.code for k in command.kiosks]
            if len(codes) != len(set(codes)):
                raise ConflictError("Mã ki-ốt bị trùng", field="body.kiosks")
            changes["kiosks"] = [Kiosk(code=k.code, name=k.name) for k in command.kiosks]
        if command.fair is not None:
            changes["fair"] = FairPoint(**command.fair.model_dump())
        elif command.clear_fair:
            changes["fair"] = None
        if command.bank is not None:
            changes["bank"] = BankAccount(**command.bank.model_dump())
        elif command.clear_bank:
            changes["bank"] = None
        updated = current.model_copy(update={**changes, "version": current.version + 1})
        Showroom.model_validate(updated.model_dump())
        if not await uow.repository.replace_showroom(updated, current.version):
            raise ConflictError("Điểm bán vừa được sửa bởi người khác", field="showroom_id")
        return updated

    return await run_in_unit_of_work(orders, by.subject, work)
