"""`consumer_main` / `run_together`: a consumer and its side tasks stop together."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from ocop_shared.messaging.workers import consumer_main, run_together
from ocop_shared.settings import ServiceSettings

SETTINGS = ServiceSettings(service_name="test-consumer")


async def test_the_consumer_and_its_side_tasks_stop_on_the_same_event() -> None:
    stopped: list[str] = []

    def waits(name: str) -> Callable[[ServiceSettings, asyncio.Event], Awaitable[None]]:
        async def worker(settings: ServiceSettings, stop: asyncio.Event) -> None:
            await stop.wait()
            stopped.append(name)

        return worker

    stop = asyncio.Event()
    running = asyncio.create_task(
        run_together(SETTINGS, stop, [waits("consume"), waits("refresh"), waits("sweep")])
    )
    await asyncio.sleep(0.01)
    assert not running.done()
    stop.set()
    await asyncio.wait_for(running, 1)
    assert sorted(stopped) == ["consume", "refresh", "sweep"]


async def test_a_failing_side_task_stops_the_consumer_and_its_error_is_raised() -> None:
    consumer_stopped = asyncio.Event()

    async def consume(settings: ServiceSettings, stop: asyncio.Event) -> None:
        await stop.wait()
        consumer_stopped.set()

    async def broken(settings: ServiceSettings, stop: asyncio.Event) -> None:
        raise RuntimeError("side task broke")

    with pytest.raises(RuntimeError, match="side task broke"):
        await asyncio.wait_for(run_together(SETTINGS, asyncio.Event(), [consume, broken]), 1)
    assert consumer_stopped.is_set()


def test_consumer_main_runs_the_consumer_with_the_settings_it_was_given() -> None:
    seen: list[str] = []

    async def consume(settings: ServiceSettings, stop: asyncio.Event) -> None:
        seen.append(settings.service_name)  # returns at once: the side task is stopped too

    async def side(settings: ServiceSettings, stop: asyncio.Event) -> None:
        await stop.wait()
        seen.append("side stopped")

    consumer_main(SETTINGS, consume, side_tasks=[side])
    assert seen == ["test-consumer", "side stopped"]
