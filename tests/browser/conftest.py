"""Playwright driving Debian's Chromium headless against the whole running platform.

No pytest-playwright: a session browser, one fresh context per test (a tablet-sized window,
Vietnamese locale), and `Journey` to sign in and keep a screenshot of every step under
``test-artifacts/screenshots/<test>/`` (CI keeps the folder as an artefact).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright

from ocop_shared.auth import Role, mint_token
from ocop_shared.settings import ServiceSettings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
TIMEOUT_MS = 20_000  # a shared 2-core machine: generous, and only a ceiling (no sleeps)

pytestmark = [pytest.mark.integration, pytest.mark.e2e]


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium): no browser tests")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
    )
    yield chromium
    chromium.close()


class Journey:
    """One user's browser tab, with numbered screenshots of each step."""

    def __init__(self, page: Page, name: str) -> None:
        self.page = page
        self.folder = SCREENSHOTS / name
        self.step = 0
        for old in self.folder.glob("*.png"):
            old.unlink()
        self.folder.mkdir(parents=True, exist_ok=True)

    def shot(self, what: str) -> None:
        self.step += 1
        slug = re.sub(r"[^a-z0-9]+", "-", what.lower()).strip("-")
        self.page.screenshot(path=self.folder / f"{self.step:02d}-{slug}.png", full_page=True)

    def sign_in(self, base_url: str, token: str, next_path: str = "/") -> None:
        """The console's sign-in page, as a person pastes the token they were given."""
        self.page.goto(f"{base_url}/dang-nhap?next={next_path}")
        self.page.get_by_label("Mã đăng nhập").fill(token)
        self.shot("dang-nhap")
        self.page.get_by_role("button", name="Đăng nhập").click()
        expect(self.page).not_to_have_url(re.compile(r"/dang-nhap"))


@pytest.fixture
def journey(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Journey]:
    context = browser.new_context(
        locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", viewport={"width": 1180, "height": 820}
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    trip = Journey(page, request.node.name)
    try:
        yield trip
        assert errors == [], f"JavaScript errors on the pages: {errors}"
    finally:
        if getattr(request.node, "call_failed", False):
            trip.shot("failure")
        context.close()


def token_for(*roles: Role, subject: str = "ui-tester", **claims: object) -> str:
    return mint_token(
        ServiceSettings(),
        subject=subject,
        roles=list(roles),
        ttl=timedelta(hours=1),
        **claims,  # type: ignore[arg-type]
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> pytest.TestReport:
    report: pytest.TestReport = yield
    if report.when == "call":
        item.call_failed = report.failed  # type: ignore[attr-defined]
    return report


expect.set_options(timeout=TIMEOUT_MS)
