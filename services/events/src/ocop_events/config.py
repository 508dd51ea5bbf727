"""Settings of the events service (env prefix EVENTS_)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from ocop_shared.settings import ServiceSettings


class EventsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="EVENTS_", extra="ignore")

    service_name: str = "events"
    mongodb_database: str = "ocop_events"
    consumer_group: str = "events"
    public_base_url: str = "http://127.0.0.1:8004"
    matches_per_demand: int = 5
    """How many proposals a matching run creates per demand at most."""
