"""`python -m ocop_certification.entrypoints.relay`: publish the outbox to Kafka."""

from __future__ import annotations

from ocop_certification.config import CertificationSettings
from ocop_shared.messaging.workers import relay_main

if __name__ == "__main__":
    relay_main(CertificationSettings())
