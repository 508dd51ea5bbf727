"""Edges of the certification service: expiry read at read time, hostile stored names."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import pytest_asyncio
from openpyxl import load_workbook

from ocop_certification.config import CertificationSettings
from ocop_certification.entrypoints.api import create_app
from ocop_platform.infra import Endpoints
from ocop_platform.testing.support import isolated_settings, new_run_id, service_api
from ocop_shared.auth import Role, mint_token
from ocop_shared.mongo import create_client
from ocop_shared.timeutil import FixedClock

pytestmark = pytest.mark.integration

HOSTILE = '=HYPERLINK("http://x","bấm")\x03 <!--<script>alert(1)</script> "\''


@dataclass
class Env:
    client: httpx.AsyncClient
    settings: CertificationSettings
    clock: FixedClock

    @property
    def officer(self) -> dict[str, str]:
        token = mint_token(self.settings, subject="can-bo", roles=[Role.PROVINCE_OFFICER])
        return {"Authorization": f"Bearer {token}"}

    async def ok(self, method: str, url: str, **kw: Any) -> Any:
        response = await self.client.request(method, url, headers=self.officer, **kw)
        assert response.status_code in (200, 201), response.text
        return response.json()

    async def certificate(self, decision_date: str) -> dict[str, Any]:
        producer = await self.ok(
            "POST",
            "/api/v1/producers",
            json={
                "name": "HTX Bưởi Sửu Chí Đám",
                "legal_form": "cooperative",
                "tax_code": "2600123456",
                "province": "Phú Thọ",
                "commune": "Chí Đám",
            },
        )
        product = await self.ok(
            "POST",
            "/api/v1/products",
            json={
                "producer_id": producer["id"],
                "name": "Bưởi Đoan Hùng",
                "subgroup_code": "1.1",
                "province": "Phú Thọ",
                "commune": "Chí Đám",
            },
        )
        certificate: dict[str, Any] = await self.ok(
            "POST",
            "/api/v1/certificates",
            json={
                "product_id": product["id"],
                "stars": 4,
                "level": "province",
                "issuing_authority": "UBND tỉnh Phú Thọ",
                "decision_number": "12/QĐ-UBND",
                "decision_date": decision_date,
            },
        )
        return certificate

    async def sign_in(self) -> None:
        token = mint_token(self.settings, subject="can-bo", roles=[Role.PROVINCE_OFFICER])
        response = await self.client.post("/dang-nhap", data={"token": token})
        assert response.status_code == 303


@pytest_asyncio.fixture
async def env(infra: Endpoints) -> AsyncIterator[Env]:
    settings = isolated_settings(
        CertificationSettings,
        kafka=infra.kafka_bootstrap_servers,
        mongodb=infra.mongodb_uri,
        run_id=new_run_id(),
    )
    # 23:30 in Hà Nội on 30/09/2025 (16:30 UTC): the certificate's last valid day
    clock = FixedClock(datetime(2025, 9, 30, 16, 30, tzinfo=UTC))
    async with service_api(settings, lambda s: create_app(s, clock=clock)) as (client, _):
        yield Env(client, settings, clock)


async def test_a_certificate_reads_expired_everywhere_the_day_after_its_last_valid_day(
    env: Env,
) -> None:
    certificate = await env.certificate("2022-09-30")
    assert certificate["valid_until"] == "2025-09-30"
    url = f"/api/v1/certificates/{certificate['id']}"
    assert (await env.ok("GET", url))["status"] == "active"  # its last day, all day long

    env.clock.advance(timedelta(hours=1))  # 00:30 on 01/10 in Hà Nội; no sweep has run
    read = await env.ok("GET", url)
    assert (read["status"], read["expired_on"]) == ("expired", "2025-10-01")
    listed = await env.ok("GET", f"/api/v1/products/{certificate['product_id']}/certificates")
    assert [c["status"] for c in listed] == ["expired"]
    assert await env.ok("GET", "/api/v1/certificates", params={"status": "active"}) == []
    expired = await env.ok("GET", "/api/v1/certificates", params={"status": "expired"})
    assert [c["id"] for c in expired] == [certificate["id"]]

    refused = await env.client.post(
        f"{url}/revoke",
        headers=env.officer,
        json={
            "decision_number": "99/QĐ-UBND",
            "decision_date": "2025-10-01",
            "reason": "Vi phạm an toàn thực phẩm",
            "issuing_authority": "UBND tỉnh Phú Thọ",
        },
    )
    assert refused.status_code == 409, refused.text
    assert "«Hết hiệu lực»" in refused.json()["detail"]

    await env.sign_in()
    page = await env.client.get(f"/giay-chung-nhan/{certificate['id']}")
    assert "Hết hiệu lực" in page.text
    assert "Còn hiệu lực" not in page.text
    register = await env.client.get("/giay-chung-nhan", params={"status": "active"})
    assert certificate["number"] not in register.text


async def test_hostile_stored_names_stay_inert_on_pages_and_in_the_register_export(
    env: Env,
) -> None:
    certificate = await env.certificate("2025-09-01")
    mongo = create_client(env.settings.mongodb_uri, app_name="test-hostile")
    try:
        db = mongo[env.settings.mongodb_database]
        await db["products"].update_many({}, {"$set": {"name": HOSTILE}})
        await db["producers"].update_many({}, {"$set": {"name": HOSTILE}})
    finally:
        await mongo.close()
    await env.sign_in()
    for path in (
        "/giay-chung-nhan",
        f"/giay-chung-nhan/{certificate['id']}",
        "/san-pham",
        "/chu-the",
    ):
        page = await env.client.get(path)
        assert page.status_code == 200, path
        assert "<!--<script>" not in page.text, path
        assert "<script>alert(1)" not in page.text, path
        assert "\x03" not in page.text, path
    assert "&lt;!--&lt;script&gt;" in (await env.client.get("/giay-chung-nhan")).text

    for export in (
        await env.client.get("/api/v1/certificates.xlsx", headers=env.officer),
        await env.client.get("/giay-chung-nhan.xlsx"),
    ):
        assert export.status_code == 200, export.text
        sheet = load_workbook(io.BytesIO(export.content)).active
        assert sheet is not None
        product, producer = sheet.cell(2, 2), sheet.cell(2, 3)
        assert product.value == producer.value == HOSTILE.replace("\x03", "\ufffd")
        assert product.data_type == producer.data_type == "s"
