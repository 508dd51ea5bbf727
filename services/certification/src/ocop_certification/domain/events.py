"""Domain events raised by the certification model (mapped to contracts in adapters)."""

from __future__ import annotations

from dataclasses import dataclass

from ocop_certification.domain.model import Certificate, Producer, Product


@dataclass(frozen=True)
class ProducerRegistered:
    producer: Producer


@dataclass(frozen=True)
class ProductRegistered:
    product: Product


@dataclass(frozen=True)
class CertificateIssued:
    certificate: Certificate
    product_version: int


@dataclass(frozen=True)
class CertificateRevoked:
    certificate: Certificate
    product_version: int


DomainEvent = ProducerRegistered | ProductRegistered | CertificateIssued | CertificateRevoked
