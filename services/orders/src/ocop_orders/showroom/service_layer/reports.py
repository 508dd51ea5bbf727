"""What the console shows: stock rows, alerts and the daily summary (read-only)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from pydantic import BaseModel

from ocop_orders.adapters.repository import OrdersRepository
from ocop_orders.domain import fefo
from ocop_orders.domain.eligibility import block_reason
from ocop_orders.domain.model import Alert, Balance, Lot, Product, Sale, SaleStatus, Showroom
from ocop_orders.service_layer.stock import threshold_of
from ocop_orders.service_layer.unit_of_work import Orders
from ocop_shared.contracts.orders import PaymentMethod
from ocop_shared.text import tokens


class StockRow(BaseModel):
    product: Product
    balance: Balance
    available: int
    sellable_now: int
    """Available units in lots that are not expired."""
    threshold: int
    low: bool
    block_reason: str | None
    lots: list[Lot]
    next_expiry: date | None


def _near_expiry_days(orders: Orders, showroom: Showroom) -> int:
    if showroom.near_expiry_days is not None:
        return showroom.near_expiry_days
    return orders.settings.default_near_expiry_days


async def stock_rows(
    orders: Orders, showroom: Showroom, *, text: str | None = None, status: str | None = None
) -> list[StockRow]:
    repository = OrdersRepository(orders.db)
    today = orders.clock.today()
    balances = await repository.balances_of_showroom(showroom.id)
    products = await repository.products([b.product_id for b in balances])
    all_lots = await repository.lots(showroom.id)
    lots_of: dict[str, list[Lot]] = defaultdict(list)
    for lot in all_lots:
        lots_of[lot.product_id].append(lot)
    words = set(tokens(text))
    soon = today + timedelta(days=_near_expiry_days(orders, showroom))
    rows = []
    for balance in balances:
        product = products.get(balance.product_id)
        if product is None:
            continue
        if words and not words.issubset(set(tokens(product.name, product.gtin, product.id))):
            continue
        lots = sorted(lots_of[product.id], key=lambda lot: lot.expires_on or date.max)
        live = [lot for lot in lots if lot.on_hand > 0]
        threshold = threshold_of(balance, showroom, orders.settings.default_low_stock_threshold)
        row = StockRow(
            product=product,
            balance=balance,
            available=balance.available,
            sellable_now=sum(lot.on_hand for lot in fefo.sellable_lots(lots, today)),
            threshold=threshold,
            low=balance.available < threshold,
            block_reason=block_reason(product, showroom, today),
            lots=lots,
            next_expiry=min((lot.expires_on for lot in live if lot.expires_on), default=None),
        )
        if status == "low" and not row.low:
            continue
        if status == "blocked" and not row.block_reason:
            continue
        if status == "quarantine" and balance.quarantined == 0:
            continue
        if status == "expiring" and not (row.next_expiry and row.next_expiry <= soon):
            continue
        rows.append(row)
    rows.sort(key=lambda r: r.product.name)
    return rows


async def alerts(orders: Orders, showroom: Showroom) -> list[Alert]:
    """Low stock, lots near or past expiry, and open withdrawals, most urgent first."""
    repository = OrdersRepository(orders.db)
    today = orders.clock.today()
    result: list[Alert] = []
    for w in await repository.withdrawals(showroom.id, open_only=True):
        result.append(
            Alert(
                kind="withdrawal",
                showroom_id=showroom.id,
                product_id=w.product_id,
                product_name=w.product_name,
                detail=f"Rút {w.quantity} khỏi quầy – trả lại nhà sản xuất. Lý do: {w.reason}",
                severity="bad",
            )
        )
    rows = await stock_rows(orders, showroom)
    soon = today + timedelta(days=_near_expiry_days(orders, showroom))
    for row in rows:
        for lot in row.lots:
            if lot.on_hand <= 0 or lot.expires_on is None or lot.expires_on > soon:
                continue
            expired = lot.expires_on < today
            result.append(
                Alert(
                    kind="expired" if expired else "near_expiry",
                    showroom_id=showroom.id,
                    product_id=row.product.id,
                    product_name=row.product.name,
                    detail=(
                        f"Lô {lot.lot_code}: {lot.on_hand} đơn vị "
                        + ("đã hết hạn" if expired else "sắp hết hạn")
                        + f" ({lot.expires_on:%d/%m/%Y})"
                        + (" – không bán được, hãy rút khỏi kệ" if expired else "")
                    ),
                    severity="bad" if expired else "warn",
                )
            )
        if row.low and not row.block_reason:
            result.append(
                Alert(
                    kind="low_stock",
                    showroom_id=showroom.id,
                    product_id=row.product.id,
                    product_name=row.product.name,
                    detail=f"Còn {row.available} (ngưỡng {row.threshold})",
                )
            )
    return result


class ProducerLine(BaseModel):
    producer_id: str
    producer_name: str
    quantity: int
    sales_vnd: int
    refunds_vnd: int
    net_vnd: int
    commission_vnd: int
    owed_vnd: int


class DailySummary(BaseModel):
    showroom_id: str
    day: date
    receipts: int
    voided: int
    gross_vnd: int
    discount_vnd: int
    sales_vnd: int
    refunds_vnd: int
    net_vnd: int
    by_payment: dict[str, int]
    by_kiosk: dict[str, int]
    """Net sales per kiosk or booth ("" for sales without one)."""
    by_producer: list[ProducerLine]
    top_products: list[tuple[str, int, int]]
    """(name, quantity, net VND), best first."""
    unconfirmed_transfers: list[tuple[str, str, int]] = []
    """(sale id, receipt number, total VND) of bank transfers nobody has seen arrive yet."""
    below_shelf: list[BelowShelf] = []
    """Lines sold below the shelf price, with who and why."""


class BelowShelf(BaseModel):
    receipt_number: str
    product_name: str
    quantity: int
    shelf_price_vnd: int
    unit_price_vnd: int
    reason: str
    sold_by: str


def _below_shelf(sales: list[Sale]) -> list[BelowShelf]:
    return [
        BelowShelf(
            receipt_number=s.receipt_number,
            product_name=line.product_name,
            quantity=line.quantity,
            shelf_price_vnd=line.shelf_price_vnd,
            unit_price_vnd=line.unit_price_vnd,
            reason=line.price_reason or "",
            sold_by=s.sold_by,
        )
        for s in sales
        for line in s.lines
        if line.shelf_price_vnd is not None
    ]


async def daily_summary(orders: Orders, showroom: Showroom, day: date) -> DailySummary:
    """Sales of a business day, and what the showroom owes each consigning producer.

    Returns are counted on the day of the sale they belong to (simple and stable).
    """
    repository = OrdersRepository(orders.db)
    sales = await repository.sales_of_day(showroom.id, day)
    names = await repository.producer_names(
        sorted({line.producer_id for sale in sales for line in sale.lines})
    )
    completed = [s for s in sales if s.status is SaleStatus.COMPLETED]
    by_payment: dict[str, int] = defaultdict(int)
    by_kiosk: dict[str, int] = defaultdict(int)
    qty: dict[str, int] = defaultdict(int)
    gross: dict[str, int] = defaultdict(int)
    refunds: dict[str, int] = defaultdict(int)
    products: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for sale in completed:
        by_payment[sale.payment.method.value] += sale.total_vnd - sale.refunded_vnd
        by_kiosk[sale.kiosk_code or ""] += sale.total_vnd - sale.refunded_vnd
        for line in sale.lines:
            qty[line.producer_id] += line.quantity - line.returned
            gross[line.producer_id] += line.line_total_vnd
            products[line.product_name][0] += line.quantity - line.returned
            products[line.product_name][1] += line.line_total_vnd
        for record in sale.returns:
            for item in record.lines:
                pid = str(item["product_id"])
                line_of = next(line for line in sale.lines if line.product_id == pid)
                refunds[line_of.producer_id] += int(item["refund_vnd"])
                products[line_of.product_name][1] -= int(item["refund_vnd"])
    producers = []
    for producer_id in sorted(gross, key=lambda p: -gross[p]):
        net = gross[producer_id] - refunds[producer_id]
        commission = net * showroom.commission_percent // 100
        producers.append(
            ProducerLine(
                producer_id=producer_id,
                producer_name=names.get(producer_id, producer_id),
                quantity=qty[producer_id],
                sales_vnd=gross[producer_id],
                refunds_vnd=refunds[producer_id],
                net_vnd=net,
                commission_vnd=commission,
                owed_vnd=net - commission,
            )
        )
    sales_vnd = sum(s.total_vnd for s in completed)
    refunds_vnd = sum(s.refunded_vnd for s in completed)
    top = sorted(((n, q, v) for n, (q, v) in products.items()), key=lambda t: -t[2])[:10]
    return DailySummary(
        showroom_id=showroom.id,
        day=day,
        receipts=len(completed),
        voided=len(sales) - len(completed),
        gross_vnd=sum(s.subtotal_vnd for s in completed),
        discount_vnd=sum(s.discount_vnd for s in completed),
        sales_vnd=sales_vnd,
        refunds_vnd=refunds_vnd,
        net_vnd=sales_vnd - refunds_vnd,
        by_payment=dict(by_payment),
        by_kiosk=dict(sorted(by_kiosk.items())),
        by_producer=producers,
        top_products=top,
        unconfirmed_transfers=[
            (s.id, s.receipt_number, s.total_vnd - s.refunded_vnd)
            for s in completed
            if s.payment.method is PaymentMethod.BANK_TRANSFER and s.payment.confirmed_at is None
        ],
        below_shelf=_below_shelf(completed),
    )
