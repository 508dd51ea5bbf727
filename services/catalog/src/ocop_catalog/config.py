"""Settings of the catalogue service (env prefix CATALOG_)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from ocop_shared.settings import ServiceSettings


class CatalogSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CATALOG_", extra="ignore")

    service_name: str = "catalog"
    mongodb_database: str = "ocop_catalog"
    consumer_group: str = "catalog"
    public_base_url: str = "http://127.0.0.1:8002"
