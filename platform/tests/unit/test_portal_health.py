"""The portal's health aggregation: each service's state and messaging, never an error."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx

from ocop_platform.portal.app import create_app
from ocop_platform.portal.config import SERVICES, PortalSettings
from ocop_platform.portal.health import HealthSummary, collect_health
from ocop_platform.testing.support import app_client

MESSAGING_OK = {
    "outbox_backlog": 0,
    "dead_letters": 0,
    "consumer_lag": [{"group": "catalog.certificates", "lag": 0}],
}


def settings(**extra: object) -> PortalSettings:
    return PortalSettings.model_validate(
        {
            "certification_url": "http://certification",
            "catalog_url": "http://catalog",
            "orders_url": "http://orders",
            "events_url": "http://events",
            "ready_timeout_s": 0.5,
            "messaging_timeout_s": 0.5,
            "asyncapi_path": None,
            **extra,
        }
    )


def peers(answers: dict[str, dict[str, httpx.Response | Exception | None]]) -> httpx.MockTransport:
    """Each host answers its paths as given; None hangs (a service that never answers)."""

    async def handle(request: httpx.Request) -> httpx.Response:
        answer = answers.get(request.url.host, {}).get(request.url.path, httpx.ConnectError("x"))
        if answer is None:
            await asyncio.sleep(30)
        if isinstance(answer, Exception):
            raise answer
        assert isinstance(answer, httpx.Response)
        return answer

    return httpx.MockTransport(handle)


def healthy(
    messaging: dict[str, object] | None = None,
) -> dict[str, httpx.Response | Exception | None]:
    return {
        "/health/ready": httpx.Response(200, json={"status": "ok", "checks": {"mongodb": "ok"}}),
        "/health/messaging": httpx.Response(200, json=messaging or MESSAGING_OK),
    }


async def collect(
    answers: dict[str, dict[str, httpx.Response | Exception | None]],
) -> HealthSummary:
    async with httpx.AsyncClient(transport=peers(answers)) as client:
        return await collect_health(settings(), client)


async def test_all_services_ready_with_nothing_waiting_is_ok() -> None:
    summary = await collect(
        {h: healthy() for h in ("certification", "catalog", "orders", "events")}
    )
    assert summary.level == "ok"
    assert (summary.services_up, summary.services_total) == (4, 4)
    assert (summary.outbox_backlog, summary.dead_letters, summary.max_consumer_lag) == (0, 0, 0)


async def test_a_service_that_refuses_or_hangs_is_down_and_the_others_are_still_reported() -> None:
    started = asyncio.get_running_loop().time()
    summary = await collect(
        {
            "certification": {"/health/ready": None, "/health/messaging": None},  # hangs
            "catalog": healthy(),
            # orders: connection refused on every path
            "events": {
                "/health/ready": httpx.Response(500, text="boom"),
                "/health/messaging": httpx.Response(200, text="not json"),
            },
        }
    )
    elapsed = asyncio.get_running_loop().time() - started
    states = {s.key: s.state for s in summary.services}
    assert states == {"certification": "down", "catalog": "up", "orders": "down", "events": "down"}
    assert summary.level == "bad"
    assert summary.services_up == 1
    assert elapsed < 2.0  # concurrent: one timeout, not one per service
    assert {s.key: s.messaging is None for s in summary.services}["catalog"] is False


async def test_dead_letters_backlog_and_lag_are_summed_and_raise_a_warning() -> None:
    busy = {
        "outbox_backlog": 7,
        "dead_letters": 2,
        "consumer_lag": [
            {"group": "orders.catalog", "lag": 40},
            {"group": "orders.x", "lag": None},
        ],
    }
    summary = await collect(
        {
            "certification": healthy(),
            "catalog": healthy(),
            "orders": healthy(busy),
            "events": {
                "/health/ready": httpx.Response(
                    503,
                    json={"status": "unavailable", "checks": {"mongodb": "ok", "kafka": "down"}},
                ),
                "/health/messaging": httpx.Response(
                    200, json={**MESSAGING_OK, "outbox_backlog": 3}
                ),
            },
        }
    )
    by_key = {s.key: s for s in summary.services}
    assert by_key["orders"].level == "warn"
    assert (by_key["events"].state, by_key["events"].level) == ("degraded", "bad")
    assert "kafka" in by_key["events"].detail
    assert (summary.outbox_backlog, summary.dead_letters, summary.max_consumer_lag) == (10, 2, 40)
    assert summary.level == "bad"


async def test_the_page_and_the_json_show_a_down_service_without_failing() -> None:
    transport = peers({"catalog": healthy()})
    app = create_app(settings(), transport=transport)
    async with app_client(app) as client:
        page = await client.get("/")
        summary = await client.get("/api/health-summary")
        missing_doc = await client.get("/asyncapi.html")
    assert page.status_code == 200
    assert "Không phản hồi" in page.text and "Sẵn sàng" in page.text
    assert 'http-equiv="refresh"' in page.text
    assert "/giay-chung-nhan" in page.text and "/quay/" in page.text
    assert summary.status_code == 200
    assert {s["key"]: s["state"] for s in summary.json()["services"]}["catalog"] == "up"
    assert missing_doc.status_code == 404


async def test_the_asyncapi_page_is_served_when_generated(tmp_path: Path) -> None:
    doc = tmp_path / "asyncapi.html"
    doc.write_text("<html>AsyncAPI OCOP</html>", encoding="utf-8")
    app = create_app(settings(asyncapi_path=doc), transport=peers({}))
    async with app_client(app) as client:
        page = await client.get("/")
        served = await client.get("/asyncapi.html")
    assert 'href="/asyncapi.html"' in page.text
    assert served.status_code == 200 and "AsyncAPI OCOP" in served.text


def test_public_urls_default_to_the_internal_ones_and_can_be_overridden() -> None:
    config = settings(catalog_public_url="https://danhmuc.example.vn/")
    page_urls = json.dumps(
        {s.key: (config.internal_url(s), config.public_url(s)) for s in SERVICES}
    )
    assert '"catalog": ["http://catalog", "https://danhmuc.example.vn"]' in page_urls
    assert '"orders": ["http://orders", "http://orders"]' in page_urls
