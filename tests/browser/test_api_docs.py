"""A service's API documentation works in a browser without internet (issue 15).

Chromium opens the catalogue's `/docs` and `/redoc` with every request off this origin
aborted, as on an intranet without internet: Swagger UI lists the operations and ReDoc
renders, from the service's own assets, under its Content-Security-Policy.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from playwright.sync_api import Browser, Route, expect
from pymongo import MongoClient

from ocop_catalog.config import CatalogSettings
from ocop_catalog.entrypoints.api import create_app
from ocop_platform.infra import Endpoints, free_port
from ocop_platform.testing.support import isolated_settings, new_run_id

TIMEOUT_MS = 20_000


@pytest.fixture
def catalogue_url(infra: Endpoints) -> Iterator[str]:
    settings = isolated_settings(
        CatalogSettings,
        kafka=infra.kafka_bootstrap_servers,
        mongodb=infra.mongodb_uri,
        run_id=new_run_id(),
    )
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(30)
    with MongoClient(infra.mongodb_uri) as mongo:
        mongo.drop_database(settings.mongodb_database)


def test_swagger_ui_and_redoc_render_without_internet(browser: Browser, catalogue_url: str) -> None:
    context = browser.new_context(locale="vi-VN")
    outside: list[str] = []
    violations: list[str] = []

    def only_this_origin(route: Route) -> None:
        if route.request.url.startswith(catalogue_url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_this_origin)
    page = context.new_page()
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    try:
        page.goto(f"{catalogue_url}/docs")
        expect(page.locator(".opblock-summary-path").first).to_be_visible(timeout=TIMEOUT_MS)
        expect(page.get_by_text("/api/v1/products").first).to_be_visible()
        page.goto(f"{catalogue_url}/redoc")
        expect(page.locator("h1").first).to_contain_text("Danh mục", timeout=TIMEOUT_MS)
    finally:
        context.close()
    # Nothing the pages need comes from elsewhere (ReDoc's "powered by" logo may be asked).
    assert [u for u in outside if not u.endswith((".svg", ".png"))] == []
    assert [v for v in violations if "script" in v] == []
