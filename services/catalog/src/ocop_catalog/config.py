"""Settings of the catalogue service (env prefix CATALOG_)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from ocop_catalog.domain.eligibility import ChannelPolicy
from ocop_shared.contracts.catalog import Channel
from ocop_shared.settings import ServiceSettings


class CatalogSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CATALOG_", extra="ignore")

    service_name: str = "catalog"
    mongodb_database: str = "ocop_catalog"
    consumer_group: str = "catalog"
    public_base_url: str = "http://127.0.0.1:8002"
    # Channel policies (data, not code): minimum stars of an active certificate per channel;
    # the showroom may also take key farm products carrying a traceability stamp (Việt Trì).
    showroom_min_stars: int = 3
    showroom_accepts_key_farm_products: bool = True
    marketplace_min_stars: int = 3
    fair_min_stars: int = 3
    expiring_soon_days: int = 90
    import_max_bytes: int = 20 * 1024 * 1024
    import_batch_size: int = 500

    def channel_policies(self) -> tuple[ChannelPolicy, ...]:
        return (
            ChannelPolicy(
                Channel.SHOWROOM,
                min_stars=self.showroom_min_stars,
                key_farm_with_traceability=self.showroom_accepts_key_farm_products,
            ),
            ChannelPolicy(Channel.MARKETPLACE, min_stars=self.marketplace_min_stars),
            ChannelPolicy(Channel.FAIR, min_stars=self.fair_min_stars),
        )
