"""Catalogue benchmark: search latency at 20,000 products under concurrent load, import rows/s,
and certificate event → product page latency, each next to a baseline from the same run.

    python3 -m uv run python services/catalog/benchmarks/bench_catalog.py [--products 20000]
        [--concurrency 16] [--requests 2000] [--events 20] [--no-kafka]

Uses MONGODB_URI / KAFKA_BOOTSTRAP_SERVERS when set, else starts a private SecantusDB (and a
Kafka broker for the event latency) on free ports in a temporary directory. Not a test: it
prints a table; the figures depend on the machine (record them in README.md beside it).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import io
import os
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table

from ocop_catalog.adapters.repository import PRODUCTS, CatalogRepository, ensure_indexes, to_doc
from ocop_catalog.adapters.search_feed import SearchFeed
from ocop_catalog.config import CatalogSettings
from ocop_catalog.domain.model import CertificateState
from ocop_catalog.domain.search import SearchQuery, SortOrder
from ocop_catalog.entrypoints.api import create_app
from ocop_catalog.service_layer.catalogue import settle
from ocop_catalog.service_layer.importer import ProductImporter
from ocop_catalog.service_layer.search import search_products
from ocop_platform.infra import KafkaBroker, MongoServer, free_port, tool_cache_dir
from ocop_platform.testing.support import app_client
from ocop_shared.contracts.catalog import CertificateStatus
from ocop_shared.runtime import ensure_messaging_indexes, open_runtime
from ocop_shared.timeutil import today_in_vietnam

console = Console(width=150)
rng = random.Random(42)  # noqa: S311 (reproducible test data, not secrets)

KINDS = [
    "Bưởi",
    "Chè",
    "Mì gạo",
    "Rượu",
    "Thịt chua",
    "Cam sành",
    "Măng nứa",
    "Mật ong",
    "Nón lá",
    "Gạo nếp",
    "Thịt trâu khô",
    "Mắm cá",
    "Trà túi lọc",
    "Lạc nhân",
    "Miến dong",
]
PLACES = [
    "Đoan Hùng",
    "Thanh Sơn",
    "Hùng Lô",
    "Chiêm Hóa",
    "Tân Sơn",
    "Yên Lập",
    "Cẩm Khê",
    "Trung Hà",
    "Nhân Sơn",
    "Tiến Quang",
    "Xuân Sơn",
    "Long Cốc",
    "Sai Nga",
    "Kiên Đài",
]
QUALITIES = ["loại đặc biệt", "hữu cơ", "truyền thống", "đóng hộp", "sấy khô", "túi lọc", ""]
PROVINCES = ["Phú Thọ", "Tuyên Quang", "Thừa Thiên Huế", "Hà Nội", "Quảng Ngãi", "Lào Cai"]
HEADER = [
    "ma_san_pham",
    "ten_san_pham",
    "ma_chu_the",
    "ten_chu_the",
    "tinh",
    "xa",
    "nhom_san_pham",
    "don_vi_tinh",
    "gia_ban_le",
    "mo_ta",
]


def spreadsheet(n: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for i in range(n):
        name = f"{rng.choice(KINDS)} {rng.choice(PLACES)} {rng.choice(QUALITIES)}".strip()
        writer.writerow(
            [
                f"sp-{i:06d}",
                f"{name} {i}",
                f"ct-{i % 2000}",
                f"HTX {rng.choice(PLACES)}",
                rng.choice(PROVINCES),
                rng.choice(PLACES),
                rng.choice(["food", "drink", "herbs"]),
                "gói",
                rng.randrange(20, 900) * 1000,
                "Sản phẩm OCOP " * 5,
            ]
        )
    return out.getvalue().encode()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def load(
    call: Callable[[int], Awaitable[object]], requests: int, concurrency: int
) -> tuple[list[float], float]:
    """Latencies (ms) of `requests` calls made by `concurrency` workers, and calls per second."""
    latencies: list[float] = []
    counter = iter(range(requests))

    async def worker() -> None:
        for i in counter:
            started = time.perf_counter()
            await call(i)
            latencies.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, requests / (time.perf_counter() - started)


@contextlib.contextmanager
def servers(with_kafka: bool) -> Iterator[tuple[str, str | None]]:
    mongo_uri = os.environ.get("MONGODB_URI")
    kafka = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    with tempfile.TemporaryDirectory(prefix="ocop-bench-") as tmp:
        started: list[MongoServer | KafkaBroker] = []
        try:
            if not mongo_uri:
                mongo = MongoServer(Path(tmp) / "mongodb", free_port(), cache_dir=tool_cache_dir())
                mongo.start()
                started.append(mongo)
                mongo_uri = mongo.uri
            if with_kafka and not kafka:
                port = free_port()
                broker = KafkaBroker(
                    Path(tmp) / "kafka", port, free_port(), cache_dir=tool_cache_dir()
                )
                broker.start()
                started.append(broker)
                kafka = broker.bootstrap_servers
            yield mongo_uri, kafka if with_kafka else None
        finally:
            for server in reversed(started):
                server.stop()


def certificate(today: date) -> CertificateState:
    stars = rng.choice([3, 3, 3, 4, 4, 5])
    status = rng.choice(
        [CertificateStatus.ACTIVE] * 8 + [CertificateStatus.REVOKED, CertificateStatus.EXPIRED]
    )
    return CertificateState(
        certificate_id=f"gcn-{rng.randrange(10**9)}",
        number="OCOP",
        stars=stars,
        level="province",
        issuing_authority="UBND tỉnh",
        decision_number="1/QĐ",
        valid_from=today - timedelta(days=300),
        valid_until=today + timedelta(days=rng.randrange(-100, 1000)),
        status=status,
    )


SEARCHES = [
    SearchQuery(text="buoi doan hung"),
    SearchQuery(text="che tan son", min_stars=4),
    SearchQuery(text="mat ong"),
    SearchQuery(province="Phú Thọ", sort=SortOrder.PRICE_ASC),
    SearchQuery(min_stars=5, status=CertificateStatus.ACTIVE),
    SearchQuery(group_code="drink", skip=200),
    SearchQuery(expiring_within_days=90, sort=SortOrder.VALID_UNTIL),
    SearchQuery(text="thit trau kho chiem hoa", province="tuyen quang"),
]


def as_params(query: SearchQuery) -> dict[str, Any]:
    params = {
        "q": query.text,
        "min_stars": query.min_stars,
        "province": query.province,
        "group": query.group_code,
        "status": query.status,
        "sort": query.sort.value,
        "skip": query.skip,
        "expiring_within_days": query.expiring_within_days,
    }
    return {k: str(v) for k, v in params.items() if v is not None}


async def run(args: argparse.Namespace, mongo_uri: str, kafka: str | None) -> list[tuple[str, ...]]:
    settings = CatalogSettings.model_validate(
        {
            "mongodb_uri": mongo_uri,
            "kafka_bootstrap_servers": kafka or "127.0.0.1:1",
            "mongodb_database": f"ocop_catalog_bench_{int(time.time())}",
            "topic_prefix": f"bench{int(time.time())}.",
            "log_level": "WARNING",
            "relay_poll_interval_s": 0.02,
        }
    )
    runtime = await open_runtime(settings)
    await ensure_messaging_indexes(runtime.db)
    await ensure_indexes(runtime.db)
    rows: list[tuple[str, ...]] = []
    try:
        db = runtime.db
        data = spreadsheet(args.products)

        # Import vs. a bare insert_many of the same documents.
        importer = ProductImporter(
            runtime.client, db, runtime.outbox, batch_size=settings.import_batch_size
        )
        started = time.perf_counter()
        report = await importer.import_file("bench.csv", data)
        import_s = time.perf_counter() - started
        started = time.perf_counter()
        again = await importer.import_file("bench.csv", data)
        rerun_s = time.perf_counter() - started
        assert again.unchanged == report.created, "a re-run must change nothing"
        docs = [
            to_doc(p)
            for p in (
                await CatalogRepository(db).find_many([f"sp-{i:06d}" for i in range(args.products)])
            ).values()
        ]
        for doc in docs:
            doc["_id"] = "copy-" + doc["_id"]
        started = time.perf_counter()
        for start in range(0, len(docs), 1000):
            await db["baseline_insert"].insert_many(docs[start : start + 1000], ordered=False)
        insert_s = time.perf_counter() - started
        n = args.products
        rows.append(
            (
                "import (new rows, validate + upsert)",
                f"{n / import_s:,.0f} rows/s",
                f"{import_s:.1f} s",
                "",
                "",
            )
        )
        rows.append(
            (
                "import re-run (nothing changes)",
                f"{n / rerun_s:,.0f} rows/s",
                f"{rerun_s:.1f} s",
                "",
                "",
            )
        )
        rows.append(
            (
                "baseline: insert_many same docs",
                f"{n / insert_s:,.0f} docs/s",
                f"{insert_s:.1f} s",
                "",
                "",
            )
        )

        # Certificates for the search filters (as certificate events would leave them).
        today = today_in_vietnam()
        repository = CatalogRepository(db)
        products = list((await repository.find_many([f"sp-{i:06d}" for i in range(n)])).values())
        certified = []
        for product in products:
            settled = settle(
                product, product.model_copy(update={"certificate": certificate(today)}), today
            )
            assert settled is not None
            certified.append(settled.product)
        for start in range(0, len(certified), 1000):
            await repository.save_many(certified[start : start + 1000])

        ids = [p.id for p in products]
        collection = db[PRODUCTS]

        feed = SearchFeed()
        feed.start(db)
        while not feed.ready or len(feed.index) < n:  # noqa: ASYNC110
            await asyncio.sleep(0.05)

        async def by_id(i: int) -> object:
            return await collection.find_one({"_id": ids[i % len(ids)]})

        async def search(i: int) -> object:
            return await search_products(repository, feed, SEARCHES[i % len(SEARCHES)], today)

        async def search_db(i: int) -> object:
            return await repository.search(SEARCHES[i % len(SEARCHES)], today)

        for query in SEARCHES:  # one at a time, to see which kind of query costs what
            fast, _ = await load(
                lambda _i, q=query: search_products(repository, feed, q, today), 10, 1
            )
            slow, _ = await load(lambda _i, q=query: repository.search(q, today), 3, 1)
            label = "  alone: " + ", ".join(f"{k}={v}" for k, v in as_params(query).items())
            rows.append(
                (
                    label,
                    f"database {statistics.median(slow):.0f} ms",
                    f"{statistics.median(fast):.1f} ms",
                    f"{max(fast):.1f} ms",
                    "c=1",
                )
            )
        c, r = args.concurrency, args.requests
        for label, call, count in (
            ("baseline: find_one by _id", by_id, r),
            ("search (index + page read, mixed queries)", search, r),
            ("search straight on the database (fallback)", search_db, max(c, r // 20)),
        ):
            lat, rate = await load(call, count, c)
            rows.append(
                (
                    label,
                    f"{rate:,.0f} req/s",
                    f"{statistics.median(lat):.1f} ms",
                    f"{percentile(lat, 99):.1f} ms",
                    f"c={c}, n={count}",
                )
            )
        await feed.stop()

        app = create_app(settings)
        async with app_client(app) as client:
            while not app.state.search_feed.ready:  # noqa: ASYNC110
                await asyncio.sleep(0.05)

            async def health(i: int) -> object:
                return (await client.get("/health/live")).status_code

            async def api_search(i: int) -> object:
                response = await client.get(
                    "/api/v1/products", params=as_params(SEARCHES[i % len(SEARCHES)])
                )
                assert response.status_code == 200, response.text
                return response

            async def page(i: int) -> object:
                response = await client.get(
                    "/", params={"q": "buoi doan hung"} if i % 2 else {"min_stars": "4"}
                )
                assert response.status_code == 200
                return response

            for label, call in (
                ("baseline: GET /health/live (in-process)", health),
                ("GET /api/v1/products (in-process)", api_search),
                ("GET / catalogue page (in-process)", page),
            ):
                lat, rate = await load(call, r // 2, c)
                rows.append(
                    (
                        label,
                        f"{rate:,.0f} req/s",
                        f"{statistics.median(lat):.1f} ms",
                        f"{percentile(lat, 99):.1f} ms",
                        f"c={c}",
                    )
                )

            if kafka:
                rows.extend(await event_latency(settings, client, args.events))
    finally:
        await runtime.client.drop_database(settings.mongodb_database)
        await runtime.close()
    return rows


async def event_latency(
    settings: CatalogSettings, client: httpx.AsyncClient, events: int
) -> list[tuple[str, ...]]:
    """Certificate issued on Kafka → visible on the product page, one product at a time (idle)."""
    from ocop_catalog.entrypoints.consumer import consume
    from ocop_platform.testing.support import background
    from ocop_shared.contracts.certification import CertificateIssuedV1, RecognitionLevel
    from ocop_shared.contracts.envelope import make_envelope
    from ocop_shared.messaging.kafka import create_producer, ensure_topics

    topic = settings.topic(CertificateIssuedV1.topic)
    await ensure_topics(settings.kafka_bootstrap_servers, [topic])
    producer = create_producer(settings.kafka_bootstrap_servers, client_id="bench")
    await producer.start()
    latencies: list[float] = []
    try:
        async with background(lambda stop: consume(settings, stop)):
            for i in range(events + 1):
                pid = f"sp-{i:06d}"
                data = CertificateIssuedV1(
                    certificate_id=f"bench-{i}",
                    certificate_number=f"BENCH-{i}",
                    product_id=pid,
                    producer_id="ct",
                    stars=5,
                    level=RecognitionLevel.CENTRAL,
                    issuing_authority="Bộ NN&MT",
                    decision_number="1",
                    decision_date=date(2026, 1, 1),
                    valid_from=date(2026, 1, 1),
                    valid_until=date(2029, 1, 1),
                )
                envelope = make_envelope(data, source="bench", subject=pid, sequence=10**6)
                started = time.perf_counter()
                await producer.send_and_wait(topic, envelope.to_bytes(), key=pid.encode())
                # Polling the page is the point: it is what a visitor would see.
                while f"BENCH-{i}" not in (await client.get(f"/san-pham/{pid}")).text:  # noqa: ASYNC110
                    await asyncio.sleep(0.005)
                if i:  # the first one waits for the consumer group to join
                    latencies.append((time.perf_counter() - started) * 1000)
    finally:
        await producer.stop()
    return [
        (
            "certificate issued → product page shows it",
            f"{events} events",
            f"{statistics.median(latencies):.0f} ms",
            f"{percentile(latencies, 99):.0f} ms",
            "idle, sequential",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--products", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--no-kafka", action="store_true")
    args = parser.parse_args()
    with servers(with_kafka=not args.no_kafka) as (mongo_uri, kafka):
        rows = asyncio.run(run(args, mongo_uri, kafka))
    table = Table(
        "measurement",
        "throughput",
        "p50 / time",
        "p99",
        "load",
        title=f"Catalogue benchmark – {args.products:,} products",
    )
    for row in rows:
        table.add_row(*row)
    console.print(table)


if __name__ == "__main__":
    main()
