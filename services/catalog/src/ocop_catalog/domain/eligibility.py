"""Channel eligibility: which products each sales channel may carry.

Policies are data (built from settings), so a province can change them without code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ocop_catalog.domain.model import CatalogProduct
from ocop_shared.contracts.catalog import CertificateStatus, Channel


@dataclass(frozen=True)
class ChannelPolicy:
    """E.g. "active certificate with at least 3 stars", optionally "or a key farm product
    carrying a traceability stamp" (the rule of the Việt Trì showroom)."""

    channel: Channel
    min_stars: int = 3
    key_farm_with_traceability: bool = False

    def admits(self, product: CatalogProduct, today: date) -> bool:
        cert = product.certificate
        if (
            cert is not None
            and cert.status_on(today) is CertificateStatus.ACTIVE
            and cert.stars >= self.min_stars
        ):
            return True
        return (
            self.key_farm_with_traceability
            and product.content.key_farm_product
            and product.has_traceability_stamp
        )

    def describe(self) -> str:
        rule = f"giấy chứng nhận OCOP còn hiệu lực, từ {self.min_stars} sao"
        if self.key_farm_with_traceability:
            rule += ", hoặc sản phẩm nông nghiệp chủ lực có tem truy xuất nguồn gốc"
        return rule


DEFAULT_POLICIES = (
    ChannelPolicy(Channel.SHOWROOM, key_farm_with_traceability=True),
    ChannelPolicy(Channel.MARKETPLACE),
    ChannelPolicy(Channel.FAIR),
)


def eligible_channels(
    product: CatalogProduct,
    today: date,
    policies: tuple[ChannelPolicy, ...] = DEFAULT_POLICIES,
) -> list[Channel]:
    return [p.channel for p in policies if p.admits(product, today)]
