"""The certification API on the real database: validation, roles, conflicts, no 500s."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio

from ocop_certification.config import CertificationSettings
from ocop_certification.entrypoints.api import create_app
from ocop_platform.infra import Endpoints, MongoServer
from ocop_platform.testing.support import bearer, isolated_settings, new_run_id, service_api
from ocop_shared.auth import Role

pytestmark = pytest.mark.integration

PRODUCER = {
    "name": "HTX Chè Nhân Sơn",
    "legal_form": "cooperative",
    "tax_code": "5000123456",
    "province": "Tuyên Quang",
    "commune": "Nhân Sơn",
}


@pytest_asyncio.fixture
async def api(infra: Endpoints) -> AsyncIterator[tuple[httpx.AsyncClient, CertificationSettings]]:
    settings = isolated_settings(
        CertificationSettings,
        kafka=infra.kafka_bootstrap_servers,
        mongodb=infra.mongodb_uri,
        run_id=new_run_id(),
    )
    async with service_api(settings, create_app) as (client, _):
        yield client, settings


def assert_problem(
    response: httpx.Response, status: int, field: str | None = None
) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    if field is not None:
        assert field in [e["field"] for e in body["errors"]], body
    return body


async def test_missing_token_is_401_and_wrong_role_is_403(api: Any) -> None:
    client, settings = api
    assert_problem(await client.post("/api/v1/producers", json=PRODUCER), 401)
    operator = bearer(settings, Role.SHOWROOM_OPERATOR)
    assert_problem(await client.post("/api/v1/producers", json=PRODUCER, headers=operator), 403)
    forged = {"Authorization": "Bearer not-a-jwt"}
    assert_problem(await client.post("/api/v1/producers", json=PRODUCER, headers=forged), 401)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"tax_code": "12345"}, "body.tax_code"),
        ({"tax_code": {"$gt": ""}}, "body.tax_code"),
        ({"legal_form": "corporation"}, "body.legal_form"),
        ({"name": ""}, "body.name"),
        ({"gln": "8934588012113"}, "body.gln"),
        ({"unexpected": 1}, "body.unexpected"),
    ],
)
async def test_bad_producer_input_is_a_problem_naming_the_field(
    api: Any, change: dict[str, Any], field: str
) -> None:
    client, settings = api
    officer = bearer(settings, Role.PROVINCE_OFFICER)
    response = await client.post("/api/v1/producers", json={**PRODUCER, **change}, headers=officer)
    assert_problem(response, 422, field)
    listed = await client.get("/api/v1/producers", headers=officer)
    assert listed.json() == [], "a refused request must change nothing"


async def test_malformed_json_is_422_not_500(api: Any) -> None:
    client, settings = api
    response = await client.post(
        "/api/v1/producers",
        content=b"{broken",
        headers={**bearer(settings, Role.ADMIN), "content-type": "application/json"},
    )
    assert_problem(response, 422)


async def test_problems_speak_vietnamese_and_name_the_field_by_its_label(api: Any) -> None:
    client, settings = api
    officer = bearer(settings, Role.PROVINCE_OFFICER)
    wrong = await client.post(
        "/api/v1/producers",
        json={**PRODUCER, "name": 5, "province": "Phú\u0003 Thọ"},
        headers=officer,
    )
    problem = assert_problem(wrong, 422, "body.name")
    messages = {e["field"]: e["message"] for e in problem["errors"]}
    assert messages == {
        "body.name": "«Tên» phải là chuỗi ký tự",
        "body.province": "«Tỉnh/thành phố» chứa ký tự điều khiển không được phép: U+0003",
    }
    assert problem["detail"] == "Kiểm tra lại: Tên, Tỉnh/thành phố"
    broken = await client.post(
        "/api/v1/producers",
        content=b'{"name": "HTX",,}',
        headers={**officer, "content-type": "application/json"},
    )
    malformed = assert_problem(broken, 422, "body")
    assert malformed["detail"].startswith("JSON không hợp lệ")


async def test_a_name_registered_decomposed_is_stored_and_shown_composed(api: Any) -> None:
    import unicodedata

    client, settings = api
    officer = bearer(settings, Role.PROVINCE_OFFICER)
    decomposed = unicodedata.normalize("NFD", "HTX Chè Nhân Sơn")
    created = await client.post(
        "/api/v1/producers", json={**PRODUCER, "name": f"  {decomposed} "}, headers=officer
    )
    assert created.status_code == 201, created.text
    stored = await client.get(f"/api/v1/producers/{created.json()['id']}", headers=officer)
    assert stored.json()["name"] == "HTX Chè Nhân Sơn"
    assert unicodedata.is_normalized("NFC", stored.json()["name"])


async def test_duplicate_tax_code_is_a_conflict(api: Any) -> None:
    client, settings = api
    officer = bearer(settings, Role.PROVINCE_OFFICER)
    assert (
        await client.post("/api/v1/producers", json=PRODUCER, headers=officer)
    ).status_code == 201
    again = await client.post("/api/v1/producers", json=PRODUCER, headers=officer)
    assert_problem(again, 409, "body.tax_code")


async def test_lifecycle_errors_are_clear(api: Any) -> None:
    client, settings = api
    officer = bearer(settings, Role.PROVINCE_OFFICER)
    unknown_product = await client.post(
        "/api/v1/products",
        headers=officer,
        json={
            "producer_id": "prd-none",
            "name": "Chè",
            "group_code": "drink",
            "province": "Tuyên Quang",
            "commune": "Nhân Sơn",
        },
    )
    assert_problem(unknown_product, 404, "producer_id")
    producer = (await client.post("/api/v1/producers", json=PRODUCER, headers=officer)).json()
    product = (
        await client.post(
            "/api/v1/products",
            headers=officer,
            json={
                "producer_id": producer["id"],
                "name": "Chè Nhân Sơn",
                "group_code": "drink",
                "province": "Tuyên Quang",
                "commune": "Nhân Sơn",
                "gtin": "8934588012112",
            },
        )
    ).json()
    two_stars = await client.post(
        "/api/v1/certificates",
        headers=officer,
        json={
            "product_id": product["id"],
            "stars": 2,
            "level": "province",
            "issuing_authority": "UBND tỉnh",
            "decision_number": "1",
            "decision_date": "2025-01-01",
        },
    )
    assert_problem(two_stars, 422, "body.stars")
    issued = await client.post(
        "/api/v1/certificates",
        headers=officer,
        json={
            "product_id": product["id"],
            "stars": 3,
            "level": "district",
            "issuing_authority": "UBND huyện Chiêm Hóa",
            "decision_number": "2",
            "decision_date": "2024-10-20",
        },
    )
    assert issued.status_code == 201
    revoke = {
        "decision_number": "3",
        "decision_date": "2025-05-05",
        "reason": "Ngừng sản xuất",
        "issuing_authority": "UBND tỉnh Tuyên Quang",
    }
    url = f"/api/v1/certificates/{issued.json()['id']}/revoke"
    assert (await client.post(url, json=revoke, headers=officer)).status_code == 200
    assert_problem(await client.post(url, json=revoke, headers=officer), 409)
    assert_problem(await client.get("/api/v1/certificates/gcn-nope", headers=officer), 404)
    assert_problem(await client.get("/api/v1/certificates/bad$id", headers=officer), 422)


async def test_health_endpoints_report_dependencies(api: Any) -> None:
    client, _ = api
    assert (await client.get("/health/live")).json() == {"status": "ok"}
    ready = await client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"startup": "ok", "mongodb": "ok", "kafka": "ok"}
    metrics = await client.get("/metrics")
    assert "ocop_http_requests_total" in metrics.text


async def test_database_outage_is_503_with_retry_after_and_recovers(
    api: Any, mongo_server: MongoServer
) -> None:
    client, settings = api
    officer = bearer(settings, Role.PROVINCE_OFFICER)
    await asyncio.to_thread(mongo_server.stop)
    try:
        down = await client.get("/api/v1/producers", headers=officer)
        body = assert_problem(down, 503)
        assert body["type"] == "database-unavailable"
        assert down.headers["retry-after"] == "5"
        ready = await client.get("/health/ready")
        assert ready.status_code == 503
        assert ready.json()["checks"]["mongodb"] == "down"
    finally:
        await asyncio.to_thread(mongo_server.start)
    assert (await client.get("/api/v1/producers", headers=officer)).status_code == 200
