"""Bank transfer at the till: the showroom's account, a VietQR with the receipt number."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

import pytest

from ocop_orders.showroom.domain import vietqr
from ocop_shared.auth import Role, mint_token
from ocop_shared.web.console_auth import COOKIE

if TYPE_CHECKING:
    from conftest import Shop

pytestmark = pytest.mark.integration

BANK = {"bank_bin": "970405", "account_number": "1500205123456", "account_name": "CHO VIET TRI"}


async def test_trade_staff_set_the_account_and_a_transfer_sale_shows_its_vietqr(
    shop: Shop,
) -> None:
    viet_tri = await shop.showroom("VT")
    staff = mint_token(shop.settings, subject="xt-1", roles=[Role.TRADE_STAFF])
    shop.client.cookies.set(COOKIE, staff)
    form = {"name": "Chợ Việt Trì", "address": "Tầng 2", "active": "1", "kiosks": "K01 Ki-ốt 1"}
    bad = await shop.client.post(
        f"/quay/quan-ly/{viet_tri}", data={**form, **BANK, "bank_bin": "9704"}
    )
    assert "loi=" in bad.headers["location"] and "bank_bin" in bad.headers["location"]
    saved = await shop.client.post(f"/quay/quan-ly/{viet_tri}", data={**form, **BANK})
    assert "ok=" in saved.headers["location"]
    showroom = (await shop.client.get(f"/api/v1/showrooms/{viet_tri}", headers=shop.admin)).json()
    assert showroom["bank"] == BANK

    product = await shop.product("Chè búp tím", price=120_000, group="drink")
    await shop.receive(viet_tri, product, 5, expires_on=None)
    operator = mint_token(
        shop.settings, subject="op-1", roles=[Role.SHOWROOM_OPERATOR], showroom_ids=[viet_tri]
    )
    shop.client.cookies.set(COOKIE, operator)
    till = await shop.client.get(f"/quay/{viet_tri}/ban-hang")
    assert "Bấm Thanh toán để hiện mã VietQR" in till.text
    key = re.search(r'name="idempotency_key" value="([^"]+)"', till.text)
    assert key is not None
    paid = await shop.client.post(
        f"/quay/{viet_tri}/ban-hang",
        data={
            "idempotency_key": key.group(1),
            "cart": json.dumps([{"product_id": product, "quantity": 2, "discount_vnd": 0}]),
            "method": "bank_transfer",
            "kiosk_code": "K01",
            "reference": "typed by hand",
        },
    )
    assert paid.status_code == 303, paid.text
    sale_id = paid.headers["location"].split("?")[0].rsplit("/", 1)[1]
    sale = (
        await shop.client.get(f"/api/v1/showrooms/{viet_tri}/sales/{sale_id}", headers=shop.admin)
    ).json()
    assert sale["payment"]["reference"] == sale["receipt_number"] == "VT-261124-K01-0001"

    qr = await shop.client.get(
        f"/api/v1/showrooms/{viet_tri}/sales/{sale_id}/vietqr", headers=shop.admin
    )
    assert qr.status_code == 200, qr.text
    payload = qr.json()["payload"]
    assert vietqr.crc_is_valid(payload)
    top = vietqr.parse(payload)
    assert top["54"] == "240000"
    assert vietqr.parse(top["62"]) == {"08": "VT-261124-K01-0001"}
    assert vietqr.parse(vietqr.parse(top["38"])["01"]) == {"00": "970405", "01": "1500205123456"}

    receipt = await shop.client.get(f"/quay/{viet_tri}/hoa-don/{sale_id}")
    assert 'id="vietqr"' in receipt.text and "<svg" in receipt.text
    assert "CHO VIET TRI" in receipt.text and "240.000 ₫" in receipt.text


async def test_cash_sales_and_showrooms_without_an_account_have_no_vietqr(shop: Shop) -> None:
    den_hung = await shop.showroom("DH")
    product = await shop.product()
    await shop.receive(den_hung, product, 5)
    cash = (await shop.sell(den_hung, [{"product_id": product, "quantity": 1}])).json()
    transfer = (
        await shop.sell(
            den_hung,
            [{"product_id": product, "quantity": 1}],
            payment={"method": "bank_transfer"},
        )
    ).json()
    assert transfer["payment"]["reference"] == transfer["receipt_number"]
    for sale in (cash, transfer):
        response = await shop.client.get(
            f"/api/v1/showrooms/{den_hung}/sales/{sale['id']}/vietqr", headers=shop.admin
        )
        assert response.status_code == 404
        assert response.json()["errors"][0]["field"] == "sale_id"


async def test_operator_confirms_the_transfer_arrived_and_the_report_lists_the_rest(
    shop: Shop,
) -> None:
    viet_tri = await shop.showroom("VT", bank=BANK)
    product = await shop.product()
    await shop.receive(viet_tri, product, 5)
    line = [{"product_id": product, "quantity": 1}]
    first = (await shop.sell(viet_tri, line, payment={"method": "bank_transfer"})).json()
    second = (await shop.sell(viet_tri, line, payment={"method": "bank_transfer"})).json()
    cash = (await shop.sell(viet_tri, line)).json()
    operator = shop.operator(viet_tri)

    confirm = f"/api/v1/showrooms/{viet_tri}/sales/{first['id']}/payment-confirmation"
    done = await shop.client.post(confirm, headers=operator)
    assert done.status_code == 200, done.text
    assert done.json()["payment"]["confirmed_at"] is not None
    assert done.json()["version"] == first["version"]  # no new sale version, no event
    again = await shop.client.post(confirm, headers=operator)
    assert again.json()["payment"]["confirmed_at"] == done.json()["payment"]["confirmed_at"]
    refused = await shop.client.post(
        f"/api/v1/showrooms/{viet_tri}/sales/{cash['id']}/payment-confirmation", headers=operator
    )
    assert refused.status_code == 409
    assert refused.json()["errors"][0]["field"] == "sale_id"
    stranger = await shop.client.post(confirm, headers=shop.operator("other"))
    assert stranger.status_code == 403

    token = mint_token(
        shop.settings, subject="op-1", roles=[Role.SHOWROOM_OPERATOR], showroom_ids=[viet_tri]
    )
    shop.client.cookies.set(COOKIE, token)
    confirmed = await shop.client.get(f"/quay/{viet_tri}/hoa-don/{first['id']}")
    assert "Đã nhận tiền chuyển khoản" in confirmed.text and 'id="vietqr"' not in confirmed.text
    report = await shop.client.get(f"/quay/{viet_tri}/bao-cao")
    pending = report.text.split('id="unconfirmed"', 1)[1].split("</div>", 1)[0]
    assert second["receipt_number"] in pending and first["receipt_number"] not in pending
    tapped = await shop.client.post(f"/quay/{viet_tri}/hoa-don/{second['id']}/da-nhan-tien")
    assert "ok=" in tapped.headers["location"]
    report = await shop.client.get(f"/quay/{viet_tri}/bao-cao")
    assert 'id="unconfirmed"' not in report.text
