"""Partner stand-ins and a small shop client over HTTP, shared by the connector fault tests
and the webhook hostile tests (load with ``importlib`` from tests/hostile, like the e2e
clients): the Viettel Post fake as a real HTTP server in the test's event loop, and the few
calls that make a confirmed e-commerce order with stock at a showroom and ask for its
shipment.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import uvicorn

from ocop_orders.adapters.repository import OrdersRepository
from ocop_orders.config import OrdersSettings
from ocop_orders.domain.model import CertificateInfo, Product
from ocop_platform.stand_ins.viettelpost import FakeState, create_fake
from ocop_platform.testing.support import bearer
from ocop_shared.auth import Role
from ocop_shared.contracts.catalog import CertificateStatus

ORDERS = "/api/v1/ecommerce/orders"
VTP_WEBHOOK = "/v1/shipping/viettelpost/webhook"
VTP_SECRET = "vtp-webhook-secret-for-fault-tests"
VTP_USER, VTP_PASSWORD = "ocop-faults", "pw-faults"


@dataclass
class RunningCarrier:
    url: str
    state: FakeState


@contextlib.asynccontextmanager
async def running_viettelpost() -> AsyncIterator[RunningCarrier]:
    state = FakeState(username=VTP_USER, password=VTP_PASSWORD, webhook_token=VTP_SECRET)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_fake(state), log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield RunningCarrier(f"http://127.0.0.1:{port}", state)
    finally:
        server.should_exit = True
        await task
        sock.close()


def viettelpost_env(url: str) -> dict[str, str]:
    return {
        "ORDERS_VIETTELPOST_BASE_URL": url,
        "ORDERS_VIETTELPOST_USERNAME": VTP_USER,
        "ORDERS_VIETTELPOST_PASSWORD": VTP_PASSWORD,
        "ORDERS_VIETTELPOST_WEBHOOK_SECRET": VTP_SECRET,
        "ORDERS_VIETTELPOST_TIMEOUT_S": "1.0",
    }


@dataclass
class Shop:
    """The orders API as the console uses it (admin), plus the product read model."""

    client: httpx.AsyncClient
    settings: OrdersSettings
    db: Any

    @property
    def admin(self) -> dict[str, str]:
        return bearer(self.settings, Role.ADMIN)

    async def product(self, name: str = "Bưởi Đoan Hùng", price: int = 45_000) -> str:
        product_id = f"sp-{uuid.uuid4().hex[:10]}"
        await OrdersRepository(self.db).save_product(
            Product(
                id=product_id,
                name=name,
                producer_id="prd-chi-dam",
                producer_name="HTX Bưởi Sửu Chí Đám",
                suggested_price_vnd=price,
                group_code="food",
                certificate=CertificateInfo(
                    certificate_id=f"gcn-{product_id}",
                    number="GCN-1",
                    stars=4,
                    valid_until=date(2028, 6, 15),
                    valid_from=date(2025, 6, 15),
                    status=CertificateStatus.ACTIVE,
                ),
                certificate_sequence=1,
                listed_for_showrooms=True,
                listed_for_marketplace=True,
                catalog_sequence=1,
            )
        )
        return product_id

    async def showroom(self) -> str:
        code = f"S{uuid.uuid4().hex[:4].upper()}"
        body = {
            "code": code,
            "name": f"Điểm bán {code}",
            "address": "Chợ Việt Trì, tầng 2",
            "province": "Phú Thọ",
            "kiosks": [{"code": "K01", "name": "Ki-ốt 1"}],
        }
        response = await self.client.post("/api/v1/showrooms", json=body, headers=self.admin)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    async def confirmed_order(self) -> dict[str, Any]:
        showroom = await self.showroom()
        product = await self.product()
        received = await self.client.post(
            f"/api/v1/showrooms/{showroom}/receipts",
            json={
                "lines": [
                    {
                        "product_id": product,
                        "quantity": 5,
                        "lot_code": "L1",
                        "expires_on": "2027-01-31",
                    }
                ]
            },
            headers=self.admin,
        )
        assert received.status_code == 201, received.text
        body = {
            "buyer": {
                "name": "Nguyễn Thị Hoa",
                "phone": "0912345678",
                "address": {
                    "province": "Hà Nội",
                    "commune": "Phường Cầu Giấy",
                    "street": "12 ngõ 34 Trần Thái Tông",
                    "province_code": 1,
                    "commune_code": 120,
                },
            },
            "lines": [{"product_id": product, "quantity": 2, "unit_price_vnd": 45_000}],
            "payment": "cod",
            "shipping_fee_vnd": 30_000,
            "buyer_pays_shipping": True,
            "fulfilment": {"kind": "showroom", "showroom_id": showroom},
        }
        placed = await self.client.post(
            ORDERS, json=body, headers={**self.admin, "Idempotency-Key": uuid.uuid4().hex}
        )
        assert placed.status_code == 201, placed.text
        order_id = placed.json()["id"]
        confirmed = await self.client.post(f"{ORDERS}/{order_id}/confirm", headers=self.admin)
        assert confirmed.status_code == 200, confirmed.text
        return dict(confirmed.json())

    async def request_shipment(self, order_id: str) -> httpx.Response:
        return await self.client.post(
            f"{ORDERS}/{order_id}/shipment", json={"service": "VCN"}, headers=self.admin
        )

    async def detail(self, order_id: str) -> dict[str, Any]:
        response = await self.client.get(f"{ORDERS}/{order_id}", headers=self.admin)
        assert response.status_code == 200, response.text
        return dict(response.json())
