"""A visitor browses the public catalogue in Vietnamese, typing without diacritics."""

from __future__ import annotations

from playwright.sync_api import expect

from ocop_platform.testing.platform import RunningSystem

from .conftest import Journey


def test_a_visitor_finds_buoi_doan_hung_without_diacritics_and_filters_by_stars(
    running_system: RunningSystem, journey: Journey
) -> None:
    page = journey.page
    # From the landing page (cổng điều hành): every service ready, a link to each console.
    page.goto(f"{running_system.portal}/")
    expect(page.locator("tr[data-service]").filter(has_text="Sẵn sàng")).to_have_count(4)
    journey.shot("cong-dieu-hanh")
    page.get_by_role("link", name="Danh mục sản phẩm OCOP").click()
    expect(page).to_have_url(f"{running_system.catalog}/")
    expect(page.get_by_role("heading", name="Danh mục sản phẩm OCOP")).to_be_visible()
    journey.shot("danh-muc")

    page.get_by_label("Tìm sản phẩm").fill("buoi doan hung")
    page.get_by_role("button", name="Tìm").click()
    cards = page.locator(".card[data-product-id]")
    pomelo = cards.filter(has=page.get_by_role("heading", name="Bưởi Đoan Hùng", exact=True))
    expect(pomelo).to_have_count(1)
    expect(pomelo.locator(".badge")).to_have_text("Còn hiệu lực")
    journey.shot("tim-khong-dau")

    # 4★ and up: the 3★ Bưởi Đoan Hùng goes, the 4★ Bưởi Sửu Chí Đám stays.
    page.get_by_label("Hạng sao").select_option(label="Từ 4 sao")
    page.get_by_role("button", name="Tìm").click()
    expect(page.get_by_label("Hạng sao")).to_have_value("4")
    expect(cards.filter(has=page.get_by_role("heading", name="Bưởi Sửu Chí Đám"))).to_have_count(1)
    expect(pomelo).to_have_count(0)
    for stars in cards.locator(".stars").all_inner_texts():
        assert stars.count("★") >= 4, stars
    journey.shot("loc-tu-4-sao")

    page.get_by_label("Hạng sao").select_option(label="Mọi hạng sao")
    page.get_by_role("button", name="Tìm").click()
    pomelo.get_by_role("link").first.click()
    expect(page.get_by_role("heading", name="Bưởi Đoan Hùng", exact=True)).to_be_visible()
    expect(page.get_by_text("Còn hiệu lực").first).to_be_visible()
    journey.shot("trang-san-pham")
