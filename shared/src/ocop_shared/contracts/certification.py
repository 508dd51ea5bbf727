"""Events published by the certification service."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import ClassVar

from pydantic import Field

from ocop_shared.contracts.envelope import EventData
from ocop_shared.contracts.registry import register

PRODUCERS_TOPIC = "ocop.certification.producers"
PRODUCTS_TOPIC = "ocop.certification.products"
CERTIFICATES_TOPIC = "ocop.certification.certificates"


class LegalForm(StrEnum):
    ENTERPRISE = "enterprise"
    COOPERATIVE = "cooperative"
    COOPERATIVE_GROUP = "cooperative_group"
    HOUSEHOLD_BUSINESS = "household_business"


class RecognitionLevel(StrEnum):
    DISTRICT = "district"
    PROVINCE = "province"
    CENTRAL = "central"


@register
class ProducerRegisteredV1(EventData):
    """Sent when a producer (chủ thể OCOP) is registered."""

    event_type: ClassVar[str] = "ocop.certification.producer.registered.v1"
    topic: ClassVar[str] = PRODUCERS_TOPIC

    producer_id: str
    name: str
    legal_form: LegalForm
    tax_code: str
    province: str
    commune: str
    district: str | None = None


@register
class ProductRegisteredV1(EventData):
    """Sent when a producer's product is registered for the programme."""

    event_type: ClassVar[str] = "ocop.certification.product.registered.v1"
    topic: ClassVar[str] = PRODUCTS_TOPIC

    product_id: str
    producer_id: str
    name: str
    group_code: str
    province: str
    commune: str
    gtin: str | None = None


@register
class CertificateIssuedV1(EventData):
    """Sent when a recognition decision issues a certificate (new, renewal or upgrade)."""

    event_type: ClassVar[str] = "ocop.certification.certificate.issued.v1"
    topic: ClassVar[str] = CERTIFICATES_TOPIC

    certificate_id: str
    certificate_number: str
    product_id: str
    producer_id: str
    stars: int = Field(ge=3, le=5)
    level: RecognitionLevel
    issuing_authority: str
    decision_number: str
    decision_date: date
    valid_from: date
    valid_until: date
    supersedes_certificate_id: str | None = None


@register
class CertificateRevokedV1(EventData):
    """Sent when a certificate is revoked (thu hồi) by a decision after inspection."""

    event_type: ClassVar[str] = "ocop.certification.certificate.revoked.v1"
    topic: ClassVar[str] = CERTIFICATES_TOPIC

    certificate_id: str
    certificate_number: str
    product_id: str
    producer_id: str
    decision_number: str
    decision_date: date
    reason: str
    issuing_authority: str


@register
class CertificateExpiredV1(EventData):
    """Sent when a certificate reaches the end of its validity without renewal."""

    event_type: ClassVar[str] = "ocop.certification.certificate.expired.v1"
    topic: ClassVar[str] = CERTIFICATES_TOPIC

    certificate_id: str
    certificate_number: str
    product_id: str
    producer_id: str
    expired_on: date
