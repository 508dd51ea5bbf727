"""A relay run as its own process, so tests can kill it with SIGKILL mid-stream.

Settings come from the environment (KAFKA_BOOTSTRAP_SERVERS, MONGODB_URI,
MONGODB_DATABASE, SERVICE_NAME, RELAY_LEASE_S, RELAY_BATCH_SIZE).
"""

from __future__ import annotations

from ocop_shared.messaging.workers import relay_main
from ocop_shared.settings import ServiceSettings

if __name__ == "__main__":
    relay_main(ServiceSettings())
