"""Demo data for the showrooms of Phú Thọ: Chợ Việt Trì (42 kiosks), Chợ Quê at Đền Hùng
(100 festival booths) and Xuân Sơn National Park, stocked with the demo products.

Idempotent: showrooms are found by code, stock is received only where a product has none
yet, demo sales carry fixed idempotency keys. Products come from the orders read model,
which learns them from certification and catalogue events: run after the certification
demo (``seed_demo`` waits a while for the products to arrive).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx
import structlog

from ocop_shared.timeutil import today_in_vietnam

log = structlog.get_logger(__name__)

Progress = Callable[[str], None]


@dataclass(frozen=True)
class DemoShowroom:
    code: str
    name: str
    address: str
    kiosks: tuple[tuple[str, str], ...]
    quantity: int
    accepts_key_farm_products: bool = False
    low_stock_threshold: int | None = None

    def body(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "address": self.address,
            "province": "Phú Thọ",
            "kiosks": [{"code": c, "name": n} for c, n in self.kiosks],
            "accepts_key_farm_products": self.accepts_key_farm_products,
            "low_stock_threshold": self.low_stock_threshold,
            "near_expiry_days": 30,
            "commission_percent": 10,
            # A made-up Agribank account so the till shows VietQR codes in the demo.
            "bank": {
                "bank_bin": "970405",
                "account_number": f"2700205000{len(self.kiosks):03d}",
                "account_name": f"DEMO OCOP {self.code}",
            },
        }


SHOWROOMS = (
    DemoShowroom(
        "VT",
        "Điểm giới thiệu và bán sản phẩm OCOP – Chợ Việt Trì",
        "Chợ trung tâm thành phố Việt Trì, tầng 2–3, phường Việt Trì, Phú Thọ",
        tuple((f"K{i:02d}", f"Ki-ốt {i}") for i in range(1, 43)),
        quantity=40,
        accepts_key_farm_products=True,
        low_stock_threshold=8,
    ),
    DemoShowroom(
        "DH",
        "Chợ Quê – Khu di tích lịch sử Đền Hùng",
        "Khu di tích lịch sử Đền Hùng, xã Hy Cương, Phú Thọ",
        tuple((f"G{i:03d}", f"Gian hàng {i}") for i in range(1, 101)),
        quantity=80,
        low_stock_threshold=20,
    ),
    DemoShowroom(
        "XS",
        "Điểm bán sản phẩm OCOP – Vườn quốc gia Xuân Sơn",
        "Trung tâm du khách Vườn quốc gia Xuân Sơn, xã Xuân Sơn, Phú Thọ",
        tuple((f"Q{i}", f"Quầy {i}") for i in range(1, 4)),
        quantity=15,
    ),
)
DEFAULT_PRICES = {"food": 85_000, "drink": 120_000, "herbs": 250_000, "keepsake": 150_000}
WAIT_FOR_PRODUCTS_S = 60.0
DEMO_SALES = 6


def demo_step_count() -> int:
    """Steps ``seed_demo`` reports: showrooms, waiting for products, stock per showroom, sales."""
    return len(SHOWROOMS) * 2 + 2


@dataclass
class SeedReport:
    showrooms_created: int = 0
    showrooms_existing: int = 0
    products_known: int = 0
    products_sellable: int = 0
    receipts: int = 0
    sales_recorded: int = 0
    listings_created: int = 0
    showroom_ids: dict[str, str] = field(default_factory=dict)

    def summary(self) -> str:
        return (
            f"Điểm bán: +{self.showrooms_created} (đã có {self.showrooms_existing}); "
            f"{self.products_sellable}/{self.products_known} sản phẩm được bán; "
            f"+{self.receipts} dòng nhập kho, +{self.sales_recorded} hoá đơn mẫu."
        )


class SeedError(RuntimeError):
    """The API refused a demo request; carries the status and problem details."""


def _json(response: httpx.Response) -> Any:
    if response.is_error:
        raise SeedError(
            f"{response.request.method} {response.request.url.path} → "
            f"{response.status_code}: {response.text[:500]}"
        )
    return response.json()


async def _showrooms(client: httpx.AsyncClient, report: SeedReport, step: Progress) -> None:
    existing = {s["code"]: s["id"] for s in _json(await client.get("/api/v1/showrooms"))}
    for demo in SHOWROOMS:
        showroom_id = existing.get(demo.code)
        if showroom_id is None:
            created = _json(await client.post("/api/v1/showrooms", json=demo.body()))
            showroom_id = created["id"]
            report.showrooms_created += 1
        else:
            report.showrooms_existing += 1
        report.showroom_ids[demo.code] = showroom_id
        step(demo.name)


async def _products(
    client: httpx.AsyncClient, showroom_id: str, wait_s: float
) -> list[dict[str, Any]]:
    """The till's product list once it stops growing (the consumer is still catching up)."""
    deadline = time.monotonic() + wait_s
    last: list[dict[str, Any]] = []
    stable_since = time.monotonic()
    while True:
        found = _json(
            await client.get(f"/api/v1/showrooms/{showroom_id}/products", params={"limit": 200})
        )
        sellable = [c for c in found if c["sellable"]]
        if len(sellable) != len([c for c in last if c["sellable"]]):
            stable_since = time.monotonic()
        last = found
        if sellable and time.monotonic() - stable_since > 3:
            return last
        if time.monotonic() > deadline:
            return last
        await asyncio.sleep(1.0)


def _receipt_line(
    choice: dict[str, Any], demo: DemoShowroom, index: int, today: date
) -> dict[str, Any]:
    product = choice["product"]
    group = (product.get("group_code") or "food").split(".")[0]
    price = choice["price_vnd"] or DEFAULT_PRICES.get(group, 100_000)
    # A few lines low or close to expiry, so the console has alerts to show.
    quantity = 3 if index % 7 == 3 else demo.quantity
    line: dict[str, Any] = {
        "product_id": product["id"],
        "quantity": quantity,
        "lot_code": f"DEMO-{today:%Y%m}",
        "price_vnd": price,
    }
    if group == "food":
        line["expires_on"] = (today + timedelta(days=20 if index % 5 == 1 else 120)).isoformat()
    return line


def _is_service(product: dict[str, Any]) -> bool:
    """Community tourism (group 6 / "travel") is a service, not goods on a shelf."""
    return (product.get("group_code") or "").split(".")[0] in ("travel", "6")


async def _stock(
    client: httpx.AsyncClient,
    demo: DemoShowroom,
    showroom_id: str,
    choices: list[dict[str, Any]],
    report: SeedReport,
) -> None:
    stocked = {
        row["product"]["id"]
        for row in _json(await client.get(f"/api/v1/showrooms/{showroom_id}/stock"))
    }
    today = today_in_vietnam()
    lines = [
        _receipt_line(choice, demo, index, today)
        for index, choice in enumerate(choices)
        if choice["sellable"]
        and choice["product"]["id"] not in stocked
        and not _is_service(choice["product"])
    ]
    if lines:
        _json(
            await client.post(
                f"/api/v1/showrooms/{showroom_id}/receipts",
                json={"lines": lines, "note": "Dữ liệu mẫu: hàng ký gửi đầu mùa"},
            )
        )
        report.receipts += len(lines)


async def _sales(client: httpx.AsyncClient, showroom_id: str, report: SeedReport) -> None:
    stock = _json(await client.get(f"/api/v1/showrooms/{showroom_id}/stock"))
    sellable = [r for r in stock if not r["block_reason"] and r["sellable_now"] > 5]
    if not sellable:
        return
    methods = ("cash", "bank_transfer", "card")
    for n in range(DEMO_SALES):
        row = sellable[n % len(sellable)]
        payment: dict[str, Any] = {"method": methods[n % 3]}
        if payment["method"] != "cash":
            payment["reference"] = f"DEMO{n:04d}"
        response = await client.post(
            f"/api/v1/showrooms/{showroom_id}/sales",
            json={
                "lines": [{"product_id": row["product"]["id"], "quantity": 1 + n % 2}],
                "payment": payment,
                "kiosk_code": f"K{1 + n % 3:02d}",
            },
            headers={"Idempotency-Key": f"demo-{showroom_id}-{today_in_vietnam():%Y%m%d}-{n}"},
        )
        if response.status_code == 201 and response.headers.get("Idempotent-Replayed") != "true":
            report.sales_recorded += 1


DEMO_LISTINGS = 4
TOUR_PRODUCT = "Bưởi Đoan Hùng"
"""Listed first: the README's tour revokes it and watches the marketplaces delist it."""


async def _listings(
    client: httpx.AsyncClient, choices: list[dict[str, Any]], report: SeedReport
) -> None:
    """List a few sellable products on Postmart and Voso (skipped where the catalogue's
    marketplace policy says no, or where they are listed already)."""
    products = [c["product"] for c in choices if c["sellable"] and not _is_service(c["product"])]
    products.sort(key=lambda p: TOUR_PRODUCT not in str(p.get("name", "")))
    for product in products[:DEMO_LISTINGS]:
        for channel in ("postmart", "voso"):
            response = await client.post(
                "/api/v1/listings",
                json={"product_id": product["id"], "channel": channel, "stock": 10},
            )
            if response.status_code == 201:
                report.listings_created += 1
            elif response.status_code not in (409, 422):
                _json(response)


async def seed_demo(
    base_url: str,
    token: str,
    *,
    progress: Progress | None = None,
    timeout_s: float = 15.0,
    wait_for_products_s: float = WAIT_FOR_PRODUCTS_S,
    transport: httpx.AsyncBaseTransport | None = None,
) -> SeedReport:
    """Create the demo showrooms and stock them with the products the read model knows.

    ``token`` must carry the admin role. ``progress`` is called ``demo_step_count()`` times.
    """
    step: Progress = progress or (lambda _: None)
    report = SeedReport()
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(
        base_url=base_url, headers=headers, timeout=timeout_s, transport=transport
    ) as client:
        await _showrooms(client, report, step)
        first = report.showroom_ids[SHOWROOMS[0].code]
        choices = await _products(client, first, wait_for_products_s)
        report.products_known = len(choices)
        report.products_sellable = len([c for c in choices if c["sellable"]])
        step(f"{report.products_sellable} sản phẩm được bán")
        for demo in SHOWROOMS:
            showroom_id = report.showroom_ids[demo.code]
            # Policies differ per showroom (Việt Trì takes key farm products too).
            here = _json(
                await client.get(f"/api/v1/showrooms/{showroom_id}/products", params={"limit": 200})
            )
            await _stock(client, demo, showroom_id, here, report)
            step(f"Nhập kho {demo.name}")
        await _sales(client, first, report)
        await _listings(client, choices, report)
        step("Hoá đơn mẫu")
    log.info(
        "demo_seeded",
        showrooms_created=report.showrooms_created,
        receipts=report.receipts,
        sales=report.sales_recorded,
    )
    return report
