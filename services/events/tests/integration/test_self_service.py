"""Producer and buyer self-service pages, and staff registering a producer on its behalf:
each account sees and changes only its own registrations, offers and demands."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from ocop_events.config import EventsSettings
from ocop_platform.testing.support import bearer
from ocop_shared.auth import Role, mint_token
from ocop_shared.contracts.catalog import CertificateStatus
from ocop_shared.timeutil import today_in_vietnam

from .helpers import apply_event, fair_body, listing

pytestmark = pytest.mark.integration

Api = tuple[httpx.AsyncClient, EventsSettings]
HTML = {"accept": "text/html"}


def producer(settings: EventsSettings, producer_id: str) -> dict[str, str]:
    token = mint_token(
        settings,
        subject=f"user-{producer_id}",
        roles=[Role.PRODUCER],
        producer_id=producer_id,
        name=f"HTX {producer_id}",
    )
    return {"Authorization": f"Bearer {token}", **HTML}


def buyer(settings: EventsSettings, subject: str) -> dict[str, str]:
    token = mint_token(settings, subject=subject, roles=[Role.BUYER], name=f"Siêu thị {subject}")
    return {"Authorization": f"Bearer {token}", **HTML}


def staff(settings: EventsSettings) -> dict[str, str]:
    return {**bearer(settings, Role.TRADE_STAFF, name="Cán bộ XTTM"), **HTML}


def params(response: httpx.Response) -> httpx.QueryParams:
    assert response.status_code == 303, response.text
    return httpx.URL(response.headers["location"]).params


async def _fair_with_booths(client: httpx.AsyncClient, settings: EventsSettings, last: int) -> str:
    headers = bearer(settings, Role.TRADE_STAFF)
    event = (await client.post("/api/v1/trade-events", json=fair_body(), headers=headers)).json()
    await client.post(
        f"/api/v1/trade-events/{event['id']}/booths",
        json={"zone": "Khu A – Nông sản", "prefix": "A", "last": last},
        headers=headers,
    )
    return str(event["id"])


async def _catalogue(settings: EventsSettings) -> None:
    today = today_in_vietnam()
    for product in (
        listing("sp-1", "prd-1", name="Bưởi Đoan Hùng"),
        listing("sp-2", "prd-1", name="Mật ong Xuân Sơn", stars=2),
        listing("sp-3", "prd-1", name="Chè Long Cốc", status=CertificateStatus.REVOKED),
        listing("sp-4", "prd-1", name="Mì gạo Hùng Lô", valid_until=today - timedelta(days=3)),
        listing("sp-9", "prd-2", name="Gà Mía Thanh Sơn"),
        listing("sp-7", "prd-3", name="Bánh chưng Dị Nậu"),
    ):
        await apply_event(settings, product, subject=product.product_id, sequence=1)


async def test_producer_registers_own_eligible_products_and_follows_its_registration(
    api: Api,
) -> None:
    client, settings = api
    event_id = await _fair_with_booths(client, settings, last=1)
    await _catalogue(settings)
    one, two = producer(settings, "prd-1"), producer(settings, "prd-2")

    public = await client.get(f"/su-kien/{event_id}", headers=HTML)
    assert 'id="register-button"' in public.text
    unsigned = await client.get(f"/su-kien/{event_id}/dang-ky", headers=HTML)
    assert unsigned.status_code == 303
    assert unsigned.headers["location"].startswith("/dang-nhap")

    # Signing in lands on /dieu-hanh by default: a producer is sent to its own page.
    landing = await client.get("/dieu-hanh", headers=one)
    assert (landing.status_code, landing.headers["location"]) == (303, "/cua-toi")
    form = await client.get(f"/su-kien/{event_id}/dang-ky", headers=one)
    assert form.status_code == 200
    assert 'class="eligible" data-product-id="sp-1"' in form.text
    for product_id in ("sp-2", "sp-3", "sp-4"):  # greyed out, box disabled, reason shown
        assert f'class="ineligible" data-product-id="{product_id}"' in form.text
        assert f'value="{product_id}" id="sp-{product_id}" disabled' in form.text
    assert "yêu cầu từ 3★" in form.text
    assert "đã bị thu hồi" in form.text
    assert "đã hết hạn" in form.text
    assert "Gà Mía Thanh Sơn" not in form.text  # another producer's product
    assert 'id="register-submit"' in form.text

    forced = await client.post(
        f"/su-kien/{event_id}/dang-ky", data={"product_ids": ["sp-2"]}, headers=one
    )
    assert "3★" in params(forced)["err"]

    # The producer id in the form is ignored: a producer registers itself only.
    done = await client.post(
        f"/su-kien/{event_id}/dang-ky",
        data={"product_ids": ["sp-1"], "producer_id": "prd-2", "producer_name": "HTX Bưởi"},
        headers=one,
    )
    assert done.headers["location"].startswith("/cua-toi")
    mine = (
        await client.get(
            f"/api/v1/trade-events/{event_id}/participations", headers=producer(settings, "prd-1")
        )
    ).json()
    assert [(p["producer_id"], p["status"]) for p in mine] == [("prd-1", "registered")]

    # The only booth is held: the second producer joins the waiting list, position 1.
    waiting = await client.post(
        f"/su-kien/{event_id}/dang-ky", data={"product_ids": ["sp-9"]}, headers=two
    )
    assert "danh sách chờ" in params(waiting)["msg"]
    home_two = await client.get("/cua-toi", headers=two)
    assert "Vị trí chờ: số 1" in home_two.text
    assert "Bưởi Đoan Hùng" not in home_two.text

    # Staff confirm with the stable button; the producer sees its booth code.
    page = await client.get(f"/su-kien/{event_id}", headers=staff(settings))
    registration = mine[0]["id"]
    assert f'id="confirm-{registration}"' in page.text
    confirmed = await client.post(
        f"/su-kien/{event_id}/don/{registration}/xac-nhan",
        data={"booth_code": "", "action": "confirm"},
        headers=staff(settings),
    )
    assert "A01" in params(confirmed)["msg"]
    home_one = await client.get("/cua-toi", headers=one)
    assert "<strong>A01</strong>" in home_one.text
    assert "Gà Mía Thanh Sơn" not in home_one.text

    # Another producer cannot withdraw it; the owner can, and the waiting one moves up.
    stolen = await client.post(f"/cua-toi/dang-ky/{registration}/rut", data={}, headers=two)
    assert "không thuộc chủ thể" in params(stolen)["err"]
    withdrawn = await client.post(
        f"/cua-toi/dang-ky/{registration}/rut", data={"reason": "Trùng lịch"}, headers=one
    )
    assert "Đã rút" in params(withdrawn)["msg"]
    after = await client.get("/cua-toi", headers=two)
    assert "Chờ duyệt" in after.text
    assert "Vị trí chờ" not in after.text


async def test_producer_posts_and_edits_only_its_own_offers(api: Api) -> None:
    client, settings = api
    await _catalogue(settings)
    one, two = producer(settings, "prd-1"), producer(settings, "prd-2")
    assert (await client.get("/cua-toi/chao-ban/moi", headers=one)).status_code == 200
    offer = {
        "producer_name": "HTX Bưởi Đoan Hùng",
        "product_id": "sp-1",
        "title": "Bưởi Đoan Hùng",
        "keywords": "bưởi Bằng Luân",
        "group_code": "food",
        "capacity_kg_per_month": "3.000",
        "price_vnd": "35.000",
        "moq_kg": "200",
        "standards": "VietGAP",
        "province": "Phú Thọ",
        "season_months": ["9", "10", "11"],
    }
    # A mistake shows the form again with what was typed, and names the field.
    bad = await client.post("/cua-toi/chao-ban", data={**offer, "price_vnd": ""}, headers=one)
    assert bad.status_code == 422
    assert "Kiểm tra lại: giá" in bad.text
    assert 'value="Bưởi Đoan Hùng"' in bad.text
    assert 'value="9" checked' in bad.text
    foreign = await client.post(
        "/cua-toi/chao-ban", data={**offer, "product_id": "sp-9"}, headers=one
    )
    assert foreign.status_code == 422
    assert "danh mục OCOP" in foreign.text
    saved = await client.post("/cua-toi/chao-ban", data=offer, headers=one)
    assert params(saved)["msg"] == "Đã lưu chào bán"
    offers = (await client.get("/api/v1/offers", headers=bearer(settings, Role.TRADE_STAFF))).json()
    [posted] = offers
    assert (posted["stars"], posted["capacity_kg_per_month"], posted["season_months"]) == (
        4,
        3000,
        [9, 10, 11],
    )

    edit = {**offer, "offer_id": posted["id"], "price_vnd": "32000"}
    assert (await client.post("/cua-toi/chao-ban", data=edit, headers=one)).status_code == 303
    assert (await client.get(f"/cua-toi/chao-ban/{posted['id']}", headers=two)).status_code == 403
    hijack = await client.post("/cua-toi/chao-ban", data={**edit, "price_vnd": "1000"}, headers=two)
    assert hijack.status_code == 403
    [kept] = (await client.get("/api/v1/offers", headers=bearer(settings, Role.TRADE_STAFF))).json()
    assert (kept["id"], kept["price_vnd"], kept["producer_id"]) == (posted["id"], 32000, "prd-1")
    assert "Bưởi Đoan Hùng" not in (await client.get("/cua-toi", headers=two)).text
    # A buyer or staff account has no producer pages.
    assert (await client.get("/cua-toi", headers=buyer(settings, "b-1"))).status_code == 403


async def test_buyer_keeps_own_demands_and_reads_explained_matches(api: Api) -> None:
    client, settings = api
    await _catalogue(settings)
    await client.post(
        "/api/v1/offers",
        json={
            "producer_id": "prd-1",
            "producer_name": "HTX Bưởi Đoan Hùng",
            "product_id": "sp-1",
            "title": "Đặc sản Phú Thọ – Bưởi Đoan Hùng",
            "capacity_kg_per_month": 3000,
            "price_vnd": 35000,
            "season_months": [9, 10, 11, 12],
            "standards": ["VietGAP"],
            "province": "Phú Thọ",
        },
        headers=producer(settings, "prd-1"),
    )
    first, second = buyer(settings, "sieu-thi-xanh"), buyer(settings, "sieu-thi-do")
    demand = {
        "buyer_name": "Siêu thị Xanh",
        "buyer_kind": "supermarket",
        "title": "Bưởi Đoan Hùng",
        "keywords": "bưởi",
        "group_code": "food",
        "monthly_volume_kg": "2.000",
        "price_min_vnd": "25000",
        "price_max_vnd": "20000",
        "min_stars": "3",
        "standards": "VietGAP",
        "delivery_province": "Hà Nội",
        "season_months": ["10", "11"],
    }
    wrong = await client.post("/nguoi-mua/nhu-cau", data=demand, headers=first)
    assert wrong.status_code == 422
    assert "Kiểm tra lại: giá trần" in wrong.text
    assert 'value="Siêu thị Xanh"' in wrong.text
    assert '<option value="supermarket" selected>' in wrong.text
    saved = await client.post(
        "/nguoi-mua/nhu-cau", data={**demand, "price_max_vnd": "40000"}, headers=first
    )
    location = saved.headers["location"]
    demand_id = location.split("?")[0].rsplit("/", 1)[1]
    page = await client.get(f"/nguoi-mua/nhu-cau/{demand_id}", headers=first)
    assert "Đặc sản Phú Thọ – Bưởi Đoan Hùng" in page.text
    assert "Vì sao phù hợp" in page.text
    assert "Sản lượng" in page.text

    staff_headers = bearer(settings, Role.TRADE_STAFF)
    run = await client.post("/api/v1/matching/runs", json={"min_score": 0}, headers=staff_headers)
    assert run.status_code in (200, 201), run.text
    proposed = await client.get(f"/nguoi-mua/nhu-cau/{demand_id}", headers=first)
    assert "data-match-id" in proposed.text
    assert "Đề xuất" in proposed.text

    edited = await client.post(
        "/nguoi-mua/nhu-cau",
        data={**demand, "demand_id": demand_id, "price_max_vnd": "45000", "min_stars": "4"},
        headers=first,
    )
    assert params(edited)["msg"] == "Đã lưu nhu cầu"
    [stored] = (await client.get("/api/v1/demands", headers=staff_headers)).json()
    assert (stored["price_max_vnd"], stored["min_stars"], stored["buyer_id"]) == (
        45000,
        4,
        "sieu-thi-xanh",
    )

    # The other buyer sees neither the demand nor its matches, and cannot change it.
    assert "Bưởi Đoan Hùng" not in (await client.get("/nguoi-mua", headers=second)).text
    other = await client.get(f"/nguoi-mua/nhu-cau/{demand_id}", headers=second)
    assert other.status_code == 403
    hijack = await client.post(
        "/nguoi-mua/nhu-cau",
        data={**demand, "demand_id": demand_id, "price_max_vnd": "40000"},
        headers=second,
    )
    assert hijack.status_code == 403
    assert (await client.get("/nguoi-mua", headers=producer(settings, "prd-1"))).status_code == 403


async def test_staff_register_a_producer_without_account_and_print_the_list(api: Api) -> None:
    client, settings = api
    event_id = await _fair_with_booths(client, settings, last=3)
    await _catalogue(settings)
    headers = staff(settings)
    page = await client.get(f"/su-kien/{event_id}/dang-ky?chu_the=prd-3", headers=headers)
    assert "Bánh chưng Dị Nậu" in page.text
    assert "Bưởi Đoan Hùng" not in page.text
    done = await client.post(
        f"/su-kien/{event_id}/dang-ky",
        data={
            "producer_id": "prd-3",
            "producer_name": "Hộ kinh doanh Bánh chưng Dị Nậu",
            "product_ids": ["sp-7"],
        },
        headers=headers,
    )
    assert "thay mặt prd-3" in params(done)["msg"]
    [registration] = (
        await client.get(f"/api/v1/trade-events/{event_id}/participations", headers=headers)
    ).json()
    await client.post(
        f"/su-kien/{event_id}/don/{registration['id']}/xac-nhan",
        data={"booth_code": "A02"},
        headers=headers,
    )
    # At the next fair the officer need not type the name again.
    other_fair = (
        await client.post(
            "/api/v1/trade-events",
            json=fair_body("Tuần hàng OCOP Phú Thọ tại Hà Nội"),
            headers=headers,
        )
    ).json()
    again = await client.get(f"/su-kien/{other_fair['id']}/dang-ky?chu_the=prd-3", headers=headers)
    assert 'value="Hộ kinh doanh Bánh chưng Dị Nậu"' in again.text
    printed = await client.get(f"/su-kien/{event_id}/in", headers=headers)
    assert printed.status_code == 200
    assert "Hộ kinh doanh Bánh chưng Dị Nậu" in printed.text
    assert "A02" in printed.text
    assert "Bánh chưng Dị Nậu" in printed.text
    assert (await client.get(f"/su-kien/{event_id}/in", headers=HTML)).status_code == 303
    forbidden = await client.get(f"/su-kien/{event_id}/in", headers=producer(settings, "prd-1"))
    assert forbidden.status_code == 403


async def test_officer_filters_registrations_and_confirms_in_bulk_by_zone(api: Api) -> None:
    client, settings = api
    headers = bearer(settings, Role.TRADE_STAFF)
    event_id = await _fair_with_booths(client, settings, last=2)
    await client.post(
        f"/api/v1/trade-events/{event_id}/booths",
        json={"zone": "Khu B – Ẩm thực", "prefix": "B", "last": 2},
        headers=headers,
    )
    await _catalogue(settings)
    for producer_id, name, product in (
        ("prd-1", "HTX Bưởi Đoan Hùng", "sp-1"),
        ("prd-2", "HTX Gà Mía", "sp-9"),
        ("prd-3", "Hộ Bánh chưng Dị Nậu", "sp-7"),
    ):
        response = await client.post(
            f"/api/v1/trade-events/{event_id}/participations",
            json={"producer_id": producer_id, "producer_name": name, "product_ids": [product]},
            headers=headers,
        )
        assert response.status_code == 201, response.text
    # The second producer's certificate is revoked before the officer reviews.
    revoked = listing("sp-9", "prd-2", name="Gà Mía Thanh Sơn", status=CertificateStatus.REVOKED)
    await apply_event(settings, revoked, subject="sp-9", sequence=2)

    page = await client.get(f"/su-kien/{event_id}?q=banh chung", headers=staff(settings))
    assert "<td>Hộ Bánh chưng Dị Nậu</td>" in page.text
    assert "<td>HTX Gà Mía</td>" not in page.text
    # the kernel's fold: any word order, letters typed on another keyboard read as Latin
    for query in ("chung banh", "Вánh сhưng"):
        again = await client.get(
            f"/su-kien/{event_id}", params={"q": query}, headers=staff(settings)
        )
        assert "<td>Hộ Bánh chưng Dị Nậu</td>" in again.text, query
    for query in ("doan hung buoi", "ĐOАN hùng bưởi", "ｂｕｏｉ doan"):
        found = await client.get("/api/v1/products", params={"q": query}, headers=headers)
        assert [p["id"] for p in found.json()] == ["sp-1"], query
    assert 'id="confirm-all"' in page.text
    assert '<option value="B02">' in page.text  # every free booth is offered, not the first 60

    done = await client.post(
        f"/su-kien/{event_id}/xac-nhan-hang-loat",
        data={"zone": "Khu B – Ẩm thực"},
        headers=staff(settings),
    )
    assert (
        params(done)["msg"]
        == "Đã xác nhận 2 đơn; 1 đơn cần xem lại (không đủ điều kiện hoặc vừa thay đổi)"
    )
    booths = {
        r["producer_id"]: (r["status"], r["booth_code"])
        for r in (
            await client.get(f"/api/v1/trade-events/{event_id}/participations", headers=headers)
        ).json()
    }
    assert booths == {
        "prd-1": ("confirmed", "B01"),
        "prd-2": ("registered", None),
        "prd-3": ("confirmed", "B02"),
    }
    waiting = await client.get(
        f"/su-kien/{event_id}?trang_thai=registered", headers=staff(settings)
    )
    assert "<td>HTX Gà Mía</td>" in waiting.text
    assert "<td>HTX Bưởi Đoan Hùng</td>" not in waiting.text  # rows, not the booth map
    assert 'data-zone="Khu B – Ẩm thực"><div class="value">0/2' in waiting.text
    assert 'data-zone="Khu A – Nông sản"><div class="value">2/2' in waiting.text
    # A booth typed in lower case on a tablet is understood.
    first = next(
        r["id"]
        for r in (
            await client.get(f"/api/v1/trade-events/{event_id}/participations", headers=headers)
        ).json()
        if r["producer_id"] == "prd-1"
    )
    moved = await client.post(
        f"/su-kien/{event_id}/don/{first}/doi-gian",
        data={"booth_code": "a01"},
        headers=staff(settings),
    )
    assert params(moved)["msg"] == "Đã chuyển sang gian A01"
