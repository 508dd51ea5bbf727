"""The expiry sweep: one LotExpiringV1 per lot entering its showroom's warning window."""

from __future__ import annotations

import functools
from datetime import date, timedelta

import structlog

from ocop_orders.adapters.repository import LOTS, OrdersRepository
from ocop_orders.service_layer.unit_of_work import Orders, UnitOfWork, run_in_unit_of_work
from ocop_shared.contracts.orders import LotExpiringV1

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
    count = 0
    for lot in await uow.repository.lots_expiring_by(showroom_id, horizon):
        result = await uow.repository.db[LOTS].update_one(
            {"_id": lot.id, "expiry_announced": {"$ne": True}},
            {"$set": {"expiry_announced": True}},
            session=uow.session,
        )
        if result.modified_count != 1:
            continue
        product = await uow.repository.find_product(lot.product_id)
        assert lot.expires_on is not None
        await uow.outbox.add(
            uow.session,
            LotExpiringV1(
                showroom_id=showroom_id,
                product_id=lot.product_id,
                producer_id=product.producer_id if product else "",
                lot_id=lot.id,
                lot_code=lot.lot_code,
                expires_on=lot.expires_on,
                on_hand=lot.on_hand,
                detected_at=uow.now,
            ),
            subject=f"{showroom_id}:{lot.product_id}",
        )
        count += 1
    return count
