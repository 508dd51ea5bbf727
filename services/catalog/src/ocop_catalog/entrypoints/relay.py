"""`python -m ocop_catalog.entrypoints.relay`: publish the outbox to Kafka."""

from __future__ import annotations

from ocop_catalog.config import CatalogSettings
from ocop_shared.messaging.workers import relay_main

if __name__ == "__main__":
    relay_main(CatalogSettings())
