"""The one place where a product change is settled: eligibility, version, product event.

Certificate events (consumer), imports (CLI and API) and the daily refresh all go through
`settle`, so every change bumps the product version once and announces itself once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ocop_catalog.adapters.contract_mapping import listing_event
from ocop_catalog.domain.eligibility import DEFAULT_POLICIES, ChannelPolicy, eligible_channels
from ocop_catalog.domain.model import CatalogProduct
from ocop_shared.contracts.envelope import EventData


@dataclass(frozen=True)
class Settled:
    product: CatalogProduct
    event: EventData | None


def settle(
    before: CatalogProduct | None,
    after: CatalogProduct,
    today: date,
    policies: tuple[ChannelPolicy, ...] = DEFAULT_POLICIES,
) -> Settled | None:
    """The product to store and the event to publish, or None when nothing changed."""
    after = after.model_copy(
        update={
            "eligible_channels": eligible_channels(after, today, policies),
            "version": before.version if before else 0,
        }
    )
    if before is not None and after == before:
        return None
    after = after.model_copy(update={"version": after.version + 1})
    return Settled(after, listing_event(before, after, today))
