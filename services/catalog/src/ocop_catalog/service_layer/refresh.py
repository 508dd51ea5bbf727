"""Re-apply the channel policies to every product (daily, or after a policy change).

A certificate whose end date has passed stops being eligible even before certification's
expired event arrives; this publishes the withdrawals that follow from that, once.
"""

from __future__ import annotations

from ocop_catalog.adapters.repository import CatalogRepository
from ocop_catalog.domain.eligibility import DEFAULT_POLICIES, ChannelPolicy
from ocop_catalog.service_layer.catalogue import settle
from ocop_shared.messaging.outbox import Outbox
from ocop_shared.mongo import Client, Database, Session, in_transaction
from ocop_shared.timeutil import Clock


async def refresh_eligibility(
    client: Client,
    db: Database,
    outbox: Outbox,
    *,
    policies: tuple[ChannelPolicy, ...] = DEFAULT_POLICIES,
    clock: Clock | None = None,
    batch_size: int = 500,
) -> int:
    """Returns how many products changed."""
    today = (clock or Clock()).today()
    ids = await CatalogRepository(db).all_ids()
    changed = 0
    for start in range(0, len(ids), batch_size):
        batch = ids[start : start + batch_size]

        async def work(session: Session, batch: list[str] = batch) -> int:
            repository = CatalogRepository(db, session)
            products = (await repository.find_many(batch)).values()
            changes = [s for p in products if (s := settle(p, p, today, policies)) is not None]
            await repository.save_many([s.product for s in changes])  # one write per batch
            for settled in changes:
                if settled.event is not None:
                    await outbox.add(
                        session,
                        settled.event,
                        subject=settled.product.id,
                        sequence=settled.product.version,
                    )
            return len(changes)

        changed += await in_transaction(client, work)
    return changed
