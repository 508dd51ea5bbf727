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
DOSSIERS_TOPIC = "ocop.certification.dossiers"


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
    subgroup_code: str | None = None
    """Sub-group of the 148/QĐ-TTg taxonomy (e.g. ``2.1``); ``group_code`` is the 1048 sector."""
    district: str | None = None


class _CertificateEvent(EventData):
    """Fields every certificate event carries; keyed by product id on the Kafka topic."""

    certificate_id: str
    certificate_number: str
    product_id: str
    producer_id: str


@register
class CertificateIssuedV1(_CertificateEvent):
    """Sent when a recognition decision issues a certificate (new, renewal or upgrade)."""

    event_type: ClassVar[str] = "ocop.certification.certificate.issued.v1"
    topic: ClassVar[str] = CERTIFICATES_TOPIC

    stars: int = Field(ge=3, le=5)
    level: RecognitionLevel
    issuing_authority: str
    decision_number: str
    decision_date: date
    valid_from: date
    valid_until: date
    supersedes_certificate_id: str | None = None
    dossier_id: str | None = None
    certification_version: int | None = None
    """The product's certification version (also the envelope ``sequence``)."""


@register
class CertificateRevokedV1(_CertificateEvent):
    """Sent when a certificate is revoked (thu hồi) by a decision after inspection."""

    event_type: ClassVar[str] = "ocop.certification.certificate.revoked.v1"
    topic: ClassVar[str] = CERTIFICATES_TOPIC

    decision_number: str
    decision_date: date
    reason: str
    issuing_authority: str
    stars: int | None = Field(None, ge=3, le=5)
    level: RecognitionLevel | None = None
    valid_until: date | None = None
    certification_version: int | None = None


@register
class CertificateExpiredV1(_CertificateEvent):
    """Sent when a certificate reaches the end of its validity without renewal."""

    event_type: ClassVar[str] = "ocop.certification.certificate.expired.v1"
    topic: ClassVar[str] = CERTIFICATES_TOPIC

    expired_on: date
    stars: int | None = Field(None, ge=3, le=5)
    level: RecognitionLevel | None = None
    decision_number: str | None = None
    certification_version: int | None = None


@register
class CertificateSupersededV1(_CertificateEvent):
    """Sent for the old certificate when a new evaluation's certificate replaces it."""

    event_type: ClassVar[str] = "ocop.certification.certificate.superseded.v1"
    topic: ClassVar[str] = CERTIFICATES_TOPIC

    stars: int = Field(ge=3, le=5)
    level: RecognitionLevel
    decision_number: str
    valid_until: date
    superseded_by_certificate_id: str
    certification_version: int | None = None


@register
class CertificateExpiringV1(_CertificateEvent):
    """A reminder that an active certificate expires soon; information only, no state change.

    Its envelope ``sequence`` is the product's current certification version (not bumped).
    """

    event_type: ClassVar[str] = "ocop.certification.certificate.expiring.v1"
    topic: ClassVar[str] = CERTIFICATES_TOPIC

    stars: int = Field(ge=3, le=5)
    level: RecognitionLevel
    decision_number: str
    valid_until: date
    lead_months: int = Field(ge=0)
    certification_version: int | None = None


@register
class DossierSubmittedV1(EventData):
    """Sent when a producer's dossier is submitted to an evaluation round."""

    event_type: ClassVar[str] = "ocop.certification.dossier.submitted.v1"
    topic: ClassVar[str] = DOSSIERS_TOPIC

    dossier_id: str
    product_id: str
    producer_id: str
    round_id: str
    level: str
    rule_set: str
    subgroup_code: str
    target_stars: int = Field(ge=3, le=5)


@register
class DossierScoredV1(EventData):
    """Sent when a council's scoring of a dossier is closed with its result."""

    event_type: ClassVar[str] = "ocop.certification.dossier.scored.v1"
    topic: ClassVar[str] = DOSSIERS_TOPIC

    dossier_id: str
    product_id: str
    producer_id: str
    round_id: str
    level: str
    rule_set: str
    members: int = Field(ge=1)
    average_points: float = Field(ge=0, le=100)
    result_points: float = Field(ge=0, le=100)
    stars: int = Field(ge=1, le=5)
    failed_mandatory: list[str] = Field(default_factory=list)
    outcome: str
    """recognised, not_recognised or forwarded (what the rule set says the level does)."""
