"""The catalogue's read model of a product, its content and its current certificate."""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import BaseModel, ConfigDict, ValidationError

from ocop_shared.certificates import CertificateMirror
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


class CertificateState(CertificateMirror):
    """The certificate the product carries now, as told by certification events only.

    The shared mirror (`ocop_shared.certificates`) with what the catalogue always shows: a
    certificate's page needs its stars, decision and validity, which only its issue carries.
    """

    stars: int
    level: str
    issuing_authority: str
    decision_number: str
    valid_from: date
    valid_until: date

    @classmethod
    def shown(cls, mirrored: CertificateMirror | None) -> CertificateState | None:
        """The mirrored certificate as the catalogue stores it, or None.

        An end of a certificate the catalogue never saw issued says too little to show (no
        decision, no validity start): the product then shows no certificate, as it did
        before that event; what it may be sold as is the same (not eligible).
        """
        if mirrored is None or isinstance(mirrored, CertificateState):
            return mirrored
        try:
            return cls.model_validate(mirrored.model_dump())
        except ValidationError:
            return None

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
