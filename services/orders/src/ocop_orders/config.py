"""Settings of the orders service (env prefix ORDERS_)."""

from __future__ import annotations

from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from ocop_shared.settings import ServiceSettings


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
