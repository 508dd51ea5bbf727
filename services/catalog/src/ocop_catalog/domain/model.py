"""The catalogue's read model of a product, its content and its current certificate."""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import BaseModel, ConfigDict

from ocop_shared.contracts.catalog import CertificateStatus, Channel


class ProducerProfile(BaseModel):
    """The producer (chủ thể OCOP) as shown to visitors."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    legal_form: str | None = None
    province: str | None = None
    commune: str | None = None
    district: str | None = None
    """Legacy district (huyện) of records made before the two-level reform of 1/7/2025."""
    gln: str | None = None


class CertificateState(BaseModel):
    """The certificate the product carries now, as told by certification events only."""

    model_config = ConfigDict(frozen=True)

    certificate_id: str
    number: str
    stars: int
    level: str
    issuing_authority: str
    decision_number: str
    valid_from: date
    valid_until: date
    status: CertificateStatus
    status_reason: str | None = None
    expiry_reminder_on: date | None = None
    """When certification last reminded that this certificate is about to expire."""
    superseded_by: str | None = None

    def status_on(self, day: date) -> CertificateStatus:
        """An active certificate past its end date is shown as expired, never as valid."""
        if self.status is CertificateStatus.ACTIVE and day > self.valid_until:
            return CertificateStatus.EXPIRED
        return self.status

    def expiring_soon(self, day: date, within_days: int) -> bool:
        """Still valid today but ending within `within_days` (or certification said so)."""
        if self.status_on(day) is not CertificateStatus.ACTIVE:
            return False
        return self.expiry_reminder_on is not None or (
            self.valid_until <= day + timedelta(days=within_days)
        )


class ProductContent(BaseModel):
    """What the province's spreadsheet says about a product; never certificate state."""

    model_config = ConfigDict(frozen=True)

    description: str | None = None
    story: str | None = None
    """Câu chuyện sản phẩm: part B of the OCOP criteria, told to buyers."""
    images: list[str] = []
    unit: str | None = None
    pack_size: str | None = None
    suggested_price_vnd: int | None = None
    traceability_provider: str | None = None
    traceability_url: str | None = None
    key_farm_product: bool = False
    """Sản phẩm nông nghiệp chủ lực (a key farm product of the province)."""
    sales_points: list[str] = []
    """Where else to buy it, as the producer told the province (shops, marketplace stores)."""


class CatalogProduct(BaseModel):
    """One product of the public catalogue.

    `version` counts every change the catalogue makes to the product; it is the `sequence`
    of the product events so that consumers can drop stale ones. `certificate_sequence` is
    the certification version last applied (stale certificate events are ignored).
    """

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    producer_id: str
    producer: ProducerProfile | None = None
    group_code: str | None = None
    province: str | None = None
    commune: str | None = None
    district: str | None = None
    gtin: str | None = None
    content: ProductContent = ProductContent()
    certificate: CertificateState | None = None
    certificate_sequence: int = 0
    eligible_channels: list[Channel] = []
    version: int = 0

    def certificate_status(self, day: date) -> CertificateStatus:
        return self.certificate.status_on(day) if self.certificate else CertificateStatus.NONE

    @property
    def has_traceability_stamp(self) -> bool:
        return bool(self.content.traceability_url)
