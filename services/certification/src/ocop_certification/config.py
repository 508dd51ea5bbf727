"""Settings of the certification service (env prefix CERTIFICATION_)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from ocop_shared.settings import ServiceSettings


class CertificationSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CERTIFICATION_", extra="ignore")

    service_name: str = "certification"
    mongodb_database: str = "ocop_certification"
    reminder_lead_months: tuple[int, ...] = Field(
        (6, 3, 1), description="Months before expiry when a reminder goes out (no legal rule)"
    )
    scheduler_interval_seconds: float = Field(3600, gt=0)
    evidence_max_bytes: int = Field(10 * 1024 * 1024, gt=0)
    evidence_content_types: tuple[str, ...] = (
        "application/pdf",
        "image/jpeg",
        "image/png",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
