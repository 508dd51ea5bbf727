"""The platform's central promise, end to end through the four services' HTTP APIs only:
a certificate revoked by the province reaches the catalogue, every showroom till and every
fair without anybody telling them, and a new certificate puts the product back on sale.

The four apps run in this process with their relays and consumers, on the real Kafka and
SecantusDB, sharing one topic prefix so the events flow between them as in production.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar

import httpx
import pytest
import pytest_asyncio

from ocop_catalog.config import CatalogSettings
from ocop_catalog.entrypoints.api import create_app as create_catalog_app
from ocop_catalog.entrypoints.consumer import consume as catalog_consume
from ocop_certification.config import CertificationSettings
from ocop_certification.entrypoints.api import create_app as create_certification_app
from ocop_events.config import EventsSettings
from ocop_events.entrypoints.api import create_app as create_events_app
from ocop_events.entrypoints.consumer import consume as events_consume
from ocop_orders.config import OrdersSettings
from ocop_orders.entrypoints.api import create_app as create_orders_app
from ocop_orders.entrypoints.consumer import consume as orders_consume
from ocop_platform.infra import Endpoints
from ocop_platform.testing.support import (
    app_client,
    background,
    bearer,
    eventually,
    isolated_settings,
    new_run_id,
)
from ocop_shared.auth import Role
from ocop_shared.messaging.workers import run_relay
from ocop_shared.mongo import create_client
from ocop_shared.timeutil import today_in_vietnam

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

# Only a hang guard: propagation normally takes well under a second; the machine is shared.
HANG_GUARD_S = 60.0
T = TypeVar("T")
Json = dict[str, Any]


# -- one small client per service ------------------------------------------------------------


class Certification:
    """The province officer at the certification API."""

    def __init__(self, client: httpx.AsyncClient, settings: CertificationSettings) -> None:
        self.client = client
        self.officer = bearer(settings, Role.PROVINCE_OFFICER)

    async def _post(self, path: str, body: Json, expected: int) -> Json:
        response = await self.client.post(f"/api/v1{path}", json=body, headers=self.officer)
        assert response.status_code == expected, response.text
        result: Json = response.json()
        return result

    async def register_producer(self, name: str) -> str:
        producer = await self._post(
            "/producers",
            {
                "name": name,
                "legal_form": "cooperative",
                "tax_code": f"26{uuid.uuid4().int % 10**8:08d}",
                "province": "Phú Thọ",
                "commune": "Chí Đám",
            },
            201,
        )
        return str(producer["id"])

    async def register_product(self, producer_id: str, name: str) -> str:
        product = await self._post(
            "/products",
            {
                "producer_id": producer_id,
                "name": name,
                "group_code": "food",
                "province": "Phú Thọ",
                "commune": "Chí Đám",
            },
            201,
        )
        return str(product["id"])

    async def issue(self, product_id: str, *, stars: int, decision: str, on: date) -> str:
        certificate = await self._post(
            "/certificates",
            {
                "product_id": product_id,
                "stars": stars,
                "level": "province",
                "issuing_authority": "UBND tỉnh Phú Thọ",
                "decision_number": decision,
                "decision_date": on.isoformat(),
            },
            201,
        )
        return str(certificate["id"])

    async def revoke(self, certificate_id: str, *, reason: str, on: date) -> Json:
        return await self._post(
            f"/certificates/{certificate_id}/revoke",
            {
                "decision_number": "99/QĐ-UBND",
                "decision_date": on.isoformat(),
                "reason": reason,
                "issuing_authority": "UBND tỉnh Phú Thọ",
            },
            200,
        )


class Catalogue:
    """The public catalogue API."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def product(self, product_id: str) -> Json | None:
        response = await self.client.get(f"/api/v1/products/{product_id}")
        return response.json() if response.status_code == 200 else None


class Till:
    """Orders: trade staff set up a showroom, its operator receives stock and sells."""

    def __init__(self, client: httpx.AsyncClient, settings: OrdersSettings) -> None:
        self.client = client
        self.settings = settings
        self.staff = bearer(settings, Role.TRADE_STAFF)
        self.operator: dict[str, str] = {}
        self.showroom_id = ""

    async def open_showroom(self, code: str) -> str:
        response = await self.client.post(
            "/api/v1/showrooms",
            headers=self.staff,
            json={
                "code": code,
                "name": "Điểm bán OCOP Chợ Việt Trì",
                "address": "Chợ Việt Trì, tầng 2",
                "province": "Phú Thọ",
                "kiosks": [{"code": "K01", "name": "Ki-ốt 1"}],
            },
        )
        assert response.status_code == 201, response.text
        self.showroom_id = str(response.json()["id"])
        self.operator = bearer(
            self.settings, Role.SHOWROOM_OPERATOR, showroom_ids=[self.showroom_id]
        )
        return self.showroom_id

    @property
    def _base(self) -> str:
        return f"/api/v1/showrooms/{self.showroom_id}"

    async def view(self, product_id: str) -> Json | None:
        """What the till's product search shows for the product (sellable, reason)."""
        response = await self.client.get(
            f"{self._base}/products", params={"limit": 200}, headers=self.operator
        )
        assert response.status_code == 200, response.text
        return next((c for c in response.json() if c["product"]["id"] == product_id), None)

    async def receive(self, product_id: str, quantity: int, *, lot: str) -> None:
        line = {
            "product_id": product_id,
            "quantity": quantity,
            "lot_code": lot,
            "expires_on": (today_in_vietnam() + timedelta(days=90)).isoformat(),
            "price_vnd": 45_000,
        }
        response = await self.client.post(
            f"{self._base}/receipts", json={"lines": [line]}, headers=self.operator
        )
        assert response.status_code == 201, response.text

    async def sell(self, product_id: str, quantity: int = 1, *, key: str) -> httpx.Response:
        return await self.client.post(
            f"{self._base}/sales",
            json={
                "lines": [{"product_id": product_id, "quantity": quantity}],
                "payment": {"method": "cash"},
            },
            headers={**self.operator, "Idempotency-Key": key},
        )

    async def balance(self, product_id: str) -> Json:
        response = await self.client.get(f"{self._base}/stock/{product_id}", headers=self.operator)
        assert response.status_code == 200, response.text
        result: Json = response.json()["balance"]
        return result

    async def withdrawals(self) -> list[Json]:
        response = await self.client.get(f"{self._base}/withdrawals", headers=self.operator)
        assert response.status_code == 200, response.text
        result: list[Json] = response.json()
        return result

    async def release(self, withdrawal_id: str) -> None:
        response = await self.client.post(
            f"{self._base}/withdrawals/{withdrawal_id}/release",
            json={"note": "Đã cấp lại giấy chứng nhận"},
            headers=self.operator,
        )
        assert response.status_code == 200, response.text


class Fair:
    """Events: trade staff run a fair with booths; producers register their products."""

    def __init__(self, client: httpx.AsyncClient, settings: EventsSettings) -> None:
        self.client = client
        self.settings = settings
        self.staff = bearer(settings, Role.TRADE_STAFF)
        self.event_id = ""

    def producer(self, producer_id: str) -> dict[str, str]:
        return bearer(self.settings, Role.PRODUCER, producer_id=producer_id)

    async def open_with_booths(self, booths: int) -> str:
        today = today_in_vietnam()
        event = await self.client.post(
            "/api/v1/trade-events",
            headers=self.staff,
            json={
                "kind": "fair",
                "name": "Hội chợ OCOP và xúc tiến thương mại Phú Thọ",
                "venue": "Quảng trường Hùng Vương, Việt Trì",
                "province": "Phú Thọ",
                "organiser": "Sở Công Thương tỉnh Phú Thọ",
                "starts_on": str(today + timedelta(days=30)),
                "ends_on": str(today + timedelta(days=35)),
                "registration_opens": str(today - timedelta(days=1)),
                "registration_closes": str(today + timedelta(days=20)),
            },
        )
        assert event.status_code == 201, event.text
        self.event_id = str(event.json()["id"])
        generated = await self.client.post(
            f"/api/v1/trade-events/{self.event_id}/booths",
            headers=self.staff,
            json={"zone": "Khu A – Nông sản", "prefix": "A", "first": 1, "last": booths},
        )
        assert generated.status_code in (200, 201), generated.text
        return self.event_id

    async def known_product(self, producer_id: str, product_id: str) -> Json | None:
        """The events service's copy of the product, as the producer sees it."""
        response = await self.client.get("/api/v1/products", headers=self.producer(producer_id))
        assert response.status_code == 200, response.text
        return next((p for p in response.json() if p["id"] == product_id), None)

    async def register(self, producer_id: str, product_id: str) -> Json:
        response = await self.client.post(
            f"/api/v1/trade-events/{self.event_id}/participations",
            json={"producer_id": producer_id, "product_ids": [product_id]},
            headers=self.producer(producer_id),
        )
        assert response.status_code == 201, response.text
        result: Json = response.json()
        return result

    async def confirm(self, participation_id: str, booth: str) -> Json:
        response = await self.client.post(
            f"/api/v1/participations/{participation_id}/confirm",
            json={"booth_code": booth},
            headers=self.staff,
        )
        assert response.status_code == 200, response.text
        result: Json = response.json()
        return result

    async def participation(self, participation_id: str) -> Json:
        response = await self.client.get(
            f"/api/v1/participations/{participation_id}", headers=self.staff
        )
        assert response.status_code == 200, response.text
        result: Json = response.json()
        return result


@dataclass
class Platform:
    certification: Certification
    catalogue: Catalogue
    till: Till
    fair: Fair


# -- the four services, their relays and consumers --------------------------------------------


def _worker(run: Callable[..., Awaitable[None]], *args: Any) -> Callable[[asyncio.Event], Any]:
    async def work(stop: asyncio.Event) -> None:
        await run(*args, stop)

    return work


@contextlib.asynccontextmanager
async def running_services(
    mongodb_uri: str,
    cert: CertificationSettings,
    catalog: CatalogSettings,
    orders: OrdersSettings,
    events: EventsSettings,
    *extra_workers: Callable[[asyncio.Event], Any],
) -> AsyncIterator[Platform]:
    """The four APIs in process with every relay and consumer (plus ``extra_workers``);
    their databases are dropped afterwards. The benchmarks run the same platform."""
    try:
        async with (
            app_client(create_certification_app(cert)) as certification_client,
            app_client(create_catalog_app(catalog)) as catalog_client,
            app_client(create_orders_app(orders)) as orders_client,
            app_client(create_events_app(events)) as events_client,
            background(_worker(run_relay, cert)),
            background(_worker(run_relay, catalog)),
            background(_worker(run_relay, orders)),
            background(_worker(run_relay, events)),
            background(_worker(catalog_consume, catalog)),
            background(_worker(orders_consume, orders)),
            background(_worker(events_consume, events)),
            contextlib.AsyncExitStack() as extras,
        ):
            for work in extra_workers:
                await extras.enter_async_context(background(work))
            yield Platform(
                Certification(certification_client, cert),
                Catalogue(catalog_client),
                Till(orders_client, orders),
                Fair(events_client, events),
            )
    finally:
        mongo = create_client(mongodb_uri, app_name="e2e-cleanup")
        for settings in (cert, catalog, orders, events):
            await mongo.drop_database(settings.mongodb_database)
        await mongo.close()


@pytest_asyncio.fixture
async def platform(infra: Endpoints) -> AsyncIterator[Platform]:
    common = {
        "kafka": infra.kafka_bootstrap_servers,
        "mongodb": infra.mongodb_uri,
        "run_id": new_run_id(),  # one topic prefix for all four: events flow between them
    }
    async with running_services(
        infra.mongodb_uri,
        isolated_settings(CertificationSettings, **common),
        isolated_settings(CatalogSettings, **common),
        isolated_settings(OrdersSettings, **common),
        isolated_settings(EventsSettings, **common),
    ) as services:
        yield services


async def soon(probe: Callable[[], Awaitable[T]], until: Callable[[T], bool]) -> T:
    return await eventually(probe, until=until, timeout_s=HANG_GUARD_S)


async def seconds_until(
    started: float, probe: Callable[[], Awaitable[T]], until: Callable[[T], bool]
) -> float:
    """Seconds from `started` (loop time) until the probe first shows the condition."""
    await soon(probe, until)
    return asyncio.get_running_loop().time() - started


# -- the story ---------------------------------------------------------------------------------


async def test_a_revoked_certificate_stops_the_product_everywhere_and_a_new_one_restores_it(
    platform: Platform,
) -> None:
    certification, catalogue, till, fair = (
        platform.certification,
        platform.catalogue,
        platform.till,
        platform.fair,
    )
    today = today_in_vietnam()

    # 1. The officer registers a producer and a product and issues a 4★ certificate.
    producer_id = await certification.register_producer("HTX Bưởi Sửu Chí Đám")
    product_id = await certification.register_product(producer_id, "Bưởi Đoan Hùng")
    first_certificate = await certification.issue(
        product_id, stars=4, decision="1234/QĐ-UBND", on=today - timedelta(days=200)
    )

    # 2a. The catalogue shows it active and eligible everywhere.
    listed = await soon(
        lambda: catalogue.product(product_id),
        until=lambda v: bool(v and v["certificate_status"] == "active" and v["product"]["name"]),
    )
    assert listed is not None
    assert listed["product"]["certificate"]["stars"] == 4
    assert listed["product"]["eligible_channels"] == ["showroom", "marketplace", "fair"]

    # 2b. Orders learns it: a showroom receives consigned stock and sells it.
    await till.open_showroom("VT")
    await soon(lambda: till.view(product_id), until=lambda v: bool(v and v["sellable"]))
    await till.receive(product_id, 10, lot="L1")
    sale_key = uuid.uuid4().hex
    sold = await till.sell(product_id, 1, key=sale_key)
    assert sold.status_code == 201, sold.text
    replayed = await till.sell(product_id, 1, key=sale_key)  # the till retried: sold once
    assert replayed.status_code == 201
    assert replayed.headers.get("Idempotent-Replayed") == "true"
    assert replayed.json()["id"] == sold.json()["id"]
    assert (await till.balance(product_id))["available"] == 9

    # 2c. Events learns it: the producer registers the product for a fair; staff confirm a booth.
    await fair.open_with_booths(10)
    await soon(
        lambda: fair.known_product(producer_id, product_id),
        until=lambda p: bool(p and "fair" in p["eligible_channels"]),
    )
    participation = await fair.register(producer_id, product_id)
    confirmed = await fair.confirm(participation["id"], "A03")
    assert (confirmed["status"], confirmed["booth_code"]) == ("confirmed", "A03")
    assert confirmed["flags"] == []

    # 3. The officer revokes the certificate; every service reacts on its own.
    reason = "Vi phạm an toàn thực phẩm khi hậu kiểm"
    await certification.revoke(first_certificate, reason=reason, on=today)
    revoked_at = asyncio.get_running_loop().time()

    async def till_attempt() -> httpx.Response:
        # More than the shelf holds: while the product is sellable the till answers
        # out-of-stock and sells nothing, so polling with it never changes the stock.
        return await till.sell(product_id, 1000, key=uuid.uuid4().hex)

    async def participation_now() -> Json:
        return await fair.participation(participation["id"])

    catalogue_s, till_s, fair_s = await asyncio.gather(
        seconds_until(
            revoked_at,
            lambda: catalogue.product(product_id),
            lambda v: bool(v and v["certificate_status"] == "revoked"),
        ),
        seconds_until(revoked_at, till_attempt, lambda r: r.json().get("type") == "not-sellable"),
        seconds_until(revoked_at, participation_now, lambda p: bool(p["flags"])),
    )
    print(
        "\nPropagation from the revoke response:"
        f"\n  (a) catalogue shows revoked   {catalogue_s * 1000:7.0f} ms"
        f"\n  (b) till refuses the sale     {till_s * 1000:7.0f} ms"
        f"\n  (c) fair participation flagged{fair_s * 1000:7.0f} ms"
    )

    withdrawn = await catalogue.product(product_id)
    assert withdrawn is not None
    assert withdrawn["product"]["eligible_channels"] == []  # withdrawn from every channel

    refused = await till.sell(product_id, 1, key=uuid.uuid4().hex)
    assert refused.status_code == 409, refused.text
    problem = refused.json()
    assert problem["type"] == "not-sellable"
    assert product_id in problem["detail"] and "Bưởi Đoan Hùng" in problem["detail"]
    assert "thu hồi" in problem["detail"] and reason in problem["detail"]

    balance = await soon(lambda: till.balance(product_id), until=lambda b: b["quarantined"] > 0)
    assert (balance["available"], balance["quarantined"]) == (0, 9)
    (withdrawal,) = await till.withdrawals()
    assert (withdrawal["product_id"], withdrawal["quantity"]) == (product_id, 9)
    assert withdrawal["certificate_id"] == first_certificate
    assert reason in withdrawal["reason"]

    flagged = await fair.participation(participation["id"])
    assert [(f["product_id"], f["kind"]) for f in flagged["flags"]] == [(product_id, "revoked")]
    assert reason in flagged["flags"][0]["reason"]
    assert flagged["status"] == "confirmed"  # staff decide; the system only flags

    # 4. A new certificate: the product may be sold again and its stock goes back on the shelf.
    second_certificate = await certification.issue(
        product_id, stars=4, decision="2000/QĐ-UBND", on=today
    )
    assert second_certificate != first_certificate
    relisted = await soon(
        lambda: catalogue.product(product_id),
        until=lambda v: bool(v and v["certificate_status"] == "active"),
    )
    assert relisted is not None
    assert relisted["product"]["eligible_channels"] == ["showroom", "marketplace", "fair"]
    await soon(lambda: till.view(product_id), until=lambda v: bool(v and v["sellable"]))
    await till.release(withdrawal["id"])
    again = await till.sell(product_id, 2, key=uuid.uuid4().hex)
    assert again.status_code == 201, again.text
    assert (await till.balance(product_id))["available"] == 7
    assert await till.withdrawals() == []  # the withdrawal is closed
    await soon(
        lambda: fair.known_product(producer_id, product_id),
        until=lambda p: bool(p and "fair" in p["eligible_channels"]),
    )
    for service in (catalogue.client, till.client, fair.client):
        messaging = (await service.get("/health/messaging")).json()
        assert messaging["dead_letters"] == 0, messaging
