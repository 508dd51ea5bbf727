"""The till's decisions, as pure functions: may this till sell, what each line costs, which
lots a line takes (first expiring first), how it is paid, what a return gives back.

The service layer reads what they need, calls these, and writes the result; nothing here
touches a database, so the rules are unit-tested directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from ocop_orders.domain import fefo
from ocop_orders.domain.commands import RecordReturn, RecordSale
from ocop_orders.domain.eligibility import block_reason
from ocop_orders.domain.errors import NotSellableError, OutOfStockError
from ocop_orders.domain.model import (
    Balance,
    Lot,
    Payment,
    Product,
    Sale,
    SaleLine,
    SaleStatus,
    Showroom,
)
from ocop_orders.showroom.domain.pricing import refund_for, share_discount
from ocop_shared.contracts.orders import PaymentMethod
from ocop_shared.errors import ForbiddenError, InvalidStateError, ValidationFailedError


@dataclass(frozen=True)
class LinePrice:
    """A sale line priced: the product, its unit price and quantity × price."""

    product: Product
    unit_price_vnd: int
    gross_vnd: int
    shelf_price_vnd: int | None = None
    """The shelf price when this line is sold below it (with ``price_reason``)."""
    price_reason: str | None = None


def check_till(showroom: Showroom, command: RecordSale) -> None:
    """The showroom is open and the kiosk, if named, is one of its kiosks."""
    if not showroom.active:
        raise InvalidStateError(f"Điểm bán {showroom.name} đang tạm đóng", field="showroom_id")
    if command.kiosk_code and command.kiosk_code not in {k.code for k in showroom.kiosks}:
        raise ValidationFailedError(
            f"Điểm bán không có ki-ốt {command.kiosk_code}", field="body.kiosk_code"
        )


def sellable_product(
    products: Mapping[str, Product], product_id: str, showroom: Showroom, today: date, field: str
) -> Product:
    """The product of a sale line, if the read model knows it and it may be sold here."""
    product = products.get(product_id)
    if product is None:
        raise ValidationFailedError(f"Điểm bán chưa biết sản phẩm {product_id}", field=field)
    reason = block_reason(product, showroom, today)
    if reason:
        raise NotSellableError(
            f"Không được bán {product.name} ({product.id}): {reason}",
            product_id=product.id,
            field=field,
            product_name=product.name,
            reason=reason,
        )
    return product


def price_lines(
    command: RecordSale,
    products: Mapping[str, Product],
    balances: Mapping[str, Balance],
    showroom: Showroom,
    today: date,
    *,
    may_price_below_shelf: bool = False,
) -> list[LinePrice]:
    """Each line's product (sellable here) and price: the till's, the shelf's, or suggested.
    A till price below the shelf price needs the permission and a reason."""
    priced: list[LinePrice] = []
    for i, line in enumerate(command.lines):
        product = sellable_product(
            products, line.product_id, showroom, today, f"body.lines.{i}.product_id"
        )
        balance = balances.get(product.id)
        shelf = balance.price_vnd if balance is not None else None
        shelf = product.suggested_price_vnd if shelf is None else shelf
        price = shelf if line.unit_price_vnd is None else line.unit_price_vnd
        below = below_shelf(price, shelf, line.price_reason, may_price_below_shelf, i)
        if price is None:
            raise ValidationFailedError(
                f"{product.name} chưa có giá bán tại điểm này; nhập đơn giá",
                field=f"body.lines.{i}.unit_price_vnd",
            )
        if line.discount_vnd > price * line.quantity:
            raise ValidationFailedError(
                "Chiết khấu lớn hơn thành tiền của dòng", field=f"body.lines.{i}.discount_vnd"
            )
        priced.append(
            LinePrice(
                product, price, price * line.quantity, below, line.price_reason if below else None
            )
        )
    return priced


def below_shelf(
    price: int | None, shelf: int | None, reason: str | None, allowed: bool, i: int
) -> int | None:
    """The shelf price when ``price`` is below it (down to 0 ₫): allowed only with the
    permission and a reason, so the daily report can show who sold cheaper and why."""
    if price is None or shelf is None or price >= shelf:
        return None
    if not allowed:
        raise ForbiddenError(
            f"Bán dưới giá kệ ({shelf:,} ₫) cần quyền của cán bộ xúc tiến thương mại".replace(
                ",", "."
            ),
            field=f"body.lines.{i}.unit_price_vnd",
        )
    if not reason:
        raise ValidationFailedError(
            "Bán dưới giá kệ cần ghi lý do", field=f"body.lines.{i}.price_reason"
        )
    return shelf


def line_discounts(command: RecordSale, priced: list[LinePrice]) -> list[int]:
    """Each line's whole discount: its own plus its share of the bill discount."""
    after_line_discounts = [
        p.gross_vnd - line.discount_vnd for p, line in zip(priced, command.lines, strict=True)
    ]
    if command.discount_vnd > sum(after_line_discounts):
        raise ValidationFailedError("Chiết khấu lớn hơn tổng hoá đơn", field="body.discount_vnd")
    shares = share_discount(after_line_discounts, command.discount_vnd)
    return [line.discount_vnd + share for line, share in zip(command.lines, shares, strict=True)]


def take_lots(
    lots: list[Lot], product: Product, quantity: int, showroom: Showroom, today: date, field: str
) -> list[tuple[Lot, int]]:
    """Units from the lots expiring first (never expired ones), or out of stock."""
    takes = fefo.allocate(lots, quantity, today)
    if takes is None:
        left = sum(lot.on_hand for lot in fefo.sellable_lots(lots, today))
        raise OutOfStockError(
            f"Hết hàng: {product.name} ({product.id}) chỉ còn {left} bán được tại {showroom.name}",
            product_id=product.id,
            field=field,
        )
    return takes


def payment_for(command: RecordSale, total: int) -> Payment:
    """Cash needs enough tendered (change is given back); other methods keep their reference."""
    given = command.payment
    if given.method is PaymentMethod.CASH:
        tendered = given.tendered_vnd if given.tendered_vnd is not None else total
        if tendered < total:
            raise ValidationFailedError(
                "Tiền khách đưa ít hơn tổng hoá đơn", field="body.payment.tendered_vnd"
            )
        return Payment(method=given.method, tendered_vnd=tendered, change_vnd=tendered - total)
    return Payment(method=given.method, reference=given.reference)


def lots_for_return(line: SaleLine, quantity: int) -> list[tuple[str, int]]:
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


@dataclass(frozen=True)
class ReturnedLine:
    """One returned item: the sale line as it was, how many units, the refund."""

    line: SaleLine
    quantity: int
    refund_vnd: int


def plan_return(sale: Sale, command: RecordReturn) -> tuple[list[ReturnedLine], list[SaleLine]]:
    """What comes back (in the order asked) and the sale's lines afterwards.

    Each item takes the first line of its product with units not yet returned; more than
    is left to return is refused.
    """
    if sale.status is not SaleStatus.COMPLETED:
        raise InvalidStateError("Hoá đơn đã huỷ, không nhận trả hàng", field="sale_id")
    lines = list(sale.lines)
    returned: list[ReturnedLine] = []
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
        returned.append(ReturnedLine(line, item.quantity, refund))
        lines[index] = line.model_copy(update={"returned": line.returned + item.quantity})
    return returned, lines
