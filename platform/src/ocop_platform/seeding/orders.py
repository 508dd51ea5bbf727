"""Orders section: showrooms, their stock, sample sales, marketplace listings, online orders.

Products come from the orders read model, which learns them from certification and catalogue
events, so the section waits a while for them. It touches only the demo's own products (the
ids the certification section registered, and the catalogue file's key farm products): a
product someone else registered is never stocked, sold, listed or ordered here.
Showrooms are found by code, stock is received only where a demo product has none yet, sales
and online orders carry fixed idempotency keys.
"""

from __future__ import annotations

import asyncio
import time
from datetime import date, timedelta
from typing import Any

import structlog

from ocop_platform.seeding.client import SeedClient, SeedRun, checked
from ocop_platform.seeding.data import DemoData, OnlineOrder, Receiving, Showroom, Showrooms
from ocop_shared.timeutil import today_in_vietnam

log = structlog.get_logger(__name__)

WAIT_FOR_PRODUCTS_S = 60.0
SETTLED_S = 3.0
"""The till's product list is taken once it has not grown for this long."""


def step_count(data: DemoData) -> int:
    """Progress calls: per showroom, the products, stock per showroom, sales, online orders."""
    s = data.showrooms
    return len(s.showrooms) * 2 + 2 + len(s.online_orders.orders)


def demo_product_ids(data: DemoData, run: SeedRun) -> set[str]:
    return set(run.product_ids.values()) | set(data.catalogue_only_ids())


async def seed(
    api: SeedClient,
    data: DemoData,
    run: SeedRun,
    *,
    wait_for_products_s: float = WAIT_FOR_PRODUCTS_S,
) -> None:
    s = data.showrooms
    ours = demo_product_ids(data, run)
    showroom_ids = await _showrooms(api, s, run)
    first = showroom_ids[s.showrooms[0].code]
    choices = await _products(api, first, ours, wait_for_products_s)
    sellable = [c for c in choices if c["sellable"]]
    run.step(f"{len(sellable)} sản phẩm được bán")
    for showroom in s.showrooms:
        showroom_id = showroom_ids[showroom.code]
        # Policies differ per showroom (Việt Trì takes key farm products too).
        here = await api.get(f"/api/v1/showrooms/{showroom_id}/products", {"limit": 200})
        mine = [c for c in here if c["product"]["id"] in ours]
        await _stock(api, s.receiving, showroom, showroom_id, mine, run)
        run.step(f"Nhập kho {showroom.name}")
    await _sales(api, s, first, ours, run)
    await _listings(api, s, choices, run)
    run.step("Hoá đơn mẫu")
    await _online_orders(api, s, showroom_ids, ours, run)


def showroom_body(showroom: Showroom) -> dict[str, Any]:
    body = showroom.model_dump(mode="json", exclude={"kiosks", "quantity"})
    kiosks = showroom.kiosks
    body["kiosks"] = [
        {"code": kiosks.code.format(n=n), "name": kiosks.name.format(n=n)}
        for n in range(1, kiosks.count + 1)
    ]
    return body


async def _showrooms(api: SeedClient, s: Showrooms, run: SeedRun) -> dict[str, str]:
    existing = {r["code"]: r["id"] for r in await api.get("/api/v1/showrooms")}
    ids: dict[str, str] = {}
    for showroom in s.showrooms:
        showroom_id = existing.get(showroom.code)
        run.report.add("showroom", created=showroom_id is None)
        if showroom_id is None:
            showroom_id = (await api.post("/api/v1/showrooms", showroom_body(showroom)))["id"]
        ids[showroom.code] = str(showroom_id)
        run.step(showroom.name)
    return ids


async def _products(
    api: SeedClient, showroom_id: str, ours: set[str], wait_s: float
) -> list[dict[str, Any]]:
    """The demo products on the till's list once it stops growing (the consumer is still
    catching up), or after ``wait_s``."""
    deadline = time.monotonic() + wait_s
    last: list[dict[str, Any]] = []
    stable_since = time.monotonic()
    while True:
        found = [
            c
            for c in await api.get(f"/api/v1/showrooms/{showroom_id}/products", {"limit": 200})
            if c["product"]["id"] in ours
        ]
        sellable = [c for c in found if c["sellable"]]
        if len(sellable) != len([c for c in last if c["sellable"]]):
            stable_since = time.monotonic()
        last = found
        if sellable and time.monotonic() - stable_since > SETTLED_S:
            return last
        if time.monotonic() > deadline:
            return last
        await asyncio.sleep(1.0)


def _group(product: dict[str, Any]) -> str:
    return str(product.get("group_code") or "").split(".")[0]


def is_service(product: dict[str, Any]) -> bool:
    """Community tourism (group 6 / "travel") is a service, not goods on a shelf."""
    return _group(product) in ("travel", "6")


def receipt_line(
    r: Receiving, choice: dict[str, Any], showroom: Showroom, index: int, today: date
) -> dict[str, Any]:
    """One consignment line: the catalogue's price (else the group's default), the showroom's
    quantity except every `low_every`-th line, food expiring in `shelf_life_days` except
    every `near_expiry_every`-th line, so the console has alerts to show."""
    product = choice["product"]
    group = _group(product) or "food"
    price = choice["price_vnd"] or r.default_prices_vnd.get(group, r.fallback_price_vnd)
    low = index % r.low_every == r.low_offset
    line: dict[str, Any] = {
        "product_id": product["id"],
        "quantity": r.low_quantity if low else showroom.quantity,
        "lot_code": f"{r.lot_prefix}-{today:%Y%m}",
        "price_vnd": price,
    }
    if group == "food":
        near = index % r.near_expiry_every == r.near_expiry_offset
        days = r.near_expiry_days if near else r.shelf_life_days
        line["expires_on"] = (today + timedelta(days=days)).isoformat()
    return line


async def _stock(
    api: SeedClient,
    r: Receiving,
    showroom: Showroom,
    showroom_id: str,
    choices: list[dict[str, Any]],
    run: SeedRun,
) -> None:
    stocked = {
        row["product"]["id"] for row in await api.get(f"/api/v1/showrooms/{showroom_id}/stock")
    }
    today = today_in_vietnam()
    goods = [
        (index, choice)
        for index, choice in enumerate(choices)
        if choice["sellable"] and not is_service(choice["product"])
    ]
    lines = [
        receipt_line(r, choice, showroom, index, today)
        for index, choice in goods
        if choice["product"]["id"] not in stocked
    ]
    if lines:
        await api.post(
            f"/api/v1/showrooms/{showroom_id}/receipts", {"lines": lines, "note": r.note}
        )
    run.report.add("stock_line", created=True, count=len(lines))
    run.report.add("stock_line", created=False, count=len(goods) - len(lines))


async def _on_shelf(
    api: SeedClient, showroom_id: str, ours: set[str], more_than: int
) -> list[dict[str, Any]]:
    """Stock rows of demo products that can be sold, with more than ``more_than`` units."""
    return [
        row
        for row in await api.get(f"/api/v1/showrooms/{showroom_id}/stock")
        if row["product"]["id"] in ours
        and not row["block_reason"]
        and row["sellable_now"] > more_than
    ]


def _replayed(status: int, headers: Any) -> bool:
    return status == 200 or headers.get("Idempotent-Replayed") == "true"


async def _sales(
    api: SeedClient, s: Showrooms, showroom_id: str, ours: set[str], run: SeedRun
) -> None:
    rows = await _on_shelf(api, showroom_id, ours, s.sales.min_on_shelf)
    if not rows:
        return
    for n, sale in enumerate(s.sales.receipts):
        row = rows[n % len(rows)]
        payment: dict[str, Any] = {"method": sale.method}
        if sale.reference is not None:
            payment["reference"] = sale.reference
        response = await api.http.post(
            f"/api/v1/showrooms/{showroom_id}/sales",
            json={
                "lines": [{"product_id": row["product"]["id"], "quantity": sale.quantity}],
                "payment": payment,
                "kiosk_code": sale.kiosk,
            },
            headers={"Idempotency-Key": f"demo-{showroom_id}-{n}"},
        )
        if response.status_code in (200, 201):
            run.report.add("sale", created=not _replayed(response.status_code, response.headers))
        elif response.status_code == 409:  # the key was used: an earlier run made this sale
            run.report.add("sale", created=False)
        else:
            log.warning("demo_sale_refused", status=response.status_code, body=response.text[:300])


async def _listings(
    api: SeedClient, s: Showrooms, choices: list[dict[str, Any]], run: SeedRun
) -> None:
    """List a few sellable demo goods on the marketplaces (skipped where the catalogue's
    marketplace policy says no; already listed ones answer 409)."""
    products = [c["product"] for c in choices if c["sellable"] and not is_service(c["product"])]
    products.sort(key=lambda p: s.listings.first not in str(p.get("name", "")))
    for product in products[: s.listings.products]:
        for channel in s.listings.channels:
            response = await api.http.post(
                "/api/v1/listings",
                json={"product_id": product["id"], "channel": channel, "stock": s.listings.stock},
            )
            if response.status_code == 201:
                run.report.add("listing", created=True)
            elif response.status_code == 409:
                run.report.add("listing", created=False)
            elif response.status_code != 422:
                checked(response)


async def _online_orders(
    api: SeedClient, s: Showrooms, showroom_ids: dict[str, str], ours: set[str], run: SeedRun
) -> None:
    o = s.online_orders
    showroom_id = showroom_ids[o.showroom]
    rows = await _on_shelf(api, showroom_id, ours, o.min_on_shelf)
    for n, order in enumerate(o.orders):
        if rows:
            created = await _order(api, s, showroom_id, rows[n % len(rows)], order, n, run)
            if created is not None:
                await _advance(api, s, created, order, run)
        run.step(f"Đơn trực tuyến mẫu {n + 1}")


async def _order(
    api: SeedClient,
    s: Showrooms,
    showroom_id: str,
    row: dict[str, Any],
    order: OnlineOrder,
    n: int,
    run: SeedRun,
) -> dict[str, Any] | None:
    """The order, when this run created it (None when an earlier run did)."""
    o = s.online_orders
    price = row.get("price_vnd") or row["product"].get("suggested_price_vnd")
    response = await api.http.post(
        "/api/v1/ecommerce/orders",
        json={
            "buyer": order.buyer.model_dump(),
            "lines": [
                {
                    "product_id": row["product"]["id"],
                    "quantity": order.quantity,
                    "unit_price_vnd": price or o.fallback_price_vnd,
                }
            ],
            "payment": order.payment,
            "shipping_fee_vnd": o.shipping_fee_vnd,
            "fulfilment": {"kind": "showroom", "showroom_id": showroom_id},
        },
        headers={"Idempotency-Key": f"demo-ecom-{n}"},
    )
    if response.status_code == 201:
        run.report.add("online_order", created=True)
        created: dict[str, Any] = response.json()
        return created
    if response.status_code in (200, 409):  # already seeded: leave it where it got to
        run.report.add("online_order", created=False)
    else:
        log.warning("demo_order_refused", status=response.status_code, body=response.text[:300])
    return None


async def _advance(
    api: SeedClient, s: Showrooms, order: dict[str, Any], wanted: OnlineOrder, run: SeedRun
) -> None:
    base = f"/api/v1/ecommerce/orders/{order['id']}"
    calls: list[tuple[str, dict[str, Any] | None]] = []
    if wanted.plan == "cancelled":
        calls.append((f"{base}/cancel", {"reason": s.online_orders.cancel_reason}))
    if wanted.plan in ("confirmed", "shipped"):
        calls.append((f"{base}/confirm", None))
    if wanted.plan == "shipped":
        calls.append((f"{base}/shipment", {"service": s.online_orders.shipping_service}))
    for path, body in calls:
        response = await api.http.post(path, json=body)
        if response.status_code in (200, 201, 202):
            run.report.add("order_step", created=True)
