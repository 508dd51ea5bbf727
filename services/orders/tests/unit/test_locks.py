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


async def test_sales_are_served_in_arrival_order_per_product() -> None:
    locks = KeyedLocks()
    order: list[int] = []

    async def sale(n: int, keys: list[str]) -> None:
        async with locks.hold(keys):
            order.append(n)
            await asyncio.sleep(0.005)

    await asyncio.gather(
        sale(0, ["a", "b"]), sale(1, ["b", "c"]), sale(2, ["a"]), sale(3, ["c", "a"])
    )
    assert order.index(0) < order.index(1)
    assert order.index(0) < order.index(2) < order.index(3)
    assert order.index(1) < order.index(3)
    assert len(locks) == 0
