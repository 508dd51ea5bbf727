"""Settings of the certification service (env prefix CERTIFICATION_)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from ocop_shared.settings import ServiceSettings


class CertificationSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CERTIFICATION_", extra="ignore")

    service_name: str = "certification"
    mongodb_database: str = "ocop_certification"
