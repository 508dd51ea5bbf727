"""Outbound call journal: every call to a partner (marketplace, carrier) is a durable job.

Why: a partner may be down, slow or wrong for a while; no change may be lost, calls about
the same thing must reach the partner in the order they were decided, and a person must
see (and retry) what could not be done.

Public API (small on purpose):

- ``enqueue(session, db, call=NewCall(...), now=..., settings=...)`` — write a job inside
  the caller's transaction (with the state change that caused it). Returns its id.
- ``Executors`` — registry of executors by ``(target, operation)``:
  ``executors.register("viettelpost", "create_order", execute, settle=settle)``.
  ``execute(call) -> CallResponse`` performs the HTTP call; it raises ``CallFailedError``
  (``retryable=True`` for timeouts, 5xx, 429, garbage; ``False`` for a refusal that will
  not change by retrying). ``settle(Settlement)`` (optional) runs in the same transaction
  that records the outcome (succeeded or parked): update your own state and outbox there.
- ``OutboundWorker(runtime, executors, settings, clock).run(stop)`` — drains due jobs.
  ``run_due()`` does one pass (tests). A lease per ordering key means two workers never
  run the same key at once; within an ordering key a later job waits while an earlier one
  is pending or parked.
- ``redrive(db, now=..., target=None, call_id=None)`` — put parked jobs back (operators).
- ``list_calls(db, ...)`` / ``get_call(db, id)`` — read the journal (console, API).
- ``backoff_delay(tries, base_s, cap_s, rng)`` — exponential backoff with jitter.

Document (collection ``outbound_calls``): target, operation, key (what it is about, e.g. a
listing id), ordering_key, payload, attempts [{at, request, status_code, response, error,
duration_ms}], outcome (pending / succeeded / parked), tries (since the last redrive),
max_attempts, next_attempt_at, created_at, updated_at, result, last_error.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog
from pymongo.errors import PyMongoError

from ocop_orders.adapters.outbound_journal import (
    CALL_LEASES,
    CALLS,
    acquire_lease,
    call_from_doc,
    count_calls,
    due_keys,
    enqueue,
    ensure_outbound_indexes,
    get_call,
    head_of,
    list_calls,
    parked_ids,
    record_attempt,
    redrive,
    release_lease,
)
from ocop_orders.config import OrdersSettings
from ocop_orders.domain.outbound import (
    EXCERPT_CHARS,
    CallFailedError,
    CallOutcome,
    CallResponse,
    NewCall,
    OutboundCall,
    backoff_delay,
    excerpt,
)
from ocop_shared.messaging.outbox import Outbox
from ocop_shared.mongo import Database, Session, in_transaction
from ocop_shared.runtime import ServiceRuntime
from ocop_shared.timeutil import Clock

__all__ = [
    "CALLS",
    "CALL_LEASES",
    "EXCERPT_CHARS",
    "CallFailedError",
    "CallOutcome",
    "CallResponse",
    "Execute",
    "Executors",
    "NewCall",
    "OutboundCall",
    "OutboundWorker",
    "Registration",
    "Settle",
    "Settlement",
    "backoff_delay",
    "call_from_doc",
    "count_calls",
    "enqueue",
    "ensure_outbound_indexes",
    "excerpt",
    "get_call",
    "list_calls",
    "parked_ids",
    "redrive",
]

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Settlement:
    """Given to ``settle`` in the transaction that records a final outcome."""

    db: Database
    session: Session
    outbox: Outbox
    call: OutboundCall
    outcome: CallOutcome
    now: datetime
    response: CallResponse | None = None
    error: CallFailedError | None = None


Execute = Callable[[OutboundCall], Awaitable[CallResponse]]
Settle = Callable[[Settlement], Awaitable[None]]


@dataclass(frozen=True)
class Registration:
    execute: Execute
    settle: Settle | None = None


class Executors:
    """Executors by (target, operation); the one place a kind of call is wired."""

    def __init__(self) -> None:
        self._by_kind: dict[tuple[str, str], Registration] = {}

    def register(
        self, target: str, operation: str, execute: Execute, *, settle: Settle | None = None
    ) -> None:
        if (target, operation) in self._by_kind:
            raise ValueError(f"executor already registered for {target}/{operation}")
        self._by_kind[(target, operation)] = Registration(execute, settle)

    def find(self, target: str, operation: str) -> Registration | None:
        return self._by_kind.get((target, operation))

    def kinds(self) -> list[tuple[str, str]]:
        return sorted(self._by_kind)


class OutboundWorker:
    """Drains due calls: heads of their ordering key, one worker per key (lease)."""

    def __init__(
        self,
        runtime: ServiceRuntime,
        executors: Executors,
        settings: OrdersSettings,
        clock: Clock | None = None,
        *,
        rng: random.Random | None = None,
    ) -> None:
        self._runtime = runtime
        self._db = runtime.db
        self._executors = executors
        self._settings = settings
        self._clock = clock or Clock()
        self._rng = rng or random.Random()  # noqa: S311 (jitter, not security)
        self._owner = f"outbound-{uuid.uuid4().hex[:12]}"
        self._lease = timedelta(seconds=settings.outbound_lease_s)
        self.wake = asyncio.Event()

    async def run(self, stop: asyncio.Event) -> None:
        """Until ``stop``: one pass, then wait for the poll interval (or ``wake``)."""
        while not stop.is_set():
            try:
                done = await self.run_due()
            except PyMongoError as exc:
                log.warning("outbound.pass_failed", error=repr(exc))
                done = 0
            if done:
                continue
            self.wake.clear()
            waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self.wake.wait())]
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED),
                    self._settings.outbound_poll_interval_s,
                )
            for waiter in waiters:
                waiter.cancel()

    async def run_due(self, limit: int = 500) -> int:
        """One pass over the ordering keys with a due head; returns attempts made."""
        now = self._clock.now()
        keys = await self._due_keys(now, limit)
        if not keys:
            return 0
        gate = asyncio.Semaphore(max(1, self._settings.outbound_concurrency))

        async def drain(ordering_key: str) -> int:
            async with gate:
                return await self._drain_key(ordering_key)

        return sum(await asyncio.gather(*(drain(k) for k in keys)))

    async def _due_keys(self, now: datetime, limit: int) -> list[str]:
        """Ordering keys whose head (earliest unfinished call) is pending and due.

        Looking at heads, not at every due call, keeps keys held back by a parked or
        backing-off head from crowding out the others.
        """
        return await due_keys(self._db, now, limit)

    async def _head(self, ordering_key: str) -> OutboundCall | None:
        return await head_of(self._db, ordering_key)

    async def _drain_key(self, ordering_key: str) -> int:
        if not await self._acquire(ordering_key):
            return 0
        attempts = 0
        try:
            while True:
                head = await self._head(ordering_key)
                now = self._clock.now()
                if head is None or head.outcome is CallOutcome.PARKED:
                    break  # a parked call holds back the later ones until a person acts
                if head.next_attempt_at > now:
                    break
                succeeded = await self._attempt(head)
                attempts += 1
                if not succeeded or attempts >= 50:
                    break
        finally:
            await self._release(ordering_key)
        return attempts

    async def _acquire(self, ordering_key: str) -> bool:
        now = self._clock.now()
        return await acquire_lease(self._db, ordering_key, self._owner, now, now + self._lease)

    async def _release(self, ordering_key: str) -> None:
        await release_lease(self._db, ordering_key, self._owner)

    async def _execute(
        self, call: OutboundCall, registration: Registration | None
    ) -> tuple[CallResponse | None, CallFailedError | None]:
        """The partner's answer, or why there is none (an executor bug is retryable)."""
        if registration is None:
            error = CallFailedError(
                f"no executor for {call.target}/{call.operation}", retryable=False
            )
            return None, error
        try:
            return await registration.execute(call), None
        except CallFailedError as exc:
            return None, exc
        except Exception as exc:  # an executor bug must not kill the worker
            log.exception("outbound.executor_crashed", call_id=call.id)
            return None, CallFailedError(f"executor error: {exc!r}", retryable=True)

    def _journal_update(
        self,
        call: OutboundCall,
        response: CallResponse | None,
        error: CallFailedError | None,
        now: datetime,
        duration_ms: float,
    ) -> tuple[CallOutcome, dict[str, Any], dict[str, Any]]:
        """The attempt's outcome, its journal entry and the update recording both."""
        tries = call.tries + 1
        attempt = {
            "at": now,
            "request": excerpt(response.request if response else error.request if error else ""),
            "status_code": response.status_code
            if response
            else error.status_code
            if error
            else None,
            "response": excerpt(response.body if response else error.body if error else ""),
            "error": error.message if error else None,
            "duration_ms": duration_ms,
        }
        if error is None:
            outcome = CallOutcome.SUCCEEDED
        elif not error.retryable or tries >= call.max_attempts:
            outcome = CallOutcome.PARKED
        else:
            outcome = CallOutcome.PENDING
        update: dict[str, Any] = {
            "$push": {"attempts": attempt},
            "$set": {
                "outcome": outcome.value,
                "tries": tries,
                "updated_at": now,
                "last_error": error.message if error else None,
            },
        }
        if outcome is CallOutcome.PENDING:
            delay = backoff_delay(
                tries,
                self._settings.outbound_backoff_base_s,
                self._settings.outbound_backoff_cap_s,
                self._rng,
            )
            update["$set"]["next_attempt_at"] = now + timedelta(seconds=delay)
        if response is not None:
            update["$set"]["result"] = json.loads(json.dumps(response.result, default=str))
        return outcome, attempt, update

    async def _attempt(self, call: OutboundCall) -> bool:
        """Run one attempt of ``call`` and journal it; True when it succeeded."""
        registration = self._executors.find(call.target, call.operation)
        started = time.monotonic()
        response, error = await self._execute(call, registration)
        duration_ms = round((time.monotonic() - started) * 1000, 1)
        now = self._clock.now()
        outcome, attempt, update = self._journal_update(call, response, error, now, duration_ms)

        async def record(session: Session) -> None:
            if not await record_attempt(self._db, session, call, update):
                return  # redriven or recorded meanwhile: nothing more to settle
            if outcome is not CallOutcome.PENDING and registration and registration.settle:
                await registration.settle(
                    Settlement(
                        db=self._db,
                        session=session,
                        outbox=self._runtime.outbox,
                        call=call,
                        outcome=outcome,
                        now=now,
                        response=response,
                        error=error,
                    )
                )

        await in_transaction(self._runtime.client, record)
        log.info(
            "outbound.attempted",
            call_id=call.id,
            target=call.target,
            operation=call.operation,
            key=call.key,
            outcome=outcome.value,
            tries=call.tries + 1,
            status_code=attempt["status_code"],
            duration_ms=duration_ms,
        )
        return outcome is CallOutcome.SUCCEEDED
