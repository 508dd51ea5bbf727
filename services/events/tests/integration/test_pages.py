"""The console pages: public calendar, staff sign-in, booth map, forms, charts, XLSX exports."""

from __future__ import annotations

import io

import httpx
import pytest
from openpyxl import load_workbook

from ocop_events.config import EventsSettings
from ocop_platform.testing.support import bearer
from ocop_shared.auth import Role, mint_token

from .helpers import apply_event, fair_body, listing

pytestmark = pytest.mark.integration

Api = tuple[httpx.AsyncClient, EventsSettings]
HTML = {"accept": "text/html"}


async def _sign_in(client: httpx.AsyncClient, settings: EventsSettings) -> None:
    token = mint_token(settings, subject="can-bo-1", roles=[Role.TRADE_STAFF], name="Cán bộ XTTM")
    response = await client.post("/dang-nhap", data={"token": token, "next": "/dieu-hanh"})
    assert response.status_code == 303
    assert response.headers["location"] == "/dieu-hanh"


async def test_console_walkthrough(api: Api) -> None:
    client, settings = api
    staff = bearer(settings, Role.TRADE_STAFF)
    event = (await client.post("/api/v1/trade-events", json=fair_body(), headers=staff)).json()
    await client.post(
        f"/api/v1/trade-events/{event['id']}/booths",
        json={"zone": "Khu A – Nông sản", "prefix": "A", "last": 30},
        headers=staff,
    )
    await apply_event(
        settings, listing("sp-1", "prd-1", name="Mì gạo Hùng Lô"), subject="sp-1", sequence=1
    )
    producer = bearer(settings, Role.PRODUCER, producer_id="prd-1")
    registration = (
        await client.post(
            f"/api/v1/trade-events/{event['id']}/participations",
            json={
                "producer_id": "prd-1",
                "producer_name": "HTX Mì gạo Hùng Lô",
                "product_ids": ["sp-1"],
            },
            headers=producer,
        )
    ).json()

    calendar = await client.get("/", headers=HTML)
    assert calendar.status_code == 200
    assert "Hội chợ OCOP và xúc tiến thương mại Phú Thọ 2025" in calendar.text
    assert "Đang nhận đăng ký" in calendar.text

    public_event = await client.get(f"/su-kien/{event['id']}", headers=HTML)
    assert 'data-booth="A30"' in public_event.text
    assert "HTX Mì gạo Hùng Lô" not in public_event.text  # names only for staff

    locked = await client.get("/dieu-hanh", headers=HTML)
    assert locked.status_code == 303
    assert locked.headers["location"].startswith("/dang-nhap")
    await _sign_in(client, settings)

    home = await client.get("/dieu-hanh", headers=HTML)
    assert home.status_code == 200
    assert "Đơn chờ duyệt" in home.text
    assert "HTX Mì gạo Hùng Lô" in home.text

    confirmed = await client.post(
        f"/su-kien/{event['id']}/don/{registration['id']}/xac-nhan", data={"booth_code": "A07"}
    )
    assert confirmed.status_code == 303
    assert "A07" in httpx.URL(confirmed.headers["location"]).params["msg"]
    page = await client.get(f"/su-kien/{event['id']}", headers=HTML)
    assert "Đã xác nhận" in page.text
    assert "A07 · 9 m² · HTX Mì gạo Hùng Lô" in page.text

    export = await client.get(f"/su-kien/{event['id']}/nguoi-tham-gia.xlsx")
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Chủ thể", "Mã chủ thể", "Sản phẩm", "Trạng thái")
    assert rows[1][2] == "Mì gạo Hùng Lô"
    assert rows[1][4] == "A07"

    results = await client.get("/ket-qua", headers=HTML)
    assert results.status_code == 200
    assert results.text.count("<svg") == 2  # revenue by event, deals by stage
    assert "Doanh thu bán tại gian theo nhóm sản phẩm: chưa có số liệu" in results.text
    assert "Kết nối theo từng bước" in results.text
    workbook = await client.get("/ket-qua.xlsx")
    assert workbook.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    matches = await client.get("/ket-noi", headers=HTML)
    assert matches.status_code == 200
    assert "Chạy ghép nối" in matches.text
    assert (await client.get("/ket-noi.xlsx")).status_code == 200


async def test_wrong_role_gets_a_vietnamese_403_page(api: Api) -> None:
    client, settings = api
    token = mint_token(settings, subject="nguoi-mua", roles=[Role.BUYER])
    await client.post("/dang-nhap", data={"token": token})
    page = await client.get("/ket-qua", headers=HTML)
    assert page.status_code == 403
    assert "Không có quyền" in page.text
    bad = await client.post("/dang-nhap", data={"token": "khong-hop-le"})
    assert bad.status_code == 401
    assert "không hợp lệ" in bad.text


async def test_staff_create_an_event_and_its_booths_from_the_console(api: Api) -> None:
    client, settings = api
    await _sign_in(client, settings)
    form = {
        "kind": "sales_week",
        "name": "Tuần hàng OCOP Phú Thọ tại Hà Nội",
        "venue": "Phố đi bộ Hoàn Kiếm",
        "province": "Hà Nội",
        "organiser": "Trung tâm Xúc tiến thương mại Phú Thọ",
        "starts_on": "2030-06-01",
        "ends_on": "2030-06-07",
        "registration_opens": "2030-05-01",
        "registration_closes": "2030-05-25",
    }
    bad = await client.post("/su-kien", data={**form, "ends_on": "2030-05-01"})
    assert bad.status_code == 303
    assert "Kiểm tra lại" in httpx.URL(bad.headers["location"]).params["err"]
    created = await client.post("/su-kien", data=form)
    assert created.status_code == 303
    event_path = created.headers["location"].split("?")[0]
    added = await client.post(
        f"{event_path}/gian-hang", data={"zone": "Khu A", "prefix": "a", "first": "1", "last": "50"}
    )
    assert "Đã thêm 50 gian" in httpx.URL(added.headers["location"]).params["msg"]
    refused = await client.post(
        f"{event_path}/gian-hang",
        data={"zone": "Khu B", "prefix": "B", "last": "900", "first": "1"},
    )
    assert "err" in httpx.URL(refused.headers["location"]).params
    page = await client.get(event_path, headers=HTML)
    assert 'data-booth="A50"' in page.text
    for path in ("/ket-qua/san-pham.xlsx", "/ket-qua/chu-the.xlsx"):
        response = await client.get(path)
        assert response.status_code == 200
        assert load_workbook(io.BytesIO(response.content)).active is not None


async def test_pipeline_board_runs_matching_and_moves_a_match_to_a_deal(api: Api) -> None:
    client, settings = api
    await apply_event(settings, listing("sp-1", "prd-1"), subject="sp-1", sequence=1)
    buyer = bearer(settings, Role.BUYER)
    producer = bearer(settings, Role.PRODUCER, producer_id="prd-1")
    await client.post(
        "/api/v1/demands",
        json={
            "buyer_name": "Chuỗi siêu thị Sen Vàng",
            "buyer_kind": "supermarket",
            "title": "Bưởi Đoan Hùng",
            "monthly_volume_kg": 2000,
            "delivery_province": "Hà Nội",
        },
        headers=buyer,
    )
    await client.post(
        "/api/v1/offers",
        json={
            "producer_id": "prd-1",
            "producer_name": "HTX Bưởi Chí Đám",
            "product_id": "sp-1",
            "title": "Bưởi Đoan Hùng",
            "capacity_kg_per_month": 3000,
            "price_vnd": 32000,
            "province": "Phú Thọ",
        },
        headers=producer,
    )
    await _sign_in(client, settings)
    ran = await client.post("/ket-noi/chay")
    assert "Đã tạo 1 đề xuất" in httpx.URL(ran.headers["location"]).params["msg"]
    staff = bearer(settings, Role.TRADE_STAFF)
    match_id = (await client.get("/api/v1/matches", headers=staff)).json()[0]["id"]
    no_reason = await client.post(f"/ket-noi/{match_id}/chuyen", data={"stage": "declined"})
    assert "reason" in httpx.URL(no_reason.headers["location"]).params["err"]
    for form in (
        {"stage": "contacted"},
        {"stage": "meeting"},
        {"stage": "deal_signed", "deal_value_vnd": "840.000.000"},
    ):
        moved = await client.post(f"/ket-noi/{match_id}/chuyen", data=form)
        assert "msg" in httpx.URL(moved.headers["location"]).params
    backwards = await client.post(f"/ket-noi/{match_id}/chuyen", data={"stage": "meeting"})
    assert "Không thể chuyển" in httpx.URL(backwards.headers["location"]).params["err"]
    board = await client.get("/ket-noi", headers=HTML)
    assert "840.000.000 ₫" in board.text
    results = await client.get("/ket-qua", headers=HTML)
    assert "840.000.000 ₫" in results.text
