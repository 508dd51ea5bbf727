"""Producers, products and certificates: plain pydantic, no I/O."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from ocop_shared.contracts.certification import LegalForm, RecognitionLevel

CERTIFICATE_VALIDITY_MONTHS = 36


class CertificateStatus(StrEnum):
    ACTIVE = "active"
    SUPERSEDED = "superseded"
    REVOKED = "revoked"
    EXPIRED = "expired"


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
    version: int = 1


class Product(BaseModel):
    """A product registered in the programme; `certification_version` orders its events."""

    model_config = ConfigDict(frozen=True)

    id: str
    producer_id: str
    name: str
    group_code: str
    province: str
    commune: str
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
