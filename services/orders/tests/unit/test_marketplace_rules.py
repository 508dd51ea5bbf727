"""Listing rules, feed rows, webhook signatures and the partner-API adapter (against the
fake marketplace in-process)."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request

from ocop_orders.domain.model import CertificateInfo, Product
from ocop_orders.marketplace.adapters.partner_api import (
    ChannelConfig,
    PartnerApiClient,
    sign,
    verify_signature,
)
from ocop_orders.marketplace.domain.channel import RemotePayment
from ocop_orders.marketplace.domain.listings import (
    Listing,
    Marketplace,
    content_hash,
    listing_content,
    plan_sync,
)
from ocop_orders.marketplace.service_layer.feed import FEED_HEADERS, csv_bytes, feed_rows
from ocop_orders.service_layer.outbound import CallFailedError
from ocop_platform.stand_ins.marketplace import (
    create_fake_marketplace,
    free_port,
    running_marketplace,
)
from ocop_shared.contracts.catalog import CertificateStatus

NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
TODAY = date(2026, 11, 24)


def product(status: CertificateStatus = CertificateStatus.ACTIVE, **extra: object) -> Product:
    data: dict[str, object] = {
        "id": "sp-mi-gao",
        "name": "Mì gạo Hùng Lô",
        "producer_id": "prd-hung-lo",
        "suggested_price_vnd": 65_000,
        "group_code": "food",
        "traceability_url": "https://truyxuatnguongoc.gov.vn/p/1",
        "certificate": CertificateInfo(
            certificate_id="gcn-1",
            number="GCN-1",
            stars=4,
            valid_from=date(2025, 6, 15),
            valid_until=date(2028, 6, 15),
            status=status,
        ),
        "listed_for_marketplace": True,
        **extra,
    }
    return Product.model_validate(data)


def listing(**extra: object) -> Listing:
    data: dict[str, object] = {
        "id": "postmart-sp-mi-gao",
        "producer_id": "prd-hung-lo",
        "product_id": "sp-mi-gao",
        "channel": Marketplace.POSTMART,
        "created_at": NOW,
        "updated_at": NOW,
        **extra,
    }
    return Listing.model_validate(data)


def test_new_wanted_listing_of_an_eligible_product_is_upserted() -> None:
    step, blocked = plan_sync(listing(), product(), TODAY)
    assert blocked is None
    assert step is not None and step.operation == "upsert"
    assert step.content is not None and step.content["price_vnd"] == 65_000


def test_unchanged_content_queues_nothing_and_a_price_change_queues_an_upsert() -> None:
    digest = content_hash(listing_content(listing(), product()))
    live = listing(queued_state="live", queued_hash=digest)
    assert plan_sync(live, product(), TODAY) == (None, None)
    step, _ = plan_sync(live, product(suggested_price_vnd=70_000), TODAY)
    assert step is not None and step.operation == "upsert"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"status": CertificateStatus.REVOKED}, "thu hồi"),
        ({"status": CertificateStatus.EXPIRED}, "hết hiệu lực"),
    ],
)
def test_live_listing_of_a_product_that_lost_its_certificate_is_delisted(
    change: dict[str, CertificateStatus], reason: str
) -> None:
    step, blocked = plan_sync(listing(queued_state="live"), product(**change), TODAY)
    assert step is not None and step.operation == "delist"
    assert blocked is not None and reason in blocked


def test_certificate_past_its_end_date_counts_as_expired() -> None:
    step, _ = plan_sync(listing(queued_state="live"), product(), date(2028, 6, 16))
    assert step is not None and step.operation == "delist"


def test_a_listing_never_sent_is_not_delisted() -> None:
    step, blocked = plan_sync(listing(), product(CertificateStatus.REVOKED), TODAY)
    assert step is None and blocked is not None


def test_producer_withdrawal_delists_a_live_listing() -> None:
    step, blocked = plan_sync(listing(queued_state="live", wanted=False), product(), TODAY)
    assert step is not None and step.operation == "delist" and blocked is None


def test_catalogue_policy_without_marketplace_blocks_listing() -> None:
    _, blocked = plan_sync(listing(), product(listed_for_marketplace=False), TODAY)
    assert blocked is not None and "sàn thương mại điện tử" in blocked


def test_feed_rows_hold_only_eligible_products_with_listing_price_and_stock() -> None:
    ok = product()
    revoked = product(CertificateStatus.REVOKED, id="sp-2", name="Bưởi")
    rows = feed_rows([revoked, ok], {ok.id: listing(price_vnd=80_000, stock=7)}, TODAY)
    assert rows == [
        [
            "sp-mi-gao",
            "Mì gạo Hùng Lô",
            "food",
            80_000,
            7,
            "",
            "",
            4,
            "GCN-1",
            "15/06/2025",
            "15/06/2028",
            "https://truyxuatnguongoc.gov.vn/p/1",
        ]
    ]
    assert len(FEED_HEADERS) == len(rows[0])


def test_csv_starts_with_a_bom_and_keeps_vietnamese() -> None:
    data = csv_bytes(["Tên"], [["Chè búp tím, loại 1"]])
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig") == 'Tên\r\n"Chè búp tím, loại 1"\r\n'


def test_webhook_signature_is_hmac_sha256_of_the_raw_body() -> None:
    body = b'{"event":"order.updated"}'
    header = sign("secret", body)
    assert header.startswith("sha256=") and len(header) == 7 + 64
    assert verify_signature("secret", body, header)
    assert not verify_signature("secret", body + b" ", header)
    assert not verify_signature("other", body, header)
    assert not verify_signature("secret", body, None)


def client_for(app: object) -> PartnerApiClient:
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://fake")  # type: ignore[arg-type]
    return PartnerApiClient(ChannelConfig("postmart", "http://fake", "dev-postmart-key", "s"), http)


async def test_fetch_orders_returns_typed_pages_since_a_time() -> None:
    app = create_fake_marketplace("postmart")
    client = client_for(app)
    older = (NOW - timedelta(days=1)).isoformat()
    for n in range(3):
        order = {
            "remote_order_id": f"PM{n}",
            "status": "confirmed",
            "seller_id": "prd-hung-lo",
            "buyer": {
                "name": "Nguyễn Thị Lan",
                "phone": "0912345678",
                "address": {"province": "Phú Thọ", "commune": "Hùng Lô", "street": "Số 5"},
            },
            "lines": [{"sku": "sp-mi-gao", "quantity": 2, "unit_price_vnd": 65_000}],
            "payment_method": "cod",
            "subtotal_vnd": 130_000,
            "total_vnd": 130_000,
            "updated_at": older if n == 0 else NOW.isoformat(),
        }
        await client._http.post("/_fake/orders", json=order)
    page = await client.fetch_orders(NOW - timedelta(hours=1), seller_id="prd-hung-lo")
    assert [o.remote_order_id for o in page.items] == ["PM1", "PM2"]
    first = page.items[0]
    assert first.payment_method is RemotePayment.COD
    assert first.buyer.address.commune == "Hùng Lô"
    assert first.lines[0].quantity == 2 and first.lines[0].unit_price_vnd == 65_000
    assert page.next_cursor is None
    everything = await client.fetch_orders(None, seller_id="prd-hung-lo")
    assert len(everything.items) == 3
    assert (await client.fetch_orders(None, seller_id="someone-else")).items == []


async def test_adapter_classifies_failures_for_the_journal() -> None:
    app = create_fake_marketplace("postmart")
    client = client_for(app)
    content = {"name": "Mì gạo", "price_vnd": 0}
    with pytest.raises(CallFailedError) as refused:
        await client.upsert_listing("prd", "sp-1", content, idempotency_key="k1")
    assert refused.value.status_code == 422 and not refused.value.retryable
    app.state.fake.mode = "500"
    with pytest.raises(CallFailedError) as failed:
        await client.upsert_listing("prd", "sp-1", content, idempotency_key="k2")
    assert failed.value.retryable
    app.state.fake.mode = "garbage"
    with pytest.raises(CallFailedError) as garbage:
        await client.list_listings("prd")
    assert garbage.value.retryable and "JSON" in garbage.value.message
    app.state.fake.mode = "up"
    assert await client.delist("prd", "sp-none", "x", idempotency_key="k3") is None
    receipt = await client.upsert_listing(
        "prd", "sp-1", {"name": "Mì gạo", "price_vnd": 1000}, idempotency_key="k4"
    )
    again = await client.upsert_listing(
        "prd", "sp-1", {"name": "Mì gạo", "price_vnd": 1000}, idempotency_key="k4"
    )
    assert receipt == again and receipt.status == "active"
    assert app.state.fake.requests[-1].get("replayed") is True


async def test_fake_pushes_injected_orders_to_the_webhook_signed() -> None:
    received: list[tuple[bytes, str | None]] = []
    receiver = FastAPI()

    @receiver.post("/hook")
    async def hook(request: Request) -> dict[str, bool]:
        received.append((await request.body(), request.headers.get("x-signature")))
        return {"ok": True}

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(receiver, port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    for _ in range(500):  # until uvicorn listens
        if server.started:
            break
        await asyncio.sleep(0.02)
    try:
        async with (
            running_marketplace(
                "voso", webhook_url=f"http://127.0.0.1:{port}/hook", webhook_secret="s3cret"
            ) as fake,
            httpx.AsyncClient(base_url=fake.base_url) as http,
        ):
            await http.post("/_fake/orders", json={"status": "pending", "seller_id": "p"})
    finally:
        server.should_exit = True
        await task
    [(body, signature)] = received
    assert verify_signature("s3cret", body, signature)
    assert b'"order.updated"' in body
