"""What a consigning producer sees: its stock per showroom, its sales, what it is owed.

Read-only and filtered to the producer's own lines: a receipt that also sold another
producer's goods shows only this producer's lines and amounts.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from pydantic import BaseModel

from ocop_orders.adapters.repository import OrdersRepository
from ocop_orders.domain.eligibility import block_reason
from ocop_orders.domain.model import Balance, Product, Sale, SaleStatus, Showroom
from ocop_orders.service_layer.unit_of_work import Orders
from ocop_shared.errors import ValidationFailedError

MAX_DAYS = 366


class ConsignedStock(BaseModel):
    showroom_id: str
    showroom_name: str
    product_id: str
    product_name: str
    on_hand: int
    available: int
    quarantined: int
    in_transit: int
    price_vnd: int | None
    block_reason: str | None


class ProducerSale(BaseModel):
    """One line of the producer's goods on a receipt (returns already taken off)."""

    showroom_id: str
    showroom_name: str
    business_day: date
    sold_at: datetime
    receipt_number: str
    product_id: str
    product_name: str
    quantity: int
    returned: int
    unit_price_vnd: int
    line_total_vnd: int
    refunded_vnd: int


class ShowroomOwed(BaseModel):
    showroom_id: str
    showroom_name: str
    quantity: int
    sales_vnd: int
    refunds_vnd: int
    net_vnd: int
    commission_percent: int
    commission_vnd: int
    owed_vnd: int


class ProducerStatement(BaseModel):
    producer_id: str
    producer_name: str
    start: date
    end: date
    stock: list[ConsignedStock]
    sales: list[ProducerSale]
    owed: list[ShowroomOwed]
    owed_total_vnd: int


def check_period(start: date, end: date) -> None:
    if end < start:
        raise ValidationFailedError("Ngày kết thúc trước ngày bắt đầu", field="query.to")
    if (end - start).days >= MAX_DAYS:
        raise ValidationFailedError("Tối đa một năm mỗi lần xem", field="query.to")


def _consigned(
    balances: list[Balance],
    products: dict[str, Product],
    showrooms: dict[str, Showroom],
    producer_id: str,
    today: date,
) -> list[ConsignedStock]:
    """The producer's goods still at each showroom (on the shelf, in quarantine, on the way)."""
    stock = []
    for balance in balances:
        product = products.get(balance.product_id)
        showroom = showrooms.get(balance.showroom_id)
        if product is None or showroom is None or product.producer_id != producer_id:
            continue
        if not (balance.on_hand or balance.quarantined or balance.in_transit):
            continue
        stock.append(
            ConsignedStock(
                showroom_id=showroom.id,
                showroom_name=showroom.name,
                product_id=product.id,
                product_name=product.name,
                on_hand=balance.on_hand,
                available=balance.available,
                quarantined=balance.quarantined,
                in_transit=balance.in_transit,
                price_vnd=balance.price_vnd or product.suggested_price_vnd,
                block_reason=block_reason(product, showroom, today),
            )
        )
    stock.sort(key=lambda s: (s.showroom_name, s.product_name))
    return stock


def _sale_lines(
    sales: list[Sale], showrooms: dict[str, Showroom], producer_id: str
) -> list[ProducerSale]:
    """The producer's lines of completed sales, with what was refunded of each."""
    lines: list[ProducerSale] = []
    for sale in sales:
        showroom = showrooms.get(sale.showroom_id)
        if sale.status is not SaleStatus.COMPLETED or showroom is None:
            continue
        refunds: dict[str, int] = defaultdict(int)
        for record in sale.returns:
            for item in record.lines:
                refunds[str(item["product_id"])] += int(item["refund_vnd"])
        for line in sale.lines:
            if line.producer_id != producer_id:
                continue  # another producer's goods on the same receipt
            lines.append(
                ProducerSale(
                    showroom_id=showroom.id,
                    showroom_name=showroom.name,
                    business_day=sale.business_day,
                    sold_at=sale.sold_at,
                    receipt_number=sale.receipt_number,
                    product_id=line.product_id,
                    product_name=line.product_name,
                    quantity=line.quantity,
                    returned=line.returned,
                    unit_price_vnd=line.unit_price_vnd,
                    line_total_vnd=line.line_total_vnd,
                    refunded_vnd=refunds.pop(line.product_id, 0),
                )
            )
    return lines


def _owed(lines: list[ProducerSale], showrooms: dict[str, Showroom]) -> list[ShowroomOwed]:
    """Per showroom: net sales, the showroom's commission, and what it owes the producer."""
    owed = []
    for showroom_id in sorted({line.showroom_id for line in lines}):
        mine = [line for line in lines if line.showroom_id == showroom_id]
        showroom = showrooms[showroom_id]
        gross = sum(line.line_total_vnd for line in mine)
        refunded = sum(line.refunded_vnd for line in mine)
        net = gross - refunded
        commission = net * showroom.commission_percent // 100
        owed.append(
            ShowroomOwed(
                showroom_id=showroom_id,
                showroom_name=showroom.name,
                quantity=sum(line.quantity - line.returned for line in mine),
                sales_vnd=gross,
                refunds_vnd=refunded,
                net_vnd=net,
                commission_percent=showroom.commission_percent,
                commission_vnd=commission,
                owed_vnd=net - commission,
            )
        )
    return owed


async def statement(orders: Orders, producer_id: str, start: date, end: date) -> ProducerStatement:
    check_period(start, end)
    repository = OrdersRepository(orders.db)
    showrooms = {s.id: s for s in await repository.list_showrooms()}
    balances = await repository.balances_of_producer(producer_id)
    products = await repository.products(sorted({b.product_id for b in balances}))
    stock = _consigned(balances, products, showrooms, producer_id, orders.clock.today())
    sales = await repository.sales_with_producer(producer_id, start, end)
    lines = _sale_lines(sales, showrooms, producer_id)
    owed = _owed(lines, showrooms)
    names = await repository.producer_names([producer_id])
    return ProducerStatement(
        producer_id=producer_id,
        producer_name=names.get(producer_id, producer_id),
        start=start,
        end=end,
        stock=stock,
        sales=lines,
        owed=owed,
        owed_total_vnd=sum(o.owed_vnd for o in owed),
    )
