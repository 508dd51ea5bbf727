"""`python -m ocop_events.entrypoints.relay`: publish the outbox to Kafka."""

from __future__ import annotations

from ocop_events.config import EventsSettings
from ocop_shared.messaging.workers import relay_main

if __name__ == "__main__":
    relay_main(EventsSettings())
