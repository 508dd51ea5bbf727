"""6. Memory: resident set size (VmRSS from /proc) of each service's processes, idle and
under load.

Every service's API runs as its own uvicorn process and every consumer and relay as its own
process, as in production; "idle" is after start-up and a first request, "under load" is the peak
sampled while 16 concurrent clients call one of the service's list endpoints (the API) while
a burst of events flows (the consumers). The baseline is a bare FastAPI app (the sale
benchmark's floor) started the same way.
"""

from __future__ import annotations

import asyncio
import uuid

import httpx

from benchmarks.common import (
    ROOT,
    Outcome,
    Process,
    Row,
    Servers,
    rss_mib,
    start_api,
    start_module,
    stop,
)
from benchmarks.consumers import produce
from ocop_shared.auth import Role, mint_token
from ocop_shared.contracts.certification import PRODUCTS_TOPIC
from ocop_shared.messaging.kafka import ensure_topics
from ocop_shared.messaging.workers import all_topics
from ocop_shared.mongo import create_client
from ocop_shared.settings import ServiceSettings

NAME = "memory"
# service → (list endpoint to load it with, the role that may read it)
APIS = {
    "certification": ("/api/v1/products", Role.PROVINCE_OFFICER),
    "catalog": ("/api/v1/products", None),
    "orders": ("/api/v1/showrooms", Role.TRADE_STAFF),
    "events": ("/api/v1/trade-events", Role.TRADE_STAFF),
}
CONSUMERS = ("catalog", "orders", "events")


async def _hammer(url: str, path: str, headers: dict[str, str], requests: int) -> None:
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as client:
        remaining = iter(range(requests))

        async def worker() -> None:
            for _ in remaining:
                await client.get(path)

        await asyncio.gather(*(worker() for _ in range(16)))


async def _peak(processes: list[Process], work: asyncio.Future[object]) -> dict[str, float]:
    peak = {p.name: rss_mib(p.pid) for p in processes}
    while not work.done():
        for p in processes:
            peak[p.name] = max(peak[p.name], rss_mib(p.pid))
        await asyncio.sleep(0.1)
    await work
    return peak


async def run(servers: Servers, *, quick: bool) -> Outcome:
    requests = 300 if quick else 3000
    run_id = uuid.uuid4().hex[:8]
    prefix = f"bm{run_id}."
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": servers.kafka,
        "MONGODB_URI": servers.mongodb,
        "OCOP_TOPIC_PREFIX": prefix,
        "OCOP_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT / "services/orders/benchmarks"),
        "FLOOR_DATABASE": f"bench_floor_{run_id}",
        **{f"{s.upper()}_MONGODB_DATABASE": f"bench_mem_{s}_{run_id}" for s in APIS},
    }
    settings = ServiceSettings(kafka_bootstrap_servers=servers.kafka, topic_prefix=prefix)
    await ensure_topics(servers.kafka, all_topics(settings))
    processes: list[Process] = []
    try:
        floor = start_api("baseline: bare FastAPI app", "floor_app:create_app", env, probe="/docs")
        processes.append(floor)
        apis = {s: start_api(f"{s} API", f"ocop_{s}.entrypoints.api:create_app", env) for s in APIS}
        processes += apis.values()
        consumers = [
            start_module(f"{s} consumer", f"ocop_{s}.entrypoints.consumer", env) for s in CONSUMERS
        ]
        processes += consumers
        processes += [start_module(f"{s} relay", f"ocop_{s}.entrypoints.relay", env) for s in APIS]
        await asyncio.sleep(8)  # consumers join their groups; APIs build their indexes
        idle = {p.name: rss_mib(p.pid) for p in processes}

        async def load() -> None:
            jobs = [
                _hammer(
                    api.url,
                    APIS[s][0],
                    {}
                    if APIS[s][1] is None
                    else {
                        "Authorization": "Bearer "
                        + mint_token(settings, subject="bench", roles=[APIS[s][1]])
                    },
                    requests,
                )
                for s, api in apis.items()
            ]
            jobs.append(_hammer(floor.url, "/docs", {}, requests))
            jobs.append(produce(servers.kafka, settings.topic(PRODUCTS_TOPIC), requests * 3))
            await asyncio.gather(*jobs)

        peak = await _peak(processes, asyncio.ensure_future(load()))
    finally:
        for p in processes:
            stop(p)
        mongo = create_client(servers.mongodb, app_name="bench-cleanup")
        for name in await mongo.list_database_names():
            if name.endswith(run_id):
                await mongo.drop_database(name)
        await mongo.close()
    base = idle[floor.name]
    rows = [
        Row(
            NAME,
            f"RSS {p.name}",
            f"idle {idle[p.name]:.0f} MiB, under load {peak[p.name]:.0f} MiB",
            f"bare FastAPI idle {base:.0f} MiB" if p is not floor else "",
            f"{idle[p.name] / base:.2f}× idle" if p is not floor else "",
            f"{requests} GETs at c=16 per API, {requests * 3} product events",
        )
        for p in processes
    ]
    return Outcome(NAME, "python3 -m uv run python -m benchmarks.run --only memory", rows)
