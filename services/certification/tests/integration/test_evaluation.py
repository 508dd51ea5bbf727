"""Rounds, dossiers, council scoring and certificates on the real database and outbox."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import pytest_asyncio

from ocop_certification.config import CertificationSettings
from ocop_certification.domain.rules import RuleBook, default_rule_book
from ocop_certification.entrypoints.api import create_app
from ocop_certification.entrypoints.scheduler import run_scheduler
from ocop_platform.infra import Endpoints
from ocop_platform.testing.support import bearer, isolated_settings, new_run_id, service_api
from ocop_shared.auth import Role, mint_token
from ocop_shared.mongo import create_client
from ocop_shared.timeutil import FixedClock

pytestmark = pytest.mark.integration

MEMBERS = ("hd-chu-tich", "hd-thanh-vien-1", "hd-thanh-vien-2")
CRITERIA = default_rule_book().get("1489").criteria("product")


def sheet(total: float) -> dict[str, float]:
    """Scores adding up to `total` that pass every mandatory criterion."""
    scores = {c.code: float(c.min_points or 0) for c in CRITERIA}
    left = total - sum(scores.values())
    for c in CRITERIA:
        add = min(c.max_points - scores[c.code], left)
        scores[c.code] += add
        left -= add
    return scores


class Env:
    def __init__(
        self, client: httpx.AsyncClient, settings: CertificationSettings, clock: FixedClock
    ):
        self.client = client
        self.settings = settings
        self.clock = clock
        self.officer = bearer(settings, Role.PROVINCE_OFFICER)
        self.commune = bearer(settings, Role.COMMUNE_OFFICER)

    def member(self, subject: str) -> dict[str, str]:
        token = mint_token(self.settings, subject=subject, roles=[Role.COUNCIL_MEMBER])
        return {"Authorization": f"Bearer {token}"}

    def producer(self, producer_id: str) -> dict[str, str]:
        return bearer(self.settings, Role.PRODUCER, producer_id=producer_id)

    async def ok(self, method: str, url: str, headers: dict[str, str], **kw: Any) -> Any:
        response = await self.client.request(method, url, headers=headers, **kw)
        assert response.status_code in (200, 201), response.text
        return response.json()

    async def outbox(self) -> list[dict[str, Any]]:
        mongo = create_client(self.settings.mongodb_uri, app_name="test-outbox")
        try:
            docs = await mongo[self.settings.mongodb_database]["outbox"].find().to_list()
        finally:
            await mongo.close()
        return [{"type": d["type"], "key": d["key"], **json.loads(d["payload"])} for d in docs]

    async def count(self, collection: str) -> int:
        mongo = create_client(self.settings.mongodb_uri, app_name="test-count")
        try:
            return await mongo[self.settings.mongodb_database][collection].count_documents({})
        finally:
            await mongo.close()

    async def producer_and_product(self, tax_code: str = "5000781236") -> tuple[str, str]:
        producer = await self.ok(
            "POST",
            "/api/v1/producers",
            self.officer,
            json={
                "name": "HTX Chè Nhân Sơn",
                "legal_form": "cooperative",
                "tax_code": tax_code,
                "province": "Tuyên Quang",
                "commune": "Nhân Lý",
                "legal_representative": {
                    "full_name": "Ma Thị Hoa",
                    "is_woman": True,
                    "is_ethnic_minority": True,
                    "ethnicity": "Tày",
                },
                "contacts": [{"phone": "0912 345 678", "email": "htx@example.vn"}],
            },
        )
        product = await self.ok(
            "POST",
            "/api/v1/products",
            self.producer(producer["id"]),
            json={
                "producer_id": producer["id"],
                "name": "Chè Thôm Loà",
                "subgroup_code": "2.1",
                "province": "Tuyên Quang",
                "commune": "Nhân Lý",
            },
        )
        assert product["group_code"] == "drink"
        return producer["id"], product["id"]

    async def round(self, level: str = "commune", number: int = 1) -> dict[str, Any]:
        result: dict[str, Any] = await self.ok(
            "POST",
            "/api/v1/rounds",
            self.officer,
            json={
                "level": level,
                "province": "Tuyên Quang",
                "commune": "Nhân Lý" if level == "commune" else None,
                "year": 2025,
                "number": number,
                "opens_on": "2025-09-01",
                "submission_deadline": "2025-10-15",
                "scoring_deadline": "2025-11-15",
                "council": [{"subject": s, "full_name": f"Ông/Bà {s}"} for s in MEMBERS],
            },
        )
        return result

    async def draft(
        self, headers: dict[str, str], product_id: str, round_id: str
    ) -> dict[str, Any]:
        """A draft dossier with the plain registration (Chè xanh Thôm Loà, 3 stars)."""
        return await self.ok(
            "POST",
            "/api/v1/dossiers",
            headers,
            json={
                "product_id": product_id,
                "round_id": round_id,
                "registration": {"description": "Chè xanh Thôm Loà", "target_stars": 3},
            },
        )

    async def dossier_under_evaluation(self) -> tuple[str, str, str]:
        producer_id, product_id = await self.producer_and_product()
        round_ = await self.round()
        assert round_["rule_set"] == "1489"
        dossier = await self.ok(
            "POST",
            "/api/v1/dossiers",
            self.producer(producer_id),
            json={
                "product_id": product_id,
                "round_id": round_["id"],
                "registration": {
                    "description": "Chè xanh Thôm Loà, sao thủ công",
                    "target_stars": 4,
                },
                "self_assessment": sheet(75),
            },
        )
        url = f"/api/v1/dossiers/{dossier['id']}"
        await self.ok("POST", f"{url}/submit", self.producer(producer_id))
        await self.ok(
            "POST",
            f"{url}/check",
            self.commune,
            json={"commune_inputs": {"product_origin": "Nhân Lý", "local_raw_materials": True}},
        )
        forwarded = await self.ok(
            "POST", f"{url}/forward", self.commune, json={"reason": "Hồ sơ đủ điều kiện"}
        )
        assert forwarded["status"] == "forwarded"
        province_round = await self.round("province")
        await self.ok(
            "POST", f"{url}/transfer", self.officer, json={"round_id": province_round["id"]}
        )
        await self.ok("POST", f"{url}/start-evaluation", self.officer)
        return producer_id, product_id, dossier["id"]


@pytest_asyncio.fixture
async def env(infra: Endpoints) -> AsyncIterator[Env]:
    settings = isolated_settings(
        CertificationSettings,
        kafka=infra.kafka_bootstrap_servers,
        mongodb=infra.mongodb_uri,
        run_id=new_run_id(),
    )
    clock = FixedClock(datetime(2025, 10, 1, 3, tzinfo=UTC))
    async with service_api(settings, lambda s: create_app(s, clock=clock)) as (client, _):
        yield Env(client, settings, clock)


async def test_dossier_goes_from_draft_to_certificate_with_every_step_audited(env: Env) -> None:
    _, product_id, dossier_id = await env.dossier_under_evaluation()
    url = f"/api/v1/dossiers/{dossier_id}"
    # concurrent council submissions: no sheet lost
    await asyncio.gather(
        *(
            env.ok("PUT", f"{url}/score-sheets/me", env.member(m), json={"scores": sheet(t)})
            for m, t in zip(MEMBERS, (72, 74, 76), strict=True)
        )
    )
    sheets = await env.ok("GET", f"{url}/score-sheets", env.officer)
    assert sorted(s["member"] for s in sheets) == sorted(MEMBERS)

    scored = await env.ok("POST", f"{url}/close-scoring", env.officer)
    assert scored["status"] == "scored"
    assert scored["result"]["average_points"] == 74
    assert scored["result"]["result_points"] == 75  # +1 bonus: local raw materials (1489)
    assert scored["result"]["stars"] == 4
    assert scored["decision"]["outcome"] == "recognised"

    decision = {
        "decision_number": "1876/QĐ-UBND",
        "decision_date": "2025-10-01",
        "issuing_authority": "UBND tỉnh Tuyên Quang",
    }
    # two officers press "finalise" at once: exactly one certificate
    results = await asyncio.gather(
        *(env.client.post(f"{url}/finalise", json=decision, headers=env.officer) for _ in range(3))
    )
    assert sorted(r.status_code for r in results)[0] == 200
    assert [r.status_code for r in results].count(200) == 1, [r.text for r in results]
    assert all(r.status_code in (200, 409) for r in results)
    certificates = await env.ok("GET", f"/api/v1/products/{product_id}/certificates", env.officer)
    assert len(certificates) == 1
    assert certificates[0]["stars"] == 4
    assert certificates[0]["level"] == "province"
    assert certificates[0]["dossier_id"] == dossier_id

    dossier = await env.ok("GET", url, env.officer)
    assert dossier["status"] == "recognised"
    assert [p["level"] for p in dossier["past_stages"]] == ["commune"]
    steps = [(t["action"], t["by"]) for t in dossier["history"]]
    assert [a for a, _ in steps] == [
        "submit",
        "check",
        "forward",
        "transfer",
        "start_evaluation",
        "close_scoring",
        "recognise",
    ]
    assert all(by for _, by in steps) and all(t["at"] for t in dossier["history"])

    events = await env.outbox()
    types = [e["type"] for e in events]
    for expected in (
        "ocop.certification.dossier.submitted.v1",
        "ocop.certification.dossier.scored.v1",
        "ocop.certification.certificate.issued.v1",
    ):
        assert types.count(expected) == 1, types
    issued = next(e for e in events if e["type"].endswith("certificate.issued.v1"))
    assert issued["key"] == product_id and issued["sequence"] == 1


async def test_a_late_score_sheet_and_closing_do_not_lose_each_other(env: Env) -> None:
    _, _, dossier_id = await env.dossier_under_evaluation()
    url = f"/api/v1/dossiers/{dossier_id}"
    for member in MEMBERS[:2]:
        await env.ok(
            "PUT", f"{url}/score-sheets/me", env.member(member), json={"scores": sheet(60)}
        )
    late, closed = await asyncio.gather(
        env.client.put(
            f"{url}/score-sheets/me", json={"scores": sheet(90)}, headers=env.member(MEMBERS[2])
        ),
        env.client.post(f"{url}/close-scoring", headers=env.officer),
    )
    assert closed.status_code == 200, closed.text
    result = closed.json()["result"]
    if late.status_code == 200:  # the sheet got in first: it counts
        assert result["members"] == 3
    else:  # scoring closed first: the sheet is refused, not silently dropped
        assert late.status_code == 409
        assert result["members"] == 2


async def test_illegal_transitions_are_refused_with_a_clear_error(env: Env) -> None:
    producer_id, product_id = await env.producer_and_product()
    round_ = await env.round()
    dossier = await env.draft(env.officer, product_id, round_["id"])
    url = f"/api/v1/dossiers/{dossier['id']}"
    other_round = await env.round(number=2)
    second = await env.client.post(
        "/api/v1/dossiers",
        headers=env.officer,
        json={
            "product_id": product_id,
            "round_id": other_round["id"],
            "registration": {"description": "Chè xanh Thôm Loà", "target_stars": 3},
        },
    )
    assert second.status_code == 409 and second.json()["errors"][0]["field"] == "body.product_id"
    response = await env.client.post(f"{url}/start-evaluation", headers=env.officer)
    assert response.status_code == 409
    assert response.json()["type"] == "illegal-transition"
    assert "Đang soạn" in response.json()["detail"]
    no_assessment = await env.client.post(f"{url}/submit", headers=env.producer(producer_id))
    assert no_assessment.status_code == 422
    env.clock.advance(timedelta(days=30))  # after the submission deadline 15/10
    await env.ok("PATCH", url, env.producer(producer_id), json={"self_assessment": sheet(60)})
    late = await env.client.post(f"{url}/submit", headers=env.producer(producer_id))
    assert late.status_code == 409 and "hạn nộp" in late.json()["detail"]
    assert (await env.ok("GET", url, env.officer))["history"] == []


@pytest.mark.parametrize(
    ("scores", "field"),
    [
        ({**sheet(70), "A1": 6}, "body.scores.A1"),
        ({**sheet(70), "B1": -1}, "body.scores.B1"),
        ({**sheet(70), "Z9": 1}, "body.scores.Z9"),
        ({k: v for k, v in sheet(70).items() if k != "C4"}, "body.scores.C4"),
    ],
)
async def test_out_of_range_scores_are_422_and_nothing_is_written(
    env: Env, scores: dict[str, float], field: str
) -> None:
    _, _, dossier_id = await env.dossier_under_evaluation()
    response = await env.client.put(
        f"/api/v1/dossiers/{dossier_id}/score-sheets/me",
        json={"scores": scores},
        headers=env.member(MEMBERS[0]),
    )
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]
    assert await env.count("score_sheets") == 0


async def test_a_member_cannot_score_a_dossier_outside_their_round(env: Env) -> None:
    _, _, dossier_id = await env.dossier_under_evaluation()
    response = await env.client.put(
        f"/api/v1/dossiers/{dossier_id}/score-sheets/me",
        json={"scores": sheet(80)},
        headers=env.member("hd-dot-khac"),
    )
    assert response.status_code == 403
    assert await env.count("score_sheets") == 0
    officer_as_member = await env.client.put(
        f"/api/v1/dossiers/{dossier_id}/score-sheets/me",
        json={"scores": sheet(80)},
        headers=env.officer,
    )
    assert officer_as_member.status_code == 403


async def test_a_producer_cannot_touch_another_producers_dossier(env: Env) -> None:
    producer_id, product_id = await env.producer_and_product()
    round_ = await env.round()
    dossier = await env.draft(env.producer(producer_id), product_id, round_["id"])
    other = env.producer("prd-someone-else")
    url = f"/api/v1/dossiers/{dossier['id']}"
    patch = await env.client.patch(url, json={"self_assessment": sheet(60)}, headers=other)
    assert patch.status_code == 403
    assert (await env.client.post(f"{url}/submit", headers=other)).status_code == 403
    assert (await env.client.get(url, headers=other)).status_code == 403
    stolen = await env.client.post(
        "/api/v1/dossiers",
        headers=other,
        json={
            "product_id": product_id,
            "round_id": round_["id"],
            "registration": {"description": "Hồ sơ giả mạo", "target_stars": 5},
        },
    )
    assert stolen.status_code == 403
    assert (await env.ok("GET", url, env.officer))["self_assessment"] is None
    assert await env.count("dossiers") == 1
    assert await env.ok("GET", "/api/v1/dossiers", other) == []


async def test_unknown_sub_group_and_duplicate_tax_code_are_refused(env: Env) -> None:
    producer_id, _ = await env.producer_and_product()
    unknown = await env.client.post(
        "/api/v1/products",
        headers=env.officer,
        json={
            "producer_id": producer_id,
            "name": "Sản phẩm lạ",
            "subgroup_code": "9.9",
            "province": "Tuyên Quang",
            "commune": "Nhân Lý",
        },
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "body.subgroup_code"
    duplicate = await env.client.post(
        "/api/v1/producers",
        headers=env.officer,
        json={
            "name": "HTX khác",
            "legal_form": "cooperative",
            "tax_code": "5000781236",
            "province": "Tuyên Quang",
            "commune": "Nhân Lý",
        },
    )
    assert duplicate.status_code == 409
    assert duplicate.json()["errors"][0]["field"] == "body.tax_code"
    assert await env.count("producers") == 1
    assert await env.count("products") == 1


async def test_inspection_violation_revokes_and_publishes(env: Env) -> None:
    _, product_id = await env.producer_and_product()
    certificate = await env.ok(
        "POST",
        "/api/v1/certificates",
        env.officer,
        json={
            "product_id": product_id,
            "stars": 3,
            "level": "province",
            "issuing_authority": "UBND tỉnh Tuyên Quang",
            "decision_number": "1/QĐ-UBND",
            "decision_date": "2025-09-20",
        },
    )
    inspection = await env.ok(
        "POST",
        "/api/v1/inspections",
        env.officer,
        json={
            "product_id": product_id,
            "inspected_on": "2025-09-30",
            "authority": "Sở Nông nghiệp và Môi trường Tuyên Quang",
            "outcome": "violation",
            "findings": [
                {"category": "food_safety", "description": "Không có kết quả kiểm nghiệm định kỳ"}
            ],
            "revocation": {
                "decision_number": "2/QĐ-UBND",
                "decision_date": "2025-09-30",
                "reason": "Vi phạm an toàn thực phẩm",
                "issuing_authority": "UBND tỉnh Tuyên Quang",
            },
        },
    )
    assert inspection["revoked_certificate_id"] == certificate["id"]
    revoked = await env.ok("GET", f"/api/v1/certificates/{certificate['id']}", env.officer)
    assert revoked["status"] == "revoked"
    event = next(e for e in await env.outbox() if e["type"].endswith("certificate.revoked.v1"))
    assert event["key"] == product_id and event["sequence"] == 2
    assert event["data"]["decision_number"] == "2/QĐ-UBND"


async def test_scheduler_expires_once_and_reminds_without_bumping_the_version(env: Env) -> None:
    _, product_id = await env.producer_and_product()
    await env.ok(
        "POST",
        "/api/v1/certificates",
        env.officer,
        json={
            "product_id": product_id,
            "stars": 4,
            "level": "province",
            "issuing_authority": "UBND tỉnh Tuyên Quang",
            "decision_number": "9/QĐ-UBND",
            "decision_date": "2025-09-20",
        },
    )
    env.clock.moment = datetime(2028, 7, 1, 3, tzinfo=UTC)  # < 3 months before 20/09/2028
    first = await env.ok("POST", "/api/v1/scheduler/run", env.officer)
    again = await env.ok("POST", "/api/v1/scheduler/run", env.officer)
    assert (first["reminded"], again["reminded"]) == (1, 0)
    env.clock.moment = datetime(2028, 9, 21, 3, tzinfo=UTC)
    runs = await asyncio.gather(
        *(env.client.post("/api/v1/scheduler/run", headers=env.officer) for _ in range(2))
    )
    assert sum(r.json()["expired"] for r in runs) == 1
    events = await env.outbox()
    expiring = [e for e in events if e["type"].endswith("certificate.expiring.v1")]
    expired = [e for e in events if e["type"].endswith("certificate.expired.v1")]
    assert [e["sequence"] for e in expiring] == [1]
    assert expiring[0]["data"]["lead_months"] == 3
    assert [e["sequence"] for e in expired] == [2]


async def test_plan_progress_and_register_export(env: Env) -> None:
    _, product_id = await env.producer_and_product()
    for stars, number, day in ((3, "1/QĐ", "2024-04-16"), (4, "2/QĐ", "2025-09-10")):
        await env.ok(
            "POST",
            "/api/v1/certificates",
            env.officer,
            json={
                "product_id": product_id,
                "stars": stars,
                "level": "province",
                "issuing_authority": "UBND tỉnh Tuyên Quang",
                "decision_number": number,
                "decision_date": day,
            },
        )
    target = await env.ok(
        "PUT",
        "/api/v1/plan-targets",
        env.officer,
        json={
            "province": "Tuyên Quang",
            "year": 2025,
            "upgrades_3_to_4": 2,
            "cumulative_total": 26,
            "communes_target": 17,
            "communes_total": 24,
        },
    )
    progress = await env.ok("GET", f"/api/v1/plan-targets/{target['id']}/progress", env.officer)
    actual = {m["key"]: m["actual"] for m in progress["measures"]}
    assert actual["upgrades_3_to_4"] == 1
    assert actual["cumulative_total"] == 1
    assert actual["communes"] == 1
    export = await env.client.get("/api/v1/certificates.xlsx", headers=env.officer)
    assert export.status_code == 200
    assert export.content[:2] == b"PK"
    page = await env.client.get("/ke-hoach", headers=env.officer)
    assert page.status_code == 200 and "<svg" in page.text
    register = await env.client.get("/giay-chung-nhan", headers=env.officer)
    assert register.status_code == 200 and "Lịch hết hạn" in register.text


async def test_scheduler_process_is_idempotent_across_runs(env: Env) -> None:
    _, product_id = await env.producer_and_product()
    await env.ok(
        "POST",
        "/api/v1/certificates",
        env.officer,
        json={
            "product_id": product_id,
            "stars": 3,
            "level": "province",
            "issuing_authority": "UBND tỉnh Tuyên Quang",
            "decision_number": "5/QĐ-UBND",
            "decision_date": "2025-01-10",
        },
    )
    clock = FixedClock(datetime(2028, 1, 11, 3, tzinfo=UTC))
    first = await run_scheduler(env.settings, asyncio.Event(), clock=clock, once=True)
    second = await run_scheduler(env.settings, asyncio.Event(), clock=clock, once=True)
    assert (first.expired, second.expired) == (1, 0)
    product = await env.ok("GET", f"/api/v1/products/{product_id}", env.officer)
    assert product["certification_version"] == 2


async def test_upgrade_through_evaluation_supersedes_the_old_certificate(env: Env) -> None:
    _, product_id, dossier_id = await env.dossier_under_evaluation()
    old = await env.ok(
        "POST",
        "/api/v1/certificates",
        env.officer,
        json={
            "product_id": product_id,
            "stars": 3,
            "level": "district",
            "issuing_authority": "UBND huyện Chiêm Hóa",
            "decision_number": "1120/QĐ-UBND",
            "decision_date": "2024-04-16",
        },
    )
    url = f"/api/v1/dossiers/{dossier_id}"
    for member in MEMBERS:
        await env.ok(
            "PUT", f"{url}/score-sheets/me", env.member(member), json={"scores": sheet(80)}
        )
    await env.ok("POST", f"{url}/close-scoring", env.officer)
    done = await env.ok(
        "POST",
        f"{url}/finalise",
        env.officer,
        json={
            "decision_number": "1876/QĐ-UBND",
            "decision_date": "2025-10-01",
            "issuing_authority": "UBND tỉnh Tuyên Quang",
        },
    )
    old_now = await env.ok("GET", f"/api/v1/certificates/{old['id']}", env.officer)
    assert old_now["status"] == "superseded"
    assert old_now["superseded_by_certificate_id"] == done["certificate_id"]
    events = [e for e in await env.outbox() if e["key"] == product_id]
    by_type = {e["type"].split(".")[-2]: e for e in events}
    assert by_type["superseded"]["data"]["superseded_by_certificate_id"] == done["certificate_id"]
    assert (
        by_type["superseded"]["sequence"],
        [e["sequence"] for e in events if e["type"].endswith("issued.v1")],
    ) == (2, [1, 3])


async def test_evidence_is_stored_with_type_and_size_limits(env: Env) -> None:
    producer_id, product_id = await env.producer_and_product()
    round_ = await env.round()
    dossier = await env.draft(env.producer(producer_id), product_id, round_["id"])
    url = f"/api/v1/dossiers/{dossier['id']}/evidence"
    pdf = b"%PDF-1.7\n" + b"0" * 2000
    stored = await env.ok(
        "POST",
        url,
        env.producer(producer_id),
        files={"file": ("kiem-nghiem.pdf", pdf, "application/pdf")},
        data={"kind": "quality_test", "part": "C"},
    )
    assert stored["size"] == len(pdf) and stored["kind"] == "quality_test"
    download = await env.client.get(f"{url}/{stored['file_id']}", headers=env.officer)
    assert download.status_code == 200 and download.content == pdf

    for name, content, content_type in (
        ("virus.exe", b"MZ\x90\x00", "application/x-msdownload"),
        ("fake.pdf", b"MZ\x90\x00", "application/pdf"),
        ("huge.pdf", b"%PDF-" + b"0" * (env.settings.evidence_max_bytes + 10), "application/pdf"),
    ):
        refused = await env.client.post(
            url,
            headers=env.producer(producer_id),
            files={"file": (name, content, content_type)},
            data={"kind": "other"},
        )
        assert refused.status_code == 422, name
        assert refused.json()["errors"][0]["field"] == "body.file"
    other = await env.client.post(
        url,
        headers=env.producer("prd-khac"),
        files={"file": ("a.pdf", pdf, "application/pdf")},
        data={"kind": "other"},
    )
    assert other.status_code == 403
    listed = await env.ok("GET", f"/api/v1/dossiers/{dossier['id']}", env.officer)
    assert len(listed["evidence"]) == 1
    assert await env.count("evidence.files") == 1


async def test_a_member_cannot_score_after_the_scoring_deadline(env: Env) -> None:
    _, _, dossier_id = await env.dossier_under_evaluation()
    env.clock.moment = datetime(2025, 11, 16, 3, tzinfo=UTC)
    late = await env.client.put(
        f"/api/v1/dossiers/{dossier_id}/score-sheets/me",
        json={"scores": sheet(70)},
        headers=env.member(MEMBERS[0]),
    )
    assert late.status_code == 409 and "hạn chấm" in late.json()["detail"]
    paper = await env.client.put(
        f"/api/v1/dossiers/{dossier_id}/score-sheets/by/{MEMBERS[0]}",
        json={"scores": sheet(70)},
        headers=env.officer,
    )
    assert paper.status_code == 200 and paper.json()["entered_by"] == "test-province_officer"


async def test_a_rule_set_that_recognises_while_forwarding_issues_the_lower_certificate(
    infra: Endpoints,
) -> None:
    book = default_rule_book()
    lenient = RuleBook(
        [
            r.model_copy(update={"recognise_lower_while_forwarding": r.key == "1489"})
            for r in book.rule_sets
        ],
        book.taxonomies.values(),
    )
    settings = isolated_settings(
        CertificationSettings,
        kafka=infra.kafka_bootstrap_servers,
        mongodb=infra.mongodb_uri,
        run_id=new_run_id(),
    )
    clock = FixedClock(datetime(2025, 10, 1, 3, tzinfo=UTC))
    async with service_api(settings, lambda s: create_app(s, clock=clock, rules=lenient)) as (
        client,
        _,
    ):
        env = Env(client, settings, clock)
        _, product_id, dossier_id = await env.dossier_under_evaluation()
        url = f"/api/v1/dossiers/{dossier_id}"
        for member in MEMBERS:
            await env.ok(
                "PUT", f"{url}/score-sheets/me", env.member(member), json={"scores": sheet(93)}
            )
        scored = await env.ok("POST", f"{url}/close-scoring", env.officer)
        assert scored["decision"]["outcome"] == "forwarded"
        assert scored["decision"]["recognised_stars"] == 4
        forwarded = await env.ok(
            "POST",
            f"{url}/finalise",
            env.officer,
            json={
                "decision_number": "77/QĐ-UBND",
                "decision_date": "2025-10-01",
                "issuing_authority": "UBND tỉnh Tuyên Quang",
            },
        )
        assert forwarded["status"] == "forwarded" and forwarded["certificate_id"]
        certificates = await env.ok(
            "GET", f"/api/v1/products/{product_id}/certificates", env.officer
        )
        assert [(c["stars"], c["level"]) for c in certificates] == [(4, "province")]


async def test_two_processes_preparing_the_database_at_once_both_succeed(infra: Endpoints) -> None:
    from ocop_certification.adapters.repository import ensure_indexes

    mongo = create_client(infra.mongodb_uri, app_name="test-indexes")
    name = f"cert_indexes_{new_run_id()}"
    try:
        await asyncio.gather(*(ensure_indexes(mongo[name]) for _ in range(3)))
        assert "dossiers" in await mongo[name].list_collection_names()
    finally:
        await mongo.drop_database(name)
        await mongo.close()
