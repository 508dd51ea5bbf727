"""Point of sale: sales with idempotency keys and bank transfers seen to arrive.

Returns and voids are in `returns.py`; the rules both apply are in `domain/selling.py`.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import date

import structlog
from pymongo.errors import DuplicateKeyError

from ocop_orders.domain import fefo
from ocop_orders.domain.commands import RecordSale
from ocop_orders.domain.errors import IdempotencyKeyReusedError
from ocop_orders.domain.events import SaleRecorded
from ocop_orders.domain.model import (
    Lot,
    Sale,
    SaleLine,
    SaleLotTake,
    SaleStatus,
    Showroom,
)
from ocop_orders.service_layer.stock import LotChange, Movement, new_id
from ocop_orders.service_layer.unit_of_work import Orders, UnitOfWork, run_in_unit_of_work
from ocop_orders.showroom.domain import selling
from ocop_shared.auth import Principal, Role
from ocop_shared.contracts.orders import (
    PaymentMethod,
    StockMovement,
)
from ocop_shared.errors import InvalidStateError

log = structlog.get_logger(__name__)


def fingerprint(command: RecordSale) -> str:
    return hashlib.sha256(command.model_dump_json().encode()).hexdigest()


def _replay(existing: Sale, command: RecordSale) -> tuple[Sale, bool]:
    if existing.fingerprint != fingerprint(command):
        raise IdempotencyKeyReusedError(
            "Idempotency-Key này đã dùng cho một hoá đơn khác; hãy tạo khoá mới cho giao dịch mới",
            field="header.Idempotency-Key",
        )
    return existing, True


async def record_sale(
    orders: Orders, showroom_id: str, command: RecordSale, key: str, by: Principal
) -> tuple[Sale, bool]:
    """Sell, or return the sale already recorded under this key (second value: replayed)."""
    existing = await orders.repository().sale_by_key(showroom_id, key)
    if existing is not None:
        return _replay(existing, command)

    async def work(uow: UnitOfWork) -> Sale:
        return await _sell(orders, uow, showroom_id, command, key, by)

    keys = [f"{showroom_id}:{line.product_id}" for line in command.lines]
    keys.append(f"{showroom_id}:till:{command.kiosk_code or '00'}")
    try:
        async with orders.locks.hold(keys):
            sale = await run_in_unit_of_work(orders, by.subject, work)
    except DuplicateKeyError:
        # The same key committed by a concurrent retry: answer with that sale.
        existing = await orders.repository().sale_by_key(showroom_id, key)
        if existing is None:
            raise
        return _replay(existing, command)
    log.info("sale.recorded", showroom_id=showroom_id, sale_id=sale.id, total_vnd=sale.total_vnd)
    return sale, False


async def _sell(
    orders: Orders,
    uow: UnitOfWork,
    showroom_id: str,
    command: RecordSale,
    key: str,
    by: Principal,
) -> Sale:
    showroom = await uow.repository.get_showroom(showroom_id)
    selling.check_till(showroom, command)
    today = orders.clock.today()
    # Every read first, in three queries; the writes come together at the end.
    ids = sorted({line.product_id for line in command.lines})
    products = await uow.repository.products(ids)
    balances = await uow.repository.balances_for(showroom.id, ids)
    lots: dict[str, list[Lot]] = defaultdict(list)
    for lot in await uow.repository.lots_for(showroom.id, ids):
        lots[lot.product_id].append(lot)
    priced = selling.price_lines(
        command,
        products,
        balances,
        showroom,
        today,
        may_price_below_shelf=bool({Role.ADMIN, Role.TRADE_STAFF} & set(by.roles)),
    )
    discounts = selling.line_discounts(command, priced)
    sale_id = new_id("hd")
    lines, plans = _take_stock(command, priced, discounts, lots, showroom, today, sale_id)
    subtotal = sum(p.gross_vnd for p in priced)
    total = sum(line.line_total_vnd for line in lines)
    payment = selling.payment_for(command, total)
    number = await _receipt_number(uow, showroom, command.kiosk_code, today)
    if payment.method is PaymentMethod.BANK_TRANSFER and (
        showroom.bank is not None or payment.reference is None
    ):
        # The showroom's VietQR carries the receipt number as transfer content, so that is
        # what the bank statement shows; without an account, the caller's reference stays.
        payment = payment.model_copy(update={"reference": number})
    sale = Sale(
        id=sale_id,
        showroom_id=showroom.id,
        receipt_number=number,
        channel=showroom.channel,
        kiosk_code=command.kiosk_code,
        lines=lines,
        subtotal_vnd=subtotal,
        discount_vnd=subtotal - total,
        total_vnd=total,
        payment=payment,
        sold_at=uow.now,
        sold_by=by.name or by.subject,
        business_day=today,
        trade_event_id=showroom.fair.trade_event_id if showroom.fair else None,
        booth_code=showroom.fair.booth_code if showroom.fair else None,
        idempotency_key=key,
        fingerprint=fingerprint(command),
    )
    await uow.repository.add_sale(sale)
    await uow.stock.apply(showroom, plans)
    await uow.publish(SaleRecorded(sale))
    return sale


def _take_stock(
    command: RecordSale,
    priced: list[selling.LinePrice],
    discounts: list[int],
    lots: dict[str, list[Lot]],
    showroom: Showroom,
    today: date,
    sale_id: str,
) -> tuple[list[SaleLine], list[Movement]]:
    """The sale's lines, and the lot movements taking their units first-expiring first."""
    lines: list[SaleLine] = []
    plans: list[Movement] = []
    for i, (line, price) in enumerate(zip(command.lines, priced, strict=True)):
        field = f"body.lines.{i}.quantity"
        product = price.product
        takes = selling.take_lots(lots[product.id], product, line.quantity, showroom, today, field)
        lots[product.id] = fefo.after_taking(lots[product.id], takes)
        plans.append(
            Movement(
                product,
                StockMovement.SALE,
                [LotChange(lot.id, "on_hand", -take) for lot, take in takes],
                reference=sale_id,
                field=field,
            )
        )
        lines.append(
            SaleLine(
                product_id=product.id,
                product_name=product.name,
                producer_id=product.producer_id,
                quantity=line.quantity,
                unit_price_vnd=price.unit_price_vnd,
                discount_vnd=discounts[i],
                line_total_vnd=price.gross_vnd - discounts[i],
                lots=[SaleLotTake(lot_id=lot.id, quantity=take) for lot, take in takes],
                shelf_price_vnd=price.shelf_price_vnd,
                price_reason=price.price_reason,
            )
        )
    return lines, plans


async def _receipt_number(
    uow: UnitOfWork, showroom: Showroom, kiosk: str | None, today: date
) -> str:
    """VT-241124-K07-0012: per showroom, till and day, so busy tills do not share a counter."""
    till = kiosk or "00"
    n = await uow.repository.next_number(f"receipt:{showroom.id}:{till}:{today.isoformat()}")
    return f"{showroom.code}-{today:%y%m%d}-{till}-{n:04d}"


async def confirm_transfer(orders: Orders, showroom_id: str, sale_id: str, by: Principal) -> Sale:
    """The operator saw the bank transfer arrive (checked against the receipt number)."""

    async def work(uow: UnitOfWork) -> Sale:
        sale = await uow.repository.get_sale(showroom_id, sale_id)
        if sale.payment.method is not PaymentMethod.BANK_TRANSFER:
            raise InvalidStateError("Hoá đơn không thanh toán chuyển khoản", field="sale_id")
        if sale.status is SaleStatus.VOIDED:
            raise InvalidStateError("Hoá đơn đã huỷ", field="sale_id")
        if sale.payment.confirmed_at is not None:
            return sale  # confirming twice is harmless
        who = by.name or by.subject
        await uow.repository.confirm_payment(sale.id, uow.now, who)
        payment = sale.payment.model_copy(update={"confirmed_at": uow.now, "confirmed_by": who})
        return sale.model_copy(update={"payment": payment})

    return await run_in_unit_of_work(orders, by.subject, work)
