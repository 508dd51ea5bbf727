"""Marketplace connectors against the real Kafka and database, with fake Postmart and Voso
servers on free ports: revocation delists everywhere, renewal relists, a marketplace that
is down loses nothing and gets the calls in order, parked calls can be redriven, bad input
writes nothing, reconcile fixes drift, feeds download."""

from __future__ import annotations

import asyncio
import io
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import pytest
import pytest_asyncio
from aiokafka import AIOKafkaProducer
from openpyxl import load_workbook

from ocop_orders.adapters.repository import OrdersRepository
from ocop_orders.config import OrdersSettings
from ocop_orders.domain.model import CertificateInfo, Product
from ocop_orders.entrypoints.api import create_app
from ocop_orders.entrypoints.connectors import run_connectors
from ocop_orders.entrypoints.consumer import consume
from ocop_orders.service_layer.outbound import CALLS
from ocop_platform.infra import Endpoints
from ocop_platform.stand_ins.marketplace import RunningFake, running_marketplace
from ocop_platform.testing.support import (
    background,
    bearer,
    eventually,
    isolated_settings,
    new_run_id,
    service_api,
)
from ocop_shared.auth import Role
from ocop_shared.contracts.catalog import CertificateStatus, Channel, ProductUpdatedV1
from ocop_shared.contracts.certification import (
    CertificateIssuedV1,
    CertificateRevokedV1,
    RecognitionLevel,
)
from ocop_shared.contracts.envelope import EventData, make_envelope
from ocop_shared.messaging.kafka import create_producer, ensure_topics
from ocop_shared.messaging.workers import all_topics
from ocop_shared.mongo import Database, create_client

pytestmark = pytest.mark.integration

PRODUCER = "prd-hung-lo"
OTHER_PRODUCER = "prd-chi-dam"


@dataclass
class Market:
    client: httpx.AsyncClient
    settings: OrdersSettings
    db: Database
    postmart: RunningFake
    voso: RunningFake

    @property
    def admin(self) -> dict[str, str]:
        return bearer(self.settings, Role.ADMIN)

    def producer(self, producer_id: str = PRODUCER) -> dict[str, str]:
        return bearer(self.settings, Role.PRODUCER, producer_id=producer_id)

    async def product(
        self,
        *,
        marketplace: bool = True,
        price: int = 65_000,
        name: str = "Mì gạo Hùng Lô loại đặc biệt",
    ) -> str:
        product_id = f"sp-{uuid.uuid4().hex[:10]}"
        await OrdersRepository(self.db).save_product(
            Product(
                id=product_id,
                name=name,
                producer_id=PRODUCER,
                producer_name="HTX Mì gạo Hùng Lô",
                suggested_price_vnd=price,
                group_code="food",
                description="Mì gạo làng nghề Hùng Lô, phơi nắng tự nhiên",
                image_url="https://example.vn/mi-gao.jpg",
                traceability_url="https://truyxuatnguongoc.gov.vn/p/hunglo",
                certificate=CertificateInfo(
                    certificate_id=f"gcn-{product_id}",
                    number="GCN-145/QĐ-UBND",
                    stars=4,
                    valid_until=date(2028, 6, 15),
                    valid_from=date(2025, 6, 15),
                    status=CertificateStatus.ACTIVE,
                ),
                certificate_sequence=1,
                listed_for_showrooms=True,
                listed_for_marketplace=marketplace,
                catalog_sequence=1,
            )
        )
        return product_id

    async def list(self, product_id: str, channel: str, **extra: Any) -> httpx.Response:
        return await self.client.post(
            "/api/v1/listings",
            json={"product_id": product_id, "channel": channel, **extra},
            headers=self.producer(),
        )

    async def listing(self, listing_id: str) -> dict[str, Any]:
        response = await self.client.get(f"/api/v1/listings/{listing_id}", headers=self.admin)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()["listing"]
        return result


def ok_requests(fake: RunningFake, sku: str) -> list[tuple[str, str, Any]]:
    """(method, path, body) of the requests about ``sku`` the fake accepted, in order."""
    return [
        (r["method"], r["path"], r["body"])
        for r in fake.state.requests
        if sku in r["path"] and 200 <= int(r.get("status", 0)) < 300
    ]


async def fast_settings(infra: Endpoints, postmart: str, voso: str, **extra: Any) -> OrdersSettings:
    return isolated_settings(
        OrdersSettings,
        kafka=infra.kafka_bootstrap_servers,
        mongodb=infra.mongodb_uri,
        run_id=new_run_id(),
        postmart_base_url=postmart,
        voso_base_url=voso,
        outbound_poll_interval_s=0.05,
        outbound_backoff_base_s=0.05,
        outbound_backoff_cap_s=0.4,
        outbound_timeout_s=2.0,
        **extra,
    )


@pytest_asyncio.fixture
async def market(infra: Endpoints, request: pytest.FixtureRequest) -> AsyncIterator[Market]:
    extra: dict[str, Any] = getattr(request, "param", {})
    async with (
        running_marketplace("postmart") as postmart,
        running_marketplace("voso") as voso,
    ):
        settings = await fast_settings(infra, postmart.base_url, voso.base_url, **extra)
        async with service_api(settings, create_app) as (client, _):
            mongo = create_client(settings.mongodb_uri, app_name="market-test")
            try:
                yield Market(client, settings, mongo[settings.mongodb_database], postmart, voso)
            finally:
                await mongo.close()


@pytest_asyncio.fixture
async def worker(market: Market) -> AsyncIterator[None]:
    async def connectors(stop: asyncio.Event) -> None:
        await run_connectors(market.settings, stop)

    async with background(connectors):
        yield


async def publish(
    producer: AIOKafkaProducer,
    settings: OrdersSettings,
    data: EventData,
    subject: str,
    sequence: int,
    source: str,
) -> None:
    envelope = make_envelope(data, source=source, subject=subject, sequence=sequence)
    await producer.send_and_wait(
        settings.topic(type(data).topic), envelope.to_bytes(), key=subject.encode()
    )


async def test_revocation_delists_on_every_marketplace_and_renewal_relists(
    market: Market, worker: None
) -> None:
    settings = market.settings
    product_id = await market.product()
    for channel in ("postmart", "voso"):
        response = await market.list(product_id, channel, stock=20)
        assert response.status_code == 201, response.text
    for fake in (market.postmart, market.voso):
        await eventually(
            lambda f=fake: asyncio.sleep(0, ok_requests(f, product_id)),
            until=lambda got: len(got) == 1,
        )
    await eventually(
        lambda: market.listing(f"voso-{product_id}"),
        until=lambda x: x["status"] == "listed" and x["remote_id"],
    )

    await ensure_topics(settings.kafka_bootstrap_servers, all_topics(settings))
    producer = create_producer(settings.kafka_bootstrap_servers, client_id="test-cert")
    await producer.start()

    async def consumer(stop: asyncio.Event) -> None:
        await consume(settings, stop)

    try:
        async with background(consumer):
            await publish(
                producer,
                settings,
                CertificateRevokedV1(
                    certificate_id=f"gcn-{product_id}",
                    certificate_number="GCN-145/QĐ-UBND",
                    product_id=product_id,
                    producer_id=PRODUCER,
                    decision_number="99/QĐ-UBND",
                    decision_date=date(2026, 11, 20),
                    reason="Vi phạm an toàn thực phẩm khi hậu kiểm",
                    issuing_authority="UBND tỉnh Phú Thọ",
                ),
                product_id,
                2,
                "certification",
            )
            for fake in (market.postmart, market.voso):
                got = await eventually(
                    lambda f=fake: asyncio.sleep(0, ok_requests(f, product_id)),
                    until=lambda got: len(got) == 2,
                )
                assert got[-1][0] == "POST" and got[-1][1].endswith("/delist")
            listing = await eventually(
                lambda: market.listing(f"postmart-{product_id}"),
                until=lambda x: x["status"] == "delisted",
            )
            assert "thu hồi" in (listing["blocked_reason"] or "")

            await publish(
                producer,
                settings,
                CertificateIssuedV1(
                    certificate_id=f"gcn2-{product_id}",
                    certificate_number="GCN-200/QĐ-UBND",
                    product_id=product_id,
                    producer_id=PRODUCER,
                    stars=5,
                    level=RecognitionLevel.PROVINCE,
                    issuing_authority="UBND tỉnh Phú Thọ",
                    decision_number="200/QĐ-UBND",
                    decision_date=date(2026, 11, 22),
                    valid_from=date(2026, 11, 22),
                    valid_until=date(2029, 11, 22),
                ),
                product_id,
                3,
                "certification",
            )
            for fake in (market.postmart, market.voso):
                got = await eventually(
                    lambda f=fake: asyncio.sleep(0, ok_requests(f, product_id)),
                    until=lambda got: len(got) == 3,
                )
                method, _, body = got[-1]
                assert method == "PUT"
                assert body["ocop_stars"] == 5
                assert body["certificate_number"] == "GCN-200/QĐ-UBND"

            await publish(
                producer,
                settings,
                ProductUpdatedV1(
                    product_id=product_id,
                    producer_id=PRODUCER,
                    name="Mì gạo Hùng Lô loại đặc biệt",
                    stars=5,
                    certificate_number="GCN-200/QĐ-UBND",
                    certificate_status=CertificateStatus.ACTIVE,
                    valid_until=date(2029, 11, 22),
                    eligible_channels=[Channel.SHOWROOM, Channel.MARKETPLACE],
                    suggested_price_vnd=72_000,
                ),
                product_id,
                5,
                "catalog",
            )
            got = await eventually(
                lambda: asyncio.sleep(0, ok_requests(market.postmart, product_id)),
                until=lambda got: len(got) == 4,
            )
            assert got[-1][0] == "PUT" and got[-1][2]["price_vnd"] == 72_000
    finally:
        await producer.stop()


@pytest.mark.parametrize("market", [{"outbound_max_attempts": 100}], indirect=True)
async def test_marketplace_down_loses_no_change_and_gets_calls_in_order(
    market: Market, worker: None
) -> None:
    product_id = await market.product()
    async with httpx.AsyncClient(base_url=market.postmart.base_url) as fake:
        await fake.post("/_fake/mode", json={"mode": "down"})
        assert (await market.list(product_id, "postmart", stock=5)).status_code == 201
        listing_id = f"postmart-{product_id}"
        for price in (70_000, 71_000, 72_000):
            response = await market.client.patch(
                f"/api/v1/listings/{listing_id}",
                json={"price_vnd": price},
                headers=market.producer(),
            )
            assert response.status_code == 200, response.text
        await market.client.patch(
            f"/api/v1/listings/{listing_id}", json={"stock": 9}, headers=market.producer()
        )
        await eventually(
            lambda: asyncio.sleep(0, market.postmart.received("PUT", product_id)),
            until=lambda got: len(got) >= 3,  # it kept trying while down
        )
        assert ok_requests(market.postmart, product_id) == []
        await fake.post("/_fake/mode", json={"mode": "up"})
        got = await eventually(
            lambda: asyncio.sleep(0, ok_requests(market.postmart, product_id)),
            until=lambda got: len(got) == 5,
        )
    assert [(m, p.rsplit("/", 1)[-1]) for m, p, _ in got] == [
        ("PUT", product_id),
        ("PUT", product_id),
        ("PUT", product_id),
        ("PUT", product_id),
        ("PATCH", "stock"),
    ]
    assert [b["price_vnd"] for m, _, b in got if m == "PUT"] == [65_000, 70_000, 71_000, 72_000]
    assert got[-1][2] == {"stock": 9}
    remote = market.postmart.state.listings[(PRODUCER, product_id)]
    assert remote["price_vnd"] == 72_000 and remote["stock"] == 9
    await eventually(lambda: market.listing(listing_id), until=lambda x: x["status"] == "listed")


@pytest.mark.parametrize("market", [{"outbound_max_attempts": 2}], indirect=True)
async def test_call_parks_after_max_attempts_and_redrive_succeeds(
    market: Market, worker: None
) -> None:
    product_id = await market.product()
    market.postmart.state.mode = "500"
    assert (await market.list(product_id, "postmart")).status_code == 201
    listing_id = f"postmart-{product_id}"
    failed = await eventually(
        lambda: market.listing(listing_id), until=lambda x: x["status"] == "failed"
    )
    assert "HTTP 500" in failed["last_error"]
    parked = (
        await market.client.get("/api/v1/calls", params={"outcome": "parked"}, headers=market.admin)
    ).json()
    assert [c["key"] for c in parked] == [listing_id]
    assert len(parked[0]["attempts"]) == 2
    assert parked[0]["attempts"][0]["status_code"] == 500
    market.postmart.state.mode = "up"
    forbidden = await market.client.post(
        "/api/v1/calls/redrive", json={}, headers=market.producer()
    )
    assert forbidden.status_code == 403
    response = await market.client.post(
        "/api/v1/calls/redrive", json={"target": "postmart"}, headers=market.admin
    )
    assert response.json()["redriven"] == [parked[0]["id"]]
    await eventually(lambda: market.listing(listing_id), until=lambda x: x["status"] == "listed")
    assert len(ok_requests(market.postmart, product_id)) == 1
    events = [
        d["type"]
        for d in await market.db["outbox"].find({"key": listing_id}).sort("created_at", 1).to_list()
    ]
    assert events == ["ocop.orders.listing.sync_failed.v1", "ocop.orders.listing.synced.v1"]


async def test_bad_listing_requests_are_refused_and_write_nothing(market: Market) -> None:
    not_for_marketplace = await market.product(marketplace=False)
    response = await market.list(not_for_marketplace, "postmart")
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "product_id" in str(response.json())

    eligible = await market.product()
    response = await market.client.post(
        "/api/v1/listings",
        json={"product_id": eligible, "channel": "voso"},
        headers=market.producer(OTHER_PRODUCER),
    )
    assert response.status_code == 403
    response = await market.list(eligible, "lazada")
    assert response.status_code == 422
    response = await market.list(eligible, "voso", price_vnd={"$gt": 0})
    assert response.status_code == 422
    assert await market.db["listings"].count_documents({}) == 0
    assert await market.db[CALLS].count_documents({}) == 0

    assert (await market.list(eligible, "voso")).status_code == 201
    other = await market.client.patch(
        f"/api/v1/listings/voso-{eligible}",
        json={"price_vnd": 1},
        headers=market.producer(OTHER_PRODUCER),
    )
    assert other.status_code == 403
    mine = await market.client.get("/api/v1/listings", headers=market.producer(OTHER_PRODUCER))
    assert mine.json() == []


async def test_reconcile_reports_drift_and_queues_fixes(market: Market, worker: None) -> None:
    product_id = await market.product()
    assert (await market.list(product_id, "postmart")).status_code == 201
    listing_id = f"postmart-{product_id}"
    await eventually(lambda: market.listing(listing_id), until=lambda x: x["status"] == "listed")
    # Drift: someone hid our listing on the marketplace and added one we do not know.
    market.postmart.state.listings[(PRODUCER, product_id)]["status"] = "inactive"
    market.postmart.state.listings[(PRODUCER, "sp-unknown")] = {
        "listing_id": "po-x",
        "sku": "sp-unknown",
        "status": "active",
        "name": "?",
    }
    response = await market.client.post(
        "/api/v1/marketplaces/reconcile", params={"channel": "postmart"}, headers=market.admin
    )
    assert response.status_code == 200, response.text
    [report] = response.json()
    assert {(d["sku"], d["problem"], d["fix"]) for d in report["differences"]} == {
        (product_id, "inactive", "upsert"),
        ("sp-unknown", "orphan", "delist"),
    }
    await eventually(
        lambda: asyncio.sleep(0, dict(market.postmart.state.listings)),
        until=lambda ls: (
            ls[(PRODUCER, product_id)]["status"] == "active"
            and ls[(PRODUCER, "sp-unknown")]["status"] == "inactive"
        ),
    )


async def test_feed_downloads_in_csv_with_bom_and_xlsx(market: Market) -> None:
    product_id = await market.product()
    await market.product(marketplace=False)
    assert (await market.list(product_id, "voso", price_vnd=80_000, stock=12)).status_code == 201
    csv = await market.client.get(
        f"/api/v1/producers/{PRODUCER}/marketplace-feed.csv",
        params={"channel": "voso"},
        headers=market.producer(),
    )
    assert csv.status_code == 200
    assert csv.content.startswith(b"\xef\xbb\xbf")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Mã SKU,Tên sản phẩm,Ngành hàng,Giá bán (VNĐ)")
    assert len(lines) == 2
    assert f"{product_id},Mì gạo Hùng Lô loại đặc biệt,food,80000,12" in lines[1]
    assert "15/06/2025" in lines[1] and "GCN-145/QĐ-UBND" in lines[1]
    xlsx = await market.client.get(
        f"/api/v1/producers/{PRODUCER}/marketplace-feed.xlsx", headers=market.producer()
    )
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None and sheet.cell(2, 1).value == product_id
    other = await market.client.get(
        f"/api/v1/producers/{PRODUCER}/marketplace-feed.csv",
        headers=market.producer(OTHER_PRODUCER),
    )
    assert other.status_code == 403


async def test_feed_files_show_a_formula_like_name_as_text(market: Market) -> None:
    product_id = await market.product(name='=HYPERLINK("x")\x03 Mì')
    assert (await market.list(product_id, "voso", price_vnd=80_000, stock=12)).status_code == 201
    csv = await market.client.get(
        f"/api/v1/producers/{PRODUCER}/marketplace-feed.csv",
        params={"channel": "voso"},
        headers=market.producer(),
    )
    assert csv.status_code == 200
    row = csv.content.decode("utf-8-sig").splitlines()[1]
    assert f'{product_id},"\'=HYPERLINK(""x"")\ufffd Mì",' in row
    assert "\x03" not in csv.text
    xlsx = await market.client.get(
        f"/api/v1/producers/{PRODUCER}/marketplace-feed.xlsx", headers=market.producer()
    )
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None and sheet.cell(2, 2).data_type == "s"
    assert sheet.cell(2, 2).value == '=HYPERLINK("x")\ufffd Mì'


async def test_console_pages_show_listings_and_errors(market: Market) -> None:
    product_id = await market.product()
    assert (await market.list(product_id, "postmart")).status_code == 201
    page = await market.client.get(
        "/quay/san-tmdt", params={"producer_id": PRODUCER}, headers=market.admin
    )
    assert page.status_code == 200
    assert "Mì gạo Hùng Lô" in page.text and "Đang đồng bộ" in page.text
    errors = await market.client.get("/quay/san-tmdt/loi", headers=market.admin)
    assert errors.status_code == 200 and "Lệnh gọi bị dừng" in errors.text
    mine = await market.client.get("/quay/san-tmdt", headers=market.producer())
    assert mine.status_code == 200 and "Đăng sản phẩm lên sàn" in mine.text
    refused = await market.client.get("/quay/san-tmdt/loi", headers=market.producer())
    assert refused.status_code == 403


async def test_console_forms_list_withdraw_redrive_and_download(market: Market) -> None:
    product_id = await market.product()
    form = {
        "product_id": product_id,
        "producer_id": PRODUCER,
        "channel": "voso",
        "price_vnd": "79.000",
        "stock": "6",
    }
    posted = await market.client.post("/quay/san-tmdt/dang", data=form, headers=market.producer())
    assert posted.status_code == 303 and "ok=" in posted.headers["location"]
    listing = await market.listing(f"voso-{product_id}")
    assert listing["price_vnd"] == 79_000 and listing["stock"] == 6
    again = await market.client.post("/quay/san-tmdt/dang", data=form, headers=market.producer())
    assert "loi=" in again.headers["location"]  # already listed: told, not a 500
    bad = await market.client.post(
        "/quay/san-tmdt/dang", data={**form, "channel": "tiki"}, headers=market.producer()
    )
    assert bad.status_code == 303 and "loi=" in bad.headers["location"]
    stolen = await market.client.post(
        f"/quay/san-tmdt/voso-{product_id}/ngung-ban", headers=market.producer(OTHER_PRODUCER)
    )
    assert "loi=" in stolen.headers["location"]
    assert (await market.listing(f"voso-{product_id}"))["wanted"] is True
    gone = await market.client.post(
        f"/quay/san-tmdt/voso-{product_id}/ngung-ban", headers=market.producer()
    )
    assert gone.status_code == 303 and "ok=" in gone.headers["location"]
    assert (await market.listing(f"voso-{product_id}"))["wanted"] is False
    download = await market.client.get(
        f"/quay/san-tmdt/tep/{PRODUCER}.csv", params={"channel": "voso"}, headers=market.producer()
    )
    assert download.status_code == 200 and download.content.startswith(b"\xef\xbb\xbf")
    refused = await market.client.post("/quay/san-tmdt/thu-lai", headers=market.producer())
    assert refused.status_code == 403
    redriven = await market.client.post("/quay/san-tmdt/thu-lai", headers=market.admin)
    assert redriven.status_code == 303


async def test_reconcile_delists_a_listing_whose_certificate_reached_its_end_date(
    market: Market, worker: None
) -> None:
    product_id = await market.product()
    assert (await market.list(product_id, "postmart")).status_code == 201
    listing_id = f"postmart-{product_id}"
    await eventually(lambda: market.listing(listing_id), until=lambda x: x["status"] == "listed")
    repo = OrdersRepository(market.db)
    product = await repo.get_product(product_id)
    assert product.certificate is not None
    lapsed = product.certificate.model_copy(update={"valid_until": date(2025, 1, 1)})
    await repo.save_product(product.model_copy(update={"certificate": lapsed}))
    response = await market.client.post(
        "/api/v1/marketplaces/reconcile", params={"channel": "postmart"}, headers=market.admin
    )
    assert response.status_code == 200
    got = await eventually(
        lambda: asyncio.sleep(0, ok_requests(market.postmart, product_id)),
        until=lambda got: len(got) == 2,
    )
    assert got[-1][1].endswith("/delist")
    listing = await eventually(
        lambda: market.listing(listing_id), until=lambda x: x["status"] == "delisted"
    )
    assert "hết hiệu lực" in listing["blocked_reason"]
