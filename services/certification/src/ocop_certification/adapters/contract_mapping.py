"""The one place where domain events become published contracts."""

from __future__ import annotations

from typing import TypedDict

from ocop_certification.domain.events import (
    CertificateExpired,
    CertificateExpiring,
    CertificateIssued,
    CertificateRevoked,
    CertificateSuperseded,
    DomainEvent,
    DossierScored,
    DossierSubmitted,
    ProducerRegistered,
    ProductRegistered,
)
from ocop_certification.domain.model import Certificate
from ocop_shared.contracts import certification as contracts
from ocop_shared.contracts.certification import RecognitionLevel
from ocop_shared.messaging.unit_of_work import Outgoing


class _CertificateFields(TypedDict):
    certificate_id: str
    certificate_number: str
    product_id: str
    producer_id: str
    stars: int
    level: RecognitionLevel


def _certificate_fields(cert: Certificate) -> _CertificateFields:
    """What every certificate event carries: the certificate, its product and its rating."""
    return {
        "certificate_id": cert.id,
        "certificate_number": cert.number,
        "product_id": cert.product_id,
        "producer_id": cert.producer_id,
        "stars": cert.stars,
        "level": cert.level,
    }


def to_contract(event: DomainEvent) -> Outgoing:
    match event:
        case ProducerRegistered(producer):
            return Outgoing(
                contracts.ProducerRegisteredV1(
                    producer_id=producer.id,
                    name=producer.name,
                    legal_form=producer.legal_form,
                    tax_code=producer.tax_code,
                    province=producer.province,
                    commune=producer.commune,
                    district=producer.district,
                ),
                subject=producer.id,
                sequence=producer.version,
            )
        case ProductRegistered(product):
            return Outgoing(
                contracts.ProductRegisteredV1(
                    product_id=product.id,
                    producer_id=product.producer_id,
                    name=product.name,
                    group_code=product.group_code,
                    province=product.province,
                    commune=product.commune,
                    gtin=product.gtin,
                    subgroup_code=product.subgroup_code,
                    district=product.district,
                ),
                subject=product.id,
                sequence=0,
            )
        case CertificateIssued(cert, version):
            return Outgoing(
                contracts.CertificateIssuedV1(
                    **_certificate_fields(cert),
                    issuing_authority=cert.issuing_authority,
                    decision_number=cert.decision_number,
                    decision_date=cert.decision_date,
                    valid_from=cert.valid_from,
                    valid_until=cert.valid_until,
                    supersedes_certificate_id=cert.supersedes_certificate_id,
                    dossier_id=cert.dossier_id,
                    certification_version=version,
                ),
                subject=cert.product_id,
                sequence=version,
            )
        case CertificateRevoked(cert, version):
            assert cert.revocation is not None
            return Outgoing(
                contracts.CertificateRevokedV1(
                    **_certificate_fields(cert),
                    decision_number=cert.revocation.decision_number,
                    decision_date=cert.revocation.decision_date,
                    reason=cert.revocation.reason,
                    issuing_authority=cert.revocation.issuing_authority,
                    valid_until=cert.valid_until,
                    certification_version=version,
                ),
                subject=cert.product_id,
                sequence=version,
            )
        case CertificateSuperseded(cert, version):
            assert cert.superseded_by_certificate_id is not None
            return Outgoing(
                contracts.CertificateSupersededV1(
                    **_certificate_fields(cert),
                    decision_number=cert.decision_number,
                    valid_until=cert.valid_until,
                    superseded_by_certificate_id=cert.superseded_by_certificate_id,
                    certification_version=version,
                ),
                subject=cert.product_id,
                sequence=version,
            )
        case CertificateExpired(cert, version):
            return Outgoing(
                contracts.CertificateExpiredV1(
                    **_certificate_fields(cert),
                    expired_on=cert.expired_on or cert.first_invalid_day,
                    decision_number=cert.decision_number,
                    certification_version=version,
                ),
                subject=cert.product_id,
                sequence=version,
            )
        case CertificateExpiring(cert, version, lead_months):
            return Outgoing(
                contracts.CertificateExpiringV1(
                    **_certificate_fields(cert),
                    decision_number=cert.decision_number,
                    valid_until=cert.valid_until,
                    lead_months=lead_months,
                    certification_version=version,
                ),
                subject=cert.product_id,
                sequence=version,  # information only: the version is not bumped
            )
        case DossierSubmitted(dossier):
            return Outgoing(
                contracts.DossierSubmittedV1(
                    dossier_id=dossier.id,
                    product_id=dossier.product_id,
                    producer_id=dossier.producer_id,
                    round_id=dossier.round_id,
                    level=dossier.level,
                    rule_set=dossier.rule_set,
                    subgroup_code=dossier.subgroup_code,
                    target_stars=dossier.registration.target_stars,
                ),
                subject=dossier.id,
                sequence=dossier.version,
            )
        case DossierScored(dossier):
            assert dossier.result is not None
            assert dossier.decision is not None
            return Outgoing(
                contracts.DossierScoredV1(
                    dossier_id=dossier.id,
                    product_id=dossier.product_id,
                    producer_id=dossier.producer_id,
                    round_id=dossier.round_id,
                    level=dossier.level,
                    rule_set=dossier.rule_set,
                    members=dossier.result.members,
                    average_points=dossier.result.average_points,
                    result_points=dossier.result.result_points,
                    stars=dossier.result.stars,
                    failed_mandatory=list(dossier.result.failed_mandatory),
                    outcome=dossier.decision.outcome,
                ),
                subject=dossier.id,
                sequence=dossier.version,
            )
