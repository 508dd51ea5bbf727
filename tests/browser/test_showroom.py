"""The showroom till: a sale from cart to receipt, and a revoked product refused at the till
and marked on its public page."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from ocop_platform.testing.platform import RunningSystem
from ocop_shared.auth import Role

from .conftest import Journey, new_journey, reload_until, showroom_id, token_for


def open_till(journey: Journey, system: RunningSystem, code: str) -> Page:
    """Sign in as the showroom's operator and open its till."""
    showroom = showroom_id(system, code)
    operator = token_for(
        Role.SHOWROOM_OPERATOR, subject=f"nv-{code.lower()}", showroom_ids=[showroom]
    )
    journey.sign_in(f"{system.orders}/quay/{showroom}/ban-hang", operator)
    page = journey.page
    expect(page.get_by_role("heading", name="Bán hàng")).to_be_visible()
    return page


def add_to_cart(page: Page, typed: str, product: str) -> None:
    page.get_by_label("Quét mã vạch hoặc tìm tên (không dấu)").fill(typed)
    page.locator("#results button").filter(has_text=re.compile(f"^{product} ·")).click()
    expect(page.locator("#cart tbody tr").filter(has_text=product)).to_have_count(1)


def test_an_operator_sells_two_products_and_prints_the_receipt(
    running_system: RunningSystem, journey: Journey
) -> None:
    page = open_till(journey, running_system, "VT")
    journey.shot("quay-ban-hang")
    add_to_cart(page, "buoi doan hung", "Bưởi Đoan Hùng")
    add_to_cart(page, "buoi doan hung", "Bưởi Đoan Hùng")  # a second one: quantity 2
    add_to_cart(page, "che nhan son", "Chè Nhân Sơn")
    pomelo = page.locator("#cart tbody tr").filter(has_text="Bưởi Đoan Hùng")
    expect(pomelo.locator("input")).to_have_value("2")
    expect(page.locator("#total")).to_have_text(re.compile(r"210\.000\s₫"))  # 2×45.000 + 120.000
    page.locator("#method").select_option("cash")
    page.get_by_role("button", name="200.000").click()
    page.get_by_label("Khách đưa (₫)").fill("250000")
    page.get_by_label("Khách đưa (₫)").dispatch_event("input")
    expect(page.locator("#change")).to_have_text(re.compile(r"Tiền thừa: 40\.000"))
    journey.shot("gio-hang")
    page.get_by_role("button", name="Thanh toán", exact=True).click()

    expect(page).to_have_url(re.compile(r"/hoa-don/"))
    receipt = page.locator("#receipt")
    expect(receipt).to_contain_text("Hoá đơn")
    expect(receipt).to_contain_text("Bưởi Đoan Hùng")
    expect(receipt).to_contain_text("Chè Nhân Sơn")
    expect(receipt).to_contain_text("210.000")
    journey.shot("hoa-don")


REVOKED = "Chè búp tím"


def test_a_revoked_certificate_stops_the_till_and_marks_the_public_page(
    running_system: RunningSystem, journey: Journey, browser: Browser
) -> None:
    # The operator has the product in the cart when the province revokes its certificate.
    till = open_till(journey, running_system, "VT")
    add_to_cart(till, "che bup tim", REVOKED)
    journey.shot("gio-hang-truoc-thu-hoi")

    officer = new_journey(browser, "officer_revokes_a_certificate")
    try:
        officer.sign_in(
            f"{running_system.certification}/giay-chung-nhan",
            token_for(Role.PROVINCE_OFFICER, subject="so-nn-pt"),
        )
        desk = officer.page
        inspect = desk.get_by_role("link", name="Hậu kiểm / thu hồi")
        row = desk.locator("tr[data-certificate-id]").filter(has_text=REVOKED).filter(has=inspect)
        expect(row).to_have_count(1)  # its active certificate (an older one was superseded)
        row.get_by_role("link", name="Hậu kiểm / thu hồi").click()
        form = desk.locator("#revocation-form")
        form.get_by_label("Số quyết định thu hồi").fill("77/QĐ-UBND")
        form.get_by_label("Lý do thu hồi").fill("Vi phạm an toàn thực phẩm khi hậu kiểm")
        form.get_by_label(re.compile("Tôi xác nhận thu hồi")).check()
        officer.shot("phieu-thu-hoi")
        form.get_by_role("button", name="Thu hồi giấy chứng nhận").click()
        expect(desk.locator("#certificate-status")).to_have_text("Đã thu hồi")
        officer.shot("da-thu-hoi")
    finally:
        officer.close()

    # The till: the restored cart is checked against fresh stock and the line is blocked.
    blocked = till.locator("#blocked")
    reload_until(till, till.locator("#blocked:not([hidden])"))
    expect(blocked).to_contain_text(REVOKED)
    expect(blocked).to_contain_text("thu hồi")
    expect(till.get_by_role("button", name="Thanh toán", exact=True)).to_be_disabled()
    till.get_by_label("Quét mã vạch hoặc tìm tên (không dấu)").fill("che bup tim")
    expect(till.locator("#results button").filter(has_text=REVOKED)).to_be_disabled()
    journey.shot("quay-tu-choi")
    blocked.get_by_role("button", name="Bỏ khỏi giỏ").click()
    expect(till.locator("#cart tbody tr")).to_have_count(0)

    # The public page says so, for every visitor.
    page = journey.page
    page.goto(f"{running_system.catalog}/?q=che+bup+tim")
    page.locator(".card[data-product-id]").filter(has_text=REVOKED).get_by_role(
        "link"
    ).first.click()
    reload_until(page, page.get_by_text("Đã bị thu hồi"))
    journey.shot("trang-cong-khai-da-thu-hoi")
