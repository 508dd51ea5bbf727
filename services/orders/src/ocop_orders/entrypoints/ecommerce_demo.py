"""Demo online orders, after the showroom demo (`entrypoints/demo.py`) has stocked Việt Trì.

Loads through the API and is idempotent: orders carry fixed Idempotency-Keys per day, so a
second run finds them. Four orders from Việt Trì's shelves: one waiting for confirmation
(stock held), one confirmed, one confirmed with a Viettel Post shipment requested (the
connectors worker creates the waybill when Viettel Post, or its fake, answers), one
cancelled.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import structlog

from ocop_shared.timeutil import today_in_vietnam

log = structlog.get_logger(__name__)

Progress = Callable[[str], None]

BUYERS = (
    ("Nguyễn Thị Hoa", "0912345678", "Hà Nội", "Phường Cầu Giấy", "12 ngõ 34 Trần Thái Tông"),
    ("Trần Văn Nam", "0987654321", "Phú Thọ", "Phường Vân Phú", "Số 5, khu 3"),
    ("Lê Thị Mai", "0903111222", "TP Hồ Chí Minh", "Phường Bến Thành", "88 Lê Lợi"),
    ("Phạm Quốc Huy", "0977000111", "Tuyên Quang", "Phường Minh Xuân", "21 Tân Trào"),
)
PLANS = ("placed", "confirmed", "shipped", "cancelled")


def ecommerce_demo_step_count() -> int:
    return len(PLANS)


@dataclass
class EcommerceSeedReport:
    created: int = 0
    existing: int = 0
    shipments_requested: int = 0

    def summary(self) -> str:
        return (
            f"Đơn trực tuyến: +{self.created} (đã có {self.existing}); "
            f"{self.shipments_requested} yêu cầu vận đơn Viettel Post."
        )


async def seed_ecommerce_demo(
    base_url: str,
    token: str,
    *,
    showroom_code: str = "VT",
    progress: Progress | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> EcommerceSeedReport:
    """``token`` must carry the admin role; ``progress`` is called once per demo order."""
    step: Progress = progress or (lambda _: None)
    report = EcommerceSeedReport()
    async with httpx.AsyncClient(
        base_url=base_url,
        headers={"Authorization": f"Bearer {token}"},
        timeout=15,
        transport=transport,
    ) as client:
        showrooms = (await client.get("/api/v1/showrooms")).json()
        showroom = next((s for s in showrooms if s["code"] == showroom_code), None)
        if showroom is None:
            log.warning("ecommerce_demo.no_showroom", code=showroom_code)
            return report
        stock = (await client.get(f"/api/v1/showrooms/{showroom['id']}/stock")).json()
        rows = [r for r in stock if not r["block_reason"] and r["sellable_now"] > 3]
        if not rows:
            return report
        day = today_in_vietnam().strftime("%Y%m%d")
        for n, plan in enumerate(PLANS):
            row = rows[n % len(rows)]
            order = await _order(client, showroom["id"], row, n, f"demo-ecom-{day}-{n}", report)
            if order is not None:
                await _advance(client, order, plan, report)
            step(f"Đơn trực tuyến mẫu {n + 1}")
    return report


async def _order(
    client: httpx.AsyncClient,
    showroom_id: str,
    row: dict[str, Any],
    n: int,
    key: str,
    report: EcommerceSeedReport,
) -> dict[str, Any] | None:
    name, phone, province, commune, street = BUYERS[n % len(BUYERS)]
    price = row.get("price_vnd") or row["product"].get("suggested_price_vnd") or 50_000
    response = await client.post(
        "/api/v1/ecommerce/orders",
        json={
            "buyer": {
                "name": name,
                "phone": phone,
                "address": {"province": province, "commune": commune, "street": street},
            },
            "lines": [
                {"product_id": row["product"]["id"], "quantity": 1 + n % 2, "unit_price_vnd": price}
            ],
            "payment": "prepaid" if n % 3 == 2 else "cod",
            "shipping_fee_vnd": 30_000,
            "fulfilment": {"kind": "showroom", "showroom_id": showroom_id},
        },
        headers={"Idempotency-Key": key},
    )
    if response.status_code == 201:
        report.created += 1
    elif response.status_code == 200:
        report.existing += 1
        return None  # already seeded: leave it where it got to
    else:
        log.warning("ecommerce_demo.refused", status=response.status_code, body=response.text[:300])
        return None
    order: dict[str, Any] = response.json()
    return order


async def _advance(
    client: httpx.AsyncClient, order: dict[str, Any], plan: str, report: EcommerceSeedReport
) -> None:
    base = f"/api/v1/ecommerce/orders/{order['id']}"
    if plan == "cancelled":
        await client.post(f"{base}/cancel", json={"reason": "Khách đổi ý (dữ liệu mẫu)"})
        return
    if plan in ("confirmed", "shipped"):
        await client.post(f"{base}/confirm")
    if plan == "shipped":
        response = await client.post(f"{base}/shipment", json={"service": "VCN"})
        if response.status_code in (200, 202):
            report.shipments_requested += 1


# The names `ocop run` expects of a demo module (a `DemoSeeder` entry after the orders demo).
def demo_step_count() -> int:
    return ecommerce_demo_step_count()


async def seed_demo(
    base_url: str, token: str, *, progress: Progress | None = None
) -> EcommerceSeedReport:
    return await seed_ecommerce_demo(base_url, token, progress=progress)
