"""`python -m ocop_certification.entrypoints.scheduler`: expire certificates, send reminders.

Runs a sweep at start and then every ``CERTIFICATION_SCHEDULER_INTERVAL_SECONDS``. A sweep
is idempotent (see ``service_layer.lifecycle``), so running two schedulers or restarting one
expires nothing twice. ``--once`` runs a single sweep and exits (cron-style).
"""

from __future__ import annotations

import asyncio
import contextlib
import sys

import structlog

from ocop_certification.adapters.repository import ensure_indexes
from ocop_certification.config import CertificationSettings
from ocop_certification.service_layer.lifecycle import SweepReport, sweep
from ocop_shared.logging import configure_logging
from ocop_shared.messaging.workers import stop_on_signals
from ocop_shared.runtime import ensure_messaging_indexes, open_runtime
from ocop_shared.timeutil import Clock

log = structlog.get_logger(__name__)


async def run_scheduler(
    settings: CertificationSettings,
    stop: asyncio.Event,
    *,
    clock: Clock | None = None,
    once: bool = False,
) -> SweepReport:
    """Sweep until `stop` is set (or once); returns the totals of all sweeps."""
    clock = clock or Clock()
    runtime = await open_runtime(settings)
    total = SweepReport()
    try:
        await ensure_messaging_indexes(runtime.db)
        await ensure_indexes(runtime.db)
        while not stop.is_set():
            try:
                report = await sweep(runtime, clock, settings.reminder_lead_months)
                total.expired += report.expired
                total.reminded += report.reminded
                log.info("scheduler.swept", expired=report.expired, reminded=report.reminded)
            except Exception as exc:  # the database may be down: try again next time
                log.warning("scheduler.sweep_failed", error=repr(exc))
            if once:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), settings.scheduler_interval_seconds)
    finally:
        await runtime.close()
    return total


def main() -> None:
    settings = CertificationSettings()

    async def run() -> None:
        configure_logging(
            f"{settings.service_name}-scheduler", settings.log_level, settings.log_json
        )
        stop = asyncio.Event()
        stop_on_signals(stop)
        await run_scheduler(settings, stop, once="--once" in sys.argv[1:])

    asyncio.run(run())


if __name__ == "__main__":
    main()
