"""Playwright driving Debian's Chromium headless against the whole running platform.

No pytest-playwright: a session browser, one fresh context per test (a tablet-sized window,
Vietnamese locale), and `Journey` to sign in and keep a screenshot of every step under
``test-artifacts/screenshots/<test>/`` (CI keeps the folder as an artefact).
"""

from __future__ import annotations

import re
import time
from collections.abc import Generator, Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, Playwright, expect, sync_playwright

from ocop_platform.testing.platform import RunningSystem
from ocop_shared.auth import Role, mint_token
from ocop_shared.settings import ServiceSettings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
TIMEOUT_MS = 20_000  # a shared 2-core machine: generous, and only a ceiling (no sleeps)

pytestmark = [pytest.mark.integration, pytest.mark.e2e]


# Module scope: the sync driver keeps an event loop on this thread while it lives, which
# would break asyncio.run in tests collected after the browser tests.
@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium): no browser tests")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
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
        self.errors: list[str] = []
        for old in self.folder.glob("*.png"):
            old.unlink()
        self.folder.mkdir(parents=True, exist_ok=True)

    def shot(self, what: str) -> None:
        self.step += 1
        slug = re.sub(r"[^a-z0-9]+", "-", what.lower()).strip("-")
        self.page.screenshot(path=self.folder / f"{self.step:02d}-{slug}.png", full_page=True)

    def close(self) -> None:
        self.page.context.close()

    def sign_in(self, url: str, token: str) -> None:
        """Open a console page and sign in as a person would: the page asks for it (or, on a
        public page, the header's «Đăng nhập» link), paste the token, come back to the page."""
        page = self.page
        page.goto(url)
        if "/dang-nhap" not in page.url:
            page.get_by_role("link", name="Đăng nhập").click()
        expect(page).to_have_url(re.compile(r"/dang-nhap"))
        page.get_by_label("Mã đăng nhập").fill(token)
        self.shot("dang-nhap")
        page.get_by_role("button", name="Đăng nhập").click()
        expect(page).not_to_have_url(re.compile(r"/dang-nhap"))
        if page.url.split("?")[0] != url.split("?")[0]:
            page.goto(url)


def new_journey(browser: Browser, name: str) -> Journey:
    """A fresh browser context (its own cookies): one person at one tablet."""
    context = browser.new_context(
        locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", viewport={"width": 1180, "height": 820}
    )
    context.set_default_timeout(TIMEOUT_MS)
    trip = Journey(context.new_page(), name)
    trip.page.on("pageerror", lambda exc: trip.errors.append(str(exc)))
    return trip


@pytest.fixture
def journey(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Journey]:
    trip = new_journey(browser, request.node.name)
    try:
        yield trip
        assert trip.errors == [], f"JavaScript errors on the pages: {trip.errors}"
    finally:
        if getattr(request.node, "call_failed", False):
            trip.shot("failure")
        trip.close()


def token_for(*roles: Role, subject: str = "ui-tester", **claims: object) -> str:
    return mint_token(
        ServiceSettings(),
        subject=subject,
        roles=list(roles),
        ttl=timedelta(hours=1),
        **claims,  # type: ignore[arg-type]
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call":
        item.call_failed = report.failed  # type: ignore[attr-defined]
    return report


expect.set_options(timeout=TIMEOUT_MS)


def reload_until(page: Page, locator: Locator, *, timeout_s: float = TIMEOUT_MS / 1000) -> None:
    """Reload a server-rendered page until ``locator`` shows: an event is on its way from
    another service. Polls like a person pressing F5, bounded by ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while locator.count() == 0 and time.monotonic() < deadline:
        page.wait_for_timeout(200)
        page.reload()
    expect(locator.first).to_be_visible()


def showroom_id(system: RunningSystem, code: str) -> str:
    response = httpx.get(
        f"{system.orders}/api/v1/showrooms",
        headers={"Authorization": f"Bearer {system.admin_token}"},
        timeout=10,
    )
    response.raise_for_status()
    return next(str(s["id"]) for s in response.json() if s["code"] == code)
