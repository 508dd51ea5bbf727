"""The showroom console: sign in, sell at the till, receipts, exports, scoped pages."""

from __future__ import annotations

import io
import json
import re
from typing import TYPE_CHECKING

import pytest
from openpyxl import load_workbook

from ocop_shared.auth import Role, mint_token
from ocop_shared.web.console_auth import COOKIE

if TYPE_CHECKING:
    from conftest import Shop

pytestmark = pytest.mark.integration


async def sign_in(shop: Shop, *showroom_ids: str) -> None:
    token = mint_token(
        shop.settings,
        subject="op-1",
        roles=[Role.SHOWROOM_OPERATOR],
        showroom_ids=list(showroom_ids),
        name="Chị Lan",
    )
    response = await shop.client.post(
        "/quay/dang-nhap", data={"token": token, "next": f"/quay/{showroom_ids[0]}"}
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/quay/{showroom_ids[0]}"
    shop.client.cookies.set(COOKIE, token)


async def test_console_pages_need_a_signed_in_operator(shop: Shop) -> None:
    response = await shop.client.get("/quay/", headers={"accept": "text/html"})
    assert response.status_code == 303
    assert response.headers["location"].startswith("/quay/dang-nhap")
    login = await shop.client.get("/quay/dang-nhap")
    assert 'lang="vi"' in login.text and "Đăng nhập" in login.text
    bad = await shop.client.post("/quay/dang-nhap", data={"token": "nope"})
    assert bad.status_code == 401
    assert "không hợp lệ" in bad.text


async def test_operator_sells_at_the_till_and_a_double_tap_sells_once(shop: Shop) -> None:
    viet_tri = await shop.showroom("VT")
    den_hung = await shop.showroom("DH")
    product = await shop.product("Chè búp tím", price=120_000, group="drink", gtin="8936045310014")
    await shop.receive(viet_tri, product, 5, expires_on=None)
    await sign_in(shop, viet_tri)

    for path in ("", "/ton-kho", "/nhap-hang", "/chuyen-kho", "/kiem-kho", "/canh-bao", "/bao-cao"):
        page = await shop.client.get(f"/quay/{viet_tri}{path}")
        assert page.status_code == 200, (path, page.text[:300])
        assert "Quầy bán hàng OCOP" in page.text
    till = await shop.client.get(f"/quay/{viet_tri}/ban-hang")
    block = re.search(
        r'<script type="application/json" id="till-products">(.*?)</script>', till.text
    )
    assert block is not None
    (shown,) = json.loads(block.group(1))
    assert shown["gtin"] == "8936045310014" and shown["name"] == "Chè búp tím"
    key = re.search(r'name="idempotency_key" value="([^"]+)"', till.text)
    assert key is not None
    form = {
        "idempotency_key": key.group(1),
        "cart": json.dumps([{"product_id": product, "quantity": 2, "discount_vnd": 0}]),
        "method": "cash",
        "tendered_vnd": "250000",
        "kiosk_code": "K01",
    }
    first = await shop.client.post(f"/quay/{viet_tri}/ban-hang", data=form)
    second = await shop.client.post(f"/quay/{viet_tri}/ban-hang", data=form)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    receipt = await shop.client.get(first.headers["location"].split("?")[0])
    assert "VT-261124-K01-0001" in receipt.text
    assert "240.000 ₫" in receipt.text and "10.000 ₫" in receipt.text  # total and change
    assert (await shop.stock(viet_tri, product))["on_hand"] == 3

    too_many = dict(
        form,
        idempotency_key="quay-other-key",
        cart=json.dumps([{"product_id": product, "quantity": 9, "discount_vnd": 0}]),
    )
    refused = await shop.client.post(f"/quay/{viet_tri}/ban-hang", data=too_many)
    assert "loi=" in refused.headers["location"]
    shown = await shop.client.get(refused.headers["location"])
    assert "Hết hàng" in shown.text

    history = await shop.client.get(f"/quay/{viet_tri}/ton-kho/{product}")
    assert "Sổ kho" in history.text and "Nhập ký gửi" in history.text and "-2" in history.text
    saved = await shop.client.post(
        f"/quay/{viet_tri}/ton-kho/{product}",
        data={"price_vnd": "125000", "low_stock_threshold": "2"},
    )
    assert "ok=" in saved.headers["location"]
    assert (await shop.stock(viet_tri, product))["price_vnd"] == 125_000

    for export in ("ton-kho.xlsx", "ban-hang.xlsx", "nha-san-xuat.xlsx"):
        download = await shop.client.get(f"/quay/{viet_tri}/xuat/{export}")
        assert download.status_code == 200
        sheet = load_workbook(io.BytesIO(download.content)).active
        assert sheet is not None and sheet.max_row >= 2, export

    other = await shop.client.get(f"/quay/{den_hung}/ton-kho", headers={"accept": "text/html"})
    assert other.status_code == 403
    assert "Không có quyền" in other.text


async def test_trade_staff_open_and_edit_a_showroom_operators_may_not(shop: Shop) -> None:
    staff = mint_token(shop.settings, subject="xt-1", roles=[Role.TRADE_STAFF], name="Anh Minh")
    shop.client.cookies.set(COOKIE, staff)
    created = await shop.client.post(
        "/quay/quan-ly",
        data={
            "code": "DH",
            "name": "Chợ Quê – Đền Hùng",
            "address": "Khu di tích lịch sử Đền Hùng",
            "province": "Phú Thọ",
            "kiosks": "G001 Gian hàng 1\nG002 Gian hàng 2\n",
            "commission_percent": "8",
            "trade_event_id": "gio-to-2026",
            "booth_code": "B7",
        },
    )
    assert "ok=" in created.headers["location"], created.headers["location"]
    [showroom] = (await shop.client.get("/api/v1/showrooms", headers=shop.admin)).json()
    assert [k["code"] for k in showroom["kiosks"]] == ["G001", "G002"]
    assert showroom["fair"] == {"trade_event_id": "gio-to-2026", "booth_code": "B7"}
    edited = await shop.client.post(
        f"/quay/quan-ly/{showroom['id']}",
        data={
            "name": "Chợ Quê – Đền Hùng",
            "address": "Khu di tích lịch sử Đền Hùng",
            "kiosks": "G001 Gian hàng 1",
            "accepts_key_farm_products": "1",
            "active": "1",
        },
    )
    assert "ok=" in edited.headers["location"]
    after = (
        await shop.client.get(f"/api/v1/showrooms/{showroom['id']}", headers=shop.admin)
    ).json()
    assert after["fair"] is None and after["accepts_key_farm_products"] is True
    assert len(after["kiosks"]) == 1 and after["commission_percent"] == 8

    await sign_in(shop, showroom["id"])
    page = await shop.client.get("/quay/quan-ly", headers={"accept": "text/html"})
    assert page.status_code == 403


async def test_back_office_forms_move_stock_and_refusals_come_back_as_messages(
    shop: Shop,
) -> None:
    viet_tri = await shop.showroom("VT")
    xuan_son = await shop.showroom("XS")
    product = await shop.product("Bưởi Đoan Hùng", price=45_000)
    await sign_in(shop, viet_tri, xuan_son)

    received = await shop.client.post(
        f"/quay/{viet_tri}/nhap-hang",
        data={
            "product_id": product,
            "quantity": "12",
            "lot_code": "L7",
            "expires_on": "2027-01-15",
        },
    )
    assert "ok=" in received.headers["location"]
    expired = await shop.client.post(
        f"/quay/{viet_tri}/nhap-hang",
        data={
            "product_id": product,
            "quantity": "1",
            "lot_code": "OLD",
            "expires_on": "2026-01-01",
        },
    )
    assert "loi=" in expired.headers["location"]

    sale = (await shop.sell(viet_tri, [{"product_id": product, "quantity": 3}])).json()
    receipt = f"/quay/{viet_tri}/hoa-don/{sale['id']}"
    page = await shop.client.get(receipt)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text)
    assert key is not None
    returned = await shop.client.post(
        f"{receipt}/tra-hang",
        data={
            "product_id": product,
            "quantity": "1",
            "reason": "Quả dập",
            "damaged": "1",
            "idempotency_key": key.group(1),
        },
    )
    assert "ok=" in returned.headers["location"]
    other = (await shop.sell(viet_tri, [{"product_id": product, "quantity": 1}])).json()
    voided = await shop.client.post(
        f"/quay/{viet_tri}/hoa-don/{other['id']}/huy", data={"reason": "Bấm nhầm"}
    )
    assert "ok=" in voided.headers["location"]

    sent = await shop.client.post(
        f"/quay/{viet_tri}/chuyen-kho",
        data={"to_showroom_id": xuan_son, "product_id": product, "quantity": "2"},
    )
    assert "ok=" in sent.headers["location"]
    [transfer] = (
        await shop.client.get(f"/api/v1/showrooms/{xuan_son}/transfers", headers=shop.admin)
    ).json()
    arrived = await shop.client.post(f"/quay/{xuan_son}/chuyen-kho/{transfer['id']}/nhan")
    assert "ok=" in arrived.headers["location"]

    counted = await shop.client.post(
        f"/quay/{viet_tri}/kiem-kho", data={f"count_{product}": "6", "reason": "Cuối ngày"}
    )
    assert "ok=" in counted.headers["location"]
    pulled = await shop.client.post(
        f"/quay/{viet_tri}/rut-hang", data={"product_id": product, "quantity": "2", "reason": "Dập"}
    )
    assert "ok=" in pulled.headers["location"]
    alerts = await shop.client.get(f"/quay/{viet_tri}/canh-bao")
    ids = re.findall(r"/rut-hang/([A-Za-z0-9-]+)/tra-nha-san-xuat", alerts.text)
    assert len(ids) == 2  # the damaged return and the manual withdrawal
    for withdrawal_id in ids:
        closed = await shop.client.post(
            f"/quay/{viet_tri}/rut-hang/{withdrawal_id}/tra-nha-san-xuat"
        )
        assert "ok=" in closed.headers["location"]

    balance = await shop.stock(viet_tri, product)
    assert (balance["on_hand"], balance["quarantined"]) == (4, 0)
    assert (await shop.stock(xuan_son, product))["on_hand"] == 2
    for showroom in (viet_tri, xuan_son):
        assert (await shop.audit(showroom))["consistent"] is True
