"""Domain events raised by the certification model (mapped to contracts in adapters)."""

from __future__ import annotations

from dataclasses import dataclass

from ocop_certification.domain.dossiers import Dossier
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
class CertificateSuperseded:
    certificate: Certificate
    product_version: int


@dataclass(frozen=True)
class CertificateRevoked:
    certificate: Certificate
    product_version: int


@dataclass(frozen=True)
class CertificateExpired:
    certificate: Certificate
    product_version: int


@dataclass(frozen=True)
class CertificateExpiring:
    """A reminder; carries the product's current version without bumping it."""

    certificate: Certificate
    product_version: int
    lead_months: int


@dataclass(frozen=True)
class DossierSubmitted:
    dossier: Dossier


@dataclass(frozen=True)
class DossierScored:
    dossier: Dossier


DomainEvent = (
    ProducerRegistered
    | ProductRegistered
    | CertificateIssued
    | CertificateSuperseded
    | CertificateRevoked
    | CertificateExpired
    | CertificateExpiring
    | DossierSubmitted
    | DossierScored
)
