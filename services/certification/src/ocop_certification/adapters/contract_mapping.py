"""The one place where domain events become published contracts."""

from __future__ import annotations

from dataclasses import dataclass

from ocop_certification.domain.events import (
    CertificateIssued,
    CertificateRevoked,
    DomainEvent,
    ProducerRegistered,
    ProductRegistered,
)
from ocop_shared.contracts import certification as contracts
from ocop_shared.contracts.envelope import EventData


@dataclass(frozen=True)
class Outgoing:
    """A contract with the aggregate it belongs to (Kafka key) and its version."""

    data: EventData
    subject: str
    sequence: int


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
                ),
                subject=product.id,
                sequence=0,
            )
        case CertificateIssued(cert, version):
            return Outgoing(
                contracts.CertificateIssuedV1(
                    certificate_id=cert.id,
                    certificate_number=cert.number,
                    product_id=cert.product_id,
                    producer_id=cert.producer_id,
                    stars=cert.stars,
                    level=cert.level,
                    issuing_authority=cert.issuing_authority,
                    decision_number=cert.decision_number,
                    decision_date=cert.decision_date,
                    valid_from=cert.valid_from,
                    valid_until=cert.valid_until,
                    supersedes_certificate_id=cert.supersedes_certificate_id,
                ),
                subject=cert.product_id,
                sequence=version,
            )
        case CertificateRevoked(cert, version):
            assert cert.revocation is not None
            return Outgoing(
                contracts.CertificateRevokedV1(
                    certificate_id=cert.id,
                    certificate_number=cert.number,
                    product_id=cert.product_id,
                    producer_id=cert.producer_id,
                    decision_number=cert.revocation.decision_number,
                    decision_date=cert.revocation.decision_date,
                    reason=cert.revocation.reason,
                    issuing_authority=cert.revocation.issuing_authority,
                ),
                subject=cert.product_id,
                sequence=version,
            )
