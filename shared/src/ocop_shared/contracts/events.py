"""Events published by the events service (fairs, participation, supply-demand matching)."""

from __future__ import annotations

PARTICIPATIONS_TOPIC = "ocop.events.participations"
MATCHES_TOPIC = "ocop.events.matches"
