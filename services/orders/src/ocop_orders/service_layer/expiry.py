"""The expiry sweep: lots entering their warning window are announced once (LotExpiringV1);
products whose certificate passed its end date without an event yet are withdrawn."""

from __future__ import annotations

import functools
from datetime import date, timedelta

import structlog

from ocop_orders.adapters.repository import OrdersRepository
from ocop_orders.domain.events import LotExpiring
from ocop_orders.service_layer.consumed import withdraw_where_blocked
from ocop_orders.service_layer.unit_of_work import Orders, UnitOfWork, run_in_unit_of_work

log = structlog.get_logger(__name__)


async def announce_expiring_lots(orders: Orders) -> int:
    """Announce lots with units on hand that expire soon; each lot once. Returns how many."""
    announced = 0
    for showroom in await OrdersRepository(orders.db).list_showrooms():
        days = showroom.near_expiry_days
        window = days if days is not None else orders.settings.default_near_expiry_days
        horizon = orders.clock.today() + timedelta(days=window)

        work = functools.partial(_announce, showroom_id=showroom.id, horizon=horizon)
        announced += await run_in_unit_of_work(orders, "he-thong:han-su-dung", work)
    if announced:
        log.info("lots.expiring_announced", count=announced)
    return announced


async def _announce(uow: UnitOfWork, *, showroom_id: str, horizon: date) -> int:
    fresh = []
    for lot in await uow.repository.lots_expiring_by(showroom_id, horizon):
        if await uow.repository.mark_expiry_announced(lot.id):
            fresh.append(lot)
    if not fresh:
        return 0
    # The products of the lots announced now, in one read (lots announced before need none).
    products = await uow.repository.products(sorted({lot.product_id for lot in fresh}))
    for lot in fresh:
        product = products.get(lot.product_id)
        assert lot.expires_on is not None
        producer_id = product.producer_id if product else ""
        await uow.publish(
            LotExpiring(
                showroom_id,
                lot.product_id,
                producer_id,
                lot.id,
                lot.lot_code,
                lot.expires_on,
                lot.on_hand,
                uow.now,
            )
        )
    return len(fresh)


async def withdraw_lapsed_certificates(orders: Orders) -> int:
    """Quarantine stock of products whose certificate ended by date (sales are already
    refused by the eligibility rule; the expired event may come later or never)."""
    today = orders.clock.today()
    lapsed = await orders.repository().products_certified_until_before(today)
    withdrawn = 0
    for lapsed_id in lapsed:

        async def work(uow: UnitOfWork, product_id: str = lapsed_id) -> int:
            product = await uow.repository.get_product(product_id)
            return await withdraw_where_blocked(uow, product, orders.clock)

        withdrawn += await run_in_unit_of_work(orders, "he-thong:han-giay-chung-nhan", work)
    return withdrawn
