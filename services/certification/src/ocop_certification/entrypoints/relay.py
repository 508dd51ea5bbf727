"""`python -m ocop_certification.entrypoints.relay`: publish the outbox to Kafka."""

from __future__ import annotations

import asyncio

from ocop_certification.config import CertificationSettings
from ocop_shared.logging import configure_logging
from ocop_shared.messaging.workers import run_relay, stop_on_signals


async def main() -> None:
    settings = CertificationSettings()
    configure_logging("certification-relay", settings.log_level, settings.log_json)
    stop = asyncio.Event()
    stop_on_signals(stop)
    await run_relay(settings, stop)


if __name__ == "__main__":
    asyncio.run(main())
