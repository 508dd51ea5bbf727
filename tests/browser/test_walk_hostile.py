"""Every page of every service, on a phone, with hostile names in the stored data.

A module fixture plants hostile text (see `hostile`) and walks each console from its entry
pages, following the links it shows (a few pages per kind of page), as the admin, a producer
and a buyer would, at 390 px with a phone's touch screen. On each page it records what a
person would suffer: a 5xx, a JavaScript error or console error, an alert, injected markup
turned into elements, a page that scrolls sideways at 390 or 360 px; it downloads every
XLSX/CSV export the pages link to and opens it. The tests then assert per service and per kind
of defect, so a failure names the pages and what broke on them.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import httpx
import openpyxl
import pytest
from playwright.sync_api import Browser, BrowserContext, Dialog, Page, ViewportSize, expect
from pymongo import MongoClient

from ocop_platform.testing.platform import RunningSystem
from ocop_shared.auth import Role

from .conftest import SCREENSHOTS, TIMEOUT_MS, showroom_id, token_for
from .hostile import (
    LONG_WORD,
    MARKERS,
    NAMES,
    database_names,
    plant_hostile_text,
    restore_names,
)

PHONE: ViewportSize = {"width": 390, "height": 844}
NARROW = 360
PER_KIND = 2  # pages walked per kind of page (the same path with other ids)
PER_SERVICE = 40
SKIP = re.compile(
    r"/(dang-xuat|dang-nhap|docs|redoc|openapi\.json|api/|health|metrics|_fake)|\.svg$"
)
EXPORT = re.compile(r"\.(xlsx|csv)$")
ID = re.compile(r"/(?:[a-z]{1,5}-)?[0-9a-f]{12,36}(?=/|\.|$)|/\d+(?=/|$)")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SHOTS = SCREENSHOTS / "phone"

#: Elements injected markup would create, if a page rendered it instead of showing it as text.
INJECTED = """() => [
  ...document.querySelectorAll('img[src="x"], svg[onload], [onerror], [onload]:not(body)'),
  ...[...document.querySelectorAll('b')].filter(b => b.textContent === 'x'),
].map(e => e.outerHTML.slice(0, 80))"""


#: Null when nothing scrolls sideways at ``w`` px, else the widths and the outermost elements
#: too wide. ``w`` is the phone's width, not `innerWidth`: a mobile browser zooms out to fit a
#: page wider than its screen, and innerWidth grows with it.
OVERFLOW = """(w) => {
  const d = document.documentElement;
  if (d.scrollWidth <= w) return null;
  const out = e => e.getBoundingClientRect().right > w + 1;
  const wide = [...document.querySelectorAll('body *')]
    .filter(e => out(e) && e.getBoundingClientRect().width > 0)
    .filter(e => !e.parentElement || !out(e.parentElement));
  const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
    (typeof e.className === 'string' && e.className ? '.' + e.className.split(' ')[0] : '');
  return d.scrollWidth + ' > ' + w + ' by ' + wide.slice(0, 3).map(name).join(', ');
}"""


@dataclass
class Walk:
    """What the walk found, per service and kind of defect: ``{service: {kind: [lines]}}``."""

    found: dict[str, dict[str, list[str]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )
    pages: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    exports: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    markers_seen: set[str] = field(default_factory=set)

    def add(self, service: str, kind: str, line: str) -> None:
        self.found[service][kind].append(line)


def _service_of(system: RunningSystem, url: str) -> str:
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(url))
    return next(s for s, u in system.urls.items() if u == origin)


def _kind(url: str) -> str:
    parts = urlsplit(url)
    return ID.sub("/{id}", parts.path) + ("?" if parts.query else "")


def _check_export(walk: Walk, service: str, url: str, token: str) -> None:
    response = httpx.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    walk.exports[service].append(url)
    if response.status_code != 200:
        walk.add(service, "exports", f"{url}: HTTP {response.status_code}")
        return
    cells: list[tuple[str, object, str]] = []
    is_xlsx = urlsplit(url).path.endswith(".xlsx")
    try:
        if is_xlsx:
            book = openpyxl.load_workbook(io.BytesIO(response.content))
            for sheet in book.worksheets:
                for row in sheet.iter_rows():
                    cells += [(c.coordinate, c.value, c.data_type) for c in row]
        else:
            text = response.content.decode("utf-8-sig")
            for r, row in enumerate(csv.reader(io.StringIO(text))):
                cells += [(f"{r}:{c}", v, "s") for c, v in enumerate(row)]
    except Exception as exc:  # any failure to open is the finding
        walk.add(service, "exports", f"{url}: cannot be opened: {exc!r}")
        return
    # An XLSX string cell is inert whatever it starts with; a CSV cell only with an apostrophe.
    for where, value, data_type in cells:
        if data_type == "f" or (
            isinstance(value, str)
            and not is_xlsx
            and value.startswith(FORMULA_START)
            and not re.fullmatch(r"-?\d[\d.,]*", value)  # a negative number is no formula
        ):
            walk.add(service, "exports", f"{url} {where}: formula cell {value!r}")


def _visit(page: Page, walk: Walk, system: RunningSystem, url: str, label: str) -> list[str]:
    service = _service_of(system, url)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on(
        "console",
        lambda msg: (
            errors.append(f"console: {msg.text[:160]} ({msg.location.get('url')})")
            if msg.type == "error"
            else None
        ),
    )
    response = page.goto(url, wait_until="load")
    page.wait_for_timeout(150)  # scripts that run on load
    status = response.status if response else 0
    if status >= 500:
        walk.add(service, "5xx", f"{url}: HTTP {status}")
    walk.pages[service].append(url)
    for text in errors:
        if text.endswith(f"({url})") and status < 500:
            continue  # the page's own 4xx (a producer's page refused to staff): not a defect
        if text.endswith("/favicon.ico)"):
            continue  # problem pages and the AsyncAPI document declare no icon: noise
        walk.add(service, "javascript", f"{url}: {text}")
    injected = page.evaluate(INJECTED)
    if injected:
        walk.add(service, "markup", f"{url}: injected elements {injected}")
    body = page.locator("body").inner_text()
    walk.markers_seen |= {m for m in MARKERS if m in body}
    if status >= 400:
        # A refusal (a producer's page to staff): the layout of the page behind it is checked
        # when the right person walks there; bare-text refusals are listed for the report.
        walk.add(service, "refused", f"{url}: HTTP {status}")
        widths: tuple[int, ...] = ()
    else:
        widths = (PHONE["width"], NARROW)
    for width in widths:
        page.set_viewport_size({"width": width, "height": PHONE["height"]})
        over = page.evaluate(OVERFLOW, width)
        if over:
            walk.add(service, "overflow", f"{url} at {width} px: {over}")
    page.set_viewport_size(PHONE)
    slug = re.sub(r"[^a-z0-9]+", "-", f"{service}-{label}-{urlsplit(url).path}".lower())
    page.screenshot(path=SHOTS / f"{slug.strip('-')[:120]}.png", full_page=True)
    links = page.eval_on_selector_all("a[href]", "as => as.map(a => a.getAttribute('href'))")
    return [urldefrag(urljoin(url, h)).url for h in links if h and not h.startswith("#")]


def phone(browser: Browser, system: RunningSystem, token: str | None) -> BrowserContext:
    """A phone's browser (390 px, touch, zooms like a phone), signed in with ``token``: the
    cookie is per host, so one cookie signs in to every service."""
    context = browser.new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
    )
    context.set_default_timeout(TIMEOUT_MS)
    if token:
        context.add_cookies([{"name": "ocop_token", "value": token, "url": system.portal}])
    return context


def _walk_as(
    browser: Browser,
    system: RunningSystem,
    walk: Walk,
    label: str,
    token: str | None,
    entries: list[str],
    visited: set[str],
) -> None:
    context = phone(browser, system, token)
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    context.on("dialog", on_dialog)
    kinds: dict[str, int] = defaultdict(int)
    per_service: dict[str, int] = defaultdict(int)
    queue = list(entries)
    try:
        while queue:
            url = queue.pop(0)
            if url in visited or SKIP.search(urlsplit(url).path):
                continue
            origin = "{0.scheme}://{0.netloc}".format(urlsplit(url))
            if origin not in system.urls.values():
                continue
            service = _service_of(system, url)
            visited.add(url)
            if EXPORT.search(urlsplit(url).path):
                _check_export(walk, service, url, token or "")
                continue
            kind = f"{service}{_kind(url)}"
            if kinds[kind] >= PER_KIND or per_service[service] >= PER_SERVICE:
                continue
            kinds[kind] += 1
            per_service[service] += 1
            page = context.new_page()
            try:
                before = len(dialogs)
                queue += _visit(page, walk, system, url, label)
                for message in dialogs[before:]:
                    walk.add(service, "dialog", f"{url}: {message}")
            finally:
                page.close()
    finally:
        context.close()


@pytest.fixture(scope="module")
def walk(browser: Browser, running_system: RunningSystem) -> Iterator[Walk]:
    system = running_system
    planted = plant_hostile_text(system)
    try:
        yield _walk(browser, system)
    finally:
        restore_names(system, planted)


def _walk(browser: Browser, running_system: RunningSystem) -> Walk:
    system = running_system
    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in SHOTS.glob("*.png"):
        old.unlink()
    result = Walk()
    visited: set[str] = set()
    cert, cat, orders, events = (
        system.certification,
        system.catalog,
        system.orders,
        system.events,
    )
    admin = token_for(Role.ADMIN, subject="ui-walker")
    _walk_as(
        browser,
        system,
        result,
        "admin",
        admin,
        [
            f"{system.portal}/",
            f"{cat}/",
            f"{cat}/?q=a",
            f"{cert}/giay-chung-nhan",
            f"{cert}/ho-so",
            f"{cert}/chu-the",
            f"{cert}/san-pham",
            f"{cert}/ke-hoach",
            f"{orders}/quay/",
            f"{orders}/quay/san-tmdt",
            f"{orders}/quay/don-hang",
            f"{orders}/quay/quan-ly",
            f"{events}/",
            f"{events}/dieu-hanh",
            f"{events}/ket-noi",
            f"{events}/ket-qua",
        ],
        visited,
    )
    producer = _first_producer_id(system)
    _walk_as(
        browser,
        system,
        result,
        "producer",
        token_for(Role.PRODUCER, subject="nd-walker", producer_id=producer),
        [f"{events}/cua-toi", f"{cert}/ho-so/moi", f"{orders}/quay/nha-san-xuat"],
        set(),
    )
    _walk_as(
        browser,
        system,
        result,
        "buyer",
        token_for(Role.BUYER, subject="nm-walker"),
        [f"{events}/nguoi-mua"],
        set(),
    )
    # Exports offered by the APIs only (no page links them): downloaded and opened too.
    for url in (f"{cat}/api/v1/products.xlsx", f"{cert}/api/v1/certificates.xlsx"):
        _check_export(result, _service_of(system, url), url, admin)
    # The marketplace files of the producers whose product now has a formula-looking name.
    client: MongoClient[dict[str, Any]] = MongoClient(system.env["MONGODB_URI"])
    with client:
        hostile = client[database_names(system)["orders"]].products.find(
            {"name": {"$regex": "^[-=+@]"}, "listed_for_marketplace": True}
        )
        producers = sorted({str(p["producer_id"]) for p in hostile})
    for producer_id in producers:
        for channel in ("postmart", "voso"):
            url = f"{orders}/quay/san-tmdt/tep/{producer_id}.csv?channel={channel}"
            if url not in visited:
                _check_export(result, "orders", url, admin)
    report = [
        f"{s}: {len(p)} pages, {len(result.exports[s])} exports" for s, p in result.pages.items()
    ]
    for service, kinds in result.found.items():
        report += [f"{service} {kind}: {line}" for kind, lines in kinds.items() for line in lines]
    (SHOTS / "walk.txt").write_text("\n".join(report) + "\n", encoding="utf-8")
    return result


def _first_producer_id(system: RunningSystem) -> str:
    response = httpx.get(f"{system.catalog}/api/v1/products", params={"q": ""}, timeout=10)
    response.raise_for_status()
    return str(response.json()["items"][0]["product"]["producer"]["id"])


SERVICES = ["portal", "certification", "catalog", "orders", "events"]
KINDS = ["5xx", "javascript", "dialog", "markup", "overflow", "exports"]

#: What the orders engineer still has to fix (see the report of issue 15): strict, so the
#: mark goes as soon as it passes.
ORDERS_XFAIL: dict[str, str] = {}
"""Findings on orders pages still expected (strict xfail), by kind; none today."""


def _cases() -> Iterator[object]:
    for service in SERVICES:
        for kind in KINDS:
            marks = []
            if service == "orders" and kind in ORDERS_XFAIL:
                marks.append(pytest.mark.xfail(strict=True, reason=f"orders: {ORDERS_XFAIL[kind]}"))
            yield pytest.param(service, kind, id=f"{service}-{kind}", marks=marks)


@pytest.mark.parametrize(("service", "kind"), list(_cases()))
def test_every_page_survives_hostile_names_on_a_phone(walk: Walk, service: str, kind: str) -> None:
    assert walk.pages[service], f"no page of {service} was walked"
    found = walk.found[service][kind]
    assert found == [], f"{len(found)} {kind} finding(s) on {service}:\n" + "\n".join(found)


def test_the_walk_met_the_hostile_names_as_text(walk: Walk) -> None:
    assert set(MARKERS) <= walk.markers_seen, "the hostile names did not reach the pages"
    assert sum(len(v) for v in walk.exports.values()) > 0, "no export was downloaded"


def test_the_till_cart_fits_a_phone_with_a_200_letter_name(
    walk: Walk, running_system: RunningSystem, browser: Browser
) -> None:
    system = running_system
    showroom = showroom_id(system, "VT")
    uri = system.env["MONGODB_URI"]
    client: MongoClient[dict[str, Any]] = MongoClient(uri, serverSelectionTimeoutMS=10_000)
    with client:
        # A product the Việt Trì till can sell (listed, in stock there) gets the long name,
        # whichever records the walk's planting happened to rename.
        orders_db = client[database_names(system)["orders"]]
        product = None
        for balance in orders_db.balances.find({"showroom_id": showroom, "on_hand": {"$gt": 0}}):
            product = orders_db.products.find_one(
                {"_id": balance["product_id"], "listed_for_showrooms": True}
            ) or orders_db.products.find_one(
                {"id": balance["product_id"], "listed_for_showrooms": True}
            )
            if product:
                break
        assert product, "no product in stock at the Việt Trì till"
        orders_db.products.update_one({"_id": product["_id"]}, {"$set": {"name": NAMES[2]}})
    try:
        _sell_the_long_name(browser, system, showroom)
    finally:
        with MongoClient(uri, serverSelectionTimeoutMS=10_000) as client:
            client[database_names(system)["orders"]].products.update_one(
                {"_id": product["_id"]}, {"$set": {"name": product["name"]}}
            )


def _sell_the_long_name(browser: Browser, system: RunningSystem, showroom: str) -> None:
    operator = token_for(Role.SHOWROOM_OPERATOR, subject="nv-vt-phone", showroom_ids=[showroom])
    context = phone(browser, system, operator)
    try:
        page = context.new_page()
        page.goto(f"{system.orders}/quay/{showroom}/ban-hang")
        page.get_by_label("Quét mã vạch hoặc tìm tên (không dấu)").fill(
            "banhgiayngusac"  # the long word, typed without accents
        )
        page.locator("#results button").filter(has_text=LONG_WORD[:30]).first.click()
        expect(page.locator("#cart tbody tr").filter(has_text=LONG_WORD[:30])).to_have_count(1)
        page.screenshot(path=SHOTS / "orders-till-cart-long-name.png", full_page=True)
        for width in (PHONE["width"], NARROW):
            page.set_viewport_size({"width": width, "height": PHONE["height"]})
            assert page.evaluate(OVERFLOW, width) is None
        pay = page.get_by_role("button", name="Thanh toán", exact=True).bounding_box()
        assert pay and pay["height"] >= 44, f"the pay button is {pay} on a phone"
    finally:
        context.close()
