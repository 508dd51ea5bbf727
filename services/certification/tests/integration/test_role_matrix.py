"""Every mutating endpoint, every role: only the intended roles get past authorisation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import pytest_asyncio

from ocop_certification.config import CertificationSettings
from ocop_certification.entrypoints.api import create_app
from ocop_platform.infra import Endpoints
from ocop_platform.testing.authorisation import authorisation_mismatches, role_headers
from ocop_platform.testing.support import bearer, isolated_settings, new_run_id, service_api
from ocop_shared.auth import Role, mint_token
from ocop_shared.timeutil import FixedClock

pytestmark = pytest.mark.integration

PROVINCE = {"admin", "province_officer"}
LOCAL = PROVINCE | {"commune_officer"}
OWNER = LOCAL | {"producer"}  # "producer" in this table is the owning producer
EVIDENCE = {"file": ("kiem-nghiem.pdf", b"%PDF-1.4 ket qua", "application/pdf")}
DECISION = {"decision_number": "12/QĐ", "decision_date": "2025-10-01", "issuing_authority": "UBND"}


def tokens(settings: CertificationSettings, owner: str) -> dict[str, dict[str, str]]:
    """One token per role; ``producer`` owns the fixtures, ``other_producer`` does not."""
    member = mint_token(settings, subject="hd-1", roles=[Role.COUNCIL_MEMBER])
    return role_headers(
        settings,
        council_member={"Authorization": f"Bearer {member}"},  # sits on the fixture round
        producer=bearer(settings, Role.PRODUCER, producer_id=owner),
        other_producer=bearer(settings, Role.PRODUCER, producer_id="someone-else"),
    )


@pytest_asyncio.fixture
async def api(infra: Endpoints) -> AsyncIterator[tuple[httpx.AsyncClient, CertificationSettings]]:
    settings = isolated_settings(
        CertificationSettings,
        kafka=infra.kafka_bootstrap_servers,
        mongodb=infra.mongodb_uri,
        run_id=new_run_id(),
    )
    clock = FixedClock(datetime(2025, 10, 1, 3, tzinfo=UTC))
    async with service_api(settings, lambda s: create_app(s, clock=clock)) as (client, _):
        yield client, settings


async def _ok(client: httpx.AsyncClient, method: str, url: str, headers: Any, **kw: Any) -> Any:
    response = await client.request(method, url, headers=headers, **kw)
    assert response.status_code in (200, 201), response.text
    return response.json()


async def _world(client: httpx.AsyncClient, settings: CertificationSettings) -> dict[str, Any]:
    """A producer, its product, a commune round (council: hd-1), a draft dossier, a certificate."""
    officer = bearer(settings, Role.PROVINCE_OFFICER)
    producer = await _ok(
        client,
        "POST",
        "/api/v1/producers",
        officer,
        json={
            "name": "HTX Chè",
            "legal_form": "cooperative",
            "tax_code": "5000781236",
            "province": "Tuyên Quang",
            "commune": "Nhân Lý",
        },
    )
    pid = producer["id"]
    product = {
        "producer_id": pid,
        "name": "Chè Thôm Loà",
        "subgroup_code": "2.1",
        "province": "Tuyên Quang",
        "commune": "Nhân Lý",
    }
    product_id = (await _ok(client, "POST", "/api/v1/products", officer, json=product))["id"]
    round_body = {
        "level": "commune",
        "province": "Tuyên Quang",
        "commune": "Nhân Lý",
        "year": 2025,
        "number": 1,
        "opens_on": "2025-09-01",
        "submission_deadline": "2025-10-15",
        "scoring_deadline": "2025-11-15",
        "council": [{"subject": "hd-1", "full_name": "Bà Một"}],
    }
    round_id = (await _ok(client, "POST", "/api/v1/rounds", officer, json=round_body))["id"]
    registration = {"description": "Chè xanh sao thủ công", "target_stars": 3}
    dossier_body = {"product_id": product_id, "round_id": round_id, "registration": registration}
    dossier = await _ok(client, "POST", "/api/v1/dossiers", officer, json=dossier_body)
    certificate = await _ok(
        client,
        "POST",
        "/api/v1/certificates",
        officer,
        json={"product_id": product_id, "stars": 3, "level": "province", **DECISION},
    )
    return {
        "pid": pid,
        "product": product,
        "product_id": product_id,
        "round_body": round_body,
        "round_id": round_id,
        "dossier_body": dossier_body,
        "dossier_id": dossier["id"],
        "certificate_id": certificate["id"],
    }


async def test_only_intended_roles_pass_authorisation_on_every_mutating_endpoint(api: Any) -> None:
    client, settings = api
    w = await _world(client, settings)
    pid, product, product_id = w["pid"], w["product"], w["product_id"]
    round_body, round_id, dossier_body = w["round_body"], w["round_id"], w["dossier_body"]
    d = f"/api/v1/dossiers/{w['dossier_id']}"
    certificate = {"id": w["certificate_id"]}
    reason = {"reason": "Thiếu minh chứng"}
    table: list[tuple[str, str, dict[str, Any] | None, set[str]]] = [
        ("POST", "/api/v1/producers", {**round_body, "tax_code": "x"}, PROVINCE),
        ("POST", "/api/v1/products", product, OWNER),
        ("POST", "/api/v1/certificates", {"product_id": product_id}, PROVINCE),
        (
            "POST",
            f"/api/v1/certificates/{certificate['id']}/revoke",
            {**DECISION, "reason": "x"},
            PROVINCE,
        ),
        ("POST", "/api/v1/rounds", {}, PROVINCE),
        ("PUT", f"/api/v1/rounds/{round_id}/council", {"council": round_body["council"]}, PROVINCE),
        ("POST", "/api/v1/dossiers", dossier_body, OWNER),
        ("PATCH", d, {"self_assessment": {}}, OWNER),
        ("POST", f"{d}/return", reason, LOCAL),
        ("POST", f"{d}/check", {}, LOCAL),
        ("POST", f"{d}/forward", reason, LOCAL),
        ("POST", f"{d}/start-evaluation", None, PROVINCE),
        ("POST", f"{d}/close-scoring", None, PROVINCE),
        ("POST", f"{d}/finalise", DECISION, PROVINCE),
        ("POST", f"{d}/transfer", {"round_id": round_id}, PROVINCE),
        ("PUT", f"{d}/score-sheets/me", {"scores": {}}, {"council_member"}),
        ("PUT", f"{d}/score-sheets/by/hd-1", {"scores": {}}, PROVINCE),
        ("POST", "/api/v1/scheduler/run", None, PROVINCE),
        ("POST", "/api/v1/inspections", {}, PROVINCE),
        ("PUT", "/api/v1/plan-targets", {}, PROVINCE),
        ("POST", f"{d}/evidence", EVIDENCE, OWNER),
        ("POST", f"{d}/submit", None, OWNER),  # last: it changes the dossier's state
    ]
    headers = tokens(settings, owner=pid)

    async def send(
        method: str, url: str, body: Any, headers: dict[str, str], role: str
    ) -> httpx.Response:
        if body is EVIDENCE:  # a multipart upload
            return await client.request(
                method, url, files=EVIDENCE, data={"kind": "quality_test"}, headers=headers
            )
        return await client.request(method, url, json=body, headers=headers)

    refused = await authorisation_mismatches(send, table, headers)
    assert not refused, "\n".join(refused)


def _refused(response: httpx.Response) -> bool:
    """Console pages refuse with 403, or send someone without a console role to sign in."""
    if response.status_code == 303:
        return "/dang-nhap" in response.headers["location"]
    return response.status_code in (401, 403)


async def test_console_forms_let_through_the_same_roles_as_the_api(api: Any) -> None:
    client, settings = api
    w = await _world(client, settings)
    dossier = f"/ho-so/{w['dossier_id']}"
    act = f"{dossier}/thao-tac"
    reason = "Thiếu minh chứng"
    registration = {"description": "Chè xanh sao thủ công", "target_stars": "3"}
    table: list[tuple[str, dict[str, str], set[str]]] = [
        (act, {"action": "return", "reason": reason}, LOCAL),
        (act, {"action": "check", "product_origin": "Nhân Lý"}, LOCAL),
        (act, {"action": "forward", "reason": reason}, LOCAL),
        (act, {"action": "start_evaluation"}, PROVINCE),
        (act, {"action": "close_scoring"}, PROVINCE),
        (act, {"action": "finalise", **DECISION}, PROVINCE),
        (act, {"action": "transfer", "round_id": w["round_id"]}, PROVINCE),
        (f"{dossier}/cham-diem", {"score_A1": "3"}, {"council_member"}),
        (f"/giay-chung-nhan/{w['certificate_id']}/hau-kiem", {"outcome": "compliant"}, PROVINCE),
        (f"{dossier}/tu-danh-gia", registration, OWNER),
        (
            "/ho-so/moi",
            {"product_id": w["product_id"], "round_id": w["round_id"], **registration},
            OWNER,
        ),
        (act, {"action": "submit"}, OWNER),  # last: it changes the dossier's state
    ]
    headers = tokens(settings, owner=w["pid"])
    wrong: list[str] = []
    for url, form, allowed in table:
        for role in sorted(headers, key=lambda r: r in allowed):  # refusals first
            response = await client.post(url, data=form, headers=headers[role])
            assert response.status_code < 500, (url, form, role, response.text[:300])
            if _refused(response) == (role in allowed):
                wrong.append(f"{url} {form.get('action', '')} as {role}: {response.status_code}")
    assert not wrong, "\n".join(wrong)
