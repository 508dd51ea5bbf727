"""`python -m ocop_orders.entrypoints.relay`: publish the outbox to Kafka."""

from __future__ import annotations

from ocop_orders.config import OrdersSettings
from ocop_shared.messaging.workers import relay_main

if __name__ == "__main__":
    relay_main(OrdersSettings())
