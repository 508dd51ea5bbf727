"""1. Sales throughput: the showroom sale path under a festival mix, next to the floor.

Reuses services/orders/benchmarks/sale_endpoint.py (servers, driver, data) and its floor: a
bare FastAPI endpoint doing one guarded find_one_and_update on the same database.
The festival mix: mostly small baskets (1-2 lines), one in twenty large (8-12 lines), one
till per client (several kiosks), and one sale in ten retried with the same Idempotency-Key
(the till lost the response), which must answer the first sale again, not sell twice.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Awaitable, Callable

import httpx

from benchmarks.common import ROOT, Outcome, Row, Servers, load_script, percentile, ratio
from ocop_orders.config import OrdersSettings
from ocop_shared.auth import Role, mint_token
from ocop_shared.mongo import create_client

NAME = "sales"
SCRIPT = ROOT / "services/orders/benchmarks/sale_endpoint.py"

Send = Callable[[httpx.AsyncClient, int, int], Awaitable[httpx.Response]]


async def run(servers: Servers, *, quick: bool) -> Outcome:
    bench = load_script(SCRIPT, "orders_sale_endpoint")
    requests, concurrency = (300, 16) if quick else (2000, 32)
    run_id = uuid.uuid4().hex[:8]
    uri = servers.mongodb
    orders_db, floor_db = f"ocop_orders_bench_{run_id}", f"bench_floor_{run_id}"
    settings = OrdersSettings(mongodb_uri=uri, mongodb_database=orders_db)
    token = mint_token(settings, subject="bench", roles=[Role.ADMIN])
    auth = {"Authorization": f"Bearer {token}"}
    env = {
        "MONGODB_URI": uri,
        "ORDERS_MONGODB_DATABASE": orders_db,
        "KAFKA_BOOTSTRAP_SERVERS": servers.kafka,
        "OCOP_LOG_LEVEL": "WARNING",
        "FLOOR_DATABASE": floor_db,
    }
    rng = random.Random(9)  # noqa: S311 (workload shape)
    replays = {"sent": 0, "replayed": 0}
    with (
        bench.serve("ocop_orders.entrypoints.api:create_app", env) as orders_url,
        bench.serve("floor_app:create_app", env, app_dir=SCRIPT.parent) as floor_url,
    ):
        showroom_id, ids = await bench.prepare_orders(uri, settings, orders_url, token)
        await bench.prepare_floor(uri, floor_db)

        async def festival(client: httpx.AsyncClient, n: int, till: int) -> httpx.Response:
            large = rng.random() < 0.05
            count = rng.randint(8, 12) if large else rng.randint(1, 2)
            lines = [
                {"product_id": p, "quantity": rng.randint(1, 3)} for p in rng.sample(ids, count)
            ]
            body = {
                "lines": lines,
                "payment": {"method": "cash"},
                "kiosk_code": f"K{1 + till % 42:02d}",
            }
            headers = {**auth, "Idempotency-Key": f"fest-{uuid.uuid4().hex}"}
            url = f"/api/v1/showrooms/{showroom_id}/sales"
            response = await client.post(url, json=body, headers=headers)
            if n >= 0 and rng.random() < 0.10:  # the till retries: same key, same answer
                again = await client.post(url, json=body, headers=headers)
                replays["sent"] += 1
                if again.headers.get("Idempotent-Replayed") == "true" and again.json().get(
                    "id"
                ) == response.json().get("id"):
                    replays["replayed"] += 1
            return response

        async def floor(client: httpx.AsyncClient, n: int, till: int) -> httpx.Response:
            return await client.post(f"/sell/{rng.choice(ids)}")

        base = await bench.drive(
            "floor", floor, floor_url, requests=requests, concurrency=concurrency
        )
        sale = await bench.drive(
            "sale", festival, orders_url, requests=requests, concurrency=concurrency
        )
        async with httpx.AsyncClient(base_url=orders_url, headers=auth, timeout=60) as client:
            audit = (await client.get(f"/api/v1/showrooms/{showroom_id}/audit")).json()
    mongo = create_client(uri, app_name="bench-cleanup")
    await mongo.drop_database(orders_db)
    await mongo.drop_database(floor_db)
    await mongo.close()

    def rate(result: object) -> float:
        return len(result.latencies) / result.seconds  # type: ignore[attr-defined]

    def lat(result: object) -> tuple[float, float]:
        values = sorted(result.latencies)  # type: ignore[attr-defined]
        return percentile(values, 50) * 1000, percentile(values, 99) * 1000

    s50, s99 = lat(sale)
    f50, f99 = lat(base)
    load = f"{requests} sales, {concurrency} tills"
    rows = [
        Row(
            NAME,
            "POST /sales, festival mix: sales/s",
            f"{rate(sale):,.0f}/s",
            f"floor {rate(base):,.0f}/s",
            ratio(rate(sale), rate(base)),
            load,
        ),
        Row(NAME, "POST /sales p50", f"{s50:.0f} ms", f"floor {f50:.0f} ms", ratio(s50, f50), load),
        Row(NAME, "POST /sales p99", f"{s99:.0f} ms", f"floor {f99:.0f} ms", ratio(s99, f99), load),
        Row(
            NAME,
            "retries with the same Idempotency-Key answered by the first sale",
            f"{replays['replayed']}/{replays['sent']}",
            note=f"errors {sale.errors}, ledger consistent={audit.get('consistent')}",
        ),
    ]
    return Outcome(NAME, "python3 -m uv run python -m benchmarks.run --only sales", rows)
