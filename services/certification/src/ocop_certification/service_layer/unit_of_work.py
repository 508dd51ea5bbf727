"""Unit of work: one MongoDB transaction for the state change and its outbox records."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from ocop_certification.adapters.contract_mapping import to_contract
from ocop_certification.adapters.repository import CertificationRepository
from ocop_certification.domain.events import DomainEvent
from ocop_shared.messaging.unit_of_work import run_with_outbox
from ocop_shared.runtime import ServiceRuntime

T = TypeVar("T")


class UnitOfWork:
    """What a handler works with inside the transaction."""

    def __init__(self, repository: CertificationRepository) -> None:
        self.repository = repository
        self.events: list[DomainEvent] = []

    def raise_event(self, event: DomainEvent) -> None:
        self.events.append(event)


async def run_in_unit_of_work(
    runtime: ServiceRuntime, work: Callable[[UnitOfWork], Awaitable[T]]
) -> T:
    return await run_with_outbox(
        runtime,
        lambda session: UnitOfWork(CertificationRepository(runtime.db, session)),
        work,
        to_contract,
    )
