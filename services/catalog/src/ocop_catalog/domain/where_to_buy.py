"""Where a visitor can buy a product: showrooms of its province, marketplaces, own points.

The showrooms are the OCOP display-and-sale points named in the provincial plans
(DOMAIN.md §8); which products they carry follows the channel policies.
"""

from __future__ import annotations

from dataclasses import dataclass

from ocop_catalog.domain.model import CatalogProduct
from ocop_catalog.domain.search import name_key
from ocop_shared.contracts.catalog import Channel


@dataclass(frozen=True)
class SalesPoint:
    kind: str
    name: str
    address: str | None = None


SHOWROOMS_BY_PROVINCE: dict[str, tuple[SalesPoint, ...]] = {
    "phu tho": (
        SalesPoint(
            "Điểm giới thiệu và bán sản phẩm OCOP",
            "Chợ thành phố Việt Trì (tầng 2–3)",
            "Phường Việt Trì, tỉnh Phú Thọ",
        ),
        SalesPoint(
            "Điểm giới thiệu và bán sản phẩm OCOP",
            "Chợ Quê – Khu di tích lịch sử Đền Hùng",
            "Phú Thọ",
        ),
        SalesPoint("Điểm giới thiệu và bán sản phẩm OCOP", "Vườn quốc gia Xuân Sơn", "Phú Thọ"),
    ),
}

MARKETPLACE = SalesPoint(
    "Sàn thương mại điện tử", "Gian hàng OCOP trên các sàn thương mại điện tử liên kết"
)
FAIR = SalesPoint("Hội chợ", "Hội chợ, tuần lễ sản phẩm OCOP và xúc tiến thương mại")


def where_to_buy(product: CatalogProduct) -> list[SalesPoint]:
    points: list[SalesPoint] = []
    if Channel.SHOWROOM in product.eligible_channels:
        points.extend(SHOWROOMS_BY_PROVINCE.get(name_key(product.province or ""), ()))
    if Channel.MARKETPLACE in product.eligible_channels:
        points.append(MARKETPLACE)
    if Channel.FAIR in product.eligible_channels:
        points.append(FAIR)
    points.extend(SalesPoint("Điểm bán của chủ thể", p) for p in product.content.sales_points)
    return points
