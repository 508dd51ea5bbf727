"""The catalogue's read model of a product and its current certificate."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from ocop_shared.contracts.catalog import CertificateStatus, Channel


class ProducerProfile(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    legal_form: str
    province: str
    commune: str


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

    def status_on(self, day: date) -> CertificateStatus:
        """An active certificate past its end date is shown as expired, never as valid."""
        if self.status is CertificateStatus.ACTIVE and day > self.valid_until:
            return CertificateStatus.EXPIRED
        return self.status


class CatalogProduct(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    producer_id: str
    producer: ProducerProfile | None = None
    group_code: str | None = None
    province: str | None = None
    commune: str | None = None
    gtin: str | None = None
    certificate: CertificateState | None = None
    certificate_sequence: int = 0
    eligible_channels: list[Channel] = []
