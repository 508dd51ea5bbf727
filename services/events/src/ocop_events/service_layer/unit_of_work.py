"""Unit of work: one MongoDB transaction for the state change and its outbox records."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from ocop_events.adapters.contract_mapping import to_contract
from ocop_events.adapters.matching_repository import MatchingRepository
from ocop_events.adapters.repository import EventsRepository
from ocop_events.domain.events import DomainEvent
from ocop_shared.messaging.unit_of_work import run_with_outbox
from ocop_shared.mongo import Session
from ocop_shared.runtime import ServiceRuntime

T = TypeVar("T")


class UnitOfWork:
    """What a handler works with inside the transaction."""

    def __init__(self, runtime: ServiceRuntime, session: Session) -> None:
        self.repository = EventsRepository(runtime.db, session)
        self.matching = MatchingRepository(runtime.db, session)
        self.events: list[DomainEvent] = []

    def raise_event(self, event: DomainEvent) -> None:
        self.events.append(event)


async def run_in_unit_of_work(
    runtime: ServiceRuntime, work: Callable[[UnitOfWork], Awaitable[T]]
) -> T:
    return await run_with_outbox(
        runtime, lambda session: UnitOfWork(runtime, session), work, to_contract
    )
