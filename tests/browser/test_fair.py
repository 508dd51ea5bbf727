"""A producer registers a product for a trade event; trade staff add booths and confirm one."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import Browser, expect

from ocop_platform.testing.platform import RunningSystem
from ocop_shared.auth import Role

from .conftest import Journey, new_journey, token_for

EVENT = "Tuần hàng OCOP Phú Thọ tại Hà Nội"  # the demo's event with registration open
PRODUCT = "Thịt chua Thanh Sơn"


def producer_of(system: RunningSystem, product: str) -> tuple[str, str]:
    response = httpx.get(f"{system.catalog}/api/v1/products", params={"q": product}, timeout=10)
    response.raise_for_status()
    item = next(i for i in response.json()["items"] if i["product"]["name"] == product)
    producer = item["product"]["producer"]
    return str(producer["id"]), str(producer["name"])


def test_a_producer_registers_for_a_fair_and_staff_confirm_a_booth(
    running_system: RunningSystem, journey: Journey, browser: Browser
) -> None:
    producer_id, producer_name = producer_of(running_system, PRODUCT)
    page = journey.page
    page.goto(f"{running_system.events}/")
    page.get_by_role("link", name=EVENT).click()
    event_url = page.url.split("?")[0].split("#")[0]
    journey.shot("lich-su-kien")

    journey.sign_in(
        f"{event_url}/dang-ky",
        token_for(Role.PRODUCER, subject="nd-thanh-son", producer_id=producer_id),
    )
    expect(page.get_by_role("heading", name="Đăng ký tham gia")).to_be_visible()
    page.get_by_label("Tên chủ thể").fill(producer_name)
    page.get_by_role("checkbox", name=PRODUCT).check()
    journey.shot("dang-ky")
    page.get_by_role("button", name="Gửi đăng ký").click()
    expect(page).to_have_url(re.compile(r"/cua-toi"))
    expect(page.get_by_text(EVENT).first).to_be_visible()
    journey.shot("dang-ky-cua-toi")

    staff = new_journey(browser, "staff_confirm_a_booth")
    try:
        staff.sign_in(event_url, token_for(Role.TRADE_STAFF, subject="cb-xttm"))
        desk = staff.page
        desk.get_by_text("Thêm gian hàng theo khu").click()
        desk.get_by_label("Khu", exact=True).fill("Khu C – Thủ công mỹ nghệ")
        desk.get_by_label("Ký hiệu").fill("C")
        desk.get_by_label("Đến số").fill("6")
        desk.get_by_role("button", name="Tạo gian").click()
        row = desk.locator("tr[data-participation-id]").filter(has_text=producer_name)
        expect(row).to_have_count(1)
        expect(row).to_contain_text(PRODUCT)
        staff.shot("don-cho-duyet")
        booth = desk.locator("#free-booths option").first.get_attribute("value")
        assert booth
        row.get_by_label("Gian", exact=True).fill(booth)
        row.get_by_role("button", name="Xác nhận").click()
        row = desk.locator("tr[data-participation-id]").filter(has_text=producer_name)
        expect(row.locator(".badge")).to_have_text("Đã xác nhận")
        expect(row).to_contain_text(booth)
        staff.shot("da-xep-gian")
    finally:
        staff.close()

    # The producer sees the booth among their registrations.
    page.reload()
    expect(page.get_by_text(booth).first).to_be_visible()
    journey.shot("chu-the-thay-gian")
