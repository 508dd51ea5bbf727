"""Point of sale: sales with idempotency keys, returns and voids."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import date

import structlog
from pymongo.errors import DuplicateKeyError

from ocop_orders.adapters.repository import OrdersRepository
from ocop_orders.domain import fefo
from ocop_orders.domain.commands import RecordReturn, RecordSale, VoidSale
from ocop_orders.domain.eligibility import block_reason
from ocop_orders.domain.errors import IdempotencyKeyReusedError, NotSellableError, OutOfStockError
from ocop_orders.domain.model import (
    Lot,
    Payment,
    Product,
    ReturnRecord,
    Sale,
    SaleLine,
    SaleLotTake,
    SaleStatus,
    Showroom,
)
from ocop_orders.service_layer.stock import LotChange, Movement, new_id
from ocop_orders.service_layer.unit_of_work import Orders, UnitOfWork, run_in_unit_of_work
from ocop_orders.showroom.domain.pricing import refund_for, share_discount
from ocop_orders.showroom.service_layer.withdrawals import quarantine_lots
from ocop_shared.auth import Principal
from ocop_shared.contracts.envelope import EventData
from ocop_shared.contracts.orders import (
    PaymentMethod,
    ReturnLineV1,
    SaleLineV1,
    SaleRecordedV1,
    SaleReturnRecordedV1,
    SaleVoidedV1,
    StockMovement,
)
from ocop_shared.errors import ConflictError, InvalidStateError, ValidationFailedError

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
    existing = await OrdersRepository(orders.db).sale_by_key(showroom_id, key)
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
        existing = await OrdersRepository(orders.db).sale_by_key(showroom_id, key)
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
    if not showroom.active:
        raise InvalidStateError(f"Điểm bán {showroom.name} đang tạm đóng", field="showroom_id")
    if command.kiosk_code and command.kiosk_code not in {k.code for k in showroom.kiosks}:
        raise ValidationFailedError(
            f"Điểm bán không có ki-ốt {command.kiosk_code}", field="body.kiosk_code"
        )
    today = orders.clock.today()
    # Every read first, in three queries; the writes come together at the end.
    ids = sorted({line.product_id for line in command.lines})
    products = await uow.repository.products(ids)
    balances = await uow.repository.balances_for(showroom.id, ids)
    lots: dict[str, list[Lot]] = defaultdict(list)
    for lot in await uow.repository.lots_for(showroom.id, ids):
        lots[lot.product_id].append(lot)
    gross: list[int] = []
    prices: list[int] = []
    chosen: list[Product] = []
    for i, line in enumerate(command.lines):
        field = f"body.lines.{i}.product_id"
        product = products.get(line.product_id)
        if product is None:
            raise ValidationFailedError(
                f"Điểm bán chưa biết sản phẩm {line.product_id}", field=field
            )
        reason = block_reason(product, showroom, today)
        if reason:
            raise NotSellableError(
                f"Không được bán {product.name} ({product.id}): {reason}",
                product_id=product.id,
                field=field,
                product_name=product.name,
                reason=reason,
            )
        balance = balances.get(product.id)
        price = line.unit_price_vnd
        if price is None and balance is not None:
            price = balance.price_vnd
        if price is None:
            price = product.suggested_price_vnd
        if price is None:
            raise ValidationFailedError(
                f"{product.name} chưa có giá bán tại điểm này; nhập đơn giá",
                field=f"body.lines.{i}.unit_price_vnd",
            )
        if line.discount_vnd > price * line.quantity:
            raise ValidationFailedError(
                "Chiết khấu lớn hơn thành tiền của dòng", field=f"body.lines.{i}.discount_vnd"
            )
        chosen.append(product)
        prices.append(price)
        gross.append(price * line.quantity)
    after_line_discounts = [
        g - line.discount_vnd for g, line in zip(gross, command.lines, strict=True)
    ]
    if command.discount_vnd > sum(after_line_discounts):
        raise ValidationFailedError("Chiết khấu lớn hơn tổng hoá đơn", field="body.discount_vnd")
    shares = share_discount(after_line_discounts, command.discount_vnd)
    sale_id = new_id("hd")
    lines: list[SaleLine] = []
    plans: list[Movement] = []
    for i, (line, product) in enumerate(zip(command.lines, chosen, strict=True)):
        field = f"body.lines.{i}.quantity"
        takes = fefo.allocate(lots[product.id], line.quantity, today)
        if takes is None:
            left = sum(lot.on_hand for lot in fefo.sellable_lots(lots[product.id], today))
            raise OutOfStockError(
                f"Hết hàng: {product.name} ({product.id}) chỉ còn {left} bán được "
                f"tại {showroom.name}",
                product_id=product.id,
                field=field,
            )
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
        discount = line.discount_vnd + shares[i]
        lines.append(
            SaleLine(
                product_id=product.id,
                product_name=product.name,
                producer_id=product.producer_id,
                quantity=line.quantity,
                unit_price_vnd=prices[i],
                discount_vnd=discount,
                line_total_vnd=gross[i] - discount,
                lots=[SaleLotTake(lot_id=lot.id, quantity=take) for lot, take in takes],
            )
        )
    subtotal = sum(gross)
    total = sum(line.line_total_vnd for line in lines)
    payment = _payment(command, total)
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
    await uow.outbox.add(uow.session, sale_recorded(sale), subject=sale.id, sequence=sale.version)
    return sale


def _payment(command: RecordSale, total: int) -> Payment:
    given = command.payment
    if given.method is PaymentMethod.CASH:
        tendered = given.tendered_vnd if given.tendered_vnd is not None else total
        if tendered < total:
            raise ValidationFailedError(
                "Tiền khách đưa ít hơn tổng hoá đơn", field="body.payment.tendered_vnd"
            )
        return Payment(method=given.method, tendered_vnd=tendered, change_vnd=tendered - total)
    return Payment(method=given.method, reference=given.reference)


async def _receipt_number(
    uow: UnitOfWork, showroom: Showroom, kiosk: str | None, today: date
) -> str:
    """VT-241124-K07-0012: per showroom, till and day, so busy tills do not share a counter."""
    till = kiosk or "00"
    n = await uow.repository.next_number(f"receipt:{showroom.id}:{till}:{today.isoformat()}")
    return f"{showroom.code}-{today:%y%m%d}-{till}-{n:04d}"


def sale_recorded(sale: Sale) -> SaleRecordedV1:
    return SaleRecordedV1(
        sale_id=sale.id,
        receipt_number=sale.receipt_number,
        showroom_id=sale.showroom_id,
        channel=sale.channel,
        lines=[
            SaleLineV1(
                product_id=line.product_id,
                producer_id=line.producer_id,
                quantity=line.quantity,
                unit_price_vnd=line.unit_price_vnd,
                discount_vnd=line.discount_vnd,
                line_total_vnd=line.line_total_vnd,
                product_name=line.product_name,
            )
            for line in sale.lines
        ],
        total_vnd=sale.total_vnd,
        payment_method=sale.payment.method,
        sold_at=sale.sold_at,
        trade_event_id=sale.trade_event_id,
        booth_code=sale.booth_code,
        subtotal_vnd=sale.subtotal_vnd,
        discount_vnd=sale.discount_vnd,
        payment_reference=sale.payment.reference,
        kiosk_code=sale.kiosk_code,
    )


def _lots_for_return(line: SaleLine, quantity: int) -> list[tuple[str, int]]:
    """Returned units go back to the lots they came from, the last-taken lot first."""
    skip = line.returned
    result: list[tuple[str, int]] = []
    remaining = quantity
    for take in reversed(line.lots):
        usable = take.quantity
        if skip:
            used = min(skip, usable)
            skip -= used
            usable -= used
        if usable <= 0:
            continue
        back = min(usable, remaining)
        result.append((take.lot_id, back))
        remaining -= back
        if remaining == 0:
            break
    return result


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
    lots = _lots_for_return(line, quantity)
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
        if sale.status is not SaleStatus.COMPLETED:
            raise InvalidStateError("Hoá đơn đã huỷ, không nhận trả hàng", field="sale_id")
        showroom = await uow.repository.get_showroom(showroom_id)
        lines = list(sale.lines)
        return_id = new_id("th")
        returned: list[ReturnLineV1] = []
        for i, item in enumerate(command.lines):
            index = next(
                (
                    n
                    for n, line in enumerate(lines)
                    if line.product_id == item.product_id and line.quantity > line.returned
                ),
                None,
            )
            if index is None:
                raise ValidationFailedError(
                    "Hoá đơn không có (hoặc đã trả hết) sản phẩm này",
                    field=f"body.lines.{i}.product_id",
                )
            line = lines[index]
            if item.quantity > line.quantity - line.returned:
                raise ValidationFailedError(
                    f"Chỉ còn {line.quantity - line.returned} có thể trả",
                    field=f"body.lines.{i}.quantity",
                )
            refund = refund_for(line.line_total_vnd, line.quantity, line.returned, item.quantity)
            await _put_back(
                orders,
                uow,
                showroom,
                await uow.repository.get_product(line.product_id),
                line,
                item.quantity,
                StockMovement.RETURN,
                restock=command.restock,
                reference=return_id,
                reason=command.reason,
            )
            lines[index] = line.model_copy(update={"returned": line.returned + item.quantity})
            returned.append(
                ReturnLineV1(
                    product_id=line.product_id,
                    producer_id=line.producer_id,
                    quantity=item.quantity,
                    refund_vnd=refund,
                )
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
            SaleReturnRecordedV1(
                return_id=return_id,
                sale_id=sale.id,
                receipt_number=sale.receipt_number,
                showroom_id=sale.showroom_id,
                channel=sale.channel,
                lines=returned,
                refund_vnd=refund_total,
                reason=command.reason,
                returned_at=uow.now,
                trade_event_id=sale.trade_event_id,
                booth_code=sale.booth_code,
            ),
        )

    return await run_in_unit_of_work(orders, by.subject, work)


async def _save(uow: UnitOfWork, sale: Sale, updated: Sale, event: EventData) -> Sale:
    """Replace the sale if nobody changed it meanwhile, and announce the change."""
    if not await uow.repository.replace_sale(updated, sale.version):
        raise ConflictError("Hoá đơn vừa thay đổi; thử lại", field="sale_id")
    await uow.outbox.add(uow.session, event, subject=sale.id, sequence=updated.version)
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
            SaleVoidedV1(
                sale_id=sale.id,
                receipt_number=sale.receipt_number,
                showroom_id=sale.showroom_id,
                channel=sale.channel,
                total_vnd=sale.total_vnd,
                reason=command.reason,
                voided_at=uow.now,
                trade_event_id=sale.trade_event_id,
                booth_code=sale.booth_code,
            ),
        )

    return await run_in_unit_of_work(orders, by.subject, work)


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
