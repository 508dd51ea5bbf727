"""Latency from "certificate revoked" (event published) to "delist received" by the fake
Postmart and Voso servers, with a floor measured in the same run.

    python3 -m uv run python services/orders/benchmarks/delist_latency.py [--products N]

Starts Kafka and SecantusDB (or uses KAFKA_BOOTSTRAP_SERVERS and MONGODB_URI), then as
separate processes: both fake marketplaces, the orders consumer and the connectors worker
(journal drain). Seeds N products listed on both marketplaces, then

- one by one: publishes CertificateRevokedV1 and waits until both fakes received the
  delist (latency = fake's receive time − time before publishing);
- burst: revokes N more products at once and measures each until delisted everywhere.

Floor, same run: Kafka produce → a bare consumer's receipt, and a direct HTTP delist to a
fake (the two hops the pipeline cannot avoid). Not a test: figures depend on the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import httpx

from ocop_orders.adapters.repository import OrdersRepository, ensure_indexes
from ocop_orders.config import OrdersSettings
from ocop_orders.domain.model import CertificateInfo, Product
from ocop_orders.marketplace.domain.listings import Marketplace
from ocop_orders.marketplace.service_layer.listings import ListingRequest, create_listing
from ocop_orders.service_layer.unit_of_work import Orders
from ocop_platform.infra import KafkaBroker, MongoServer, free_port, tool_cache_dir
from ocop_shared.auth import Principal, Role
from ocop_shared.contracts.catalog import CertificateStatus
from ocop_shared.contracts.certification import CertificateRevokedV1
from ocop_shared.contracts.envelope import make_envelope
from ocop_shared.messaging.kafka import create_producer, ensure_topics
from ocop_shared.messaging.workers import all_topics
from ocop_shared.runtime import open_runtime
from ocop_shared.timeutil import Clock

PRODUCER = "prd-bench"


@contextlib.contextmanager
def servers() -> Iterator[tuple[str, str]]:
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS") and os.environ.get("MONGODB_URI"):
        yield os.environ["KAFKA_BOOTSTRAP_SERVERS"], os.environ["MONGODB_URI"]
        return
    with tempfile.TemporaryDirectory(prefix="delist-bench-") as work:
        kafka = KafkaBroker(
            Path(work) / "kafka", free_port(), free_port(), cache_dir=tool_cache_dir()
        )
        mongo = MongoServer(Path(work) / "mongo", free_port(), cache_dir=tool_cache_dir())
        kafka.start()
        mongo.start()
        try:
            yield kafka.bootstrap_servers, mongo.uri
        finally:
            mongo.stop()
            kafka.stop()


@contextlib.contextmanager
def process(argv: list[str], env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen([sys.executable, *argv], env={**os.environ, **env})
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()


def wait_http(url: str) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not answer") from None
            time.sleep(0.1)


def quantiles(values: list[float]) -> tuple[float, float, float]:
    if len(values) < 2:
        v = values[0] if values else 0.0
        return v, v, v
    q = statistics.quantiles(values, n=100, method="inclusive")
    return q[49], q[94], max(values)


def row(name: str, values: list[float]) -> str:
    p50, p95, worst = quantiles(values)
    return f"| {name:<52} | {len(values):>4} | {p50:>8.0f} | {p95:>8.0f} | {worst:>8.0f} |"


async def seed(settings: OrdersSettings, count: int) -> list[str]:
    runtime = await open_runtime(settings)
    await ensure_indexes(runtime.db)
    orders = Orders(runtime, settings, Clock())
    staff = Principal(subject="bench", roles=frozenset({Role.TRADE_STAFF}))
    ids = []
    for n in range(count):
        product_id = f"sp-bench-{n:03d}-{uuid.uuid4().hex[:6]}"
        await OrdersRepository(runtime.db).save_product(
            Product(
                id=product_id,
                name=f"Chè búp tím {n}",
                producer_id=PRODUCER,
                suggested_price_vnd=120_000,
                certificate=CertificateInfo(
                    certificate_id=f"gcn-{product_id}",
                    number=f"GCN-{n}",
                    stars=4,
                    valid_until=date(2029, 1, 1),
                    status=CertificateStatus.ACTIVE,
                ),
                certificate_sequence=1,
                listed_for_marketplace=True,
            )
        )
        for channel in Marketplace:
            await create_listing(orders, staff, ListingRequest(product_id, channel, stock=10))
        ids.append(product_id)
    await runtime.close()
    return ids


async def delists(fakes: dict[str, str]) -> dict[tuple[str, str], datetime]:
    """(channel, sku) → when the fake received its first accepted delist."""
    found: dict[tuple[str, str], datetime] = {}
    async with httpx.AsyncClient() as http:
        for channel, url in fakes.items():
            for r in (await http.get(f"{url}/_fake/requests")).json():
                if r["path"].endswith("/delist") and r.get("status", 0) < 300:
                    sku = r["path"].split("/")[-2]
                    found.setdefault((channel, sku), datetime.fromisoformat(r["at"]))
    return found


async def listed_everywhere(fakes: dict[str, str], ids: list[str]) -> None:
    async with httpx.AsyncClient() as http:
        while True:
            listed = 0
            for url in fakes.values():
                listed += sum(
                    1
                    for x in (await http.get(f"{url}/_fake/listings")).json()
                    if x["status"] == "active"
                )
            if listed >= 2 * len(ids):
                return
            await asyncio.sleep(0.2)


async def measure(
    settings: OrdersSettings, fakes: dict[str, str], ids: list[str], burst: list[str]
) -> dict[str, list[float]]:
    producer = create_producer(settings.kafka_bootstrap_servers, client_id="bench-cert")
    await producer.start()
    results: dict[str, list[float]] = {"one": [], "one_first": [], "burst": []}

    async def revoke(product_id: str) -> datetime:
        data = CertificateRevokedV1(
            certificate_id=f"gcn-{product_id}",
            certificate_number="GCN",
            product_id=product_id,
            producer_id=PRODUCER,
            decision_number="1/QĐ",
            decision_date=date(2026, 11, 24),
            reason="benchmark",
            issuing_authority="UBND tỉnh Phú Thọ",
        )
        envelope = make_envelope(data, source="certification", subject=product_id, sequence=2)
        sent = datetime.now(UTC)
        await producer.send_and_wait(
            settings.topic(data.topic), envelope.to_bytes(), key=product_id.encode()
        )
        return sent

    async def wait_for(skus: list[str]) -> dict[tuple[str, str], datetime]:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            got = await delists(fakes)
            if all((ch, s) in got for s in skus for ch in fakes):
                return got
            await asyncio.sleep(0.05)
        raise RuntimeError("delists did not all arrive within 120 s")

    try:
        for product_id in ids:
            sent = await revoke(product_id)
            got = await wait_for([product_id])
            times = [(got[(ch, product_id)] - sent).total_seconds() * 1000 for ch in fakes]
            results["one"].append(max(times))
            results["one_first"].append(min(times))
        sent_at = {p: await revoke(p) for p in burst}
        got = await wait_for(burst)
        for p in burst:
            results["burst"].append(
                max((got[(ch, p)] - sent_at[p]).total_seconds() * 1000 for ch in fakes)
            )
    finally:
        await producer.stop()
    return results


async def floor(settings: OrdersSettings, fake_url: str, rounds: int) -> dict[str, list[float]]:
    from aiokafka import AIOKafkaConsumer

    topic = settings.topic("bench.floor")
    await ensure_topics(settings.kafka_bootstrap_servers, [topic])
    producer = create_producer(settings.kafka_bootstrap_servers, client_id="bench-floor")
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=settings.kafka_bootstrap_servers,
        group_id=f"bench-floor-{uuid.uuid4().hex[:6]}",
        auto_offset_reset="latest",
        fetch_max_wait_ms=100,
    )
    await producer.start()
    await consumer.start()
    kafka: list[float] = []
    http_ms: list[float] = []
    try:
        for _ in range(400):  # wait for the partition assignment
            if consumer.assignment():
                break
            await asyncio.sleep(0.05)
        await consumer.seek_to_end()
        await asyncio.sleep(1)
        for _ in range(rounds):
            start = time.perf_counter()
            await producer.send_and_wait(topic, b"x")
            await consumer.getone()
            kafka.append((time.perf_counter() - start) * 1000)
        headers = {"X-Api-Key": "dev-postmart-key", "X-Seller-Id": PRODUCER}
        async with httpx.AsyncClient(base_url=fake_url, headers=headers) as http:
            await http.put("/api/v1/listings/sp-floor", json={"name": "x", "price_vnd": 1})
            for n in range(rounds):
                start = time.perf_counter()
                await http.post(
                    "/api/v1/listings/sp-floor/delist",
                    json={"reason": "floor"},
                    headers={"Idempotency-Key": f"floor-{n}"},
                )
                http_ms.append((time.perf_counter() - start) * 1000)
    finally:
        await consumer.stop()
        await producer.stop()
    return {"kafka": kafka, "http": http_ms}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=20)
    parser.add_argument("--poll", type=float, default=None, help="outbound poll interval (s)")
    args = parser.parse_args()
    with servers() as (kafka, mongo):
        prefix = f"bench{uuid.uuid4().hex[:6]}."
        ports = {"postmart": free_port(), "voso": free_port()}
        fakes = {ch: f"http://127.0.0.1:{p}" for ch, p in ports.items()}
        env = {
            "KAFKA_BOOTSTRAP_SERVERS": kafka,
            "MONGODB_URI": mongo,
            "OCOP_TOPIC_PREFIX": prefix,
            "ORDERS_MONGODB_DATABASE": f"delist_bench_{uuid.uuid4().hex[:6]}",
            "ORDERS_POSTMART_BASE_URL": fakes["postmart"],
            "ORDERS_VOSO_BASE_URL": fakes["voso"],
            "OCOP_LOG_LEVEL": "WARNING",
        }
        if args.poll is not None:
            env["ORDERS_OUTBOUND_POLL_INTERVAL_S"] = str(args.poll)
        os.environ.update(env)
        settings = OrdersSettings()
        asyncio.run(ensure_topics(kafka, all_topics(settings)))
        with contextlib.ExitStack() as stack:
            for ch, port in ports.items():
                stack.enter_context(
                    process(
                        [
                            "-m",
                            "ocop_platform.stand_ins.marketplace",
                            "--channel",
                            ch,
                            "--port",
                            str(port),
                        ],
                        env,
                    )
                )
                wait_http(f"{fakes[ch]}/_fake/requests")
            ids = asyncio.run(seed(settings, args.products * 2))
            stack.enter_context(process(["-m", "ocop_orders.entrypoints.connectors"], env))
            asyncio.run(asyncio.wait_for(listed_everywhere(fakes, ids), 180))
            stack.enter_context(process(["-m", "ocop_orders.entrypoints.consumer"], env))
            time.sleep(8)  # consumer group joins and the consumer catches up
            one, burst = ids[: args.products], ids[args.products :]
            results = asyncio.run(measure(settings, fakes, one, burst))
            base = asyncio.run(floor(settings, fakes["postmart"], 50))
    poll = args.poll if args.poll is not None else settings.outbound_poll_interval_s
    print(f"\nDelist latency, {args.products} products on 2 marketplaces, poll {poll} s")
    print(f"| {'What':<52} | {'n':>4} | {'p50 ms':>8} | {'p95 ms':>8} | {'max ms':>8} |")
    print(f"|{'-' * 54}|{'-' * 6}:|{'-' * 9}:|{'-' * 9}:|{'-' * 9}:|")
    print(row("floor: Kafka produce → bare consumer receives", base["kafka"]))
    print(row("floor: direct HTTP delist to the fake", base["http"]))
    print(row("revoked → delist received, first marketplace", results["one_first"]))
    print(row("revoked → delist received on both (one at a time)", results["one"]))
    print(row(f"revoked → delisted on both ({args.products} revoked at once)", results["burst"]))


if __name__ == "__main__":
    main()
