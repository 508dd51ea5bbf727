"""Writing to the outbox: a domain event, mapped to its contract, in the caller's transaction.

The unit of work (`UnitOfWork.publish`) and the stock ledger inside it call this; nothing
else in orders adds to the outbox.
"""

from __future__ import annotations

from ocop_orders.adapters.contract_mapping import to_contract
from ocop_orders.domain.events import DomainEvent
from ocop_shared.messaging.outbox import Outbox
from ocop_shared.mongo import Session


async def publish(
    outbox: Outbox, session: Session, event: DomainEvent, *, causation_id: str | None
) -> None:
    """The one way orders writes to its outbox: a domain event, mapped to its contract."""
    outgoing = to_contract(event)
    await outbox.add(
        session,
        outgoing.data,
        subject=outgoing.subject,
        sequence=outgoing.sequence,
        causation_id=causation_id,
    )
