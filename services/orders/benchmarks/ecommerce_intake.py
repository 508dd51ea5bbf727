"""Benchmark of e-commerce order intake next to the point-of-sale baseline, in the same run.

    python3 -m uv run python services/orders/benchmarks/ecommerce_intake.py [--requests N]

Starts a SecantusDB server (or uses MONGODB_URI) and the orders API in a uvicorn process,
then drives over real HTTP, with the same client and concurrency:

- `POST /sales` of one unit (the till: the baseline);
- `POST /ecommerce/orders` of one unit (intake: order + reservation + outbox);
- the same intake retried: every request sent twice with one Idempotency-Key (the second
  must answer with the first order);
- `POST /ecommerce/orders/{id}/confirm` (reservation → sale in the ledger).

All on 20 products at one showroom. Prints requests/s and p50/p99 latency, then checks that
no order was created twice and the stock still adds up. Not a test: figures depend on the
machine and what else runs on it.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))

from sale_endpoint import Result, database, drive, prepare_orders, serve

from ocop_orders.config import OrdersSettings
from ocop_shared.auth import Role, mint_token
from ocop_shared.mongo import create_client

Send = Callable[[httpx.AsyncClient, int, int], Awaitable[httpx.Response]]


def order_body(product_id: str, showroom_id: str) -> dict[str, object]:
    return {
        "buyer": {
            "name": "Nguyễn Thị Hoa",
            "phone": "0912345678",
            "address": {"province": "Hà Nội", "commune": "Phường Cầu Giấy", "street": "12 ngõ 34"},
        },
        "lines": [{"product_id": product_id, "quantity": 1, "unit_price_vnd": 50_000}],
        "payment": "cod",
        "shipping_fee_vnd": 25_000,
        "fulfilment": {"kind": "showroom", "showroom_id": showroom_id},
    }


async def main(requests: int, concurrency: int) -> None:
    run = uuid.uuid4().hex[:8]
    with database() as uri:
        orders_db = f"ocop_orders_bench_{run}"
        settings = OrdersSettings(mongodb_uri=uri, mongodb_database=orders_db)
        token = mint_token(settings, subject="bench", roles=[Role.ADMIN])
        env = {
            "MONGODB_URI": uri,
            "ORDERS_MONGODB_DATABASE": orders_db,
            "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9",  # intake never touches Kafka (outbox)
            "OCOP_LOG_LEVEL": "WARNING",
            "ORDERS_RESERVATION_TIMEOUT_MINUTES": "600",
        }
        auth = {"Authorization": f"Bearer {token}"}
        rng = random.Random(7)  # noqa: S311 (workload shape, not security)
        placed: list[str] = []
        with serve("ocop_orders.entrypoints.api:create_app", env) as url:
            showroom_id, ids = await prepare_orders(uri, settings, url, token)

            def sale(client: httpx.AsyncClient, n: int, till: int) -> Awaitable[httpx.Response]:
                body = {
                    "lines": [{"product_id": rng.choice(ids), "quantity": 1}],
                    "payment": {"method": "cash"},
                    "kiosk_code": f"K{1 + till % 42:02d}",
                }
                headers = {**auth, "Idempotency-Key": f"bench-{uuid.uuid4().hex}"}
                return client.post(
                    f"/api/v1/showrooms/{showroom_id}/sales", json=body, headers=headers
                )

            async def intake(client: httpx.AsyncClient, n: int, till: int) -> httpx.Response:
                headers = {**auth, "Idempotency-Key": f"web-{uuid.uuid4().hex}"}
                response = await client.post(
                    "/api/v1/ecommerce/orders",
                    json=order_body(rng.choice(ids), showroom_id),
                    headers=headers,
                )
                if response.status_code == 201 and n >= 0:
                    placed.append(str(response.json()["id"]))
                return response

            async def retried(client: httpx.AsyncClient, n: int, till: int) -> httpx.Response:
                headers = {**auth, "Idempotency-Key": f"retry-{uuid.uuid4().hex}"}
                body = order_body(rng.choice(ids), showroom_id)
                first, second = await asyncio.gather(
                    client.post("/api/v1/ecommerce/orders", json=body, headers=headers),
                    client.post("/api/v1/ecommerce/orders", json=body, headers=headers),
                )
                ok = {first.status_code, second.status_code} == {200, 201} and (
                    first.json()["id"] == second.json()["id"]
                )
                return (
                    first
                    if first.status_code == 201 and ok
                    else second
                    if ok
                    else httpx.Response(500)
                )

            async def confirm(client: httpx.AsyncClient, n: int, till: int) -> httpx.Response:
                if n < 0 or not placed:
                    return httpx.Response(201)
                order_id = placed.pop()
                response = await client.post(
                    f"/api/v1/ecommerce/orders/{order_id}/confirm", headers=auth
                )
                return httpx.Response(201) if response.status_code == 200 else response

            results: list[Result] = []
            for name, send in [
                ("baseline: POST /sales (1 unit)", sale),
                ("POST /ecommerce/orders (1 unit, reserve)", intake),
                ("same, each sent twice with one key", retried),
                ("POST /ecommerce/orders/{id}/confirm", confirm),
            ]:
                results.append(
                    await drive(name, send, url, requests=requests, concurrency=concurrency)
                )
            mongo = create_client(uri, app_name="bench-check")
            db = mongo[orders_db]
            orders = await db["ecom_orders"].count_documents({})
            keys = len(await db["ecom_orders"].distinct("remote_order_id"))
            audit = (
                await httpx.AsyncClient(base_url=url, headers=auth).get(
                    f"/api/v1/showrooms/{showroom_id}/audit"
                )
            ).json()
            await mongo.drop_database(orders_db)
            await mongo.close()
    print(f"\n{requests} requests per row, {concurrency} concurrent clients\n")
    print("| What | req/s | p50 ms | p99 ms | errors |")
    print("|---|---:|---:|---:|---:|")
    for result in results:
        print(result.row())
    print(f"\norders: {orders}, distinct remote ids: {keys}, ledger audit: {audit['consistent']}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    asyncio.run(main(args.requests, args.concurrency))
