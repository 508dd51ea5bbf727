"""The outbound call journal against the real database: strict order per ordering key,
retries with backoff, parking after the limit, redrive, and one worker per key."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import pytest_asyncio

from ocop_orders.adapters.repository import ensure_indexes
from ocop_orders.config import OrdersSettings
from ocop_orders.service_layer.outbound import (
    CallFailedError,
    CallOutcome,
    CallResponse,
    Executors,
    NewCall,
    OutboundCall,
    OutboundWorker,
    Settlement,
    enqueue,
    get_call,
    redrive,
)
from ocop_platform.infra import Endpoints
from ocop_platform.testing.support import isolated_settings, new_run_id
from ocop_shared.runtime import ServiceRuntime, open_runtime
from ocop_shared.timeutil import FixedClock

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)


@pytest_asyncio.fixture
async def runtime(infra: Endpoints) -> AsyncIterator[tuple[ServiceRuntime, OrdersSettings]]:
    settings = isolated_settings(
        OrdersSettings,
        kafka=infra.kafka_bootstrap_servers,
        mongodb=infra.mongodb_uri,
        run_id=new_run_id(),
        outbound_max_attempts=3,
    )
    rt = await open_runtime(settings)
    await ensure_indexes(rt.db)
    try:
        yield rt, settings
    finally:
        await rt.client.drop_database(settings.mongodb_database)
        await rt.close()


class Partner:
    """Records what it was asked; fails while `down`."""

    def __init__(self) -> None:
        self.received: list[tuple[str, str]] = []
        self.down = False
        self.settled: list[tuple[str, CallOutcome]] = []

    async def execute(self, call: OutboundCall) -> CallResponse:
        if self.down:
            raise CallFailedError("partner down", retryable=True, status_code=503, body="down")
        self.received.append((call.key, str(call.payload["n"])))
        return CallResponse(status_code=200, body="ok", result={"n": call.payload["n"]})

    async def settle(self, settlement: Settlement) -> None:
        self.settled.append((settlement.call.id, settlement.outcome))


async def test_calls_with_one_ordering_key_run_in_order_after_the_partner_returns(
    runtime: tuple[ServiceRuntime, OrdersSettings],
) -> None:
    rt, settings = runtime
    clock = FixedClock(NOW)
    partner = Partner()
    executors = Executors()
    executors.register("postmart", "update", partner.execute, settle=partner.settle)
    worker = OutboundWorker(rt, executors, settings, clock)
    partner.down = True
    for n in range(3):
        for key in ("L1", "L2"):
            await enqueue(
                None,
                rt.db,
                NewCall("postmart", "update", key, {"n": n}),
                now=clock.now(),
                settings=settings,
            )
    assert await worker.run_due() == 2  # one failed head per key, the rest wait behind it
    assert partner.received == []
    partner.down = False
    assert await worker.run_due() == 0  # backoff: not due yet
    clock.advance(timedelta(seconds=5))
    assert await worker.run_due() == 6
    for key in ("L1", "L2"):
        assert [n for k, n in partner.received if k == key] == ["0", "1", "2"]
    assert len(partner.settled) == 6


async def test_call_is_parked_after_max_attempts_and_redrive_makes_it_succeed(
    runtime: tuple[ServiceRuntime, OrdersSettings],
) -> None:
    rt, settings = runtime
    clock = FixedClock(NOW)
    partner = Partner()
    executors = Executors()
    executors.register("voso", "delist", partner.execute, settle=partner.settle)
    worker = OutboundWorker(rt, executors, settings, clock)
    partner.down = True
    first = await enqueue(
        None, rt.db, NewCall("voso", "delist", "L9", {"n": 1}), now=NOW, settings=settings
    )
    later = await enqueue(
        None, rt.db, NewCall("voso", "delist", "L9", {"n": 2}), now=NOW, settings=settings
    )
    for _ in range(3):
        await worker.run_due()
        clock.advance(timedelta(minutes=10))
    parked = await get_call(rt.db, first)
    assert parked is not None and parked.outcome is CallOutcome.PARKED
    assert len(parked.attempts) == 3 and parked.attempts[-1]["status_code"] == 503
    assert partner.settled == [(first, CallOutcome.PARKED)]
    partner.down = False
    assert await worker.run_due() == 0  # the later call waits behind the parked one
    assert await redrive(rt.db, now=clock.now(), target="voso") == [first]
    assert await worker.run_due() == 2
    assert partner.received == [("L9", "1"), ("L9", "2")]
    done = await get_call(rt.db, later)
    assert done is not None and done.outcome is CallOutcome.SUCCEEDED


async def test_a_refusal_is_parked_at_once(
    runtime: tuple[ServiceRuntime, OrdersSettings],
) -> None:
    rt, settings = runtime

    async def refuse(call: OutboundCall) -> CallResponse:
        raise CallFailedError("invalid price", retryable=False, status_code=422)

    executors = Executors()
    executors.register("postmart", "create", refuse)
    worker = OutboundWorker(rt, executors, settings, FixedClock(NOW))
    call_id = await enqueue(
        None, rt.db, NewCall("postmart", "create", "L3", {"n": 1}), now=NOW, settings=settings
    )
    await worker.run_due()
    call = await get_call(rt.db, call_id)
    assert call is not None and call.outcome is CallOutcome.PARKED and call.tries == 1


async def test_two_workers_never_run_the_same_key_at_once(
    runtime: tuple[ServiceRuntime, OrdersSettings],
) -> None:
    rt, settings = runtime
    running = 0
    overlap = False
    seen: list[int] = []

    async def slow(call: OutboundCall) -> CallResponse:
        nonlocal running, overlap
        running += 1
        overlap = overlap or running > 1
        await asyncio.sleep(0.05)
        seen.append(int(call.payload["n"]))
        running -= 1
        return CallResponse(status_code=200)

    executors = Executors()
    executors.register("postmart", "update", slow)
    for n in range(5):
        await enqueue(
            None, rt.db, NewCall("postmart", "update", "L7", {"n": n}), now=NOW, settings=settings
        )
    workers = [OutboundWorker(rt, executors, settings, FixedClock(NOW)) for _ in range(2)]
    while len(seen) < 5:
        await asyncio.gather(*(w.run_due() for w in workers))
    assert not overlap
    assert seen == [0, 1, 2, 3, 4]


async def test_cli_redrive_puts_parked_calls_back(
    runtime: tuple[ServiceRuntime, OrdersSettings],
) -> None:
    from typer.testing import CliRunner

    from ocop_orders.entrypoints.cli import app

    rt, settings = runtime

    async def refuse(call: OutboundCall) -> CallResponse:
        raise CallFailedError("refused", retryable=False, status_code=400)

    executors = Executors()
    executors.register("voso", "upsert", refuse)
    ids = [
        await enqueue(
            None, rt.db, NewCall("voso", "upsert", f"L{n}", {"n": n}), now=NOW, settings=settings
        )
        for n in range(3)
    ]
    await OutboundWorker(rt, executors, settings, FixedClock(NOW)).run_due()
    env = {
        "MONGODB_URI": settings.mongodb_uri,
        "ORDERS_MONGODB_DATABASE": settings.mongodb_database,
    }
    result = await asyncio.to_thread(
        CliRunner().invoke, app, ["calls", "redrive", "--target", "voso"], env=env
    )
    assert result.exit_code == 0, result.output
    assert "Đã đưa 3 lệnh gọi" in result.output
    for call_id in ids:
        call = await get_call(rt.db, call_id)
        assert call is not None and call.outcome is CallOutcome.PENDING and call.tries == 0


async def test_keys_held_back_by_a_parked_call_do_not_crowd_out_others(
    runtime: tuple[ServiceRuntime, OrdersSettings],
) -> None:
    rt, settings = runtime
    partner = Partner()
    executors = Executors()
    executors.register("postmart", "update", partner.execute)

    async def refuse(call: OutboundCall) -> CallResponse:
        raise CallFailedError("refused", retryable=False, status_code=422)

    executors.register("postmart", "create", refuse)
    worker = OutboundWorker(rt, executors, settings, FixedClock(NOW))
    await enqueue(
        None, rt.db, NewCall("postmart", "create", "A", {"n": 0}), now=NOW, settings=settings
    )
    await worker.run_due()  # A's head is parked now
    for n in range(1, 4):
        await enqueue(
            None, rt.db, NewCall("postmart", "update", "A", {"n": n}), now=NOW, settings=settings
        )
    await enqueue(
        None, rt.db, NewCall("postmart", "update", "B", {"n": 9}), now=NOW, settings=settings
    )
    assert await worker.run_due(limit=1) == 1
    assert partner.received == [("B", "9")]
