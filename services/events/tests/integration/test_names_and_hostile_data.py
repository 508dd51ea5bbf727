"""The staff console shows names, not ids; hostile names stay inert on pages and in exports."""

from __future__ import annotations

import io

import httpx
import pytest
from openpyxl import load_workbook

from ocop_events.config import EventsSettings
from ocop_platform.testing.support import bearer
from ocop_shared.auth import Role, mint_token
from ocop_shared.contracts.certification import CertificateRevokedV1
from ocop_shared.mongo import create_client
from ocop_shared.timeutil import today_in_vietnam

from .helpers import apply_event, fair_body, listing

pytestmark = pytest.mark.integration

Api = tuple[httpx.AsyncClient, EventsSettings]
HTML = {"accept": "text/html"}
HOSTILE = '=HYPERLINK("http://x","bấm")\x03 <!--<script>alert(1)</script> "\'</textarea>'


async def _signed_in(client: httpx.AsyncClient, settings: EventsSettings) -> None:
    token = mint_token(settings, subject="can-bo-1", roles=[Role.TRADE_STAFF], name="Cán bộ")
    assert (await client.post("/dang-nhap", data={"token": token})).status_code == 303


async def _fair_with_a_revoked_registration(
    client: httpx.AsyncClient, settings: EventsSettings
) -> str:
    staff = bearer(settings, Role.TRADE_STAFF)
    event = (await client.post("/api/v1/trade-events", json=fair_body(), headers=staff)).json()
    await client.post(
        f"/api/v1/trade-events/{event['id']}/booths",
        json={"zone": "Khu A", "prefix": "A", "last": 5},
        headers=staff,
    )
    await apply_event(settings, listing("sp-1", "prd-1"), subject="sp-1", sequence=1)
    # The producer gave its name once (a supply offer) and registers without typing it again.
    offer = await client.post(
        "/api/v1/offers",
        json={
            "producer_id": "prd-1",
            "producer_name": "HTX Bưởi Sửu Chí Đám",
            "title": "Bưởi Đoan Hùng",
            "capacity_kg_per_month": 1000,
            "price_vnd": 30000,
            "province": "Phú Thọ",
        },
        headers=staff,
    )
    assert offer.status_code == 201, offer.text
    registered = await client.post(
        f"/api/v1/trade-events/{event['id']}/participations",
        json={"producer_id": "prd-1", "product_ids": ["sp-1"]},
        headers=bearer(settings, Role.PRODUCER, producer_id="prd-1"),
    )
    assert registered.status_code == 201, registered.text
    revoked = CertificateRevokedV1(
        certificate_id="gcn-1",
        certificate_number="GCN-sp-1",
        product_id="sp-1",
        producer_id="prd-1",
        decision_number="99/QĐ-UBND",
        decision_date=today_in_vietnam(),
        reason="Vi phạm an toàn thực phẩm",
        issuing_authority="UBND tỉnh Phú Thọ",
    )
    await apply_event(settings, revoked, subject="sp-1", sequence=3)
    return str(event["id"])


async def test_the_console_and_exports_name_producers_and_products_not_ids(api: Api) -> None:
    client, settings = api
    event_id = await _fair_with_a_revoked_registration(client, settings)
    await _signed_in(client, settings)

    home = await client.get("/dieu-hanh", headers=HTML)
    flagged = home.text.split("Cần xử lý")[1].split("</table>")[0]
    assert "HTX Bưởi Sửu Chí Đám" in flagged
    assert "<td>prd-1</td>" not in flagged
    assert "Bưởi Đoan Hùng: Giấy chứng nhận GCN-sp-1 bị thu hồi" in flagged

    page = await client.get(f"/su-kien/{event_id}", headers=HTML)
    assert "<td>HTX Bưởi Sửu Chí Đám</td>" in page.text
    assert "Bưởi Đoan Hùng: Giấy chứng nhận GCN-sp-1 bị thu hồi" in page.text

    export = await client.get(f"/su-kien/{event_id}/nguoi-tham-gia.xlsx")
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:2] == ("HTX Bưởi Sửu Chí Đám", "prd-1")
    assert str(rows[1][7]).startswith("Bưởi Đoan Hùng: Giấy chứng nhận GCN-sp-1 bị thu hồi")


async def test_hostile_names_stay_inert_on_pages_and_survive_every_export(api: Api) -> None:
    client, settings = api
    event_id = await _fair_with_a_revoked_registration(client, settings)
    # Whatever got stored (an older version, another service's event): a control character,
    # a formula, markup that tries to leave its context.
    await apply_event(settings, listing("sp-1", "prd-1", name=HOSTILE), subject="sp-1", sequence=4)
    mongo = create_client(settings.mongodb_uri, app_name="test-hostile")
    try:
        db = mongo[settings.mongodb_database]
        await db["participations"].update_many({}, {"$set": {"producer_name": HOSTILE}})
        await db["trade_events"].update_many({}, {"$set": {"name": HOSTILE}})
        await db["offers"].update_many({}, {"$set": {"producer_name": HOSTILE}})
    finally:
        await mongo.close()
    await _signed_in(client, settings)

    for path in ("/dieu-hanh", f"/su-kien/{event_id}", f"/su-kien/{event_id}/in", "/", "/ket-noi"):
        page = await client.get(path, headers=HTML)
        assert page.status_code == 200, path
        assert "<script>alert(1)" not in page.text, path
        assert "<!--<script>" not in page.text, path
        assert "\"'</textarea>" not in page.text, path
        assert "\x03" not in page.text, path
    shown = (await client.get(f"/su-kien/{event_id}", headers=HTML)).text
    assert "&lt;!--&lt;script&gt;alert(1)&lt;/script&gt;" in shown

    for path in (
        f"/su-kien/{event_id}/nguoi-tham-gia.xlsx",
        "/ket-qua.xlsx",
        "/ket-qua/san-pham.xlsx",
        "/ket-qua/chu-the.xlsx",
        "/ket-noi.xlsx",
    ):
        response = await client.get(path)
        assert response.status_code == 200, path
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet is not None
        for row in sheet.iter_rows():
            for cell in row:
                assert "\x03" not in str(cell.value or ""), path
                if str(cell.value or "").startswith("="):
                    assert cell.data_type == "s", path  # text, never a formula
    participants = load_workbook(
        io.BytesIO((await client.get(f"/su-kien/{event_id}/nguoi-tham-gia.xlsx")).content)
    ).active
    assert participants is not None
    assert participants.cell(2, 1).value == HOSTILE.replace("\x03", "\ufffd")
