"""Crashes under steady load across services (till sales, certificates issued and revoked,
their events flowing to the catalogue, orders and events): the broker SIGKILLed, a consumer
and a relay SIGKILLed mid-batch, the database restarted. After each, every event is applied
exactly once in effect by every group that handles it, every acknowledged sale is in the
ledger once, and nothing is stuck or dead-lettered. Recovery times are printed (run with
-s); they are figures for docs/RELIABILITY.md, not assertions.

The same guarantees at the library level (one outbox, one consumer):
shared/tests/integration/test_messaging.py.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from ocop_platform.infra import KafkaBroker, MongoServer

if TYPE_CHECKING:
    from conftest import Load, Platform

pytestmark = [pytest.mark.integration, pytest.mark.e2e]


async def _under_load(load: Any, fault: Any, *, before_s: float = 3, after_s: float = 3) -> float:
    """Run the load, apply ``fault`` (returns when the failed part is back), keep loading;
    returns the loop time at which the failed part was back."""
    workers = [asyncio.create_task(load.sales()), asyncio.create_task(load.certificates())]
    try:
        await asyncio.sleep(before_s)
        await fault()
        back = time.monotonic()
        await asyncio.sleep(after_s)
    finally:
        load.stop.set()
        await asyncio.gather(*workers)
    return back


def report(what: str, back: float, audit: Any, load: Any) -> None:
    print(
        f"\n{what}: recovered {time.monotonic() - back:.1f} s after restart; "
        f"{audit.events_on_topics} events, {audit.duplicates_on_topics} duplicates on topics "
        f"(absorbed by the inboxes), {audit.applied} applications; "
        f"{len(load.acknowledged_sales)} sales acknowledged, "
        f"{len(load.certified) + len(load.revoked)} certificates changed"
    )


async def test_broker_killed_under_load_loses_no_event_and_duplicates_no_effect(
    platform: Platform, kafka_broker: KafkaBroker, faults: Any
) -> None:
    prepared_load, settled = faults.prepared_load, faults.settled
    shelf_agrees_with_sales = faults.shelf_agrees_with_sales
    load: Load = await prepared_load(platform)
    await settled(platform)

    async def kill_broker() -> None:
        await asyncio.to_thread(kafka_broker.kill)
        await asyncio.sleep(4)  # writes go on into the outboxes while the broker is away
        await asyncio.to_thread(kafka_broker.start)

    back = await _under_load(load, kill_broker)
    _, audit = await settled(platform, extra=load.catalogue_agrees, timeout_s=180)
    report("broker SIGKILL", back, audit, load)
    assert not load.write_errors, load.write_errors[:3]
    assert load.acknowledged_sales
    await shelf_agrees_with_sales(load)


async def test_consumer_and_relay_killed_mid_batch_lose_nothing_and_apply_once(
    platform: Platform, faults: Any
) -> None:
    prepared_load, settled = faults.prepared_load, faults.settled
    shelf_agrees_with_sales = faults.shelf_agrees_with_sales
    load: Load = await prepared_load(platform)
    await settled(platform)
    crashed = [
        platform.consumers["orders"],
        platform.consumers["catalog"],
        platform.relays["certification"],
        platform.relays["orders"],
    ]

    async def kill_workers() -> None:
        for process in crashed:
            process.kill()  # SIGKILL: offsets uncommitted, leases held, batches half-sent
        await asyncio.sleep(2)
        for process in crashed:
            await asyncio.to_thread(process.start)

    back = await _under_load(load, kill_workers)
    _, audit = await settled(platform, extra=load.catalogue_agrees, timeout_s=180)
    report("consumer + relay SIGKILL", back, audit, load)
    assert not load.write_errors, load.write_errors[:3]
    await shelf_agrees_with_sales(load)


async def test_database_restart_under_load_is_reported_by_readiness_and_loses_no_write(
    platform: Platform, mongo_server: MongoServer, faults: Any
) -> None:
    prepared_load, settled = faults.prepared_load, faults.settled
    shelf_agrees_with_sales = faults.shelf_agrees_with_sales
    load: Load = await prepared_load(platform)
    await settled(platform)
    outage: dict[str, set[int]] = {s: set() for s in platform.apis}
    ready_again_s: dict[str, float] = {}

    async def readiness(service: str) -> int:
        try:
            response = await platform.clients[service].get("/health/ready", timeout=10)
        except httpx.HTTPError:
            return 0
        return response.status_code

    async def restart_database() -> None:
        await asyncio.to_thread(mongo_server.stop)
        for _ in range(2):  # the APIs say they are not ready while it is away
            codes = await asyncio.gather(*(readiness(s) for s in platform.apis))
            for service, code in zip(platform.apis, codes, strict=True):
                outage[service].add(code)
        await asyncio.to_thread(mongo_server.start)
        started = time.monotonic()
        pending = set(platform.apis)
        while pending and time.monotonic() - started < 60:
            for service in list(pending):
                if await readiness(service) == 200:
                    ready_again_s[service] = time.monotonic() - started
                    pending.discard(service)
            await asyncio.sleep(0.2)

    back = await _under_load(load, restart_database, after_s=4)
    _, audit = await settled(platform, extra=load.catalogue_agrees, timeout_s=180)
    report("database restart", back, audit, load)
    print("ready again after restart (s):", {k: round(v, 1) for k, v in ready_again_s.items()})
    assert all(503 in codes for codes in outage.values()), outage
    assert set(ready_again_s) == set(platform.apis), ready_again_s
    # Writes refused during the outage were refused clearly; every acknowledged one survived.
    assert set(load.refused_sales) <= {503}, load.refused_sales  # retried with the same key
    await shelf_agrees_with_sales(load)
