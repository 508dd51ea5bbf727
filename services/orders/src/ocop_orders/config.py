"""Settings of the orders service (env prefix ORDERS_)."""

from __future__ import annotations

from typing import Self

from pydantic import SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from ocop_shared.settings import ServiceSettings

DEVELOPMENT_WEBHOOK_SECRET = "dev-only-webhook-secret"  # noqa: S105 (public by design)


class OrdersSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ORDERS_", extra="ignore")

    service_name: str = "orders"
    mongodb_database: str = "ocop_orders"
    consumer_group: str = "orders"
    default_low_stock_threshold: int = 5
    """Used when neither the showroom nor the product sets its own."""
    default_near_expiry_days: int = 14
    expiry_sweep_interval_s: float = 3600.0
    """How often the consumer process looks for lots entering their near-expiry window."""
    catalogue_base_url: str = "http://127.0.0.1:8002"
    """Public catalogue (ocop-catalog pages): receipts link each product to /san-pham/{id}."""
    receipt_product_qr_limit: int = 6
    """At most this many product QR codes on a receipt (the rest stay text only)."""

    # --- Outbound partner calls (journal, retries, marketplaces) -------------------------
    outbound_max_attempts: int = 12
    """Attempts of one outbound call before it is parked for a person (with the default
    backoff about 1.5 hours of trying)."""
    outbound_backoff_base_s: float = 1.0
    outbound_backoff_cap_s: float = 300.0
    outbound_poll_interval_s: float = 0.2
    """How often the connectors worker looks for due calls (delist latency depends on it)."""
    outbound_lease_s: float = 30.0
    outbound_concurrency: int = 8
    outbound_timeout_s: float = 10.0
    marketplace_reconcile_interval_s: float = 900.0
    postmart_base_url: str = "http://127.0.0.1:8301"
    postmart_api_key: SecretStr = SecretStr("dev-postmart-key")
    postmart_webhook_secret: SecretStr = SecretStr("dev-postmart-webhook-secret")
    voso_base_url: str = "http://127.0.0.1:8302"
    voso_api_key: SecretStr = SecretStr("dev-voso-key")
    voso_webhook_secret: SecretStr = SecretStr("dev-voso-webhook-secret")

    # -- e-commerce orders and Viettel Post shipping (issue 6, part B) -------------------------
    reservation_timeout_minutes: int = 30
    """An unconfirmed e-commerce order gives its reserved stock back after this long."""
    reservation_sweep_interval_s: float = 30.0
    order_pull_interval_s: float = 60.0
    viettelpost_base_url: str = "https://partner.viettelpost.vn"
    viettelpost_username: str = ""
    viettelpost_password: SecretStr = SecretStr("")
    viettelpost_webhook_secret: SecretStr = SecretStr(DEVELOPMENT_WEBHOOK_SECRET)
    """The TOKEN Viettel Post puts in every status push (set in its partner portal)."""
    viettelpost_timeout_s: float = 10.0
    viettelpost_direct_attempts: int = 3
    """Attempts of a carrier call made directly (without the outbound journal)."""
    shipper_name: str = "Trung tâm Xúc tiến thương mại Phú Thọ"
    shipper_phone: str = "02103846999"
    shipper_address: str = "Số 1 đường Hùng Vương, phường Việt Trì, Phú Thọ"
    shipper_province_code: int = 27
    shipper_commune_code: int = 0
    default_item_weight_g: int = 500
    ecommerce_fulfilment_showroom_id: str | None = None
    """Where marketplace orders are served from when the order does not say; None: the
    producer's own stock."""

    def channel_webhook_secret(self, channel: str) -> str | None:
        secret = {
            "postmart": self.postmart_webhook_secret,
            "voso": self.voso_webhook_secret,
        }.get(channel)
        return secret.get_secret_value() if secret else None

    @model_validator(mode="after")
    def _no_development_webhook_secret_in_production(self) -> Self:
        if self.environment == "production":
            for name in ("postmart", "voso", "viettelpost"):
                value: SecretStr = getattr(self, f"{name}_webhook_secret")
                if not value.get_secret_value() or value.get_secret_value().startswith("dev-"):
                    raise ValueError(
                        f"ORDERS_{name.upper()}_WEBHOOK_SECRET must be set to a real secret "
                        "in production"
                    )
        return self
