"""In-process locks per stock key, taken before a sale's transaction starts.

Correctness never depends on them: the database's guarded updates and write conflicts keep
stock right across processes and replicas. They only stop tills served by the same process
from starting transactions that are bound to collide on the same product and be retried:
such sales wait for a few milliseconds instead, while sales of other products go ahead.

A sale joins the queue of each of its keys at once, in arrival order, and runs when it is
first in all of them. The oldest waiting sale is always first everywhere, so there is no
deadlock, no sale holds one product while waiting for another, and none starves.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator, Iterable


class _Ticket:
    __slots__ = ("wake",)

    def __init__(self) -> None:
        self.wake = asyncio.Event()


class KeyedLocks:
    def __init__(self) -> None:
        self._queues: dict[str, deque[_Ticket]] = {}

    @contextlib.asynccontextmanager
    async def hold(self, keys: Iterable[str]) -> AsyncIterator[None]:
        wanted = sorted(set(keys))
        ticket = _Ticket()
        for key in wanted:  # no await in between: joining all queues is atomic
            self._queues.setdefault(key, deque()).append(ticket)
        try:
            while not all(self._queues[key][0] is ticket for key in wanted):
                ticket.wake.clear()
                await ticket.wake.wait()
            yield
        finally:
            for key in wanted:
                queue = self._queues[key]
                was_first = queue[0] is ticket
                queue.remove(ticket)
                if not queue:
                    del self._queues[key]
                elif was_first:
                    queue[0].wake.set()

    def __len__(self) -> int:
        return len(self._queues)
