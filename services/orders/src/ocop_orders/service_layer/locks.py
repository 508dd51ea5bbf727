"""In-process locks per stock key, taken before a sale's transaction starts.

Correctness never depends on them: the database's guarded updates and write conflicts keep
stock right across processes and replicas. They only stop tills served by the same process
from starting transactions that are bound to collide on the same product and be retried:
such sales queue for a few milliseconds instead, while sales of other products go ahead.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator, Iterable


class KeyedLocks:
    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._waiting: Counter[str] = Counter()

    @contextlib.asynccontextmanager
    async def hold(self, keys: Iterable[str]) -> AsyncIterator[None]:
        ordered = sorted(set(keys))  # one global order: no deadlock between two sales
        for key in ordered:
            self._waiting[key] += 1
            self._locks.setdefault(key, asyncio.Lock())
        acquired: list[str] = []
        try:
            for key in ordered:
                await self._locks[key].acquire()
                acquired.append(key)
            yield
        finally:
            for key in reversed(acquired):
                self._locks[key].release()
            for key in ordered:
                self._waiting[key] -= 1
                if self._waiting[key] == 0:
                    del self._waiting[key]
                    del self._locks[key]

    def __len__(self) -> int:
        return len(self._locks)
