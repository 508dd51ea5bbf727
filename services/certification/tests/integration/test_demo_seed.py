"""The demo seed through a real HTTP server: every step succeeds, and a second run adds nothing."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
import uvicorn

from ocop_certification.config import CertificationSettings
from ocop_certification.entrypoints.api import create_app
from ocop_certification.entrypoints.demo import demo_step_count, seed_demo
from ocop_platform.infra import Endpoints
from ocop_platform.testing.support import eventually, isolated_settings, new_run_id
from ocop_shared.auth import Role, mint_token
from ocop_shared.mongo import create_client

pytestmark = pytest.mark.integration


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest_asyncio.fixture
async def server(infra: Endpoints) -> AsyncIterator[tuple[str, CertificationSettings]]:
    settings = isolated_settings(
        CertificationSettings,
        kafka=infra.kafka_bootstrap_servers,
        mongodb=infra.mongodb_uri,
        run_id=new_run_id(),
    )
    port = free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    instance = uvicorn.Server(config)
    task = asyncio.create_task(instance.serve())

    async def started() -> bool:
        return bool(instance.started)

    await eventually(started, until=bool)
    try:
        yield f"http://127.0.0.1:{port}", settings
    finally:
        instance.should_exit = True
        await task
        mongo = create_client(settings.mongodb_uri, app_name="cleanup")
        await mongo.drop_database(settings.mongodb_database)
        await mongo.close()


async def test_demo_seed_runs_every_step_and_is_idempotent(
    server: tuple[str, CertificationSettings],
) -> None:
    base_url, settings = server
    token = mint_token(settings, subject="demo-seed", roles=[Role.ADMIN])
    steps: list[str] = []
    first = await seed_demo(base_url, token, progress=steps.append)
    assert len(steps) == demo_step_count()
    assert first.evaluation.dossiers_created == 8
    assert first.evaluation.certificates_issued == 4
    assert first.certificates_expired >= 2  # Phú Thọ 2022 certificates ended in 2025
    assert first.summary().startswith("+")

    second = await seed_demo(base_url, token, progress=lambda _: None)
    assert second.producers_created == second.products_created == 0
    assert second.certificates_issued == 0
    assert second.evaluation.dossiers_created == 0
    assert second.evaluation.sheets_entered == 0
    assert second.evaluation.certificates_issued == 0
    assert second.evaluation.rounds_created == 0
    assert second.certificates_expired == 0


async def test_console_pages_render_the_seeded_data(
    server: tuple[str, CertificationSettings],
) -> None:
    import httpx

    base_url, settings = server
    token = mint_token(settings, subject="demo-seed", roles=[Role.ADMIN])
    await seed_demo(base_url, token)
    officer = mint_token(settings, subject="can-bo-tinh", roles=[Role.PROVINCE_OFFICER])
    member = mint_token(settings, subject="hd-tuyenquang-26-3", roles=[Role.COUNCIL_MEMBER])
    async with httpx.AsyncClient(base_url=base_url) as client:
        assert (await client.get("/ho-so")).status_code == 303  # sign in first
        signed_in = await client.post("/dang-nhap", data={"token": officer, "next": "/ho-so"})
        assert signed_in.status_code == 303
        listing = await client.get("/ho-so")
        assert listing.status_code == 200
        assert "Thịt dê Kiên Đài" in listing.text and "Được công nhận" in listing.text
        dossiers = (
            await client.get("/api/v1/dossiers", headers={"Authorization": f"Bearer {officer}"})
        ).json()
        goat = next(
            d
            for d in dossiers
            if d["status"] == "recognised" and any(t["action"] == "forward" for t in d["history"])
        )
        detail = await client.get(f"/ho-so/{goat['id']}")
        assert detail.status_code == 200
        assert "Lịch sử xử lý" in detail.text and "Chuyển cấp trên" in detail.text
        register = await client.get("/giay-chung-nhan")
        assert register.status_code == 200 and "Hết hiệu lực" in register.text
        plans = await client.get("/ke-hoach")
        assert plans.status_code == 200 and plans.text.count("<svg") == 2
        export = await client.get("/giay-chung-nhan.xlsx")
        assert export.status_code == 200 and export.content[:2] == b"PK"

        open_dossier = next(d for d in dossiers if d["status"] == "under_evaluation")
        client.cookies.clear()
        await client.post("/dang-nhap", data={"token": member, "next": "/ho-so"})
        form = await client.get(f"/ho-so/{open_dossier['id']}/cham-diem")
        assert form.status_code == 200 and "score_C4" in form.text
        bad = await client.post(f"/ho-so/{open_dossier['id']}/cham-diem", data={"score_A1": "9"})
        assert bad.status_code == 422
        criteria = [c for c in form.text.split('name="score_')[1:]]
        scores = {f"score_{c.split(chr(34))[0]}": "1" for c in criteria}
        sent = await client.post(f"/ho-so/{open_dossier['id']}/cham-diem", data=scores)
        assert sent.status_code == 303
        sheets = await client.get(
            f"/api/v1/dossiers/{open_dossier['id']}/score-sheets",
            headers={"Authorization": f"Bearer {member}"},
        )
        assert [s["member"] for s in sheets.json()] == ["hd-tuyenquang-26-3"]

        # the officer closes the scoring and recognises it from the page's buttons
        client.cookies.clear()
        await client.post("/dang-nhap", data={"token": officer, "next": "/ho-so"})
        page_url = f"/ho-so/{open_dossier['id']}"
        assert "Tổng hợp kết quả chấm điểm" in (await client.get(page_url)).text
        closed = await client.post(f"{page_url}/thao-tac", data={"action": "close_scoring"})
        assert closed.status_code == 303
        refused = await client.post(f"{page_url}/thao-tac", data={"action": "start_evaluation"})
        assert refused.status_code == 409 and "Không thể" in refused.text
        missing = await client.post(f"{page_url}/thao-tac", data={"action": "finalise"})
        assert missing.status_code == 422
        done = await client.post(
            f"{page_url}/thao-tac",
            data={
                "action": "finalise",
                "decision_number": "3001/QĐ-UBND",
                "decision_date": "2026-11-20",
                "issuing_authority": "UBND tỉnh Tuyên Quang",
            },
        )
        assert done.status_code == 303
        final = (
            await client.get(
                f"/api/v1/dossiers/{open_dossier['id']}",
                headers={"Authorization": f"Bearer {officer}"},
            )
        ).json()
        assert final["status"] == "recognised" and final["certificate_id"]
        issued = await client.get(f"/giay-chung-nhan/{final['certificate_id']}")
        assert issued.status_code == 200 and "3001/QĐ-UBND" in issued.text
        assert 'id="revoke-certificate"' in issued.text
        assert (
            f'href="/giay-chung-nhan/{final["certificate_id"]}"'
            in (await client.get(page_url)).text
        )
        for listing in ("/san-pham", "/chu-the"):
            assert (await client.get(listing)).status_code == 200
