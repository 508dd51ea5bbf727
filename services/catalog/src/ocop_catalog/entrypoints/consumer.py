"""`python -m ocop_catalog.entrypoints.consumer`: apply certification events to the catalogue."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import date

import structlog

from ocop_catalog.adapters.repository import ensure_indexes
from ocop_catalog.config import CatalogSettings
from ocop_catalog.service_layer.consumed import CatalogueHandlers
from ocop_catalog.service_layer.refresh import refresh_eligibility
from ocop_shared.contracts.certification import (
    CERTIFICATES_TOPIC,
    PRODUCERS_TOPIC,
    PRODUCTS_TOPIC,
)
from ocop_shared.messaging.workers import consumer_main, run_consumer
from ocop_shared.runtime import ensure_messaging_indexes, open_runtime
from ocop_shared.timeutil import Clock

log = structlog.get_logger(__name__)


def topics(settings: CatalogSettings) -> list[str]:
    return [settings.topic(t) for t in (PRODUCERS_TOPIC, PRODUCTS_TOPIC, CERTIFICATES_TOPIC)]


async def consume(settings: CatalogSettings, stop: asyncio.Event) -> None:
    """Keep the catalogue in step with certification events until `stop` is set."""
    await run_consumer(
        settings,
        stop,
        group_id=settings.consumer_group,
        topics=topics(settings),
        handlers=CatalogueHandlers(settings.channel_policies()).handlers(),
        prepare_database=ensure_indexes,
    )


async def refresh_daily(
    settings: CatalogSettings,
    stop: asyncio.Event,
    *,
    clock: Clock | None = None,
    check_every_s: float = 60.0,
) -> None:
    """At start and whenever the date in Vietnam changes, re-apply the channel policies, so a
    certificate past its end date leaves the channels even before an expired event comes.
    Safe with several consumer replicas: a product changes once (transaction, version)."""
    clock = clock or Clock()
    runtime = await open_runtime(settings)
    done_for: date | None = None
    try:
        while not stop.is_set():
            today = clock.today()
            if today != done_for:
                try:
                    await ensure_messaging_indexes(runtime.db)
                    await ensure_indexes(runtime.db)
                    changed = await refresh_eligibility(
                        runtime.client,
                        runtime.db,
                        runtime.outbox,
                        policies=settings.channel_policies(),
                        clock=clock,
                    )
                    log.info(
                        "catalog.eligibility_refreshed", day=today.isoformat(), changed=changed
                    )
                    done_for = today
                except Exception as exc:  # the database may be away: try again later
                    log.warning("catalog.eligibility_refresh_failed", error=repr(exc))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), check_every_s)
    finally:
        await runtime.close()


def main() -> None:
    consumer_main(CatalogSettings(), consume, side_tasks=[refresh_daily])


if __name__ == "__main__":
    main()
