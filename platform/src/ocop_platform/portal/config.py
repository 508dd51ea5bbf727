"""Where the portal finds each service: internal URLs for health, public URLs for links.

Under `ocop run` nothing needs setting: each service's address follows its port variable
(`OCOP_CATALOG_PORT`, …) on 127.0.0.1. In compose or Kubernetes set `PORTAL_<SERVICE>_URL`
(e.g. ``http://catalog:8000``, what the portal calls) and `PORTAL_<SERVICE>_PUBLIC_URL`
(what the browser opens, e.g. ``https://danhmuc.ocop.phutho.gov.vn``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from ocop_platform.infra import find_repo_root


@dataclass(frozen=True)
class Console:
    """A page worth opening, described for the people who use it."""

    title: str
    path: str
    description: str
    audience: str


@dataclass(frozen=True)
class ServiceInfo:
    key: str
    title: str
    port_env: str
    default_port: int
    consoles: tuple[Console, ...]


SERVICES: tuple[ServiceInfo, ...] = (
    ServiceInfo(
        "certification",
        "Chứng nhận OCOP",
        "OCOP_CERTIFICATION_PORT",
        8001,
        (
            Console(
                "Hồ sơ đánh giá",
                "/ho-so",
                "Hồ sơ đăng ký đánh giá, phiếu chấm điểm của hội đồng, quyết định công nhận.",
                "Cán bộ tỉnh, thành viên hội đồng, chủ thể OCOP",
            ),
            Console(
                "Sổ giấy chứng nhận",
                "/giay-chung-nhan",
                "Giấy chứng nhận còn hiệu lực, lịch hết hạn, hậu kiểm và thu hồi.",
                "Cán bộ tỉnh",
            ),
            Console(
                "Tiến độ kế hoạch",
                "/ke-hoach",
                "Chỉ tiêu số sản phẩm OCOP theo tỉnh, huyện và số sao.",
                "Lãnh đạo, cán bộ tỉnh",
            ),
        ),
    ),
    ServiceInfo(
        "catalog",
        "Danh mục sản phẩm",
        "OCOP_CATALOG_PORT",
        8002,
        (
            Console(
                "Danh mục sản phẩm OCOP",
                "/",
                "Tra cứu công khai sản phẩm OCOP (tìm không dấu), trang sản phẩm có mã QR.",
                "Mọi người dân, khách hàng",
            ),
        ),
    ),
    ServiceInfo(
        "orders",
        "Điểm bán OCOP",
        "OCOP_ORDERS_PORT",
        8003,
        (
            Console(
                "Quầy bán hàng",
                "/quay/",
                "Tồn kho, bán hàng tại quầy, trả hàng, điều chuyển, kiểm kê, báo cáo ngày.",
                "Nhân viên điểm bán, cán bộ xúc tiến",
            ),
        ),
    ),
    ServiceInfo(
        "events",
        "Xúc tiến thương mại",
        "OCOP_EVENTS_PORT",
        8004,
        (
            Console(
                "Lịch hội chợ, sự kiện",
                "/",
                "Hội chợ, triển lãm và hội nghị kết nối cung cầu sắp diễn ra.",
                "Chủ thể OCOP, doanh nghiệp",
            ),
            Console(
                "Điều hành xúc tiến",
                "/dieu-hanh",
                "Gian hàng, đăng ký tham gia, xác nhận gian hàng, kết nối cung cầu, kết quả.",
                "Cán bộ xúc tiến thương mại",
            ),
        ),
    ),
)


def _local_url(service: ServiceInfo) -> str:
    port = os.environ.get(service.port_env, "").strip() or str(service.default_port)
    return f"http://127.0.0.1:{port}"


def _default_asyncapi() -> Path | None:
    root = find_repo_root()
    return root / "docs" / "asyncapi.html" if root is not None else None


class PortalSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PORTAL_", extra="ignore")

    certification_url: str = Field(default_factory=lambda: _local_url(SERVICES[0]))
    catalog_url: str = Field(default_factory=lambda: _local_url(SERVICES[1]))
    orders_url: str = Field(default_factory=lambda: _local_url(SERVICES[2]))
    events_url: str = Field(default_factory=lambda: _local_url(SERVICES[3]))
    certification_public_url: str | None = None
    catalog_public_url: str | None = None
    orders_public_url: str | None = None
    events_public_url: str | None = None
    asyncapi_path: Path | None = Field(default_factory=_default_asyncapi)
    ready_timeout_s: float = 3.0
    # /health/messaging asks Kafka for each group's lag (up to 5 s per group when it hangs).
    messaging_timeout_s: float = 8.0
    refresh_s: int = 15
    lag_warning: int = 1000
    backlog_warning: int = 1000

    def internal_url(self, service: ServiceInfo) -> str:
        return str(getattr(self, f"{service.key}_url")).rstrip("/")

    def public_url(self, service: ServiceInfo) -> str:
        public = getattr(self, f"{service.key}_public_url")
        return str(public).rstrip("/") if public else self.internal_url(service)
