"""In-process stock locks queue sales of the same product and forget idle keys."""

from __future__ import annotations

import asyncio

from ocop_orders.service_layer.locks import KeyedLocks


async def test_sales_sharing_a_product_take_turns_and_others_run_alongside() -> None:
    locks = KeyedLocks()
    inside: dict[str, int] = {"a": 0, "b": 0}
    peak: dict[str, int] = {"a": 0, "b": 0}

    async def sale(keys: list[str]) -> None:
        async with locks.hold(keys):
            for key in keys:
                inside[key] += 1
                peak[key] = max(peak[key], inside[key])
            await asyncio.sleep(0.01)
            for key in keys:
                inside[key] -= 1

    await asyncio.gather(*(sale(["a"]) for _ in range(5)), *(sale(["b", "a"]) for _ in range(3)))
    assert peak == {"a": 1, "b": 1}
    assert len(locks) == 0


async def test_a_cancelled_waiter_leaves_no_lock_behind() -> None:
    locks = KeyedLocks()
    async with locks.hold(["a"]):
        waiter = asyncio.create_task(_hold(locks, ["a"]))
        await asyncio.sleep(0)
        waiter.cancel()
        await asyncio.gather(waiter, return_exceptions=True)
    assert len(locks) == 0


async def _hold(locks: KeyedLocks, keys: list[str]) -> None:
    async with locks.hold(keys):
        await asyncio.sleep(1)
