"""Settings every service shares; each service subclasses with its own env prefix."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _shared(name: str) -> AliasChoices:
    """Accept the unprefixed name used by every service (e.g. MONGODB_URI)."""
    return AliasChoices(name, name.lower())


DEVELOPMENT_JWT_SECRET = "dev-only-insecure-secret-change-me-32b"  # noqa: S105 (public by design)


class ServiceSettings(BaseSettings):
    """Connection, security and runtime settings common to all services.

    `KAFKA_BOOTSTRAP_SERVERS`, `MONGODB_URI` and the JWT settings are read without a
    prefix so one environment configures the whole platform.
    """

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    service_name: str = "ocop"
    environment: Literal["development", "test", "production"] = Field(
        "development", validation_alias=_shared("OCOP_ENVIRONMENT")
    )
    kafka_bootstrap_servers: str = Field(
        "127.0.0.1:9092", validation_alias=_shared("KAFKA_BOOTSTRAP_SERVERS")
    )
    mongodb_uri: str = Field(
        "mongodb://127.0.0.1:27017/?replicaSet=secantus", validation_alias=_shared("MONGODB_URI")
    )
    mongodb_database: str = "ocop"
    topic_prefix: str = Field("", validation_alias=_shared("OCOP_TOPIC_PREFIX"))
    # Development default only; production must inject a real secret or a public key.
    jwt_secret: SecretStr = Field(
        SecretStr(DEVELOPMENT_JWT_SECRET),
        validation_alias=_shared("OCOP_JWT_SECRET"),
    )
    jwt_public_key: str | None = Field(None, validation_alias=_shared("OCOP_JWT_PUBLIC_KEY"))
    jwt_issuer: str = Field("ocop-hub", validation_alias=_shared("OCOP_JWT_ISSUER"))
    jwt_audience: str = Field("ocop-hub", validation_alias=_shared("OCOP_JWT_AUDIENCE"))
    log_json: bool | None = Field(None, validation_alias=_shared("OCOP_LOG_JSON"))
    log_level: str = Field("INFO", validation_alias=_shared("OCOP_LOG_LEVEL"))
    consumer_max_attempts: int = 5
    consumer_retry_backoff_s: float = 0.2
    relay_poll_interval_s: float = 0.1
    relay_batch_size: int = 500
    relay_lease_s: float = 10.0

    @model_validator(mode="after")
    def _no_development_secret_in_production(self) -> Self:
        if self.environment == "production" and self.jwt_public_key is None:
            secret = self.jwt_secret.get_secret_value()
            if secret == DEVELOPMENT_JWT_SECRET or len(secret) < 32:
                raise ValueError(
                    "OCOP_JWT_SECRET must be set to a random secret of at least 32 characters "
                    "(or OCOP_JWT_PUBLIC_KEY to the identity provider's key) in production"
                )
        return self

    def topic(self, name: str) -> str:
        """Full topic name; a prefix isolates test runs sharing one broker."""
        return f"{self.topic_prefix}{name}"
