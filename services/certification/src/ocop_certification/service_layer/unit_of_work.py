"""Unit of work: one MongoDB transaction for the state change and its outbox records."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from ocop_certification.adapters.contract_mapping import to_contract
from ocop_certification.adapters.repository import CertificationRepository
from ocop_certification.domain.events import DomainEvent
from ocop_shared.mongo import Session, in_transaction
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
    async def transaction(session: Session) -> T:
        uow = UnitOfWork(CertificationRepository(runtime.db, session))
        result = await work(uow)
        for event in uow.events:
            outgoing = to_contract(event)
            await runtime.outbox.add(
                session, outgoing.data, subject=outgoing.subject, sequence=outgoing.sequence
            )
        return result

    return await in_transaction(runtime.client, transaction)
