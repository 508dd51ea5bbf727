"""One MongoDB transaction for a state change and the events it raises.

Services keep their own unit of work (its repositories) and their own mapping from domain
events to contracts; this module is the loop they share: run the work, then write each
raised event's contract to the outbox in the same transaction, so a change is published
if and only if it is committed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from ocop_shared.contracts.envelope import EventData
from ocop_shared.messaging.store import OutboxStore
from ocop_shared.mongo import Session, in_transaction

T = TypeVar("T")


@dataclass(frozen=True)
class Outgoing:
    """A contract with its aggregate id (the Kafka key) and the aggregate's version."""

    data: EventData
    subject: str
    sequence: int


class RaisesEvents(Protocol):
    """A service's unit of work: its repositories plus the domain events raised so far."""

    events: list[Any]


U = TypeVar("U", bound=RaisesEvents)


async def run_with_outbox(
    runtime: OutboxStore,
    make_unit: Callable[[Session], U],
    work: Callable[[U], Awaitable[T]],
    to_contract: Callable[[Any], Outgoing],
) -> T:
    """Run ``work`` in a transaction and add the events it raised to the outbox."""

    async def transaction(session: Session) -> T:
        unit = make_unit(session)
        result = await work(unit)
        for event in unit.events:
            outgoing = to_contract(event)
            await runtime.outbox.add(
                session, outgoing.data, subject=outgoing.subject, sequence=outgoing.sequence
            )
        return result

    return await in_transaction(runtime.client, transaction)
