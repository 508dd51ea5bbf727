"""In-process locks per stock key, taken before a sale's transaction starts.

Correctness never depends on them: the database's guarded updates and write conflicts keep
stock right across processes and replicas. They only stop tills served by the same process
from starting transactions that are bound to collide on the same product and be retried:
such sales wait for a few milliseconds instead, while sales of other products go ahead.

A sale takes all its keys at once or none: it never holds one product while waiting for
another, so a queue on a popular product does not stall sales of everything else.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterable


class KeyedLocks:
    def __init__(self) -> None:
        self._busy: set[str] = set()
        self._changed = asyncio.Condition()

    @contextlib.asynccontextmanager
    async def hold(self, keys: Iterable[str]) -> AsyncIterator[None]:
        wanted = set(keys)
        async with self._changed:
            await self._changed.wait_for(lambda: self._busy.isdisjoint(wanted))
            self._busy |= wanted
        try:
            yield
        finally:
            self._busy -= wanted  # at once, so a cancelled request cannot leave keys taken
            await asyncio.shield(self._wake_waiters())

    async def _wake_waiters(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def __len__(self) -> int:
        return len(self._busy)
