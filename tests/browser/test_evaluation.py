"""A council member scores a dossier; the province officer closes scoring and issues the
certificate; the product appears certified in the public catalogue."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, expect

from ocop_platform.testing.platform import RunningSystem
from ocop_shared.auth import Role

from .conftest import Journey, new_journey, reload_until, token_for

# The demo's dossier in progress: Tuyên Quang's 2026 province round, 2 of 5 sheets in.
PRODUCT = "Thịt trâu khô Hùng Mỹ"
MEMBER = "hd-tuyenquang-26-3"


def test_a_council_member_scores_and_the_officer_issues_the_certificate(
    running_system: RunningSystem, journey: Journey, browser: Browser
) -> None:
    certification = running_system.certification
    page = journey.page
    journey.sign_in(
        f"{certification}/ho-so",
        token_for(Role.COUNCIL_MEMBER, subject=MEMBER, name="Hoàng Thị Lan"),
    )
    row = page.locator("tr[data-dossier-id]").filter(has_text=PRODUCT)
    expect(row).to_have_count(1)
    journey.shot("ho-so-cua-hoi-dong")
    row.get_by_role("link", name=PRODUCT).click()
    page.get_by_role("link", name="Chấm điểm hồ sơ này").click()
    expect(page.get_by_role("heading", name=f"Phiếu chấm điểm: {PRODUCT}")).to_be_visible()

    # Every criterion at 80 % of its maximum (the council's sheets average near 76).
    rows = page.locator("tbody tr").filter(has=page.locator("input[name^=score_]"))
    assert rows.count() > 10
    for index in range(rows.count()):
        line = rows.nth(index)
        maximum = float(line.locator("td.num").inner_text().replace(".", "").replace(",", "."))
        line.locator("input").fill(f"{maximum * 0.8:g}".replace(".", ","))
    page.get_by_label("Nhận xét").fill("Sản phẩm đặc trưng, bao bì cần cải thiện.")
    journey.shot("phieu-cham")
    page.get_by_role("button", name="Nộp phiếu chấm").click()
    expect(page).to_have_url(re.compile(r"da_cham=1"))
    journey.shot("da-nop-phieu")
    dossier_url = page.url.split("?")[0]

    officer = new_journey(browser, "officer_closes_scoring_and_issues")
    try:
        officer.sign_in(dossier_url, token_for(Role.PROVINCE_OFFICER, subject="so-nn-tq"))
        desk = officer.page
        desk.get_by_role("button", name="Tổng hợp kết quả chấm điểm").click()
        conclude = desk.get_by_role("button", name=re.compile(r"Kết luận: công nhận \d sao"))
        expect(conclude).to_be_visible()
        officer.shot("ket-qua-cham")
        desk.get_by_label("Số quyết định").fill("2468/QĐ-UBND")
        desk.get_by_label("Ngày quyết định").fill("2026-11-20")
        conclude.click()
        certificate_link = desk.locator("#dossier-certificate")
        expect(certificate_link).to_be_visible()
        officer.shot("da-cap-giay-chung-nhan")
        certificate_link.click()
        expect(desk.get_by_text("2468/QĐ-UBND").first).to_be_visible()
        officer.shot("giay-chung-nhan")
    finally:
        officer.close()

    # The public catalogue learns it through the certificate event.
    page.goto(f"{running_system.catalog}/?q=thit+trau+kho+hung+my")
    card = page.locator(".card[data-product-id]").filter(has_text=PRODUCT)
    expect(card).to_have_count(1)
    card.get_by_role("link").first.click()
    reload_until(page, page.get_by_text("Còn hiệu lực"))
    journey.shot("danh-muc-da-chung-nhan")
