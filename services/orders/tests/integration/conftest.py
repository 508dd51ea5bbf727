"""An orders API on the test servers, with a fixed clock and helpers to set up showrooms."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest_asyncio

from ocop_orders.adapters.repository import OrdersRepository
from ocop_orders.config import OrdersSettings
from ocop_orders.domain.model import CertificateInfo, Product
from ocop_orders.entrypoints.api import create_app
from ocop_platform.infra import Endpoints
from ocop_platform.testing.support import bearer, isolated_settings, new_run_id, service_api
from ocop_shared.auth import Role
from ocop_shared.contracts.catalog import CertificateStatus
from ocop_shared.mongo import Database, create_client
from ocop_shared.timeutil import FixedClock

NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)  # 10:00 in Việt Trì
TODAY = date(2026, 11, 24)


class Shop:
    """The API client plus the setup a test needs: showrooms, known products, stock."""

    def __init__(self, client: httpx.AsyncClient, settings: OrdersSettings, clock: FixedClock):
        self.client = client
        self.settings = settings
        self.clock = clock
        self.admin = bearer(settings, Role.ADMIN)
        self.mongo = create_client(settings.mongodb_uri, app_name="orders-test")
        self.db: Database = self.mongo[settings.mongodb_database]

    def operator(self, *showroom_ids: str) -> dict[str, str]:
        return bearer(self.settings, Role.SHOWROOM_OPERATOR, showroom_ids=list(showroom_ids))

    async def showroom(self, code: str, **extra: Any) -> str:
        body = {
            "code": code,
            "name": f"Điểm bán {code}",
            "address": "Chợ Việt Trì, tầng 2",
            "province": "Phú Thọ",
            "kiosks": [{"code": f"K{i:02d}", "name": f"Ki-ốt {i}"} for i in range(1, 4)],
            **extra,
        }
        response = await self.client.post("/api/v1/showrooms", json=body, headers=self.admin)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    async def product(
        self,
        name: str = "Bưởi Đoan Hùng",
        *,
        price: int = 45_000,
        group: str = "food",
        status: CertificateStatus = CertificateStatus.ACTIVE,
        producer: tuple[str, str] = ("prd-chi-dam", "HTX Bưởi Sửu Chí Đám"),
        **extra: Any,
    ) -> str:
        """A product the read model knows (as the consumer would have stored it)."""
        product_id = f"sp-{uuid.uuid4().hex[:10]}"
        product = Product(
            id=product_id,
            name=name,
            producer_id=producer[0],
            producer_name=producer[1],
            suggested_price_vnd=price,
            group_code=group,
            gtin=extra.pop("gtin", None),
            certificate=CertificateInfo(
                certificate_id=f"gcn-{product_id}",
                number="GCN-1",
                stars=4,
                valid_until=date(2028, 6, 15),
                status=status,
            ),
            certificate_sequence=1,
            listed_for_showrooms=True,
            catalog_sequence=1,
            **extra,
        )
        await OrdersRepository(self.db).save_product(product)
        return product_id

    async def receive(
        self,
        showroom_id: str,
        product_id: str,
        quantity: int,
        *,
        lot: str = "L1",
        expires_on: date | None = date(2027, 1, 31),
        price: int | None = None,
    ) -> httpx.Response:
        line: dict[str, Any] = {"product_id": product_id, "quantity": quantity, "lot_code": lot}
        if expires_on:
            line["expires_on"] = expires_on.isoformat()
        if price is not None:
            line["price_vnd"] = price
        return await self.client.post(
            f"/api/v1/showrooms/{showroom_id}/receipts",
            json={"lines": [line]},
            headers=self.admin,
        )

    async def sell(
        self,
        showroom_id: str,
        lines: list[dict[str, Any]],
        *,
        key: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> httpx.Response:
        body = {"lines": lines, "payment": {"method": "cash"}, **extra}
        return await self.client.post(
            f"/api/v1/showrooms/{showroom_id}/sales",
            json=body,
            headers={**(headers or self.admin), "Idempotency-Key": key or uuid.uuid4().hex},
        )

    async def stock(self, showroom_id: str, product_id: str) -> dict[str, Any]:
        response = await self.client.get(
            f"/api/v1/showrooms/{showroom_id}/stock/{product_id}", headers=self.admin
        )
        assert response.status_code == 200, response.text
        balance: dict[str, Any] = response.json()["balance"]
        return balance

    async def audit(self, showroom_id: str) -> dict[str, Any]:
        response = await self.client.get(
            f"/api/v1/showrooms/{showroom_id}/audit", headers=self.admin
        )
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result


@pytest_asyncio.fixture
async def shop(infra: Endpoints) -> AsyncIterator[Shop]:
    settings = isolated_settings(
        OrdersSettings,
        kafka=infra.kafka_bootstrap_servers,
        mongodb=infra.mongodb_uri,
        run_id=new_run_id(),
    )
    clock = FixedClock(NOW)
    async with service_api(settings, lambda s: create_app(s, clock)) as (client, _):
        helper = Shop(client, settings, clock)
        try:
            yield helper
        finally:
            await helper.mongo.close()
