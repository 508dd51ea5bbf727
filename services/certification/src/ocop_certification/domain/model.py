"""Producers, products and certificates: plain pydantic, no I/O."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from ocop_certification.domain.labels import TITLES
from ocop_shared.contracts.certification import LegalForm, RecognitionLevel
from ocop_shared.text import Text

CERTIFICATE_VALIDITY_MONTHS = 36


class CertificateStatus(StrEnum):
    ACTIVE = "active"
    SUPERSEDED = "superseded"
    REVOKED = "revoked"
    EXPIRED = "expired"


CERTIFICATE_STATUS_VI = {
    CertificateStatus.ACTIVE: "Còn hiệu lực",
    CertificateStatus.EXPIRED: "Hết hiệu lực",
    CertificateStatus.REVOKED: "Đã thu hồi",
    CertificateStatus.SUPERSEDED: "Đã được thay thế",
}


class LegalRepresentative(BaseModel):
    """Người đại diện theo pháp luật; the flags earn bonus points under 148/QĐ-TTg."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", str_strip_whitespace=True, field_title_generator=TITLES
    )

    full_name: Text = Field(min_length=2, max_length=120)
    position: Text | None = Field(None, max_length=100)
    is_woman: bool = False
    is_ethnic_minority: bool = False
    ethnicity: Text | None = Field(None, max_length=50)


class Contact(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", str_strip_whitespace=True, field_title_generator=TITLES
    )

    name: Text | None = Field(None, max_length=120)
    phone: Text | None = Field(None, pattern=r"^\+?[0-9 .-]{8,16}$")
    email: Text | None = Field(None, max_length=200, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Producer(BaseModel):
    """A chủ thể OCOP: enterprise, cooperative, cooperative group or household business."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    legal_form: LegalForm
    tax_code: str
    province: str
    commune: str
    district: str | None = None
    gln: str | None = None
    legal_representative: LegalRepresentative | None = None
    contacts: tuple[Contact, ...] = ()
    version: int = 1


class Product(BaseModel):
    """A product registered in the programme; `certification_version` orders its events."""

    model_config = ConfigDict(frozen=True)

    id: str
    producer_id: str
    name: str
    group_code: str
    """Sector code of 1048/QĐ-TTg (food, drink, herbs, cloth, keepsake, travel)."""
    subgroup_code: str | None = None
    """Sub-group of the 148/QĐ-TTg taxonomy (e.g. ``2.1``), which picks the criteria set."""
    taxonomy_version: str | None = None
    province: str
    commune: str
    district: str | None = None
    gtin: str | None = None
    current_certificate_id: str | None = None
    certification_version: int = 0


class Revocation(BaseModel):
    model_config = ConfigDict(frozen=True)

    decision_number: str
    decision_date: date
    reason: str
    issuing_authority: str
    revoked_by: str


class Certificate(BaseModel):
    """A recognition certificate (giấy chứng nhận), valid 36 months from the decision."""

    model_config = ConfigDict(frozen=True)

    id: str
    number: str
    product_id: str
    producer_id: str
    stars: int = Field(ge=3, le=5)
    level: RecognitionLevel
    issuing_authority: str
    decision_number: str
    decision_date: date
    valid_from: date
    valid_until: date
    status: CertificateStatus = CertificateStatus.ACTIVE
    supersedes_certificate_id: str | None = None
    revocation: Revocation | None = None
    issued_by: str
    dossier_id: str | None = None
    """The dossier whose evaluation led to it (none for certificates entered from records)."""
    superseded_by_certificate_id: str | None = None
    expired_on: date | None = None
    reminders_sent: tuple[int, ...] = ()
    """Lead times (months before expiry) already reminded, so a reminder goes out once."""

    @property
    def first_invalid_day(self) -> date:
        """The day after ``valid_until``: the last valid day is still valid, all day long."""
        return self.valid_until + timedelta(days=1)

    def as_of(self, today: date) -> Certificate:
        """How the certificate reads on ``today`` (a date in Asia/Ho_Chi_Minh): an active one
        past its last valid day reads expired at once, everywhere; the hourly sweep only
        catches the stored state up and tells the other services."""
        if self.status is CertificateStatus.ACTIVE and today > self.valid_until:
            return self.model_copy(
                update={"status": CertificateStatus.EXPIRED, "expired_on": self.first_invalid_day}
            )
        return self


def add_months(day: date, months: int) -> date:
    """Same day `months` later, clamped to the month's end (31/01 + 1 month = 28 or 29/02)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, candidate)
        except ValueError:
            continue
    raise ValueError("unreachable")  # pragma: no cover


def certificate_valid_until(decision_date: date) -> date:
    return add_months(decision_date, CERTIFICATE_VALIDITY_MONTHS)
