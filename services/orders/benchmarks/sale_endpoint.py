"""Benchmark of the sale endpoint against this machine's floor, measured in the same run.

    python3 -m uv run python services/orders/benchmarks/sale_endpoint.py [--requests N]

Starts a SecantusDB server (or uses MONGODB_URI), then two uvicorn processes: the orders API
and a bare FastAPI endpoint doing one guarded find_one_and_update on the same database (the
floor). Each is driven over real HTTP by the same client with the same concurrency, in two
shapes: sales spread over 20 products and 42 kiosks (a busy showroom), and every till selling
one hot product (the worst contention). Prints sales/s and p50/p99 latency. Not a test: the
figures depend on the machine and on what else runs on it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from ocop_orders.adapters.repository import OrdersRepository
from ocop_orders.config import OrdersSettings
from ocop_orders.domain.model import CertificateInfo, Product
from ocop_platform.infra import MongoServer, free_port, tool_cache_dir
from ocop_shared.auth import Role, mint_token
from ocop_shared.contracts.catalog import CertificateStatus
from ocop_shared.mongo import create_client

HERE = Path(__file__).parent
PRODUCTS = 20
STOCK_PER_PRODUCT = 100_000


@contextlib.contextmanager
def database() -> Iterator[str]:
    if os.environ.get("MONGODB_URI"):
        yield os.environ["MONGODB_URI"]
        return
    with tempfile.TemporaryDirectory(prefix="orders-bench-") as work:
        server = MongoServer(Path(work) / "mongo", free_port(), cache_dir=tool_cache_dir())
        server.start()
        try:
            yield server.uri
        finally:
            server.stop()


@contextlib.contextmanager
def serve(factory: str, env: dict[str, str], app_dir: Path | None = None) -> Iterator[str]:
    port = free_port()
    argv = [sys.executable, "-m", "uvicorn", "--factory", factory, "--port", str(port)]
    argv += ["--log-level", "warning", "--no-access-log"]
    if app_dir is not None:
        argv += ["--app-dir", str(app_dir)]
    process = subprocess.Popen(argv, env={**os.environ, **env})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{url}/docs", timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"{factory} did not start") from None
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(10)


@dataclass
class Result:
    name: str
    latencies: list[float]
    errors: int
    seconds: float

    def row(self) -> str:
        ok = len(self.latencies)
        q = statistics.quantiles(self.latencies, n=100) if ok > 1 else [0.0] * 99
        return (
            f"| {self.name:<44} | {ok / self.seconds:>9.0f} | {q[49] * 1000:>8.1f} "
            f"| {q[98] * 1000:>8.1f} | {self.errors:>6} |"
        )


async def drive(
    name: str,
    send: Callable[[httpx.AsyncClient, int, int], Awaitable[httpx.Response]],
    url: str,
    *,
    requests: int,
    concurrency: int,
) -> Result:
    latencies: list[float] = []
    errors = 0
    counter = iter(range(requests))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:
        for i in range(concurrency):  # warm the connections
            await send(client, -1 - i, i)

        async def worker(till: int) -> None:
            nonlocal errors
            for n in counter:
                started = time.perf_counter()
                response = await send(client, n, till)
                if response.status_code == 201:
                    latencies.append(time.perf_counter() - started)
                else:
                    errors += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker(till) for till in range(concurrency)))
        seconds = time.perf_counter() - started
    return Result(name, latencies, errors, seconds)


async def prepare_orders(
    uri: str, settings: OrdersSettings, url: str, token: str
) -> tuple[str, list[str]]:
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as client:
        response = await client.post(
            "/api/v1/showrooms",
            json={
                "code": "BENCH",
                "name": "Chợ Việt Trì (benchmark)",
                "address": "Việt Trì",
                "province": "Phú Thọ",
                "kiosks": [{"code": f"K{i:02d}", "name": f"Ki-ốt {i}"} for i in range(1, 43)],
            },
        )
        response.raise_for_status()
        showroom_id = str(response.json()["id"])
        mongo = create_client(uri, app_name="bench-setup")
        repository = OrdersRepository(mongo[settings.mongodb_database])
        ids = []
        for i in range(PRODUCTS):
            product = Product(
                id=f"sp-bench-{i:02d}",
                name=f"Sản phẩm {i}",
                producer_id=f"prd-{i % 5}",
                suggested_price_vnd=50_000 + 1_000 * i,
                group_code="drink",
                certificate=CertificateInfo(
                    certificate_id=f"gcn-{i}", number="x", status=CertificateStatus.ACTIVE
                ),
                certificate_sequence=1,
                listed_for_showrooms=True,
                catalog_sequence=1,
            )
            await repository.save_product(product)
            ids.append(product.id)
        await mongo.close()
        response = await client.post(
            f"/api/v1/showrooms/{showroom_id}/receipts",
            json={"lines": [{"product_id": p, "quantity": STOCK_PER_PRODUCT} for p in ids]},
        )
        response.raise_for_status()
    return showroom_id, ids


async def prepare_floor(uri: str, database: str) -> None:
    mongo = create_client(uri, app_name="bench-setup")
    await mongo[database]["stock"].insert_many(
        [{"_id": f"sp-bench-{i:02d}", "on_hand": STOCK_PER_PRODUCT} for i in range(PRODUCTS)]
    )
    await mongo.close()


async def main(requests: int, concurrency: int) -> None:
    run = uuid.uuid4().hex[:8]
    with database() as uri:
        orders_db = f"ocop_orders_bench_{run}"
        floor_db = f"bench_floor_{run}"
        settings = OrdersSettings(mongodb_uri=uri, mongodb_database=orders_db)
        token = mint_token(settings, subject="bench", roles=[Role.ADMIN])
        env = {
            "MONGODB_URI": uri,
            "ORDERS_MONGODB_DATABASE": orders_db,
            "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9",  # the sale path never touches Kafka
            "OCOP_LOG_LEVEL": "WARNING",
            "FLOOR_DATABASE": floor_db,
        }
        results = []
        with (
            serve("ocop_orders.entrypoints.api:create_app", env) as orders_url,
            serve("floor_app:create_app", env, app_dir=HERE) as floor_url,
        ):
            showroom_id, ids = await prepare_orders(uri, settings, orders_url, token)
            await prepare_floor(uri, floor_db)
            rng = random.Random(7)  # noqa: S311 (workload shape, not security)
            auth = {"Authorization": f"Bearer {token}"}

            def sale(
                hot: bool,
            ) -> Callable[[httpx.AsyncClient, int, int], Awaitable[httpx.Response]]:
                def send(client: httpx.AsyncClient, n: int, till: int) -> Awaitable[httpx.Response]:
                    lines = (
                        [{"product_id": ids[0], "quantity": 1}]
                        if hot
                        else [
                            {"product_id": p, "quantity": rng.randint(1, 3)}
                            for p in rng.sample(ids, rng.randint(1, 3))
                        ]
                    )
                    body = {
                        "lines": lines,
                        "payment": {"method": "cash"},
                        "kiosk_code": f"K{1 + till % 42:02d}",  # one till per client
                    }
                    headers = {**auth, "Idempotency-Key": f"bench-{uuid.uuid4().hex}"}
                    return client.post(
                        f"/api/v1/showrooms/{showroom_id}/sales", json=body, headers=headers
                    )

                return send

            def floor(
                hot: bool,
            ) -> Callable[[httpx.AsyncClient, int, int], Awaitable[httpx.Response]]:
                def send(client: httpx.AsyncClient, n: int, till: int) -> Awaitable[httpx.Response]:
                    product = ids[0] if hot else rng.choice(ids)
                    return client.post(f"/sell/{product}")

                return send

            for hot in (False, True):
                shape = "one hot product" if hot else "20 products, 1-3 lines"
                results.append(
                    await drive(
                        f"floor: guarded update ({shape})",
                        floor(hot),
                        floor_url,
                        requests=requests,
                        concurrency=concurrency,
                    )
                )
                results.append(
                    await drive(
                        f"POST /sales ({shape})",
                        sale(hot),
                        orders_url,
                        requests=requests,
                        concurrency=concurrency,
                    )
                )
            async with httpx.AsyncClient(base_url=orders_url, headers=auth) as client:
                audit = (await client.get(f"/api/v1/showrooms/{showroom_id}/audit")).json()
        mongo = create_client(uri, app_name="bench-cleanup")
        await mongo.drop_database(orders_db)
        await mongo.drop_database(floor_db)
        await mongo.close()
    print(f"\n{requests} requests per row, {concurrency} concurrent clients, {os.cpu_count()} CPUs")
    print(
        "| what                                         |  sales/s |  p50 ms |  p99 ms | errors |"
    )
    print(
        "|----------------------------------------------|---------:|--------:|--------:|-------:|"
    )
    for result in results:
        print(result.row())
    print(f"ledger audit after the run: consistent={audit['consistent']}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    asyncio.run(main(args.requests, args.concurrency))
