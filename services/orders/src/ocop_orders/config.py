"""Settings of the orders service (env prefix ORDERS_)."""

from __future__ import annotations

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
